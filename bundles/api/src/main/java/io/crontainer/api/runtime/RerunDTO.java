package io.crontainer.api.runtime;

import org.osgi.dto.DTO;

/**
 * A data transfer object for a re-run of a range of past windows of one cron plugin (a backfill),
 * in progress or ended.
 *
 * <p>
 * A re-run runs the plugin for each of its windows in order, one at a time, never beside another run
 * of the plugin; each window is a run of its own in the history ({@link Trigger#RERUN}). It never
 * moves the plugin's committed window end. A re-run in progress is kept by the state store: it
 * survives restarts and, in a cluster, is taken over by another runtime if the one running it dies,
 * from its first window not done.
 *
 * <p>
 * Instants are UTC milliseconds since the epoch (1970-01-01T00:00:00Z). Like every DTO this object is
 * a snapshot, not thread-safe, and not updated after it is returned.
 *
 * @since 1.4
 */
public class RerunDTO extends DTO {
	/** The plugin's name ({@code cron.name}). Never {@code null}. */
	public String name;

	/** Start of the range, inclusive, in UTC epoch milliseconds. */
	public long from;

	/** End of the range, exclusive, in UTC epoch milliseconds. */
	public long to;

	/** How the range is cut into windows. Never {@code null}. */
	public RerunSplit split;

	/** The interval the windows were cut at, verbatim; {@code null} for {@link RerunSplit#ONCE}. */
	public String interval;

	/** The IANA id of the zone the windows were cut in. Never {@code null}. */
	public String zone;

	/** How many windows the range is cut into. */
	public int windows;

	/** How many windows ran and succeeded. */
	public int done;

	/** How many windows ran and did not succeed (failed, timed out, interrupted or not started). */
	public int failed;

	/**
	 * How many windows did not run: {@link #windows} minus {@link #done} minus {@link #failed}; left to
	 * run while it is in progress, never to run once it was cancelled.
	 */
	public int left;

	/**
	 * Start of the first window not done, in UTC epoch milliseconds; {@code null} once the re-run has
	 * ended.
	 */
	public Long next;

	/** Who asked for the re-run, as told to the runtime. Never {@code null}. */
	public String requestedBy;

	/** When the re-run was asked for, in UTC epoch milliseconds. */
	public long requested;

	/** Whether an operator cancelled it: it stops after the window in progress. */
	public boolean cancelled;

	/**
	 * When the re-run ended (all windows ran, or it was cancelled), in UTC epoch milliseconds;
	 * {@code null} while it is in progress.
	 */
	public Long ended;

	/**
	 * The runtime (cluster node) that runs it now, or ran it last; {@code null} when the scheduler
	 * keeps its state locally (no cluster).
	 */
	public String node;

	/**
	 * Why its next window does not run now, in one line (the plugin is paused, left, or another run of
	 * it is going; another runtime runs the re-run); {@code null} if it runs or has ended.
	 */
	public String waiting;
}
