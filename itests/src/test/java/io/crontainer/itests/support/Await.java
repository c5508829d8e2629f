package io.crontainer.itests.support;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits for a condition with a timeout, for integration tests (no fixed sleeps). Thread-safe.
 */
public final class Await {

	/** Default time limit: generous for a loaded 2-core machine; a passing test waits far less. */
	public static final Duration TIMEOUT = Duration.ofSeconds(20);

	private static final long POLL_MS = 25;

	private Await() {
	}

	/**
	 * Returns as soon as {@code condition} is true, checking it every 25 ms.
	 *
	 * @param what What is awaited, for the failure message, e.g. "bundle x ACTIVE". Must not be
	 *        {@code null}.
	 * @param condition The condition; called on the caller's thread. Must not be {@code null}.
	 * @throws AssertionError If it is still false after {@link #TIMEOUT}.
	 * @throws InterruptedException If interrupted while waiting.
	 */
	public static void until(String what, BooleanSupplier condition) throws InterruptedException {
		until(what, condition, () -> "");
	}

	/**
	 * Like {@link #until(String, BooleanSupplier)}, with a description of the state on failure.
	 *
	 * @param what What is awaited. Must not be {@code null}.
	 * @param condition The condition. Must not be {@code null}.
	 * @param state Describes what was seen instead, called once on timeout. Must not be {@code null}.
	 * @throws AssertionError If the condition is still false after {@link #TIMEOUT}.
	 * @throws InterruptedException If interrupted while waiting.
	 */
	public static void until(String what, BooleanSupplier condition, Supplier<String> state)
			throws InterruptedException {
		long deadline = System.nanoTime() + TIMEOUT.toNanos();
		while (!condition.getAsBoolean()) {
			if (System.nanoTime() - deadline > 0) {
				throw new AssertionError("Timed out after " + TIMEOUT.toSeconds() + " s waiting for " + what + ". "
						+ state.get());
			}
			Thread.sleep(POLL_MS);
		}
	}
}
