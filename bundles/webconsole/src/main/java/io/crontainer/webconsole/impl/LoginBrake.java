package io.crontainer.webconsole.impl;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Semaphore;

/**
 * The brake on password guessing that every login path shares (form, HTTP Basic, a cached Basic
 * credential). Attempts are counted per <em>source</em>: a browser that has logged in before (its device
 * cookie, see {@link LoginSecurityProvider}), else the client address. After {@code max} failures in a
 * row from one source, that source waits before its next attempt: 1 s, then twice as long after each
 * further failure, up to {@link #MAX_DELAY_MS}; a success, or {@link #FORGET_MS} without a failure, clears
 * it. Whatever the source, at most {@link #CONCURRENT_CHECKS} password hashes are checked at once.
 *
 * <p>
 * An attempt is reserved ({@link #reserve}) before its hash is checked and counts as a failure until
 * {@link #succeeded} says otherwise, so that concurrent attempts cannot all slip in before the first
 * failure is recorded.
 *
 * <p>
 * Thread-safe: the map is guarded by this object's monitor, under which nothing but arithmetic happens.
 */
final class LoginBrake {
	/** Longest wait a source is given, in ms. */
	static final long MAX_DELAY_MS = 60_000;
	/** After this long without a failure, a source's failures are forgotten, in ms. */
	static final long FORGET_MS = 15 * 60_000;
	/** How many password hashes are checked at once at most. */
	static final int CONCURRENT_CHECKS = 2;
	/** How many sources are remembered at most (the oldest are forgotten first). */
	static final int MAX_SOURCES = 10_000;

	private final int max;
	private final Semaphore checks = new Semaphore(CONCURRENT_CHECKS);
	/** Per source, in access order; guarded by this. */
	private final Map<String, Source> sources = new LinkedHashMap<>(64, 0.75f, true) {
		private static final long serialVersionUID = 1L;

		@Override
		protected boolean removeEldestEntry(Map.Entry<String, Source> eldest) {
			return size() > MAX_SOURCES;
		}
	};

	private static final class Source {
		int failures;
		int pending;
		long lastFailure;
		long blockedUntil;
	}

	/**
	 * @param max Failures in a row from one source before it has to wait; at least 1.
	 */
	LoginBrake(int max) {
		this.max = Math.max(1, max);
	}

	/**
	 * Whether a source must wait now, without reserving anything: for credentials that need no hash check
	 * (a cached Basic credential), which are refused like every other login while their source waits.
	 *
	 * @param source The source. Must not be {@code null}.
	 * @param now The current time, epoch ms.
	 * @return 0, or the seconds to wait (at least 1).
	 */
	synchronized long waitSeconds(String source, long now) {
		Source s = current(source, now);
		if (s == null) {
			return 0;
		}
		if (now < s.blockedUntil) {
			return seconds(s.blockedUntil - now);
		}
		if (s.failures >= max) { // its wait is over: one attempt at a time
			return s.pending > 0 ? 1 : 0;
		}
		return s.failures + s.pending >= max ? 1 : 0;
	}

	/**
	 * Reserves one attempt of a source, and a hash check.
	 *
	 * @param source The source. Must not be {@code null}.
	 * @param now The current time, epoch ms.
	 * @return 0 if the attempt may proceed (then exactly one of {@link #succeeded} or {@link #failed} must
	 *         follow), else the seconds to wait (at least 1), and nothing is reserved.
	 */
	long reserve(String source, long now) {
		synchronized (this) {
			long wait = waitSeconds(source, now);
			if (wait > 0) {
				return wait;
			}
			sources.computeIfAbsent(source, k -> new Source()).pending++;
		}
		if (!checks.tryAcquire()) {
			synchronized (this) {
				Source s = sources.get(source);
				if (s != null) {
					s.pending = Math.max(0, s.pending - 1);
				}
			}
			return 1;
		}
		return 0;
	}

	/** Ends a reserved attempt whose credentials were right: the source's failures are cleared. */
	void succeeded(String source) {
		checks.release();
		synchronized (this) {
			sources.remove(source);
		}
	}

	/**
	 * Ends a reserved attempt whose credentials were wrong.
	 *
	 * @return The seconds the source must now wait before its next attempt, or 0.
	 */
	long failed(String source, long now) {
		checks.release();
		synchronized (this) {
			Source s = sources.computeIfAbsent(source, k -> new Source());
			s.pending = Math.max(0, s.pending - 1);
			s.failures++;
			s.lastFailure = now;
			if (s.failures < max) {
				return 0;
			}
			int over = Math.min(30, s.failures - max);
			long delay = Math.min(MAX_DELAY_MS, 1000L << over);
			s.blockedUntil = now + delay;
			return seconds(delay);
		}
	}

	/** The source's record, forgotten if its last failure is long ago; guarded by this. */
	private Source current(String source, long now) {
		Source s = sources.get(source);
		if (s != null && s.pending == 0 && s.failures > 0 && now - s.lastFailure >= FORGET_MS) {
			sources.remove(source);
			return null;
		}
		return s;
	}

	private static long seconds(long millis) {
		return Math.max(1, (millis + 999) / 1000);
	}

	/** For tests: the hash checks that may start now. */
	int freeChecks() {
		return checks.availablePermits();
	}
}
