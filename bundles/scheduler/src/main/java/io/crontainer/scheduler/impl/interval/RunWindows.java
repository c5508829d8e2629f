package io.crontainer.scheduler.impl.interval;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.crontainer.format.Formats;

/**
 * Cuts a range of past time into run windows, for a re-run: at an interval's fire times (the windows a
 * schedule running then would have made) or as one window.
 *
 * <p>
 * The windows of {@code [from, to)} are {@code [from, f1), [f1, f2), ..., [fn, to)}, where
 * {@code f1 < ... < fn} are the interval's fire times strictly inside the range: they tile the range
 * with no gap and no overlap, and a range that starts and ends at fire times gives exactly the windows
 * of the scheduled runs. Cutting {@code [w, to)} for any window start {@code w} gives the same windows
 * from {@code w} on, which is how a re-run resumes after a restart. Pure: no clock, no state;
 * thread-safe.
 */
public final class RunWindows {
	/** The most windows a range may be cut into. */
	public static final int MAX = 10_000;

	/** A window {@code [start, end)}, {@code start < end}, UTC instants. */
	public record Window(Instant start, Instant end) {
		public Window {
			requireNonNull(start, "start");
			requireNonNull(end, "end");
			if (!start.isBefore(end)) {
				throw new IllegalArgumentException("window [" + Formats.instant(start) + ", " + Formats.instant(end)
						+ ") is empty");
			}
		}
	}

	private RunWindows() {
	}

	/**
	 * Cuts a range into windows.
	 *
	 * @param interval Where to cut: at its fire times; {@code null} for one window. {@code @reboot}
	 *        (no fire times) gives one window.
	 * @param from Start of the range, inclusive. Must not be {@code null}.
	 * @param to End of the range, exclusive, after {@code from}. Must not be {@code null}.
	 * @param max The most windows allowed, at least 1.
	 * @return The windows, in order. Never empty.
	 * @throws IllegalArgumentException If {@code from} is not before {@code to}, or the range makes more
	 *         than {@code max} windows (the message says how to make fewer); no more than
	 *         {@code max + 1} fire times are computed.
	 */
	public static List<Window> cut(Interval interval, Instant from, Instant to, int max) {
		requireNonNull(from, "from");
		requireNonNull(to, "to");
		if (!from.isBefore(to)) {
			throw new IllegalArgumentException("the range is empty: " + Formats.instant(from) + " is not before "
					+ Formats.instant(to));
		}
		List<Window> windows = new ArrayList<>();
		Instant start = from;
		if (interval != null && !interval.reboot()) {
			Optional<ZonedDateTime> fire = interval.next(from);
			while (fire.isPresent() && fire.get().toInstant().isBefore(to)) {
				Instant at = fire.get().toInstant();
				if (windows.size() + 1 >= max) {
					throw new IllegalArgumentException("the range [" + Formats.instant(from) + ", " + Formats.instant(to)
							+ ") makes more than " + max
							+ " windows at the fire times of '" + interval.expression() + "' (" + interval.zone()
							+ "); re-run a shorter range, or split it once");
				}
				windows.add(new Window(start, at));
				start = at;
				fire = interval.next(at);
			}
		}
		windows.add(new Window(start, to));
		return windows;
	}
}
