package io.crontainer.scheduler.impl.interval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Locale;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.cronutils.descriptor.CronDescriptor;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;

/**
 * Differential tests against cron-utils 9.2.1: each row is a case where cron-utils disagrees with
 * cronie or Quartz, the answer cron-utils gives, and the right answer, which ours gives. They are
 * why this package computes fire times on its own model (see the package documentation). If a
 * cron-utils upgrade fixes a case, its row fails here: then reconsider delegating to it.
 */
class CronUtilsDifferencesTest {
	private static final CronParser UNIX = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
	private static final CronParser QUARTZ = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.QUARTZ));

	@ParameterizedTest(name = "{0} in {1} after {2}")
	@CsvSource(delimiter = '|', textBlock = """
			# L inside a list: cron-utils skips the last day
			0 0 0 L,15 * ?       | UTC               | 2022-04-20T00:00:00Z | 2022-05-15T00:00Z      | 2022-04-30T00:00Z
			# a wrap-around hour range inside a list: cron-utils jumps to next week
			0 0 0-07,17-0 ? * SAT | Australia/Perth  | 2020-04-25T08:00:00Z | 2020-05-02T00:00+08:00 | 2020-04-25T17:00+08:00
			# next() is not monotonic in the fall-back overlap: a job runs twice
			0 30 2 * * ?         | Europe/Berlin     | 2024-10-27T00:31:00Z | 2024-10-27T02:30+01:00 | 2024-10-28T02:30+01:00
			# a fixed-time job in the spring-forward gap: cronie runs it at the jump, cron-utils skips the day
			0 30 2 * * ?         | Europe/Berlin     | 2024-03-30T12:00:00Z | 2024-04-01T02:30+02:00 | 2024-03-31T03:00+02:00
			""")
	void quartzFireTimes(String expression, String zone, String after, String cronUtils, String right)
			throws Exception {
		ZonedDateTime from = Instant.parse(after).atZone(ZoneId.of(zone));
		ZonedDateTime theirs = ExecutionTime.forCron(QUARTZ.parse(expression)).nextExecution(from).orElseThrow();
		assertThat(theirs.toOffsetDateTime()).isEqualTo(OffsetDateTime.parse(cronUtils));
		ZonedDateTime ours = Intervals.parse(expression, ZoneId.of(zone), "p", Instant.parse(after))
				.next(Instant.parse(after)).orElseThrow();
		assertThat(ours.toOffsetDateTime()).isEqualTo(OffsetDateTime.parse(right));
	}

	/** Lines cronie accepts that cron-utils' UNIX definition refuses. */
	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', textBlock = """
			@daily          | 2024-01-02T00:00Z
			@hourly         | 2024-01-01T11:00Z
			9 2-23/24 * * * | 2024-01-02T02:09Z
			""")
	void crontabLinesCronUtilsRefuses(String expression, String right) throws Exception {
		assertThatThrownBy(() -> UNIX.parse(expression)).isInstanceOf(IllegalArgumentException.class);
		Instant after = Instant.parse("2024-01-01T10:15:00Z");
		assertThat(Intervals.parse(expression, ZoneId.of("UTC"), "p", after).next(after).orElseThrow()
				.toOffsetDateTime()).isEqualTo(OffsetDateTime.parse(right));
	}

	/**
	 * A day-of-week step after a single value: cron-utils steps on to 7 and adds Sunday; Kubernetes
	 * (robfig/cron, day-of-week 0-6) and Quartz ({@code 2/2}: Monday, Wednesday, Friday) end the week on
	 * Saturday.
	 */
	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', textBlock = """
			0 0 * * 1/2 | 2024-01-07T00:00Z | 2024-01-08T00:00Z
			""")
	void dayOfWeekStepAfterAValue(String expression, String cronUtils, String right) throws Exception {
		Instant after = Instant.parse("2024-01-05T12:00:00Z"); // a Friday
		ZonedDateTime theirs = ExecutionTime.forCron(UNIX.parse(expression)).nextExecution(after.atZone(ZoneId.of("UTC")))
				.orElseThrow();
		assertThat(theirs.toOffsetDateTime()).isEqualTo(OffsetDateTime.parse(cronUtils));
		assertThat(Intervals.parse(expression, ZoneId.of("UTC"), "p", after).next(after).orElseThrow().toOffsetDateTime())
				.isEqualTo(OffsetDateTime.parse(right));
	}

	/** cron-utils' English hides weekdays and the day-of-month OR day-of-week rule. */
	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', textBlock = """
			* * * * */3 | Wednesday | Sunday, Wednesday and Saturday
			0 9 1-7 * 1 | Monday    | or on every Monday (either one matches, as in cron)
			""")
	void descriptions(String expression, String theirsSays, String oursSays) throws Exception {
		String theirs = CronDescriptor.instance(Locale.ENGLISH).describe(UNIX.parse(expression));
		assertThat(theirs).contains(theirsSays).doesNotContain("Sunday").doesNotContain(" or ");
		assertThat(Intervals.parse(expression, ZoneId.of("UTC"), "p", Instant.EPOCH).description()).contains(oursSays);
	}
}
