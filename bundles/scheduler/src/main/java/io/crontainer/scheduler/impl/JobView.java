package io.crontainer.scheduler.impl;

import java.time.Instant;
import java.time.ZoneId;

import io.crontainer.api.runtime.JobState;

/**
 * What the runtime view shows of one job, copied under the engine's lock so that the DTO can be built
 * (interval described, properties copied) after it is released. Immutable but for {@link #lastRun},
 * whose fields are volatile.
 */
record JobView(long seq, String name, JobState state, String reason, boolean running, Long runningSince,
		long runCount, long failureCount, long timeoutCount, long consecutiveFailures, long missedFires,
		Long lastMissedFire, String node, Resolution resolution, Settings settings, ZoneId zone, Long nextFire, Instant lastEnd, RunRecord lastRun,
		Plugin plugin) {
}
