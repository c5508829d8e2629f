package io.crontainer.scheduler.impl.interval;

import java.util.List;
import java.util.Locale;

/**
 * One field of an interval: its name, bounds and value names, and the shared value syntax. Thrown
 * {@link IllegalArgumentException}s carry the reason, which {@link Intervals} prefixes with the
 * expression.
 */
record Field(String name, int low, int high, List<String> names, int nameBase) {
	static final List<String> MONTH_NAMES = List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP",
			"OCT", "NOV", "DEC");
	static final List<String> DAY_NAMES = List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT");

	Field(String name, int low, int high) {
		this(name, low, high, List.of(), 0);
	}

	/**
	 * Reads a value: decimal digits, or one of the field's three-letter names in any case.
	 *
	 * @throws IllegalArgumentException If it is neither, or out of the field's bounds.
	 */
	int value(String token) {
		int v;
		if (digits(token)) {
			if (token.length() > 9) {
				throw bad("'" + token + "' is out of range " + low + "-" + high);
			}
			v = Integer.parseInt(token);
		} else {
			int i = names.indexOf(token.toUpperCase(Locale.ROOT));
			if (i < 0) {
				throw bad("'" + token + "' is not a number" + (names.isEmpty() ? ""
						: " or a name (" + names.get(0) + " to " + names.get(names.size() - 1) + ")"));
			}
			v = i + nameBase;
		}
		if (v < low || v > high) {
			throw bad("'" + token + "' is out of range " + low + "-" + high);
		}
		return v;
	}

	/**
	 * Reads a step: positive decimal digits.
	 *
	 * @throws IllegalArgumentException If it is not a positive number.
	 */
	int step(String token) {
		if (token.length() > 9 || !digits(token) || Integer.parseInt(token) == 0) {
			throw bad("step '" + token + "' must be a positive number");
		}
		return Integer.parseInt(token);
	}

	/** Whether a token is one or more decimal digits (asked for every value of every interval parsed). */
	private static boolean digits(String token) {
		if (token.isEmpty()) {
			return false;
		}
		for (int i = 0; i < token.length(); i++) {
			char c = token.charAt(i);
			if (c < '0' || c > '9') {
				return false;
			}
		}
		return true;
	}

	/** Splits a field into its comma-separated elements, refusing empty ones. */
	String[] elements(String text) {
		String[] elements = text.split(",", -1);
		for (String e : elements) {
			if (e.isEmpty()) {
				throw bad("'" + text + "' has an empty list element");
			}
		}
		return elements;
	}

	IllegalArgumentException bad(String reason) {
		return new IllegalArgumentException(name + ": " + reason);
	}
}
