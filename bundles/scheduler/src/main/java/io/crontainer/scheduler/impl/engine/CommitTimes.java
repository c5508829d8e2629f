package io.crontainer.scheduler.impl.engine;

import java.util.concurrent.atomic.LongAdder;

/**
 * How long the state store took to commit run windows: a histogram with fixed buckets, kept without a lock
 * so that the store's threads, which report each commit, never wait for a reader (or for the engine's lock).
 * {@code io.crontainer.api.runtime.EngineDTO} shows it; {@code /metrics} serves it as
 * {@code crontainer_store_commit_duration_seconds}.
 *
 * <p>
 * A commit's time runs from the run thread asking the store to commit (after the plugin returned) to the
 * store's answer (durable, or an error), so it includes the wait for a group commit's flush.
 *
 * <p>
 * Thread-safe: {@link #observe} is called by the store's threads (and by run threads when the store answers
 * at once), the readers by operators' threads. A reader may see a commit in {@link #count()} and not yet in
 * {@link #cumulativeCounts()}, or the other way round, by the commits that end while it reads.
 */
public final class CommitTimes {
	/**
	 * The upper bounds of the buckets, in seconds: 1 ms (a local journal's flush) to 30 s (a database that
	 * answers at its query timeout).
	 */
	static final double[] BUCKETS = { 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
			10, 30 };

	private final LongAdder[] buckets = new LongAdder[BUCKETS.length];
	private final LongAdder count = new LongAdder();
	private final LongAdder nanos = new LongAdder();

	CommitTimes() {
		for (int i = 0; i < buckets.length; i++) {
			buckets[i] = new LongAdder();
		}
	}

	/** Counts a commit that took {@code took} nanoseconds (a negative time counts as 0). */
	void observe(long took) {
		long t = Math.max(0, took);
		double seconds = t / 1e9;
		for (int i = 0; i < BUCKETS.length; i++) {
			if (seconds <= BUCKETS[i]) {
				buckets[i].increment();
				break;
			}
		}
		nanos.add(t);
		count.increment();
	}

	/** The upper bounds of the buckets, in seconds, ascending, without {@code +Inf}: a copy. */
	public double[] bounds() {
		return BUCKETS.clone();
	}

	/** Per bucket, the commits that took at most its bound, cumulative (as Prometheus's {@code le} buckets). */
	public long[] cumulativeCounts() {
		long[] counts = new long[BUCKETS.length];
		long sum = 0;
		for (int i = 0; i < counts.length; i++) {
			sum += buckets[i].sum();
			counts[i] = sum;
		}
		return counts;
	}

	/** How many commits ended. */
	public long count() {
		return count.sum();
	}

	/** Their total time, in seconds. */
	public double seconds() {
		return nanos.sum() / 1e9;
	}
}
