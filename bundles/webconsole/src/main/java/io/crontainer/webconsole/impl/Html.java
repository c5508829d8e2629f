package io.crontainer.webconsole.impl;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

import io.crontainer.format.Formats;

/** HTML and URL escaping for the console pages. Stateless; thread-safe. */
final class Html {

	private Html() {
	}

	/**
	 * Escapes text for HTML element content and quoted attribute values. Its control characters, line
	 * separators and invisible format characters (U+202E, U+200B ...) are made visible first, as the shell shows them
	 * ({@link Formats#escaped(String)}: ESC as {@code \e}, a line feed as {@code \n}, U+202E as
	 * {@code \}{@code u202e}), so that text from a plugin reads the same on the page as in the shell and
	 * cannot hide, reorder or forge what is shown around it, nor act on a terminal that the page's source
	 * is printed to. {@code $} is escaped too: the Web Console replaces {@code ${...}} in pages with
	 * localized strings.
	 *
	 * @param text Any text; {@code null} gives the empty string.
	 * @return The escaped text, on one line.
	 */
	static String escape(Object text) {
		return text == null ? "" : markup(Formats.escaped(String.valueOf(text)));
	}

	/**
	 * {@link #escape(Object)} for text of many lines shown in a {@code <pre>} (a stack trace): line feeds
	 * and tabs are kept ({@link Formats#escaped(String, boolean, boolean)}).
	 *
	 * @param text Any text; {@code null} gives the empty string.
	 * @return The escaped text.
	 */
	static String lines(String text) {
		return text == null ? "" : markup(Formats.escaped(text, true, true));
	}

	/**
	 * Escapes an attribute's value that keeps the text itself (a list row's {@code data-name}, a hidden
	 * field of plain text): markup as {@link #escape(Object)} escapes it, and each character that the
	 * shell would escape ({@link Formats#escapes(int)}) as a character reference ({@code &#x1b;}), so
	 * that the page's source holds no control character either. Not exact for every text once a browser
	 * has read it (NUL becomes U+FFFD, C1 controls other characters, and a form posts line breaks as
	 * CR LF): a form that names a plugin carries the name percent-encoded ({@link #url}).
	 *
	 * @param text Any text; {@code null} gives the empty string.
	 * @return The escaped text.
	 */
	static String value(String text) {
		if (text == null) {
			return "";
		}
		StringBuilder sb = new StringBuilder(text.length() + 16);
		text.codePoints().forEach(c -> {
			if (Formats.escapes(c)) {
				sb.append("&#x").append(Integer.toHexString(c)).append(';');
			} else {
				sb.append(markup(Character.toString(c)));
			}
		});
		return sb.toString();
	}

	private static String markup(String s) {
		StringBuilder sb = new StringBuilder(s.length() + 16);
		for (int i = 0; i < s.length(); i++) {
			char c = s.charAt(i);
			switch (c) {
			case '&' -> sb.append("&amp;");
			case '<' -> sb.append("&lt;");
			case '>' -> sb.append("&gt;");
			case '"' -> sb.append("&quot;");
			case '\'' -> sb.append("&#39;");
			case '$' -> sb.append("&#36;");
			default -> sb.append(c);
			}
		}
		return sb.toString();
	}

	/**
	 * Encodes a query parameter value.
	 *
	 * @param value The value. Must not be {@code null}.
	 * @return It, {@code application/x-www-form-urlencoded} in UTF-8.
	 */
	static String url(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8);
	}
}
