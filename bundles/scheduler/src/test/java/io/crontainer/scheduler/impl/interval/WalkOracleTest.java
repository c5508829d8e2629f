package io.crontainer.scheduler.impl.interval;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Checks the field-by-field calendar walk against brute force: for generated crontab and Quartz
 * expressions (a fixed seed, so every run checks the same ones) and start instants, the next fire
 * time in UTC must be the first second, scanned one by one through the matching days, that matches
 * every field.
 */
class WalkOracleTest {
	private static final ZoneOffset UTC = ZoneOffset.UTC;

	static List<Arguments> expressions() {
		Random random = new Random(20241027L);
		List<Arguments> cases = new ArrayList<>();
		while (cases.size() < 120) {
			String expression = random.nextBoolean() ? crontab(random) : quartz(random);
			try {
				Intervals.parse(expression, UTC, "p", Instant.parse("2020-01-01T00:00:00Z"));
				cases.add(Arguments.of(expression, random.nextLong()));
			} catch (InvalidIntervalException e) {
				// e.g. day 31 in short months only: never fires, nothing to compare
			}
		}
		return cases;
	}

	private static String pick(Random random, String... choices) {
		return choices[random.nextInt(choices.length)];
	}

	private static String crontab(Random random) {
		return String.join(" ", pick(random, "*", "*/7", "0", "59", "10-20", "0-59/13", "5,35", "30"),
				pick(random, "*", "*/5", "0", "23", "2-4", "9-17/4", "0,12"),
				pick(random, "*", "1", "31", "29", "15-17", "*/10", "1,15", "28-31"),
				pick(random, "*", "2", "FEB", "jan-mar", "*/4", "11,12", "1-12/24"),
				pick(random, "*", "0", "7", "1-5", "SAT,sun", "*/3", "5"));
	}

	static String quartz(Random random) {
		boolean byDom = random.nextBoolean();
		String dom = byDom ? pick(random, "*", "L", "L-2", "LW", "15W", "1W", "31W", "L,15", "1/10", "28-3", "29")
				: "?";
		String dow = byDom ? "?" : pick(random, "*", "MON-FRI", "6#3", "2#5", "6L", "L", "FRI-MON", "1", "2,4");
		return String.join(" ", pick(random, "0", "30", "0,30", "*/20", "59"),
				pick(random, "*", "0", "0/15", "50-10", "7"), pick(random, "*", "0", "17-2", "12"), dom,
				pick(random, "*", "FEB", "NOV-FEB", "2/3"), dow) + pick(random, "", "", " *", " 2021-2030", " 2020/3");
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("expressions")
	void walkAgreesWithBruteForce(String expression, long seed) throws Exception {
		CronInterval interval = (CronInterval) Intervals.parse(expression, UTC, "p",
				Instant.parse("2020-01-01T00:00:00Z"));
		Schedule schedule = interval.schedule();
		Random random = new Random(seed);
		for (int i = 0; i < 6; i++) {
			Instant after = Instant.parse("2020-01-01T00:00:00Z").plusSeconds(random.nextInt(10 * 366 * 86_400))
					.plusMillis(random.nextInt(2) * 500L);
			Optional<ZonedDateTime> next = interval.next(after);
			LocalDateTime expected = bruteForce(schedule, LocalDateTime.ofInstant(after, UTC), 2060);
			assertThat(next.map(z -> z.toLocalDateTime()).orElse(null)).as("after %s", after).isEqualTo(expected);
		}
	}

	/** The first matching second strictly after {@code after}, up to the end of {@code lastYear}. */
	private static LocalDateTime bruteForce(Schedule s, LocalDateTime after, int lastYear) {
		java.util.BitSet years = s.years();
		for (LocalDate day = after.toLocalDate(); day.getYear() <= lastYear; day = day.plusDays(1)) {
			if (years != null && !years.get(day.getYear()) || !Schedule.bit(s.months, day.getMonthValue())
					|| !s.days.matches(day)) {
				continue;
			}
			for (int h = 0; h < 24; h++) {
				for (int m = 0; m < 60; m++) {
					for (int sec = 0; sec < 60; sec++) {
						LocalDateTime t = day.atTime(h, m, sec);
						if (Schedule.bit(s.hours, h) && Schedule.bit(s.minutes, m) && Schedule.bit(s.seconds, sec)
								&& t.isAfter(after)) {
							return t;
						}
					}
				}
			}
		}
		return null;
	}
}
