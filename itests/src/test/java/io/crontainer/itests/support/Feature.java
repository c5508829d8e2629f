package io.crontainer.itests.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * A feature as the build resolved it: {@code features/NAME/target/feature.txt}, written by
 * maven-dependency-plugin {@code list} (one bundle per line,
 * {@code groupId:artifactId:type[:classifier]:version:scope:/absolute/path.jar}, in declaration order).
 * Immutable.
 *
 * @param name The feature's name, e.g. {@code core}.
 * @param bundles Its bundles, in start order.
 */
public record Feature(String name, List<Bundle> bundles) {

	private static final Set<String> SCOPES = Set.of("compile", "runtime", "provided", "system", "test");

	/**
	 * One bundle of a feature.
	 *
	 * @param groupId Maven group id.
	 * @param artifactId Maven artifact id.
	 * @param version Maven version.
	 * @param file The jar: for our own bundles the freshly built one in the reactor, else the local
	 *        repository's.
	 * @param console Whether the bundle needs a terminal (Maven scope {@code runtime} in the feature):
	 *        left out of headless runs and of integration tests.
	 */
	public record Bundle(String groupId, String artifactId, String version, Path file, boolean console) {
	}

	/**
	 * Reads a feature from the reactor.
	 *
	 * @param featuresDir The {@code features/} directory of the reactor. Must not be {@code null}.
	 * @param name The feature's name (its module directory). Must not be {@code null}.
	 * @return The feature.
	 * @throws IllegalStateException If the feature has not been built (no {@code target/feature.txt}).
	 * @throws UncheckedIOException If it cannot be read.
	 */
	public static Feature read(Path featuresDir, String name) {
		Path descriptor = featuresDir.resolve(name).resolve("target/feature.txt");
		if (!Files.isRegularFile(descriptor)) {
			throw new IllegalStateException("No feature \"" + name + "\": " + descriptor
					+ " does not exist. Known features are the modules under " + featuresDir
					+ "; build them with the reactor (mvn verify from the root, or -am).");
		}
		List<Bundle> bundles = new ArrayList<>();
		try {
			for (String line : Files.readAllLines(descriptor, StandardCharsets.UTF_8)) {
				Bundle b = parse(line);
				if (b != null) {
					bundles.add(b);
				}
			}
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		return new Feature(name, List.copyOf(bundles));
	}

	static Bundle parse(String line) {
		String s = line.strip();
		int module = s.indexOf(" -- ");
		if (module >= 0) {
			s = s.substring(0, module);
		}
		String[] parts = s.split(":");
		for (int i = 4; i < parts.length - 1; i++) {
			if (SCOPES.contains(parts[i])) {
				Path file = Path.of(String.join(":", Arrays.copyOfRange(parts, i + 1, parts.length)));
				return new Bundle(parts[0], parts[1], parts[i - 1], file, "runtime".equals(parts[i]));
			}
		}
		return null;
	}
}
