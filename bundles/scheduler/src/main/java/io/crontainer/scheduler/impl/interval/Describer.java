package io.crontainer.scheduler.impl.interval;

import static io.crontainer.scheduler.impl.interval.Schedule.nextBit;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * Writes an English description of a {@link Schedule} that does not mislead: weekdays and values are
 * listed explicitly (a step over a range is spelled out, never rounded to "every n"), and the
 * crontab day-of-month OR day-of-week rule is said out loud. Stateless.
 */
final class Describer {
	private static final String[] WEEKDAYS = { "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
			"Saturday" };
	private static final String[] MONTHS = { null, "January", "February", "March", "April", "May", "June", "July",
			"August", "September", "October", "November", "December" };
	private static final String[] ORDINALS = { null, "first", "second", "third", "fourth", "fifth" };
	private static final long ALL_SIXTY = (1L << 60) - 1;
	private static final long ALL_HOURS = (1L << 24) - 1;
	private static final int ALL_MONTHS = 0x1FFE;

	private Describer() {
	}

	/** Describes a schedule, e.g. "at 09:00, on Monday through Friday". */
	static String describe(Schedule s) {
		List<String> parts = new ArrayList<>();
		String time = time(s);
		parts.add(time);
		if (!s.days.everyDay() || time.matches("at \\d.*")) {
			parts.add(s.days.describe());
		}
		if (s.months != ALL_MONTHS) {
			parts.add("in " + months(s.months));
		}
		BitSet years = s.years();
		if (years != null) {
			parts.add((years.cardinality() == 1 ? "in " : "in the years ") + numbers(years));
		}
		return String.join(", ", parts);
	}

	/**
	 * {@code HH:MM}, or {@code HH:MM:SS} when the second is not 0. Not {@code String.format}: every
	 * interval is described as it is parsed, and in a profile of 10,000 plugins registered the
	 * description was two thirds of the parsing, mostly in {@code Formatter}.
	 */
	private static String clock(int h, int m, int sec) {
		StringBuilder sb = new StringBuilder(8);
		twoDigits(sb, h).append(':');
		twoDigits(sb, m);
		if (sec != 0) {
			twoDigits(sb.append(':'), sec);
		}
		return sb.toString();
	}

	private static StringBuilder twoDigits(StringBuilder sb, int value) {
		return (value < 10 ? sb.append('0') : sb).append(value);
	}

	private static String time(Schedule s) {
		int ns = Long.bitCount(s.seconds);
		int nm = Long.bitCount(s.minutes);
		int nh = Long.bitCount(s.hours);
		if (ns == 1 && nm * nh <= 6 && s.hours != ALL_HOURS) {
			List<String> times = new ArrayList<>();
			int sec = nextBit(s.seconds, 0);
			for (int h = nextBit(s.hours, 0); h >= 0; h = nextBit(s.hours, h + 1)) {
				for (int m = nextBit(s.minutes, 0); m >= 0; m = nextBit(s.minutes, m + 1)) {
					times.add(clock(h, m, sec));
				}
			}
			return "at " + join(times);
		}
		List<String> parts = new ArrayList<>();
		if (s.seconds == ALL_SIXTY) {
			parts.add("every second");
		} else if (s.seconds != 1L) {
			parts.add(every(s.seconds, 60, "second"));
		}
		if (s.minutes == ALL_SIXTY) {
			if (parts.isEmpty()) {
				parts.add("every minute");
			} else if (ns == 1) {
				parts.set(0, parts.get(0) + " of every minute");
			}
		} else {
			String minutes = parts.isEmpty() ? every(s.minutes, 60, "minute")
					: "during " + (nm == 1 ? "minute " : "minutes ") + numbers(s.minutes, 0, 59);
			if (s.hours == ALL_HOURS && !minutes.startsWith("every")) {
				minutes += " of every hour";
			}
			parts.add(minutes);
		}
		if (s.hours != ALL_HOURS) {
			String hours = (nh == 1 ? "hour " : "hours ") + numbers(s.hours, 0, 23);
			int last = parts.size() - 1;
			if (parts.get(last).startsWith("during minute")) {
				parts.set(last, parts.get(last) + " of " + hours);
			} else {
				parts.add((nm == 1 && s.seconds == 1L ? "past " : "during ") + hours);
			}
		}
		return String.join(", ", parts);
	}

