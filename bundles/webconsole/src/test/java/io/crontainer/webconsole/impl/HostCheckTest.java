package io.crontainer.webconsole.impl;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DNS rebinding: a Host header that names another server is refused, by both filters and the login. */
class HostCheckTest {
	final AtomicInteger configReads = new AtomicInteger();
	final HostCheck check = new HostCheck(List.of(" Crontainer.Example.com ", "proxy.internal:443", ""), () -> {
		configReads.incrementAndGet();
		return "ops-box.lan";
	});

	@Test
	void loopbackNamesAndAddressLiteralsOnOurPort() {
		for (String host : new String[] { "localhost", "localhost:8080", "LOCALHOST:8080", "localhost.:8080",
				"127.0.0.1", "127.0.0.1:8080", "10.1.2.3:8080", "[::1]", "[::1]:8080", "[fe80::1%25eth0]:8080" }) {
			assertThat(check.allows(host, 8080)).as(host).isTrue();
		}
		assertThat(check.allows(null, 8080)).as("no Host header (HTTP/1.0)").isTrue();
		assertThat(configReads).as("the configuration is read only for other names").hasValue(0);
		assertThat(check.allows("127.0.0.1:9999", 8080)).as("another port").isFalse();
		assertThat(check.allows("localhost:80", 8080)).isFalse();
	}

	@Test
	void theConfiguredHostAndTheOperatorsNames() {
		assertThat(check.allows("ops-box.lan:8080", 8080)).isTrue();
		assertThat(check.allows("ops-box.lan:8081", 8080)).isFalse();
		assertThat(check.allows("crontainer.example.com", 8080)).isTrue();
		assertThat(check.allows("crontainer.example.com:443", 8080)).as("behind a proxy, any port").isTrue();
		assertThat(check.allows("proxy.internal:8443", 8080)).isTrue();
	}

	@Test
	void anythingElseIsRefused() {
		for (String host : new String[] { "evil.example", "evil.example:8080", "127.0.0.1.evil.example:8080",
				"localhost.evil.example:8080", "crontainer.example.com.evil.example", "", ":8080", "localhost:80a",
				"localhost:8080:8080", "evil.example:8080@localhost", "1.2.3.4.5:8080" }) {
			assertThat(check.allows(host, 8080)).as(host).isFalse();
		}
	}

	@Test
	void bothFiltersAndTheLoginAnswer421(@TempDir Path dir) throws Exception {
		List<String> reached = new ArrayList<>();
		Http.Request rebound = new Http.Request();
		rebound.header("Host", "evil.example:8080");

		Http.Response console = new Http.Response();
		new ConsoleFilter().doFilter(rebound.proxy(), console.proxy(), (rq, rs) -> reached.add("console"));
		assertThat(console.status).isEqualTo(421);
		assertThat(console.header("X-Frame-Options")).isEqualTo("DENY");
		assertThat(console.body.toString()).startsWith("Refused: the Host header names another server.");

		rebound.servletPath = "/metrics";
		Http.Response metrics = new Http.Response();
		new EndpointFilter(EndpointFilterTest.config("open", ""), dir, null).doFilter(rebound.proxy(), metrics.proxy(),
				(rq, rs) -> reached.add("metrics"));
		assertThat(metrics.status).isEqualTo(421);

		LoginSecurityProvider login = new LoginSecurityProvider(LoginSecurityProviderTest.config("ops", "", 10),
				dir.resolve("web"), new LoginSecurityProviderTest.TestClock());
		Http.Response page = new Http.Response();
		assertThat(login.authenticate(rebound.proxy(), page.proxy())).isNull();
		assertThat(page.status).isEqualTo(421);
		assertThat(page.body.toString()).doesNotContain("login");
		assertThat(reached).isEmpty();

		Http.Request own = new Http.Request();
		own.header("Host", "127.0.0.1:8080");
		new ConsoleFilter().doFilter(own.proxy(), new Http.Response().proxy(), (rq, rs) -> reached.add("console"));
		own.servletPath = "/metrics";
		new EndpointFilter(EndpointFilterTest.config("open", ""), dir, null).doFilter(own.proxy(),
				new Http.Response().proxy(), (rq, rs) -> reached.add("metrics"));
		assertThat(reached).containsExactly("console", "metrics");
		assertThat(new ConsoleFilter("crontainer.example.com").hosts("crontainer.example.com:443")).isTrue();
	}
}
