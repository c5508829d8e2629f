package io.crontainer.scheduler.impl.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.crontainer.api.CronPlugin;

/**
 * The deadlines of running runs, and their abandonment: a run's {@code cron.timeout} and the end of the
 * grace its departed plugin gives it, whichever comes first, interrupt it; a run that ignores the
 * interrupt for its wait is abandoned: its outcome is recorded, its job is {@code STUCK}, its thread
 * keeps the plugin's name. Each deadline is the run itself in the {@link DueQueue} ({@link Run} is a
 * {@link Due}), so the timer handles it like any other.
 *
 * <p>
 * Threads: {@link #due} on the timer thread, {@link #departed} on the whiteboard thread, {@link #cancel}
 * and {@link #schedule} on run and store threads, all with the engine's lock held;
 * {@link #started}, {@link #returned} and {@link #departedAtShutdown} take the lock themselves (run
 * threads; the thread stopping a plugin's bundle). No log line or interrupt happens under the lock: they
 * are effects ({@code out}).
 */
final class Deadlines {
	private static final Logger LOG = LoggerFactory.getLogger(Deadlines.class);

	/**
	 * How long a run interrupted at the end of its departed plugin's grace may take to return before
	 * it is abandoned.
	 */
	static final Duration INTERRUPT_WAIT = Duration.ofSeconds(1);

	/** What the deadlines need of the rest of the engine. */
	interface Engine {
		/** The grace of runs; takes the lock itself (re-entrant if held). */
		Duration grace();

		/** A run was abandoned: its job is {@code STUCK} now. Lock held. */
		void abandoned(Run run, Instant now, List<Runnable> out);
	}

	private final Object lock;
	private final DueQueue due;
	private final Outcomes outcomes;
	private final Engine engine;

	Deadlines(Object lock, DueQueue due, Outcomes outcomes, Engine engine) {
		this.lock = lock;
		this.due = due;
		this.outcomes = outcomes;
		this.engine = engine;
	}

	/**
	 * A run entered its plugin (run thread): its {@code cron.timeout} counts from {@code end}, and the
	 * earlier of its deadlines is queued. Takes the engine's lock.
	 *
	 * @param timeoutSeconds Its {@code cron.timeout}; {@code null} for none.
	 * @param end The window end, when the run started.
	 */
	void started(Run run, Long timeoutSeconds, Instant end) {
		synchronized (lock) {
			if (timeoutSeconds != null) {
				run.timeoutAt = end.plusSeconds(timeoutSeconds).toEpochMilli();
			}
			schedule(run);
		}
	}

	/** A run returned from its plugin (run thread): its deadlines are gone. Takes the engine's lock. */
	void returned(Run run) {
		synchronized (lock) {
			due.cancel(run);
		}
	}

	/** A run is over: its deadlines are gone. Lock held. */
	void cancel(Run run) {
		due.cancel(run);
	}

	/**
	 * Queues the earlier of a running run's deadlines not yet passed: its {@code cron.timeout} and the
	 * end of the grace its departed plugin gives it. Lock held.
	 */
	void schedule(Run run) {
		if (run.phase != Run.Phase.RUNNING || run.interrupted != null) {
			return; // not started (it queues its deadlines as it starts), over, or awaiting its abandonment
		}
		long at = earlier(run.timeoutAt, run.departAt);
		if (at != 0) {
			due.schedule(run, at);
		}
	}

	/** The earlier of two epoch ms instants, 0 meaning "none". */
	private static long earlier(long a, long b) {
		return a == 0 ? b : b == 0 ? a : Math.min(a, b);
	}

	/**
	 * A run's deadline came. Timer thread, lock held. First the earlier of its {@code cron.timeout} and
	 * the end of the grace its departed plugin gives it: it is interrupted and gets the grace (after a
	 * timeout) or {@link #INTERRUPT_WAIT} (after a departure) to return, whichever ends first. Then that
	 * wait ends: still inside the plugin, it is abandoned: its outcome is recorded now, the job is
	 * {@code STUCK}, and its thread keeps the name.
	 */
	void due(Run run, Instant now, List<Runnable> out) {
		if (run.phase != Run.Phase.RUNNING) {
			return;
		}
		if (run.interrupted == null) {
			long nowMillis = now.toEpochMilli();
			run.interruptedAt = nowMillis;
			long abandonAt;
			if (run.departAt != 0 && run.departAt <= nowMillis) {
				run.interrupted = "the plugin left";
				Duration grace = engine.grace();
				out.add(() -> LOG.info("Cron plugin {} left {} ago and its run goes on: interrupting it", run.name,
						Texts.duration(grace)));
				abandonAt = nowMillis + INTERRUPT_WAIT.toMillis();
			} else {
				run.timedOut = true;
				run.interrupted = "timed out";
				Long timeout = run.job.settings.timeoutSeconds();
				out.add(() -> LOG.warn("Cron plugin {} has run longer than its {} of {} s: interrupting it", run.name,
						CronPlugin.TIMEOUT, timeout));
				abandonAt = now.plus(engine.grace()).toEpochMilli();
				if (run.departAt != 0) { // its plugin left too: abandoned no later than the departure says
					abandonAt = Math.min(abandonAt, run.departAt + INTERRUPT_WAIT.toMillis());
				}
			}
			out.add(run::interruptCall);
			due.schedule(run, abandonAt);
			return;
		}
		abandon(run, now, out);
	}

	/** The run ignored its interrupt for its wait: abandoned, named, reported. Lock held. */
	private void abandon(Run run, Instant now, List<Runnable> out) {
		if (!run.advance(Run.Phase.RUNNING, Run.Phase.STUCK)) {
			return; // it returned meanwhile
		}
		String error = outcomes.abandoned(run, Duration.ofMillis(Math.max(0, now.toEpochMilli() - run.interruptedAt)),
				now, out);
		out.add(() -> LOG.warn("Cron plugin {} is STUCK: its run since {} {}; it is not fired again until the thread "
				+ "returns", run.name, Instant.ofEpochMilli(run.record.started), error));
		engine.abandoned(run, now, out);
	}

	/**
	 * A plugin left while its run goes on: the run gets the grace period to finish normally (and is
	 * committed if it returns normally), then it is interrupted and gets {@link #INTERRUPT_WAIT} more;
	 * still running then, it is abandoned. Nothing is awaited here: the end of the grace is a deadline of
	 * the {@link DueQueue}, which the timer handles like a {@code cron.timeout} (the earlier of the two
	 * counts). A run not started yet queues the deadline as it starts. Lock held; called on the
	 * whiteboard thread, which returns at once.
	 *
	 * @param graceEnd The end of the grace, UTC epoch ms.
	 */
	void departed(Run run, long graceEnd) {
		if (run.departAt != 0 || run.interrupted != null) {
			return; // departed already, or interrupted (timed out, stopping): its abandonment is queued
		}
		run.departAt = graceEnd; // before the phase is read: a run starting meanwhile sees one or the other
		schedule(run);
	}

	/**
	 * A plugin left because the framework is stopping: its run is interrupted at once and not awaited
	 * here; {@link Stopping#stop}, which follows when the scheduler itself stops, awaits it with every
	 * other run within one grace period, so that a stopping runtime never waits a grace per plugin.
	 * Called on the thread stopping the plugin's bundle, without the lock.
	 */
	void departedAtShutdown(Run run) {
		synchronized (lock) {
			if (run.phase != Run.Phase.RUNNING || run.interrupted != null) {
				return;
			}
			run.interrupted = "the framework is stopping";
			due.cancel(run);
		}
		run.interruptCall();
	}
}
