package io.crontainer.scheduler.impl;

import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The threads that runs execute on: an elastic pool that never lets a run wait behind a plugin that
 * does not return.
 *
 * <p>
 * Runs wait in one queue; threads take them in turn, so a burst of short runs (a thousand plugins due
 * in the same second) is drained by a few threads without a hand-off per run. A thread counts as
 * <em>free</em> except while it is inside a task. Whenever a task is queued and no thread is free, or
 * a thread enters a task while tasks wait and no other thread is free, a thread is added. Hence a
 * queued run always has a free thread coming, however many plugins hang; and since the engine never
 * runs a plugin twice at once, there are never more threads than running plugins, plus one. A thread
 * idle for {@link #KEEP_ALIVE_SECONDS} ends.
 *
 * <p>
 * Thread-safe, lock-free (atomic counters and a concurrent queue). Called by the timer thread, the
 * committer thread and operators' threads ({@link #execute}), and by its own threads.
 */
final class RunPool implements Executor {
	static final long KEEP_ALIVE_SECONDS = 60;
	private static final Logger LOG = LoggerFactory.getLogger(RunPool.class);

	private final LinkedBlockingQueue<Runnable> queue = new LinkedBlockingQueue<>();
	private final String prefix;
	private final AtomicInteger threads = new AtomicInteger();
	private final AtomicInteger free = new AtomicInteger();
	private final AtomicInteger numbers = new AtomicInteger();
	private volatile boolean shutdown;

	RunPool(String prefix) {
		this.prefix = prefix;
	}

	@Override
	public void execute(Runnable task) {
		if (shutdown) {
			throw new RejectedExecutionException("the scheduler is stopping");
		}
		queue.add(task);
		if (free.get() == 0) {
			spawn();
		}
	}

	/** Threads of the pool now, for tests and the closing report. */
	int threads() {
		return threads.get();
	}

	/** Refuses new tasks; threads end once idle. Queued tasks are dropped and returned to no one. */
	void shutdown() {
		shutdown = true;
		queue.clear();
		for (int i = threads.get(); i > 0; i--) {
			queue.add(() -> {
				// wakes an idle thread so that it sees the shutdown and ends
			});
		}
	}

	private void spawn() {
		threads.incrementAndGet();
		free.incrementAndGet();
		Thread thread = new Thread(this::work, prefix + "-" + numbers.incrementAndGet());
		thread.setDaemon(true);
		try {
			thread.start();
		} catch (OutOfMemoryError | RuntimeException e) {
			threads.decrementAndGet();
			free.decrementAndGet();
			LOG.error("Cannot start a thread for runs ({} exist); queued runs wait for a free one", threads.get(), e);
		}
	}

	private void work() {
		while (!shutdown) {
			Runnable task;
			try {
				task = queue.poll(KEEP_ALIVE_SECONDS, TimeUnit.SECONDS);
			} catch (InterruptedException e) {
				continue; // a late interrupt meant for a plugin: ignored here
			}
			if (task == null) {
				break; // idle for the keep-alive: end
			}
			if (free.decrementAndGet() == 0 && !queue.isEmpty()) {
				spawn(); // everyone is busy and runs wait: someone must take them
			}
			try {
				task.run();
			} catch (RuntimeException | Error e) {
				LOG.error("A run task failed", e);
			} finally {
				Thread.interrupted(); // a late interrupt was meant for the plugin
				free.incrementAndGet();
			}
		}
		threads.decrementAndGet();
		if (free.decrementAndGet() == 0 && !queue.isEmpty() && !shutdown) {
			spawn(); // a task was queued while this thread still counted as free
		}
	}
}
