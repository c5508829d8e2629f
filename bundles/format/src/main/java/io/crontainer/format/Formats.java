package io.crontainer.format;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/**
 * How Crontainer writes durations, ages, instants and counts for people: the one place the shell, the web
 * console page and the health checks take them from, so that an operator reads the same thing everywhere.
 *
 * <ul>
 * <li><b>Durations</b> have at most two units: {@code 350 ms}, {@code 1.2 s}, {@code 59.9 s}, {@code 1 min},
 * {@code 3 min 4 s}, {@code 2 h 5 min}, {@code 3 d 4 h}. Below a minute they are rounded to a tenth of a
 * second (so 59,960 ms is {@code 1 min}, never {@code 60.0 s}); from a minute on, the smaller unit is
 * truncated, as systemd does, and left out when it is zero ({@code 3 min}, never {@code 3 min 0 s}).</li>
 * <li><b>Ages</b> (how long ago an instant was, on the caller's clock) are durations that are never
 * negative: an instant ahead of the clock (another node's clock ahead of this one) has age {@code 0 ms}.</li>
 * <li><b>Instants</b> are ISO-8601: in tables to the second with the UTC offset in effect in the plugin's
 * zone ({@code 2024-10-27T02:30:00+02:00}, {@code 2024-10-27T00:30:00Z}); in detail views with the zone
 * id, to the millisecond when it is not zero ({@code 2024-10-27T02:30+02:00[Europe/Berlin]}).</li>
 * <li><b>Counts</b> group thousands with a comma and agree in number: {@code 1 run}, {@code 1,234 runs}.</li>
 * </ul>
 *
 * <p>
 * Text that came from a plugin is escaped by each surface for its medium (HTML by the web page);
 * {@link #escaped} makes it one safe line for a terminal. Stateless and thread-safe; every method that needs the current time takes it as an argument,
 * so callers pass their own (injectable) clock.
 */
public final class Formats {
	/** What an absent instant or value is written as. */
	public static final String NONE = "-";

