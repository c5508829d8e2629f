package io.crontainer.scheduler.impl.whiteboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.ZoneId;
import java.time.Duration;
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
						+ "cron.timezone, cron.timeout, cron.misfire, cron.retry, cron.retry.delay, cron.retry.max.delay");
		assertThat(Settings.unknownWarning(java.util.List.of("cron.retries", "cron.retry.maxdelay")))
				.startsWith("ignores the unknown service properties cron.retries (cron.retry?), cron.retry.maxdelay"
						+ " (cron.retry.max.delay?);");
	}

	@Test
	void retriesAreReadFromNumbersSecondsAndIsoDurations() {
		assertThat(Settings.of(Map.of(), "C").retry()).isEqualTo(RetryPolicy.NONE);
		assertThat(Settings.of(Map.of(CronPlugin.RETRY, 0), "C").retry()).isEqualTo(RetryPolicy.NONE);
		assertThat(Settings.of(Map.of(CronPlugin.RETRY, 3), "C").retry())
				.isEqualTo(new RetryPolicy(3, Duration.ofMinutes(1), Duration.ofHours(1)));
		assertThat(Settings.of(Map.of(CronPlugin.RETRY, "5", CronPlugin.RETRY_DELAY, "PT30S", CronPlugin.RETRY_MAX_DELAY,
				"pt5m"), "C").retry()).isEqualTo(new RetryPolicy(5, Duration.ofSeconds(30), Duration.ofMinutes(5)));
		assertThat(Settings.of(Map.of(CronPlugin.RETRY, 2L, CronPlugin.RETRY_DELAY, 7200), "C").retry())
				.as("the default cap grows to a longer first delay")
				.isEqualTo(new RetryPolicy(2, Duration.ofHours(2), Duration.ofHours(2)));
		assertThat(Settings.of(Map.of(CronPlugin.RETRY, 2, CronPlugin.RETRY_DELAY, " 90 "), "C").retry().delay())
				.isEqualTo(Duration.ofSeconds(90));
	}

	@Test
	void wrongRetryPropertiesMakeThePluginInvalidWithTheReason() {
		assertThat(Settings.of(Map.of(CronPlugin.RETRY, -1), "C").error()).isEqualTo(
				"service property cron.retry = -1 (Integer) is not a number of retries from 0 to 100 (an Integer)");
		assertThat(Settings.of(Map.of(CronPlugin.RETRY, 101), "C").error()).contains("from 0 to 100");
		assertThat(Settings.of(Map.of(CronPlugin.RETRY, "three"), "C").error()).contains("cron.retry = \"three\"");
		assertThat(Settings.of(Map.of(CronPlugin.RETRY, 1.5d), "C").error()).contains("(Double)");
		assertThat(Settings.of(Map.of(CronPlugin.RETRY, 3, CronPlugin.RETRY_DELAY, "30s"), "C").error()).isEqualTo(
				"service property cron.retry.delay = \"30s\" (String) is not an ISO-8601 duration such as \"PT30S\" or"
						+ " \"PT5M\", or a whole number of seconds, from 1 s to 1 day");
		assertThat(Settings.of(Map.of(CronPlugin.RETRY, 3, CronPlugin.RETRY_DELAY, 0), "C").error()).contains("from 1 s");
		assertThat(Settings.of(Map.of(CronPlugin.RETRY, 3, CronPlugin.RETRY_DELAY, "PT25H"), "C").error())
				.contains("to 1 day");
		assertThat(Settings.of(Map.of(CronPlugin.RETRY, 3, CronPlugin.RETRY_DELAY, "PT10M", CronPlugin.RETRY_MAX_DELAY,
				"PT1M"), "C").error()).isEqualTo(
						"service property cron.retry.max.delay = \"PT1M\" is shorter than cron.retry.delay (600 s)");
		assertThat(SchedulerProperties.settings(Map.of("scheduler.period", 60L, CronPlugin.RETRY, "x"), "C", "b").error())
				.as("a Sling/Karaf job takes cron.retry too").contains("cron.retry");
		assertThat(SchedulerProperties.settings(Map.of("scheduler.period", 60L, CronPlugin.RETRY, 2), "C", "b").retry()
				.attempts()).isEqualTo(2);
	}

	@Test
	void theDelayDoublesUpToTheCap() {
		RetryPolicy policy = new RetryPolicy(10, Duration.ofSeconds(30), Duration.ofMinutes(5));
		assertThat(java.util.stream.IntStream.rangeClosed(1, 7).mapToObj(policy::delayOf).map(Duration::toSeconds))
				.containsExactly(30L, 60L, 120L, 240L, 300L, 300L, 300L);
		assertThat(new RetryPolicy(100, Duration.ofDays(1), Duration.ofDays(1)).delayOf(100)).isEqualTo(Duration.ofDays(1));
	}
}
