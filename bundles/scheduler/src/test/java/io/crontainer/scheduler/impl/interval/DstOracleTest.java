package io.crontainer.scheduler.impl.interval;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Checks the segment walk of {@link CronInterval#next} against a brute-force oracle: the DST policy
 * written down directly, instant by instant (every minute), around real zone transitions. The oracle
 * shares only the parsed field sets with the code under test, not its walk.
 */
class DstOracleTest {
	private static final String[] EXPRESSIONS = { "30 2 * * *", "0,30 2 * * *", "*/30 * * * *", "0 * * * *",
			"15 1-3 * * *", "*/7 2 * * *", "0 0 * * *", "59 1 * * *", "0 3 * * *", "45 * * * *", "0 2,3 * * *",
			"5 2 * * 0", "*/15 0-4 * * *", "0 0 12 * * ?", "0 30 2 ? * SUN", "0 0/20 * * * ?" };

	static List<Arguments> cases() {
		List<Arguments> cases = new ArrayList<>();
		String[][] transitions = { { "Europe/Berlin", "2024-03-31T01:00:00Z" }, { "Europe/Berlin", "2024-10-27T01:00:00Z" },
				{ "America/New_York", "2024-03-10T07:00:00Z" }, { "America/New_York", "2024-11-03T06:00:00Z" },
				{ "America/Sao_Paulo", "2018-11-04T03:00:00Z" }, { "America/Sao_Paulo", "2019-02-17T02:00:00Z" },
				{ "Australia/Lord_Howe", "2024-10-05T15:30:00Z" }, { "Australia/Lord_Howe", "2024-04-06T15:00:00Z" },
				{ "Pacific/Apia", "2011-12-30T10:00:00Z" } };
		for (String expression : EXPRESSIONS) {
			for (String[] t : transitions) {
				cases.add(Arguments.of(expression, t[0], t[1]));
			}
		}
		return cases;
	}

	@ParameterizedTest(name = "{0} in {1} around {2}")
	@MethodSource("cases")
	void nextAgreesWithTheOracle(String expression, String zoneId, String transition) throws Exception {
		ZoneId zone = ZoneId.of(zoneId);
		Instant around = Instant.parse(transition);
		CronInterval interval = (CronInterval) Intervals.parse(expression, zone, "p", around);
		Instant from = around.minusSeconds(4 * 3600);
		Instant to = around.plusSeconds(4 * 3600);
		List<Instant> fires = new Oracle(interval.schedule(), zone).fires(from, to.plusSeconds(8 * 86_400));
		int k = 0;
		for (Instant t = from; t.isBefore(to); t = t.plusSeconds(60)) {
			Instant[] afters = t.getEpochSecond() % 300 == 0 ? new Instant[] { t, t.plusSeconds(30) } : new Instant[] { t };
			for (Instant after : afters) {
				while (k < fires.size() && !fires.get(k).isAfter(after)) {
					k++;
				}
				Optional<ZonedDateTime> next = interval.next(after);
				if (k < fires.size()) {
					assertThat(next).as("after %s", after).isPresent();
					assertThat(next.get().toInstant()).as("after %s", after).isEqualTo(fires.get(k));
				}
			}
		}
	}

	/** The policy, one minute at a time. */
	private record Oracle(Schedule schedule, ZoneId zone) {
		boolean matches(LocalDateTime local) {
			return local.getSecond() == 0 && Schedule.bit(schedule.seconds, 0)
					&& Schedule.bit(schedule.minutes, local.getMinute()) && Schedule.bit(schedule.hours, local.getHour())
					&& Schedule.bit(schedule.months, local.getMonthValue()) && schedule.days.matches(local.toLocalDate());
		}

		boolean fires(Instant t) {
			ZoneRules rules = zone.getRules();
			LocalDateTime local = LocalDateTime.ofInstant(t, zone);
			boolean fixed = !schedule.wildcard;
			if (matches(local)) {
				ZoneOffsetTransition overlap = rules.getTransition(local);
				boolean secondPass = overlap != null && rules.getOffset(t).equals(overlap.getOffsetAfter());
				if (!(fixed && secondPass && dst(overlap))) {
					return true;
				}
			}
			ZoneOffsetTransition previous = rules.previousTransition(t.plusSeconds(1));
			if (fixed && previous != null && previous.getInstant().equals(t) && previous.isGap() && dst(previous)) {
				for (LocalDateTime l = previous.getDateTimeBefore(); l.isBefore(previous.getDateTimeAfter()); l = l
						.plusMinutes(1)) {
					if (matches(l)) {
						return true;
					}
				}
			}
			return false;
		}

		private static boolean dst(ZoneOffsetTransition transition) {
			return transition.getDuration().abs().compareTo(CronInterval.DST_LIMIT) <= 0;
		}

		/** Every fire time from {@code from} to {@code to}, minute by minute. */
		List<Instant> fires(Instant from, Instant to) {
			List<Instant> fires = new ArrayList<>();
			for (Instant t = from; t.isBefore(to); t = t.plusSeconds(60)) {
				if (fires(t)) {
					fires.add(t);
				}
			}
			return fires;
		}
	}
}
