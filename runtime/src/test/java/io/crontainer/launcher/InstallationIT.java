package io.crontainer.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The installation's files are what runs, as shipped (the {@code .tar.gz}, unpacked): a start is
 * ready only when the scheduler runs; secrets under {@code data/} are owner-only; the bundle cache is
 * kept between starts, yet a {@code bundle/} or {@code deploy/} jar changed, added or removed while the
 * runtime was stopped is seen (by checksum: same size and time stamp); a copy given another copy's
 * {@code data/} runs its own {@code deploy/} and {@code etc/} only; and the README's upgrade procedure
 * keeps edited {@code etc/} files, deployed plugins and the run history.
 */
class InstallationIT {

	private static final Duration TIMEOUT = Duration.ofSeconds(60);

	@TempDir
	Path tmp;

	private final List<Process> processes = new ArrayList<>();

	@AfterEach
	void kill() throws InterruptedException {
		for (Process p : processes) {
			if (p.isAlive()) {
				p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
		}
	}

	@Test
	void aSchedulerThatCannotRunIsNotReady() throws Exception {
		Path home = unpack("a");
		Files.writeString(home.resolve("data/state"), "not a directory\n"); // fails for root too
		Runtime rt = start(home);
		assertThat(rt.process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).as("exited; output:%n%s", rt.output()).isTrue();
		assertThat(rt.process.exitValue()).as("exit status; output:%n%s", rt.output()).isEqualTo(Main.NOT_READY);
		assertThat(rt.ready).doesNotExist();
		String out = rt.output();
		assertThat(out).doesNotContain("Crontainer started");
		List<String> errors = out.lines().filter(l -> l.contains("| ERROR |") && l.contains("Crontainer is not ready")).toList();
		assertThat(errors).hasSize(1);
		assertThat(errors.get(0)).contains("component io.crontainer.scheduler.").contains(" of io.crontainer.scheduler failed to activate: ")
				.contains(home.toRealPath().resolve("data/state").toString()).contains("exit status 3");
	}

	@Test
	void aDeepInstallationServesBinClientOnItsOwnerOnlySocket() throws Exception {
		Path home = unpack("deep/" + "d".repeat(100));
		Path socket = home.toRealPath().resolve("data/run/client.sock");
		assertThat(socket.toString()).as("longer than a Unix-domain socket's 107 bytes").hasSizeGreaterThan(107);
		Runtime rt = start(home);
		rt.awaitReady();
		assertThat(rt.client("cron:list")).contains("NAME").contains("heartbeat");
		assertThat(rt.output()).contains("Accepting bin/client sessions on " + socket + " (bound as data/run/client.sock,"
				+ " relative to the working directory");
		assertThat(mode(socket.getParent())).isEqualTo("rwx------");
		assertThat(mode(socket)).isEqualTo("rw-------");
		rt.stop();
	}

	@Test
	void secretsUnderDataAreOwnerOnly() throws Exception {
		Path home = unpack("a");
		Files.writeString(home.resolve("etc/io.crontainer.scheduler.cfg"), ".postgresql.password = s3cret-s3cret\n");
		// a file an older release wrote world-readable
		Path old = Files.createDirectories(home.resolve("data/config/io/crontainer/examples"))
				.resolve("older.config");
		Files.writeString(old, "service.pid=\"io.crontainer.examples.older\"\n.password=\"x\"\n");
		Files.setPosixFilePermissions(old, PosixFilePermissions.fromString("rw-r--r--"));
		Runtime rt = start(home);
		rt.awaitReady();
		Path config = home.resolve("data/config/io/crontainer/scheduler.config");
		rt.await("the scheduler's configuration in data/config", () -> Files.exists(config));
		assertThat(Files.readString(config)).contains("s3cret-s3cret");
		assertThat(mode(config)).isEqualTo("rw-------");
		assertThat(mode(old)).isEqualTo("rw-------");
		assertThat(mode(home.resolve("data"))).isEqualTo("rwx------");
		assertThat(mode(home.resolve("etc"))).isEqualTo("rwx------");
		assertThat(mode(home.resolve("data/config/io/crontainer"))).isEqualTo("rwx------");
		rt.stop();
	}

	@Test
	void theCacheIsKeptYetBundleAndDeployAreWhatRuns() throws Exception {
		Path home = unpack("a");
		Files.write(home.resolve("deploy/kept.jar"), DistributionIT.bundleJar("io.crontainer.dist.kept"));
		Path changed = home.resolve("deploy/changed.jar");
		Files.write(changed, bundleJar("io.crontainer.dist.changed", "1.0.0"));
		Files.write(home.resolve("deploy/removed.jar"), DistributionIT.bundleJar("io.crontainer.dist.removed"));
		Runtime first = start(home);
		first.awaitReady();
		first.await("the deployed jars ACTIVE", () -> first.readyFile().contains(" ACTIVE io.crontainer.dist.kept ")
				&& first.readyFile().contains(" ACTIVE io.crontainer.dist.changed 1.0.0")
				&& first.readyFile().contains(" ACTIVE io.crontainer.dist.removed "));
		first.await("the class data archive", () -> first.output().contains("Wrote the class data archive data/cds/java-"));
		first.stop();
		assertThat(first.output()).contains("Building the bundle cache (data/cache): no record of what built it (first start)");

		// While stopped: a changed jar of the same size and time stamp, an added one, a removed one
		FileTime time = Files.getLastModifiedTime(changed);
		byte[] v2 = bundleJar("io.crontainer.dist.changed", "2.0.0");
		assertThat(v2).hasSameSizeAs(Files.readAllBytes(changed));
		Files.write(changed, v2);
		Files.setLastModifiedTime(changed, time);
		Files.write(home.resolve("deploy/added.jar"), DistributionIT.bundleJar("io.crontainer.dist.added"));
		Files.delete(home.resolve("deploy/removed.jar"));
		Runtime second = start(home);
		second.awaitReady();
		assertThat(second.output()).doesNotContain("Building the bundle cache");
		assertThat(Files.readString(Path.of("/proc", Long.toString(second.process.pid()), "cmdline")))
				.as("the JVM maps the archive").contains("-XX:SharedArchiveFile=data/cds/java-");
		second.await("the changed and the added jar ACTIVE", () -> second.readyFile().contains(" ACTIVE io.crontainer.dist.changed 2.0.0")
				&& second.readyFile().contains(" ACTIVE io.crontainer.dist.added "));
		assertThat(second.readyFile()).contains(" ACTIVE io.crontainer.dist.kept ").doesNotContain("io.crontainer.dist.removed")
				.doesNotContain("io.crontainer.dist.changed 1.0.0");
		assertThat(second.output()).contains("Uninstalled io.crontainer.dist.removed 1.0.0: deploy/removed.jar was removed while the runtime was stopped");
		second.stop();

		// bundle/: a jar replaced by another bundle (same name, same time stamp)
		Path janitor;
		try (Stream<Path> jars = Files.list(home.resolve("bundle"))) {
			janitor = jars.filter(p -> p.getFileName().toString().startsWith("io.crontainer.examples.filejanitor-")).findFirst().orElseThrow();
		}
		time = Files.getLastModifiedTime(janitor);
		Files.write(janitor, DistributionIT.bundleJar("io.crontainer.dist.replaced"));
		Files.setLastModifiedTime(janitor, time);
		Runtime third = start(home);
		third.awaitReady();
		assertThat(third.output()).contains("Building the bundle cache (data/cache): a bundle changed (bundle/" + janitor.getFileName() + ")");
		assertThat(third.readyFile()).contains(" ACTIVE io.crontainer.dist.replaced ").doesNotContain("io.crontainer.examples.filejanitor")
				.contains(" ACTIVE io.crontainer.dist.kept ").contains(" ACTIVE io.crontainer.dist.changed 2.0.0");
		third.stop();
	}

	@Test
	void aCopyWithAnotherCopysDataRunsOnlyItsOwnFiles() throws Exception {
		Path a = unpack("a");
		Files.write(a.resolve("deploy/sample.jar"), DistributionIT.bundleJar("io.crontainer.dist.sample"));
		Files.writeString(a.resolve("etc/io.crontainer.dist.foreign.cfg"), "timeout = 3\n");
		Runtime first = start(a);
		first.awaitReady();
		first.await("sample ACTIVE", () -> first.readyFile().contains(" ACTIVE io.crontainer.dist.sample "));
		first.await("the foreign configuration stored",
				() -> Files.exists(a.resolve("data/config/io/crontainer/dist/foreign.config")));
		first.stop();

		Path b = unpack("b");
		copy(a.resolve("data"), b.resolve("data"));
		Runtime second = start(b);
		second.awaitReady();
		String out = second.output();
		String aHome = "file:" + a.toRealPath() + "/"; // FileInstall's form of a location
		assertThat(out).contains("Building the bundle cache (data/cache): it was built for the installation in " + a.toRealPath())
				.contains("Dropped the deployment of " + aHome + "deploy/sample.jar recorded in data/cache: it is outside this installation")
				.contains("Dropped configuration io.crontainer.dist.foreign: it was made from " + aHome
						+ "etc/io.crontainer.dist.foreign.cfg, outside this installation");
		assertThat(out.lines().filter(l -> l.contains("Dropped configuration org.apache.felix.fileinstall"))).hasSize(1);
		assertThat(b.resolve("data/config/io/crontainer/dist/foreign.config")).doesNotExist();
		// b's deploy/ watcher runs (created with any other from the stored configurations): nothing from a's
		Files.write(b.resolve("deploy/marker.jar"), DistributionIT.bundleJar("io.crontainer.dist.marker"));
		second.await("b's own deploy/ watched", () -> second.readyFile().contains(" ACTIVE io.crontainer.dist.marker "));
		assertThat(second.readyFile()).doesNotContain("io.crontainer.dist.sample");
		second.stop();
	}

	@Test
	void theReadmeUpgradeProcedureKeepsEditsPluginsAndHistory() throws Exception {
		Path old = unpack("old");
		Path heartbeat = old.resolve("etc/io.crontainer.examples.heartbeat.cfg");
		Files.writeString(heartbeat, Files.readString(heartbeat).replace("cron.interval = * * * * *", "cron.interval = 7 * * * *"));
		Files.write(old.resolve("deploy/sample.jar"), DistributionIT.bundleJar("io.crontainer.dist.sample"));
		Runtime first = start(old);
		first.awaitReady();
		assertThat(first.client("cron:fire heartbeat")).contains("heartbeat");
		first.stop();

		Path fresh = unpack("release");
		String script = readmeUpgradeScript();
		Process upgrade = new ProcessBuilder("sh", "-e", "-x", "-c", script).directory(tmp.toFile()).redirectErrorStream(true)
				.redirectOutput(tmp.resolve("upgrade.txt").toFile()).start();
		upgrade.getOutputStream().close();
		assertThat(upgrade.waitFor(60, TimeUnit.SECONDS)).isTrue();
		assertThat(upgrade.exitValue()).as(Files.readString(tmp.resolve("upgrade.txt"))).isZero();
		Path upgraded = old; // the new release, where the old one was
		assertThat(tmp.resolve("old/" + old.getFileName() + ".previous")).isDirectory();
		assertThat(upgraded.resolve("etc/io.crontainer.examples.heartbeat.cfg")).content().contains("cron.interval = 7 * * * *");
		Runtime second = start(upgraded);
		second.awaitReady();
		second.await("sample ACTIVE", () -> second.readyFile().contains(" ACTIVE io.crontainer.dist.sample "));
		assertThat(second.client("cron:list")).containsPattern("(?m)^heartbeat .*7 \\* \\* \\* \\*");
		assertThat(second.client("cron:history heartbeat")).contains("MANUAL");
		second.stop();
		assertThat(fresh).doesNotExist(); // moved into place
	}

	/** The README's upgrade commands, with OLD and NEW set to this test's directories. */
	private String readmeUpgradeScript() throws IOException {
		Path readme = Path.of(System.getProperty("crontainer.template")).resolve("../../../README.md").normalize();
		String text = Files.readString(readme);
		Matcher m = Pattern.compile("<!-- upgrade-procedure -->\\s*```sh\\n(.*?)```", Pattern.DOTALL).matcher(text);
		assertThat(m.find()).as("an upgrade procedure in %s", readme).isTrue();
		return "OLD=" + tmp.resolve("old/" + home("old").getFileName()) + "\nNEW=" + tmp.resolve("release/" + home("release").getFileName())
				+ "\n" + m.group(1);
	}

	private Path home(String dir) throws IOException {
		try (Stream<Path> dirs = Files.list(tmp.resolve(dir))) {
			return dirs.filter(p -> p.getFileName().toString().startsWith("crontainer-")).findFirst().orElseThrow();
		}
	}

	private Path unpack(String dir) throws Exception {
		return Distributions.unpack(Files.createDirectories(tmp.resolve(dir)));
	}

	private static String mode(Path p) throws IOException {
		return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
	}

	private static void copy(Path from, Path to) throws IOException {
		try (Stream<Path> files = Files.walk(from)) {
			for (Path p : (Iterable<Path>) files::iterator) {
				Path target = to.resolve(from.relativize(p).toString());
				if (Files.isDirectory(p)) {
					Files.createDirectories(target);
				} else {
					Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
				}
			}
		}
	}

	/** A bundle jar, uncompressed and with no time stamps: versions of the same length give jars of the same size. */
	static byte[] bundleJar(String bsn, String version) throws IOException {
		java.util.jar.Manifest manifest = new java.util.jar.Manifest();
		var main = manifest.getMainAttributes();
		main.put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
		main.putValue("Bundle-ManifestVersion", "2");
		main.putValue("Bundle-SymbolicName", bsn);
		main.putValue("Bundle-Version", version);
		var bytes = new java.io.ByteArrayOutputStream();
		try (var jar = new java.util.jar.JarOutputStream(bytes)) {
			jar.setLevel(0); // not compressed: the size depends on the text's length only
			var meta = new java.util.zip.ZipEntry("META-INF/MANIFEST.MF");
			meta.setTime(0);
			jar.putNextEntry(meta);
			manifest.write(jar);
			jar.closeEntry();
			var entry = new java.util.zip.ZipEntry("readme.txt");
			entry.setTime(0);
			jar.putNextEntry(entry);
			jar.write("A test bundle.\n".getBytes(StandardCharsets.UTF_8));
			jar.closeEntry();
		}
		return bytes.toByteArray();
	}

	private Runtime start(Path home) throws IOException {
		Path ready = Files.createTempFile(tmp, "ready", ".txt");
		Files.delete(ready);
		Path output = Files.createTempFile(tmp, "output", ".txt");
		ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/crontainer").toString()).directory(tmp.toFile())
				.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).redirectErrorStream(true)
				.redirectOutput(output.toFile());
		pb.environment().put("JAVA_OPTS", "-Dcrontainer.ready.file=" + ready + " " + DistributionIT.EPHEMERAL_HTTP_PORT);
		Process p = pb.start();
		processes.add(p);
		return new Runtime(home, p, ready, output);
	}

