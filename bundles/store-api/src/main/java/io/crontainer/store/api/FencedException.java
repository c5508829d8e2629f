package io.crontainer.store.api;

/**
 * A commit was refused because its claim is no longer valid: an operator reset the plugin meanwhile
 * (a reset always wins over a late commit), or, in a cluster, the claim's lease expired and the window
 * was claimed again. The run's window is not committed; the record is unchanged.
 */
public final class FencedException extends Exception {
	private static final long serialVersionUID = 1L;

	public FencedException(String message) {
		super(message, null, false, false);
	}
}
