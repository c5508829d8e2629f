package io.crontainer.scheduler.impl;

import java.time.Instant;

/**
 * The persisted run state of one cron plugin name: what survives restarts.
 *
 * @param lastEnd The end of the last successful run window, a UTC instant; {@code null} if the plugin
 *        never ran successfully (its next window starts at the epoch).
 * @param paused Whether an operator paused the plugin.
 */
record RunState(Instant lastEnd, boolean paused) {

	/** The state of a plugin that never ran and was never paused. */
	static final RunState NEW = new RunState(null, false);

	RunState withLastEnd(Instant end) {
		return new RunState(end, paused);
	}

	RunState withPaused(boolean p) {
		return new RunState(lastEnd, p);
	}
}
