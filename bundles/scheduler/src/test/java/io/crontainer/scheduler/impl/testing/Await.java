package io.crontainer.scheduler.impl.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Waits in tests for a condition that another thread makes true (a run thread, the call pool, a store's
 * poll), with a deadline: the one polling helper of this module's tests.
 */
public final class Await {

	/** How long a condition is awaited unless a test says otherwise. */
	public static final Duration TIMEOUT = Duration.ofSeconds(10);

	private Await() {
	}

	/**
	 * Returns once {@code condition} holds.
	 *
	 * @param what What is awaited, for the failure message.
	 * @param condition Must not be {@code null}.
	 * @throws AssertionError If it does not hold within {@link #TIMEOUT}.
	 */
	public static void until(String what, BooleanSupplier condition) throws InterruptedException {
		until(what, TIMEOUT, condition);
	}

	/**
	 * Returns once {@code condition} holds.
	 *
	 * @param what What is awaited, for the failure message.
	 * @param timeout How long at the most.
	 * @param condition Must not be {@code null}.
	 * @throws AssertionError If it does not hold within {@code timeout}.
	 */
	public static void until(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (!condition.getAsBoolean()) {
			if (System.nanoTime() - deadline > 0) {
				throw new AssertionError(what + ": not within " + timeout.toSeconds() + " s");
			}
			Thread.sleep(5); // the condition is set by another thread; nothing to be notified by
		}
	}
}
