package io.crontainer.monitoring.impl;

/**
 * The health checks' thresholds, validated: negative values count as 0 (off).
 *
 * @param failuresWarn Failures in a row that make a plugin WARN; 0 for never.
 * @param failuresCritical Failures in a row that make a plugin CRITICAL; 0 for never.
 * @param runningWarn Runs in progress at once (one thread each) from which the saturation check WARNs; 0
 *        for never.
 * @param runningCritical Runs in progress at once from which the saturation check is CRITICAL; 0 for never.
 * @param queuedWarnMillis Milliseconds a run may wait for its thread to be started before the saturation
 *        check WARNs; 0 for never.
 * @param queuedCriticalMillis Milliseconds a run may wait before the saturation check is CRITICAL; 0 for
 *        never.
 */
record Thresholds(long failuresWarn, long failuresCritical, long runningWarn, long runningCritical,
		long queuedWarnMillis, long queuedCriticalMillis) {

	/** The defaults of {@link MonitoringConfiguration}. */
	static final Thresholds DEFAULTS = new Thresholds(3, 10, 100, 0, 60_000, 600_000);

	static Thresholds of(MonitoringConfiguration config) {
		return new Thresholds(Math.max(0, config.consecutive_failures_warn()),
				Math.max(0, config.consecutive_failures_critical()), Math.max(0, config.running_warn()),
				Math.max(0, config.running_critical()),
				Math.max(0, config.queued_warn_seconds()) * 1000, Math.max(0, config.queued_critical_seconds()) * 1000);
	}
}
