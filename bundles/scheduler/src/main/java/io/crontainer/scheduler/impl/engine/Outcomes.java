package io.crontainer.scheduler.impl.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.crontainer.api.runtime.CronLogDTO;
import io.crontainer.api.runtime.CronRunDTO;
import io.crontainer.api.runtime.Outcome;
import io.crontainer.api.runtime.Trigger;
import io.crontainer.scheduler.impl.runlog.RunLogBuffer;
import io.crontainer.store.api.StateStore;

/**
 * What became of each fire: a run queued, its outcome, or a fire time that did not run. It keeps each
 * in the {@link History} (with the counters of {@code CronJobDTO}), hands it to the store's history
 * with the run's log ({@link StateStore#appendHistory(CronRunDTO, CronLogDTO)}; a run that never
 * reached its plugin call has none; a re-run window's run is handed over with the window's progress
 * instead, {@link #handOver}) and to the {@link Events}, logs it, and completes the stage of a
 * manual fire. A leaf: it calls no other part. The place where a run's record grows (run logs,
 * retries, re-runs record here).
 *
 * <p>
 * Threads: every method but {@link #complete} and {@link #handOver} requires the engine's lock, held by whichever engine
 * thread fires, skips or ends a run (timer, whiteboard, call, run, store, operator and stopping threads);
 * what goes beyond memory (the store's append, Event Admin, log lines) is added to {@code out}, run
 * once the lock is released; the store hands the append to its own writer thread (no I/O on the
 * caller's). {@link #complete} is called with no lock held, {@link #handOver} on a re-run window's
 * run thread with no lock held.
 */
final class Outcomes {
	private static final Logger LOG = LoggerFactory.getLogger(Outcomes.class);

	private final History history;
	private final Supplier<StateStore> store;
	private final Events events;
	private final Executor pool;

	/**
	 * @param history The runs kept in memory.
	 * @param store The store in use now (it changes with the configuration).
	 * @param events Where runs are told.
	 * @param pool The run pool: the stage of a manual fire completes on one of its threads.
	 */
	Outcomes(History history, Supplier<StateStore> store, Events events, Executor pool) {
		this.history = history;
		this.store = store;
		this.events = events;
		this.pool = pool;
	}

	/** A run was fired: its record is kept as {@code QUEUED}. Lock held. */
	void queued(RunRecord record) {
		history.add(record);
	}

	/**
	 * A run's fire time turned out to be another runtime's: it leaves no trace here. Lock held.
	 */
	void forget(Run run) {
		history.remove(run.record);
	}

	/**
	 * Counts scheduled fire times missed without a record of their own (each was replaced by a later
	 * one that is recorded). Lock held.
	 */
	void missed(Job job, int count, Instant latest) {
		history.missed(job.name(), count, latest);
	}

	/** Records a fire that did not run, and why. Lock held. */
	void skipped(Job job, Trigger trigger, Instant scheduledFire, Instant now, String why, List<Runnable> out) {
		skipped(job, trigger, scheduledFire, now, why, true, out);
	}

	/** Records a fire that did not run, and why; in the store's history too if {@code keep}. Lock held. */
	void skipped(Job job, Trigger trigger, Instant scheduledFire, Instant now, String why, boolean keep,
			List<Runnable> out) {
		if (trigger == Trigger.SCHEDULE && scheduledFire != null) {
			history.missed(job.name(), 1, scheduledFire);
		}
		RunRecord record = new RunRecord(job.name(), trigger, scheduledFire, now, null);
		record.finished = now.toEpochMilli();
		record.error = why;
		record.outcome = Outcome.SKIPPED;
		history.add(record);
		CronRunDTO kept = record.toDTO();
		if (keep) {
			StateStore store = this.store.get();
			out.add(() -> store.appendHistory(kept));
		}
		out.add(() -> events.ended(kept));
	}

