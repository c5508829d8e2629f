package io.crontainer.scheduler.impl.whiteboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.ZoneId;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.crontainer.api.CronPlugin;

class SettingsTest {
	@Test
	void propertiesOfTheRightFormAreTaken() {
		Settings s = Settings.of(Map.of(CronPlugin.NAME, " n ", CronPlugin.INTERVAL, "@daily", CronPlugin.ENABLED, "TRUE",
				CronPlugin.TIMEZONE, "Europe/Berlin", CronPlugin.TIMEOUT, "30", CronPlugin.MISFIRE, "run-once"), "C");
		assertThat(s).isEqualTo(new Settings("n", "@daily", true, ZoneId.of("Europe/Berlin"), 30L, true, null));
		assertThat(Settings.of(Map.of(CronPlugin.TIMEOUT, 5, CronPlugin.ENABLED, false), "C").timeoutSeconds())
				.isEqualTo(5L);
	}

	@Test
	void propertiesOfTheWrongTypeOrFormAreRefusedWithAMessage() {
		assertThat(Settings.of(Map.of(CronPlugin.ENABLED, "yes"), "C").error())
				.isEqualTo("service property cron.enabled = \"yes\" (String) is not a Boolean or \"true\" or \"false\"");
		assertThat(Settings.of(Map.of(CronPlugin.TIMEOUT, 0L), "C").error()).contains("greater than 0");
		assertThat(Settings.of(Map.of(CronPlugin.TIMEOUT, 1.5d), "C").error()).contains("(Double)");
		assertThat(Settings.of(Map.of(CronPlugin.INTERVAL, 5), "C").error()).contains("cron.interval");
		assertThat(Settings.of(Map.of(CronPlugin.NAME, 5, "component.name", "comp"), "C"))
				.satisfies(s -> assertThat(s.name()).isEqualTo("comp"))
				.satisfies(s -> assertThat(s.error()).contains("cron.name"));
	}

	@Test
	void unknownCronPropertiesAreFoundWithWhatTheyMostLikelyMeant() {
		assertThat(Settings.unknown(Map.of(CronPlugin.NAME, "n", "cron.zone", "UTC", "cron.timout", 5, "Cron.Interval",
				"@daily", "crontab", "x", "service.ranking", 1))).containsExactly("Cron.Interval", "cron.timout", "cron.zone");
		assertThat(Settings.unknown(Map.of(CronPlugin.NAME, "n", CronPlugin.TIMEZONE, "UTC"))).isEmpty();
		assertThat(Settings.unknownWarning(java.util.List.of("Cron.Interval", "cron.frobnicate", "cron.zone")))
				.isEqualTo("ignores the unknown service properties Cron.Interval (cron.interval?), cron.frobnicate, "
						+ "cron.zone (cron.timezone?); the cron.* properties are cron.name, cron.interval, cron.enabled, "
						+ "cron.timezone, cron.timeout, cron.misfire");
	}
}