	/** "every 15 minutes", "at minute 5", "at minutes 0, 7, 14, ..., 56". */
	private static String every(long mask, int size, String unit) {
		int n = Long.bitCount(mask);
		int first = nextBit(mask, 0);
		int step = n > 1 ? nextBit(mask, first + 1) - first : 0;
		if (n > 1 && first == 0 && size % step == 0 && n == size / step && progression(mask, first, step)) {
			return "every " + step + " " + unit + "s";
		}
		return "at " + unit + (n == 1 ? " " : "s ") + numbers(mask, 0, size - 1);
	}

	private static boolean progression(long mask, int first, int step) {
		int n = Long.bitCount(mask);
		for (int i = 0, v = first; i < n; i++, v += step) {
			if (!Schedule.bit(mask, v)) {
				return false;
			}
		}
		return true;
	}

	/** Lists the values in a mask: "1 to 7", "0 to 7 and 17 to 23", "1, 3, 5, ..., 31". */
	static String numbers(long mask, int lo, int hi) {
		List<Integer> values = new ArrayList<>();
		for (int v = nextBit(mask, lo); v >= 0 && v <= hi; v = nextBit(mask, v + 1)) {
			values.add(v);
		}
		return numbers(values);
	}

	private static String numbers(BitSet set) {
		List<Integer> values = new ArrayList<>();
		set.stream().forEach(values::add);
		return numbers(values);
	}

	private static String numbers(List<Integer> values) {
		int n = values.size();
		if (n >= 5) {
			int step = values.get(1) - values.get(0);
			boolean ap = step > 1;
			for (int i = 2; ap && i < n; i++) {
				ap = values.get(i) - values.get(i - 1) == step;
			}
			if (ap) {
				return values.get(0) + ", " + values.get(1) + ", " + values.get(2) + ", ..., " + values.get(n - 1);
			}
		}
		List<String> items = new ArrayList<>();
		for (int i = 0; i < n;) {
			int j = i;
			while (j + 1 < n && values.get(j + 1) == values.get(j) + 1) {
				j++;
			}
			if (j - i >= 2) {
				items.add(values.get(i) + " to " + values.get(j));
			} else {
				for (int k = i; k <= j; k++) {
					items.add(values.get(k).toString());
				}
			}
			i = j + 1;
		}
		return join(items);
	}

	/** Lists the weekdays in a mask (bits 0-6, 0 = Sunday): "Monday through Friday". */
	static String weekdays(int mask) {
		return names(mask, 0, 6, WEEKDAYS);
	}

	/** Lists the months in a mask (bits 1-12): "January through March and December". */
	static String months(int mask) {
		return names(mask, 1, 12, MONTHS);
	}

	private static String names(long mask, int lo, int hi, String[] names) {
		List<String> items = new ArrayList<>();
		for (int i = lo; i <= hi;) {
			if (!Schedule.bit(mask, i)) {
				i++;
				continue;
			}
			int j = i;
			while (j + 1 <= hi && Schedule.bit(mask, j + 1)) {
				j++;
			}
			if (j - i >= 2) {
				items.add(names[i] + " through " + names[j]);
			} else {
				for (int k = i; k <= j; k++) {
					items.add(names[k]);
				}
			}
			i = j + 1;
		}
		return join(items);
	}

	static String ordinal(int n) {
		return ORDINALS[n];
	}

	/** "a", "a and b", "a, b and c". */
	static String join(List<String> items) {
		int n = items.size();
		if (n == 0) {
			return "";
		}
		if (n == 1) {
			return items.get(0);
		}
		return String.join(", ", items.subList(0, n - 1)) + " and " + items.get(n - 1);
	}
}
