package io.crontainer.store.api;

import java.time.Instant;

/**
 * The right to run one window of a plugin, granted by {@link StateStore#claim}. Immutable.
 *
 * @param name The plugin's name.
 * @param token Identifies this claim: a commit must present it (fencing). Unique per store.
 * @param windowStart The start of the window claimed, a UTC instant: the record's {@code lastEnd},
 *        or the epoch. A commit compares it with the record's {@code lastEnd} (compare-and-set).
 * @param fireTime The scheduled fire time this claim runs, a UTC instant; {@code null} for a run
 *        fired by hand.
 * @param node The runtime that holds the claim; {@code null} for a local store.
 * @param leaseUntil Until when the claim is held unless renewed, on the store's clock; {@code null}
 *        for a claim that holds until committed or released (a local store).
 */
public record Claim(String name, long token, Instant windowStart, Instant fireTime, String node,
		Instant leaseUntil) {
}
