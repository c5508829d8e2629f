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
 * @param claimedAt When the claim was granted, a UTC instant on the store's clock (a cluster's database
 *        clock): the end of the run's window, so that the windows of every runtime end on one clock
 *        and tile however far a runtime's own clock is off. {@code null} for a store whose clock is
 *        the runtime's own (the local store): the window then ends at the runtime's clock. Since 1.1.
 */
public record Claim(String name, long token, Instant windowStart, Instant fireTime, String node,
		Instant leaseUntil, Instant claimedAt) {

	/** A claim with no time of its own ({@code claimedAt == null}): the window ends at the runtime's clock. */
	public Claim(String name, long token, Instant windowStart, Instant fireTime, String node, Instant leaseUntil) {
		this(name, token, windowStart, fireTime, node, leaseUntil, null);
	}

	/**
	 * The end of the window a run of this claim covers: {@link #claimedAt} if the store gave one (the
	 * database's clock in a cluster), else {@code now}, the runtime's clock.
	 *
	 * @param now This runtime's clock's instant, UTC. Must not be {@code null}.
	 * @return The window end. Never {@code null}.
	 * @since 1.1
	 */
	public Instant windowEnd(Instant now) {
		return claimedAt != null ? claimedAt : now;
	}
}
