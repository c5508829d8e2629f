package io.crontainer.monitoring.impl;

/**
 * The JMX view of one cron plugin: {@code io.crontainer:type=CronPlugin,name="NAME"} on the platform MBean
 * server (the name quoted with {@link javax.management.ObjectName#quote(String)}). Every attribute is read
 * live from the scheduler's runtime view. Counters count since the scheduler started; durations are in
 * milliseconds, instants ISO-8601 UTC strings. Read-only.
 *
 * <p>
 * Reading an attribute of a plugin that has just left throws an {@link IllegalStateException}; its MBean
 * is unregistered at the next refresh.
 */
public interface CronPluginMXBean {
	/** @return The plugin's name ({@code cron.name}). */
	String getName();

	/**
	 * @return Its state (a {@code JobState}): SCHEDULED, PENDING, PAUSED, DISABLED, INVALID, DUPLICATE,
	 *         BLOCKED, STUCK or UNAVAILABLE.
	 */
	String getState();

	/**
	 * @return Why it is not SCHEDULED (for a paused plugin: who paused it, when and why), control characters
	 *         escaped; or {@code null}.
	 */
	String getReason();

	/**
	 * @return Who paused it, as the operator's tool named them ({@code bin/client session 7 (user alice)}),
	 *         control characters escaped; {@code null} if it is not paused or its pause has no note.
	 *         Cluster-wide: from the state store.
	 */
	String getPausedBy();

	/** @return When it was paused, ISO-8601 UTC; {@code null} as for {@link #getPausedBy()}. */
	String getPausedAt();

	/**
	 * @return Why it was paused, in the operator's words, control characters escaped; {@code null} if no
	 *         reason was given or it is not paused.
	 */
	String getPauseReason();

	/** @return The retries a failed window gets ({@code cron.retry}); 0 for none. */
	int getRetries();

	/** @return Which retry it waits for (1 for the first), or 0 if none is pending. */
	int getRetryAttempt();

	/** @return When the pending retry runs, ISO-8601 UTC; {@code null} if none is pending. */
	String getRetryAt();

	/** @return Whether a run is in progress or waiting for its thread to be started. */
	boolean isRunning();

	/** @return Runs that ended (any outcome but SKIPPED). */
	long getRunCount();

	/** @return Runs that ended FAILED. */
	long getFailureCount();

	/** @return Runs that ended TIMED_OUT. */
	long getTimeoutCount();

	/** @return Runs in a row, up to the latest, that did not succeed; 0 after a success. */
	long getConsecutiveFailures();

	/**
	 * @return Fire times whose run did not start within the misfire grace of 60 s (the runtime was down,
	 *         the state store away, the plugin busy), since the scheduler started.
	 */
	long getMissedFires();

	/** @return The latest missed fire time, ISO-8601 UTC; {@code null} if none. */
	String getLastMissedFire();

	/** @return The outcome of the latest run (RUNNING or QUEUED while it is not over), or {@code null}. */
	String getLastOutcome();

	/** @return How long the latest finished run took, in ms; -1 if none finished since the scheduler started. */
	long getLastDurationMillis();

	/**
	 * @return How late the latest run started after its scheduled fire time, in ms (0 or more); -1 if no
	 *         run was started by the schedule since the scheduler started (manual runs have no fire time).
	 */
	long getLastLatenessMillis();

	/** @return The next fire time, ISO-8601 UTC; {@code null} if none. */
	String getNextFire();

	/** @return The end of the last successful run's window, ISO-8601 UTC; {@code null} if none. */
	String getLastWindowEnd();

	/** @return The interval in effect. */
	String getInterval();

	/** @return The IANA zone the interval is evaluated in. */
	String getZone();

	/** @return The symbolic name and id of the plugin's bundle, as {@code name [id]}. */
	String getBundle();
}
