package io.crontainer.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The feature file as a feature's build writes it and as the runtime assembly, the integration tests
 * and the benchmarks read it.
 */
class FeatureTest {

	@TempDir
	Path tmp;

	@Test
	void writesTheBundlesInOrderAndTheBndrunWithTheRequiredFeatures() throws IOException {
		Path features = tmp.resolve("features");
		Path core = Files.createDirectories(features.resolve("core/target"));
		Path api = jar("api.jar", "com.example.api", "1.0.0");
		Files.writeString(core.resolve("feature.bundles"),
				"# core\nbundle\tcom.example.api\t1.0.0\tcom.example:api:1.0\talways\t" + api + "\n");
		Path module = Files.createDirectories(features.resolve("shell"));
		Path list = Files.writeString(tmp.resolve("dependencies.txt"), String.join("\n", "", "The following files have been resolved:",
				"   io.crontainer:io.crontainer.features.core:pom:0.1.0:compile:" + features.resolve("core/pom.xml") + " -- module x",
				"   org.apache.felix:org.apache.felix.framework:jar:7.0.5:provided:" + jar("fw.jar", "org.apache.felix.framework", "7.0.5"),
				"   com.example:shell:jar:2.0:compile:" + jar("shell.jar", "com.example.shell;singleton:=true", "2.0.0.SNAPSHOT"),
				"   com.example:console:jar:3.0:runtime:" + jar("console.jar", "com.example.console", null) + " -- module console (auto)", ""));

		Feature.main(new String[] { module.toString(), list.toString(), "JavaSE-17" });

		Feature shell = Feature.read(features, "shell");
		assertThat(shell.name()).isEqualTo("shell");
		assertThat(shell.requires()).containsExactly("core");
		assertThat(shell.bundles()).containsExactly(
				new Feature.Bundle("com.example.shell", "2.0.0.SNAPSHOT", "com.example", "shell", "2.0", false, tmp.resolve("shell.jar")),
				new Feature.Bundle("com.example.console", "0.0.0", "com.example", "console", "3.0", true, tmp.resolve("console.jar")));
		String bndrun = Files.readString(module.resolve(Feature.BNDRUN));
		assertThat(bndrun).contains("-runfw: org.apache.felix.framework;version='[7.0.5,7.0.5]'\n", "-runee: JavaSE-17\n")
				.contains("-runrequires: \\\n\tbnd.identity;id='com.example.shell';version='[2.0.0.SNAPSHOT,2.0.0.SNAPSHOT]',\\\n"
						+ "\tbnd.identity;id='com.example.console';version='[0.0.0,0.0.0]'\n")
				.contains("-runbundles: \\\n\tcom.example.api;version='[1.0.0,1.0.0]',\\\n\tcom.example.shell;version='[2.0.0.SNAPSHOT,2.0.0.SNAPSHOT]',\\\n"
						+ "\tcom.example.console;version='[0.0.0,0.0.0]'\n");
	}

	@Test
	void refusesAJarThatIsNoBundle() throws IOException {
		Path module = Files.createDirectories(tmp.resolve("features/broken"));
		Path plain = jar("plain.jar", null, null);
		Path list = Files.writeString(tmp.resolve("dependencies.txt"), "   com.example:plain:jar:1.0:compile:" + plain + "\n");

		assertThatThrownBy(() -> Feature.main(new String[] { module.toString(), list.toString(), "JavaSE-17" }))
				.isInstanceOf(IllegalStateException.class)
				.hasMessage("com.example:plain:1.0 (" + plain + ") is not an OSGi bundle: its manifest has no Bundle-SymbolicName");
	}

	@Test
	void refusesAMissingRequiredFeature() throws IOException {
		Path module = Files.createDirectories(tmp.resolve("features/web"));
		Path list = Files.writeString(tmp.resolve("dependencies.txt"), String.join("\n",
				"   io.crontainer:io.crontainer.features.nothere:pom:0.1.0:compile:/x/pom.xml",
				"   org.apache.felix:org.apache.felix.framework:jar:7.0.5:provided:" + jar("fw.jar", "org.apache.felix.framework", "7.0.5"),
				"   com.example:web:jar:1.0:compile:" + jar("web.jar", "com.example.web", "1.0.0")));

		assertThatThrownBy(() -> Feature.main(new String[] { module.toString(), list.toString(), "JavaSE-17" }))
				.isInstanceOf(IllegalStateException.class).hasMessageStartingWith("No feature \"nothere\": ");
	}

	@Test
	void readsFeaturesInOrderOnlyAfterThoseTheyRequire() throws IOException {
		Path features = tmp.resolve("features");
		Files.createDirectories(features.resolve("core/target"));
		Files.writeString(features.resolve("core/target/feature.bundles"), "bundle\ta\t1\tg:a:1\talways\t/a.jar\n");
		Files.createDirectories(features.resolve("web/target"));
		Files.writeString(features.resolve("web/target/feature.bundles"), "requires\tcore\nbundle\tb\t1\tg:b:1\talways\t/b.jar\n");

		assertThat(Feature.readAll(features, List.of("core", "web"))).extracting(Feature::name).containsExactly("core", "web");
		assertThatThrownBy(() -> Feature.readAll(features, List.of("web", "core"))).isInstanceOf(IllegalStateException.class)
				.hasMessage("Feature \"web\" requires \"core\": name it before \"web\" (the features named: web,core)");
	}

	@Test
	void namesTheFileAndLineOfAMalformedEntry() throws IOException {
		Path file = Files.writeString(tmp.resolve("feature.bundles"), "# x\nbundle\tonly\ttwo\n");

		assertThatThrownBy(() -> Feature.readFile(file, "x")).isInstanceOf(IllegalStateException.class)
				.hasMessage(file + ":2: not a \"requires\" or \"bundle\" line: \"bundle\tonly\ttwo\"; rebuild the feature");
	}

	@Test
	void saysHowToBuildAFeatureThatIsMissing() {
		assertThatThrownBy(() -> Feature.read(tmp, "core")).isInstanceOf(IllegalStateException.class)
				.hasMessageContaining("No feature \"core\": " + tmp.resolve("core/target/feature.bundles") + " does not exist");
	}

	/** A jar with a manifest; {@code bsn} null: no bundle headers. */
	private Path jar(String name, String bsn, String version) throws IOException {
		Manifest manifest = new Manifest();
		manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
		if (bsn != null) {
			manifest.getMainAttributes().putValue("Bundle-SymbolicName", bsn);
		}
		if (version != null) {
			manifest.getMainAttributes().putValue("Bundle-Version", version);
		}
		Path jar = tmp.resolve(name);
		try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, manifest)) {
			// the manifest only
		}
		return jar;
	}
}
