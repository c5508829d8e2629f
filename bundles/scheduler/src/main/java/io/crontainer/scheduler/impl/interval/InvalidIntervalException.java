package io.crontainer.scheduler.impl.interval;

/**
 * Thrown when an interval cannot be parsed or can never fire. The message says why, in one line,
 * quoting the expression.
 */
public final class InvalidIntervalException extends Exception {
	private static final long serialVersionUID = 1L;

	/**
	 * @param message Why, in one line, quoting the expression. Must not be {@code null}.
	 */
	public InvalidIntervalException(String message) {
		super(message);
	}

	/**
	 * @param message Why, in one line, quoting the expression. Must not be {@code null}.
	 * @param cause The parser's exception, or {@code null}.
	 */
	public InvalidIntervalException(String message, Throwable cause) {
		super(message, cause);
	}
}
