package io.crontainer.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FrameworkPropertiesTest {

	@TempDir
	Path dir;

	@Test
	void resolvesEntriesFixedAndSystemProperties() throws Exception {
		Path file = Files.writeString(dir.resolve("config.properties"),
				"a = ${crontainer.home}/x\nb = ${a}/y\nc = ${user.name}\nd = plain\\\\text\n");
		Properties system = new Properties();
		system.setProperty("user.name", "ops");
		Map<String, String> p = FrameworkProperties.load(file, Map.of("crontainer.home", "/opt/c"), system);
		assertThat(p).containsEntry("a", "/opt/c/x").containsEntry("b", "/opt/c/x/y").containsEntry("c", "ops")
				.containsEntry("d", "plain\\text").containsEntry("crontainer.home", "/opt/c");
	}

	@Test
	void systemPropertyOverridesAnEntry() throws Exception {
		Path file = Files.writeString(dir.resolve("config.properties"), "poll = 1000\n");
		Properties system = new Properties();
		system.setProperty("poll", "50");
		assertThat(FrameworkProperties.load(file, Map.of(), system)).containsEntry("poll", "50");
	}

	@Test
	void undefinedReferenceIsAClearError() throws Exception {
		Path file = Files.writeString(dir.resolve("config.properties"), "a = ${nope}\n");
		assertThatIllegalArgumentException()
				.isThrownBy(() -> FrameworkProperties.load(file, Map.of(), new Properties()))
				.withMessageContaining("${nope} in a is neither an entry nor a system property");
	}

	@Test
	void cycleIsAClearError() throws Exception {
		Path file = Files.writeString(dir.resolve("config.properties"), "a = ${b}\nb = ${a}\n");
		assertThatIllegalArgumentException()
				.isThrownBy(() -> FrameworkProperties.load(file, Map.of(), new Properties()))
				.withMessageContaining("refers to itself");
	}

	@Test
	void bundleListKeepsOrderAndConsoleMarker() throws Exception {
		Path file = Files.writeString(dir.resolve("bundles.list"),
				"# comment\n\nbundle/a.jar\nbundle/shell.jar;console\n");
		assertThat(BundleEntry.read(file)).containsExactly(new BundleEntry("bundle/a.jar", false),
				new BundleEntry("bundle/shell.jar", true));
	}
}
