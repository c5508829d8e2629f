package io.crontainer.scheduler.impl.whiteboard;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;

import io.crontainer.api.CronPlugin;

/**
 * How a plugin asks for a failed window to be retried ({@code cron.retry}, {@code cron.retry.delay},
 * {@code cron.retry.max.delay}): how many retries, and the delay before each one, the first
 * {@link #delay}, each next one twice the one before, never more than {@link #maxDelay}. Immutable.
 *
 * @param attempts How many retries after a failed or timed-out run; 0 for none.
 * @param delay The delay before the first retry, counted from the end of the failed run. Never
 *        {@code null}.
 * @param maxDelay The cap of the doubling, at least {@code delay}. Never {@code null}.
 */
public record RetryPolicy(int attempts, Duration delay, Duration maxDelay) {
	/** The most retries a plugin may ask for: more would hide a broken plugin for hours. */
	static final int MAX_ATTEMPTS = 100;
	/** {@code cron.retry.delay} when it is not set. */
	static final Duration DEFAULT_DELAY = Duration.ofSeconds(60);
	/** {@code cron.retry.max.delay} when it is not set (or the delay, if that is longer). */
	static final Duration DEFAULT_MAX_DELAY = Duration.ofHours(1);
	/** The shortest delay: a retry at once would spin on a plugin that fails at once. */
	static final Duration MIN_DELAY = Duration.ofSeconds(1);
	/** The longest delay: a plugin that fires less often than daily waits for its next fire time anyway. */
	static final Duration MAX_DELAY = Duration.ofDays(1);

	/** No retry: today's rule, a failed window waits for the next fire time. */
	public static final RetryPolicy NONE = new RetryPolicy(0, DEFAULT_DELAY, DEFAULT_MAX_DELAY);

	/**
	 * The delay before a retry: {@code delay * 2^(attempt-1)}, at most {@link #maxDelay}.
	 *
	 * @param attempt The retry, from 1.
	 */
	public Duration delayOf(int attempt) {
		Duration d = delay;
		for (int i = 1; i < attempt && d.compareTo(maxDelay) < 0; i++) {
			d = d.multipliedBy(2);
		}
		return d.compareTo(maxDelay) > 0 ? maxDelay : d;
	}

	/** A policy, or why the properties are refused. */
	record Parsed(RetryPolicy policy, String error) {
	}

	/**
	 * Reads the retry properties of a plugin's service. Never throws.
	 *
	 * @param properties The service properties. Must not be {@code null}.
	 * @return The policy ({@link #NONE} when {@code cron.retry} is absent or 0), or the first error, in one
	 *         line naming the property and the forms it takes.
	 */
	static Parsed of(Map<String, Object> properties) {
		Object value = properties.get(CronPlugin.RETRY);
		int attempts = 0;
		if (value != null) {
			Long n = whole(value);
			if (n == null || n < 0 || n > MAX_ATTEMPTS) {
				return new Parsed(NONE, Settings.wrong(CronPlugin.RETRY, value,
						"a number of retries from 0 to " + MAX_ATTEMPTS + " (an Integer)"));
			}
			attempts = n.intValue();
		}
		Duration delay = DEFAULT_DELAY;
		value = properties.get(CronPlugin.RETRY_DELAY);
		if (value != null) {
			delay = duration(value);
			if (delay == null) {
				return new Parsed(NONE, Settings.wrong(CronPlugin.RETRY_DELAY, value, DURATION));
			}
		}
		Duration max = delay.compareTo(DEFAULT_MAX_DELAY) > 0 ? delay : DEFAULT_MAX_DELAY;
		value = properties.get(CronPlugin.RETRY_MAX_DELAY);
		if (value != null) {
			max = duration(value);
			if (max == null) {
				return new Parsed(NONE, Settings.wrong(CronPlugin.RETRY_MAX_DELAY, value, DURATION));
			}
			if (max.compareTo(delay) < 0) {
				return new Parsed(NONE, "service property " + CronPlugin.RETRY_MAX_DELAY + " = " + shown(value)
						+ " is shorter than " + CronPlugin.RETRY_DELAY + " (" + delay.toSeconds() + " s)");
			}
		}
		return new Parsed(attempts == 0 ? NONE : new RetryPolicy(attempts, delay, max), null);
	}

	private static final String DURATION = "an ISO-8601 duration such as \"PT30S\" or \"PT5M\", or a whole number of"
			+ " seconds, from 1 s to 1 day";

	/** A duration from 1 s to 1 day: ISO-8601, or whole seconds; {@code null} if it is not one. */
	static Duration duration(Object value) {
		Duration d;
		Long seconds = whole(value);
		if (seconds != null) {
			d = Duration.ofSeconds(seconds);
		} else if (value instanceof String s) {
			try {
				d = Duration.parse(s.strip().toUpperCase(Locale.ROOT));
			} catch (DateTimeParseException e) {
				return null;
			}
		} else {
			return null;
		}
		return d.compareTo(MIN_DELAY) < 0 || d.compareTo(MAX_DELAY) > 0 ? null : d;
	}

	private static Long whole(Object value) {
		if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
			return ((Number) value).longValue();
		}
		if (value instanceof String s && s.strip().matches("-?\\d{1,18}")) {
			return Long.parseLong(s.strip());
		}
		return null;
	}

	private static String shown(Object value) {
		return value instanceof String ? "\"" + value + "\"" : String.valueOf(value);
	}
}
