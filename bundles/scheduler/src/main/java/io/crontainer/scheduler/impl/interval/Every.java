package io.crontainer.scheduler.impl.interval;

import static java.util.Objects.requireNonNull;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code @every DURATION}: a fixed period, anchored to the epoch. It fires at the instants that are
 * whole multiples of the period after 1970-01-01T00:00:00Z, so its phase is a function of the period
 * alone: the same on every runtime, after every restart, re-check or redeploy, and previewed exactly
 * by {@code cron:next}. The zone and its clock changes do not move it; it only names the zone the fire
 * times are shown in.
 *
 * <p>
 * The duration has Go's syntax ({@code time.ParseDuration}, which robfig/cron, Kubernetes and ofelia
 * users write): one or more decimal numbers, each with an optional fraction and a unit {@code h},
 * {@code m}, {@code s}, {@code ms}, {@code us} ({@code µs}) or {@code ns}, e.g. {@code 90s},
 * {@code 1h30m}, {@code 1.5h}. Fire times are to the second, so the period must be a whole number of
 * seconds, at least one. Immutable and thread-safe.
 *
 * @param expression The interval as written. Never {@code null}.
 * @param zone The zone fire times are returned in. Never {@code null}.
 * @param period The period, a positive whole number of seconds.
 */
record Every(String expression, ZoneId zone, Duration period) implements Interval {
	/** The macro, followed by blanks and the duration. */
	static final String MACRO = "@every";
	private static final Pattern ELEMENT = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)");
	private static final Pattern NUMBER_THEN_WORD = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)([^\\d.]*).*");
	/** Nanoseconds per unit, as Go defines them. */
	private static final Map<String, Long> UNITS = Map.of("ns", 1L, "us", 1_000L, "\u00b5s", 1_000L, "\u03bcs", 1_000L,
			"ms", 1_000_000L, "s", 1_000_000_000L, "m", 60_000_000_000L, "h", 3_600_000_000_000L);
	private static final BigDecimal NANOS_PER_SECOND = BigDecimal.valueOf(1_000_000_000L);
	/** Go's largest duration: the nanoseconds of an int64. */
	private static final BigDecimal GO_MAX = BigDecimal.valueOf(Long.MAX_VALUE);

	Every {
		requireNonNull(expression, "expression");
		requireNonNull(zone, "zone");
		if (period.isNegative() || period.isZero() || period.getNano() != 0) {
			throw new IllegalArgumentException("period " + period + " is not a positive whole number of seconds");
		}
	}

	/**
	 * Reads the duration of {@code @every DURATION}.
	 *
	 * @param text What follows {@code @every}, stripped. Must not be {@code null}.
	 * @return The period: a positive whole number of seconds.
	 * @throws IllegalArgumentException If it is empty, not a Go duration, zero, negative, shorter than a
	 *         second or not a whole number of seconds; the message says which, in one line.
	 */
	static Duration period(String text) {
		if (text.isEmpty()) {
			throw new IllegalArgumentException("'" + MACRO + "' needs a duration, such as '" + MACRO + " 90s' or '"
					+ MACRO + " 1h30m'");
		}
		String digits = text;
		boolean negative = false;
		if (text.startsWith("-") || text.startsWith("+")) {
			negative = text.startsWith("-");
			digits = text.substring(1);
		}
		BigDecimal nanos = BigDecimal.ZERO;
		if (digits.equals("0")) {
			throw new IllegalArgumentException("the period '" + text + "' is zero; it must be at least 1s");
		}
		Matcher m = ELEMENT.matcher(digits);
		int at = 0;
		while (at < digits.length()) {
			if (!m.find(at) || m.start() != at) {
				throw new IllegalArgumentException(notADuration(text, digits.substring(at)));
			}
			nanos = nanos.add(new BigDecimal(m.group(1).endsWith(".") ? m.group(1) + "0" : m.group(1))
					.multiply(BigDecimal.valueOf(UNITS.get(m.group(2)))));
			at = m.end();
		}
		if (nanos.compareTo(GO_MAX) > 0) {
			throw new IllegalArgumentException("the period '" + text + "' is longer than a Go duration can be"
					+ " (2562047h47m16s)");
		}
		if (nanos.signum() == 0) {
			throw new IllegalArgumentException("the period '" + text + "' is zero; it must be at least 1s");
		}
		if (negative) {
			throw new IllegalArgumentException("the period '" + text + "' is negative; it must be at least 1s");
		}
		if (nanos.compareTo(NANOS_PER_SECOND) < 0) {
			throw new IllegalArgumentException("the period '" + text + "' is shorter than a second; fire times are to"
					+ " the second, so it must be at least 1s");
		}
		BigDecimal[] seconds = nanos.divideAndRemainder(NANOS_PER_SECOND);
		if (seconds[1].signum() != 0) {
			throw new IllegalArgumentException("the period '" + text + "' is not a whole number of seconds; fire times"
					+ " are to the second");
		}
		return Duration.ofSeconds(seconds[0].longValueExact());
	}

	private static String notADuration(String text, String rest) {
		String hint = "; write it as Go does: numbers, each with a unit (h, m, s), such as '90s' or '1h30m'";
		Matcher m = NUMBER_THEN_WORD.matcher(rest);
		if (m.matches()) {
			String unit = m.group(2).strip();
			if (unit.isEmpty()) {
				return "'" + text + "' is not a duration: the number '" + m.group(1) + "' has no unit (h, m, s)";
			}
			if (unit.equals("d") || unit.startsWith("day")) {
				return "'" + text + "' is not a duration: Go durations have no days; write '" + m.group(1)
						+ "' days as hours, e.g. '24h' for one";
			}
			return "'" + text + "' is not a duration: '" + unit + "' is not a unit" + hint;
		}
		return "'" + text + "' is not a duration" + hint;
	}

	@Override
	public boolean reboot() {
		return false;
	}

	/**
	 * The first whole multiple of the period after the epoch that is strictly after {@code after}.
	 *
	 * @return Empty only beyond the range of {@link Instant}.
	 */
	@Override
	public Optional<ZonedDateTime> next(Instant after) {
		requireNonNull(after, "after");
		long p = period.getSeconds();
		try {
			long next = Math.multiplyExact(Math.floorDiv(after.getEpochSecond(), p) + 1, p);
			if (next > Instant.MAX.getEpochSecond()) {
				return Optional.empty();
			}
			return Optional.of(ZonedDateTime.ofInstant(Instant.ofEpochSecond(next), zone));
		} catch (ArithmeticException | java.time.DateTimeException e) {
			return Optional.empty();
		}
	}

	@Override
	public String description() {
		return "every " + words(period) + ", at whole multiples of it since 1970-01-01T00:00Z (" + zone.getId() + ")";
	}

	/** The period in words: "hour", "90 minutes" is "1 hour and 30 minutes", "36 hours". */
	static String words(Duration period) {
		List<String> parts = new ArrayList<>();
		unit(parts, period.toHours(), "hour");
		unit(parts, period.toMinutesPart(), "minute");
		unit(parts, period.toSecondsPart(), "second");
		if (parts.size() == 1) {
			return parts.get(0).equals("1 second") ? "second" : parts.get(0).equals("1 minute") ? "minute"
					: parts.get(0).equals("1 hour") ? "hour" : parts.get(0);
		}
		return String.join(", ", parts.subList(0, parts.size() - 1)) + " and " + parts.get(parts.size() - 1);
	}

	private static void unit(List<String> parts, long n, String unit) {
		if (n > 0) {
			parts.add(n + " " + unit + (n == 1 ? "" : "s"));
		}
	}
}
