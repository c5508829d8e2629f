package io.crontainer.scheduler.impl.engine;

import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The pool on which {@code enabled()} and {@code interval()} of plugins are called: an elastic pool
 * that never lets a call wait behind a plugin that does not return.
 *
 * <p>
 * A call is handed to an idle call thread; when every call thread is inside a plugin, a thread is
 * added at once (a direct hand-off, no queue), not when a call's time limit has passed: two plugins
 * whose {@code enabled()} never returns do not delay a third plugin's {@code interval()}. The engine
 * asks a plugin again only once its previous call returned, so there are about as many call threads
 * as plugins with a call in flight (one more now and then: a thread that just returned from a call
 * may not be back at the hand-off when the next call comes), and never fewer than {@code core}. A thread
 * beyond those idle for {@link #KEEP_ALIVE_SECONDS} ends. While a call runs, its thread's name carries
 * the plugin's name ({@code crontainer-call-2 [NAME]}, see {@link PluginCalls}).
 *
 * <p>
 * Thread-safe (a {@link ThreadPoolExecutor}). Called by the whiteboard thread, the timer thread and
 * operators' threads, after the engine's lock is released.
 */
public final class CallPool implements PluginCalls.Calls {
	/** How long a call thread beyond the core ones may stay idle before it ends. */
	static final long KEEP_ALIVE_SECONDS = 30;

	private final ThreadPoolExecutor executor;

	/**
	 * @param core The threads started at once and kept when idle, so that an arrival never pays for
	 *        starting one.
	 * @param threadPrefix The prefix of the threads' names ({@code prefix-N}).
	 */
	public CallPool(int core, String threadPrefix) {
		this.executor = new ThreadPoolExecutor(core, Integer.MAX_VALUE, KEEP_ALIVE_SECONDS, TimeUnit.SECONDS,
				new SynchronousQueue<>(), new NamedThreads(threadPrefix));
		this.executor.prestartAllCoreThreads();
	}

	@Override
	public void execute(Runnable command) {
		executor.execute(command);
	}

	public ThreadPoolExecutor executor() {
		return executor;
	}
}
