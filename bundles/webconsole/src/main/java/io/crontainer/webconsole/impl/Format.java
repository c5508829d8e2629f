package io.crontainer.webconsole.impl;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/**
 * How the console page writes instants and durations, as the shell does: ISO-8601 with the UTC offset of
 * the plugin's zone, to the second; durations in the largest fitting units. Stateless; thread-safe.
 */
final class Format {
	private static final DateTimeFormatter OFFSET = DateTimeFormatter.ISO_OFFSET_DATE_TIME;

	private Format() {
	}

	/** The zone of a job's {@code zone} field, UTC if it is missing or unknown. */
	static ZoneId zone(String id) {
		try {
			return id == null ? ZoneOffset.UTC : ZoneId.of(id);
		} catch (DateTimeException e) {
			return ZoneOffset.UTC;
		}
	}

	/**
	 * An instant with the offset of a zone, to the second, e.g. {@code 2026-12-02T03:04:05+01:00}.
	 *
	 * @param millis UTC epoch milliseconds, or {@code null}.
	 * @param zone The zone. Must not be {@code null}.
	 * @return The text, or {@code "-"} for {@code null}.
	 */
	static String instant(Long millis, ZoneId zone) {
		if (millis == null) {
			return "-";
		}
		return OFFSET.format(Instant.ofEpochMilli(millis).atZone(zone).truncatedTo(ChronoUnit.SECONDS)
				.toOffsetDateTime());
	}

	/** A zoned date-time with offset and zone id, e.g. {@code 2024-10-27T02:30+02:00[Europe/Berlin]}. */
	static String zoned(ZonedDateTime time) {
		return time.truncatedTo(ChronoUnit.SECONDS).toString();
	}

	/**
	 * A duration: {@code 157 ms}, {@code 8.7 s}, {@code 3 min 8 s}, {@code 2 h 5 min}, {@code 3 d 4 h}.
	 *
	 * @param millis Milliseconds; a negative value is written as 0 ms.
	 * @return The text.
	 */
	static String duration(long millis) {
		long ms = Math.max(0, millis);
		if (ms < 1000) {
			return ms + " ms";
		}
		if (ms < 60_000) {
			return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
		}
		long s = ms / 1000;
		if (s < 3600) {
			return s / 60 + " min " + s % 60 + " s";
		}
		if (s < 86_400) {
			return s / 3600 + " h " + s % 3600 / 60 + " min";
		}
		return s / 86_400 + " d " + s % 86_400 / 3600 + " h";
	}
}
