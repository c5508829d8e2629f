package io.crontainer.api.runtime;

/**
 * What started a run of a cron plugin.
 *
 * @since 1.0
 */
public enum Trigger {
	/** A fire time of the plugin's interval. */
	SCHEDULE,
	/** A catch-up run for a missed fire time ({@code cron.misfire=run-once}). */
	MISFIRE,
	/** {@code @reboot}: once each time the plugin's schedule starts. */
	REBOOT,
	/** An operator or a program, through {@link CronRuntime#fire(String)}. */
	MANUAL,
	/**
	 * A retry of a window whose run failed or timed out ({@code cron.retry}): the same window start,
	 * a later end.
	 *
	 * @since 1.4
	 */
	RETRY,

	/**
	 * One window of a re-run of past windows, asked for through
	 * {@link CronRuntime#rerun(String, java.time.Instant, java.time.Instant, RerunSplit, String)}: the
	 * run is handed that past window, and its outcome never moves the plugin's committed window end.
	 *
	 * @since 1.4
	 */
	RERUN
}
