package io.crontainer.store.api;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * A retry the scheduler owes a plugin whose run failed or timed out ({@code cron.retry}): kept with its
 * {@link RunState} so that a restart, or another runtime of a cluster, runs it. It retries the window
 * that starts at the record's {@link RunState#windowStart()}; a new window end (a commit) or a reset
 * ends it. Immutable.
 *
 * @param attempt Which retry it is: 1 for the first retry of the window, up to {@code attempts}.
 * @param attempts How many retries the plugin asked for when its window failed ({@code cron.retry}).
 * @param at When the retry is due, a UTC instant. Never {@code null}.
 * @param until The plugin's next fire time when the retry was set, a UTC instant after {@code at}: from
 *        then on the schedule takes over and the retry is dropped. Never {@code null}.
 * @since 1.1
 */
public record PendingRetry(int attempt, int attempts, Instant at, Instant until) {

	/**
	 * @throws IllegalArgumentException If {@code attempt} is not from 1 to {@code attempts}, or
	 *         {@code until} is not after {@code at}.
	 * @throws NullPointerException If {@code at} or {@code until} is {@code null}.
	 */
	public PendingRetry {
		Objects.requireNonNull(at, "at");
		Objects.requireNonNull(until, "until");
		if (attempt < 1 || attempt > attempts) {
			throw new IllegalArgumentException("retry " + attempt + " of " + attempts);
		}
		if (!until.isAfter(at)) {
			throw new IllegalArgumentException("a retry at " + at.truncatedTo(ChronoUnit.MILLIS) + " is not before "
					+ until.truncatedTo(ChronoUnit.MILLIS));
		}
	}
}
