package io.crontainer.scheduler.impl.interval;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.YearMonth;
import java.util.BitSet;

/**
 * A normalised interval: the set of allowed values of each field and the rule that selects days,
 * and a walk over the local calendar that finds the first matching local date-time.
 *
 * <p>
 * The walk goes field by field (year, month, day, hour, minute, second), never minute by minute, so
 * finding a fire time a year away costs a few hundred steps. It knows nothing of time zones: the
 * mapping of local date-times to instants is {@link CronInterval}'s job. Immutable and thread-safe.
 */
final class Schedule {
	/** How far the walk looks ahead: 400 years, the Gregorian calendar's full cycle. */
	static final int HORIZON_YEARS = 400;

	final long seconds; // bits 0-59
	final long minutes; // bits 0-59
	final long hours; // bits 0-23
	final int months; // bits 1-12
	private final BitSet years; // bit = year; null: every year
	final DayRule days;
	/**
	 * cronie's wildcard job: the minute or the hour field starts with {@code *}. A wildcard job
	 * follows the wall clock through DST changes; any other job is a fixed-time job.
	 */
	final boolean wildcard;

	Schedule(long seconds, long minutes, long hours, int months, BitSet years, DayRule days, boolean wildcard) {
		this.seconds = seconds;
		this.minutes = minutes;
		this.hours = hours;
		this.months = months;
		this.years = years == null ? null : (BitSet) years.clone();
		this.days = days;
		this.wildcard = wildcard;
	}

	/** The years allowed, or {@code null} for every year. A copy. */
	BitSet years() {
		return years == null ? null : (BitSet) years.clone();
	}

	/** The last year this schedule can fire in, or {@link Integer#MAX_VALUE}. */
	int lastYear() {
		return years == null ? Integer.MAX_VALUE : years.length() - 1;
	}

	/**
	 * Finds the first local date-time at or after {@code from} that matches every field.
	 *
	 * @param from The earliest candidate, whole seconds (its nanoseconds are ignored).
	 * @param maxYear The last year searched, inclusive.
	 * @return The match, or {@code null} if there is none up to the end of {@code maxYear}.
	 */
	LocalDateTime firstAtOrAfter(LocalDateTime from, int maxYear) {
		int y = from.getYear();
		int mo = from.getMonthValue();
		int d = from.getDayOfMonth();
		int h = from.getHour();
		int mi = from.getMinute();
		int s = from.getSecond();
		int last = Math.min(maxYear, lastYear());
		while (y <= last) {
			if (years != null && !years.get(y)) {
				int ny = years.nextSetBit(y + 1);
				if (ny < 0) {
					return null;
				}
				y = ny;
				mo = 1;
				d = 1;
				h = mi = s = 0;
				continue;
			}
			int m2 = nextBit(months, mo);
			if (m2 < 0) {
				y++;
				mo = 1;
				d = 1;
				h = mi = s = 0;
				continue;
			}
			if (m2 != mo) {
				mo = m2;
				d = 1;
				h = mi = s = 0;
			}
			int length = YearMonth.of(y, mo).lengthOfMonth();
			int d2 = -1;
			for (int dd = d; dd <= length; dd++) {
				if (days.matches(LocalDate.of(y, mo, dd))) {
					d2 = dd;
					break;
				}
			}
			if (d2 < 0) {
				mo++;
				d = 1;
				h = mi = s = 0;
				if (mo > 12) {
					y++;
					mo = 1;
				}
				continue;
			}
			if (d2 != d) {
				d = d2;
				h = mi = s = 0;
			}
			LocalTime t = firstTime(h, mi, s);
			if (t != null) {
				return LocalDateTime.of(y, mo, d, t.getHour(), t.getMinute(), t.getSecond());
			}
			d++;
			h = mi = s = 0;
			if (d > length) {
				d = 1;
				mo++;
				if (mo > 12) {
					y++;
					mo = 1;
				}
			}
		}
		return null;
	}

	private LocalTime firstTime(int h, int mi, int s) {
		for (int hh = nextBit(hours, h); hh >= 0; hh = nextBit(hours, hh + 1)) {
			int m0 = hh == h ? mi : 0;
			for (int mm = nextBit(minutes, m0); mm >= 0; mm = nextBit(minutes, mm + 1)) {
				int s0 = hh == h && mm == mi ? s : 0;
				int ss = nextBit(seconds, s0);
				if (ss >= 0) {
					return LocalTime.of(hh, mm, ss);
				}
			}
		}
		return null;
	}

	/** The lowest set bit at index {@code from} or above, or -1. */
	static int nextBit(long mask, int from) {
		if (from >= 64) {
			return -1;
		}
		long m = mask & (-1L << from);
		return m == 0 ? -1 : Long.numberOfTrailingZeros(m);
	}

	static boolean bit(long mask, int i) {
		return i >= 0 && i < 64 && (mask & (1L << i)) != 0;
	}
}
