package io.crontainer.webconsole.impl;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** HTML and URL escaping for the console pages. Stateless; thread-safe. */
final class Html {

	private Html() {
	}

	/**
	 * Escapes text for HTML element content and quoted attribute values. {@code $} is escaped too: the Web
	 * Console replaces {@code ${...}} in pages with localized strings.
	 *
	 * @param text Any text; {@code null} gives the empty string.
	 * @return The escaped text.
	 */
	static String escape(Object text) {
		if (text == null) {
			return "";
		}
		String s = String.valueOf(text);
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
