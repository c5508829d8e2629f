package io.crontainer.webconsole.impl;

import io.crontainer.format.Formats;

/** Makes untrusted text safe for one log line. Stateless; thread-safe. */
final class LogText {
	/** How many characters (UTF-16 units) of one value a log line keeps. */
	static final int MAX = 500;

	private LogText() {
	}

	/**
	 * Escapes by the shell's rule ({@link Formats#escaped(String)}: line feed, carriage return and tab as
	 * {@code \n}, {@code \r}, {@code \t}, ESC as {@code \e}, other control characters, the line and
	 * paragraph separators and every invisible format character, bidi overrides included, by their code
	 * point), and first doubles every backslash, so that a value that already contains {@code \n} reads
	 * {@code \\n} and cannot pass for an escaped line feed. So a user name or path can neither start a
	 * new, forged log line, nor drive a terminal, nor show as other text. Cut to {@value #MAX} characters
	 * first, never inside a surrogate pair, and then marked with {@code ...}.
	 *
	 * @param text Any text, or {@code null} (gives {@code "null"}).
	 * @return The escaped text, on one line.
	 */
	static String escape(String text) {
		if (text == null) {
			return "null";
		}
		boolean cut = text.length() > MAX;
		String kept = cut ? text.substring(0, Character.isHighSurrogate(text.charAt(MAX - 1)) ? MAX - 1 : MAX) : text;
		return Formats.escaped(kept.replace("\\", "\\\\")) + (cut ? "..." : "");
	}
}
