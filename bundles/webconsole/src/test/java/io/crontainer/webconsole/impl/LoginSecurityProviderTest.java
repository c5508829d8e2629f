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

	@TempDir
	Path web;

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
			public int login_failures_max() {
				return maxFailures;
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
		assertThat(first.check("admin", password.toCharArray())).isNull();
		assertThat(first.check("admin", "admin".toCharArray())).isEqualTo("Wrong user name or password.");
		assertThat(first.check("root", password.toCharArray())).isEqualTo("Wrong user name or password.");

		// A restart keeps the same password (no new one).
		Files.delete(initial); // as the first login does
		LoginSecurityProvider again = new LoginSecurityProvider(config("admin", "", 10), web, new TestClock());
		assertThat(again.check("admin", password.toCharArray())).isNull();
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
		assertThat(configured.check("ops", "correct horse".toCharArray())).isNull();
		assertThat(configured.check("admin", generated.toCharArray())).isNotNull();
		assertThat(web.resolve("initial-password")).doesNotExist();
		assertThat(web.resolve("password.hash")).doesNotExist();

		LoginSecurityProvider clear = new LoginSecurityProvider(config("ops", "battery staple", 10), web,
				new TestClock());
		assertThat(clear.check("ops", "battery staple".toCharArray())).isNull();
		assertThat(clear.check("ops", "battery".toCharArray())).isNotNull();
	}

	@Test
	void aMalformedHashFailsTheComponent() {
		assertThatThrownBy(() -> new LoginSecurityProvider(config("admin", "{pbkdf2}nonsense", 10), web,
				new TestClock())).isInstanceOf(IllegalArgumentException.class);
	}

	@Test
	void tooManyFailuresInAMinuteRefuseEveryLoginUntilItPasses() throws Exception {
		TestClock clock = new TestClock();
		String hash = Passwords.hash("right".toCharArray(), new byte[16], 1000);
		LoginSecurityProvider login = new LoginSecurityProvider(config("admin", hash, 3), web, clock);
		for (int i = 0; i < 3; i++) {
			assertThat(login.check("admin", "wrong".toCharArray())).isEqualTo("Wrong user name or password.");
			clock.millis += 10_000;
		}
		assertThat(login.check("admin", "right".toCharArray()))
				.isEqualTo("Too many failed logins in the last minute: logins are refused for 30 s more.");
		clock.millis += 30_000; // the first failure is a minute old
		assertThat(login.check("admin", "right".toCharArray())).isNull();
	}
}
