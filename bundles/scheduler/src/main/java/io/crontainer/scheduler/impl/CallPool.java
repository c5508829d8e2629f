package io.crontainer.scheduler.impl;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The small pool on which {@code enabled()} and {@code interval()} of plugins are called.
 *
 * <p>
 * A call that overruns its time limit keeps its thread (Java cannot take a thread back from a
 * blocked method), so the pool grows by one thread for each such call while it is stuck and shrinks
 * when it returns: a hung plugin never delays the answers of the others. The scheduler never asks a
 * plugin again while its previous call is stuck, so the pool grows at most by the number of hung
 * plugins. Thread-safe.
 */
final class CallPool implements PluginCalls.Calls {
	private final ThreadPoolExecutor executor;
	private final int size;
	private int stuck; // guarded by this

	CallPool(int size, String threadPrefix) {
		this.size = size;
		this.executor = new ThreadPoolExecutor(size, size, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
				new NamedThreads(threadPrefix));
		this.executor.prestartAllCoreThreads(); // kept, parked: an arrival never pays for starting one
	}

	@Override
	public void execute(Runnable command) {
		executor.execute(command);
	}

	@Override
	public synchronized void stuck(boolean isStuck) {
		if (isStuck) {
			stuck++;
			executor.setMaximumPoolSize(size + stuck);
			executor.setCorePoolSize(size + stuck);
		} else if (stuck > 0) {
			stuck--;
			executor.setCorePoolSize(size + stuck);
			executor.setMaximumPoolSize(size + stuck);
		}
	}

	ThreadPoolExecutor executor() {
		return executor;
	}
}
