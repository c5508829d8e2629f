package io.crontainer.scheduler.impl.engine;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.crontainer.api.runtime.Outcome;

/**
 * Run history and counters, per plugin name: the recent runs (bounded by {@code history.size}), and
 * the counts shown in {@code CronJobDTO} (runs, failures, timeouts, consecutive failures). The history
 * of a name whose plugin left is kept for the {@link #DEPARTED} most recently departed names, so that
 * it is there again after a bundle update.
 *
 * <p>
 * Not thread-safe by itself: guarded by the engine's lock (timer, run, committer and operator
 * threads). Returns {@link RunRecord}s, which the runtime view copies outside the lock.
 */
final class History {
	/** How many departed names keep their history. */
	static final int DEPARTED = 256;

	/** One name's runs and counts. */
	static final class Runs {
		final Deque<RunRecord> recent = new ArrayDeque<>(4);
		long runs;
		long failures;
		long timeouts;
		long consecutiveFailures;
		/** Fire times missed ({@code CronJobDTO.missedFires}). */
		long missedFires;
		/** The latest of them, UTC epoch ms; 0 for none. */
		long lastMissedFire;

		/** The newest run that ran (or runs); the newest skipped fire only if none did. */
		RunRecord last() {
			for (RunRecord record : recent) {
				if (record.outcome != Outcome.SKIPPED) {
					return record;
				}
			}
			return recent.peekFirst();
		}
	}

	private final Map<String, Runs> byName = new HashMap<>();
	/** Names with history but no live plugin, oldest first. */
	private final Set<String> departed = new LinkedHashSet<>();
	private int size;

	History(int size) {
		this.size = size;
	}

	/** Adds a run (queued, running or skipped) as the newest of its name. */
	void add(RunRecord record) {
		Runs runs = byName.computeIfAbsent(record.name, n -> new Runs());
		runs.recent.addFirst(record);
		while (runs.recent.size() > size) {
			runs.recent.removeLast();
		}
	}

	/**
	 * Puts back the runs of a name kept across a restart (by the local store), newest first, as they
	 * were: for a name that has no runs here yet.
	 */
	void restore(String name, List<io.crontainer.api.runtime.CronRunDTO> newestFirst) {
		Runs runs = byName.computeIfAbsent(name, n -> new Runs());
		for (io.crontainer.api.runtime.CronRunDTO dto : newestFirst) {
			if (runs.recent.size() == size) {
				break;
			}
			runs.recent.addLast(RunRecord.of(dto));
		}
	}

	/** Forgets a run that turned out not to be this runtime's (another runtime of a cluster ran it). */
	void remove(RunRecord record) {
		Runs runs = byName.get(record.name);
		if (runs != null) {
			runs.recent.removeFirstOccurrence(record);
		}
	}

	/** Counts a run that is over, with its final outcome. */
	void ended(String name, Outcome outcome) {
		Runs runs = byName.computeIfAbsent(name, n -> new Runs());
		if (outcome == Outcome.SKIPPED) {
			return;
		}
		runs.runs++;
		switch (outcome) {
		case SUCCEEDED -> runs.consecutiveFailures = 0;
		case FAILED -> {
			runs.failures++;
			runs.consecutiveFailures++;
		}
		case TIMED_OUT -> {
			runs.timeouts++;
			runs.consecutiveFailures++;
		}
		case INTERRUPTED -> runs.consecutiveFailures++;
		default -> {
			// QUEUED and RUNNING are not ends
		}
		}
	}

	/**
	 * Counts fire times of a name that were missed (their run did not start within the misfire grace).
	 *
	 * @param latest The latest of them.
	 */
	void missed(String name, long count, Instant latest) {
		if (count <= 0) {
			return;
		}
		Runs runs = byName.computeIfAbsent(name, n -> new Runs());
		runs.missedFires += count;
		runs.lastMissedFire = Math.max(runs.lastMissedFire, latest.toEpochMilli());
	}

	/** A name's runs and counts; {@code null} if it has none. */
	Runs of(String name) {
		return byName.get(name);
	}

	boolean has(String name) {
		return byName.containsKey(name);
	}

	/** The newest runs of a name, newest first. */
	List<RunRecord> recent(String name, int limit) {
		Runs runs = byName.get(name);
		List<RunRecord> out = new ArrayList<>();
		if (runs != null) {
			for (RunRecord record : runs.recent) {
				if (out.size() == limit) {
					break;
				}
				out.add(record);
			}
		}
		return out;
	}

	/** The newest runs of every name, newest first. */
	List<RunRecord> recent(int limit) {
		List<RunRecord> all = new ArrayList<>();
		for (Runs runs : byName.values()) {
			all.addAll(runs.recent);
		}
		all.sort(Comparator.comparingLong((RunRecord r) -> r.started).thenComparingLong(r -> r.seq).reversed());
		return all.size() <= limit ? all : new ArrayList<>(all.subList(0, limit));
	}

	/** A name has a live plugin again: its history is no longer a departed one. */
	void arrived(String name) {
		departed.remove(name);
	}

	/** A name has no live plugin any more: its history is kept among the most recently departed. */
	void departed(String name) {
		if (!byName.containsKey(name)) {
			return;
		}
		departed.add(name);
		if (departed.size() > DEPARTED) {
			String oldest = departed.iterator().next();
			departed.remove(oldest);
			byName.remove(oldest);
		}
	}

	/** Changes the number of runs kept per name. */
	void resize(int newSize) {
		this.size = newSize;
		for (Runs runs : byName.values()) {
			while (runs.recent.size() > newSize) {
				runs.recent.removeLast();
			}
		}
	}
}
