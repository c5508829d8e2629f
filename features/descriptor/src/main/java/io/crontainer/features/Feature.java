package io.crontainer.features;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * A feature as its build resolved it: the file {@code features/NAME/target/feature.bundles}, the one
 * description of a feature that the runtime assembly, the integration tests and the benchmarks read.
 * Immutable and thread-safe.
 *
 * <p>
 * The file is UTF-8 text, written by {@link #main(String[])} in each feature's build. Lines starting
 * with {@code #} and blank lines are comments; every other line is tab-separated:
 *
 * <pre>
 * requires	core
 * bundle	org.apache.felix.scr	2.2.18	org.apache.felix:org.apache.felix.scr:2.2.18	always	/abs/path/org.apache.felix.scr-2.2.18.jar
 * </pre>
 *
 * A {@code requires} line names a feature this one needs beside it; a {@code bundle} line gives the
 * symbolic name, bundle version, Maven coordinates, start ({@code always}, or {@code console} for the
 * console that needs a terminal) and absolute path of a bundle, in start order.
 *
 * @param name The feature's name, e.g. {@code core}. Never {@code null}.
 * @param requires The features it needs beside it, as declared. Never {@code null}.
 * @param bundles Its own bundles, in start order. Never {@code null}.
 */
public record Feature(String name, List<String> requires, List<Bundle> bundles) {

	/** Where a feature's build writes it, relative to the feature's module directory. */
	public static final String FILE = "target/feature.bundles";
	/** Where a feature's build writes the bndrun that bnd verifies, relative to the module directory. */
	public static final String BNDRUN = "target/feature.bndrun";
	/** The artifactId prefix of a feature module; a dependency of type pom on one is a requirement. */
	public static final String ARTIFACT_PREFIX = "io.crontainer.features.";

	/**
	 * One bundle of a feature.
	 *
	 * @param symbolicName Its {@code Bundle-SymbolicName}, without directives.
	 * @param version Its {@code Bundle-Version}.
	 * @param groupId Maven group id.
	 * @param artifactId Maven artifact id.
	 * @param mavenVersion Maven version.
	 * @param console Whether it is the console, which needs a terminal (Maven scope {@code runtime} in
	 *        the feature): started last by the launcher, left out of headless tests.
	 * @param file The jar: for our own bundles the one just built in the reactor, else the local
	 *        repository's.
	 */
	public record Bundle(String symbolicName, String version, String groupId, String artifactId, String mavenVersion,
			boolean console, Path file) {
	}

	public Feature {
		requires = List.copyOf(requires);
		bundles = List.copyOf(bundles);
	}

	/**
	 * Reads a feature of the reactor: {@code featuresDir/name/target/feature.bundles}.
	 *
	 * @param featuresDir The reactor's {@code features/} directory. Must not be {@code null}.
	 * @param name The feature's name (its module directory). Must not be {@code null}.
	 * @return The feature.
	 * @throws IllegalStateException If the feature has not been built, or its file is malformed (the
	 *         message names the file and line).
	 * @throws UncheckedIOException If it cannot be read.
	 */
	public static Feature read(Path featuresDir, String name) {
		Path file = featuresDir.resolve(name).resolve(FILE);
		if (!Files.isRegularFile(file)) {
			throw new IllegalStateException("No feature \"" + name + "\": " + file + " does not exist. Features are the modules under "
					+ featuresDir + "; build them with the reactor (mvn verify from the root, or -am).");
		}
		return readFile(file, name);
	}

	/**
	 * Reads the named features of the reactor, in order, as a runtime holds them.
	 *
	 * @param featuresDir The reactor's {@code features/} directory. Must not be {@code null}.
	 * @param names Feature names, in start order. Must not be {@code null}.
	 * @return The features, in that order.
	 * @throws IllegalStateException If a feature has not been built or is malformed, or if a feature
	 *         requires one that is not named before it (the message says which).
	 * @throws UncheckedIOException If one cannot be read.
	 */
	public static List<Feature> readAll(Path featuresDir, List<String> names) {
		List<Feature> features = new ArrayList<>();
		for (String name : names) {
			Feature feature = read(featuresDir, name);
			for (String required : feature.requires()) {
				if (features.stream().noneMatch(f -> f.name().equals(required))) {
					throw new IllegalStateException("Feature \"" + name + "\" requires \"" + required + "\": name it before \"" + name
							+ "\" (the features named: " + String.join(",", names) + ")");
				}
			}
			features.add(feature);
		}
		return features;
	}

	/**
	 * Reads a feature file.
	 *
	 * @param file A {@code feature.bundles} file. Must not be {@code null}.
	 * @param name The feature's name, for messages and {@link #name()}. Must not be {@code null}.
	 * @return The feature.
	 * @throws IllegalStateException If the file is malformed, or lists no bundle; the message names the
	 *         file and line.
	 * @throws UncheckedIOException If it cannot be read.
	 */
	public static Feature readFile(Path file, String name) {
		List<String> lines;
		try {
			lines = Files.readAllLines(file, StandardCharsets.UTF_8);
		} catch (IOException e) {
			throw new UncheckedIOException("Cannot read feature " + file, e);
		}
		List<String> requires = new ArrayList<>();
		List<Bundle> bundles = new ArrayList<>();
		for (int i = 0; i < lines.size(); i++) {
			String line = lines.get(i);
			if (line.isBlank() || line.startsWith("#")) {
				continue;
			}
			String[] f = line.split("\t", -1);
			if (f[0].equals("requires") && f.length == 2 && !f[1].isEmpty()) {
				requires.add(f[1]);
			} else if (f[0].equals("bundle") && f.length == 6 && f[3].split(":").length == 3
					&& (f[4].equals("always") || f[4].equals("console"))) {
				String[] gav = f[3].split(":");
				bundles.add(new Bundle(f[1], f[2], gav[0], gav[1], gav[2], f[4].equals("console"), Path.of(f[5])));
			} else {
				throw new IllegalStateException(file + ":" + (i + 1) + ": not a \"requires\" or \"bundle\" line: \"" + line
						+ "\"; rebuild the feature");
			}
		}
		if (bundles.isEmpty()) {
			throw new IllegalStateException("Feature " + file + " lists no bundle");
		}
		return new Feature(name, requires, bundles);
	}

	/**
	 * Writes a feature's files from its Maven dependencies (run by {@code features/pom.xml} in each
	 * feature's build): {@link #FILE}, and {@link #BNDRUN} for bnd to verify that the feature resolves
	 * together with the features it requires.
	 *
	 * <p>
	 * Arguments: the feature's module directory (its name is the feature's name), the output of maven-dependency-plugin
	 * {@code list} (direct dependencies, in declaration order, absolute file names, with scopes), and the
	 * execution environment (e.g. {@code JavaSE-17}). In that list, a dependency of type {@code pom} on
	 * another feature is a requirement, one of scope {@code provided} is the OSGi framework to resolve
	 * on, and every other one (scope {@code compile}, or {@code runtime} for the console) is a bundle.
	 *
	 * @param args The three arguments.
	 * @throws IOException If a file cannot be read or written.
	 * @throws IllegalStateException If a dependency is not an OSGi bundle, a required feature has not
	 *         been built, or the list is not as expected; the message says which.
	 */
	public static void main(String[] args) throws IOException {
		if (args.length != 3) {
			throw new IllegalArgumentException("Expected: MODULE_DIR DEPENDENCY_LIST EE, got " + Arrays.toString(args));
		}
		Path module = Path.of(args[0]).toAbsolutePath().normalize();
		String name = module.getFileName().toString();
		Path list = Path.of(args[1]);
		String ee = args[2];

		List<String> requires = new ArrayList<>();
		List<Bundle> bundles = new ArrayList<>();
		Bundle framework = null;
		for (String line : Files.readAllLines(list, StandardCharsets.UTF_8)) {
			Dependency d = Dependency.parse(line);
			if (d == null) {
				continue;
			}
			if (d.type.equals("pom") && d.artifactId.startsWith(ARTIFACT_PREFIX)) {
				requires.add(d.artifactId.substring(ARTIFACT_PREFIX.length()));
			} else if (d.scope.equals("provided")) {
				framework = d.bundle();
			} else if (d.scope.equals("compile") || d.scope.equals("runtime")) {
				bundles.add(d.bundle());
			} else {
				throw new IllegalStateException("Feature " + name + ": " + d.coordinates() + " has scope " + d.scope
						+ "; a feature's bundles have scope compile (or runtime for the console), its framework provided");
			}
		}
		if (bundles.isEmpty()) {
			throw new IllegalStateException("Feature " + name + " has no bundle: " + list + " lists no dependency");
		}
		if (framework == null) {
			throw new IllegalStateException("Feature " + name + ": no framework to resolve on (a dependency of scope provided)");
		}

		StringBuilder text = new StringBuilder()
				.append("# The feature \"").append(name).append("\", written by its build from ").append(module.resolve("pom.xml"))
				.append(".\n# Read by io.crontainer.features.Feature (see its Javadoc for the format); do not edit.\n");
		requires.forEach(r -> text.append("requires\t").append(r).append('\n'));
		for (Bundle b : bundles) {
			text.append(String.join("\t", "bundle", b.symbolicName(), b.version(),
					b.groupId() + ":" + b.artifactId() + ":" + b.mavenVersion(), b.console() ? "console" : "always", b.file().toString()))
					.append('\n');
		}
		Files.createDirectories(module.resolve(FILE).getParent());
		Files.writeString(module.resolve(FILE), text, StandardCharsets.UTF_8);

		// Everything that runs beside this feature: the required features (transitively), then its own.
		Map<String, Bundle> run = new LinkedHashMap<>();
		for (String required : closure(module.getParent(), requires, new ArrayList<>(List.of(name)))) {
			read(module.getParent(), required).bundles().forEach(b -> run.putIfAbsent(b.symbolicName(), b));
		}
		bundles.forEach(b -> run.putIfAbsent(b.symbolicName(), b));
		StringBuilder bndrun = new StringBuilder()
				.append("# Generated by the build of the feature \"").append(name).append("\" from ").append(module.resolve(FILE))
				.append(".\n# bnd-resolver-maven-plugin:verify checks that these bundles resolve together on the framework:\n")
				.append("# the feature, with the features it requires (").append(String.join(", ", requires)).append(").\n")
				.append("-runfw: ").append(identity(framework)).append('\n')
				.append("-runee: ").append(ee).append('\n')
				.append("-runrequires: ").append(join(bundles, b -> "bnd.identity;id='" + b.symbolicName() + "';version='["
						+ b.version() + "," + b.version() + "]'"))
				.append('\n')
				.append("-runbundles: ").append(join(List.copyOf(run.values()), Feature::identity)).append('\n');
		Files.writeString(module.resolve(BNDRUN), bndrun, StandardCharsets.UTF_8);
	}

	/** The required features and theirs, each once, dependencies first. */
	private static List<String> closure(Path featuresDir, List<String> requires, List<String> path) {
		List<String> result = new ArrayList<>();
		for (String r : requires) {
			if (path.contains(r)) {
				throw new IllegalStateException("Features require each other in a cycle: " + String.join(" -> ", path) + " -> " + r);
			}
			path.add(r);
			for (String inner : closure(featuresDir, read(featuresDir, r).requires(), path)) {
				if (!result.contains(inner)) {
					result.add(inner);
				}
			}
			path.remove(path.size() - 1);
			if (!result.contains(r)) {
				result.add(r);
			}
		}
		return result;
	}

	private static String identity(Bundle b) {
		return b.symbolicName() + ";version='[" + b.version() + "," + b.version() + "]'";
	}

	private static String join(List<Bundle> bundles, java.util.function.Function<Bundle, String> format) {
		StringBuilder s = new StringBuilder();
		for (Bundle b : bundles) {
			s.append(s.length() == 0 ? "\\\n\t" : ",\\\n\t").append(format.apply(b));
		}
		return s.toString();
	}

	/** One line of maven-dependency-plugin {@code list} output. */
	record Dependency(String groupId, String artifactId, String type, String version, String scope, Path file) {

		private static final Set<String> SCOPES = Set.of("compile", "runtime", "provided", "system", "test");

		/**
		 * @param line {@code groupId:artifactId:type[:classifier]:version:scope:/path/to.jar}, optionally
		 *        followed by {@code " -- module NAME"}.
		 * @return The dependency, or {@code null} for a line that names none (headings, blank lines).
		 */
		static Dependency parse(String line) {
			String s = line.strip();
			int module = s.indexOf(" -- ");
			if (module >= 0) {
				s = s.substring(0, module);
			}
			String[] parts = s.split(":");
			for (int i = 4; i < parts.length - 1; i++) {
				if (SCOPES.contains(parts[i])) {
					Path file = Path.of(String.join(":", Arrays.copyOfRange(parts, i + 1, parts.length)));
					return new Dependency(parts[0], parts[1], parts[2], parts[i - 1], parts[i], file);
				}
			}
			return null;
		}

		String coordinates() {
			return groupId + ":" + artifactId + ":" + version;
		}

		/** Reads the jar's manifest. */
		Bundle bundle() throws IOException {
			String path = file.toString();
			if (path.chars().anyMatch(c -> c < 0x20)) {
				throw new IllegalStateException(coordinates() + ": its path holds a control character: " + path.replaceAll("\\p{Cntrl}", "?"));
			}
			if (!file.isAbsolute() || !Files.isRegularFile(file)) {
				throw new IllegalStateException(coordinates() + ": no jar at " + file + " (the reactor must package it first)");
			}
			Manifest manifest;
			try (JarFile jar = new JarFile(file.toFile())) {
				manifest = jar.getManifest();
			}
			Attributes main = manifest == null ? new Attributes() : manifest.getMainAttributes();
			String bsn = main.getValue("Bundle-SymbolicName");
			if (bsn == null) {
				throw new IllegalStateException(coordinates() + " (" + file + ") is not an OSGi bundle: its manifest has no Bundle-SymbolicName");
			}
			int directive = bsn.indexOf(';');
			String version = main.getValue("Bundle-Version");
			return new Bundle((directive < 0 ? bsn : bsn.substring(0, directive)).strip(), version == null ? "0.0.0" : version.strip(),
					groupId, artifactId, this.version, scope.equals("runtime"), file);
		}
	}
}
