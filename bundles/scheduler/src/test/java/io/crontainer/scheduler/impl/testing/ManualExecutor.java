package io.crontainer.scheduler.impl.testing;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Executor;

/** An executor that holds tasks until the test runs them on its own thread. Thread-safe. */
public final class ManualExecutor implements Executor {
	private final Deque<Runnable> tasks = new ArrayDeque<>();

	@Override
	public synchronized void execute(Runnable command) {
		tasks.add(command);
	}

	public synchronized int pending() {
		return tasks.size();
	}

	/** Runs the queued tasks, and those they queue, until none is left. */
	public void runAll() {
		Runnable task;
		while ((task = poll()) != null) {
			task.run();
		}
	}

	/** Runs the first queued task only. @return Whether there was one. */
	public boolean runNext() {
		Runnable task = poll();
		if (task != null) {
			task.run();
		}
		return task != null;
	}

	private synchronized Runnable poll() {
		return tasks.poll();
	}
}
