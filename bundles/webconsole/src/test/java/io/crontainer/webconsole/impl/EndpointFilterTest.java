package io.crontainer.webconsole.impl;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.annotation.Annotation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import jakarta.servlet.FilterChain;
import jakarta.servlet.http.HttpServletRequest;

class EndpointFilterTest {
	@TempDir
	Path web;

	final List<String> reached = new ArrayList<>();
	final FilterChain chain = (rq, rs) -> {
		HttpServletRequest r = (HttpServletRequest) rq;
		reached.add(r.getRequestURI() + "?" + r.getQueryString() + " timeout=" + r.getParameter("timeout"));
	};

	static LoginConfiguration config(String access, String tokenFile) {
		LoginConfiguration base = LoginSecurityProviderTest.config("ops", "", 10);
		return new LoginConfiguration() {
			@Override
			public Class<? extends Annotation> annotationType() {
				return LoginConfiguration.class;
			}

			@Override
			public String username() {
				return base.username();
			}

			@Override
			public String password() {
				return base.password();
			}

			@Override
			public int session_timeout_minutes() {
				return 30;
			}

			@Override
			public String[] allowed_hosts() {
				return new String[0];
			}

			@Override
			public int login_failures_max() {
				return 10;
			}

			@Override
			public String endpoints_access() {
				return access;
			}

			@Override
			public String endpoints_token_file() {
				return tokenFile;
			}
		};
	}

	static Http.Request get(String path) {
		Http.Request r = new Http.Request();
		r.uri = path;
		r.servletPath = path;
		return r;
	}

	@Test
	void openHealthServesNoJsonpAndIgnoresParameters() throws Exception {
		EndpointFilter filter = new EndpointFilter(config("open", ""), web, null);
		Http.Response jsonp = new Http.Response();
		filter.doFilter(get("/system/health.jsonp").proxy(), jsonp.proxy(), chain);
		assertThat(jsonp.status).isEqualTo(400);
		Http.Response callback = new Http.Response();
		filter.doFilter(get("/system/health").param("callback", "steal").proxy(), callback.proxy(), chain);
		assertThat(callback.status).isEqualTo(400);
		assertThat(reached).isEmpty();

		filter.doFilter(get("/system/health.json").param("timeout", "1").proxy(), new Http.Response().proxy(), chain);
		assertThat(reached).containsExactly("/system/health.json?null timeout=null");
		filter.doFilter(get("/metrics").proxy(), new Http.Response().proxy(), chain);
		filter.doFilter(get("/other").param("timeout", "1").proxy(), new Http.Response().proxy(), chain);
		assertThat(reached).hasSize(3).last().isEqualTo("/other?null timeout=1");
	}

	@Test
	void tokenAccessNeedsTheBearerTokenFromItsFile() throws Exception {
		Path file = web.resolve("web/endpoints.token");
		EndpointFilter filter = new EndpointFilter(config("token", file.toString()), web, null);
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
		String token = Files.readString(file).strip();
		assertThat(token).hasSizeGreaterThan(20);
		for (String path : new String[] { "/metrics", "/system/health", "/system/health/crontainer.json" }) {
			Http.Response none = new Http.Response();
			filter.doFilter(get(path).proxy(), none.proxy(), chain);
			assertThat(none.status).as(path).isEqualTo(401);
			assertThat(none.header("WWW-Authenticate")).startsWith("Bearer");
			Http.Response wrong = new Http.Response();
			filter.doFilter(get(path).header("Authorization", "Bearer x" + token).proxy(), wrong.proxy(), chain);
			assertThat(wrong.status).isEqualTo(401);
		}
		assertThat(reached).isEmpty();
		filter.doFilter(get("/metrics").header("Authorization", "Bearer " + token).proxy(), new Http.Response().proxy(),
				chain);
		assertThat(reached).hasSize(1);
		// A new token in the file applies at once.
		Files.writeString(file, "fresh-token-0123456789\n");
		Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
		filter.doFilter(get("/metrics").header("Authorization", "Bearer fresh-token-0123456789").proxy(),
				new Http.Response().proxy(), chain);
		assertThat(reached).hasSize(2);
	}

	@Test
	void loginAccessNeedsTheConsolesAccountUnderItsBrake() throws Exception {
		String hash = Passwords.hash("right password".toCharArray(), new byte[16], 1000);
		LoginSecurityProvider login = new LoginSecurityProvider(LoginSecurityProviderTest.config("ops", hash, 10),
				web.resolve("web"), new LoginSecurityProviderTest.TestClock());
		EndpointFilter filter = new EndpointFilter(config("login", ""), web, login);
		Http.Response none = new Http.Response();
		filter.doFilter(get("/system/health").proxy(), none.proxy(), chain);
		assertThat(none.status).isEqualTo(401);
		assertThat(none.header("WWW-Authenticate")).startsWith("Basic");
		String basic = "Basic " + java.util.Base64.getEncoder().encodeToString("ops:right password".getBytes());
		filter.doFilter(get("/metrics").header("Authorization", basic).proxy(), new Http.Response().proxy(), chain);
		assertThat(reached).hasSize(1);
	}

	@Test
	void withoutTheConsolesLoginNothingIsServed() throws Exception {
		EndpointFilter filter = new EndpointFilter(config("login", ""), web, null);
		Http.Response r = new Http.Response();
		filter.doFilter(get("/metrics").proxy(), r.proxy(), chain);
		assertThat(r.status).isEqualTo(503);
		Path dir = web.resolve("not-a-dir");
		Files.writeString(dir, "a file where the token's directory should be");
		EndpointFilter noFile = new EndpointFilter(config("token", dir.resolve("endpoints.token").toString()), web, null);
		Http.Response t = new Http.Response();
		filter.doFilter(get("/system/health").header("Authorization", "Bearer ").proxy(), t.proxy(), chain);
		noFile.doFilter(get("/system/health").header("Authorization", "Bearer ").proxy(), t.proxy(), chain);
		assertThat(t.status).isEqualTo(401);
		assertThat(reached).isEmpty();
	}

	@Test
	void traceIsAnswered405OnEveryPath() throws Exception {
		EndpointFilter filter = new EndpointFilter(config("open", ""), web, null);
		for (String path : List.of("/metrics", "/system/health", "/other")) {
			Http.Request trace = get(path);
			trace.method = "TRACE";
			Http.Response r = new Http.Response();
			filter.doFilter(trace.proxy(), r.proxy(), chain);
			assertThat(r.status).as(path).isEqualTo(405);
			assertThat(r.header("Allow")).isEqualTo("GET, HEAD, POST");
		}
		assertThat(reached).isEmpty();
		Http.Request options = get("/other");
		options.method = "OPTIONS";
		filter.doFilter(options.proxy(), new Http.Response().proxy(), chain);
		assertThat(reached).as("OPTIONS is left to the servlet there").hasSize(1);
	}

	@Test
	void aMisspelledSettingFailsClosed() {
		assertThat(EndpointFilter.access("opne")).isEqualTo(EndpointFilter.Access.LOGIN);
		assertThat(EndpointFilter.access(" Token ")).isEqualTo(EndpointFilter.Access.TOKEN);
		assertThat(EndpointFilter.access("")).isEqualTo(EndpointFilter.Access.OPEN);
		assertThat(EndpointFilter.guarded("/metrics")).isTrue();
		assertThat(EndpointFilter.guarded("/system/health/crontainer.txt")).isTrue();
		assertThat(EndpointFilter.guarded("/system/healthy")).isFalse();
		assertThat(EndpointFilter.guarded("/metricsx")).isFalse();
	}
}
