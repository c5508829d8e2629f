package io.crontainer.scheduler.impl.interval;

import java.time.LocalDateTime;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the five fields of a crontab line (minute hour day-of-month month day-of-week) with the
 * grammar of cronie's {@code entry.c}, plus three extensions: {@code ?} (the field's value when the
 * schedule is created), Jenkins' {@code H}, and a step after a single value ({@code 1/3}: from 1 to
 * the end of the field's range, as Kubernetes (robfig/cron), Quartz, croniter and cron-utils read
 * it; cronie refuses it). The rules are those of {@code bundles/scheduler/INTERVALS.md}.
 */
final class CrontabParser {
	static final Field MINUTE = new Field("minute", 0, 59);
	static final Field HOUR = new Field("hour", 0, 23);
	static final Field DAY_OF_MONTH = new Field("day-of-month", 1, 31);
	static final Field MONTH = new Field("month", 1, 12, Field.MONTH_NAMES, 1);
	static final Field DAY_OF_WEEK = new Field("day-of-week", 0, 7, Field.DAY_NAMES, 0);
	private static final Pattern HASH = Pattern.compile("H(?:\\((\\d{1,9})-(\\d{1,9})\\))?(?:/(\\d{1,9}))?");

	private CrontabParser() {
	}

	/**
	 * @param fields the five fields
	 * @param created the creation time in the interval's zone, for {@code ?}
	 * @param hash the source of {@code H} values
	 * @throws IllegalArgumentException If a field is invalid; the message says which and why.
	 */
	static Schedule parse(String[] fields, LocalDateTime created, JenkinsHash hash) {
		long minutes = field(MINUTE, fields[0], created.getMinute(), hash);
		long hours = field(HOUR, fields[1], created.getHour(), hash);
		long dom = field(DAY_OF_MONTH, fields[2], created.getDayOfMonth(), hash);
		long months = field(MONTH, fields[3], created.getMonthValue(), hash);
		long dow = field(DAY_OF_WEEK, fields[4], created.getDayOfWeek().getValue() % 7, hash);
		if ((dow & (1L << 7)) != 0) {
			dow = (dow | 1) & 0x7F; // cronie: 0 and 7 are both Sunday
		}
		DayRule days = new DayRule.Crontab(dom, (int) dow, fields[2].startsWith("*"), fields[4].startsWith("*"));
		boolean wildcard = starLike(fields[0]) || starLike(fields[1]);
		return new Schedule(1L, minutes, hours, (int) months, null, days, wildcard);
	}

	private static long field(Field field, String text, int createdValue, JenkinsHash hash) {
		if (text.equals("?")) {
			return 1L << createdValue;
		}
		long mask = 0;
		for (String element : field.elements(text)) {
			mask |= element.startsWith("H") ? hash(field, element, hash) : range(field, element);
		}
		return mask;
	}

	/**
	 * cronie: {@code *} or number or number-number, then optionally /step; and, as Kubernetes reads it,
	 * number/step: from the number to the end of the field's range (day-of-week: to 6, Saturday).
	 */
	private static long range(Field field, String element) {
		int slash = element.indexOf('/');
		String base = slash < 0 ? element : element.substring(0, slash);
		int step = slash < 0 ? 1 : field.step(element.substring(slash + 1));
		int from;
		int to;
		if (base.equals("*")) {
			from = field.low();
			to = field.high();
		} else {
			int dash = base.indexOf('-');
			if (dash < 0) {
				from = field.value(base);
				to = from;
				if (slash >= 0) {
					to = top(field);
					if (from > to) { // day-of-week 7/n: 7 is Sunday, the end of the week is 6
						throw field.bad("'" + element + "' steps from 7 (Sunday), after the end of the week (6, Saturday);"
								+ " write '0/" + step + "' to step from Sunday");
					}
				}
			} else {
				from = field.value(base.substring(0, dash));
				to = field.value(base.substring(dash + 1));
				if (from > to) {
					String start = base.substring(0, dash);
					throw field.bad("'" + base + "' is a descending range; crontab ranges do not wrap around (cronie"
							+ " rejects it): write '" + (field == DAY_OF_WEEK && to == 0 ? start + "-7' (7 is Sunday too)"
									: start + "-" + top(field) + "," + field.low() + "-" + base.substring(dash + 1) + "'"));
				}
			}
		}
		long mask = 0;
		for (int i = from; i <= to; i += step) {
			mask |= 1L << i;
		}
		return mask;
	}

	/**
	 * Whether a minute or hour field counts as a wildcard for the daylight saving time rule: it starts
	 * with {@code *} (cronie), or it is {@code 0/n}, which is {@code *}{@code /n} (as in Quartz).
	 */
	private static boolean starLike(String field) {
		return field.startsWith("*") || field.matches("0/\\d+");
	}

	private static int top(Field field) {
		return field == DAY_OF_WEEK ? 6 : field.high();
	}

	/**
	 * Jenkins: {@code H} is one value in the field's range, {@code H(a-b)} one value in a-b,
	 * {@code H/n} and {@code H(a-b)/n} every n-th value from a hashed start below n. The default
	 * range of day-of-month is 1-28 and of day-of-week 0-6, so every month and week has it.
	 */
	private static long hash(Field field, String element, JenkinsHash hash) {
		Matcher m = HASH.matcher(element);
		if (!m.matches()) {
			throw field.bad("'" + element + "' is not H, H(a-b), H/n or H(a-b)/n");
		}
		int from = field.low();
		int to = field == DAY_OF_MONTH ? 28 : field == DAY_OF_WEEK ? 6 : field.high();
		if (m.group(1) != null) {
			from = field.value(m.group(1));
			to = field.value(m.group(2));
			if (from > to) {
				throw field.bad("'" + element + "' has a descending range");
			}
		}
		int step = m.group(3) == null ? 1 : field.step(m.group(3));
		if (step > to - from + 1) {
			throw field.bad("'" + element + "': step " + step + " is larger than the range " + from + "-" + to);
		}
		long mask = 0;
		if (step > 1) {
			for (int i = from + hash.next(step); i <= to; i += step) {
				mask |= 1L << i;
			}
		} else {
			mask = 1L << (from + hash.next(to - from + 1));
		}
		return mask;
	}
}
