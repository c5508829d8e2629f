package io.crontainer.examples.heartbeat;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.osgi.util.converter.Converters;

import io.crontainer.api.CronPlugin;

class HeartbeatTest {

	private final RecordingLogger log = new RecordingLogger();

	private static Heartbeat.Config config(Map<String, Object> properties) {
		return Converters.standardConverter().convert(properties).to(Heartbeat.Config.class);
	}

	@Test
	void isEnabledEveryMinuteWithoutConfiguration() {
		Heartbeat heartbeat = new Heartbeat(config(Map.of()), log);

		assertThat(heartbeat.enabled()).isTrue();
		assertThat(heartbeat.interval()).isEqualTo("* * * * *");
	}

	@Test
	void logsEachWindowAtInfo() {
		Heartbeat heartbeat = new Heartbeat(config(Map.of()), log);
		log.lines.clear();

		heartbeat.run(CronPlugin.EPOCH, Instant.parse("2026-11-29T15:00:00Z"));
		heartbeat.run(Instant.parse("2026-11-29T15:00:00Z"), Instant.parse("2026-11-29T15:01:00.250Z"));

		assertThat(log.lines).containsExactly(
				"INFO Heartbeat: first run, window [1970-01-01T00:00:00Z, 2026-11-29T15:00:00Z)",
				"INFO Heartbeat: window [2026-11-29T15:00:00Z, 2026-11-29T15:01:00.250Z), PT1M0.25S");
	}

	@Test
	void followsItsConfiguration() {
		Heartbeat heartbeat = new Heartbeat(config(Map.of()), log);

		heartbeat.modified(config(Map.of("enabled", "false", "cron.interval", "*/5 * * * *")));

		assertThat(heartbeat.enabled()).isFalse();
		assertThat(heartbeat.interval()).isEqualTo("*/5 * * * *");
		assertThat(log.lines).last().isEqualTo("INFO Heartbeat reconfigured: disabled, interval '*/5 * * * *'");
	}
}
