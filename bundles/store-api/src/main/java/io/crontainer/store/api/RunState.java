package io.crontainer.store.api;

import java.time.Instant;
import java.util.Objects;

/**
 * The persisted run state of one cron plugin name: what survives restarts, and what a cluster shares.
 * Immutable.
 *
 * @param lastEnd The end of the last successful run window, a UTC instant: the start of the next
 *        window. {@code null} if the plugin never ran successfully (its next window starts at the
 *        epoch, 1970-01-01T00:00:00Z).
 * @param paused Whether an operator paused the plugin.
 * @param anchor When the schedule of {@link #anchorFor} was created: the instant its {@code ?} fields
 *        take their value from, kept so that a restart does not move them; {@code null} if none.
 * @param anchorFor The interval, verbatim, that {@link #anchor} belongs to; {@code null} if none.
 * @param version Incremented by the store at every change of the record; 0 for a name that has no
 *        record. Lets a reader that receives states on several threads keep the newest only.
 * @param pause Who paused the plugin, when and why; {@code null} if it is not paused, or was paused
 *        without a note (by a scheduler older than package version 1.1). Since 1.1.
 * @param retry The retry owed for the window starting at {@link #windowStart()}; {@code null} if none.
 *        Since 1.1.
 */
public record RunState(Instant lastEnd, boolean paused, Instant anchor, String anchorFor, long version,
		PauseNote pause, PendingRetry retry) {

	/** The state of a plugin that never ran and was never paused. */
	public static final RunState NEW = new RunState(null, false, null, null, 0);

	/**
	 * @throws IllegalArgumentException If only one of {@code anchor} and {@code anchorFor} is given,
	 *         {@code version} is negative, or a pause note is given for a record that is not paused.
	 */
	public RunState {
		if ((anchor == null) != (anchorFor == null)) {
			throw new IllegalArgumentException("anchor and anchorFor go together: " + anchor + ", " + anchorFor);
		}
		if (version < 0) {
			throw new IllegalArgumentException("version " + version + " is negative");
		}
		if (pause != null && !paused) {
			throw new IllegalArgumentException("a pause note on a record that is not paused: " + pause);
		}
	}

	/** A record with no pause note and no pending retry (the shape of package version 1.0). */
	public RunState(Instant lastEnd, boolean paused, Instant anchor, String anchorFor, long version) {
		this(lastEnd, paused, anchor, anchorFor, version, null, null);
	}

	/** A record with no anchor, at version 0 (for tests and migrations). */
	public RunState(Instant lastEnd, boolean paused) {
		this(lastEnd, paused, null, null, 0);
	}

	/** The start of the next window: {@link #lastEnd}, or the epoch if the plugin never succeeded. */
	public Instant windowStart() {
		return lastEnd == null ? Instant.EPOCH : lastEnd;
	}

	/**
	 * This state with another window end, at the next version. A pending retry ends: it was owed for
	 * the window that started at the old end.
	 */
	public RunState withLastEnd(Instant end) {
		return new RunState(end, paused, anchor, anchorFor, version + 1, pause, null);
	}

	/** This state paused or not, at the next version, with no pause note. */
	public RunState withPaused(boolean p) {
		return new RunState(lastEnd, p, anchor, anchorFor, version + 1, null, retry);
	}

	/**
	 * This state paused with a note, or resumed (the note dropped), at the next version.
	 *
	 * @param note Who paused it, when and why; ignored when {@code p} is {@code false}; may be
	 *        {@code null}.
	 * @since 1.1
	 */
	public RunState withPaused(boolean p, PauseNote note) {
		return new RunState(lastEnd, p, anchor, anchorFor, version + 1, p ? note : null, retry);
	}

	/**
	 * This state with another pending retry ({@code null}: none), at the next version.
	 *
	 * @since 1.1
	 */
	public RunState withRetry(PendingRetry r) {
		return new RunState(lastEnd, paused, anchor, anchorFor, version + 1, pause, r);
	}

	/** This state with another anchor, at the next version. */
	public RunState withAnchor(Instant created, String expression) {
		return new RunState(lastEnd, paused, created, expression, version + 1, pause, retry);
	}

	/** This state at another version (a store that numbers versions itself). */
	public RunState atVersion(long v) {
		return new RunState(lastEnd, paused, anchor, anchorFor, v, pause, retry);
	}

	/** The creation instant recorded for an interval, or {@code null} if another one (or none) is. */
	public Instant anchorOf(String expression) {
		return Objects.equals(expression, anchorFor) ? anchor : null;
	}
}
