package io.crontainer.webconsole.impl;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogTextTest {
	@Test
	void aUserNameCannotForgeALogLine() {
		assertThat(LogText.escape("ops\n2026-12-07T06:00:00Z | INFO | admin logged in"))
				.isEqualTo("ops\\n2026-12-07T06:00:00Z | INFO | admin logged in");
		assertThat(LogText.escape("a\r\u001b]0;owned\u0007b\\")).isEqualTo("a\\r\\u001b]0;owned\\u0007b\\\\");
		assertThat(LogText.escape("x".repeat(600))).hasSize(LogText.MAX + 3);
		assertThat(LogText.escape(null)).isEqualTo("null");
	}
}
