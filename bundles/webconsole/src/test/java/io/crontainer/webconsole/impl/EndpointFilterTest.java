package io.crontainer.webconsole.impl;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.annotation.Annotation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
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
		Path file = web.resolve("endpoints.token"); // the default file, made at the start
		EndpointFilter filter = new EndpointFilter(config("token", ""), web, null);
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
		assertThat(t.status).isEqualTo(503);
		assertThat(reached).isEmpty();
	}

	@Test
	void anAttackerWithoutTheTokenGetsNothing() throws Exception {
		Path file = web.resolve("endpoints.token");
		EndpointFilter filter = new EndpointFilter(config("token", ""), web, null);
		String token = Files.readString(file).strip();
		List<String> tries = new ArrayList<>(List.of("", "Bearer", "Bearer ", "Bearer " + token.substring(1),
				"Bearer " + token + "x", "Bearer " + token.toUpperCase(java.util.Locale.ROOT), "Basic " + token,
				"Bearer " + token.substring(0, 16), "Bearer " + token + " " + token, "Bearer\t" + token,
				"Bearer " + token + "\u0000"));
		for (String path : List.of("/metrics", "/metrics.txt", "/system/health", "/system/health.json",
				"/system/health/crontainer.txt")) {
			for (String authorization : tries) {
				Http.Response r = new Http.Response();
				Http.Request request = get(path);
				if (!authorization.isEmpty()) {
					request.header("Authorization", authorization);
				}
				filter.doFilter(request.proxy(), r.proxy(), chain);
				assertThat(r.status).as("%s with [%s]", path, authorization).isEqualTo(401);
			}
		}
		assertThat(reached).isEmpty();
		Http.Response right = new Http.Response();
		filter.doFilter(get("/metrics").header("Authorization", "bearer  " + token + " ").proxy(), right.proxy(), chain);
		assertThat(reached).as("the scheme is case-insensitive, spaces around the token are not part of it").hasSize(1);
	}

	@Test
	void theComparisonDependsOnNeitherTokensLengthNorContent() {
		assertThat(EndpointFilter.sameToken("0123456789abcdefghij", "0123456789abcdefghij")).isTrue();
		assertThat(EndpointFilter.sameToken("0123456789abcdefghij", "0123456789abcdefghi")).isFalse();
		assertThat(EndpointFilter.sameToken("0123456789abcdefghij", "")).isFalse();
		assertThat(EndpointFilter.sameToken("0123456789abcdefghij", "0123456789abcdefghijk")).isFalse();
	}

	@Test
	void aTokenFileOpenToOtherUsersServesNothingUntilItIsClosed() throws Exception {
		Path file = web.resolve("endpoints.token");
		EndpointFilter filter = new EndpointFilter(config("token", ""), web, null);
		String token = Files.readString(file).strip();
		String bearer = "Bearer " + token;
		for (String mode : List.of("rw----r--", "rw-----w-", "rw-rw----", "rw-r--r--")) {
			Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
			Http.Response r = new Http.Response();
			filter.doFilter(get("/metrics").header("Authorization", bearer).proxy(), r.proxy(), chain);
			assertThat(r.status).as(mode).isEqualTo(503);
		}
		assertThat(reached).isEmpty();
		// Closed again (a chmod changes no modification time): served at once; readable by its group is allowed
		Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
		filter.doFilter(get("/metrics").header("Authorization", bearer).proxy(), new Http.Response().proxy(), chain);
		assertThat(reached).hasSize(1);
		// Owned by another user (a file that user could change), or not a file
		assertThat(EndpointFilter.unsafe(attributes("mallory", true, "rw-------"), "crontainer"))
				.isEqualTo("belongs to mallory, not to crontainer (nor root)");
		assertThat(EndpointFilter.unsafe(attributes("root", true, "rw-r-----"), "crontainer")).isNull();
		assertThat(EndpointFilter.unsafe(attributes("crontainer", true, "rw-------"), "crontainer")).isNull();
		assertThat(EndpointFilter.unsafe(attributes("crontainer", false, "rwx------"), "crontainer"))
				.isEqualTo("is not a regular file");
	}

	/** The attributes of a file that this test cannot make for real (it may run as root). */
	static PosixFileAttributes attributes(String owner, boolean regular, String mode) {
		return (PosixFileAttributes) java.lang.reflect.Proxy.newProxyInstance(EndpointFilterTest.class.getClassLoader(),
				new Class<?>[] { PosixFileAttributes.class }, (p, m, a) -> switch (m.getName()) {
				case "owner" -> (java.nio.file.attribute.UserPrincipal) () -> owner;
				case "isRegularFile" -> regular;
				case "permissions" -> PosixFilePermissions.fromString(mode);
				default -> throw new UnsupportedOperationException(m.getName());
				});
	}

	@Test
	void aNamedTokenFileThatIsMissingIsNotMadeAndNothingIsServed() throws Exception {
		Path file = web.resolve("prometheus/crontainer.token");
		EndpointFilter filter = new EndpointFilter(config("token", file.toString()), web, null);
		assertThat(file).doesNotExist();
		assertThat(web.resolve("endpoints.token")).doesNotExist();
		Http.Response r = new Http.Response();
		filter.doFilter(get("/system/health").header("Authorization", "Bearer ").proxy(), r.proxy(), chain);
		assertThat(r.status).isEqualTo(503);
		assertThat(r.message).contains("see the log").doesNotContain(file.toString());

		// The operator makes it: too short, two lines, then right
		Files.createDirectories(file.getParent());
		Files.writeString(file, "short-token\n");
		Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
		Http.Response shortOne = new Http.Response();
		filter.doFilter(get("/metrics").header("Authorization", "Bearer short-token").proxy(), shortOne.proxy(), chain);
		assertThat(shortOne.status).isEqualTo(503);
		Files.writeString(file, "first-token-0123456789\nsecond-token-0123456789\n");
		Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 3000));
		Http.Response twoLines = new Http.Response();
		filter.doFilter(get("/metrics").header("Authorization", "Bearer first-token-0123456789").proxy(),
				twoLines.proxy(), chain);
		assertThat(twoLines.status).isEqualTo(503);
		assertThat(reached).isEmpty();
		Files.writeString(file, "operators-token-0123456789==\n");
		Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 6000));
		filter.doFilter(get("/metrics").header("Authorization", "Bearer operators-token-0123456789==").proxy(),
				new Http.Response().proxy(), chain);
		assertThat(reached).hasSize(1);
		// Deleted: nothing is served
		Files.delete(file);
		Http.Response gone = new Http.Response();
		filter.doFilter(get("/metrics").header("Authorization", "Bearer operators-token-0123456789==").proxy(),
				gone.proxy(), chain);
		assertThat(gone.status).isEqualTo(503);
		assertThat(reached).hasSize(1);
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
