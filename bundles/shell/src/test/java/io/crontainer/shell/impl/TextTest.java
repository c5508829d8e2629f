package io.crontainer.shell.impl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class TextTest {
	static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

	@ParameterizedTest(name = "{0} ms = {1}")
	@CsvSource(delimiter = '|', value = { //
			"0|0 ms", "999|999 ms", "1000|1.0 s", "1200|1.2 s", "1249|1.2 s", "1250|1.3 s", "59949|59.9 s",
			"59950|1 min", "60000|1 min", "184000|3 min 4 s", "3599999|59 min 59 s", "3600000|1 h",
			"3723000|1 h 2 min", "86399999|23 h 59 min", "86400000|1 d", "97200000|1 d 3 h", "-1200|1.2 s" })
	void durationsReadAsPeopleSayThem(long millis, String expected) {
		assertThat(Text.duration(millis)).isEqualTo(expected);
	}

	@Test
	void detailInstantsCarryOffsetAndZoneId() {
		long fallBack = Instant.parse("2024-10-27T01:30:00Z").toEpochMilli();
		assertThat(Text.zoned(fallBack, BERLIN)).isEqualTo("2024-10-27T02:30+01:00[Europe/Berlin]");
		assertThat(Text.zoned(fallBack - 3_600_000, BERLIN)).isEqualTo("2024-10-27T02:30+02:00[Europe/Berlin]");
		assertThat(Text.zoned(fallBack + 1_234, BERLIN)).isEqualTo("2024-10-27T02:30:01.234+01:00[Europe/Berlin]");
		assertThat(Text.zoned(0, ZoneId.of("UTC"))).isEqualTo("1970-01-01T00:00Z[UTC]");
	}

	@Test
	void tableInstantsHaveOneWidthToTheSecond() {
		long t = Instant.parse("2024-10-27T01:30:00.999Z").toEpochMilli();
		assertThat(Text.offset(t, BERLIN)).isEqualTo("2024-10-27T02:30:00+01:00");
		assertThat(Text.offset(t, ZoneOffset.UTC)).isEqualTo("2024-10-27T01:30:00Z");
		assertThat(Text.offset((Long) null, BERLIN)).isNull();
	}

	@Test
	void dateTimesAreReadInTheirOwnOffsetOrTheGivenZone() {
		assertThat(Text.dateTime("2024-10-27T02:30+01:00", BERLIN).toInstant())
				.isEqualTo(Instant.parse("2024-10-27T01:30:00Z"));
		assertThat(Text.dateTime("2024-10-27T01:30Z", ZoneId.of("Asia/Tokyo")).toInstant())
				.isEqualTo(Instant.parse("2024-10-27T01:30:00Z"));
		assertThat(Text.dateTime("2024-10-27T02:30+01:00[Europe/Berlin]", ZoneOffset.UTC).toInstant())
				.isEqualTo(Instant.parse("2024-10-27T01:30:00Z"));
		// Local: in the zone; a repeated local time takes the earlier offset.
		assertThat(Text.dateTime("2024-10-27T02:30", BERLIN).toInstant())
				.isEqualTo(Instant.parse("2024-10-27T00:30:00Z"));
		// A skipped local time moves forward by the gap.
		assertThat(Text.dateTime("2024-03-31T02:30", BERLIN).toString()).isEqualTo("2024-03-31T03:30+02:00[Europe/Berlin]");
		assertThat(Text.dateTime(" 2024-10-27 ", BERLIN).toString()).isEqualTo("2024-10-27T00:00+02:00[Europe/Berlin]");
	}

	@Test
	void unreadableInputGetsAOneLineMessage() {
		assertThatThrownBy(() -> Text.dateTime("27.10.2024", BERLIN)).isInstanceOf(IllegalArgumentException.class)
				.hasMessageStartingWith("Cannot read \"27.10.2024\" as an ISO-8601 date-time");
		assertThatThrownBy(() -> Text.zone("CEST")).isInstanceOf(IllegalArgumentException.class)
				.hasMessage("Unknown time zone \"CEST\": give an IANA zone id such as Europe/Berlin, or UTC.");
		assertThat(Text.zone("UTC")).isEqualTo(ZoneId.of("UTC"));
	}

	@Test
	void printableEscapesEveryControlCharacterButTheLineFeed() {
		assertThat(Text.printable("a\u001b]0;title\u0007b\nc\r\td\u0000\u007f\u0085\u009b")).isEqualTo(
				"a\\e]0;title\\x07b\nc\\r\\td\\x00\\x7f\\u0085\\u009b");
		assertThat(Text.escaped("a\nb")).isEqualTo("a\\nb");
		assertThat(Text.printable("plain: é ü 日本 \u00a0")).isEqualTo("plain: é ü 日本 \u00a0");
		assertThat(Text.printable(null)).isNull();
		assertThat(Table.oneLine("x\r\n\ty\u001b[2Jz")).isEqualTo("x y\\e[2Jz");
	}
}
