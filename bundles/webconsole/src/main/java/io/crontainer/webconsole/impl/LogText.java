package io.crontainer.webconsole.impl;

/** Makes untrusted text safe for one log line. Stateless; thread-safe. */
final class LogText {
	/** How many characters of one value a log line keeps. */
	static final int MAX = 500;

	private LogText() {
	}

	/**
	 * Escapes control characters ({@code \n}, {@code \r}, {@code \t} as such, others as {@code \}{@code uXXXX},
	 * the escape character ESC included) and backslashes, so that a user name or path cannot start a new,
	 * forged log line or drive a terminal; cuts it to {@value #MAX} characters.
	 *
	 * @param text Any text, or {@code null} (gives {@code "null"}).
	 * @return The escaped text, on one line.
	 */
	static String escape(String text) {
		if (text == null) {
			return "null";
		}
		StringBuilder sb = new StringBuilder(Math.min(text.length(), MAX) + 8);
		for (int i = 0; i < text.length() && i < MAX; i++) {
			char c = text.charAt(i);
			switch (c) {
			case '\n' -> sb.append("\\n");
			case '\r' -> sb.append("\\r");
			case '\t' -> sb.append("\\t");
			case '\\' -> sb.append("\\\\");
			default -> {
				if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
					sb.append(String.format("\\u%04x", (int) c));
				} else {
					sb.append(c);
				}
			}
			}
		}
		if (text.length() > MAX) {
			sb.append("...");
		}
		return sb.toString();
	}
}
