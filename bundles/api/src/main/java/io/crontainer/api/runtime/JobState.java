package io.crontainer.api.runtime;

/**
 * The state of a cron plugin as the scheduler sees it.
 *
 * <p>
 * Whether a plugin is running at the moment is not a state but {@link CronJobDTO#running}: a
 * {@link #SCHEDULED} plugin may be running, and so may one that was {@link #PAUSED} mid-run.
 *
 * @since 1.0
 */
public enum JobState {
	/** Scheduled: waiting for its next fire time ({@link CronJobDTO#nextFire}), or running. */
	SCHEDULED,
	/**
	 * Just arrived, or renamed: the scheduler is asking the plugin's {@code enabled()} and
	 * {@code interval()}. Within the scheduler's call time limit the plugin moves to another state.
	 */
	PENDING,
	/**
	 * Paused by an operator: not fired on its interval until resumed. The pause is persisted and
	 * survives restarts. It can still be fired by hand.
	 */
	PAUSED,
	/**
	 * Disabled: {@code enabled()} returned {@code false}, or the {@code cron.enabled} service property
	 * is {@code false}. Asked again at each re-check. Also a whiteboard {@code Runnable} that has had
	 * the fire times its {@code scheduler.times} allows (since 1.2); {@link CronJobDTO#reason} says which.
	 */
	DISABLED,
	/**
	 * Invalid: the interval cannot be parsed or never fires, a service property has the wrong type or
	 * form, or {@code interval()} or {@code enabled()} threw, returned {@code null} or did not return in
	 * time. {@link CronJobDTO#reason} says which. Never fired.
	 */
	INVALID,
	/**
	 * Refused because another live plugin already has the same name. Never fired; it takes the name
	 * over when the other plugin leaves.
	 */
	DUPLICATE,
	/**
	 * The plugin's persisted state record cannot be read (corrupt or unreadable). Its window is never
	 * guessed: it is not fired until an operator resets it. {@link CronJobDTO#reason} says why.
	 */
	BLOCKED,
	/**
	 * A run was interrupted (its {@code cron.timeout} passed, or its plugin left) and its thread has
	 * not returned: the thread is abandoned, named after the plugin, and the plugin is not fired again
	 * until it returns, so that a plugin never runs twice at once. {@link CronJobDTO#runningSince} says
	 * since when; the run's outcome is already {@link Outcome#TIMED_OUT} or {@link Outcome#INTERRUPTED}.
	 *
	 * @since 1.1
	 */
	STUCK,
	/**
	 * The state store cannot be reached (in a cluster: the shared database is down or unreachable), so
	 * the plugin's window cannot be read or claimed: it is not run, since no window is ever guessed and
	 * no run starts without a claim. Its fire times still come and are recorded as skipped;
	 * {@link CronJobDTO#reason} says why. It leaves this state by itself as soon as the store can be
	 * reached again.
	 *
	 * @since 1.1
	 */
	UNAVAILABLE
}
