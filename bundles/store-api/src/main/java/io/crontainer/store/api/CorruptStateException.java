package io.crontainer.store.api;

/**
 * A plugin's state record exists but cannot be read or parsed. The plugin is {@code BLOCKED}: its
 * window is never guessed until an operator resets it. The message says which record and why, in one
 * line.
 */
public final class CorruptStateException extends Exception {
	private static final long serialVersionUID = 1L;

	public CorruptStateException(String message) {
		super(message);
	}

	public CorruptStateException(String message, Throwable cause) {
		super(message, cause);
	}
}