	/**
	 * The history entry of a re-run window's run that ends now, for the store to keep with the window's
	 * progress ({@link StateStore#advanceRerun(String, long, Instant, Instant, CronRunDTO, CronLogDTO)}),
	 * and its log; {@link #end}, called next with the same outcome and error, then keeps the same
	 * finish time and hands the store nothing more. Run thread, no lock: the record's fields are
	 * volatile, and the run, past its plugin call and not abandoned, is ended by its own thread only.
	 *
	 * @return The entry, and the run's log ({@code null} if it has none).
	 */
	Handed handOver(Run run, Outcome outcome, String error, Instant now) {
		RunRecord record = run.record;
		CronRunDTO entry = record.toDTO();
		entry.outcome = outcome;
		entry.error = error;
		entry.finished = now.toEpochMilli();
		RunLogBuffer log = record.log;
		record.handed = entry;
		return new Handed(entry, log == null ? null : log.snapshot(entry.name, entry.started, false));
	}

	/** A run's history entry and log, as {@link #handOver} gives them to the store. */
	record Handed(CronRunDTO run, CronLogDTO log) {
	}

	/** Records a run's final outcome and counts it. Lock held. */
	void end(Run run, Outcome outcome, String error, Instant now, List<Runnable> out) {
		RunRecord record = run.record;
		CronRunDTO handed = record.handed;
		record.error = error;
		record.finished = handed != null ? handed.finished : now.toEpochMilli();
		record.outcome = outcome;
		history.ended(run.name, outcome);
		if (outcome == Outcome.SKIPPED && run.trigger == Trigger.SCHEDULE && run.scheduledFire != null) {
			history.missed(run.name, 1, run.scheduledFire); // not started: the store was away, the clock went back
		}
		CronRunDTO kept = record.toDTO();
		if (handed != null) { // the store has the entry and its log already
			record.handed = null;
			record.log = null;
		} else {
			StateStore store = this.store.get();
			RunLogBuffer log = record.log;
			out.add(() -> { // the snapshot too outside the lock: a plugin may still log into its buffer
				store.appendHistory(kept, log == null ? null : log.snapshot(kept.name, kept.started, false));
				record.log = null;
			});
		}
		out.add(() -> events.ended(kept));
		switch (outcome) {
		case SUCCEEDED -> {
			if (LOG.isDebugEnabled()) { // a level check only; the line is written once the lock is released
				out.add(() -> LOG.debug("Cron plugin {} succeeded for [{}, {})", run.name,
						Instant.ofEpochMilli(record.windowStart), Instant.ofEpochMilli(record.windowEnd)));
			}
		}
		case TIMED_OUT -> out.add(() -> LOG.warn("Cron plugin {}: run {}: {}; the window is kept for its next run",
				run.name, outcome, error));
		case FAILED -> {
			// logged where it failed, with the exception
		}
		default -> out.add(() -> LOG.info("Cron plugin {}: run {}: {}", run.name, outcome, error));
		}
	}

	/**
	 * Records the outcome of a run just moved to {@code STUCK}, and completes the stage of a manual
	 * fire with it: the run is over for whoever awaits it, although its thread may come back later
	 * (then nothing more is recorded). Lock held.
	 *
	 * @param ignored How long it ignored its interrupt.
	 * @return The run's error.
	 */
	String abandoned(Run run, Duration ignored, Instant now, List<Runnable> out) {
		String thread = run.threadName();
		Outcome outcome = run.timedOut ? Outcome.TIMED_OUT : Outcome.INTERRUPTED;
		String why = run.timedOut ? "did not finish within " + run.job.settings.timeoutSeconds() + " s"
				: "interrupted: " + run.interrupted;
		String error = why + ", and ignored its interrupt for " + Texts.duration(ignored) + ": its thread "
				+ (thread == null ? "" : "'" + thread + "' ") + "is abandoned";
		end(run, outcome, error, now, out); // its history record is appended once the lock is released
		if (run.done != null) {
			CronRunDTO dto = run.record.toDTO();
			out.add(() -> complete(run, dto));
		}
		return error;
	}

	/**
	 * Completes the stage of a manual fire, on a run thread: its dependent stages never run on the
	 * timer's or the store's thread. A stage completed already (a run abandoned, whose thread came back
	 * at last) stays as it was. Lock not held.
	 */
	void complete(Run run, CronRunDTO dto) {
		try {
			pool.execute(() -> run.done.complete(dto));
		} catch (RejectedExecutionException e) {
			run.done.complete(dto);
		}
	}
}
