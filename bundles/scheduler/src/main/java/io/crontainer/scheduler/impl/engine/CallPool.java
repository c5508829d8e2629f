package io.crontainer.scheduler.impl.engine;

/**
 * The pool on which {@code enabled()} and {@code interval()} of plugins are called: an elastic pool
 * that never lets a call wait behind a plugin that does not return, of the same kind as the runs'
 * ({@link RunPool}).
 *
 * <p>
 * Calls wait in one queue that the {@code core} threads take them from. When calls wait, every call
 * thread is inside a plugin and none has taken a call for a millisecond, a thread is added, long before
 * a call's time limit: two plugins whose {@code enabled()} never returns do not delay a third plugin's
 * {@code interval()}. A registration of thousands of plugins, whose calls are short, adds none: with the
 * earlier direct hand-off, every call that came while both threads were between two calls started a
 * thread, and those ended one by one, each waking up, once the keep-alive had passed, while nothing was
 * due. A thread beyond the core ones idle for {@link RunPool#KEEP_ALIVE_SECONDS} ends. While a call
 * runs, its thread's name carries the plugin's name ({@code crontainer-call-2 [NAME]}, see
 * {@link PluginCalls}).
 *
 * <p>
 * Thread-safe. Called by the whiteboard thread, the timer thread and operators' threads, after the
 * engine's lock is released.
 */
public final class CallPool implements PluginCalls.Calls {

	private final RunPool threads;

	/**
	 * @param core The threads started at once and kept when idle, so that an arrival never pays for
	 *        starting one; at least 1.
	 * @param threadPrefix The prefix of the threads' names ({@code prefix-N}).
	 */
	public CallPool(int core, String threadPrefix) {
		this.threads = new RunPool(threadPrefix, core);
	}

	@Override
	public void execute(Runnable command) {
		threads.execute(command);
	}

	/** How many call threads there are now. */
	int threads() {
		return threads.threads();
	}

	/**
	 * Refuses new calls, drops the queued ones and interrupts those going on; the threads end once
	 * their calls return.
	 */
	public void shutdownNow() {
		threads.shutdownNow();
	}
}
