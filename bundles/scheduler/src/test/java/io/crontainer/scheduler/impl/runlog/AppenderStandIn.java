package io.crontainer.scheduler.impl.runlog;

/**
 * What {@link RunLogAppender} does with a logged line, without pax-logging (whose API is not on the
 * tests' class path): keeps it in the buffer of the run on the calling thread, if any.
 */
public final class AppenderStandIn {
	private AppenderStandIn() {
	}

	/** Logs an INFO line as the appender would receive it. */
	public static void info(String logger, String message) {
		RunLogBuffer buffer = RunLogCapture.current();
		if (buffer != null) {
			buffer.add(System.currentTimeMillis(), "INFO", logger, message, null);
		}
	}
}