	private static final DateTimeFormatter SECONDS_OFFSET = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ssXXX",
			Locale.ROOT);

	private static final DateTimeFormatter MILLIS_OFFSET = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSXXX",
			Locale.ROOT);

	private Formats() {
	}

	// ----------------------------------------------------------------------------------- durations

	/**
	 * A duration for people, with at most two units (see the class comment).
	 *
	 * @param millis The duration in milliseconds. A negative duration (which only clocks that disagree
	 *        produce) is written with a minus sign, {@code -1.2 s}, so that the disagreement shows.
	 * @return The text. Never {@code null}.
	 */
	public static String duration(long millis) {
		if (millis < 0) {
			return "-" + duration(millis == Long.MIN_VALUE ? Long.MAX_VALUE : -millis);
		}
		if (millis < 1_000) {
			return millis + " ms";
		}
		if (millis < 59_950) { // rounded to a tenth of a second
			long tenths = (millis + 50) / 100;
			return String.format(Locale.ROOT, "%d.%d s", tenths / 10, tenths % 10);
		}
		long s = Math.max(60, millis / 1_000); // 59.95 s to 59.999 s round up to 1 min, never to "60.0 s"
		if (s < 3_600) {
			return units(s / 60, "min", s % 60, "s");
		}
		long min = s / 60;
		if (min < 24 * 60) {
			return units(min / 60, "h", min % 60, "min");
		}
		long h = min / 60;
		return units(h / 24, "d", h % 24, "h");
	}

	/**
	 * A duration given in seconds, such as a configured timeout or threshold: {@link #duration(long)} of
	 * that many seconds.
	 *
	 * @param seconds The duration in seconds.
	 * @return The text. Never {@code null}.
	 */
	public static String seconds(long seconds) {
		return duration(Math.multiplyExact(seconds, 1000L));
	}

	private static String units(long major, String majorUnit, long minor, String minorUnit) {
		return minor == 0 ? major + " " + majorUnit : major + " " + majorUnit + " " + minor + " " + minorUnit;
	}

	/**
	 * How long ago an instant was: {@link #duration(long)} of {@code now - since}, and {@code 0 ms} for an
	 * instant after {@code now}.
	 *
	 * @param since The instant, UTC epoch milliseconds.
	 * @param now The current time on the caller's clock, UTC epoch milliseconds.
	 * @return The text. Never {@code null}.
	 */
	public static String age(long since, long now) {
		return duration(Math.max(0, now - since));
	}

	/**
	 * How long until an instant, for a "left" column: {@link #duration(long)} of {@code at - now}, or
	 * {@code due} once it has come.
	 *
	 * @param at The instant, UTC epoch milliseconds.
	 * @param now The current time on the caller's clock, UTC epoch milliseconds.
	 * @return The text. Never {@code null}.
	 */
	public static String left(long at, long now) {
		return at <= now ? "due" : duration(at - now);
	}

	/**
	 * An instant relative to now, for a sentence: {@code in 3 min}, {@code 3 min ago}, or {@code now}
	 * within the same millisecond.
	 *
	 * @param at The instant, UTC epoch milliseconds.
	 * @param now The current time on the caller's clock, UTC epoch milliseconds.
	 * @return The text. Never {@code null}.
	 */
	public static String relative(long at, long now) {
		if (at == now) {
			return "now";
		}
		return at > now ? "in " + duration(at - now) : duration(now - at) + " ago";
	}

	// ------------------------------------------------------------------------------------ instants

	/**
	 * The zone of a job's {@code zone} field.
	 *
	 * @param id An IANA zone id, or {@code null}.
	 * @return The zone; UTC if {@code id} is {@code null} or not a zone id. Never {@code null}.
	 */
	public static ZoneId zone(String id) {
		try {
			return id == null ? ZoneOffset.UTC : ZoneId.of(id);
		} catch (DateTimeException e) {
			return ZoneOffset.UTC;
		}
	}

	/**
	 * An instant in a message for operators (a refusal, an error, a reason, a log line): ISO-8601 in UTC,
	 * to the millisecond at most, as {@link Instant#toString()} writes an instant of whole milliseconds:
	 * {@code 2026-12-07T10:15:30.123Z}, {@code 2026-12-07T10:15:30Z}. The microseconds and nanoseconds of a
	 * clock or a database timestamp are left out (truncated), so that every message writes instants alike.
	 *
	 * @param instant The instant, or {@code null}.
	 * @return The text; {@code "null"} for {@code null}, as string concatenation would write it.
	 */
	public static String instant(Instant instant) {
		return instant == null ? "null" : instant.truncatedTo(ChronoUnit.MILLIS).toString();
	}

	/**
	 * An instant in a message that tells it from another one ("its window starts at A, not at B"):
	 * {@link #instant(Instant)}, or in full ({@link Instant#toString()}) where the two differ below the
	 * millisecond only, so that the message never shows two equal texts for two instants.
	 *
	 * @param instant The instant, or {@code null}.
	 * @param other The instant it is told from, or {@code null}.
	 * @return The text; {@code "null"} for {@code null}.
	 */
	public static String instant(Instant instant, Instant other) {
		String text = instant(instant);
		return instant != null && !instant.equals(other) && text.equals(instant(other)) ? instant.toString() : text;
	}

	/**
	 * An instant given in UTC epoch milliseconds in a message for operators ({@link #instant(Instant)}).
	 *
	 * @param epochMillis UTC epoch milliseconds.
	 * @return The text. Never {@code null}.
	 */
	public static String instant(long epochMillis) {
		return Instant.ofEpochMilli(epochMillis).toString();
	}

	/**
	 * An instant for a table: to the second, with the UTC offset in effect in {@code zone}, e.g.
	 * {@code 2024-10-27T02:30:00+02:00} or {@code 2024-10-27T00:30:00Z}. Always the same width.
	 *
	 * @param epochMillis UTC epoch milliseconds, or {@code null}.
	 * @param zone The zone. Must not be {@code null}.
	 * @return The text, or {@code null} for {@code null}.
	 */
	public static String offset(Long epochMillis, ZoneId zone) {
		return epochMillis == null ? null : SECONDS_OFFSET.format(Instant.ofEpochMilli(epochMillis).atZone(zone));
	}

	/**
	 * An instant in a list of many (a run's log lines), to the millisecond, with the UTC offset in
	 * effect in the zone: {@code 2024-10-27T02:30:05.250+02:00}, {@code 2024-10-27T00:30:05.000Z}.
	 *
	 * @param epochMillis UTC epoch milliseconds.
	 * @param zone The zone. Must not be {@code null}.
	 * @return The text. Never {@code null}.
	 */
	public static String offsetMillis(long epochMillis, ZoneId zone) {
		return MILLIS_OFFSET.format(Instant.ofEpochMilli(epochMillis).atZone(zone));
	}

	/**
	 * An instant for a detail view, with the zone id, to the millisecond, as
	 * {@link ZonedDateTime#toString()} writes it: {@code 2024-10-27T02:30+02:00[Europe/Berlin]},
	 * {@code 2024-10-27T02:30:05.250+02:00[Europe/Berlin]}.
	 *
	 * @param epochMillis UTC epoch milliseconds.
	 * @param zone The zone. Must not be {@code null}.
	 * @return The text. Never {@code null}.
	 */
	public static String zoned(long epochMillis, ZoneId zone) {
		return zoned(Instant.ofEpochMilli(epochMillis).atZone(zone));
	}

	/**
	 * A date-time for a detail view ({@link #zoned(long, ZoneId)}).
	 *
	 * @param time The date-time. Must not be {@code null}.
	 * @return The text. Never {@code null}.
	 */
	public static String zoned(ZonedDateTime time) {
		return time.truncatedTo(ChronoUnit.MILLIS).toString();
	}

	// -------------------------------------------------------------------------------------- counts

	/**
	 * A number with its thousands grouped by commas: {@code 1,234,567}.
	 *
	 * @param n The number.
	 * @return The text. Never {@code null}.
	 */
	public static String number(long n) {
		return String.format(Locale.ROOT, "%,d", n);
	}

	/**
	 * A count with its noun in the right number: {@code 0 runs}, {@code 1 run}, {@code 1,234 runs}.
	 *
	 * @param n The count.
	 * @param noun The noun in the singular; its plural adds an {@code s}. Must not be {@code null}.
	 * @return The text. Never {@code null}.
	 */
	public static String count(long n, String noun) {
		return number(n) + " " + noun + (n == 1 ? "" : "s");
	}

	// -------------------------------------------------------------------------------------- text

	/**
	 * Text from a plugin (or anywhere outside the runtime) for one line of output that a terminal or a
	 * page may show: every control character, that is C0 (U+0000 to U+001F, line feed and tab included),
	 * DEL (U+007F) and C1 (U+0080 to U+009F), becomes a visible escape: {@code \n}, {@code \r},
	 * {@code \t}, {@code \e} for ESC, else {@code \xHH} (C1 as a backslash, u and four hex digits). So a
	 * plugin's {@code ESC ] 0 ; title BEL} reads {@code \e]0;title\x07} and cannot retitle a terminal.
	 * The invisible characters that break, reorder or hide in a line are escaped the same way
	 * ({@code \}{@code u2028}): the line and paragraph separators (U+2028, U+2029) and every format
	 * character (Unicode category Cf: the bidirectional ones such as U+202E, the zero-width ones U+200B
	 * to U+200D, U+2060 to U+2064 and U+FEFF, the soft hyphen U+00AD, U+180E, U+FFF9 to U+FFFB ...)
	 * and the tag characters (U+E0000 to U+E007F), so that a name cannot show as another:
	 * {@code back\}{@code u200bup} is not {@code backup}. A character beyond U+FFFF is escaped as one
	 * {@code \}{@code u{HHHHH}} (U+E0041 as {@code \}{@code u{e0041}}). Other characters, the backslash
	 * included, are kept. This is the one rule for the shell, the client, the web console page and the
	 * health checks.
	 *
	 * @param text The text, or {@code null}.
	 * @return The text with its control characters escaped; {@code null} for {@code null}.
	 */
	public static String escaped(String text) {
		return escaped(text, false, false);
	}

	/**
	 * {@link #escaped(String)}, keeping the line feed or the tab where the output is many lines (a log
	 * message with its stack trace): a line feed starts a new line and a tab moves the cursor right, and
	 * neither can overwrite text or act on the terminal. Every other control character is escaped.
	 *
	 * @param text The text, or {@code null}.
	 * @param keepLineFeeds Whether a line feed stays as it is.
	 * @param keepTabs Whether a tab stays as it is.
	 * @return The text with its control characters escaped; {@code null} for {@code null}.
	 */
	public static String escaped(String text, boolean keepLineFeeds, boolean keepTabs) {
		if (text == null) {
			return null;
		}
		StringBuilder out = null;
		for (int i = 0; i < text.length();) {
			int c = text.codePointAt(i);
			int next = i + Character.charCount(c);
			boolean control = escapes(c) && (c != '\n' || !keepLineFeeds) && (c != '\t' || !keepTabs);
			if (!control) {
				if (out != null) {
					out.append(text, i, next);
				}
				i = next;
				continue;
			}
			if (out == null) {
				out = new StringBuilder(text.length() + 16).append(text, 0, i);
			}
			switch (c) {
			case '\n' -> out.append("\\n");
			case '\r' -> out.append("\\r");
			case '\t' -> out.append("\\t");
			case 0x1b -> out.append("\\e");
			default -> out.append(c < 0x80 ? String.format(Locale.ROOT, "\\x%02x", c)
					: c <= 0xffff ? String.format(Locale.ROOT, "\\u%04x", c) : String.format(Locale.ROOT, "\\u{%x}", c));
			}
			i = next;
		}
		return out == null ? text : out.toString();
	}

	/**
	 * Whether {@link #escaped(String)} escapes a character: a control character, a line or paragraph
	 * separator, a format character (Cf) or a tag character. For a medium that escapes them its own way
	 * (an attribute of the web page, as character references). A lone surrogate is kept (as the
	 * terminal or page shows it); {@link #escapes(int)} sees the pair's character.
	 *
	 * @param c The character.
	 * @return Whether it is escaped.
	 */
	public static boolean escapes(char c) {
		return escapes((int) c);
	}

	/**
	 * {@link #escapes(char)} for a code point, one beyond U+FFFF included (the tag characters).
	 *
	 * @param codePoint The code point.
	 * @return Whether it is escaped.
	 */
	public static boolean escapes(int codePoint) {
		return Character.isISOControl(codePoint) || codePoint >= 0xad && invisible(codePoint);
	}

	/** Whether a character is a line or paragraph separator, a format character (Cf) or a tag character. */
	private static boolean invisible(int c) {
		int type = Character.getType(c);
		return type == Character.FORMAT || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR
				|| c >= 0xe0000 && c <= 0xe007f;
	}
}
