package io.crontainer.scheduler.impl.engine;

import java.time.Instant;
import java.util.List;

/**
 * Something the {@link DueQueue} holds until an instant: a job's next fire time, the next attempt to
 * load a job's record, a run's time limit or grace, a fire time claimed again, a
 * plugin call's time limit, the re-check. Each kind is a type of its own, which hands itself to the
 * part it belongs to when it comes ({@link #come}): the timer dispatches without asking what it holds.
 * Its fields belong to the queue; guarded by the engine's lock.
 */
abstract class Due {
	/** When it is due, in UTC epoch milliseconds; meaningful while {@link #slot} is not -1. */
	long dueAt;
	/** Its index in the queue's heap; -1 when not queued. */
	int slot = -1;

	final boolean queued() {
		return slot >= 0;
	}

	/**
	 * It came: hands itself to the part it belongs to. Timer thread, engine's lock held.
	 *
	 * @param parts Where each kind goes.
	 * @param now The instant of the tick.
	 * @param out Effects to run once the lock is released.
	 */
	abstract void come(Parts parts, Instant now, List<Runnable> out);

	/** The parts the deadlines belong to, one method per kind. Timer thread, engine's lock held. */
	interface Parts {
		/** A job's fire time. */
		void fireTime(Job job, Instant now, List<Runnable> out);

		/** The next attempt to load a job's record, which the store could not give. */
		void loadRetry(Job job, Instant now, List<Runnable> out);

		/** A running run's time limit, or the end of the grace it got after an interrupt or a departure. */
		void runDeadline(Run run, Instant now, List<Runnable> out);


		/** A fire time held by another runtime is claimed again. */
		void retry(Firing.Retry retry, Instant now, List<Runnable> out);

		/** A plugin call's time limit. */
		void callDeadline(PluginCalls.Call call, Instant now, List<Runnable> out);

		/** The periodic re-check of every plugin. */
		void recheck(Instant now, List<Runnable> out);
	}
}