	/** A started distribution. */
	private final class Runtime {
		final Path home;
		final Process process;
		final Path ready;
		final Path out;

		Runtime(Path home, Process process, Path ready, Path out) {
			this.home = home;
			this.process = process;
			this.ready = ready;
			this.out = out;
		}

		String output() {
			return read(out);
		}

		String readyFile() {
			return read(ready);
		}

		void awaitReady() throws InterruptedException {
			await("the ready file", () -> Files.exists(ready));
		}

		void await(String what, BooleanSupplier condition) throws InterruptedException {
			Distributions.await(process, out, TIMEOUT, what, condition);
		}

		String client(String command) throws Exception {
			Path o = Files.createTempFile(tmp, "client", ".out");
			Process p = new ProcessBuilder("sh", "-c", "exec \"$0\" " + command, home.resolve("bin/client").toString())
					.redirectErrorStream(true).redirectOutput(o.toFile()).start();
			p.getOutputStream().close();
			assertThat(p.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).as("bin/client ended").isTrue();
			return read(o);
		}

		void stop() throws InterruptedException {
			process.destroy();
			assertThat(process.waitFor(20, TimeUnit.SECONDS)).as("exited within 20 s of SIGTERM").isTrue();
			assertThat(process.exitValue()).as("exit status; output:%n%s", output()).isZero();
		}
	}

	private static String read(Path file) {
		try {
			return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
		} catch (IOException e) {
			return e.toString();
		}
	}
}
