package io.crontainer.store.api;

import java.time.Instant;
import java.util.Objects;

/**
 * One claim of a batch ({@link StateStore#claimAll}): the arguments of {@link StateStore#claim}.
 * Immutable.
 *
 * @param name The plugin's name. Never {@code null}.
 * @param windowStart The window start the caller expects, a UTC instant. Never {@code null}.
 * @param fireTime The scheduled fire time, a UTC instant; {@code null} for a run fired by hand.
 */
public record ClaimRequest(String name, Instant windowStart, Instant fireTime) {

	/** @throws NullPointerException If the name or the window start is {@code null}. */
	public ClaimRequest {
		Objects.requireNonNull(name, "name");
		Objects.requireNonNull(windowStart, "windowStart");
	}
}
