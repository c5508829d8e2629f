package io.crontainer.scheduler.impl.engine;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

import io.crontainer.api.runtime.RerunDTO;
import io.crontainer.api.runtime.RerunSplit;
import io.crontainer.api.runtime.RunWindowDTO;
import io.crontainer.format.Formats;
import io.crontainer.scheduler.impl.interval.Interval;
import io.crontainer.scheduler.impl.interval.Intervals;
import io.crontainer.scheduler.impl.interval.InvalidIntervalException;
import io.crontainer.scheduler.impl.interval.RunWindows;
import io.crontainer.scheduler.impl.interval.RunWindows.Window;
import io.crontainer.store.api.Rerun;

/**
 * What a re-run request is checked against, and how a kept re-run turns into windows and a DTO: pure
 * functions of their arguments, shared by the runtime view (requests, dry runs, DTOs) and the re-run
 * part of the engine (the windows to run). Thread-safe: no state.
 */
final class RerunRequests {
	/** The longest {@code requestedBy} accepted. */
	static final int MAX_REQUESTED_BY = 200;

	private RerunRequests() {
	}

	/**
	 * What a request needs of its job, copied under the engine's lock.
	 *
	 * @param name The plugin's name.
	 * @param state The job's state, for the message if it has no record.
	 * @param reason Why it is not scheduled.
	 * @param loaded Whether its record is loaded (not pending, blocked or unavailable).
	 * @param lastEnd Its committed window end; {@code null} if it never succeeded.
	 * @param interval Its interval in force; {@code null} if it has none that is valid.
	 * @param anchor The instant its interval's {@code ?} fields take their value from; {@code null} if none.
	 * @param zone The zone of its interval, or the default one.
	 */
	record Target(String name, String state, String reason, boolean loaded, Instant lastEnd, Interval interval,
			Instant anchor, ZoneId zone) {
	}

	/**
	 * Checks a request and cuts its windows.
	 *
	 * @throws IllegalArgumentException If the range is empty, before the epoch, past the committed
	 *         window end, or makes too many windows.
	 * @throws IllegalStateException If the job has no record, or no interval to cut at.
	 */
	static List<Window> plan(Target target, Instant from, Instant to, RerunSplit split) {
		requireNonNull(from, "from");
		requireNonNull(to, "to");
		String name = target.name();
		if (from.isBefore(Instant.EPOCH)) {
			throw new IllegalArgumentException("the range starts at " + Formats.instant(from) + ", before the epoch"
					+ " (1970-01-01T00:00:00Z), where the first window of every plugin starts");
		}
		if (!from.isBefore(to)) {
			throw new IllegalArgumentException("the range is empty: its start, " + Formats.instant(from)
					+ ", is not before its end, " + Formats.instant(to));
		}
		if (!target.loaded()) {
			throw new IllegalStateException("cron plugin '" + name + "' is " + target.state() + ": "
					+ target.reason());
		}
		if (target.lastEnd() == null) {
			throw new IllegalArgumentException("cron plugin '" + name + "' has no committed window yet: there"
					+ " is nothing to re-run");
		}
		if (to.isAfter(target.lastEnd())) {
			throw new IllegalArgumentException("the range ends at " + Formats.instant(to) + ", after the end of the"
					+ " last committed window of cron plugin '" + name + "', " + Formats.instant(target.lastEnd())
					+ ": the windows after it are the schedule's to run");
		}
		Interval interval = null;
		if (split != RerunSplit.ONCE) {
			interval = target.interval();
			if (interval == null) {
				throw new IllegalStateException("cron plugin '" + name + "' has no valid interval to cut the"
						+ " range at (it is " + target.state() + "); re-run it as one window (split once)");
			}
		}
		return RunWindows.cut(interval, from, to, RunWindows.MAX);
	}

	/**
	 * Checks who asked: one line, not blank, not too long.
	 *
	 * @throws IllegalArgumentException If not.
	 */
	static String requestedBy(String by) {
		requireNonNull(by, "requestedBy");
		if (by.isBlank()) {
			throw new IllegalArgumentException("who asks for the re-run is blank");
		}
		if (by.length() > MAX_REQUESTED_BY) {
			throw new IllegalArgumentException("who asks for the re-run is longer than " + MAX_REQUESTED_BY
					+ " characters");
		}
		if (by.codePoints().anyMatch(Character::isISOControl)) {
			throw new IllegalArgumentException("who asks for the re-run holds control "
					+ "characters");
		}
		return by.strip();
	}

	/** The interval a kept re-run cuts at; {@code null} for one window. */
	static Interval interval(Rerun rerun) throws InvalidIntervalException {
		if (rerun.split() == RerunSplit.ONCE) {
			return null;
		}
		return Intervals.parse(rerun.interval(), ZoneId.of(rerun.zone()), rerun.name(),
				rerun.anchor() == null ? rerun.from() : rerun.anchor());
	}

	/**
	 * The windows of a kept re-run from its first window not done on.
	 *
	 * @throws InvalidIntervalException If its interval no longer parses (a later version refused it).
	 */
	static List<Window> left(Rerun rerun) throws InvalidIntervalException {
		if (!rerun.next().isBefore(rerun.to())) {
			return List.of();
		}
		return RunWindows.cut(interval(rerun), rerun.next(), rerun.to(), Integer.MAX_VALUE);
	}

	static List<RunWindowDTO> dtos(List<Window> windows) {
		List<RunWindowDTO> dtos = new ArrayList<>(windows.size());
		for (Window window : windows) {
			RunWindowDTO dto = new RunWindowDTO();
			dto.start = window.start().toEpochMilli();
			dto.end = window.end().toEpochMilli();
			dtos.add(dto);
		}
		return dtos;
	}

	/**
	 * The DTO of a kept re-run.
	 *
	 * @param waiting Why its next window does not run now; {@code null} if it runs or ended.
	 */
	static RerunDTO dto(Rerun rerun, String waiting) {
		RerunDTO dto = new RerunDTO();
		dto.name = rerun.name();
		dto.from = rerun.from().toEpochMilli();
		dto.to = rerun.to().toEpochMilli();
		dto.split = rerun.split();
		dto.interval = rerun.interval();
		dto.zone = rerun.zone();
		dto.done = rerun.done();
		dto.failed = rerun.failed();
		int left; // not run: still to run, or never to run once cancelled
		try {
			left = left(rerun).size();
		} catch (InvalidIntervalException | RuntimeException e) {
			left = 0;
		}
		dto.left = left;
		dto.windows = rerun.done() + rerun.failed() + left;
		dto.next = rerun.inProgress() ? rerun.next().toEpochMilli() : null;
		dto.requestedBy = rerun.requestedBy();
		dto.requested = rerun.requested().toEpochMilli();
		dto.cancelled = rerun.cancelled();
		dto.ended = rerun.ended() == null ? null : rerun.ended().toEpochMilli();
		dto.node = rerun.node();
		dto.waiting = rerun.inProgress() ? waiting : null;
		return dto;
	}
}
