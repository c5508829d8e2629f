package io.crontainer.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * The bundles each subject boots, from {@code subjects.properties} (written by the build with the
 * paths of the artifacts it resolved): entries {@code level|path}, in installation order, ending with
 * the subject's probe bundle.
 *
 * <p>
 * Immutable and thread-safe.
 */
public final class BundleSets {

	private final Properties properties;

	private BundleSets(Properties properties) {
		this.properties = properties;
	}

	/**
	 * @return The bundle sets the build wrote.
	 * @throws IllegalStateException If the file is missing or names a file that does not exist.
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
	 * @return The subject's bundle list: lines {@code level|path}.
	 * @throws IllegalArgumentException If the subject is unknown.
	 */
	public List<String> bundles(String subject) {
		String list = properties.getProperty("bundles." + subject);
		if (list == null) {
			throw new IllegalArgumentException("Unknown subject '" + subject + "'; known: " + Settings.ALL_SUBJECTS);
		}
		List<String> lines = new ArrayList<>();
		for (String entry : list.split(",")) {
			entry = entry.trim();
			if (entry.isEmpty()) {
				continue;
			}
			int bar = entry.indexOf('|');
			lines.add(entry.substring(0, bar) + "|" + existing(entry.substring(bar + 1)));
		}
		lines.add("3|" + existing(properties.getProperty("probe." + subject)));
		return lines;
	}

	private static String existing(String path) {
		if (path == null || !Files.exists(Path.of(path))) {
			throw new IllegalStateException("Bundle " + path + " does not exist: build the module with 'mvn verify' (package phase) first");
		}
		return path;
	}
}
