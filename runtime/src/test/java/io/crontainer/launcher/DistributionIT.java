package io.crontainer.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The assembled distribution, as shipped (unpacked from the .tar.gz): {@code bin/crontainer} started
 * from another directory runs headless without a terminal, starts every bundle, listens on loopback
 * addresses only (the web feature's HTTP server, here on a free port), hot-deploys from {@code deploy/}, logs to {@code data/log/}, and stops cleanly on SIGTERM; from a
 * "terminal" it runs the Gogo console.
 */
class DistributionIT {

	private static final Duration TIMEOUT = Duration.ofSeconds(60);

	@TempDir
	Path tmp;

	private Path home;
	private Process process;
	private Path output;

	@BeforeEach
	void unpack() throws Exception {
		Path dist = Path.of(System.getProperty("crontainer.dist"));
		Path tar;
		try (Stream<Path> files = Files.list(dist.getParent())) {
			tar = files.filter(p -> p.getFileName().toString().matches("crontainer-.*\\.tar\\.gz")).findFirst()
					.orElseThrow();
		}
		Process untar = new ProcessBuilder("tar", "xzf", tar.toString(), "-C", tmp.toString()).inheritIO().start();
		assertThat(untar.waitFor(60, TimeUnit.SECONDS)).isTrue();
		assertThat(untar.exitValue()).isZero();
		try (Stream<Path> dirs = Files.list(tmp)) {
			home = dirs.filter(p -> p.getFileName().toString().startsWith("crontainer-")).findFirst().orElseThrow();
		}
		output = tmp.resolve("output.txt");
	}

	@AfterEach
	void kill() throws InterruptedException {
		if (process != null && process.isAlive()) {
			process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
		}
	}

	@Test
	void headlessStartDeployAndStop() throws Exception {
		assertThat(home.resolve("bin/crontainer")).isExecutable();
		for (String dir : List.of("bundle", "deploy", "etc", "data", "conf", "lib")) {
			assertThat(home.resolve(dir)).isDirectory();
		}
		Path ready = tmp.resolve("ready.txt");
		process = start(Map.of("JAVA_OPTS", "-Dcrontainer.ready.file=" + ready), ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));

		await("ready file", () -> Files.exists(ready));
		List<String> bundles = Files.readAllLines(ready);
		assertThat(bundles).hasSizeGreaterThan(10).allMatch(l -> l.split(" ")[1].equals("ACTIVE"), "ACTIVE");
		assertThat(bundles).anyMatch(l -> l.contains(" io.crontainer.scheduler "))
				.noneMatch(l -> l.contains(" org.apache.felix.gogo.shell ")); // headless: no console
		await("the web feature's HTTP server listening", () -> !listening(process.pid()).isEmpty());
		assertThat(listening(process.pid())).as("listening TCP sockets").allMatch(DistributionIT::isLoopback, "loopback");

		// Hot deployment, as the README says: copy under another name, then rename.
		Path part = Files.write(home.resolve("deploy/sample.jar.part"), bundleJar("io.crontainer.dist.sample"));
		Path jar = Files.move(part, home.resolve("deploy/sample.jar"), StandardCopyOption.ATOMIC_MOVE);
		await("sample bundle ACTIVE", () -> read(ready).contains(" ACTIVE io.crontainer.dist.sample "));
		Files.delete(jar);
		await("sample bundle uninstalled", () -> !read(ready).contains("io.crontainer.dist.sample"));

		Path log = home.resolve("data/log/crontainer.log");
		await("log file", () -> read(log).contains("Crontainer started in"));
		assertThat(read(log).lines().filter(l -> l.contains("Crontainer started in")).findFirst().orElseThrow())
				.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d) \\| INFO  \\| \\S+ +\\| .*");
		assertThat(read(output)).contains("Crontainer started in"); // and the console
		// SLF4J, from our bundles (the scheduler logs through SLF4J only)
		await("an SLF4J line of the scheduler in the log file", () -> read(log).contains(" | io.crontainer.scheduler "));

		process.destroy(); // SIGTERM
		assertThat(process.waitFor(10, TimeUnit.SECONDS)).as("exited within 10 s of SIGTERM").isTrue();
		assertThat(process.exitValue()).as("exit status; output:%n%s", read(output)).isZero();
		assertThat(read(output)).contains("Crontainer stopped").doesNotContain("Exception");
		assertThat(ready).doesNotExist();
	}

	@Test
	void consoleRunsGogoCommands() throws Exception {
		process = start(Map.of("JAVA_OPTS", "-Dcrontainer.console=true -Dcrontainer.log.console.level=WARN"),
				ProcessBuilder.Redirect.PIPE);
		try (OutputStream in = process.getOutputStream()) {
			in.write("lb\nlog 100 info\n".getBytes(StandardCharsets.UTF_8));
		}
		// End of input ends the console, and with it the runtime.
		assertThat(process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
		String out = read(output);
		assertThat(out).contains("g! ").contains("Apache Felix Gogo Shell") // lb
				// log: the launcher's line, from the OSGi log, in the command's format
				.contains("INFO - Bundle: org.apache.felix.framework - Crontainer started in")
				.contains("INFO - Bundle: io.crontainer.scheduler - ") // SLF4J reaches the OSGi log too
				.contains("Crontainer started in") // the launcher's line, on the console
				.doesNotContain("| INFO  | io.crontainer.scheduler"); // console level WARN: INFO only in log/file
		assertThat(process.exitValue()).isZero();
	}

	private Process start(Map<String, String> env, ProcessBuilder.Redirect stdin) throws IOException {
		ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/crontainer").toString()).directory(tmp.toFile())
				.redirectInput(stdin).redirectErrorStream(true).redirectOutput(output.toFile());
		pb.environment().putAll(env);
		// Other builds run on this machine: the web feature's HTTP server takes a free port, not 8080.
		pb.environment().merge("JAVA_OPTS", EPHEMERAL_HTTP_PORT, (given, port) -> given + " " + port);
		return pb.start();
	}

	private void await(String what, BooleanSupplier condition) throws InterruptedException {
		long deadline = System.nanoTime() + TIMEOUT.toNanos();
		while (!condition.getAsBoolean()) {
			if (!process.isAlive()) {
				throw new AssertionError("Crontainer exited (" + process.exitValue() + ") while waiting for " + what
						+ "; output:\n" + read(output));
			}
			if (System.nanoTime() - deadline > 0) {
				throw new AssertionError("Timed out waiting for " + what + "; output:\n" + read(output));
			}
			Thread.sleep(50);
		}
	}

	/** Linux: the TCP sockets in LISTEN state among the process's file descriptors. */
	static List<String> listeningTcpSockets(long pid) throws IOException {
		Set<String> inodes = new HashSet<>();
		try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
			for (Path fd : (Iterable<Path>) fds::iterator) {
				try {
					String target = Files.readSymbolicLink(fd).toString();
					if (target.startsWith("socket:[")) {
						inodes.add(target.substring(8, target.length() - 1));
					}
				} catch (IOException e) {
					// closed meanwhile
				}
			}
		}
		List<String> listening = new ArrayList<>();
		for (String table : List.of("tcp", "tcp6")) {
			Path file = Path.of("/proc", Long.toString(pid), "net", table);
			if (!Files.exists(file)) {
				continue;
			}
			for (String line : Files.readAllLines(file).subList(1, Files.readAllLines(file).size())) {
				String[] f = line.trim().split("\\s+");
				if (f[3].equals("0A") && inodes.contains(f[9])) { // st 0A = LISTEN
					listening.add(table + " " + f[1]);
				}
			}
		}
		return listening;
	}

	static byte[] bundleJar(String bsn) throws IOException {
		Manifest manifest = new Manifest();
		Attributes main = manifest.getMainAttributes();
		main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
		main.putValue("Bundle-ManifestVersion", "2");
		main.putValue("Bundle-SymbolicName", bsn);
		main.putValue("Bundle-Version", "1.0.0");
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (JarOutputStream jar = new JarOutputStream(bytes, manifest)) {
			jar.putNextEntry(new ZipEntry("readme.txt"));
			jar.write("A test bundle.\n".getBytes(StandardCharsets.UTF_8));
			jar.closeEntry();
		}
		return bytes.toByteArray();
	}

	private static String read(Path file) {
		try {
			return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
		} catch (IOException e) {
			return e.toString();
		}
	}

	/** The option that gives the web feature's HTTP server a free port (it names it in its log). */
	static final String EPHEMERAL_HTTP_PORT = "-Dorg.osgi.service.http.port=0";

	private static List<String> listening(long pid) {
		try {
			return listeningTcpSockets(pid);
		} catch (IOException e) {
			throw new java.io.UncheckedIOException(e);
		}
	}

	/**
	 * Whether a socket of {@link #listeningTcpSockets(long)} ({@code tcp|tcp6 ADDRESS:PORT}, hexadecimal as
	 * in {@code /proc/PID/net/tcp}) is bound to a loopback address: 127.0.0.0/8, {@code ::1}, or 127.0.0.0/8
	 * mapped into IPv6.
	 */
	static boolean isLoopback(String socket) {
		String[] parts = socket.split(" ");
		String address = parts[1].substring(0, parts[1].indexOf(':'));
		if (parts[0].equals("tcp")) { // little-endian IPv4: the first octet is the last byte
			return address.endsWith("7F");
		}
		return address.equals("00000000000000000000000001000000")
				|| address.startsWith("0000000000000000FFFF0000") && address.endsWith("7F");
	}
}
