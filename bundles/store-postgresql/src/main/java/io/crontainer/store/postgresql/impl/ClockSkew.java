package io.crontainer.store.postgresql.impl;

import java.time.Duration;
import java.time.Instant;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.crontainer.format.Formats;
import io.crontainer.store.api.StateStore;

/**
 * How far this node's clock is off the database's, from the readings the lease keeper takes every
 * poll ({@link Repository#readClock}): the database's time minus this node's, with the database's
 * reading placed at half the statement's round trip. A reading whose round trip took more than
 * {@link #MAX_ROUND_TRIP} is too vague to judge by and is dropped.
 *
 * <p>
 * A skew beyond {@link StateStore#CLOCK_SKEW_LIMIT} (1 s) is logged once, at warn, and its end once, at
 * info; it ends when the skew is back within 90 % of the limit, so that a skew that wavers around
 * the limit is not logged at every poll. {@link #warning()} says it while it lasts.
 *
 * <p>
 * Why it matters though windows do not depend on it: a node whose clock is behind looks for due fire
 * times late (other nodes run them first); one whose clock is ahead looks early, and each claim is
 * sent back until its fire time is due on the database's clock (one more round trip per fire time).
 *
 * <p>
 * <b>Threads.</b> {@link #measured} is called by the lease keeper's thread only (and the opening
 * thread before it starts); {@link #skew()} and {@link #warning()} by any thread: volatile fields.
 */
final class ClockSkew {
	private static final Logger LOG = LoggerFactory.getLogger(PostgreSQLStateStore.class);
	/** A reading with a longer round trip is dropped: its skew is uncertain by half of it. */
	static final Duration MAX_ROUND_TRIP = Duration.ofMillis(500);
	/** The skew at which a skew beyond the limit counts as over: 90 % of the limit. */
	private static final Duration RECOVERED = StateStore.CLOCK_SKEW_LIMIT.multipliedBy(9).dividedBy(10);

	private final String description;
	private final String node;
	private volatile Duration skew;
	private volatile Instant measuredAt;
	private volatile String warning;

	/**
	 * @param description The store, for log lines.
	 * @param node This node's id, for log lines.
	 */
	ClockSkew(String description, String node) {
		this.description = description;
		this.node = node;
	}

	/** A new reading: kept unless too vague; logs the start or the end of a skew beyond the limit. */
	void measured(Repository.ClockReading reading) {
		if (reading.roundTripNanos() > MAX_ROUND_TRIP.toNanos()) {
			return;
		}
		Duration now = reading.skew();
		skew = now;
		measuredAt = reading.database();
		Duration size = now.abs();
		if (warning == null && size.compareTo(StateStore.CLOCK_SKEW_LIMIT) > 0) {
			String line = describe(now);
			warning = line;
			LOG.warn("State store {}: {}", description, line);
		} else if (warning != null && size.compareTo(RECOVERED) <= 0) {
			warning = null;
			LOG.info("State store {}: the clock of node {} is within {} of the database's again ({} {})", description, node,
					format(StateStore.CLOCK_SKEW_LIMIT), format(size), now.isNegative() ? "ahead" : "behind");
		} else if (warning != null) {
			warning = describe(now); // the figure of the latest reading; logged once only
		}
	}

	/** The database's time minus this node's, as last measured; {@code null} before a reading. */
	Duration skew() {
		return skew;
	}

	/** When the last reading was taken, on the database's clock; {@code null} before one. */
	Instant measuredAt() {
		return measuredAt;
	}

	/** While the skew is beyond the limit: what it is and what it costs, in one line; else {@code null}. */
	String warning() {
		return warning;
	}

	private String describe(Duration now) {
		boolean behind = !now.isNegative();
		return "the clock of node " + node + " is " + format(now.abs()) + (behind ? " behind" : " ahead of")
				+ " the database's (more than " + format(StateStore.CLOCK_SKEW_LIMIT) + "): windows, anchors and leases"
				+ " follow the database's clock and still tile, but this node looks for due fire times "
				+ format(now.abs()) + (behind ? " late, so other runtimes run them first"
						: " early, and each claim is sent back until its fire time is due")
				+ "; set its clock right (NTP)";
	}

	/** A skew for people, as every surface writes durations: {@code 250 ms}, {@code 1.2 s}, {@code 3 min 5 s}. */
	static String format(Duration d) {
		return Formats.duration(d.abs().toMillis());
	}
}
