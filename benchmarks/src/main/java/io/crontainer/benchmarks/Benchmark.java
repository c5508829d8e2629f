package io.crontainer.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.crontainer.benchmarks.subject.SubjectMain;

/**
 * The benchmark harness: for each repetition and each subject, forks one JVM per phase
 * ({@link SubjectMain}, {@code scale} then {@code timing}) that boots plain Felix with exactly that
 * subject's bundles, collects what each reports, and writes the Markdown report.
 *
 * <p>
 * Usage: {@code Benchmark [--smoke] RESULTS_DIR [README]}. With {@code --smoke} it runs
 * {@link Settings#smoke()}; otherwise {@link Settings#full()} (each setting overridable by
 * {@code -Dbenchmark.<key>=...}). It writes {@code RESULTS_DIR/<date>.md} and
 * {@code RESULTS_DIR/latest.md} and, if a README is given, replaces its results section.
 */
public final class Benchmark {

	/** How long one subject JVM may run before it is killed: 15 minutes. */
	private static final long FORK_TIMEOUT_MINUTES = 15;

	private final Settings settings;
	private final BundleSets bundleSets;
	private final Path workDir;

	/**
	 * @param settings The run's parameters.
	 * @param bundleSets The bundles of each subject.
	 * @param workDir A directory for the forked JVMs' settings, caches and logs; created if missing.
	 */
	public Benchmark(Settings settings, BundleSets bundleSets, Path workDir) {
		this.settings = settings;
		this.bundleSets = bundleSets;
		this.workDir = workDir;
	}

	/** @param args See the class description. */
	public static void main(String[] args) throws Exception {
		List<String> rest = new ArrayList<>(List.of(args));
		boolean smoke = rest.remove("--smoke");
		if (rest.isEmpty()) {
			System.err.println("usage: Benchmark [--smoke] RESULTS_DIR [README]");
			System.exit(2);
		}
		Path resultsDir = Path.of(rest.get(0));
		Settings settings = smoke ? Settings.smoke() : Settings.full();
		Path work = Files.createTempDirectory("crontainer-benchmark-");
		Report report = new Benchmark(settings, BundleSets.load(), work).run();
		String command = System.getProperty("benchmark.command", "mvn -B verify -Pbenchmarks -pl benchmarks -am")
				+ settings.overridesAsOptions();
		// A named run (a narrowed one, kept for a README section) writes results/<date>-<name>.md only:
		// latest.md and the README's results section stay those of the last run of record.
		String name = System.getProperty("benchmark.name", "").strip();
		if (!name.isEmpty() && !name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
			throw new IllegalArgumentException("benchmark.name must be letters, digits, '.', '_' or '-' (at most 64), not: "
					+ name);
		}
		Path written = report.write(resultsDir, command, name.isEmpty() ? null : name);
		System.out.println("Benchmark report: " + written);
		if (rest.size() > 1 && name.isEmpty()) {
			report.updateReadme(Path.of(rest.get(1)), command);
		}
		System.out.println(report.table());
		if (report.errors().isEmpty()) {
			deleteTree(work);
		} else {
			System.out.println("Failures; the subject JVMs' logs are kept in " + work);
		}
	}

