package io.crontainer.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Properties;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What a narrowed run's report says of how it was narrowed. */
class SettingsTest {
	/** The {@code benchmark.*} system properties this JVM had (a build given {@code -Dbenchmark.reps=5}, say). */
	private final Properties saved = new Properties();

	@BeforeEach
	void noSettingsGiven() {
		for (String key : System.getProperties().stringPropertyNames()) {
			if (key.startsWith("benchmark.")) {
				saved.setProperty(key, System.getProperty(key));
				System.clearProperty(key);
			}
		}
	}

	@AfterEach
	void settingsAsBefore() {
		for (String key : System.getProperties().stringPropertyNames()) {
			if (key.startsWith("benchmark.")) {
				System.clearProperty(key);
			}
		}
		saved.forEach((key, value) -> System.setProperty((String) key, (String) value));
	}

	@Test
	void theOptionsGivenAreNamedInTheOrderOfTheirKeysAndAValueWithASpaceIsQuoted() {
		System.setProperty("benchmark.lateness.warmup", "25");
		System.setProperty("benchmark.jvm.args", "-Xms1g -XX:TieredStopAtLevel=1");
		System.setProperty("benchmark.reps", " "); // blank: not an override
		System.setProperty("benchmark.name", "steady"); // not a setting: the run's name, not named here

		assertThat(Settings.full().overridesAsOptions())
				.isEqualTo(" \"-Dbenchmark.jvm.args=-Xms1g -XX:TieredStopAtLevel=1\" -Dbenchmark.lateness.warmup=25");
	}

	@Test
	void aRunOfTheDefaultsAddsNothingToItsCommand() {
		assertThat(Settings.full().overridesAsOptions()).isEmpty();
	}
}
