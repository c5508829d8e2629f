package io.crontainer.scheduler.impl;

/**
 * Thrown when a plugin's state record exists but cannot be read or parsed. The message says which
 * file and why, in one line.
 */
final class CorruptStateException extends Exception {
	private static final long serialVersionUID = 1L;

	CorruptStateException(String message) {
		super(message);
	}

	CorruptStateException(String message, Throwable cause) {
		super(message, cause);
	}
}
