package io.crontainer.webconsole.impl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.annotation.Annotation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoginSecurityProviderTest {

	static final String ADDR = "127.0.0.1";

	@TempDir
	Path tmp;
	Path web;

	@org.junit.jupiter.api.BeforeEach
	void webDir() {
		web = tmp.resolve("web"); // made by the component, as in the distribution
	}

	/** A movable clock: the failure brake counts the last minute. */
	static final class TestClock extends Clock {
		long millis = 1_800_000_000_000L;

		@Override
		public java.time.ZoneId getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(java.time.ZoneId zone) {
			return this;
		}

		@Override
		public Instant instant() {
			return Instant.ofEpochMilli(millis);
		}
	}

	static LoginConfiguration config(String user, String password, int maxFailures) {
		return new LoginConfiguration() {
			@Override
			public Class<? extends Annotation> annotationType() {
				return LoginConfiguration.class;
			}

			@Override
			public String username() {
				return user;
			}

			@Override
			public String password() {
				return password;
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
				return maxFailures;
			}

			@Override
			public String endpoints_access() {
				return "open";
			}

			@Override
			public String endpoints_token_file() {
				return "";
			}
		};
	}

	@Test
	void generatesAPasswordOnceAndKeepsOnlyItsHashAfterward() throws Exception {
		LoginSecurityProvider first = new LoginSecurityProvider(config("admin", "", 10), web, new TestClock());
		Path initial = web.resolve("initial-password");
		Path hash = web.resolve("password.hash");
		String password = Files.readString(initial).strip();
		assertThat(password).hasSize(20);
		assertThat(Files.readString(hash)).startsWith("{pbkdf2}").doesNotContain(password);
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(initial))).isEqualTo("rw-------");
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(hash))).isEqualTo("rw-------");
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(web))).isEqualTo("rwx------");
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(web.resolve("secret"))))
				.isEqualTo("rw-------");
		assertThat(first.check(ADDR, "admin", password.toCharArray())).isNull();
		assertThat(first.check(ADDR, "admin", "admin".toCharArray())).isEqualTo("Wrong user name or password.");
		assertThat(first.check(ADDR, "root", password.toCharArray())).isEqualTo("Wrong user name or password.");

		// A restart keeps the same password (no new one).
		Files.delete(initial); // as the first login does
		LoginSecurityProvider again = new LoginSecurityProvider(config("admin", "", 10), web, new TestClock());
		assertThat(again.check(ADDR, "admin", password.toCharArray())).isNull();
		assertThat(initial).doesNotExist();
	}

	@Test
	void aBasicLoginWithTheGeneratedPasswordDeletesItsFileToo() throws Exception {
		LoginSecurityProvider login = new LoginSecurityProvider(config("admin", "", 10), web, new TestClock());
		Path initial = web.resolve("initial-password");
		String password = Files.readString(initial).strip();
		String credentials = java.util.Base64.getEncoder()
				.encodeToString(("admin:" + password).getBytes(java.nio.charset.StandardCharsets.UTF_8));
		jakarta.servlet.http.HttpServletRequest request = (jakarta.servlet.http.HttpServletRequest) java.lang.reflect.Proxy
				.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { jakarta.servlet.http.HttpServletRequest.class },
						(proxy, method, args) -> switch (method.getName()) {
						case "getSession" -> null;
						case "getHeader" -> "Authorization".equals(args[0]) ? "Basic " + credentials : null;
						case "getCookies" -> null;
						case "getRemoteAddr" -> "127.0.0.1";
						default -> throw new UnsupportedOperationException(method.getName());
						});
		assertThat(login.authenticate(request, null)).isEqualTo("admin");
		assertThat(initial).as("deleted after the first login, by HTTP Basic as by the form").doesNotExist();
	}

	@Test
	void aConfiguredPasswordVoidsTheGeneratedOne() throws Exception {
		new LoginSecurityProvider(config("admin", "", 10), web, new TestClock());
		String generated = Files.readString(web.resolve("initial-password")).strip();
		String hash = Passwords.hash("correct horse".toCharArray(), new byte[16], 1000);
		LoginSecurityProvider configured = new LoginSecurityProvider(config("ops", hash, 10), web, new TestClock());
		assertThat(configured.check(ADDR, "ops", "correct horse".toCharArray())).isNull();
		assertThat(configured.check(ADDR, "admin", generated.toCharArray())).isNotNull();
		assertThat(web.resolve("initial-password")).doesNotExist();
		assertThat(web.resolve("password.hash")).doesNotExist();

		LoginSecurityProvider clear = new LoginSecurityProvider(config("ops", "battery staple", 10), web,
				new TestClock());
		assertThat(clear.check(ADDR, "ops", "battery staple".toCharArray())).isNull();
		assertThat(clear.check(ADDR, "ops", "battery".toCharArray())).isNotNull();
	}

	@Test
	void aMalformedHashFailsTheComponent() {
		assertThatThrownBy(() -> new LoginSecurityProvider(config("admin", "{pbkdf2}nonsense", 10), web,
				new TestClock())).isInstanceOf(IllegalArgumentException.class);
	}

	@Test
	void aSourceWaitsLongerAfterEachFailureBeyondTheLimitAndASuccessClearsIt() throws Exception {
		TestClock clock = new TestClock();
		String hash = Passwords.hash("right".toCharArray(), new byte[16], 1000);
		LoginSecurityProvider login = new LoginSecurityProvider(config("admin", hash, 3), web, clock);
		for (int i = 0; i < 3; i++) {
			assertThat(login.check(ADDR, "admin", "wrong".toCharArray())).isEqualTo("Wrong user name or password.");
		}
		assertThat(login.check(ADDR, "admin", "right".toCharArray()))
				.isEqualTo("Too many failed logins from here: logins are refused for 1 s more.");
		assertThat(login.check("10.0.0.7", "admin", "right".toCharArray())).as("another source").isNull();
		clock.millis += 1000;
		assertThat(login.check(ADDR, "admin", "wrong".toCharArray())).isEqualTo("Wrong user name or password.");
		assertThat(login.check(ADDR, "admin", "right".toCharArray())).endsWith("refused for 2 s more.");
		clock.millis += 2000;
		assertThat(login.check(ADDR, "admin", "right".toCharArray())).isNull();
		assertThat(login.check(ADDR, "admin", "wrong".toCharArray())).as("cleared by the success")
				.isEqualTo("Wrong user name or password.");
	}

	@Test
	void everyLoginPathSharesOneLockoutAnsweredWith429AndRetryAfter() throws Exception {
		TestClock clock = new TestClock();
		String hash = Passwords.hash("right password".toCharArray(), new byte[16], 1000);
		LoginSecurityProvider login = new LoginSecurityProvider(config("ops", hash, 2), web, clock);
		// A script's Basic credential, verified once and cached.
		Http.Response ok = new Http.Response();
		assertThat(login.authenticate(basic("ops:right password").proxy(), ok.proxy())).isEqualTo("ops");
		// Wrong passwords through the form lock the address out...
		for (int i = 0; i < 2; i++) {
			Http.Response r = new Http.Response();
			assertThat(login.authenticate(form(login, clock, "ops", "nope").proxy(), r.proxy())).isNull();
			assertThat(r.status).isEqualTo(401);
		}
		Http.Response form = new Http.Response();
		assertThat(login.authenticate(form(login, clock, "ops", "right password").proxy(), form.proxy())).isNull();
		assertThat(form.status).isEqualTo(429);
		assertThat(form.header("Retry-After")).isEqualTo("1");
		// ...and Basic, with a wrong password or with the cached right one, is answered the same way.
		for (String credentials : new String[] { "ops:nope", "ops:right password" }) {
			Http.Response r = new Http.Response();
			assertThat(login.authenticate(basic(credentials).proxy(), r.proxy())).isNull();
			assertThat(r.status).as(credentials).isEqualTo(429);
			assertThat(r.header("Retry-After")).isEqualTo("1");
		}
		clock.millis += 1000;
		assertThat(login.authenticate(basic("ops:right password").proxy(), new Http.Response().proxy())).isEqualTo("ops");
	}

	@Test
	void theOperatorsBrowserIsNotLockedOutByAnotherLocalProcess() throws Exception {
		TestClock clock = new TestClock();
		String hash = Passwords.hash("right password".toCharArray(), new byte[16], 1000);
		LoginSecurityProvider login = new LoginSecurityProvider(config("ops", hash, 2), web, clock);
		Http.Response first = new Http.Response();
		Http.Request firstLogin = form(login, clock, "ops", "right password");
		login.authenticate(firstLogin.proxy(), first.proxy());
		assertThat(first.status).isEqualTo(303);
		String device = first.headers.get("set-cookie").stream()
				.filter(c -> c.startsWith(LoginSecurityProvider.DEVICE_COOKIE + "=")).findFirst().orElseThrow();
		assertThat(device).contains("HttpOnly").contains("SameSite=Strict");
		String value = device.substring(device.indexOf('=') + 1, device.indexOf(';'));
		// Another process on the same address guesses until it must wait.
		for (int i = 0; i < 5; i++) {
			login.authenticate(form(login, clock, "ops", "guess" + i).proxy(), new Http.Response().proxy());
		}
		Http.Response attacker = new Http.Response();
		login.authenticate(form(login, clock, "ops", "right password").proxy(), attacker.proxy());
		assertThat(attacker.status).isEqualTo(429);
		// The operator's browser, with its device cookie, still logs in.
		Http.Request operator = form(login, clock, "ops", "right password");
		operator.cookies.add(new jakarta.servlet.http.Cookie(LoginSecurityProvider.DEVICE_COOKIE, value));
		Http.Response r = new Http.Response();
		login.authenticate(operator.proxy(), r.proxy());
		assertThat(r.status).isEqualTo(303);
		// A forged device cookie counts as the address.
		Http.Request forged = form(login, clock, "ops", "right password");
		forged.cookies.add(new jakarta.servlet.http.Cookie(LoginSecurityProvider.DEVICE_COOKIE, "x" + value));
		Http.Response f = new Http.Response();
		login.authenticate(forged.proxy(), f.proxy());
		assertThat(f.status).isEqualTo(429);
	}

	@Test
	void neitherAnotherSourcesLoadNorAddressRotationRefusesTheOperatorsBrowser() throws Exception {
		TestClock clock = new TestClock();
		String hash = Passwords.hash("right password".toCharArray(), new byte[16], 1000);
		LoginSecurityProvider login = new LoginSecurityProvider(config("ops", hash, 2), web, clock);
		Http.Response first = new Http.Response();
		login.authenticate(form(login, clock, "ops", "right password").proxy(), first.proxy());
		assertThat(first.status).isEqualTo(303);
		String device = first.headers.get("set-cookie").stream()
				.filter(c -> c.startsWith(LoginSecurityProvider.DEVICE_COOKIE + "=")).findFirst().orElseThrow();
		String value = device.substring(device.indexOf('=') + 1, device.indexOf(';'));
		// Rotating loopback addresses (curl --interface 127.0.0.N) is one source.
		for (int i = 2; i < 4; i++) {
			Http.Request guess = basic("ops:guess" + i);
			guess.remoteAddr = "127.0." + i + "." + i;
			Http.Response r = new Http.Response();
			login.authenticate(guess.proxy(), r.proxy());
			assertThat(r.status).isEqualTo(401);
		}
		Http.Request rotated = basic("ops:right password");
		rotated.remoteAddr = "127.0.9.77";
		Http.Response r = new Http.Response();
		login.authenticate(rotated.proxy(), r.proxy());
		assertThat(r.status).as("another loopback address is the same source").isEqualTo(429);
		// Other sources' checks hold both shared slots, as a flood does.
		assertThat(login.brake().reserve("192.0.2.1", clock.millis())).isZero();
		assertThat(login.brake().reserve("192.0.2.2", clock.millis())).isZero();
		Http.Request anonymous = form(login, clock, "ops", "right password");
		anonymous.remoteAddr = "192.0.2.3";
		Http.Response busy = new Http.Response();
		login.authenticate(anonymous.proxy(), busy.proxy());
		assertThat(busy.status).as("no shared slot free").isEqualTo(429);
		for (int i = 0; i < 3; i++) {
			Http.Request operator = form(login, clock, "ops", "right password");
			operator.cookies.add(new jakarta.servlet.http.Cookie(LoginSecurityProvider.DEVICE_COOKIE, value));
			Http.Response in = new Http.Response();
			login.authenticate(operator.proxy(), in.proxy());
			assertThat(in.status).as("the device cookie has its own slot and brake").isEqualTo(303);
		}
	}

	@Test
	void theLoginPageMakesNoSessionAndItsTokenIsStateless() throws Exception {
		TestClock clock = new TestClock();
		LoginSecurityProvider login = new LoginSecurityProvider(config("admin", "", 10), web, clock);
		Http.Request anonymous = new Http.Request();
		Http.Response page = new Http.Response();
		for (int i = 0; i < 100; i++) {
			page = new Http.Response();
			assertThat(login.authenticate(anonymous.proxy(), page.proxy())).isNull();
		}
		assertThat(anonymous.sessionsMade).isZero();
		assertThat(page.status).isEqualTo(401);
		assertThat(page.header("X-Frame-Options")).isEqualTo("DENY");
		assertThat(page.header("X-Content-Type-Options")).isEqualTo("nosniff");
		String token = login.formToken(clock.millis());
		assertThat(page.body.toString()).contains("value=\"" + token + "\"");
		assertThat(login.validFormToken(token, clock.millis() + 3_599_000)).isTrue();
		assertThat(login.validFormToken(token, clock.millis() + 3_601_000)).as("an hour old").isFalse();
		assertThat(login.validFormToken(token.substring(0, token.length() - 2) + "AA", clock.millis())).isFalse();
		assertThat(login.validFormToken("9" + token, clock.millis())).isFalse();
		assertThat(new LoginSecurityProvider(config("admin", "", 10), web, clock).validFormToken(token, clock.millis()))
				.as("the secret is kept across restarts").isTrue();

		// A login without the form's token is refused; with it, the session is made, hardened and timed out.
		Http.Request noToken = form(login, clock, "admin", Files.readString(web.resolve("initial-password")).strip());
		noToken.params.remove(Csrf.PARAM);
		Http.Response refused = new Http.Response();
		login.authenticate(noToken.proxy(), refused.proxy());
		assertThat(refused.status).isEqualTo(403);
		assertThat(noToken.sessionsMade).isZero();
		Http.Request good = form(login, clock, "admin", Files.readString(web.resolve("initial-password")).strip());
		good.param(Csrf.PARAM, token);
		Http.Response in = new Http.Response();
		in.headers.put("set-cookie", new java.util.ArrayList<>(java.util.List.of("JSESSIONID=abc; Path=/")));
		login.authenticate(good.proxy(), in.proxy());
		assertThat(in.status).isEqualTo(303);
		assertThat(good.sessionsMade).isEqualTo(1);
		assertThat(good.session.maxInactive).isEqualTo(30 * 60);
		assertThat(in.headers.get("set-cookie")).contains("JSESSIONID=abc; Path=/; HttpOnly; SameSite=Strict");
	}

	@Test
	void concurrentWrongLoginsCannotRaceTheLimit() throws Exception {
		String hash = Passwords.hash("right".toCharArray(), new byte[16], 20_000);
		LoginSecurityProvider login = new LoginSecurityProvider(config("admin", hash, 10), web, new TestClock());
		int n = 60;
		java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(n);
		java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(n);
		try {
			java.util.List<java.util.concurrent.Future<String>> answers = new java.util.ArrayList<>();
			for (int i = 0; i < n; i++) {
				answers.add(pool.submit(() -> {
					start.await();
					return login.check(ADDR, "admin", "wrong".toCharArray());
				}));
			}
			int wrong = 0;
			for (java.util.concurrent.Future<String> a : answers) {
				if (a.get().startsWith("Wrong")) {
					wrong++;
				}
			}
			assertThat(wrong).as("hash checks that ran").isBetween(1, 10);
		} finally {
			pool.shutdownNow();
		}
	}

	private static Http.Request basic(String credentials) {
		return new Http.Request().header("Authorization", "Basic " + java.util.Base64.getEncoder()
				.encodeToString(credentials.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
	}

	private static Http.Request form(LoginSecurityProvider login, TestClock clock, String user, String password) {
		Http.Request r = new Http.Request();
		r.method = "POST";
		r.header("Origin", "http://127.0.0.1:8080").header("Host", "127.0.0.1:8080");
		r.param(LoginSecurityProvider.LOGIN, "1").param(LoginSecurityProvider.USERNAME, user)
				.param(LoginSecurityProvider.PASSWORD, password).param(Csrf.PARAM, login.formToken(clock.millis()));
		return r;
	}
}
