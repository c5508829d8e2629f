package io.crontainer.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What a narrowed run's report says of how it was narrowed. */
class SettingsTest {

	@AfterEach
	void clear() {
		System.clearProperty("benchmark.lateness.warmup");
		System.clearProperty("benchmark.jvm.args");
		System.clearProperty("benchmark.reps");
	}

	@Test
	void theOptionsGivenAreNamedInTheOrderOfTheirKeysAndAValueWithASpaceIsQuoted() {
		System.setProperty("benchmark.lateness.warmup", "25");
		System.setProperty("benchmark.jvm.args", "-Xms1g -XX:TieredStopAtLevel=1");
		System.setProperty("benchmark.reps", " "); // blank: not an override

		assertThat(Settings.full().overridesAsOptions())
				.isEqualTo(" \"-Dbenchmark.jvm.args=-Xms1g -XX:TieredStopAtLevel=1\" -Dbenchmark.lateness.warmup=25");
	}

	@Test
	void aRunOfTheDefaultsAddsNothingToItsCommand() {
		assertThat(Settings.full().overridesAsOptions()).isEmpty();
	}
}
