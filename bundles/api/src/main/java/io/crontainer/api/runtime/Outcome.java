package io.crontainer.api.runtime;

/**
 * How a run of a cron plugin ended.
 *
 * @since 1.0
 */
public enum Outcome {
	/**
	 * Fired, and not started yet: waiting for its thread and for the claim of its window (a
	 * transient state, normally far below a millisecond). The run's {@link CronRunDTO#started} is the
	 * fire time until it starts.
	 */
	QUEUED,
	/** Still running. */
	RUNNING,
	/** {@code run()} returned normally: the window is committed. */
	SUCCEEDED,
	/** {@code run()} threw: the window is kept for the next run. */
	FAILED,
	/** The run exceeded the plugin's {@code cron.timeout} and was interrupted: the window is kept. */
	TIMED_OUT,
	/**
	 * The run was interrupted because its plugin left or the scheduler stopped: the window is kept.
	 */
	INTERRUPTED,
	/**
	 * The fire time came while the previous run was still going, or the clock had gone backwards:
	 * nothing ran and the window is unchanged.
	 */
	SKIPPED
}
