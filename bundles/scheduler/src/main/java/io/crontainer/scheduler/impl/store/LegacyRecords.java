package io.crontainer.scheduler.impl.store;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

/**
 * The records of format 1, one file per plugin name ({@code NAME.state}), which the scheduler wrote
 * before the journal: read once at start and folded into the journal by {@link LocalStateStore}.
 * Stateless.
 *
 * <pre>
 * # Crontainer run state
 * format=1
 * name=token-cleaner
 * lastEnd=2026-11-29T15:00:00.012Z
 * paused=false
 * anchor=2026-11-29T14:37:12.480Z
 * anchorFor=? * * * *
 * </pre>
 */
final class LegacyRecords {
	static final int FORMAT = 1;
	private static final String SUFFIX = ".state";
	/** Longest encoded name kept verbatim; longer ones are shortened and suffixed with a hash. */
	private static final int MAX_ENCODED = 160;

	private LegacyRecords() {
	}

	/**
	 * The file name of a name's record: lower-case ASCII letters, digits, {@code -} and (not first)
	 * {@code .} are kept; every other byte of the UTF-8 form becomes {@code %XX}, so that names
	 * differing in case stay distinct on case-insensitive file systems. Very long names are shortened
	 * and suffixed with a SHA-256 hash of the name.
	 */
	static String fileName(String name) {
		StringBuilder out = new StringBuilder(name.length() + 16);
		byte[] bytes = name.getBytes(UTF_8);
		for (int i = 0; i < bytes.length; i++) {
			int b = bytes[i] & 0xff;
			boolean keep = (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '-' || (b == '.' && i > 0);
			if (keep) {
				out.append((char) b);
			} else {
				out.append('%').append(Character.toUpperCase(Character.forDigit(b >> 4, 16)))
						.append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
			}
		}
		if (out.length() > MAX_ENCODED) {
			String hash = sha256(name).substring(0, 32);
			out.setLength(MAX_ENCODED - 33);
			out.append('~').append(hash);
		}
		return out.append(SUFFIX).toString();
	}

	/** Writes a record of format 1 (tests of the migration use it). */
	static String format(String name, RunState state) {
		StringBuilder text = new StringBuilder(128);
		text.append("# Crontainer run state\n");
		text.append("format=").append(FORMAT).append('\n');
		text.append("name=").append(escape(name)).append('\n');
		text.append("lastEnd=").append(state.lastEnd() == null ? "" : state.lastEnd().toString()).append('\n');
		text.append("paused=").append(state.paused()).append('\n');
		if (state.anchor() != null) {
			text.append("anchor=").append(state.anchor()).append('\n');
			text.append("anchorFor=").append(escape(state.anchorFor())).append('\n');
		}
		return text.toString();
	}

	/** The name a record says it belongs to; {@code null} if it names none. */
	static String nameIn(String text) {
		for (String line : text.split("\n", -1)) {
			if (line.startsWith("name=")) {
				return unescape(line.substring("name=".length()));
			}
		}
		return null;
	}

	/**
	 * Parses a record of format 1.
	 *
	 * @throws IllegalArgumentException If it is corrupt: another format, another name, an unknown or
	 *         missing key, or a value of the wrong form; the message says which.
	 */
	static RunState parse(String name, String text) {
		Map<String, String> values = new HashMap<>();
		for (String line : text.split("\n", -1)) {
			if (line.isEmpty() || line.startsWith("#")) {
				continue;
			}
			int eq = line.indexOf('=');
			if (eq <= 0) {
				throw new IllegalArgumentException("line '" + abbreviate(line) + "' is not key=value");
			}
			String key = line.substring(0, eq);
			if (values.put(key, line.substring(eq + 1)) != null) {
				throw new IllegalArgumentException("key '" + abbreviate(key) + "' appears twice");
			}
		}
		String format = require(values, "format");
		if (!String.valueOf(FORMAT).equals(format)) {
			throw new IllegalArgumentException("format '" + abbreviate(format) + "' is not " + FORMAT);
		}
		String recorded = unescape(require(values, "name"));
		if (!recorded.equals(name)) {
			throw new IllegalArgumentException("it belongs to '" + abbreviate(recorded) + "', not '" + name + "'");
		}
		String lastEndText = require(values, "lastEnd");
		Instant lastEnd = null;
		if (!lastEndText.isEmpty()) {
			try {
				lastEnd = Instant.parse(lastEndText);
			} catch (DateTimeParseException e) {
				throw new IllegalArgumentException("lastEnd '" + abbreviate(lastEndText) + "' is not an ISO-8601 instant");
			}
		}
		String pausedText = require(values, "paused");
		if (!pausedText.equals("true") && !pausedText.equals("false")) {
			throw new IllegalArgumentException("paused '" + abbreviate(pausedText) + "' is not true or false");
		}
		String anchorText = values.remove("anchor");
		String anchorFor = values.remove("anchorFor");
		Instant anchor = null;
		if (anchorText != null || anchorFor != null) {
			if (anchorText == null || anchorFor == null) {
				throw new IllegalArgumentException("keys 'anchor' and 'anchorFor' must appear together");
			}
			try {
				anchor = Instant.parse(anchorText);
			} catch (DateTimeParseException e) {
				throw new IllegalArgumentException("anchor '" + abbreviate(anchorText) + "' is not an ISO-8601 instant");
			}
			anchorFor = unescape(anchorFor);
		}
		if (!values.isEmpty()) {
			throw new IllegalArgumentException("unknown key '" + abbreviate(values.keySet().iterator().next()) + "'");
		}
		return new RunState(lastEnd, Boolean.parseBoolean(pausedText), anchor, anchorFor, 0);
	}

	private static String require(Map<String, String> values, String key) {
		String value = values.remove(key);
		if (value == null) {
			throw new IllegalArgumentException("key '" + key + "' is missing");
		}
		return value;
	}

	private static String escape(String name) {
		return name.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r");
	}

	private static String unescape(String text) {
		StringBuilder out = new StringBuilder(text.length());
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (c == '\\' && i + 1 < text.length()) {
				char n = text.charAt(++i);
				out.append(n == 'n' ? '\n' : n == 'r' ? '\r' : n);
			} else {
				out.append(c);
			}
		}
		return out.toString();
	}

	private static String abbreviate(String text) {
		String printable = text.replaceAll("\\p{Cntrl}", "?");
		return printable.length() <= 40 ? printable : printable.substring(0, 40) + "...";
	}

	private static String sha256(String text) {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(UTF_8)));
		} catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException("SHA-256 is required by every Java platform", e);
		}
	}
}
