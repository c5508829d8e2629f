package io.crontainer.scheduler.impl.interval;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TimeZone;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.quartz.CronExpression;

/**
 * Differential test against Quartz itself ({@code org.quartz.CronExpression} 2.5, test scope only):
 * every six- and seven-field expression of the corpus and the tables, and generated ones, is
 * accepted or refused as Quartz does, and has Quartz's fire times (in UTC, where no DST rule
 * applies). The deliberate differences: {@link #refusal} and {@link #quartzMisplacesWeekdays}.
 */
class QuartzOracleTest {
	private static final Instant CREATED = Instant.parse("2020-01-01T00:00:00Z");

	static Set<String> expressions() throws IOException {
		Set<String> expressions = new LinkedHashSet<>();
		for (String resource : new String[] { "cron-corpus.tsv", "next-fire-times.csv", "invalid-intervals.csv" }) {
			try (BufferedReader in = new BufferedReader(new InputStreamReader(
					QuartzOracleTest.class.getResourceAsStream(resource), StandardCharsets.UTF_8))) {
				for (String line = in.readLine(); line != null; line = in.readLine()) {
					String expression = line.split("[\t|]")[0].strip();
					int fields = expression.isEmpty() ? 0 : expression.split("[ \t]+").length;
					if (!line.startsWith("#") && (fields == 6 || fields == 7)) {
						expressions.add(expression);
					}
				}
			}
		}
		Random random = new Random(7L);
		while (expressions.size() < 300) {
			expressions.add(WalkOracleTest.quartz(random));
		}
		expressions.addAll(List.of("0 0 12 ? * 2#1,3", "0 0 12 */0 * ?", "0 0 12 ? * L", "0 0 12 ? * 7L",
				"0 0 12 31W * ?", "0 0 12 1W * ?", "0 0 12 ? * SUN-SAT", "0 0 12 ? * SAT-SUN", "0 0 23-1 * * ?",
				"0 0 0 28-3 * ?", "0 0 0 1 DEC-FEB ?", "0 0 0 L-30 * ?", "0 0 0 L-0 * ?", "0 0 0 LW,15W * ?",
				"0 0 0 L,L-1,L-2 * ?", "0 0 12 ? * mon-fri", "0 0 12 ? jan,Jul *", "0 0 12 ? * 1-7/2", "5/15 * * * * ?",
				"/20 * * * * ?", "0 0 12 ? * 6#5", "0 0 12 29 2 ? 2024-2032/4", "0 0 12 ? * 2 2030-2031"));
		return expressions;
	}

	/** Why we refuse what Quartz accepts, or null if we should not. */
	private static String refusal(String expression) {
		if (expression.matches(".*#.*,.*|.*,.*#.*")) {
			return "'#' in a list: Quartz would use only the first weekday";
		}
		if (expression.contains("/0")) {
			return "a step of 0: Quartz reads it as 1";
		}
		if (expression.matches(".*\\d[A-KM-VX-Z].*")) {
			return "a letter after a number: Quartz ignores it ('15X' is 15)";
		}
		if (expression.matches(".* 2[1-9]\\d\\d.*")) {
			return "a year after 2099, the end of Quartz's documented range (Quartz 2.5 takes up to this year + 100)";
		}
		return null;
	}

	/**
	 * Quartz 2.5's {@code getTimeAfter} mishandles {@code W}: moving to the weekday it keeps the hour
	 * it had reached ({@code 0,30 0 * LW * ?} from 2023-05-27T22:24 gives 05-31T23:00, not 00:00),
	 * and after a weekday moved forward ({@code 15W} on Monday the 16th) or back it skips the rest
	 * of that day and the month's other {@code W} days. We follow its documentation: the time fields
	 * apply on the weekday nearest the given day. Those rows are covered by next-fire-times.csv.
	 */
	private static boolean quartzMisplacesWeekdays(String expression) {
		return expression.split(" ")[3].contains("W");
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("expressions")
	void asQuartzReadsIt(String expression) throws Exception {
		CronExpression quartz;
		try {
			quartz = new CronExpression(expression);
			quartz.setTimeZone(TimeZone.getTimeZone("UTC"));
		} catch (ParseException | RuntimeException e) {
			quartz = null;
		}
		Interval ours;
		try {
			ours = Intervals.parse(expression, ZoneOffset.UTC, "p", CREATED);
		} catch (InvalidIntervalException e) {
			ours = null;
			if (quartz != null && e.getMessage().contains("never fires")) {
				assertThat(quartz.getTimeAfter(Date.from(CREATED))).as("Quartz fire time of a refused interval").isNull();
				return;
			}
		}
		if (quartz != null && ours == null) {
			assertThat(refusal(expression)).as("why we refuse what Quartz accepts").isNotNull();
			return;
		}
		assertThat(ours != null).as("accepted, as by Quartz").isEqualTo(quartz != null);
		if (ours == null || quartzMisplacesWeekdays(expression)) {
			return;
		}
		Random random = new Random(expression.hashCode());
		for (int start = 0; start < 3; start++) {
			Instant after = CREATED.plusSeconds(random.nextInt(12 * 366 * 86_400));
			List<Instant> theirs = new ArrayList<>();
			List<Instant> mine = new ArrayList<>();
			Date d = Date.from(after);
			Instant t = after;
			for (int i = 0; i < 8; i++) {
				d = d == null ? null : quartz.getTimeAfter(d);
				Optional<Instant> next = t == null ? Optional.empty() : ours.next(t).map(z -> z.toInstant());
				t = next.orElse(null);
				if (d == null && t != null && t.atOffset(ZoneOffset.UTC).getYear() > 2099) {
					break; // Quartz stops at this year + 100; without a year field we go on
				}
				theirs.add(d == null ? null : d.toInstant());
				mine.add(t);
			}
			assertThat(mine).as("fire times after %s", after).isEqualTo(theirs);
		}
	}

	/** The cases of {@link #quartzMisplacesWeekdays}: what Quartz says, and what its documentation means. */
	@ParameterizedTest(name = "{0} after {1}")
	@CsvSource(delimiter = '|', textBlock = """
			0,30 0 * LW * ?   | 2023-05-27T22:24:21Z | 2023-05-31T23:00:00Z | 2023-05-31T00:00:00Z
			0 0 0 LW,15W * ?  | 2020-08-14T00:00:00Z | 2020-09-15T00:00:00Z | 2020-08-31T00:00:00Z
			0 0 12,13 15W * ? | 2026-11-16T12:00:00Z | 2026-12-15T12:00:00Z | 2026-11-16T13:00:00Z
			""")
	void weekdaysAsQuartzDocumentsThem(String expression, String after, String quartzSays, String documented)
			throws Exception {
		CronExpression quartz = new CronExpression(expression);
		quartz.setTimeZone(TimeZone.getTimeZone("UTC"));
		assertThat(quartz.getTimeAfter(Date.from(Instant.parse(after))).toInstant()).isEqualTo(quartzSays);
		assertThat(Intervals.parse(expression, ZoneOffset.UTC, "p", CREATED).next(Instant.parse(after)).orElseThrow()
				.toInstant()).isEqualTo(documented);
	}
}
