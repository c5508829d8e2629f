package io.crontainer.scheduler.impl.engine;

import java.time.Instant;
import java.time.ZoneId;

import io.crontainer.api.runtime.JobState;
import io.crontainer.scheduler.impl.interval.Interval;
import io.crontainer.scheduler.impl.whiteboard.Plugin;
import io.crontainer.scheduler.impl.whiteboard.Settings;
import io.crontainer.store.api.PauseNote;
import io.crontainer.store.api.PendingRetry;
import io.crontainer.store.api.Rerun;

/**
 * What the runtime view shows of one job, copied under the engine's lock ({@link Operations}) so that
 * the DTO can be built (interval described, properties copied) after it is released. Immutable but for
 * {@link #lastRun}, whose fields are volatile.
 *
 * @param expression The interval expression: the plugin's answer, else its {@code cron.interval}; may
 *        be {@code null}.
 * @param interval The parsed interval; {@code null} if not answered, disabled or invalid.
 * @param runningSince When the run going started on its thread, UTC epoch ms; {@code null} if none.
 * @param lastMissedFire UTC epoch ms; {@code null} if none was missed.
 * @param nextFire UTC epoch ms; {@code null} if none.
 * @param lastRun The run shown as the last one; {@code null} if none.
 * @param pause Who paused it, when and why; {@code null} if it is not paused or its pause has no note.
 * @param retry Its pending retry while it may still run (not once the next fire time has come, nor
 *        while a run of its name is going); {@code null} if none.
 * @param rerun The newest re-run known of its name, seen in the same hold of the lock; {@code null} if
 *        none. Its DTO is built from it after the lock is released ({@link Operations#rerunOf(JobView)}).
 */
public record JobView(long seq, String name, JobState state, String reason, boolean running, Long runningSince,
		long runCount, long failureCount, long timeoutCount, long consecutiveFailures, long missedFires,
		Long lastMissedFire, String node, String expression, Interval interval, Settings settings, ZoneId zone,
		Long nextFire, Instant lastEnd, RunRecord lastRun, Plugin plugin, PauseNote pause, PendingRetry retry,
		Rerunning rerun) {

	/**
	 * A name's newest re-run as the engine's memory held it.
	 *
	 * @param rerun The re-run, as the store last gave it.
	 * @param waiting Why its next window does not run now; {@code null} if nothing holds it back.
	 */
	public record Rerunning(Rerun rerun, String waiting) {
	}
}
