package io.crontainer.scheduler.impl.interval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvFileSource;
import org.junit.jupiter.params.provider.CsvSource;

/** Table-driven tests of parsing and fire times; the tables are resources next to this class. */
class IntervalsTest {
	private static final ZoneId UTC = ZoneId.of("UTC");
	private static final Instant T0 = Instant.parse("2024-01-01T10:15:30Z");

	/**
	 * Each row: from the reference instant, each next fire time is computed from the previous one (as
	 * the scheduler does) and must be the expected one; END means none follows.
	 */
	@ParameterizedTest(name = "{0} in {1} from {3}")
	@CsvFileSource(resources = "next-fire-times.csv", delimiter = '|')
	void nextFireTimes(String expression, String zone, String name, String reference, String expected)
			throws Exception {
		Instant from = Instant.parse(reference);
		Interval interval = Intervals.parse(expression, ZoneId.of(zone), name, from);
		List<String> want = new ArrayList<>(List.of(expected.trim().split("\\s+")));
		boolean end = want.get(want.size() - 1).equals("END");
		if (end) {
			want.remove(want.size() - 1);
		}
		List<OffsetDateTime> got = new ArrayList<>();
		Instant t = from;
		for (int i = 0; i < want.size(); i++) {
			Optional<ZonedDateTime> next = interval.next(t);
			assertThat(next).as("fire time %d after %s", i + 1, t).isPresent();
			assertThat(next.get().getZone()).isEqualTo(ZoneId.of(zone));
			got.add(next.get().toOffsetDateTime());
			t = next.get().toInstant();
		}
		assertThat(got).containsExactlyElementsOf(want.stream().map(OffsetDateTime::parse).toList());
		if (end) {
			assertThat(interval.next(t)).isEmpty();
		}
	}

	@ParameterizedTest(name = "{0}")
	@CsvFileSource(resources = "invalid-intervals.csv", delimiter = '|')
	void invalidIntervalsAreRefusedWithTheReason(String expression, String reason) {
		assertThatThrownBy(() -> Intervals.parse(expression, UTC, "p", T0))
				.isInstanceOf(InvalidIntervalException.class)
				.hasMessageStartingWith("interval '" + expression + "'")
				.hasMessageContaining(reason)
				.hasMessageNotContaining("\n");
	}

	@Test
	void onlyAFiveFieldQuestionMarkDependsOnTheCreationTime() {
		assertThat(Intervals.usesCreationTime("? * * * *")).isTrue();
		assertThat(Intervals.usesCreationTime(" 30 ?  * * 1-5")).isTrue();
		assertThat(Intervals.usesCreationTime("* * * * *")).isFalse();
		assertThat(Intervals.usesCreationTime("0 0 12 ? * MON")).isFalse(); // Quartz: no specific value
		assertThat(Intervals.usesCreationTime("@hourly")).isFalse();
		assertThat(Intervals.usesCreationTime("*\t?\t*  *\t\t1")).isTrue();
		assertThat(Intervals.usesCreationTime("?/5 * * * *")).isFalse(); // a field that only starts with ?
		assertThat(Intervals.usesCreationTime("* * * * ?")).isTrue();
		assertThat(Intervals.usesCreationTime("? ? ? ? ? ?")).isFalse();
		assertThat(Intervals.usesCreationTime("? * * *")).isFalse();
		assertThat(Intervals.usesCreationTime("")).isFalse();
	}

