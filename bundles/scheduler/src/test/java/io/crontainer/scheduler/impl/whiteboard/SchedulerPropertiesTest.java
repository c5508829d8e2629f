package io.crontainer.scheduler.impl.whiteboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.ZoneId;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.crontainer.api.CronPlugin;

/** The Sling/Karaf whiteboard properties of a Runnable, read into a job's settings or refused. */
class SchedulerPropertiesTest {
	private static final String CLASS = "com.example.Cleanup";
	private static final String BUNDLE = "com.example.jobs";

	private static Settings settings(Object... keyValues) {
		Map<String, Object> properties = new HashMap<>();
		for (int i = 0; i < keyValues.length; i += 2) {
			properties.put((String) keyValues[i], keyValues[i + 1]);
		}
		return SchedulerProperties.settings(properties, CLASS, BUNDLE);
	}

	@Test
	void aSlingJobAsItIsWritten() {
		Settings s = settings("scheduler.expression", "0 0/10 * * * ?", "scheduler.name", "cleanup",
				"scheduler.concurrent", false);
		assertThat(s).isEqualTo(new Settings("cleanup", "0 0/10 * * * ?", true, null, null, false, null,
				new Settings.Runs(false, false, null)));
	}

	@Test
	void aPeriodIsAFixedRateAndTakesImmediateAndTimes() {
		Settings s = settings("scheduler.period", 90L, "scheduler.immediate", true, "scheduler.times", 5);
		assertThat(s.interval()).isEqualTo("@every 90s");
		assertThat(s.runs()).isEqualTo(new Settings.Runs(false, true, 5));
		assertThat(s.error()).isNull();
		assertThat(settings("scheduler.period", 60L, "scheduler.times", -1).runs().times()).isNull();
		assertThat(settings("scheduler.period", 60L, "scheduler.times", 1).runs().times()).isEqualTo(1);
	}

	/** Karaf accepts Strings for every property, and Integer periods: so do we. */
	@Test
	void karafStringsAndIntegersAreAccepted() {
		Settings s = settings("scheduler.period", "30", "scheduler.concurrent", "true", "scheduler.immediate", "TRUE",
				"scheduler.times", "3");
		assertThat(s.error()).isNull();
		assertThat(s.interval()).isEqualTo("@every 30s");
		assertThat(s.runs()).isEqualTo(new Settings.Runs(true, true, 3));
		assertThat(settings("scheduler.period", 30).interval()).isEqualTo("@every 30s");
	}

	@Test
	void theExpressionWinsOverThePeriodAsInSlingAndKaraf() {
		Settings s = settings("scheduler.expression", "0 * * * * ?", "scheduler.period", 10L, "scheduler.immediate",
				true, "scheduler.times", 2);
		assertThat(s.interval()).isEqualTo("0 * * * * ?");
		assertThat(s.runs()).isEqualTo(new Settings.Runs(false, false, null));
		assertThat(SchedulerProperties.ignored(Map.of("scheduler.expression", "0 * * * * ?", "scheduler.period", 10L,
				"scheduler.immediate", true))).isEqualTo("ignored, as in Sling and Karaf: scheduler.period (it applies to"
						+ " scheduler.period only, and scheduler.expression is set); scheduler.immediate (it applies to"
						+ " scheduler.period only, and scheduler.expression is set)");
		assertThat(SchedulerProperties.ignored(Map.of("scheduler.period", 10L))).isNull();
		assertThat(SchedulerProperties.ignored(Map.of("scheduler.period", 10L, "scheduler.threadPool", "sling")))
				.contains("scheduler.threadPool (every run has a thread of its own; there is no pool to choose)")
				.doesNotContain("pool.size");
	}

	@Test
	void crontainersDefaultIsNeverTwiceAtOnce() {
		assertThat(settings("scheduler.period", 10L).runs().concurrent()).isFalse();
		assertThat(settings("scheduler.period", 10L, "scheduler.concurrent", true).runs().concurrent()).isTrue();
	}

	@Test
	void cronPropertiesWithoutASlingCounterpartApply() {
		Settings s = settings("scheduler.period", 10L, CronPlugin.TIMEOUT, 30L, CronPlugin.TIMEZONE, "Europe/Berlin",
				CronPlugin.MISFIRE, "run-once", CronPlugin.ENABLED, false);
		assertThat(s.timeoutSeconds()).isEqualTo(30L);
		assertThat(s.zone()).isEqualTo(ZoneId.of("Europe/Berlin"));
		assertThat(s.runOnce()).isTrue();
		assertThat(s.enabled()).isFalse();
		assertThat(settings("scheduler.period", 10L).enabled()).isTrue();
		assertThat(settings("scheduler.period", 10L, CronPlugin.NAME, "named").name()).isEqualTo("named");
		assertThat(settings("scheduler.period", 10L, CronPlugin.NAME, "named", "scheduler.name", "sling").name())
				.isEqualTo("sling");
	}

