package io.crontainer.scheduler.impl.engine;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stopping the runs when the scheduler stops: every run is interrupted and awaited up to the grace
 * period in all; those still running are abandoned, reported by name and thread, and their outcome
 * recorded ({@code INTERRUPTED}, or {@code TIMED_OUT}), which completes the stage of a manual fire.
 *
 * <p>
 * Threads: the stopping thread (the component's deactivation), with no lock held; it takes the
 * engine's lock to read the runs and to abandon each one left, and awaits the runs without it.
 */
final class Stopping {
	private static final Logger LOG = LoggerFactory.getLogger(Stopping.class);

	/** What stopping needs of the rest of the engine. */
	interface Engine {
		/** Every run going, those holding their names and those beside them ({@link Firing#runs}). Lock held. */
		Collection<Run> runs();

		/** Runs the effects collected under the lock, and tells of a change. Lock not held. */
		void flush(List<Runnable> out);
	}

	private final Object lock;
	private final Clock clock;
	private final Outcomes outcomes;
	private final Engine engine;

	Stopping(Object lock, Clock clock, Outcomes outcomes, Engine engine) {
		this.lock = lock;
		this.clock = clock;
		this.outcomes = outcomes;
		this.engine = engine;
	}

	/**
	 * Stops: every run is interrupted and awaited up to the grace period in all; those still running
	 * are abandoned, reported by name and thread, and their outcome recorded ({@code INTERRUPTED}, or
	 * {@code TIMED_OUT}): the stage of a manual fire completes with it. The runs of departed plugins are
	 * among them (still in their grace, or interrupted and not yet abandoned), awaited once with the
	 * rest; runs abandoned already ({@code STUCK}) are not awaited again. Lock not held.
	 */
	void stop(Duration grace) {
		List<Run> runs;
		synchronized (lock) {
			runs = new ArrayList<>();
			for (Run run : engine.runs()) {
				if (run.interrupted == null) {
					run.interrupted = "the scheduler stopped";
				}
				if (run.phase != Run.Phase.STUCK) {
					runs.add(run);
				}
			}
		}
		for (Run run : runs) {
			run.interruptCall();
		}
		long deadline = System.nanoTime() + grace.toNanos();
		List<String> abandoned = new ArrayList<>();
		List<Runnable> out = new ArrayList<>();
		for (Run run : runs) {
			if (!await(run, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
				String thread = run.threadName();
				abandoned.add(run.name + (thread == null ? "" : " (thread '" + thread + "')"));
				synchronized (lock) {
					if (run.advance(Run.Phase.RUNNING, Run.Phase.STUCK)) {
						outcomes.abandoned(run, grace, clock.instant(), out);
					}
				}
			}
		}
		engine.flush(out);
		if (!abandoned.isEmpty()) {
			LOG.warn("Abandoned {} run(s) that ignored their interrupt for {} s: {}", abandoned.size(), grace.toSeconds(),
					String.join(", ", abandoned));
		}
	}

	private static boolean await(Run run, Duration time) {
		try {
			return run.finished.await(time.toNanos(), TimeUnit.NANOSECONDS);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			return run.finished.getCount() == 0;
		}
	}
}
