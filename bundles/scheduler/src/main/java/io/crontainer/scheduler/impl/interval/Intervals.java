package io.crontainer.scheduler.impl.interval;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.Month;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses intervals: crontab lines (5 fields, Vixie cron/cronie), their macros, {@code @every DURATION}
 * and Quartz cron expressions (6 or 7 fields). The syntax and its meaning are specified in
 * {@code bundles/scheduler/INTERVALS.md}. Thread-safe.
 */
public final class Intervals {
	/** cronie's macros (case-sensitive, as in cronie) and the crontab lines they stand for. */
	private static final Map<String, String> MACROS = new TreeMap<>(Map.of("@yearly", "0 0 1 1 *", "@annually",
			"0 0 1 1 *", "@monthly", "0 0 1 * *", "@weekly", "0 0 * * 0", "@daily", "0 0 * * *", "@midnight",
			"0 0 * * *", "@hourly", "0 * * * *"));
	private static final String REBOOT = "@reboot";
	/** {@code CRON_TZ=zone} or {@code TZ=zone} before the fields (Kubernetes, Jenkins, cronie's variable). */
	private static final Pattern ZONE_PREFIX = Pattern.compile("(?:CRON_)?TZ=(\\S+)\\s+(.*)");
	/** What separates fields: blanks and tabs. */
	private static final Pattern FIELD_SEPARATOR = Pattern.compile("[ \t]+");
	/** What no cron field contains: a character outside the syntax, or a word longer than "FRIL". */
	private static final Pattern NOT_CRON = Pattern.compile("[^0-9A-Za-z*?/,#\\- ]|[A-Za-z]{5}");

	private Intervals() {
	}

	/**
	 * Tells whether an interval's fire times depend on when its schedule was created: a five-field
	 * crontab expression with a {@code ?} field, which takes that field's value from the creation time.
	 * (In six or seven Quartz fields {@code ?} means "no specific value" and depends on nothing.)
	 *
	 * @param expression The crontab expression, verbatim. Must not be {@code null}.
	 * @return {@code true} if {@link #parse(String, ZoneId, String, Instant)}'s {@code createdAt} changes
	 *         its fire times.
	 */
	public static boolean usesCreationTime(String expression) {
		// Asked at every arrival: fields (runs of characters between blanks and tabs) counted in one pass.
		String line = expression.strip();
		int fields = 0;
		boolean question = false;
		int start = -1;
		for (int i = 0; i <= line.length(); i++) {
			boolean blank = i == line.length() || line.charAt(i) == ' ' || line.charAt(i) == '\t';
			if (!blank && start < 0) {
				start = i;
			} else if (blank && start >= 0) {
				fields++;
				question |= i - start == 1 && line.charAt(start) == '?';
				start = -1;
			}
		}
		return fields == 5 && question;
	}

	/**
	 * Parses an interval.
	 *
	 * <p>
	 * Five fields are a crontab line with cronie's semantics (plus {@code ?} and Jenkins'
	 * {@code H}); six or seven are a Quartz cron expression; {@code @yearly}, {@code @annually},
	 * {@code @monthly}, {@code @weekly}, {@code @daily}, {@code @midnight}, {@code @hourly} and
	 * {@code @reboot} are cronie's macros; {@code @every DURATION} (robfig/cron's, Go duration syntax)
	 * is a fixed period anchored to the epoch. An interval that parses but can never fire is refused.
	 *
	 * @param expression The interval, verbatim; surrounding blanks are ignored. Must not be
	 *        {@code null}.
	 * @param zone The zone it is evaluated in. Must not be {@code null}.
	 * @param name The plugin's name ({@code cron.name}), whose hash gives the values of {@code H}.
	 *        Must not be {@code null}.
	 * @param createdAt When the schedule is created: a {@code ?} field of a five-field interval takes
	 *        its value from this instant's local time in {@code zone}. Must not be {@code null}.
	 * @return The interval; immutable and thread-safe.
	 * @throws InvalidIntervalException If the expression cannot be parsed or can never fire; the
	 *         message quotes it and says why, in one line.
	 */
	public static Interval parse(String expression, ZoneId zone, String name, Instant createdAt)
			throws InvalidIntervalException {
		requireNonNull(expression, "expression");
		requireNonNull(zone, "zone");
		requireNonNull(name, "name");
		requireNonNull(createdAt, "createdAt");
		String trimmed = expression.strip();
		if (trimmed.isEmpty()) {
			throw invalid("interval '" + expression + "' is empty");
		}
		Matcher tz = trimmed.startsWith("TZ=") || trimmed.startsWith("CRON_TZ=") ? ZONE_PREFIX.matcher(trimmed) : null;
		if (tz != null && tz.matches()) {
			throw invalid("interval '" + expression + "' starts with a time zone, as Kubernetes and Jenkins allow;"
					+ " here the zone is the service property cron.timezone (set it to '" + tz.group(1)
					+ "') and the interval is '" + tz.group(2) + "'");
		}
		String text = trimmed;
		if (trimmed.startsWith("@")) {
			if (trimmed.equals(REBOOT)) {
				return new Reboot(expression, zone);
			}
			if (trimmed.equals(Every.MACRO) || trimmed.startsWith(Every.MACRO + " ")
					|| trimmed.startsWith(Every.MACRO + "\t")) {
				try {
					return new Every(expression, zone, Every.period(trimmed.substring(Every.MACRO.length()).strip()));
				} catch (IllegalArgumentException e) {
					throw invalid("interval '" + expression + "' is invalid: " + e.getMessage(), e);
				}
			}
			text = MACROS.get(trimmed);
			if (text == null) {
				String lower = trimmed.toLowerCase(Locale.ROOT);
				throw invalid("interval '" + expression + "' is not a known macro"
						+ (MACROS.containsKey(lower) || lower.equals(REBOOT) ? " (macros are lower case: '" + lower + "')"
								: lower.startsWith(Every.MACRO) ? " (macros are lower case: '" + Every.MACRO + " DURATION')"
										: "; the macros are " + String.join(" ", MACROS.keySet()) + " " + REBOOT + " "
												+ Every.MACRO + " DURATION"));
			}
		}
		String[] fields = FIELD_SEPARATOR.split(text);
		LocalDateTime created = LocalDateTime.ofInstant(createdAt, zone);
		Schedule schedule;
		try {
			if (fields.length == 5) {
				schedule = CrontabParser.parse(fields, created, new JenkinsHash(name));
			} else if (fields.length == 6 || fields.length == 7) {
				schedule = QuartzParser.parse(fields);
			} else {
				throw invalid("interval '" + expression + "' has " + fields.length
						+ (fields.length == 1 ? " field" : " fields") + "; expected 5 (crontab), 6 or 7 (Quartz)"
						+ commandHint(fields, created));
			}
		} catch (IllegalArgumentException e) {
			String hint = commandHint(fields, created);
			if (!hint.isEmpty()) {
				throw invalid("interval '" + expression + "' is not a Quartz expression: '"
						+ String.join(" ", Arrays.copyOfRange(fields, 5, fields.length)) + "' is not cron syntax" + hint, e);
			}
			throw invalid("interval '" + expression + "' is invalid: " + e.getMessage(), e);
		}
		CronInterval interval = new CronInterval(expression, zone, schedule);
		// One fire time proves the interval valid; only one that has none is searched further, for the
		// reason (a date that never occurs, or a year field that has run out in the zone).
		if (interval.next(createdAt).isEmpty()) {
			if (schedule.firstAtOrAfter(created, created.getYear() + Schedule.HORIZON_YEARS) == null) {
				throw invalid("interval '" + expression + "' never fires: " + whyNever(schedule, created));
			}
			throw invalid("interval '" + expression + "' never fires again in " + zone.getId());
		}
		return interval;
	}