	/** Where Sling ignores the service with a WARN, the job is INVALID with the reason. */
	@ParameterizedTest(name = "{0} = {1}")
	@CsvSource(delimiter = '|', textBlock = """
			scheduler.concurrent | yes       | service property scheduler.concurrent = "yes" (String) is not a Boolean or "true" or "false"
			scheduler.period     | 0         | service property scheduler.period = "0" (String) is not a whole number of seconds greater than 0 (a Long)
			scheduler.period     | -5        | service property scheduler.period = "-5" (String) is not a whole number of seconds greater than 0
			scheduler.period     | 1.5       | scheduler.period = "1.5" (String) is not a whole number of seconds
			scheduler.times      | 0         | service property scheduler.times = "0" (String) is not -1 (no limit) or a number of fire times from 1
			scheduler.times      | -2        | scheduler.times = "-2" (String) is not -1 (no limit)
			scheduler.immediate  | now       | scheduler.immediate = "now" (String) is not a Boolean
			scheduler.runOn      | 3f2a-sling-id | service property scheduler.runOn = [3f2a-sling-id] names Sling instances, which Crontainer does not have; Crontainer runs each fire time once across its cluster: set it to "SINGLE" or remove it
			scheduler.runOn      | single    | scheduler.runOn = [single] must be upper case, as in Sling: "SINGLE"
			scheduler.name       | ' '       | service property scheduler.name = " " (String) is not a non-blank String
			""")
	void wrongValuesAreRefusedWithTheReason(String key, String value, String reason) {
		Map<String, Object> properties = new HashMap<>(Map.of("scheduler.period", 10L));
		properties.put(key, value);
		assertThat(SchedulerProperties.settings(properties, CLASS, BUNDLE).error()).contains(reason);
	}

	@Test
	void wrongTypesAreRefusedWithTheReason() {
		assertThat(settings("scheduler.expression", 5).error())
				.isEqualTo("service property scheduler.expression = 5 (Integer) is not a String with a Quartz cron expression");
		assertThat(settings("scheduler.period", 2.5d).error()).contains("(Double)");
		assertThat(settings("scheduler.period", 10L, "scheduler.runOn", 3).error()).contains("scheduler.runOn = 3 (Integer)");
		assertThat(settings("scheduler.period", 10L, "scheduler.concurrent", 1).error()).contains("(Integer)");
		assertThat(settings().error()).isEqualTo("neither scheduler.expression nor scheduler.period is set");
	}

	@Test
	void singleAndLeaderRunAsEveryJobDoes() {
		assertThat(settings("scheduler.period", 10L, "scheduler.runOn", "SINGLE").error()).isNull();
		assertThat(settings("scheduler.period", 10L, "scheduler.runOn", new String[] { "LEADER" }).error()).isNull();
		assertThat(settings("scheduler.period", 10L, "scheduler.runOn", new String[] { "LEADER", "SINGLE" }).error())
				.contains("names Sling instances");
	}

	/** The default name never has Karaf's or Sling's {@code .service.id}: it survives a redeploy. */
	@Test
	void theDefaultNameIsStable() {
		assertThat(settings("scheduler.period", 10L, "service.id", 42L).name()).isEqualTo("com.example.jobs/com.example.Cleanup");
		assertThat(settings("scheduler.period", 10L, "service.pid", "com.example.cleanup").name())
				.isEqualTo("com.example.cleanup");
		assertThat(settings("scheduler.period", 10L, "service.pid", new String[] { "a.pid", "b.pid" }).name())
				.isEqualTo("a.pid");
		assertThat(settings("scheduler.period", 10L, "component.name", "com.example.CleanupComponent").name())
				.isEqualTo("com.example.CleanupComponent");
		assertThat(SchedulerProperties.defaultName(Map.of(), "com.example.Activator$$Lambda$14/0x0000000800c03000",
				BUNDLE)).isEqualTo("com.example.jobs/com.example.Activator (lambda)");
		assertThat(SchedulerProperties.defaultName(Map.of(), "com.example.Activator$1", null))
				.isEqualTo("com.example.Activator$1");
	}
}
