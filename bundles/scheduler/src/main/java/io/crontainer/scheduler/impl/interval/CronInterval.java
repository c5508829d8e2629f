package io.crontainer.scheduler.impl.interval;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.Objects;
import java.util.Optional;

/**
 * An interval with fire times: a {@link Schedule} in a time zone, with cronie's daylight saving
 * time policy.
 *
 * <p>
 * The fire times are defined on the local calendar and mapped to instants as cronie does:
 * <ul>
 * <li>a local date-time that occurs once is fired once;</li>
 * <li>in a fall-back overlap (a local time that occurs twice), a wildcard job (its minute or hour
 * field starts with {@code *}) fires at both instants, a fixed-time job only at the first (the
 * earlier offset);</li>
 * <li>in a spring-forward gap (a local time that does not occur), a wildcard job does not fire, and a
 * fixed-time job fires once at the end of the gap, the instant of the jump, however many of its
 * times the gap swallowed.</li>
 * </ul>
 * cronie treats a clock change of more than three hours (a zone moving across the date line, such
 * as Pacific/Apia skipping 2011-12-30) not as daylight saving time but as the clock being set: then
 * every job simply follows the wall clock, and the local times skipped do not fire.
 * <p>
 * cronie may run a fixed-time job once per matching minute a gap swallowed ({@code 0,30 2 * * *}
 * twice at the jump, as far as its catch-up loop gets); here it runs once, as the design says: two
 * runs at the same instant would hand the second an empty run window.
 * <p>
 * {@link #next(Instant)} walks the time line one offset segment at a time (between two zone
 * transitions the local time runs evenly), so fire times strictly increase and an occurrence is
 * never returned twice, whatever instant it is asked from. Immutable and thread-safe.
 */
final class CronInterval implements Interval {
	/** cronie: a clock change of up to three hours is a DST change ({@code 3 * MINUTE_COUNT} in cron.c). */
	static final Duration DST_LIMIT = Duration.ofHours(3);
	/** Beyond this no fire time is computed: the walk must stay within {@link LocalDateTime}'s range. */
	private static final Instant LAST = Instant.parse("+999999000-01-01T00:00:00Z");

	private final String expression;
	private final ZoneId zone;
	private final Schedule schedule;
	/**
	 * Written once it is first asked for, not at parsing: a plugin's arrival (and a registration of
	 * thousands) never pays for the English that only an operator reads. A race writes the same
	 * string twice, which is harmless: the schedule is immutable.
	 */
	private volatile String description;

	CronInterval(String expression, ZoneId zone, Schedule schedule) {
		this.expression = expression;
		this.zone = zone;
		this.schedule = schedule;
	}

	@Override
	public String expression() {
		return expression;
	}

	@Override
	public ZoneId zone() {
		return zone;
	}

	@Override
	public boolean reboot() {
		return false;
	}

	@Override
	public String description() {
		String text = description;
		if (text == null) {
			text = Describer.describe(schedule) + " (" + zone.getId() + ")";
			description = text;
		}
		return text;
	}

	Schedule schedule() {
		return schedule;
	}

	@Override
	public Optional<ZonedDateTime> next(Instant after) {
		Objects.requireNonNull(after, "after");
		if (after.isAfter(LAST)) {
			return Optional.empty();
		}
		ZoneRules rules = zone.getRules();
		Search search = new Search(LocalDateTime.ofInstant(after, ZoneOffset.UTC).getYear() + Schedule.HORIZON_YEARS);
		boolean fixed = !schedule.wildcard;
		Instant t = after;
		boolean inclusive = false;
		while (true) {
			ZoneOffset offset = rules.getOffset(t);
			ZoneOffsetTransition transition = rules.nextTransition(t);
			LocalDateTime local = LocalDateTime.ofInstant(t, offset);
			LocalDateTime from = inclusive && local.getNano() == 0 ? local
					: local.truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
			LocalDateTime end = transition == null ? null : transition.getDateTimeBefore();
			while (true) {
				LocalDateTime match = search.firstAtOrAfter(from);
				if (match == null) {
					return Optional.empty();
				}
				if (end != null && !match.isBefore(end)) {
					break;
				}
				ZoneOffsetTransition overlap = rules.getTransition(match);
				if (fixed && overlap != null && overlap.isOverlap() && offset.equals(overlap.getOffsetAfter())
						&& isDst(overlap)) {
					// cronie: a fixed-time job does not run again in the repeated hour
					from = overlap.getDateTimeBefore();
					continue;
				}
				return Optional.of(ZonedDateTime.ofInstant(match.toInstant(offset), zone));
			}
			if (transition.isGap() && fixed && isDst(transition)) {
				LocalDateTime skipped = search.firstAtOrAfter(transition.getDateTimeBefore());
				if (skipped != null && skipped.isBefore(transition.getDateTimeAfter())) {
					// cronie: a fixed-time job whose time was skipped runs right after the jump
					return Optional.of(ZonedDateTime.ofInstant(transition.getInstant(), zone));
				}
			}
			t = transition.getInstant();
			inclusive = true;
		}
	}

	private static boolean isDst(ZoneOffsetTransition transition) {
		return transition.getDuration().abs().compareTo(DST_LIMIT) <= 0;
	}

	/** The schedule's walk, remembering its last answer: zone transitions ask the same question often. */
	private final class Search {
		private final int maxYear;
		private LocalDateTime lastFrom;
		private LocalDateTime lastMatch;

		Search(int maxYear) {
			this.maxYear = maxYear;
		}

		LocalDateTime firstAtOrAfter(LocalDateTime from) {
			if (lastFrom != null && !from.isBefore(lastFrom) && (lastMatch == null || !from.isAfter(lastMatch))) {
				return lastMatch;
			}
			lastFrom = from;
			lastMatch = schedule.firstAtOrAfter(from, maxYear);
			return lastMatch;
		}
	}

	@Override
	public String toString() {
		return expression + " (" + zone.getId() + ")";
	}
}
