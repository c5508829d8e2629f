package io.crontainer.scheduler.impl.testing;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;

/**
 * Captures what the tests' logger (slf4j-simple, which writes to {@code System.err} as it is at each
 * line) logs while it is open, on every thread. Close it to restore {@code System.err}.
 */
public final class LogCapture implements AutoCloseable {
	private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
	private final PrintStream original = System.err;

	public LogCapture() {
		System.setErr(new PrintStream(bytes, true, UTF_8));
	}

	/** What was logged so far. */
	public String text() {
		synchronized (bytes) {
			return bytes.toString(UTF_8);
		}
	}

	/** How many times a text occurs in what was logged. */
	public int count(String text) {
		String all = text();
		int count = 0;
		for (int at = all.indexOf(text); at >= 0; at = all.indexOf(text, at + text.length())) {
			count++;
		}
		return count;
	}

	@Override
	public void close() {
		System.setErr(original);
		original.print(text()); // still in the test's output
	}
}
