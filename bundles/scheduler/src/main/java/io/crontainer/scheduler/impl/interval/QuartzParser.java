package io.crontainer.scheduler.impl.interval;

import java.util.BitSet;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses a Quartz cron expression: second minute hour day-of-month month day-of-week [year], with
 * the grammar and rules of Quartz's {@code CronExpression} (2.5): {@code ?}, {@code L}, {@code L-n},
 * {@code LW}, {@code nW}, {@code nL}, {@code n#k}, ranges that wrap around (hours {@code 17-0}),
 * {@code a/n} for {@code a}-to-the-end every n. Day-of-week runs 1 (SUN) to 7 (SAT).
 */
final class QuartzParser {
	static final Field SECOND = new Field("second", 0, 59);
	static final Field MINUTE = new Field("minute", 0, 59);
	static final Field HOUR = new Field("hour", 0, 23);
	static final Field DAY_OF_MONTH = new Field("day-of-month", 1, 31);
	static final Field MONTH = new Field("month", 1, 12, Field.MONTH_NAMES, 1);
	static final Field DAY_OF_WEEK = new Field("day-of-week", 1, 7, Field.DAY_NAMES, 1);
	static final Field YEAR = new Field("year", 1970, 2099);
	private static final Pattern LAST_DAY = Pattern.compile("L(?:-(\\d{1,2}))?(W?)");
	private static final Pattern NEAREST_WEEKDAY = Pattern.compile("(\\d{1,2})W");
	private static final Pattern NTH = Pattern.compile("(\\w+)#(\\d+)");
	private static final Pattern LAST_OF = Pattern.compile("(\\w+)L");
	private static final Pattern EVERY_FROM_ZERO = Pattern.compile("0?/\\d+");

	private QuartzParser() {
	}

	/**
	 * @param fields six or seven fields
	 * @throws IllegalArgumentException If a field is invalid; the message says which and why.
	 */
	static Schedule parse(String[] fields) {
		String[] f = new String[fields.length];
		for (int i = 0; i < f.length; i++) {
			f[i] = fields[i].toUpperCase(Locale.ROOT);
		}
		for (int i : new int[] { 0, 1, 2, 4, 6 }) {
			if (i < f.length && f[i].contains("?")) {
				throw new IllegalArgumentException("'?' is allowed only in day-of-month or day-of-week" + awsHint(fields));
			}
		}
		boolean domNone = f[3].equals("?");
		boolean dowNone = f[5].equals("?");
		if (domNone == dowNone) {
			throw new IllegalArgumentException(domNone
					? "day-of-month and day-of-week are both '?'; Quartz needs exactly one of them to be '?'"
							+ " (for every day write " + quote(fields, 3, "*") + ")"
					: "Quartz cannot combine a day-of-month with a day-of-week: one of them must be '?'"
							+ (f[5].equals("*") ? " (Spring and NCRONTAB accept '*' here; in Quartz that is "
									+ quote(fields, 5, "?") + ")"
									: f[3].equals("*") ? " (Spring and NCRONTAB accept '*' here; in Quartz that is "
											+ quote(fields, 3, "?") + ")"
											: " (Spring would require both to match, cron either; say which with one"
													+ " interval per rule)"));
		}
		long seconds = values(SECOND, f[0]);
		long minutes = values(MINUTE, f[1]);
		long hours = values(HOUR, f[2]);
		int months = (int) values(MONTH, f[4]);
		BitSet years = null;
		if (f.length == 7 && !f[6].equals("*")) {
			years = years(f[6]);
		}
		DayRule days = domNone ? daysOfWeek(f[5]) : daysOfMonth(f[3]);
		boolean wildcard = starLike(f[1]) || starLike(f[2]);
		return new Schedule(seconds, minutes, hours, months, years, days, wildcard);
	}

	/** {@code *}, {@code * /n}, {@code /n} and {@code 0/n} all mean "from the start of the range". */
	private static boolean starLike(String field) {
		return field.startsWith("*") || field.indexOf('/') >= 0 && EVERY_FROM_ZERO.matcher(field).matches();
	}

	private static String quote(String[] fields, int index, String replacement) {
		String[] copy = fields.clone();
		copy[index] = replacement;
		return "'" + String.join(" ", copy) + "'";
	}

	private static String awsHint(String[] fields) {
		if (fields.length == 6 && (fields[2].equals("?") || fields[4].equals("?"))) {
			return "; this looks like an AWS EventBridge expression (minutes first, year last), which in Quartz is '0 "
					+ String.join(" ", fields) + "'";
		}
		return "";
	}

	private static long values(Field field, String text) {
		long mask = 0;
		for (String element : field.elements(text)) {
			mask |= range(field, element);
		}
		return mask;
	}

	/** {@code *}, {@code a}, {@code a-b} (wrapping if b < a), each optionally /n; {@code a/n} runs to the end. */
	private static long range(Field field, String element) {
		int slash = element.indexOf('/');
		String base = slash < 0 ? element : element.substring(0, slash);
		int step = 1;
		if (slash >= 0) {
			step = field.step(element.substring(slash + 1));
			if (step > field.high()) { // Quartz: CronExpression.checkIncrementRange
				throw field.bad("step " + step + " is larger than " + field.high());
			}
		}
		int from;
		int to;
		if (base.equals("*") || base.isEmpty() && slash >= 0) {
			from = field.low();
			to = field.high();
		} else {
			int dash = base.indexOf('-');
			if (dash < 0) {
				from = field.value(base);
				to = slash < 0 ? from : field.high();
			} else {
				from = field.value(base.substring(0, dash));
				to = field.value(base.substring(dash + 1));
			}
		}
		int size = field.high() - field.low() + 1;
		if (to < from) {
			to += size; // Quartz: a range that ends before it starts wraps around
		}
		long mask = 0;
		for (int i = from; i <= to; i += step) {
			mask |= 1L << (i > field.high() ? i - size : i);
		}
		return mask;
	}

	/** Years: like {@link #range} but 1970-2099, which does not fit a long, and never wrapping. */
	private static BitSet years(String text) {
		BitSet years = new BitSet();
		for (String element : YEAR.elements(text)) {
			int slash = element.indexOf('/');
			String base = slash < 0 ? element : element.substring(0, slash);
			int step = slash < 0 ? 1 : YEAR.step(element.substring(slash + 1));
			int from;
			int to;
			if (base.equals("*") || base.isEmpty() && slash >= 0) {
				from = YEAR.low();
				to = YEAR.high();
			} else {
				int dash = base.indexOf('-');
				from = YEAR.value(dash < 0 ? base : base.substring(0, dash));
				to = dash >= 0 ? YEAR.value(base.substring(dash + 1)) : slash < 0 ? from : YEAR.high();
				if (to < from) {
					throw YEAR.bad("'" + base + "' is a descending range");
				}
			}
			for (int y = from; y <= to; y += step) {
				years.set(y);
			}
		}
		return years;
	}

	private static DayRule daysOfMonth(String text) {
		long days = 0;
		long lastOffsets = 0;
		long nearest = 0;
		long lastWeekday = 0;
		for (String element : DAY_OF_MONTH.elements(text)) {
			if (element.indexOf('L') < 0 && element.indexOf('W') < 0) { // the common case: no regex asked
				days |= range(DAY_OF_MONTH, element);
				continue;
			}
			Matcher last = LAST_DAY.matcher(element);
			Matcher weekday = NEAREST_WEEKDAY.matcher(element);
			if (last.matches()) {
				int offset = last.group(1) == null ? 0 : Integer.parseInt(last.group(1));
				if (offset > 30) {
					throw DAY_OF_MONTH.bad("'" + element + "': the offset from the last day must be 30 or less");
				}
				if (last.group(2).isEmpty()) {
					lastOffsets |= 1L << offset;
				} else {
					lastWeekday |= 1L << offset;
				}
			} else if (weekday.matches()) {
				nearest |= 1L << DAY_OF_MONTH.value(weekday.group(1));
			} else if (element.contains("L") || element.contains("W")) {
				throw DAY_OF_MONTH.bad("'" + element + "' is not L, L-n, LW, L-nW or nW");
			} else {
				days |= range(DAY_OF_MONTH, element);
			}
		}
		return new DayRule.QuartzDaysOfMonth(days, lastOffsets, nearest, lastWeekday);
	}

	private static DayRule daysOfWeek(String text) {
		String[] elements = DAY_OF_WEEK.elements(text);
		if (elements.length == 1) {
			String element = elements[0];
			Matcher nth = NTH.matcher(element);
			if (nth.matches()) {
				int day = DAY_OF_WEEK.value(nth.group(1));
				int n = Integer.parseInt(nth.group(2).length() > 2 ? "0" : nth.group(2));
				if (n < 1 || n > 5) {
					throw DAY_OF_WEEK.bad("'" + element + "': a number from 1 to 5 must follow '#'");
				}
				return new DayRule.QuartzDaysOfWeek(1 << (day - 1), n, false);
			}
			if (element.equals("L")) {
				return new DayRule.QuartzDaysOfWeek(1 << 6, 0, false); // Quartz: 'L' alone is 7, Saturday
			}
			Matcher last = LAST_OF.matcher(element);
			if (last.matches()) {
				return new DayRule.QuartzDaysOfWeek(1 << (DAY_OF_WEEK.value(last.group(1)) - 1), 0, true);
			}
		}
		int mask = 0;
		for (String element : elements) {
			if (element.contains("L") || element.contains("#")) {
				throw DAY_OF_WEEK.bad("'" + text + "': 'L' and '#' cannot be combined with other days in a list");
			}
			long quartz = range(DAY_OF_WEEK, element); // bits 1-7, 1 = Sunday
			mask |= (int) (quartz >>> 1);
		}
		return new DayRule.QuartzDaysOfWeek(mask, 0, false);
	}
}
