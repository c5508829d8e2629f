package io.crontainer.monitoring.impl;

import java.util.Map;

/**
 * The JMX view of the Crontainer scheduler: {@code io.crontainer:type=Scheduler} on the platform MBean
 * server. Every attribute is read live from the scheduler's runtime view; while the scheduler is not
 * running, {@link #isAvailable()} is {@code false} and the counts are 0. Read-only.
 */
public interface SchedulerMXBean {
	/** @return Whether the scheduler's runtime view (the CronRuntime service) is there. */
	boolean isAvailable();

	/** @return How many cron plugins the scheduler knows, in any state. */
	int getPlugins();

	/** @return The number of plugins in each state (every state, 0 included). */
	Map<String, Integer> getPluginsByState();

	/** @return Plugins SCHEDULED. */
	int getScheduledPlugins();

	/** @return Plugins PENDING. */
	int getPendingPlugins();

	/** @return Plugins PAUSED. */
	int getPausedPlugins();

	/** @return Plugins DISABLED. */
	int getDisabledPlugins();

	/** @return Plugins INVALID. */
	int getInvalidPlugins();

	/** @return Plugins DUPLICATE. */
	int getDuplicatePlugins();

	/** @return Plugins BLOCKED. */
	int getBlockedPlugins();

	/** @return Plugins STUCK. */
	int getStuckPlugins();

	/** @return Runs in progress, each on a thread of its own (one per plugin: its latest run). */
	int getRunningRuns();

	/**
	 * @return Runs fired and waiting for their thread to be started: 0 but for an instant, unless the JVM
	 *         cannot start threads.
	 */
	int getQueuedRuns();

	/** @return Runs ended, all plugins, since the scheduler started. */
	long getRunCount();

	/** @return Runs that ended FAILED, all plugins. */
	long getFailureCount();

	/** @return Runs that ended TIMED_OUT, all plugins. */
	long getTimeoutCount();

	/**
	 * @return Deadlines waiting in the engine's due queue now (fire times, time limits, retries, the
	 *         re-check); -1 while the scheduler is away.
	 */
	int getDueQueueSize();

	/** @return Commits of run windows to the state store that ended since the scheduler started. */
	long getCommitCount();

	/** @return Their mean time, in milliseconds (from asking the store to its answer); -1 before the first. */
	double getCommitMeanMillis();
}
