package io.crontainer.scheduler.impl.interval;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TimeZone;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.quartz.CronExpression;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;

/**
 * A step after a single value in five crontab fields ({@code 0 1/3 * * *}: from 1 to the end of the
 * range), checked against two independent readings of it: cron-utils' UNIX definition, and Quartz's
 * {@code CronExpression} given the same fields in its own syntax (seconds {@code 0} first, {@code ?}
 * for the day field that is {@code *}, weekdays shifted by one). Generated with a fixed seed, so every
 * run checks the same expressions; fire times in UTC.
 */
class StepAfterValueOracleTest {
	private static final CronParser UNIX = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
	private static final Instant FROM = Instant.parse("2024-01-01T00:00:00Z");

	/** Expressions with at least one {@code a/n}; day-of-week is {@code *} (see {@link #daysOfWeek}). */
	static Set<String> expressions() {
		Random random = new Random(20261202L);
		Set<String> expressions = new LinkedHashSet<>(List.of("0 1/3 * * *", "5/15 * * * *", "0 0/12 * * *",
				"0 3/2 * * *", "30 22/5 * * *", "59/1 23 * * *", "0 0 25/3 * *", "0 0 1 11/2 *", "0 0 31/1 * *",
				"10/20 4/8 2/10 1/4 *"));
		while (expressions.size() < 80) {
			String[] fields = { pick(random, "*", "0", "17", "*/10", "5/15", "0/7", "58/1", "30/45"),
					pick(random, "*", "4", "1/3", "0/5", "23/2", "10-20/4"), pick(random, "*", "1/10", "15", "28/2", "3/30"),
					pick(random, "*", "2/5", "1/3", "12/1", "6"), "*" };
			String expression = String.join(" ", fields);
			if (expression.contains("/") && !expression.contains("*/")) {
				expressions.add(expression);
			}
		}
		return expressions;
	}

	private static String pick(Random random, String... choices) {
		return choices[random.nextInt(choices.length)];
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("expressions")
	void asCronUtilsAndQuartzReadIt(String expression) throws Exception {
		List<Instant> ours = new ArrayList<>();
		List<Instant> cronUtils = new ArrayList<>();
		List<Instant> quartz = new ArrayList<>();
		Interval interval = Intervals.parse(expression, ZoneOffset.UTC, "p", FROM);
		ExecutionTime theirs = ExecutionTime.forCron(UNIX.parse(expression));
		String[] f = expression.split(" ");
		CronExpression q = new CronExpression("0 " + f[0] + " " + f[1] + " " + f[2] + " " + f[3] + " ?");
		q.setTimeZone(TimeZone.getTimeZone("UTC"));
		Instant t = FROM;
		ZonedDateTime z = FROM.atZone(ZoneOffset.UTC);
		Date d = Date.from(FROM);
		for (int i = 0; i < 12; i++) {
			t = interval.next(t).orElseThrow().toInstant();
			z = theirs.nextExecution(z).orElseThrow();
			d = q.getTimeAfter(d);
			ours.add(t);
			cronUtils.add(z.toInstant());
			quartz.add(d.toInstant());
		}
		assertThat(ours).as("as cron-utils reads it").isEqualTo(cronUtils);
		assertThat(ours).as("as Quartz reads it").isEqualTo(quartz);
	}

	/**
	 * Day-of-week steps end at 6 (Saturday), as in Kubernetes (robfig/cron: day-of-week 0-6) and in
	 * Quartz (its 1-7 is Sunday to Saturday); cron-utils steps on to 7 and adds Sunday, which is why
	 * day-of-week is left out of the generated expressions above.
	 */
	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', textBlock = """
			0 0 * * 1/2   | 0 0 0 ? * 2/2   | MON WED FRI
			0 0 * * MON/2 | 0 0 0 ? * 2/2   | MON WED FRI
			0 0 * * 0/3   | 0 0 0 ? * 1/3   | SUN WED SAT
			0 0 * * 5/1   | 0 0 0 ? * 6/1   | FRI SAT
			""")
	void daysOfWeek(String expression, String quartzSpelling, String days) throws Exception {
		CronExpression q = new CronExpression(quartzSpelling);
		q.setTimeZone(TimeZone.getTimeZone("UTC"));
		Interval interval = Intervals.parse(expression, ZoneOffset.UTC, "p", FROM);
		Set<String> ours = new LinkedHashSet<>();
		Set<String> theirs = new LinkedHashSet<>();
		Instant t = FROM.minusSeconds(1); // 2024-01-01 is a Monday
		Date d = Date.from(t);
		for (int i = 0; i < 7; i++) {
			t = interval.next(t).orElseThrow().toInstant();
			d = q.getTimeAfter(d);
			ours.add(t.atZone(ZoneOffset.UTC).getDayOfWeek().name().substring(0, 3));
			theirs.add(d.toInstant().atZone(ZoneOffset.UTC).getDayOfWeek().name().substring(0, 3));
		}
		assertThat(String.join(" ", ours.stream().sorted(StepAfterValueOracleTest::weekOrder).toList())).isEqualTo(days);
		assertThat(theirs).isEqualTo(ours);
	}

	private static int weekOrder(String a, String b) {
		String week = "SUNMONTUEWEDTHUFRISAT";
		return Integer.compare(week.indexOf(a), week.indexOf(b));
	}
}
