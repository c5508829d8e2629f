package io.crontainer.scheduler.impl.engine;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Daemon threads named {@code prefix-N}, so that a thread dump shows whose they are. */
public final class NamedThreads implements ThreadFactory {
	private final String prefix;
	private final AtomicInteger count = new AtomicInteger();

	public NamedThreads(String prefix) {
		this.prefix = prefix;
	}

	@Override
	public Thread newThread(Runnable task) {
		Thread thread = new Thread(task, prefix + "-" + count.incrementAndGet());
		thread.setDaemon(true);
		return thread;
	}
}
