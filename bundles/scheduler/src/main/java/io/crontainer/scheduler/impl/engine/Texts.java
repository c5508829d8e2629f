package io.crontainer.scheduler.impl.engine;

import java.time.Duration;

/**
 * Text for people, in one place for every surface of the scheduler (log lines, reasons, errors of the
 * runtime view): a throwable in one line, a duration in words. Stateless; any thread.
 */
public final class Texts {
	private Texts() {
	}

	/** A throwable in one line: its class and the first line of its message. */
	public static String describe(Throwable t) {
		String message = t.getMessage();
		String text = t.getClass().getName() + (message == null ? "" : ": " + message);
		int newline = text.indexOf('\n');
		return newline < 0 ? text : text.substring(0, newline);
	}

	/** A duration in words: whole seconds as {@code "10 s"}, anything else in milliseconds. */
	public static String duration(Duration duration) {
		long millis = duration.toMillis();
		return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
	}
}
