package io.crontainer.api.runtime;

import org.osgi.dto.DTO;

/**
 * A data transfer object for one run of a cron plugin, finished or in progress.
 *
 * <p>
 * Instants are UTC milliseconds since the epoch (1970-01-01T00:00:00Z). Like every DTO this object is
 * a snapshot, not thread-safe, and not updated after it is returned.
 *
 * @since 1.0
 */
public class CronRunDTO extends DTO {
	/** The plugin's name ({@code cron.name}). Never {@code null}. */
	public String name;

	/** What started the run. Never {@code null}. */
	public Trigger trigger;

	/** How it ended, or {@link Outcome#QUEUED} or {@link Outcome#RUNNING} while it is not over. Never {@code null}. */
	public Outcome outcome;

	/**
	 * Start of the run window, inclusive, in UTC epoch milliseconds; {@code null} for a
	 * {@link Outcome#SKIPPED} fire.
	 */
	public Long windowStart;

	/**
	 * End of the run window, exclusive, in UTC epoch milliseconds; {@code null} for a
	 * {@link Outcome#SKIPPED} fire.
	 */
	public Long windowEnd;

	/** The fire time the run was started for, in UTC epoch milliseconds; {@code null} when fired by hand. */
	public Long scheduledFire;

	/**
	 * When the run started (or was skipped), in UTC epoch milliseconds; while {@link Outcome#QUEUED},
	 * when it was fired.
	 */
	public long started;

	/** When the run ended, in UTC epoch milliseconds; {@code null} while it runs. */
	public Long finished;

	/**
	 * Why the run failed, timed out, was interrupted or was skipped: the exception's class and message.
	 * {@code null} when it succeeded or is running.
	 */
	public String error;

	/**
	 * The runtime (cluster node) that ran this window; {@code null} when the scheduler keeps its
	 * state locally (no cluster).
	 *
	 * @since 1.1
	 */
	public String node;

	/**
	 * Who asked for this run, as told to the runtime (an operator's name, {@code "shell"}, a web console
	 * user), for a {@link Trigger#RERUN} run; {@code null} for runs the schedule started and where
	 * unknown.
	 *
	 * @since 1.4
	 */
	public String requestedBy;
}
