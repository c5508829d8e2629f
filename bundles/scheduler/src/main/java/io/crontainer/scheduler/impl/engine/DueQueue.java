package io.crontainer.scheduler.impl.engine;

import java.util.Arrays;

/**
 * The due queue: every deadline of the engine (fire times, run and call time limits, the re-check)
 * in one indexed binary heap, earliest first, so that the timer sleeps until the earliest and is woken
 * only when a new deadline comes before it.
 *
 * <p>
 * Replaces flags that every caller had to remember: {@link #schedule} itself wakes the timer when the
 * deadline it adds is earlier than the one the timer sleeps until. Scheduling, moving and cancelling
 * cost O(log n); nothing scans all jobs.
 *
 * <p>
 * Not thread-safe by itself: guarded by the engine's lock, which every caller holds (the whiteboard,
 * call, run, committer and operator threads when they change a deadline; the timer thread when it
 * takes what is due).
 */
final class DueQueue {
	/** "Not sleeping": the timer is busy and looks at the queue again before it sleeps. */
	private static final long AWAKE = Long.MIN_VALUE;

	private Due[] heap = new Due[64];
	private int size;
	private Runnable wake;
	/** Until when the timer sleeps, epoch ms; {@link #AWAKE} while it works. */
	private long sleepingUntil = AWAKE;

	/**
	 * How to wake the timer when something becomes due before its sleep ends: in production
	 * {@code LockSupport.unpark(timerThread)}, which neither blocks nor calls out.
	 */
	void waker(Runnable waker) {
		this.wake = waker;
	}

	/** Adds a deadline, or moves it if it is queued already. Wakes the timer if it sleeps past it. */
	void schedule(Due due, long at) {
		if (due.queued()) {
			long old = due.dueAt;
			due.dueAt = at;
			if (at < old) {
				up(due.slot);
			} else {
				down(due.slot);
			}
		} else {
			if (size == heap.length) {
				heap = Arrays.copyOf(heap, size * 2);
			}
			due.dueAt = at;
			due.slot = size;
			heap[size++] = due;
			up(due.slot);
		}
		if (sleepingUntil != AWAKE && at < sleepingUntil && wake != null) {
			sleepingUntil = AWAKE;
			wake.run();
		}
	}

	/** Removes a deadline; nothing if it is not queued. */
	void cancel(Due due) {
		int slot = due.slot;
		if (slot < 0) {
			return;
		}
		Due last = heap[--size];
		heap[size] = null;
		due.slot = -1;
		if (last != due) {
			heap[slot] = last;
			last.slot = slot;
			up(slot);
			down(last.slot);
		}
	}

	/** The earliest deadline if it is due at {@code now} (epoch ms), removed; else {@code null}. */
	Due poll(long now) {
		if (size == 0 || heap[0].dueAt > now) {
			return null;
		}
		Due first = heap[0];
		cancel(first);
		return first;
	}

	/** The earliest deadline, epoch ms; {@link Long#MAX_VALUE} if none. */
	long earliest() {
		return size == 0 ? Long.MAX_VALUE : heap[0].dueAt;
	}

	/** The timer is about to sleep until {@code until} (epoch ms): a deadline before it must wake it. */
	void sleeping(long until) {
		sleepingUntil = until;
	}

	/** The timer woke up. */
	void awake() {
		sleepingUntil = AWAKE;
	}

	int size() {
		return size;
	}

	private void up(int slot) {
		Due due = heap[slot];
		while (slot > 0) {
			int parent = (slot - 1) >>> 1;
			Due p = heap[parent];
			if (p.dueAt <= due.dueAt) {
				break;
			}
			heap[slot] = p;
			p.slot = slot;
			slot = parent;
		}
		heap[slot] = due;
		due.slot = slot;
	}

	private void down(int slot) {
		Due due = heap[slot];
		int half = size >>> 1;
		while (slot < half) {
			int child = 2 * slot + 1;
			int right = child + 1;
			if (right < size && heap[right].dueAt < heap[child].dueAt) {
				child = right;
			}
			if (due.dueAt <= heap[child].dueAt) {
				break;
			}
			heap[slot] = heap[child];
			heap[slot].slot = slot;
			slot = child;
		}
		heap[slot] = due;
		due.slot = slot;
	}
}
