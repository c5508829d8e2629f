package io.crontainer.store.api;

/**
 * The state store cannot be reached or written now (a database that is down, a full or read-only
 * disk). Transient: the caller retries later. Nothing is guessed meanwhile: no window is computed and
 * no run starts without a claim. The message says what failed, in one line.
 */
public final class StoreUnavailableException extends Exception {
	private static final long serialVersionUID = 1L;

	public StoreUnavailableException(String message, Throwable cause) {
		super(message, cause);
	}
}
