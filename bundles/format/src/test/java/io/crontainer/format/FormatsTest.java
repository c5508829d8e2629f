package io.crontainer.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FormatsTest {
	static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

	@ParameterizedTest(name = "{0} ms = {1}")
	@CsvSource(delimiter = '|', value = { //
			"0|0 ms", "999|999 ms", "1000|1.0 s", "1200|1.2 s", "1249|1.2 s", "1250|1.3 s", "8740|8.7 s",
			"59949|59.9 s",
			// the page once said "60.0 s" here, and "3 min 0 s" for three minutes
			"59950|1 min", "59960|1 min", "59999|1 min", "60000|1 min", "119999|1 min 59 s", "180000|3 min",
			"184000|3 min 4 s", "3599999|59 min 59 s",
			// hours, days
			"3600000|1 h", "3723000|1 h 2 min", "7500000|2 h 5 min", "10800000|3 h", "86399999|23 h 59 min",
			"86400000|1 d", "97200000|1 d 3 h", "273600000|3 d 4 h", "8640000000|100 d",
			// a negative length shows that clocks disagree
			"-1|-1 ms", "-1200|-1.2 s", "-180000|-3 min" })
	void durationsReadAsPeopleSayThem(long millis, String expected) {
		assertThat(Formats.duration(millis)).isEqualTo(expected);
	}

	@Test
	void extremeDurationsDoNotOverflow() {
		assertThat(Formats.duration(Long.MAX_VALUE)).endsWith(" h").startsWith("106751991167 d");
		assertThat(Formats.duration(Long.MIN_VALUE)).startsWith("-106751991167 d");
	}

	@Test
	void secondsAreDurations() {
		assertThat(Formats.seconds(90)).isEqualTo("1 min 30 s");
		assertThat(Formats.seconds(600)).isEqualTo("10 min");
		assertThat(Formats.seconds(0)).isEqualTo("0 ms");
	}

	@Test
	void agesAreNeverNegative() {
		long now = 1_000_000_000L;
		assertThat(Formats.age(now - 184_000, now)).isEqualTo("3 min 4 s");
		assertThat(Formats.age(now, now)).isEqualTo("0 ms");
		assertThat(Formats.age(now + 5_000, now)).as("an instant ahead of our clock").isEqualTo("0 ms");
	}

	@Test
	void timeLeftAndRelativeInstants() {
		long now = 1_000_000_000L;
		assertThat(Formats.left(now + 900_000, now)).isEqualTo("15 min");
		assertThat(Formats.left(now, now)).isEqualTo("due");
		assertThat(Formats.left(now - 1, now)).isEqualTo("due");
		assertThat(Formats.relative(now + 59_960, now)).isEqualTo("in 1 min");
		assertThat(Formats.relative(now - 180_000, now)).isEqualTo("3 min ago");
		assertThat(Formats.relative(now, now)).isEqualTo("now");
	}

	@Test
	void tableInstantsHaveOneWidthToTheSecond() {
		long t = Instant.parse("2024-10-27T01:30:00.999Z").toEpochMilli();
		assertThat(Formats.offset(t, BERLIN)).isEqualTo("2024-10-27T02:30:00+01:00");
		assertThat(Formats.offset(t - 3_600_000, BERLIN)).isEqualTo("2024-10-27T02:30:00+02:00");
		assertThat(Formats.offset(t, ZoneOffset.UTC)).isEqualTo("2024-10-27T01:30:00Z");
		assertThat(Formats.offset(null, BERLIN)).isNull();
	}

	@Test
	void detailInstantsCarryOffsetAndZoneId() {
		long fallBack = Instant.parse("2024-10-27T01:30:00Z").toEpochMilli();
		assertThat(Formats.zoned(fallBack, BERLIN)).isEqualTo("2024-10-27T02:30+01:00[Europe/Berlin]");
		assertThat(Formats.zoned(fallBack - 3_600_000, BERLIN)).isEqualTo("2024-10-27T02:30+02:00[Europe/Berlin]");
		assertThat(Formats.zoned(fallBack + 1_234, BERLIN)).isEqualTo("2024-10-27T02:30:01.234+01:00[Europe/Berlin]");
		assertThat(Formats.zoned(0, ZoneId.of("UTC"))).isEqualTo("1970-01-01T00:00Z[UTC]");
	}

	@Test
	void unknownZonesAreUtc() {
		assertThat(Formats.zone("Europe/Berlin")).isEqualTo(BERLIN);
		assertThat(Formats.zone("Nowhere/Else")).isEqualTo(ZoneOffset.UTC);
		assertThat(Formats.zone(null)).isEqualTo(ZoneOffset.UTC);
	}

	@Test
	void countsAreGroupedAndAgreeInNumber() {
		assertThat(Formats.count(0, "run")).isEqualTo("0 runs");
		assertThat(Formats.count(1, "run")).isEqualTo("1 run");
		assertThat(Formats.count(999, "cron plugin")).isEqualTo("999 cron plugins");
		assertThat(Formats.count(1_234, "run")).isEqualTo("1,234 runs");
		assertThat(Formats.count(1_234_567, "fire time")).isEqualTo("1,234,567 fire times");
		assertThat(Formats.number(-12_345)).isEqualTo("-12,345");
	}

	@Test
	void escapedShowsEveryControlCharacterAndKeepsTheRest() {
		assertThat(Formats.escaped("\u001b]0;owned\u0007x\ny\tz\r\u007f\u0085")).isEqualTo(
				"\\e]0;owned\\x07x\\ny\\tz\\r\\x7f\\u0085");
		assertThat(Formats.escaped("plain \\ é ✓")).isEqualTo("plain \\ é ✓");
		assertThat(Formats.escaped(null)).isNull();
	}

	@Test
	void instantsInMessagesAreUtcToTheMillisecondAtMost() {
		assertThat(Formats.instant(Instant.parse("2026-12-07T10:15:30.123456789Z"))).isEqualTo("2026-12-07T10:15:30.123Z");
		assertThat(Formats.instant(Instant.parse("2026-12-07T10:15:30.000999Z"))).isEqualTo("2026-12-07T10:15:30Z");
		assertThat(Formats.instant(Instant.parse("1969-12-31T23:59:59.999999Z"))).isEqualTo("1969-12-31T23:59:59.999Z");
		assertThat(Formats.instant((Instant) null)).isEqualTo("null");
		assertThat(Formats.instant(1_765_102_530_123L)).isEqualTo("2025-12-07T10:15:30.123Z");
		Instant a = Instant.parse("2026-12-07T10:15:30.123456Z");
		assertThat(Formats.instant(a, Instant.parse("2026-12-07T10:15:30.123Z"))).as("told apart")
				.isEqualTo("2026-12-07T10:15:30.123456Z");
		assertThat(Formats.instant(a, a)).isEqualTo("2026-12-07T10:15:30.123Z");
		assertThat(Formats.instant(a, Instant.EPOCH)).isEqualTo("2026-12-07T10:15:30.123Z");
		assertThat(Formats.instant(a, null)).isEqualTo("2026-12-07T10:15:30.123Z");
	}

	@Test
	void escapedShowsWhatBreaksOrReordersALine() {
		assertThat(Formats.escaped("evil\u202etxt.exe a\u2028b\u2029c \u2066\u2069\u200e\u200f\u061c"))
				.isEqualTo("evil\\u202etxt.exe a\\u2028b\\u2029c \\u2066\\u2069\\u200e\\u200f\\u061c");
		assertThat(Formats.escaped("\u0000\u2028", true, true)).isEqualTo("\\x00\\u2028");
		assertThat(Formats.escapes('\u202e')).isTrue();
		assertThat(Formats.escapes('\n')).isTrue();
		assertThat(Formats.escaped("\u2030 \u05d0\u05d1 \u00e9 \uD83D\uDE00")).as("per mille, Hebrew letters, an emoji: kept")
				.isEqualTo("\u2030 \u05d0\u05d1 \u00e9 \uD83D\uDE00");
	}

	@Test
	void escapedShowsEveryInvisibleCharacterSoANameCannotShowAsAnother() {
		assertThat(Formats.escaped("back\u200Bup")).isEqualTo("back\\u200bup").isNotEqualTo(Formats.escaped("backup"));
		assertThat(Formats.escaped("\u200b\u200c\u200d|\u2060\u2061\u2062\u2063\u2064|\ufeff|\u00ad|\u180e|\ufff9\ufffa\ufffb"))
				.isEqualTo("\\u200b\\u200c\\u200d|\\u2060\\u2061\\u2062\\u2063\\u2064|\\ufeff|\\u00ad|\\u180e"
						+ "|\\ufff9\\ufffa\\ufffb");
		// The tag characters are beyond U+FFFF: one escape each, not two for their surrogates
		String tags = new StringBuilder("a").appendCodePoint(0xe0000).appendCodePoint(0xe0001).appendCodePoint(0xe0041)
				.appendCodePoint(0xe007f).append('b').toString();
		assertThat(Formats.escaped(tags)).isEqualTo("a\\u{e0000}\\u{e0001}\\u{e0041}\\u{e007f}b");
		assertThat(Formats.escaped(tags, true, true)).isEqualTo(Formats.escaped(tags));
		assertThat(Formats.escapes(0xe0041)).isTrue();
		assertThat(Formats.escapes('\u200d')).isTrue();
		assertThat(Formats.escapes(0x1f600)).isFalse();
		// Every format character (Cf) and control character of the BMP, and the separators
		for (int c = 0; c <= 0xffff; c++) {
			int type = Character.getType(c);
			boolean hidden = type == Character.FORMAT || type == Character.CONTROL || type == Character.LINE_SEPARATOR
					|| type == Character.PARAGRAPH_SEPARATOR;
			assertThat(Formats.escapes((char) c)).as("U+%04X", c).isEqualTo(hidden);
		}
		assertThat(Formats.escaped("\ud800x")).as("a lone surrogate: kept").isEqualTo("\ud800x");
	}
}
