package io.crontainer.scheduler.impl;

/**
 * Thrown when the state store cannot be reached (the database is down, unreachable, or refuses a
 * statement). Nothing was guessed: a claim was not granted, a window end was not committed. The
 * message names the store and the cause, in one line.
 */
final class StoreUnavailableException extends Exception {
	private static final long serialVersionUID = 1L;

	StoreUnavailableException(String message) {
		super(message);
	}

	StoreUnavailableException(String message, Throwable cause) {
		super(message, cause);
	}
}
