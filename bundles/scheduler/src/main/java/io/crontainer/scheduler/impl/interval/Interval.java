package io.crontainer.scheduler.impl.interval;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Optional;

/**
 * A parsed crontab interval, bound to a time zone: computes fire times.
 *
 * <p>
 * Fire times only move forward: the scheduler computes each next fire time from the previous
 * <em>scheduled</em> one, never from "now", so an occurrence is never run twice because the clock
 * moved inside a repeated (DST fall-back) hour. Instances are immutable and thread-safe.
 */
public interface Interval {

	/** The expression as written, verbatim. Never {@code null}. */
	String expression();

	/** The zone the expression is evaluated in. Never {@code null}. */
	ZoneId zone();

	/**
	 * Whether this is {@code @reboot}: it fires once each time the schedule starts, and
	 * {@link #next(Instant)} is always empty.
	 */
	boolean reboot();

	/**
	 * Computes the first fire time strictly after an instant.
	 *
	 * @param after A UTC instant, exclusive. Must not be {@code null}.
	 * @return The next fire time, in {@link #zone()}; empty if the interval never fires again.
	 */
	Optional<ZonedDateTime> next(Instant after);

	/** A description in English that does not mislead. Never {@code null}. */
	String description();
}
