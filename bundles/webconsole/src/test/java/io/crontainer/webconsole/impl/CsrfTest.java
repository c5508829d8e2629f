package io.crontainer.webconsole.impl;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CsrfTest {

	@Test
	void sameSiteRequestsPass() {
		assertThat(Csrf.refuseOrigin("http://127.0.0.1:8080", null, "127.0.0.1:8080", "same-origin")).isNull();
		assertThat(Csrf.refuseOrigin(null, "http://127.0.0.1:8080/system/console/cronjobs?name=a", "127.0.0.1:8080",
				null)).isNull();
		assertThat(Csrf.refuseOrigin("http://LOCALHOST", null, "localhost:80", null)).isNull();
		assertThat(Csrf.refuseOrigin("https://cron.example.com", null, "cron.example.com", null)).isNull();
		assertThat(Csrf.refuseOrigin("http://[::1]:8080", null, "[::1]:8080", null)).isNull();
		// no browser headers at all (curl): the token alone decides
		assertThat(Csrf.refuseOrigin(null, null, "127.0.0.1:8080", null)).isNull();
	}

	@Test
	void crossSiteRequestsAreRefusedWithTheReason() {
		assertThat(Csrf.refuseOrigin("http://attacker.example", null, "127.0.0.1:8080", null))
				.isEqualTo("Refused: the request came from another site (Origin: http://attacker.example, this console:"
						+ " 127.0.0.1:8080).");
		assertThat(Csrf.refuseOrigin("http://127.0.0.1:9999", null, "127.0.0.1:8080", null)).startsWith("Refused");
		assertThat(Csrf.refuseOrigin("https://127.0.0.1:8080", null, "127.0.0.1:80", null)).startsWith("Refused");
		assertThat(Csrf.refuseOrigin("null", null, "127.0.0.1:8080", null)).startsWith("Refused");
		assertThat(Csrf.refuseOrigin(null, "http://attacker.example/x", "127.0.0.1:8080", null))
				.contains("Referer: http://attacker.example/x");
		assertThat(Csrf.refuseOrigin("http://127.0.0.1:8080", null, "127.0.0.1:8080", "cross-site"))
				.startsWith("Refused: a cross-site request");
		assertThat(Csrf.refuseOrigin("http://127.0.0.1:8080", null, null, null)).startsWith("Refused");
	}
}
