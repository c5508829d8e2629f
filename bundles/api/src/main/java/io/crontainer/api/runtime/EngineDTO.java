package io.crontainer.api.runtime;

import org.osgi.dto.DTO;

/**
 * A data transfer object for the scheduler's engine, for monitoring: how many deadlines wait in its due
 * queue, and how long the state store took to commit run windows.
 *
 * <p>
 * The commit times form a cumulative histogram, as Prometheus keeps one: {@link #commitCounts}{@code [i]}
 * counts the commits that took at most {@link #commitBuckets}{@code [i]} seconds, and {@link #commits} all of
 * them (the {@code +Inf} bucket). The counts only grow while the scheduler runs; they start at 0 when it
 * starts (its component activates).
 *
 * <p>
 * Like every DTO this object is a snapshot, not thread-safe, and not updated after it is returned. The
 * counts of one snapshot are read without a common lock, so a commit that ends while it is taken may be
 * in {@link #commits} and not yet in a bucket, or the other way round, by at most the commits in flight.
 *
 * @since 1.4
 */
public class EngineDTO extends DTO {
	/**
	 * How many deadlines wait in the due queue now: the next fire time of each scheduled plugin, the time
	 * limits of runs and of plugin calls in progress, retries, and the re-check. At least 0. The engine sleeps
	 * until the earliest of them; a size that keeps growing, well beyond the number of plugins, means
	 * deadlines are added faster than they fall due.
	 */
	public int dueQueueSize;

	/**
	 * How many commits of a run's window end to the state store ended (durably or with an error) since the
	 * scheduler started. At least 0.
	 */
	public long commits;

	/**
	 * The total time those commits took, in seconds: from the engine asking the store to commit (after the
	 * plugin's {@code run} returned) to the store's answer, so it includes the wait for a group commit's
	 * flush. At least 0.
	 */
	public double commitSeconds;

	/**
	 * The upper bounds of the commit time buckets, in seconds, ascending, without the implied last bucket
	 * ({@code +Inf}). Never {@code null}; the same for the life of the scheduler.
	 */
	public double[] commitBuckets;

	/**
	 * Per bucket, how many commits took at most its upper bound ({@link #commitBuckets}, same length),
	 * cumulative: each count includes those of the buckets before it. Never {@code null}.
	 */
	public long[] commitCounts;
}
