package io.crontainer.scheduler.impl.runlog;

/**
 * Which run a thread logs for: the engine {@linkplain #begin marks} a run's thread around the plugin
 * call and {@linkplain #end unmarks} it after; {@link RunLogAppender} keeps each line logged on a
 * marked thread in that run's {@link RunLogBuffer}.
 *
 * <p>
 * <b>What is attributed.</b> Lines logged on the run's own thread while {@code run()} is on it, at the
 * levels the runtime's log configuration lets through to the root logger, through any logging API
 * that pax-logging routes (SLF4J, the OSGi Log Service, Log4j 1 and 2, Commons Logging, JUL). Not
 * attributed: lines logged on threads the plugin starts or hands work to (its executors, the common
 * fork-join pool, a library's own threads), and lines logged after {@code run()} returned. A plain
 * (not inheritable) thread-local is deliberate: a thread created during a run may serve others later
 * (a pool created lazily on first use is shared by every plugin), and attributing its lines to this
 * run would show one plugin's lines in another's log.
 *
 * <p>
 * Thread-safe: each thread sees only its own mark.
 */
public final class RunLogCapture {
	private static final ThreadLocal<RunLogBuffer> CURRENT = new ThreadLocal<>();

	private RunLogCapture() {
	}

	/**
	 * Marks the calling thread as running a plugin: what it logs from now on goes into the buffer
	 * returned, until {@link #end}.
	 *
	 * @return The run's buffer. Never {@code null}.
	 */
	public static RunLogBuffer begin() {
		RunLogBuffer buffer = new RunLogBuffer();
		CURRENT.set(buffer);
		return buffer;
	}

	/** Unmarks the calling thread. */
	public static void end() {
		CURRENT.remove();
	}

	/** The buffer of the run on the calling thread; {@code null} if it runs no plugin. */
	static RunLogBuffer current() {
		return CURRENT.get();
	}
}
