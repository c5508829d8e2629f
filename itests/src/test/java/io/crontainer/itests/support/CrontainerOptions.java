package io.crontainer.itests.support;

import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.composite;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.mavenBundle;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Stream;

import org.ops4j.pax.exam.Info;
import org.ops4j.pax.exam.Option;

import io.crontainer.features.Feature;

/**
 * Pax Exam options that boot what the Crontainer runtime ships: the bundles of named features, in a
 * fresh Crontainer home set up like the distribution. Used in a test's {@code @Configuration} method
 * (host side); see {@code itests/README.md}.
 *
 * <pre>
 * &#64;Configuration
 * public Option[] config() {
 *     return new Option[] { CrontainerOptions.features("core", "shell"),
 *             ConfigurationAdminOptions.newConfiguration("io.crontainer.scheduler").put("shutdown.grace", 2L).asOption() };
 * }
 * </pre>
 *
 * <p>
 * What {@link #features(String...)} provides:
 * <ul>
 * <li>every bundle of the features, in feature order: ours from {@code file:} URLs of the jars just
 * built in the reactor, third-party ones from the local Maven repository (no network). Bundles marked
 * as needing a terminal (the Gogo console) are left out;</li>
 * <li>a new Crontainer home under {@code itests/target/homes/}: {@code etc/} (a copy of the runtime's
 * {@code src/dist/etc} with {@code ${crontainer.home}} and {@code ${crontainer.data.dir}} resolved,
 * watched by FileInstall as in the distribution), {@code deploy/} (hot
 * deployment, watched as in the distribution) and {@code data/}; the framework properties
 * {@code crontainer.home} and {@code crontainer.data.dir} point at it, as the launcher sets them;</li>
 * <li>the FileInstall, ConfigAdmin and logging framework properties of the runtime's
 * {@code conf/config.properties}: logs go to the console and to {@code data/log/crontainer.log};</li>
 * <li>pax-exam-cm (so {@code ConfigurationAdminOptions.newConfiguration(pid)} works) and JUnit.</li>
 * </ul>
 * Not thread-safe; called by Pax Exam once per configuration.
 */
public final class CrontainerOptions {

	/** System property (set by the itests pom): the reactor's {@code features/} directory. */
	public static final String FEATURES_DIR = "crontainer.features.dir";
	/** System property (set by the itests pom): the reactor's {@code runtime/} module directory. */
	public static final String RUNTIME_DIR = "crontainer.runtime.dir";
	/** System property (set by the itests pom): where test homes are made. */
	public static final String HOMES_DIR = "crontainer.itests.homes";

	/** Framework properties of the runtime's conf/config.properties that tests share. */
	private static final List<String> SHARED_PREFIXES = List.of("felix.fileinstall.", "felix.cm.",
			"org.ops4j.pax.logging.", "org.apache.felix.http.", "felix.webconsole.");

	private CrontainerOptions() {
	}

	/**
	 * Boots the named features in a fresh Crontainer home.
	 *
	 * @param names Feature names, e.g. {@code "core", "shell"}: modules under {@code features/}, each after
	 *        the features it requires. A bundle in several features is installed once, at its first place.
	 * @return One composite option.
	 * @throws IllegalStateException If a feature has not been built, one requires a feature not named
	 *         before it, or the system properties that the
	 *         itests pom sets are missing (the test was not started by Maven).
	 * @throws UncheckedIOException If the home cannot be made.
	 */
	public static Option features(String... names) {
		Path home = newHome();
		List<Option> options = new ArrayList<>();
		options.add(frameworkProperty("felix.bootdelegation.implicit").value("false"));
		options.add(frameworkProperty("crontainer.home").value(home.toString()));
		options.add(frameworkProperty("crontainer.data.dir").value(home.resolve("data").toString()));
		Properties runtime = runtimeProperties(home);
		for (String key : runtime.stringPropertyNames()) {
			if (SHARED_PREFIXES.stream().anyMatch(key::startsWith)) {
				options.add(frameworkProperty(key).value(runtime.getProperty(key)));
			}
		}

		// The web feature's HTTP server: on loopback (shared above), on a free port, never the runtime's fixed
		// one, since other builds run tests on this machine at the same time.
		options.add(frameworkProperty("org.osgi.service.http.port").value("0"));

		Set<Path> bundles = new LinkedHashSet<>();
		for (Feature feature : Feature.readAll(dir(FEATURES_DIR), List.of(names))) {
			for (Feature.Bundle b : feature.bundles()) {
				if (!b.console()) {
					bundles.add(b.file());
				}
			}
		}
		for (Path jar : bundles) {
			options.add(bundle(jar.toUri().toString()));
		}
		options.add(mavenBundle("org.ops4j.pax.exam", "pax-exam-cm", Info.getPaxExamVersion()));
		options.add(junitBundles());
		return composite(options.toArray(new Option[0]));
	}

	private static Path newHome() {
		try {
			Path homes = Files.createDirectories(dir(HOMES_DIR));
			Path home = Files.createTempDirectory(homes, "home-");
			Files.createDirectories(home.resolve("deploy"));
			Files.createDirectories(home.resolve("data"));
			Path etc = Files.createDirectories(home.resolve("etc"));
			try (Stream<Path> files = Files.list(dir(RUNTIME_DIR).resolve("src/dist/etc"))) {
				for (Path cfg : (Iterable<Path>) files::iterator) {
					if (!Files.isRegularFile(cfg)) { // etc/prometheus/: alert rules, for a Prometheus server
						continue;
					}
					// Resolved here as FileInstall would: pax-logging also reads its file directly at start
					// (org.ops4j.pax.logging.property.file), where the launcher's system properties are missing.
					Files.writeString(etc.resolve(cfg.getFileName()), resolve(Files.readString(cfg), home));
				}
			}
			return home;
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	/** The runtime's conf/config.properties, with the two launcher-set variables resolved. */
	private static Properties runtimeProperties(Path home) {
		Properties p = new Properties();
		try (Reader in = Files.newBufferedReader(dir(RUNTIME_DIR).resolve("src/dist/conf/config.properties"),
				StandardCharsets.UTF_8)) {
			p.load(in);
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		Properties resolved = new Properties();
		for (String key : p.stringPropertyNames()) {
			resolved.setProperty(key, resolve(p.getProperty(key), home));
		}
		return resolved;
	}

	private static String resolve(String text, Path home) {
		return text.replace("${crontainer.home}", home.toString())
				.replace("${crontainer.data.dir}", home.resolve("data").toString())
				.replace("${crontainer.log.console.level}", "INFO");
	}

	private static Path dir(String property) {
		String value = System.getProperty(property);
		if (value == null) {
			throw new IllegalStateException("System property " + property
					+ " is not set: run integration tests with Maven (mvn verify), which sets it in itests/pom.xml");
		}
		return Path.of(value).toAbsolutePath().normalize();
	}
}