	/** The exception, its message on one line: control characters (a pasted newline) are escaped. */
	private static InvalidIntervalException invalid(String message) {
		return invalid(message, null);
	}

	private static InvalidIntervalException invalid(String message, Throwable cause) {
		StringBuilder line = new StringBuilder(message.length());
		message.codePoints().forEach(c -> {
			if (Character.isISOControl(c) && c != '\t') {
				line.append(String.format("\\u%04x", c));
			} else {
				line.appendCodePoint(c);
			}
		});
		return new InvalidIntervalException(line.toString(), cause);
	}

	/**
	 * A hint for a crontab line pasted with its command: more than five fields, the first five valid
	 * crontab, and the rest not cron syntax (a character or a word no cron field has).
	 */
	private static String commandHint(String[] fields, LocalDateTime created) {
		if (fields.length <= 5) {
			return "";
		}
		String rest = String.join(" ", Arrays.copyOfRange(fields, 5, fields.length));
		if (fields.length <= 7 && !NOT_CRON.matcher(rest).find()) {
			return "";
		}
		String[] five = Arrays.copyOf(fields, 5);
		try {
			CrontabParser.parse(five, created, new JenkinsHash(""));
		} catch (IllegalArgumentException e) {
			return "";
		}
		return "; if this is a crontab line with its command, the interval is only its first five fields: '"
				+ String.join(" ", five) + "'";
	}

	private static String whyNever(Schedule schedule, LocalDateTime created) {
		if (schedule.lastYear() < created.getYear()) {
			return "its last year, " + schedule.lastYear() + ", has passed";
		}
		long days = 0;
		if (schedule.days instanceof DayRule.Crontab c && (c.domStar() || c.dowStar())) {
			days = c.daysOfMonth();
		} else if (schedule.days instanceof DayRule.QuartzDaysOfMonth q && q.lastOffsets() == 0
				&& q.nearestWeekdays() == 0 && q.lastWeekdayOffsets() == 0) {
			days = q.days();
		}
		if (days != 0) {
			List<String> months = new ArrayList<>();
			for (int m = Schedule.nextBit(schedule.months, 1); m >= 0; m = Schedule.nextBit(schedule.months, m + 1)) {
				months.add(Month.of(m).getDisplayName(TextStyle.FULL, Locale.ENGLISH));
			}
			return "day-of-month " + Describer.numbers(days, 1, 31) + " does not occur in " + Describer.join(months);
		}
		return schedule.years() != null ? "no date in its years matches it"
				: "no date in the next " + Schedule.HORIZON_YEARS + " years matches it";
	}

	/** {@code @reboot}: fires once each time the schedule starts, never at a time. */
	private record Reboot(String expression, ZoneId zone) implements Interval {
		@Override
		public boolean reboot() {
			return true;
		}

		@Override
		public Optional<ZonedDateTime> next(Instant after) {
			requireNonNull(after, "after");
			return Optional.empty();
		}

		@Override
		public String description() {
			return "once, each time the schedule starts";
		}
	}
}
