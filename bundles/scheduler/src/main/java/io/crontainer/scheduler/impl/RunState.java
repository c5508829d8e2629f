package io.crontainer.scheduler.impl;

import java.time.Instant;

/**
 * The persisted run state of one cron plugin name: what survives restarts.
 *
 * @param lastEnd The end of the last successful run window, a UTC instant; {@code null} if the plugin
 *        never ran successfully (its next window starts at the epoch).
 * @param paused Whether an operator paused the plugin.
 * @param anchor When the schedule of {@link #anchorFor} was created: the instant its {@code ?} fields
 *        take their value from, kept so that a restart does not move them; {@code null} if none.
 * @param anchorFor The interval, verbatim, that {@link #anchor} belongs to; {@code null} if none.
 */
record RunState(Instant lastEnd, boolean paused, Instant anchor, String anchorFor) {

	/** The state of a plugin that never ran and was never paused. */
	static final RunState NEW = new RunState(null, false, null, null);

	/** A record with no anchor. */
	RunState(Instant lastEnd, boolean paused) {
		this(lastEnd, paused, null, null);
	}

	RunState withLastEnd(Instant end) {
		return new RunState(end, paused, anchor, anchorFor);
	}

	RunState withPaused(boolean p) {
		return new RunState(lastEnd, p, anchor, anchorFor);
	}

	RunState withAnchor(Instant created, String expression) {
		return new RunState(lastEnd, paused, created, expression);
	}

	/** The creation instant recorded for an interval, or {@code null} if another one (or none) is. */
	Instant anchorOf(String expression) {
		return expression.equals(anchorFor) ? anchor : null;
	}
}
