package io.crontainer.shell.impl;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAccessor;
import java.util.Locale;

/**
 * How the commands print and read instants, zones and durations.
 *
 * <p>
 * Instants print in ISO-8601 as {@code java.time} prints them, truncated to milliseconds (the
 * resolution of the runtime view's DTOs): seconds and fractions only when they are not zero. Detail
 * views print the zone id too ({@code 2024-10-27T02:30+02:00[Europe/Berlin]}, as
 * {@link ZonedDateTime#toString()}); tables print instants to the second, in one width, with the UTC
 * offset in effect in the plugin's zone ({@code 2024-10-27T02:30:00+02:00}), and {@code cron:list}
 * names the zone in a column of its own.
 *
 * <p>
 * Stateless and thread-safe.
 */
final class Text {
	private static final DateTimeFormatter SECONDS_OFFSET = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ssXXX",
			Locale.ROOT);

	private Text() {
	}

	/**
	 * Text that came from a plugin (or anywhere outside this bundle), made safe to print on a terminal:
	 * every control character but the line feed, that is C0 (U+0000 to U+001F), DEL (U+007F) and C1
	 * (U+0080 to U+009F), becomes a visible escape: {@code \t}, {@code \r}, {@code \e} for ESC, else
	 * {@code \xHH} (C1 as a backslash, u and four hex digits). So a plugin's {@code ESC ] 0 ; title BEL} prints as
	 * {@code \e]0;title\x07} and cannot retitle the terminal, move the cursor or forge a line.
	 *
	 * @param text The text, or {@code null}.
	 * @return The text with its control characters escaped; {@code null} for {@code null}.
	 */
	static String printable(String text) {
		return escape(text, true);
	}

	/** {@link #printable(String)}, with the line feed escaped too ({@code \n}): for a value on one line. */
	static String escaped(String text) {
		return escape(text, false);
	}

	private static String escape(String text, boolean keepLineFeeds) {
		if (text == null) {
			return null;
		}
		StringBuilder out = null;
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			boolean control = c < 0x20 && (c != '\n' || !keepLineFeeds) || c >= 0x7f && c <= 0x9f;
			if (!control) {
				if (out != null) {
					out.append(c);
				}
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
			default -> out.append(c < 0x80 ? String.format("\\x%02x", (int) c) : String.format("\\u%04x", (int) c));
			}
		}
		return out == null ? text : out.toString();
	}

	/** An instant in a zone, with the zone id, e.g. {@code 2024-10-27T02:30+02:00[Europe/Berlin]}. */
	static String zoned(long epochMillis, ZoneId zone) {
		return zoned(Instant.ofEpochMilli(epochMillis).atZone(zone));
	}

	/** A date-time with the zone id, truncated to milliseconds. */
	static String zoned(ZonedDateTime time) {
		return time.truncatedTo(ChronoUnit.MILLIS).toString();
	}

	/**
	 * An instant to the second with the UTC offset in effect in {@code zone}, for tables, e.g.
	 * {@code 2024-10-27T02:30:00+02:00} or {@code 2024-10-27T00:30:00Z}.
	 */
	static String offset(long epochMillis, ZoneId zone) {
		return SECONDS_OFFSET.format(Instant.ofEpochMilli(epochMillis).atZone(zone));
	}

	/** {@link #offset(long, ZoneId)}, or {@code null} for a {@code null} instant. */
	static String offset(Long epochMillis, ZoneId zone) {
		return epochMillis == null ? null : offset(epochMillis.longValue(), zone);
	}

	/**
	 * A duration for people, with at most two units: {@code 350 ms}, {@code 1.2 s}, {@code 59.9 s},
	 * {@code 3 min 4 s}, {@code 3 min}, {@code 2 h 5 min}, {@code 3 d 4 h}. Below a minute it is rounded
	 * to a tenth of a second; from a minute on, the smaller unit is truncated, as systemd does. A
	 * negative duration prints as its absolute value.
	 *
	 * @param millis The duration in milliseconds.
	 */
	static String duration(long millis) {
		long ms = Math.abs(millis);
		if (ms < 1_000) {
			return ms + " ms";
		}
		long tenths = (ms + 50) / 100;
		if (tenths < 600) {
			return String.format(Locale.ROOT, "%d.%d s", tenths / 10, tenths % 10);
		}
		long s = Math.max(60, ms / 1_000); // 59.95 s and more no longer print as 60.0 s
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

	private static String units(long major, String majorUnit, long minor, String minorUnit) {
		return minor == 0 ? major + " " + majorUnit : major + " " + majorUnit + " " + minor + " " + minorUnit;
	}

	/**
	 * Reads a zone id.
	 *
	 * @throws IllegalArgumentException If {@code id} is not a zone id, with a one-line message.
	 */
	static ZoneId zone(String id) {
		try {
			return ZoneId.of(id);
		} catch (DateTimeException e) {
			throw new IllegalArgumentException(
					"Unknown time zone \"" + id + "\": give an IANA zone id such as Europe/Berlin, or UTC.");
		}
	}

	/**
	 * Reads an ISO-8601 date-time: with an offset ({@code 2024-10-27T02:30+02:00},
	 * {@code 2024-10-27T00:30Z}), with an offset and a zone id ({@code 2024-10-27T02:30+02:00[Europe/Berlin]}),
	 * or local ({@code 2024-10-27T02:30}, a date alone {@code 2024-10-27} meaning its first moment),
	 * which is read in {@code zone}. A local time that the zone skips (a spring-forward gap) moves
	 * forward by the length of the gap; one that the zone repeats takes the earlier offset, as
	 * {@link ZonedDateTime#of(LocalDateTime, ZoneId)} does.
	 *
	 * @param text The text to read. Must not be {@code null}.
	 * @param zone The zone a local date-time is in. Must not be {@code null}.
	 * @return The date-time in {@code zone}, or in the zone given with the text.
	 * @throws IllegalArgumentException If {@code text} is none of these, with a one-line message.
	 */
	static ZonedDateTime dateTime(String text, ZoneId zone) {
		String s = text.strip();
		try {
			TemporalAccessor parsed = DateTimeFormatter.ISO_DATE_TIME.parseBest(s, ZonedDateTime::from,
					LocalDateTime::from);
			if (parsed instanceof ZonedDateTime) {
				return (ZonedDateTime) parsed;
			}
			return ((LocalDateTime) parsed).atZone(zone);
		} catch (DateTimeParseException e) {
			// not a date-time; a date?
		}
		try {
			return LocalDate.parse(s).atStartOfDay(zone);
		} catch (DateTimeParseException e) {
			throw new IllegalArgumentException("Cannot read \"" + text
					+ "\" as an ISO-8601 date-time: give one such as 2024-10-27T02:30, 2024-10-27T02:30+02:00 or 2024-10-27T00:30Z.");
		}
	}
}
