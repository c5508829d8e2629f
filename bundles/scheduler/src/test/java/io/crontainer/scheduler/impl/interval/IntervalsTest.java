package io.crontainer.scheduler.impl.interval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;

import org.junit.jupiter.api.Test;

class IntervalsTest {
	private static final ZoneId UTC = ZoneId.of("UTC");
	private static final Instant T0 = Instant.parse("2024-01-01T10:15:30Z");

	@Test
	void fiveFieldsFireOnTheMinute() throws Exception {
		Interval interval = Intervals.parse("*/5 * * * *", UTC, "p", T0);
		assertThat(interval.next(T0)).contains(ZonedDateTime.parse("2024-01-01T10:20Z[UTC]"));
	}

	@Test
	void quartzFieldsHaveSeconds() throws Exception {
		Interval interval = Intervals.parse("*/10 * * * * ?", UTC, "p", T0);
		assertThat(interval.next(T0)).contains(ZonedDateTime.parse("2024-01-01T10:15:40Z[UTC]"));
	}

	@Test
	void rebootNeverHasANextFireTime() throws Exception {
		Interval interval = Intervals.parse("@reboot", UTC, "p", T0);
		assertThat(interval.reboot()).isTrue();
		assertThat(interval.next(T0)).isEmpty();
	}

	@Test
	void wrongFieldCountIsRejectedWithTheReason() {
		assertThatThrownBy(() -> Intervals.parse("* * *", UTC, "p", T0))
				.isInstanceOf(InvalidIntervalException.class).hasMessageContaining("3 fields");
	}
}
