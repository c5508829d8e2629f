package io.crontainer.store.api;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

import io.crontainer.api.runtime.RerunSplit;

/**
 * A re-run of a range of past windows of one plugin name, as the store keeps it: what was asked for,
 * and how far it got. Immutable.
 *
 * <p>
 * The windows are not kept: the scheduler cuts them again from {@link #interval}, {@link #zone} and
 * {@link #anchor} whenever it needs them, so the windows from {@link #next} on are always the same.
 *
 * @param name The plugin's name. Never {@code null}.
 * @param id Identifies this re-run of the name; assigned by {@link StateStore#startRerun}, unique per
 *        store; 0 in a request.
 * @param from Start of the range, inclusive, a UTC instant. Never {@code null}.
 * @param to End of the range, exclusive, a UTC instant, after {@code from}. Never {@code null}.
 * @param split How the range is cut. Never {@code null}.
 * @param interval The interval the windows are cut at, verbatim; {@code null} for
 *        {@link RerunSplit#ONCE}.
 * @param zone The IANA id of the zone the interval is evaluated in. Never {@code null}.
 * @param anchor The instant the interval's {@code ?} fields take their value from; {@code null} if it
 *        has none.
 * @param requestedBy Who asked, one line. Never {@code null}.
 * @param requested When it was asked for, a UTC instant. Never {@code null}.
 * @param next Start of the first window not done, a UTC instant from {@code from} to {@code to}
 *        ({@code to} once every window ran). Never {@code null}.
 * @param done How many windows ran and succeeded.
 * @param failed How many windows ran and did not succeed.
 * @param cancelled Whether an operator cancelled it.
 * @param node The runtime that holds it (runs its windows) or held it last; {@code null} for a store
 *        that is not shared, or if none held it yet.
 * @param ended When it ended (every window ran, or cancelled), on the store's clock; {@code null} while
 *        it is in progress.
 * @since 1.1
 */
public record Rerun(String name, long id, Instant from, Instant to, RerunSplit split, String interval, String zone,
		Instant anchor, String requestedBy, Instant requested, Instant next, int done, int failed, boolean cancelled,
		String node, Instant ended) {

	/**
	 * @throws NullPointerException If a field that is never {@code null} is.
	 * @throws IllegalArgumentException If {@code from} is not before {@code to}, {@code next} is outside
	 *         {@code [from, to]}, a count is negative, or {@code interval} is missing for
	 *         {@link RerunSplit#INTERVAL}.
	 */
	public Rerun {
		Objects.requireNonNull(name, "name");
		Objects.requireNonNull(from, "from");
		Objects.requireNonNull(to, "to");
		Objects.requireNonNull(split, "split");
		Objects.requireNonNull(zone, "zone");
		Objects.requireNonNull(requestedBy, "requestedBy");
		Objects.requireNonNull(requested, "requested");
		Objects.requireNonNull(next, "next");
		if (!from.isBefore(to)) {
			throw new IllegalArgumentException("the range [" + from.truncatedTo(ChronoUnit.MILLIS) + ", "
					+ to.truncatedTo(ChronoUnit.MILLIS) + ") is empty");
		}
		if (next.isBefore(from) || next.isAfter(to)) {
			throw new IllegalArgumentException("next " + next + " is outside [" + from + ", " + to + "]");
		}
		if (done < 0 || failed < 0) {
			throw new IllegalArgumentException("negative counts: " + done + ", " + failed);
		}
		if (split == RerunSplit.INTERVAL && interval == null) {
			throw new IllegalArgumentException("a re-run split at the interval needs the interval");
		}
	}

	/**
	 * A request for a new re-run: id 0, at its start, nothing done, not cancelled, held by no one.
	 */
	public static Rerun request(String name, Instant from, Instant to, RerunSplit split, String interval,
			String zone, Instant anchor, String requestedBy, Instant requested) {
		return new Rerun(name, 0, from, to, split, interval, zone, anchor, requestedBy, requested, from, 0, 0, false,
				null, null);
	}

	/** Whether it is in progress: not ended. */
	public boolean inProgress() {
		return ended == null;
	}

	/** This re-run with the window {@code [next, end)} done, as a store records it. */
	public Rerun advanced(Instant end, boolean succeeded) {
		return new Rerun(name, id, from, to, split, interval, zone, anchor, requestedBy, requested, end,
				done + (succeeded ? 1 : 0), failed + (succeeded ? 0 : 1), cancelled, node, ended);
	}

	/** This re-run with other store-kept fields. */
	public Rerun with(long newId, boolean newCancelled, String newNode, Instant newEnded) {
		return new Rerun(name, newId, from, to, split, interval, zone, anchor, requestedBy, requested, next, done,
				failed, newCancelled, newNode, newEnded);
	}
}
