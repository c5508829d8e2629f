package io.crontainer.scheduler.impl.interval;

import static io.crontainer.scheduler.impl.interval.Schedule.bit;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * Which days a schedule fires on: the day-of-month and day-of-week fields together. Immutable and
 * thread-safe.
 */
sealed interface DayRule {

	/** Whether the schedule may fire on this local date (its month and year are checked elsewhere). */
	boolean matches(LocalDate date);

	/** An English phrase for the days, such as "on Monday through Friday" or "every day". */
	String describe();

	/** Whether every day matches. */
	boolean everyDay();

	/**
	 * The day rule of a 5-field crontab line (Vixie cron, cronie): when both the day-of-month and
	 * the day-of-week fields are restricted, a day matches if <em>either</em> matches; when either
	 * field starts with {@code *}, both must match.
	 *
	 * @param daysOfMonth bits 1-31
	 * @param daysOfWeek bits 0-6, 0 = Sunday
	 * @param domStar whether the day-of-month field starts with {@code *}
	 * @param dowStar whether the day-of-week field starts with {@code *}
	 */
	record Crontab(long daysOfMonth, int daysOfWeek, boolean domStar, boolean dowStar) implements DayRule {
		static final long ALL_DAYS_OF_MONTH = 0xFFFF_FFFEL; // 1-31
		static final int ALL_DAYS_OF_WEEK = 0x7F;

		@Override
		public boolean matches(LocalDate date) {
			boolean dom = bit(daysOfMonth, date.getDayOfMonth());
			boolean dow = bit(daysOfWeek, date.getDayOfWeek().getValue() % 7);
			return domStar || dowStar ? dom && dow : dom || dow;
		}

		private boolean allDom() {
			return daysOfMonth == ALL_DAYS_OF_MONTH;
		}

		private boolean allDow() {
			return daysOfWeek == ALL_DAYS_OF_WEEK;
		}

		@Override
		public boolean everyDay() {
			return domStar || dowStar ? allDom() && allDow() : allDom() || allDow();
		}

		@Override
		public String describe() {
			if (everyDay()) {
				return "every day";
			}
			String dom = "on day-of-month " + Describer.numbers(daysOfMonth, 1, 31);
			String dow = "on " + Describer.weekdays(daysOfWeek);
			if (domStar || dowStar) {
				if (allDom()) {
					return dow;
				}
				if (allDow()) {
					return dom;
				}
				return dom + ", but only when it falls on " + Describer.weekdays(daysOfWeek);
			}
			return dom + ", or on every " + Describer.weekdays(daysOfWeek) + " (either one matches, as in cron)";
		}
	}

	/**
	 * Quartz's day-of-month field (day-of-week is {@code ?}).
	 *
	 * @param days plain days, bits 1-31
	 * @param lastOffsets {@code L} (offset 0) and {@code L-n}: bit n
	 * @param nearestWeekdays {@code nW}: bit n
	 * @param lastWeekdayOffsets {@code LW} (offset 0) and {@code L-nW}: bit n
	 */
	record QuartzDaysOfMonth(long days, long lastOffsets, long nearestWeekdays, long lastWeekdayOffsets)
			implements DayRule {

		@Override
		public boolean matches(LocalDate date) {
			int d = date.getDayOfMonth();
			int length = date.lengthOfMonth();
			if (bit(days, d) || bit(lastOffsets, length - d)) {
				return true;
			}
			for (int n = Schedule.nextBit(nearestWeekdays, 1); n >= 0; n = Schedule.nextBit(nearestWeekdays, n + 1)) {
				if (n <= length && nearestWeekday(date, n) == d) {
					return true;
				}
			}
			for (int n = Schedule.nextBit(lastWeekdayOffsets, 0); n >= 0; n = Schedule.nextBit(lastWeekdayOffsets,
					n + 1)) {
				if (length - n >= 1 && nearestWeekday(date, length - n) == d) {
					return true;
				}
			}
			return false;
		}

		/**
		 * Quartz {@code W}: the weekday (Monday-Friday) nearest to day {@code base} of the date's
		 * month, never crossing into another month.
		 */
		static int nearestWeekday(LocalDate date, int base) {
			DayOfWeek dow = date.withDayOfMonth(base).getDayOfWeek();
			int length = date.lengthOfMonth();
			if (dow == DayOfWeek.SATURDAY) {
				return base == 1 ? 3 : base - 1;
			}
			if (dow == DayOfWeek.SUNDAY) {
				return base == length ? base - 2 : base + 1;
			}
			return base;
		}

		@Override
		public boolean everyDay() {
			return days == Crontab.ALL_DAYS_OF_MONTH;
		}

		@Override
		public String describe() {
			if (everyDay()) {
				return "every day";
			}
			List<String> items = new ArrayList<>();
			if (days != 0) {
				items.add((Long.bitCount(days) == 1 ? "day " : "days ") + Describer.numbers(days, 1, 31));
			}
			for (int n = Schedule.nextBit(lastOffsets, 0); n >= 0; n = Schedule.nextBit(lastOffsets, n + 1)) {
				items.add(n == 0 ? "the last day" : "the day " + n + (n == 1 ? " day" : " days") + " before the last day");
			}
			for (int n = Schedule.nextBit(nearestWeekdays, 1); n >= 0; n = Schedule.nextBit(nearestWeekdays, n + 1)) {
				items.add("the weekday nearest day " + n);
			}
			for (int n = Schedule.nextBit(lastWeekdayOffsets, 0); n >= 0; n = Schedule.nextBit(lastWeekdayOffsets,
					n + 1)) {
				items.add(n == 0 ? "the last weekday"
						: "the weekday nearest the day " + n + (n == 1 ? " day" : " days") + " before the last day");
			}
			return "on " + Describer.join(items) + " of the month";
		}
	}

	/**
	 * Quartz's day-of-week field (day-of-month is {@code ?}).
	 *
	 * @param daysOfWeek bits 0-6, 0 = Sunday
	 * @param nth {@code d#n}: the n-th such day of the month (1-5); 0 if not used
	 * @param last {@code dL}: the last such day of the month
	 */
	record QuartzDaysOfWeek(int daysOfWeek, int nth, boolean last) implements DayRule {

		@Override
		public boolean matches(LocalDate date) {
			if (!bit(daysOfWeek, date.getDayOfWeek().getValue() % 7)) {
				return false;
			}
			if (nth > 0) {
				return (date.getDayOfMonth() - 1) / 7 + 1 == nth;
			}
			if (last) {
				return date.getDayOfMonth() + 7 > date.lengthOfMonth();
			}
			return true;
		}

		@Override
		public boolean everyDay() {
			return nth == 0 && !last && daysOfWeek == Crontab.ALL_DAYS_OF_WEEK;
		}

		@Override
		public String describe() {
			if (everyDay()) {
				return "every day";
			}
			String day = Describer.weekdays(daysOfWeek);
			if (nth > 0) {
				return "on the " + Describer.ordinal(nth) + " " + day + " of the month";
			}
			if (last) {
				return "on the last " + day + " of the month";
			}
			return "on " + Describer.weekdays(daysOfWeek);
		}
	}
}