	@Test
	void anEmptyIntervalIsRefused() {
		assertThatThrownBy(() -> Intervals.parse("  ", UTC, "p", T0)).isInstanceOf(InvalidIntervalException.class)
				.hasMessage("interval '  ' is empty");
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', textBlock = """
			* * * * */3         | every minute, on Sunday, Wednesday and Saturday (UTC)
			0 9 1-7 * 1         | at 09:00, on day-of-month 1 to 7, or on every Monday (either one matches, as in cron) (UTC)
			0 9 */2 * 1         | at 09:00, on day-of-month 1, 3, 5, ..., 31, but only when it falls on Monday (UTC)
			30 2 * * *          | at 02:30, every day (UTC)
			*/30 * * * *        | every 30 minutes (UTC)
			*/7 * * * *         | at minutes 0, 7, 14, ..., 56 of every hour (UTC)
			0,30 * * * *        | every 30 minutes (UTC)
			5,35 * * * *        | at minutes 5 and 35 of every hour (UTC)
			35 * * * * ?        | at second 35 of every minute (UTC)
			35 5 * * * ?        | at second 35, during minute 5 of every hour (UTC)
			* 5 9 * * ?         | every second, during minute 5 of hour 9 (UTC)
			*/10 0/15 * * * ?   | every 10 seconds, during minutes 0, 15, 30 and 45 of every hour (UTC)
			*/10 * 9-17 ? * MON-FRI | every 10 seconds, during hours 9 to 17, on Monday through Friday (UTC)
			* 2 * * *           | every minute, during hour 2 (UTC)
			1 1 1 1 1           | at 01:01, on day-of-month 1, or on every Monday (either one matches, as in cron), in January (UTC)
			0 0 * * 1-7         | at 00:00, every day (UTC)
			0 0 12 1W,15W * ?   | at 12:00, on the weekday nearest day 1 and the weekday nearest day 15 of the month (UTC)
			0 0 0 L-3 * ?       | at 00:00, on the day 3 days before the last day of the month (UTC)
			0 0,6,12,18 * * 1-5 | at 00:00, 06:00, 12:00 and 18:00, on Monday through Friday (UTC)
			*/15 9-17 * * *     | every 15 minutes, during hours 9 to 17 (UTC)
			35 1-23/3 * * *     | at minute 35, past hours 1, 4, 7, ..., 22 (UTC)
			0 0 1 1 *           | at 00:00, on day-of-month 1, in January (UTC)
			@hourly             | at minute 0 of every hour (UTC)
			0 0 0 L,15 * ?      | at 00:00, on day 15 and the last day of the month (UTC)
			0 15 10 ? * 6#3     | at 10:15, on the third Friday of the month (UTC)
			0 15 10 ? * 6L      | at 10:15, on the last Friday of the month (UTC)
			0 0 12 LW * ?       | at 12:00, on the last weekday of the month (UTC)
			0/5 * * * * ?       | every 5 seconds (UTC)
			0 0 0 1 1 ? 2030    | at 00:00, on day 1 of the month, in January, in 2030 (UTC)
			0 0 12 ? * FRI-MON  | at 12:00, on Sunday, Monday, Friday and Saturday (UTC)
			0 1/3 * * *         | at minute 0, past hours 1, 4, 7, ..., 22 (UTC)
			5/15 * * * *        | at minutes 5, 20, 35 and 50 of every hour (UTC)
			@every 90s          | every 1 minute and 30 seconds, at whole multiples of it since 1970-01-01T00:00Z (UTC)
			@every 1h           | every hour, at whole multiples of it since 1970-01-01T00:00Z (UTC)
			@every 1h30m        | every 1 hour and 30 minutes, at whole multiples of it since 1970-01-01T00:00Z (UTC)
			@every 36h0m1s      | every 36 hours and 1 second, at whole multiples of it since 1970-01-01T00:00Z (UTC)
			""")
	void descriptionsDoNotMislead(String expression, String description) throws Exception {
		assertThat(Intervals.parse(expression, UTC, "p", T0).description()).isEqualTo(description);
	}

	@Test
	void aPastedNewlineKeepsTheReasonOnOneLine() {
		assertThatThrownBy(() -> Intervals.parse("0 5\n* * *", UTC, "p", T0))
				.isInstanceOf(InvalidIntervalException.class)
				.hasMessage("interval '0 5\\u000a* * *' has 4 fields; expected 5 (crontab), 6 or 7 (Quartz)");
	}

	@Test
	void tabsSeparateFields() throws Exception {
		assertThat(Intervals.parse("30\t2 *  * \t*", UTC, "p", T0).next(T0).orElseThrow().toOffsetDateTime())
				.isEqualTo(OffsetDateTime.parse("2024-01-02T02:30Z"));
	}

	@Test
	void rebootFiresOnlyAtStart() throws Exception {
		Interval interval = Intervals.parse("@reboot", UTC, "p", T0);
		assertThat(interval.reboot()).isTrue();
		assertThat(interval.next(T0)).isEmpty();
		assertThat(interval.description()).isEqualTo("once, each time the schedule starts");
		assertThat(interval.expression()).isEqualTo("@reboot");
	}

	@Test
	void theExpressionIsKeptVerbatim() throws Exception {
		Interval interval = Intervals.parse(" 0 0 * * * ", UTC, "p", T0);
		assertThat(interval.expression()).isEqualTo(" 0 0 * * * ");
		assertThat(interval.zone()).isEqualTo(UTC);
		assertThat(interval.reboot()).isFalse();
	}

	/**
	 * The phase of {@code @every} is a function of the period alone: neither the creation time (a
	 * restart, a redeploy), the plugin's name nor the zone moves it.
	 */
	@Test
	void everyKeepsItsPhaseWhateverTheCreationTime() throws Exception {
		Interval first = Intervals.parse("@every 1h30m", UTC, "a", T0);
		Interval restarted = Intervals.parse("@every 1h30m", ZoneId.of("Asia/Kathmandu"), "b", T0.plusSeconds(4_321));
		for (long s = 0; s < 3 * 86_400; s += 977) {
			Instant after = T0.plusSeconds(s);
			Instant next = first.next(after).orElseThrow().toInstant();
			assertThat(restarted.next(after).orElseThrow().toInstant()).isEqualTo(next);
			assertThat(next.getEpochSecond() % 5_400).isZero();
			assertThat(next).isAfter(after).isBeforeOrEqualTo(after.plusSeconds(5_400));
		}
		assertThat(Intervals.usesCreationTime("@every 1h30m")).isFalse();
		assertThat(first.reboot()).isFalse();
		assertThat(first.expression()).isEqualTo("@every 1h30m");
	}

	@Test
	void everyEndsAtTheLastInstant() throws Exception {
		Interval interval = Intervals.parse("@every 2562047h", UTC, "p", T0);
		assertThat(interval.next(Instant.MAX)).isEmpty();
		assertThat(interval.next(Instant.MIN)).isPresent();
	}

	@Test
	void hashIsStableAndSpreadsNames() throws Exception {
		Interval a = Intervals.parse("H H * * *", UTC, "alpha", T0);
		Interval again = Intervals.parse("H H * * *", UTC, "alpha", T0.plusSeconds(86_400 * 3));
		assertThat(again.next(T0)).isEqualTo(a.next(T0));
		java.util.Set<Instant> fires = new java.util.HashSet<>();
		for (int i = 0; i < 50; i++) {
			fires.add(Intervals.parse("H H * * *", UTC, "plugin-" + i, T0).next(T0).orElseThrow().toInstant());
		}
		assertThat(fires).hasSizeGreaterThan(40);
	}

	/** Fire times only move forward, whatever instant they are asked from: checked second by second. */
	@ParameterizedTest(name = "{0} in {1}")
	@CsvSource(delimiter = '|', textBlock = """
			30 2 * * *     | Europe/Berlin | 2024-10-26T23:00:00Z
			*/30 * * * *   | Europe/Berlin | 2024-10-26T23:00:00Z
			30 2 * * *     | Europe/Berlin | 2024-03-30T23:00:00Z
			0 * * * *      | Europe/Berlin | 2024-03-30T23:00:00Z
			0 0 * * *      | America/Sao_Paulo | 2018-11-03T23:00:00Z
			""")
	void nextIsMonotonicAroundTransitions(String expression, String zone, String start) throws Exception {
		Interval interval = Intervals.parse(expression, ZoneId.of(zone), "p", Instant.parse(start));
		Instant t = Instant.parse(start);
		Instant previous = interval.next(t).orElseThrow().toInstant();
		for (int i = 0; i < 4 * 3600; i += 7) {
			Instant now = t.plusSeconds(i);
			Instant next = interval.next(now).orElseThrow().toInstant();
			assertThat(next).isAfter(now);
			assertThat(next).isAfterOrEqualTo(previous);
			if (now.isBefore(previous)) {
				assertThat(next).isEqualTo(previous);
			}
			previous = next;
		}
	}
}
