package io.crontainer.store.api;

import java.time.Instant;
import java.util.Objects;

/**
 * Who paused a cron plugin, when and why: kept with its {@link RunState} while it is paused, so that
 * every runtime of a cluster shows it. Immutable.
 *
 * @param by Who paused it, as the operator's tool named them ({@code "bin/client session 7 (user
 *        alice)"}); {@code null} if unknown. Kept as given: whoever shows it escapes it.
 * @param at When, a UTC instant. Never {@code null}.
 * @param reason Why, in the operator's words; {@code null} if none was given. Kept as given.
 * @since 1.1
 */
public record PauseNote(String by, Instant at, String reason) {

	/** @throws NullPointerException If {@code at} is {@code null}. */
	public PauseNote {
		Objects.requireNonNull(at, "at");
	}
}
