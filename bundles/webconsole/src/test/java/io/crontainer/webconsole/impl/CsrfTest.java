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
				.startsWith("Refused: a request from another origin");
		assertThat(Csrf.refuseOrigin("http://127.0.0.1:8080", null, null, null)).startsWith("Refused");
		// another port of the same host is the same "site", but not the same origin
		assertThat(Csrf.refuseOrigin(null, null, "127.0.0.1:8080", "same-site"))
				.isEqualTo("Refused: a request from another origin (Sec-Fetch-Site: same-site). Use the console's own pages.");
	}

	@Test
	void aBrowsersOriginSufficesAndWithoutOneTheSessionsTokenIsNeeded() {
		Http.Request felixXhr = post().header("Origin", "http://127.0.0.1:8080").header("Sec-Fetch-Site", "same-origin");
		felixXhr.session = new Http.Session();
		assertThat(Csrf.check(felixXhr.proxy())).as("Felix's own script-driven POSTs carry no token").isNull();

		Http.Request oldBrowser = post();
		oldBrowser.session = new Http.Session();
		assertThat(Csrf.check(oldBrowser.proxy())).contains("no valid CSRF token");
		String token = Csrf.token(oldBrowser.proxy());
		assertThat(token).hasSizeGreaterThan(20);
		assertThat(Csrf.check(oldBrowser.param(Csrf.PARAM, token).proxy())).isNull();
		Http.Request byHeader = post().header(Csrf.HEADER, token);
		byHeader.session = oldBrowser.session;
		assertThat(Csrf.check(byHeader.proxy())).isNull();
		Http.Request multipart = post().param(Csrf.PARAM, token);
		multipart.session = oldBrowser.session;
		multipart.contentType = "multipart/form-data; boundary=x";
		assertThat(Csrf.check(multipart.proxy())).as("a multipart body is not read for the token").isNotNull();

		Http.Request script = post().header("Authorization", "Basic eDp5");
		assertThat(Csrf.check(script.proxy())).as("no session: no ambient credential").isNull();
		assertThat(Csrf.token(script.proxy())).isEmpty();
		assertThat(script.sessionsMade).isZero();
	}

	private static Http.Request post() {
		Http.Request r = new Http.Request();
		r.method = "POST";
		return r.header("Host", "127.0.0.1:8080");
	}
}
