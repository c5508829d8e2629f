package io.crontainer.webconsole.impl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

class PasswordsTest {

	@Test
	void hashVerifiesOnlyItsPassword() {
		String hash = Passwords.hash("s3cret".toCharArray(), new byte[16], 1000);
		assertThat(hash).startsWith("{pbkdf2}1000:AAAAAAAAAAAAAAAAAAAAAA==:").doesNotContain("s3cret");
		assertThat(Passwords.isHash(hash)).isTrue();
		assertThat(Passwords.verify("s3cret".toCharArray(), hash)).isTrue();
		assertThat(Passwords.verify("s3cret ".toCharArray(), hash)).isFalse();
		assertThat(Passwords.verify("".toCharArray(), hash)).isFalse();
	}

	@Test
	void aKnownPbkdf2Vector() {
		// RFC 7914 section 11: PBKDF2-HMAC-SHA256, P="passwd", S="salt", c=1, dkLen=64 (first 32 bytes)
		String hash = Passwords.hash("passwd".toCharArray(), "salt".getBytes(), 1);
		assertThat(java.util.HexFormat.of().formatHex(java.util.Base64.getDecoder().decode(hash.split(":")[2])))
				.isEqualTo("55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc");
	}

	@Test
	void newHashesAreSaltedDifferently() {
		assertThat(Passwords.hash("x".toCharArray())).isNotEqualTo(Passwords.hash("x".toCharArray()))
				.startsWith("{pbkdf2}" + Passwords.ITERATIONS + ":");
	}

	@Test
	void malformedHashesAreRefusedClearly() {
		for (String bad : new String[] { "admin", "{pbkdf2}", "{pbkdf2}x:AA==:AA==", "{pbkdf2}1000:AA==",
				"{pbkdf2}0:AA==:AA==", "{pbkdf2}10:!!:AA==" }) {
			assertThatThrownBy(() -> Passwords.verify("x".toCharArray(), bad)).as(bad)
					.isInstanceOf(IllegalArgumentException.class).hasMessageContaining("{pbkdf2}ITERATIONS:SALT:HASH");
		}
	}

	@Test
	void generatedPasswordsAreLongAndUnambiguous() {
		Set<String> seen = new HashSet<>();
		for (int i = 0; i < 100; i++) {
			String p = Passwords.generate();
			assertThat(p).hasSize(20).matches("[a-km-zA-HJ-NP-Z2-9]+");
			seen.add(p);
		}
		assertThat(seen).hasSize(100);
	}

	@Test
	void clearPasswordsCompare() {
		assertThat(Passwords.equalsClear("abc".toCharArray(), "abc")).isTrue();
		assertThat(Passwords.equalsClear("abd".toCharArray(), "abc")).isFalse();
	}
}
