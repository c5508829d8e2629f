package io.crontainer.scheduler.impl.interval;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Optional;

/**
 * A parsed crontab interval, bound to a time zone: computes fire times.
 *
 * <p>
 * Fire times are matched against the local date-time in {@link #zone()}, with cronie's daylight
 * saving time policy: a fixed-time interval (neither its minute nor its hour field starts with
 * {@code *}) fires once at the end of a spring-forward gap that swallowed one of its times, and only
 * at the first pass of a fall-back overlap; a wildcard interval follows the wall clock.
 *
 * <p>
 * Fire times only move forward: {@link #next(Instant) next(after)} is later than {@code after} and
 * never earlier for a later {@code after}, and the scheduler
 * computes each next fire time from the previous <em>scheduled</em> one, never from "now", so an
 * occurrence is never run twice because the clock moved inside a repeated (DST fall-back) hour.
 * Instances are immutable and thread-safe; created by {@link Intervals#parse}.
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
	 * Computes the first fire time strictly after an instant, to the second (a Quartz interval may
	 * fire at any second; a crontab one at second 0). Takes microseconds: a walk over the calendar
	 * field by field, never minute by minute.
	 *
	 * @param after An instant, exclusive. Must not be {@code null}.
	 * @return The next fire time, in {@link #zone()} with the offset in force then; empty if the
	 *         interval never fires again (a Quartz year field that has run out; {@code @reboot}).
	 */
	Optional<ZonedDateTime> next(Instant after);

	/**
	 * A description in English that does not mislead, ending with the zone, e.g. "at 09:00, on
	 * day-of-month 1 to 7, or on every Monday (either one matches, as in cron) (Europe/Berlin)".
	 * {@code H} and {@code ?} fields are described by the values they resolved to. Never
	 * {@code null}.
	 */
	String description();
}
