package io.crontainer.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import io.crontainer.features.Feature;

/**
 * The bundles and framework properties each subject boots with, from {@code subjects.properties}
 * (written by the build with the paths of the artifacts it resolved).
 *
 * <p>
 * A subject's bundles are either listed there ({@code bundles.<subject>}: entries
 * {@code level|path}) or taken from a feature of the reactor ({@code feature.<subject>}: the
 * feature's {@code target/feature.bundles}, so that the benchmark boots what the runtime ships); the
 * subject's probe bundle comes last. Framework properties come from a runtime configuration
 * ({@code config.<subject>}: the runtime's {@code conf/config.properties}, of which the FileInstall,
 * ConfigAdmin and Pax Logging keys are taken, as the integration tests do).
 *
 * <p>
 * Immutable and thread-safe.
 */
public final class BundleSets {

	/** The framework properties of the runtime configuration that a subject takes. */
	private static final List<String> SHARED_PREFIXES = List.of("felix.fileinstall.", "felix.cm.", "org.ops4j.pax.logging.");

	private final Properties properties;

	private BundleSets(Properties properties) {
		this.properties = properties;
	}

	/**
	 * @return The bundle sets the build wrote.
	 * @throws IllegalStateException If the file is missing.
	 */
	public static BundleSets load() throws IOException {
		Properties p = new Properties();
		try (InputStream in = BundleSets.class.getResourceAsStream("/subjects.properties")) {
			if (in == null) {
				throw new IllegalStateException("subjects.properties is missing: build the module with Maven first");
			}
			p.load(in);
		}
		return new BundleSets(p);
	}

	/** @return The path of the Felix framework jar. */
	public String framework() {
		return existing(properties.getProperty("framework"));
	}

	/**
	 * @param subject A subject name.
	 * @return The subject's bundle list: lines {@code level|path}, in installation order.
	 * @throws IllegalArgumentException If the subject is unknown.
	 * @throws IllegalStateException If a bundle or the feature file does not exist.
	 */
	public List<String> bundles(String subject) {
		return bundles(subject, false);
	}

	/**
	 * @param subject A subject name.
	 * @param eventAdmin Whether to add Felix Event Admin, the bundle Crontainer's runtime ships, at the
	 *        subject's start level (for a peer booted without one: {@code sling.eventadmin}).
	 * @return The subject's bundle list: lines {@code level|path}, in installation order.
	 * @throws IllegalArgumentException If the subject is unknown.
	 * @throws IllegalStateException If a bundle or the feature file does not exist.
	 */
	public List<String> bundles(String subject, boolean eventAdmin) {
		List<String> lines = new ArrayList<>();
		String feature = properties.getProperty("feature." + subject);
		String list = properties.getProperty("bundles." + subject);
		if (feature != null) {
			for (Path bundle : feature(Path.of(existing(feature)))) {
				lines.add("2|" + existing(bundle.toString()));
			}
		} else if (list != null) {
			for (String entry : list.split(",")) {
				entry = entry.trim();
				if (!entry.isEmpty()) {
					int bar = entry.indexOf('|');
					lines.add(entry.substring(0, bar) + "|" + existing(entry.substring(bar + 1)));
				}
			}
		} else {
			throw new IllegalArgumentException("Unknown subject '" + subject + "'; known: " + Settings.ALL_SUBJECTS);
		}
		if (eventAdmin) {
			lines.add("2|" + existing(properties.getProperty("eventadmin")));
		}
		lines.add("3|" + existing(properties.getProperty("probe." + subject)));
		return lines;
	}

	/**
	 * @param subject A subject name.
	 * @return The framework properties the subject's runtime configuration sets, unresolved
	 *         ({@code ${crontainer.home}} and {@code ${crontainer.data.dir}} are left for the subject
	 *         JVM); empty if it has none.
	 */
	public Map<String, String> frameworkProperties(String subject) {
		Map<String, String> result = new LinkedHashMap<>();
		String config = properties.getProperty("config." + subject);
		if (config == null) {
			return result;
		}
		Properties runtime = new Properties();
		try (InputStream in = Files.newInputStream(Path.of(existing(config)))) {
			runtime.load(in);
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		for (String key : runtime.stringPropertyNames()) {
			if (SHARED_PREFIXES.stream().anyMatch(key::startsWith)) {
				result.put(key, runtime.getProperty(key));
			}
		}
		return result;
	}

	/**
	 * Reads a feature as the build resolved it ({@code feature.bundles}, with the shared reader): the
	 * bundles in order, leaving out the console (started only with a terminal).
	 */
	static List<Path> feature(Path featureFile) {
		List<Path> bundles = new ArrayList<>();
		for (Feature.Bundle bundle : Feature.readFile(featureFile, featureFile.getParent().getParent().getFileName().toString()).bundles()) {
			if (!bundle.console()) {
				bundles.add(bundle.file());
			}
		}
		return bundles;
	}

	private static String existing(String path) {
		if (path == null || !Files.exists(Path.of(path))) {
			throw new IllegalStateException("File " + path + " does not exist: build the reactor with 'mvn verify' (package phase) first");
		}
		return path;
	}
}
