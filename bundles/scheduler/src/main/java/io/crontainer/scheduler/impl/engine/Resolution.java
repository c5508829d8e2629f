package io.crontainer.scheduler.impl.engine;

import io.crontainer.scheduler.impl.interval.Interval;

/**
 * The answer of a plugin (or its service properties) to {@code enabled()} and {@code interval()}.
 *
 * @param enabled Whether it is enabled.
 * @param expression The interval expression, verbatim; {@code null} if not asked or not answered.
 * @param interval The parsed interval; {@code null} if disabled or invalid.
 * @param error Why the plugin is invalid, in one line; {@code null} if it is not.
 * @param disabledBy What disabled it, for the reason shown; {@code null} if enabled.
 */
record Resolution(boolean enabled, String expression, Interval interval, String error, String disabledBy) {

	static Resolution invalid(String expression, String error) {
		return new Resolution(true, expression, null, error, null);
	}

	static Resolution disabled(String by) {
		return new Resolution(false, null, null, null, by);
	}

	static Resolution scheduled(Interval interval) {
		return new Resolution(true, interval.expression(), interval, null, null);
	}
}
