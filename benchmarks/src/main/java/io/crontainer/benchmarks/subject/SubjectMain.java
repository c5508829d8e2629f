package io.crontainer.benchmarks.subject;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import io.crontainer.benchmarks.Settings;
import io.crontainer.benchmarks.spi.Probe;

/**
 * The main class of a subject JVM, forked by the harness: boots plain Felix with one subject's
 * bundles, runs one phase of the scenarios and writes the results as a properties file.
 *
 * <p>
 * Arguments: the settings file, the bundle list file (lines {@code level|path}), the phase
 * ({@code scale} or {@code timing}), the storage directory, the results file. The exit status is 0
 * when the phase ran, 1 when it failed (the results then hold {@code error}).
 */
public final class SubjectMain {

	/** Settings with this prefix are framework properties of the subject. */
	public static final String FRAMEWORK_PREFIX = "framework.";

	private SubjectMain() {
	}

	/** @param args See the class description. */
	public static void main(String[] args) throws IOException {
		if (args.length != 5) {
			System.err.println("usage: SubjectMain SETTINGS BUNDLES scale|timing STORAGE RESULTS");
			System.exit(2);
		}
		Properties settingsFile = new Properties();
		try (InputStream in = Files.newInputStream(Path.of(args[0]))) {
			settingsFile.load(in);
		}
		Settings settings = Settings.of(settingsFile);
		List<String> bundles = Files.readAllLines(Path.of(args[1])).stream().filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
		String phase = args[2];
		Path storage = Path.of(args[3]);
		Map<String, String> results = new LinkedHashMap<>();
		results.put("load.before", loadAverage());
		int status = 0;
		long bootStart = System.nanoTime();
		Map<String, String> frameworkProperties = new LinkedHashMap<>();
		for (String key : settingsFile.stringPropertyNames()) {
			if (key.startsWith(FRAMEWORK_PREFIX)) {
				frameworkProperties.put(key.substring(FRAMEWORK_PREFIX.length()), settingsFile.getProperty(key));
			}
		}
		try (SubjectFramework framework = SubjectFramework.boot(bundles, frameworkProperties, storage)) {
			Probe probe = framework.probe(settings.longValue("timeout.seconds") * 1000);
			results.put("boot.ms", String.valueOf((System.nanoTime() - bootStart) / 1_000_000));
			results.put("bundles", String.valueOf(framework.bundleCount()));
			Scenarios scenarios = new Scenarios(framework, probe, settings, results);
			switch (phase) {
				case "scale" -> scenarios.scale();
				case "timing" -> scenarios.timing();
				default -> throw new IllegalArgumentException("Unknown phase '" + phase + "': scale or timing");
			}
		} catch (Exception | Error e) {
			StringWriter trace = new StringWriter();
			e.printStackTrace(new PrintWriter(trace));
			results.put("error", trace.toString());
			status = 1;
		}
		results.put("load.after", loadAverage());
		Properties out = new Properties();
		out.putAll(results);
		try (OutputStream os = Files.newOutputStream(Path.of(args[4]))) {
			out.store(os, "benchmark results: " + phase);
		}
		// Some schedulers leave non-daemon threads behind (hung jobs); do not wait for them.
		System.exit(status);
	}

	/** @return The 1-minute load average, or "?" where /proc is not there. */
	static String loadAverage() {
		try {
			return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
		} catch (IOException e) {
			return "?";
		}
	}
}
