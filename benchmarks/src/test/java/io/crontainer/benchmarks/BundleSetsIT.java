package io.crontainer.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Reads the packaged probe jars: an integration test, run after the package phase. */
class BundleSetsIT {

	@Test
	void slingGetsTheRuntimesEventAdminBeforeItsProbeOnlyWhenAsked() throws Exception {
		BundleSets sets = BundleSets.load();
		List<String> plain = sets.bundles("sling");
		List<String> withEventAdmin = sets.bundles("sling", true);
		assertThat(plain).noneMatch(line -> line.contains("org.apache.felix.eventadmin"));
		assertThat(withEventAdmin).hasSize(plain.size() + 1);
		assertThat(withEventAdmin.get(withEventAdmin.size() - 2)).startsWith("2|").contains("org.apache.felix.eventadmin-1.6.4.jar");
		assertThat(withEventAdmin.get(withEventAdmin.size() - 1)).isEqualTo(plain.get(plain.size() - 1)).contains("probe-sling");
		// the same bundle as Crontainer's runtime ships
		assertThat(sets.bundles("crontainer").stream().filter(line -> line.contains("org.apache.felix.eventadmin"))
				.map(line -> line.substring(line.lastIndexOf('/')))).containsExactly("/org.apache.felix.eventadmin-1.6.4.jar");
	}
}
