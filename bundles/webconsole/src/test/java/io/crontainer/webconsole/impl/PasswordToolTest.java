package io.crontainer.webconsole.impl;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PasswordToolTest {
	@Test
	void passwordsShorterThan12CharactersAreRefused() {
		assertThat(PasswordTool.refuse("n3w secret".toCharArray()))
				.isEqualTo("The password has 10 characters; it needs at least 12 (a passphrase of a few words is fine)."
						+ " Nothing changed.");
		assertThat(PasswordTool.refuse(new char[0])).startsWith("The password has 0 characters");
		assertThat(PasswordTool.refuse("correct horse".toCharArray())).isNull();
		assertThat(PasswordTool.refuse("\uD83D\uDD11".repeat(11).toCharArray())).as("code points, not chars").isNotNull();
	}
}
