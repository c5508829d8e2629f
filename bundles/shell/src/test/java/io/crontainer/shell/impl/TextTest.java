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

	// Durations and instants: io.crontainer.format.FormatsTest.

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

	@Test
	void logTextKeepsLinesAndTabsAndEscapesTheRest() {
		String message = "2026.12.07 INFO - plugin says \u001b]0;pwned\u0007 and \u009b2J\r\n\tat x.y(Z.java:1)";
		String shown = new PrintableCommand().printable(message);
		assertThat(shown).isEqualTo("2026.12.07 INFO - plugin says \\e]0;pwned\\x07 and \\u009b2J\\r\n\tat x.y(Z.java:1)");
		assertThat(shown.chars().filter(c -> c < 0x20 && c != '\n' && c != '\t' || c >= 0x7f && c <= 0x9f)).isEmpty();
		assertThat(new PrintableCommand().printable(null)).isNull();
	}
}