	private static void deleteTree(Path dir) throws IOException {
		try (var paths = Files.walk(dir)) {
			for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
				Files.deleteIfExists(p);
			}
		}
	}

	/**
	 * Runs every repetition of every subject.
	 *
	 * @return The report of the run. A subject JVM that fails is recorded as an error in the report.
	 */
	public Report run() throws IOException, InterruptedException {
		Files.createDirectories(workDir);
		String started = DateTimeFormatter.ISO_INSTANT.format(Instant.now().atOffset(ZoneOffset.UTC).withNano(0));
		String loadBefore = loadAverage();
		List<String> subjects = settings.strings("subjects");
		Map<String, List<Map<String, String>>> runs = new LinkedHashMap<>();
		for (String subject : subjects) {
			runs.put(subject, new ArrayList<>());
		}
		int reps = settings.integer("reps");
		for (int rep = 1; rep <= reps; rep++) {
			// Rotate the order so that no subject always runs first (or last) in a drifting load.
			List<String> order = new ArrayList<>();
			for (int i = 0; i < subjects.size(); i++) {
				order.add(subjects.get((i + rep - 1) % subjects.size()));
			}
			if (settings.bool("parallel")) {
				ExecutorService pool = Executors.newFixedThreadPool(order.size());
				try {
					Map<String, Future<Map<String, String>>> futures = new LinkedHashMap<>();
					for (String subject : order) {
						int r = rep;
						futures.put(subject, pool.submit(() -> runSubject(subject, r, reps)));
					}
					for (Map.Entry<String, Future<Map<String, String>>> f : futures.entrySet()) {
						try {
							runs.get(f.getKey()).add(f.getValue().get());
						} catch (ExecutionException e) {
							throw new IOException("Running " + f.getKey() + " failed", e.getCause());
						}
					}
				} finally {
					pool.shutdownNow();
				}
			} else {
				for (String subject : order) {
					runs.get(subject).add(runSubject(subject, rep, reps));
				}
			}
		}
		return new Report(settings, runs, new MachineFacts(started, loadBefore, loadAverage()));
	}

	private Map<String, String> runSubject(String subject, int rep, int reps) throws IOException, InterruptedException {
		Map<String, String> results = new LinkedHashMap<>();
		for (String phase : settings.strings("phases")) {
			log("rep " + rep + "/" + reps + " " + subject + " " + phase);
			Map<String, String> phaseResults = fork(subject, phase, rep);
			phaseResults.forEach((k, v) -> {
				if (k.startsWith("load.") || k.equals("boot.ms")) {
					results.put(phase + "." + k, v);
				} else {
					results.merge(k, v, (a, b) -> a.equals(b) ? a : a + "\n" + b);
				}
			});
		}
		return results;
	}

	private Map<String, String> fork(String subject, String phase, int rep) throws IOException, InterruptedException {
		Path dir = Files.createDirectories(workDir.resolve(subject + "-" + phase + "-" + rep));
		Path settingsFile = dir.resolve("settings.properties");
		Properties forkSettings = settings.toProperties();
		bundleSets.frameworkProperties(subject).forEach((k, v) -> forkSettings.setProperty(SubjectMain.FRAMEWORK_PREFIX + k, v));
		// Read by the Crontainer probe: whether its plugins carry cron.interval or answer interval() from code.
		forkSettings.setProperty(SubjectMain.FRAMEWORK_PREFIX + "benchmark.crontainer.interval", settings.get("crontainer.interval"));
		try (OutputStream out = Files.newOutputStream(settingsFile)) {
			forkSettings.store(out, "benchmark settings of " + subject);
		}
		Path bundles = dir.resolve("bundles.txt");
		boolean eventAdmin = subject.equals("sling") && settings.bool("sling.eventadmin");
		Files.write(bundles, bundleSets.bundles(subject, eventAdmin), StandardCharsets.UTF_8);
		Path resultsFile = dir.resolve("results.properties");
		Path log = dir.resolve("subject.log");

		List<String> command = new ArrayList<>();
		command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		for (String arg : settings.get("jvm.args").split("\\s+")) {
			if (!arg.isBlank()) {
				command.add(arg);
			}
		}
		String profile = settings.get("profile");
		if (!profile.isBlank()) {
			Path recordings = Files.createDirectories(Path.of(profile).toAbsolutePath());
			command.add("-XX:StartFlightRecording:filename=" + recordings.resolve(subject + "-" + phase + "-" + rep + ".jfr") + ","
					+ settings.get("profile.options"));
		}
		command.add("-Duser.timezone=UTC");
		command.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
		command.add("-cp");
		command.add(bundleSets.framework() + java.io.File.pathSeparator + harnessClassPath());
		command.add(SubjectMain.class.getName());
		command.add(settingsFile.toString());
		command.add(bundles.toString());
		command.add(phase);
		command.add(dir.resolve("storage").toString());
		command.add(resultsFile.toString());

		Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
		if (!process.waitFor(FORK_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
			process.destroyForcibly().waitFor();
			return Map.of("error", subject + " " + phase + " did not finish in " + FORK_TIMEOUT_MINUTES + " min; log: " + log);
		}
		Map<String, String> results = new LinkedHashMap<>();
		if (Files.exists(resultsFile)) {
			Properties p = new Properties();
			try (InputStream in = Files.newInputStream(resultsFile)) {
				p.load(in);
			}
			for (String key : p.stringPropertyNames()) {
				results.put(key, p.getProperty(key));
			}
		}
		if (process.exitValue() != 0 && !results.containsKey("error")) {
			results.put("error", subject + " " + phase + " exited with " + process.exitValue() + "; log: " + log + "\n" + tail(log));
		} else if (results.containsKey("error")) {
			results.put("error", results.get("error") + "\nlog: " + log + "\n" + tail(log));
		}
		return results;
	}

	private static String tail(Path log) throws IOException {
		List<String> lines = Files.readAllLines(log);
		return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
	}

	private static String harnessClassPath() {
		try {
			return Path.of(Benchmark.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
		} catch (URISyntaxException e) {
			throw new IllegalStateException(e);
		}
	}

	static String loadAverage() {
		try {
			String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
			return f[0] + " " + f[1] + " " + f[2];
		} catch (IOException e) {
			return "unknown";
		}
	}

	private static void log(String message) {
		System.out.println("[benchmark " + DateTimeFormatter.ISO_LOCAL_TIME.format(Instant.now().atOffset(ZoneOffset.UTC).withNano(0)) + "] " + message);
	}
}
