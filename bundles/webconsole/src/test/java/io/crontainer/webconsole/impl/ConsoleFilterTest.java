package io.crontainer.webconsole.impl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import jakarta.servlet.FilterChain;

class ConsoleFilterTest {
	final ConsoleFilter filter = new ConsoleFilter();

	@Test
	void aForgedPostNeverReachesThePage() throws Exception {
		Http.Request install = new Http.Request();
		install.method = "POST";
		install.header("Host", "127.0.0.1:8080").header("Origin", "http://127.0.0.1:9999")
				.header("Sec-Fetch-Site", "same-site");
		install.session = new Http.Session();
		Http.Response response = new Http.Response();
		List<String> reached = new ArrayList<>();
		FilterChain chain = (rq, rs) -> reached.add("page");
		filter.doFilter(install.proxy(), response.proxy(), chain);
		assertThat(reached).isEmpty();
		assertThat(response.status).isEqualTo(403);
		assertThat(response.body.toString()).contains("Refused: a request from another origin");
		assertThat(response.header("X-Frame-Options")).isEqualTo("DENY");
	}

	@Test
	void everyResponseForbidsFramingAndSniffing() throws Exception {
		Http.Request get = new Http.Request();
		Http.Response response = new Http.Response();
		List<String> reached = new ArrayList<>();
		filter.doFilter(get.proxy(), response.proxy(), (rq, rs) -> reached.add("page"));
		assertThat(reached).containsExactly("page");
		assertThat(response.header("X-Frame-Options")).isEqualTo("DENY");
		assertThat(response.header("Content-Security-Policy")).isEqualTo("frame-ancestors 'none'");
		assertThat(response.header("X-Content-Type-Options")).isEqualTo("nosniff");

		Http.Request post = new Http.Request();
		post.method = "POST";
		post.header("Host", "127.0.0.1:8080").header("Origin", "http://127.0.0.1:8080");
		filter.doFilter(post.proxy(), new Http.Response().proxy(), (rq, rs) -> reached.add("same origin"));
		assertThat(reached).containsExactly("page", "same origin");
	}

	@Test
	void traceAndOptionsAreAnswered405AndNeverReachThePage() throws Exception {
		for (String method : List.of("TRACE", "OPTIONS", "trace")) {
			Http.Request request = new Http.Request();
			request.method = method;
			request.session = new Http.Session();
			request.header("Host", "127.0.0.1:8080").header("Cookie", "JSESSIONID=secret");
			Http.Response response = new Http.Response();
			List<String> reached = new ArrayList<>();
			filter.doFilter(request.proxy(), response.proxy(), (rq, rs) -> reached.add("page"));
			assertThat(reached).as(method).isEmpty();
			assertThat(response.status).as(method).isEqualTo(405);
			assertThat(response.header("Allow")).isEqualTo("GET, HEAD, POST");
			assertThat(response.body.toString()).doesNotContain("secret");
			assertThat(response.header("X-Frame-Options")).isEqualTo("DENY");
		}
	}

	@Test
	void theSessionCookieIsStrictAndHttpOnly() {
		assertThat(ConsoleFilter.hardenCookie("JSESSIONID=node0abc.node0; Path=/"))
				.isEqualTo("JSESSIONID=node0abc.node0; Path=/; HttpOnly; SameSite=Strict");
		assertThat(ConsoleFilter.hardenCookie("JSESSIONID=a; Path=/; HttpOnly; SameSite=Lax"))
				.isEqualTo("JSESSIONID=a; Path=/; HttpOnly; SameSite=Strict");
		assertThat(ConsoleFilter.hardenCookie("other=1")).isEqualTo("other=1");
	}
}
