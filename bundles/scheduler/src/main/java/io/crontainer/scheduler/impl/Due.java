package io.crontainer.scheduler.impl;

/**
 * Something the {@link DueQueue} holds until an instant: a job's next fire time, a run's time limit,
 * a plugin call's time limit, the re-check. Its fields belong to the queue; guarded by the engine's
 * lock.
 */
abstract class Due {
	/** When it is due, in UTC epoch milliseconds; meaningful while {@link #slot} is not -1. */
	long dueAt;
	/** Its index in the queue's heap; -1 when not queued. */
	int slot = -1;

	final boolean queued() {
		return slot >= 0;
	}
}
