import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * The start-up benchmark (issue 19): how long from {@code bin/crontainer} to ready (every bundle active,
 * the scheduler running, the ready file written), with and without the web feature, side by side in
 * one run with Apache Karaf's own distribution. Run as a single-file program (README of this folder):
 *
 * <pre>
 * java benchmarks/startup/Startup.java --crontainer=after=runtime/target/crontainer-0.1.0-SNAPSHOT.tar.gz \
 *     --karaf=apache-karaf-4.4.10.tar.gz [--crontainer=before=OLD.tar.gz] [--jvm=LABEL=OPTIONS] \
 *     [--reps=7] [--out=FILE.md]
 * </pre>
 *
 * <p>
 * {@code --jvm} adds a variant of the first {@code --crontainer} (with and without web): OPTIONS are JVM
 * options added to {@code JAVA_OPTS}, and {@code NAME=VALUE} words set environment variables (for
 * example {@code --jvm="no CDS=CRONTAINER_CDS=off"}).
 *
 * <p>
 * Each subject is unpacked once into a scratch directory and started once before the measured starts
 * (its first start builds caches; not measured). Then the measured starts go round-robin over the
 * subjects, {@code --reps} times. A start is measured from just before the process is created to:
 * Crontainer, the time stamp of its ready file ({@code -Dcrontainer.ready.file}); Karaf, the last
 * {@code BundleEvent.STARTED} before its start level reached {@code org.osgi.framework.startlevel.beginning}
 * and no bundle started for 3 s (a probe bundle at start level 1 records it). CPU is the user + system
 * time of the process and its children when the end was seen (Karaf's includes the 3 s of quiet).
 * Not thread-safe; one run at a time.
 */
public class Startup {

	record Subject(String label, Path home, String kind, String javaOpts) {
	}

	record Sample(long ms, long cpuMs) {
	}

	public static void main(String[] args) throws Exception {
		Map<String, List<String>> opts = new LinkedHashMap<>();
		for (String arg : args) {
			int eq = arg.indexOf('=');
			if (!arg.startsWith("--") || eq < 0) {
				throw new IllegalArgumentException("Expected --name=value, got \"" + arg + "\"");
			}
			opts.computeIfAbsent(arg.substring(2, eq), k -> new ArrayList<>()).add(arg.substring(eq + 1));
		}
		int reps = Integer.parseInt(opts.getOrDefault("reps", List.of("7")).get(0));
		String loadBefore = load();
		Path work = Files.createTempDirectory("startup-bench");
		List<Subject> subjects = new ArrayList<>();
		Path framework = null;
		for (String spec : opts.getOrDefault("crontainer", List.of())) {
			String label = spec.substring(0, spec.indexOf('='));
			Path web = unpack(Path.of(spec.substring(spec.indexOf('=') + 1)), work.resolve(label + "-web"));
			Path noWeb = unpack(Path.of(spec.substring(spec.indexOf('=') + 1)), work.resolve(label + "-noweb"));
			withoutWeb(noWeb);
			subjects.add(new Subject("Crontainer " + label + ", without web", noWeb, "crontainer", ""));
			subjects.add(new Subject("Crontainer " + label + ", with web", web, "crontainer", ""));
			try (Stream<Path> libs = Files.list(web.resolve("lib"))) {
				framework = libs.filter(p -> p.getFileName().toString().startsWith("org.apache.felix.framework")).findFirst()
						.orElse(framework);
			}
		}
		if (subjects.isEmpty()) {
			throw new IllegalArgumentException("Expected --crontainer=LABEL=crontainer-VERSION.tar.gz");
		}
		for (String spec : opts.getOrDefault("jvm", List.of())) {
			String label = spec.substring(0, spec.indexOf('='));
			String javaOpts = spec.substring(spec.indexOf('=') + 1);
			for (Subject s : List.copyOf(subjects.subList(0, 2))) {
				Path copy = work.resolve(label.replaceAll("\\W", "_") + "-" + s.home().getParent().getFileName());
				copyTree(s.home(), copy);
				Files.deleteIfExists(copy.resolve("data/cache.index")); // copied: its own cache and archive
				try (Stream<Path> files = Files.walk(copy.resolve("data"))) {
					for (Path p : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".jsa"))::iterator) {
						Files.delete(p);
					}
				}
				subjects.add(new Subject(s.label() + ", " + label, copy, "crontainer", javaOpts));
			}
		}
		for (String tar : opts.getOrDefault("karaf", List.of())) {
			Path karaf = unpack(Path.of(tar), work.resolve("karaf"));
			prepareKaraf(karaf, framework);
			subjects.add(new Subject("Apache Karaf 4.4.10 (its distribution, bin/karaf server)", karaf, "karaf", ""));
		}

		Map<Subject, Sample> first = new LinkedHashMap<>();
		for (Subject s : subjects) {
			first.put(s, start(s, work, true));
			System.out.printf(Locale.ROOT, "first start  %-60s %6d ms (CPU %d ms)%n", s.label(), first.get(s).ms(), first.get(s).cpuMs());
		}
		Map<Subject, List<Sample>> samples = new LinkedHashMap<>();
		for (int i = 0; i < reps; i++) {
			for (Subject s : subjects) {
				Sample sample = start(s, work, false);
				samples.computeIfAbsent(s, k -> new ArrayList<>()).add(sample);
				System.out.printf(Locale.ROOT, "start %d/%d  %-60s %6d ms (CPU %d ms)%n", i + 1, reps, s.label(), sample.ms(), sample.cpuMs());
			}
		}

		StringBuilder md = new StringBuilder();
		md.append("# Start-up, ").append(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)).append("\n\n");
		md.append("Command: `java benchmarks/startup/Startup.java ").append(String.join(" ", args)).append("`, ")
				.append(reps).append(" starts per subject, round-robin, after one unmeasured first start each. ")
				.append("Machine: ").append(Runtime.getRuntime().availableProcessors()).append(" cores, Java ")
				.append(System.getProperty("java.version")).append(", load average before: ").append(loadBefore).append(".\n\n");
		md.append("| Subject | ready, median ms (min–max) | CPU until ready, median ms | first start, ms |\n|---|---:|---:|---:|\n");
		for (Subject s : subjects) {
			List<Sample> list = samples.get(s);
			md.append(String.format(Locale.ROOT, "| %s%s | %,d (%,d–%,d) | %,d | %,d |%n", s.label(),
					s.javaOpts().isEmpty() ? "" : " (`" + s.javaOpts() + "`)", median(list.stream().map(Sample::ms).toList()),
					list.stream().mapToLong(Sample::ms).min().orElse(0), list.stream().mapToLong(Sample::ms).max().orElse(0),
					median(list.stream().map(Sample::cpuMs).toList()), first.get(s).ms()));
		}
		md.append("\nLoad average after: ").append(load()).append(".\n");
		System.out.println();
		System.out.print(md);
		for (String out : opts.getOrDefault("out", List.of())) {
			Files.writeString(Path.of(out), md);
		}
	}

	static Sample start(Subject s, Path work, boolean first) throws Exception {
		Path end = work.resolve("end.txt");
		Files.deleteIfExists(end);
		ProcessBuilder pb;
		if (s.kind().equals("crontainer")) {
			pb = new ProcessBuilder(s.home().resolve("bin/crontainer").toString());
			StringBuilder javaOpts = new StringBuilder("-Dcrontainer.ready.file=" + end + " -Dorg.osgi.service.http.port=0");
			for (String word : s.javaOpts().split(" ")) {
				if (word.matches("[A-Z_]+=.*")) { // an environment variable, e.g. CRONTAINER_CDS=off
					pb.environment().put(word.substring(0, word.indexOf('=')), word.substring(word.indexOf('=') + 1));
				} else if (!word.isEmpty()) {
					javaOpts.append(' ').append(word);
				}
			}
			pb.environment().put("JAVA_OPTS", javaOpts.toString());
		} else {
			pb = new ProcessBuilder(s.home().resolve("bin/karaf").toString(), "server");
			pb.environment().put("EXTRA_JAVA_OPTS", "-Dstartup.probe.file=" + end);
		}
		pb.directory(work.toFile()).redirectErrorStream(true).redirectOutput(work.resolve("output-" + s.home().getFileName() + ".txt").toFile())
				.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
		long t0 = System.currentTimeMillis();
		Process p = pb.start();
		try {
			long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
			while (!Files.exists(end)) {
				if (!p.isAlive() || System.nanoTime() > deadline) {
					throw new IllegalStateException(s.label() + " did not get ready; output in " + work);
				}
				Thread.sleep(5);
			}
			long cpu = cpuMs(p.toHandle());
			long ready;
			if (s.kind().equals("crontainer")) {
				ready = Files.getLastModifiedTime(end).toMillis();
			} else {
				String text = "";
				while (text.isBlank()) {
					text = Files.readString(end).strip();
				}
				ready = Long.parseLong(text);
			}
			if (first && s.kind().equals("crontainer") && !s.javaOpts().contains("CRONTAINER_CDS=off")
					&& Files.readString(s.home().resolve("bin/crontainer")).contains("RecordDynamicDumpInfo")) {
				// the class data archive is written just after the first start's ready: let it finish
				Path cds = s.home().resolve("data/cds");
				while (!archived(cds)) {
					if (!p.isAlive() || System.nanoTime() > deadline) {
						throw new IllegalStateException(s.label() + " wrote no class data archive; output in " + work);
					}
					Thread.sleep(50);
				}
			}
			return new Sample(ready - t0, cpu);
		} finally {
			stop(p);
		}
	}

	static boolean archived(Path cds) throws IOException {
		if (!Files.isDirectory(cds)) {
			return false;
		}
		try (Stream<Path> files = Files.list(cds)) {
			return files.anyMatch(f -> f.toString().endsWith(".jsa"));
		}
	}

	static long cpuMs(ProcessHandle p) {
		long total = p.info().totalCpuDuration().map(Duration::toMillis).orElse(0L);
		for (ProcessHandle child : (Iterable<ProcessHandle>) p.descendants()::iterator) {
			total += child.info().totalCpuDuration().map(Duration::toMillis).orElse(0L);
		}
		return total;
	}

	static void stop(Process p) throws InterruptedException {
		List<ProcessHandle> all = new ArrayList<>(p.descendants().toList());
		all.add(p.toHandle());
		all.forEach(ProcessHandle::destroy); // SIGTERM
		for (ProcessHandle h : all) {
			try {
				h.onExit().get(30, TimeUnit.SECONDS);
			} catch (Exception e) {
				h.destroyForcibly();
			}
		}
	}

	static long median(List<Long> values) {
		List<Long> sorted = values.stream().sorted().toList();
		int n = sorted.size();
		return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
	}

	static String load() {
		try {
			return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
		} catch (IOException e) {
			return "unknown";
		}
	}

	static Path unpack(Path tar, Path into) throws Exception {
		Files.createDirectories(into);
		Process untar = new ProcessBuilder("tar", "xzf", tar.toString(), "-C", into.toString()).inheritIO().start();
		if (untar.waitFor() != 0) {
			throw new IllegalStateException("tar failed on " + tar);
		}
		try (Stream<Path> dirs = Files.list(into)) {
			return dirs.filter(Files::isDirectory).findFirst().orElseThrow();
		}
	}

	/** The distribution without the web feature: its section of conf/bundles.list removed. */
	static void withoutWeb(Path home) throws IOException {
		Path list = home.resolve("conf/bundles.list");
		StringBuilder out = new StringBuilder();
		boolean web = false;
		for (String line : Files.readAllLines(list)) {
			if (line.startsWith("# feature ")) {
				web = line.equals("# feature web");
			}
			if (!web) {
				out.append(line).append('\n');
			}
		}
		Files.writeString(list, out);
	}

	static void copyTree(Path from, Path to) throws IOException {
		try (Stream<Path> files = Files.walk(from)) {
			for (Path p : (Iterable<Path>) files::iterator) {
				Path target = to.resolve(from.relativize(p).toString());
				if (Files.isDirectory(p)) {
					Files.createDirectories(target);
				} else {
					Files.copy(p, target, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
				}
			}
		}
	}

	/** The probe at start level 1 (system/ + etc/startup.properties); SSH and JMX ports made free ones. */
	static void prepareKaraf(Path karaf, Path framework) throws Exception {
		Path src = Files.createTempDirectory("probe");
		Path source = src.resolve("startupprobe/Probe.java");
		Files.createDirectories(source.getParent());
		Files.writeString(source, PROBE);
		JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
		if (javac.run(null, null, null, "--release", "11", "-cp", framework.toString(), "-d", src.toString(), source.toString()) != 0) {
			throw new IllegalStateException("Cannot compile the Karaf probe");
		}
		Manifest m = new Manifest();
		Attributes a = m.getMainAttributes();
		a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
		a.putValue("Bundle-ManifestVersion", "2");
		a.putValue("Bundle-SymbolicName", "startup.probe");
		a.putValue("Bundle-Version", "1.0.0");
		a.putValue("Bundle-Activator", "startupprobe.Probe");
		a.putValue("Import-Package", "org.osgi.framework,org.osgi.framework.startlevel");
		Path jar = karaf.resolve("system/io/crontainer/bench/startup-probe/1.0.0/startup-probe-1.0.0.jar");
		Files.createDirectories(jar.getParent());
		try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, m)) {
			try (Stream<Path> classes = Files.walk(src.resolve("startupprobe"))) {
				for (Path c : (Iterable<Path>) classes.filter(p -> p.toString().endsWith(".class"))::iterator) {
					j.putNextEntry(new ZipEntry("startupprobe/" + c.getFileName()));
					j.write(Files.readAllBytes(c));
					j.closeEntry();
				}
			}
		}
		Files.writeString(karaf.resolve("etc/startup.properties"), "\nmvn\\:io.crontainer.bench/startup-probe/1.0.0 = 1\n",
				java.nio.file.StandardOpenOption.APPEND);
		replace(karaf.resolve("etc/org.apache.karaf.shell.cfg"), "sshPort = 8101", "sshPort = " + freePort());
		replace(karaf.resolve("etc/org.apache.karaf.management.cfg"), "rmiRegistryPort = 1099", "rmiRegistryPort = " + freePort());
		replace(karaf.resolve("etc/org.apache.karaf.management.cfg"), "rmiServerPort = 44444", "rmiServerPort = " + freePort());
	}

	static void replace(Path file, String from, String to) throws IOException {
		String text = Files.readString(file, StandardCharsets.ISO_8859_1);
		if (!text.contains(from)) {
			throw new IllegalStateException(file + " has no \"" + from + "\"");
		}
		Files.writeString(file, text.replace(from, to), StandardCharsets.ISO_8859_1);
	}

	static int freePort() throws IOException {
		try (ServerSocket s = new ServerSocket(0)) {
			return s.getLocalPort();
		}
	}

	static final String PROBE = """
			package startupprobe;

			import java.nio.file.Files;
			import java.nio.file.Path;
			import org.osgi.framework.*;
			import org.osgi.framework.startlevel.FrameworkStartLevel;

			/** Writes the time of the last bundle start once the start level is reached and 3 s pass quietly. */
			public class Probe implements BundleActivator, SynchronousBundleListener {
				private volatile long last = System.currentTimeMillis();

				public void start(BundleContext context) {
					context.addBundleListener(this);
					Thread t = new Thread(() -> watch(context), "startup-probe");
					t.setDaemon(true);
					t.start();
				}

				public void bundleChanged(BundleEvent event) {
					if (event.getType() == BundleEvent.STARTED) {
						last = System.currentTimeMillis();
					}
				}

				private void watch(BundleContext context) {
					try {
						int beginning = Integer.parseInt(context.getProperty("org.osgi.framework.startlevel.beginning"));
						FrameworkStartLevel fsl = context.getBundle(0).adapt(FrameworkStartLevel.class);
						while (true) {
							Thread.sleep(50);
							boolean starting = false;
							for (Bundle b : context.getBundles()) {
								starting |= b.getState() == Bundle.STARTING;
							}
							if (fsl.getStartLevel() >= beginning && !starting && System.currentTimeMillis() - last >= 3000) {
								Path file = Path.of(context.getProperty("startup.probe.file"));
								Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
								Files.writeString(tmp, Long.toString(last));
								Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
								return;
							}
						}
					} catch (Exception e) {
						e.printStackTrace();
					}
				}

				public void stop(BundleContext context) {
				}
			}
			""";
}
