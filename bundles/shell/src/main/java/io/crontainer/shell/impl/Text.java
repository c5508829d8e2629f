package io.crontainer.shell.impl;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.TemporalAccessor;

import io.crontainer.format.Formats;

/**
 * What only a terminal needs: text from plugins made safe to print, and instants and zones read from
 * the operator's input. Instants, durations, ages, states and counts are written by the one shared place,
 * {@link io.crontainer.format.Formats} and {@link io.crontainer.format.Jobs}, as the web page and the
 * health checks write them.
 *
 * <p>
 * Stateless and thread-safe.
 */
final class Text {
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
		return escape(text, true, false);
	}

	/** {@link #printable(String)}, with the line feed escaped too ({@code \n}): for a value on one line. */
	static String escaped(String text) {
		return escape(text, false, false);
	}

	/**
	 * {@link #printable(String)} for many lines such as log messages with stack traces: tabs are kept too
	 * (a tab only moves the cursor right; it cannot overwrite or forge a line).
	 */
	static String lines(String text) {
		return escape(text, true, true);
	}

	private static String escape(String text, boolean keepLineFeeds, boolean keepTabs) {
		return Formats.escaped(text, keepLineFeeds, keepTabs);
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
					"Unknown time zone \"" + escaped(id) + "\": give an IANA zone id such as Europe/Berlin, or UTC.");
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
			throw new IllegalArgumentException("Cannot read \"" + escaped(text)
					+ "\" as an ISO-8601 date-time: give one such as 2024-10-27T02:30, 2024-10-27T02:30+02:00 or 2024-10-27T00:30Z.");
		}
	}
}
