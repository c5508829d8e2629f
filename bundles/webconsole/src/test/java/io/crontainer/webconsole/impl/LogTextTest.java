package io.crontainer.webconsole.impl;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogTextTest {
	@Test
	void aUserNameCannotForgeALogLine() {
		assertThat(LogText.escape("ops\n2026-12-07T06:00:00Z | INFO | admin logged in"))
				.isEqualTo("ops\\n2026-12-07T06:00:00Z | INFO | admin logged in");
		assertThat(LogText.escape("a\r\u001b]0;owned\u0007b\\")).isEqualTo("a\\r\\e]0;owned\\x07b\\\\");
		assertThat(LogText.escape("x".repeat(600))).hasSize(LogText.MAX + 3);
		assertThat(LogText.escape(null)).isEqualTo("null");
	}

	@Test
	void aBackslashInTheValueCannotPassForAnEscape() {
		assertThat(LogText.escape("ops\\n")).isEqualTo("ops\\\\n");
		assertThat(LogText.escape("ops\n")).isEqualTo("ops\\n");
	}

	@Test
	void invisibleAndBidiCharactersAreShownSoANameCannotShowAsAnother() {
		// U+202E turns the rest of the line around on screen; U+200B and U+2028 hide or break it.
		assertThat(LogText.escape("admin\u202Etxt.exe")).isEqualTo("admin\\u202etxt.exe");
		assertThat(LogText.escape("ad\u200Bmin\u2028x")).isEqualTo("ad\\u200bmin\\u2028x");
	}

	@Test
	void aCutNeverSplitsASurrogatePair() {
		String text = "x".repeat(LogText.MAX - 1) + "\uD83D\uDE00" + "tail";
		String escaped = LogText.escape(text);
		assertThat(escaped).isEqualTo("x".repeat(LogText.MAX - 1) + "...");
	}
}
