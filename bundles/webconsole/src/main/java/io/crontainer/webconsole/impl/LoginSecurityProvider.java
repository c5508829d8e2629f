package io.crontainer.webconsole.impl;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.apache.felix.webconsole.spi.SecurityProvider;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;

/**
 * The Web Console's login: a {@link SecurityProvider} with id {@value #ID}. The console waits for it
 * (framework property {@code felix.webconsole.security.providers=crontainer}), so the console's built-in
 * {@code admin/admin} never applies.
 *
 * <p>
 * A browser logs in with a form (a session cookie follows, with a fresh session id); a script may send
 * HTTP Basic credentials instead. The one account comes from PID {@value LoginConfiguration#PID}; without
 * a configured password, one is generated at first start: its hash is kept in {@code data/web/password.hash}
 * and the password in {@code data/web/initial-password}, readable by its owner only and deleted at the
 * first successful login.
 *
 * <p>
 * No HTTP session exists before a login: the login form carries a stateless token (an HMAC of its issue
 * time under the runtime's secret, {@code data/web/secret}), and the session is made at the successful
 * form login, with a fresh id, {@code SameSite=Strict}, {@code HttpOnly} and the configured timeout. Every
 * login path (form, HTTP Basic, a cached Basic credential) goes through one {@link LoginBrake}: after
 * {@code login.failures.max} failures in a row from one source, that source waits, longer after each
 * further failure, and is answered 429 with {@code Retry-After} meanwhile. A source is a browser that has
 * logged in before (its signed device cookie {@value #DEVICE_COOKIE}, with a brake of its own), else the
 * client's network: every loopback address is one source, an IPv6 address counts by its {@code /64}. A
 * process on the same machine shares the operator's network but not the device cookie of the operator's
 * browser, so it can make logins without that cookie wait, but neither its failures nor its load refuse
 * that browser: attempts with the cookie have a hash-check slot of their own and wait for it briefly,
 * while other attempts share two slots and are answered 429 when both are busy.
 *
 * <p>
 * Called by the HTTP server's threads; thread-safe (see {@link LoginBrake}). A modified configuration
 * re-creates the component, which ends every session logged in before.
 */
@Component(service = SecurityProvider.class, configurationPid = LoginConfiguration.PID,
		configurationPolicy = ConfigurationPolicy.OPTIONAL, property = SecurityProvider.PROPERTY_ID + "=" + LoginSecurityProvider.ID)
@Designate(ocd = LoginConfiguration.class)
public class LoginSecurityProvider implements SecurityProvider {
	/** The security provider id that {@code felix.webconsole.security.providers} names. */
	public static final String ID = "crontainer";
	/** The session attribute that holds the logged-in user name. */
	static final String USER = "io.crontainer.webconsole.user";
	/** The session attribute that holds the account generation the session logged in with. */
	static final String GENERATION = "io.crontainer.webconsole.generation";
	/** The form parameters of the login form. */
	static final String LOGIN = "crontainer_login", USERNAME = "crontainer_username", PASSWORD = "crontainer_password";
	/** The cookie that marks a browser that has logged in before. */
	static final String DEVICE_COOKIE = "crontainer_device";
	/** How long a login form stays valid, in seconds. */
	static final long FORM_VALIDITY_SECONDS = 3600;

	private static final Logger LOG = LoggerFactory.getLogger(LoginSecurityProvider.class);

	private final String username;
	/** A {@link Passwords} hash, or {@code null} when {@link #clear} is used. */
	private final String hash;
	/** A password configured in clear text, or {@code null}. */
	private final String clear;
	/** The generated password's file, deleted at the first login; {@code null} if none. */
	private final Path initialPassword;
	private final int sessionTimeoutSeconds;
	private final Clock clock;
	private final LoginBrake brake;
	/** Refuses a foreign Host header before anything else, the login page included (DNS rebinding). */
	private final HostCheck hosts;
	@org.osgi.service.component.annotations.Reference(
			cardinality = org.osgi.service.component.annotations.ReferenceCardinality.OPTIONAL,
			policy = org.osgi.service.component.annotations.ReferencePolicy.DYNAMIC)
	volatile org.osgi.service.cm.ConfigurationAdmin configurationAdmin;
	/** The runtime's secret for login forms and device cookies ({@code data/web/secret}). */
	private final byte[] secret;
	/**
	 * A random id of this account's configuration, kept in every session it logs in: a session of an
	 * earlier configuration (another user name or password) is no longer logged in.
	 */
	private final String generation = Passwords.generate();
	/** SHA-256 of the last Basic credentials that verified, so scripts do not pay PBKDF2 each request. */
	private volatile byte[] verifiedBasic;

	@Activate
	public LoginSecurityProvider(BundleContext context, LoginConfiguration config) throws IOException {
		this(config, webDir(context), Clock.systemUTC(), context);
	}

	LoginSecurityProvider(LoginConfiguration config, Path webDir, Clock clock) throws IOException {
		this(config, webDir, clock, null);
	}

	private LoginSecurityProvider(LoginConfiguration config, Path webDir, Clock clock, BundleContext context)
			throws IOException {
		this.clock = clock;
		this.hosts = new HostCheck(ConsoleFilter.allowedHosts(config),
				() -> HttpEndpointReporter.configuredHost(configurationAdmin, context));
		this.username = config.username() == null || config.username().isBlank() ? "admin" : config.username().strip();
		this.sessionTimeoutSeconds = Math.max(1, config.session_timeout_minutes()) * 60;
		this.brake = new LoginBrake(config.login_failures_max());
		createPrivateDirectory(webDir);
		this.secret = secret(webDir.resolve("secret"));
		String configured = config.password() == null ? "" : config.password().strip();
		Path hashFile = webDir.resolve("password.hash");
		Path initial = webDir.resolve("initial-password");
		if (!configured.isEmpty()) {
			// The operator's password wins; the generated one is void.
			Files.deleteIfExists(initial);
			Files.deleteIfExists(hashFile);
			initialPassword = null;
			if (Passwords.isHash(configured)) {
				Passwords.verify(new char[0], configured); // throws on a malformed hash: the component fails, loudly
				hash = configured;
				clear = null;
			} else {
				hash = null;
				clear = configured;
				LOG.warn("Web console: the password of {} is configured in clear text (PID {}); store a hash instead:"
						+ " java -cp bundle/io.crontainer.webconsole.jar io.crontainer.webconsole.impl.PasswordTool",
						username, LoginConfiguration.PID);
			}
			LOG.info("Web console: log in as {} with the password configured in etc/{}.cfg", username,
					LoginConfiguration.PID);
			return;
		}
		clear = null;
		if (!Files.exists(hashFile)) {
			String password = Passwords.generate();
			// The hash first: once the password file exists, the password works.
			writePrivate(hashFile, Passwords.hash(password.toCharArray()) + System.lineSeparator());
			writePrivate(initial, password + System.lineSeparator());
		}
		hash = Files.readString(hashFile, StandardCharsets.UTF_8).strip();
		initialPassword = initial;
		if (Files.exists(initial)) {
			LOG.info("Web console: log in as {} with the password generated at first start, in {} (readable by its"
					+ " owner only, deleted at the first login). To set your own: etc/{}.cfg (README, \"The web"
					+ " console\")", username, initial, LoginConfiguration.PID);
		} else {
			LOG.info("Web console: log in as {} with the password generated at first start (its file was deleted at"
					+ " the first login; delete {} and restart for a new one, or set your own in etc/{}.cfg)", username,
					hashFile, LoginConfiguration.PID);
		}
	}

	static Path webDir(BundleContext context) {
		String data = context.getProperty("crontainer.data.dir");
		return data != null ? Path.of(data, "web") : context.getDataFile("web").toPath();
	}

	/** The directory, made owner-only (0700) if it is new or more open. */
	static void createPrivateDirectory(Path dir) throws IOException {
		try {
			Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
			Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
		} catch (UnsupportedOperationException e) { // not a POSIX file system
			Files.createDirectories(dir);
		}
	}

	/** The runtime's secret: 32 random bytes kept in an owner-only file, made at first start. */
	private static byte[] secret(Path file) throws IOException {
		if (Files.exists(file)) {
			try {
				byte[] known = Base64.getDecoder().decode(Files.readString(file, StandardCharsets.UTF_8).strip());
				if (known.length >= 32) {
					return known;
				}
			} catch (IllegalArgumentException e) {
				// made afresh below
			}
		}
		byte[] bytes = new byte[32];
		new SecureRandom().nextBytes(bytes);
		writePrivate(file, Base64.getEncoder().encodeToString(bytes) + System.lineSeparator());
		return bytes;
	}

	/** Writes a file readable by its owner only (0600), whole or not at all: readers never see it half-written. */
	static void writePrivate(Path file, String text) throws IOException {
		Path temp;
		try {
			temp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp",
					PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
		} catch (UnsupportedOperationException e) { // not a POSIX file system
			temp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
		}
		try {
			Files.writeString(temp, text, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
			Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
		} finally {
			Files.deleteIfExists(temp);
		}
	}


	// ------------------------------------------------------------------------------ SecurityProvider

	@Override
	public Object authenticate(HttpServletRequest request, HttpServletResponse response) {
		try {
			if (!hosts.allows(request)) {
				HostCheck.refuse(request, response);
				return null;
			}
			HttpSession session = request.getSession(false);
			Object user = session == null ? null : session.getAttribute(USER);
			if (user != null && generation.equals(session.getAttribute(GENERATION))) {
				return user;
			}
			String basic = request.getHeader("Authorization");
			if (basic != null && basic.regionMatches(true, 0, "Basic ", 0, 6)) {
				return basicLogin(request, response, basic.substring(6).strip());
			}
			if ("POST".equals(request.getMethod()) && request.getParameter(LOGIN) != null) {
				formLogin(request, response);
				return null;
			}
			loginPage(request, response, HttpServletResponse.SC_UNAUTHORIZED, null);
			return null;
		} catch (IOException e) {
			LOG.debug("Web console: writing the login answer failed", e);
			return null;
		}
	}

	@Override
	public boolean authorize(Object user, String role) {
		return user != null; // one account, allowed everything
	}

	@Override
	public void logout(HttpServletRequest request, HttpServletResponse response) {
		HttpSession session = request.getSession(false);
		if (session != null) {
			Object user = session.getAttribute(USER);
			session.removeAttribute(USER);
			if (user != null) {
				LOG.info("Web console: {} logged out ({})", LogText.escape(String.valueOf(user)), request.getRemoteAddr());
			}
		}
	}

	/**
	 * Checks a request's HTTP Basic credentials under the shared brake; on refusal, the response is written
	 * (401 with a {@code WWW-Authenticate} challenge, or 429 with {@code Retry-After}).
	 *
	 * @param request The request. Must not be {@code null}.
	 * @param response Its response. Must not be {@code null}.
	 * @return Whether the credentials are the console's.
	 * @throws IOException If the refusal cannot be written.
	 */
	boolean basicAuthenticated(HttpServletRequest request, HttpServletResponse response) throws IOException {
		String basic = request.getHeader("Authorization");
		if (basic != null && basic.regionMatches(true, 0, "Basic ", 0, 6)) {
			return basicLogin(request, response, basic.substring(6).strip()) != null;
		}
		response.setHeader("WWW-Authenticate", "Basic realm=\"Crontainer\", charset=\"UTF-8\"");
		response.sendError(HttpServletResponse.SC_UNAUTHORIZED, "Log in with the console's user name and password.");
		return false;
	}

	private Object basicLogin(HttpServletRequest request, HttpServletResponse response, String encoded)
			throws IOException {
		String decoded;
		try {
			decoded = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
		} catch (IllegalArgumentException e) {
			decoded = "";
		}
		int colon = decoded.indexOf(':');
		String user = colon < 0 ? decoded : decoded.substring(0, colon);
		char[] password = colon < 0 ? new char[0] : decoded.substring(colon + 1).toCharArray();
		String source = source(request);
		long now = clock.millis();
		long wait = brake.waitSeconds(source, now);
		if (wait > 0) { // also for a cached credential: one lockout for every path
			tooMany(request, response, "HTTP Basic login as " + LogText.escape(user), wait);
			return null;
		}
		byte[] digest = sha256(decoded);
		byte[] known = verifiedBasic;
		if (known != null && MessageDigest.isEqual(known, digest)) {
			return username;
		}
		String refusal = check(source, user, password);
		if (refusal != null) {
			LOG.warn("Web console: HTTP Basic login as {} refused from {}: {}", LogText.escape(user), source, refusal);
			if (refusal.startsWith(TOO_MANY)) {
				tooMany(request, response, null, retryAfter(refusal));
			} else {
				loginPage(request, response, HttpServletResponse.SC_UNAUTHORIZED, refusal);
			}
			return null;
		}
		verifiedBasic = digest;
		forgetInitialPassword();
		return username;
	}

	/** After a successful login (form or HTTP Basic), the generated password's file has served. */
	private void forgetInitialPassword() {
		try {
			if (initialPassword != null && Files.deleteIfExists(initialPassword)) {
				LOG.info("Web console: deleted {} after the first login", initialPassword);
			}
		} catch (IOException e) {
			LOG.warn("Web console: cannot delete {} after the first login; delete it by hand", initialPassword, e);
		}
	}

	private void formLogin(HttpServletRequest request, HttpServletResponse response) throws IOException {
		String forged = Csrf.refuseOrigin(request.getHeader("Origin"), request.getHeader("Referer"),
				request.getHeader("Host"), request.getHeader("Sec-Fetch-Site"));
		if (forged == null && !validFormToken(request.getParameter(Csrf.PARAM), clock.millis())) {
			forged = "Refused: the login form was too old or did not come from this console. Log in again.";
		}
		if (forged != null) {
			LOG.warn("Web console: login form refused from {}: {}", request.getRemoteAddr(), LogText.escape(forged));
			loginPage(request, response, HttpServletResponse.SC_FORBIDDEN, forged);
			return;
		}
		String user = request.getParameter(USERNAME);
		String password = request.getParameter(PASSWORD);
		String refusal = check(source(request), user == null ? "" : user,
				password == null ? new char[0] : password.toCharArray());
		if (refusal != null) {
			LOG.warn("Web console: login as {} refused from {}: {}", LogText.escape(user), request.getRemoteAddr(), refusal);
			if (refusal.startsWith(TOO_MANY)) {
				response.setHeader("Retry-After", String.valueOf(retryAfter(refusal)));
				loginPage(request, response, TOO_MANY_REQUESTS, refusal);
			} else {
				loginPage(request, response, HttpServletResponse.SC_UNAUTHORIZED, refusal);
			}
			return;
		}
		HttpSession old = request.getSession(false);
		if (old != null) {
			old.invalidate(); // no session fixation: a new id after login
		}
		HttpSession session = request.getSession(true);
		session.setMaxInactiveInterval(sessionTimeoutSeconds);
		session.setAttribute(USER, username);
		session.setAttribute(GENERATION, generation);
		LOG.info("Web console: {} logged in from {}", LogText.escape(username), request.getRemoteAddr());
		forgetInitialPassword();
		response.addHeader("Set-Cookie", DEVICE_COOKIE + "=" + deviceToken() + "; Path=/system/console; Max-Age="
				+ 365L * 24 * 3600 + "; HttpOnly; SameSite=Strict");
		ConsoleFilter.harden(response);
		ConsoleFilter.secureHeaders(response);
		response.setStatus(HttpServletResponse.SC_SEE_OTHER);
		response.setHeader("Location", request.getRequestURI());
	}

	private static final String TOO_MANY = "Too many failed logins";
	private static final int TOO_MANY_REQUESTS = 429;

	/**
	 * Checks credentials under the brake of their source.
	 *
	 * @param source The source ({@link #source}), for the brake. Must not be {@code null}.
	 * @return {@code null} if they are right, else the message for the login page: "Too many failed logins
	 *         ...: ... N s ..." when the source must wait (not checked then), else "Wrong user name or password."
	 */
	String check(String source, String user, char[] password) {
		long wait = brake.reserve(source, clock.millis());
		if (wait > 0) {
			return tooManyMessage(wait);
		}
		boolean ok = false;
		try {
			ok = username.equals(user) & (hash != null ? Passwords.verify(password, hash)
					: Passwords.equalsClear(password, clear));
		} finally {
			if (ok) {
				brake.succeeded(source);
			} else {
				brake.failed(source, clock.millis());
			}
		}
		return ok ? null : "Wrong user name or password.";
	}

	private static String tooManyMessage(long wait) {
		return TOO_MANY + " from here: logins are refused for " + wait + " s more.";
	}

	private static long retryAfter(String message) {
		java.util.regex.Matcher m = java.util.regex.Pattern.compile("for (\\d+) s").matcher(message);
		return m.find() ? Long.parseLong(m.group(1)) : 1;
	}

	private void tooMany(HttpServletRequest request, HttpServletResponse response, String what, long wait)
			throws IOException {
		if (what != null) {
			LOG.warn("Web console: {} refused from {}: {}", what, request.getRemoteAddr(), tooManyMessage(wait));
		}
		response.setHeader("Retry-After", String.valueOf(wait));
		loginPage(request, response, TOO_MANY_REQUESTS, tooManyMessage(wait));
	}

	/**
	 * The source a login attempt is counted for: {@link LoginBrake#DEVICE} if the request bears a valid
	 * device cookie, else its client address grouped by {@link LoginBrake#sourceOf} (all of loopback is one).
	 */
	String source(HttpServletRequest request) {
		Cookie[] cookies = request.getCookies();
		if (cookies != null) {
			String expected = deviceToken();
			for (Cookie c : cookies) {
				if (DEVICE_COOKIE.equals(c.getName()) && c.getValue() != null && MessageDigest.isEqual(
						expected.getBytes(StandardCharsets.UTF_8), c.getValue().getBytes(StandardCharsets.UTF_8))) {
					return LoginBrake.DEVICE;
				}
			}
		}
		return LoginBrake.sourceOf(request.getRemoteAddr());
	}

	/** The device cookie's value: an HMAC of the user name under the runtime's secret. */
	String deviceToken() {
		return Base64.getUrlEncoder().withoutPadding().encodeToString(hmac("device|" + username));
	}

	/** A login form's token: its issue time (epoch seconds) and an HMAC of it under the runtime's secret. */
	String formToken(long nowMillis) {
		String time = Long.toString(nowMillis / 1000);
		return time + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(hmac("login|" + time));
	}

	/** Whether a login form's token is this runtime's and at most {@value #FORM_VALIDITY_SECONDS} s old. */
	boolean validFormToken(String token, long nowMillis) {
		if (token == null) {
			return false;
		}
		int dot = token.indexOf('.');
		if (dot <= 0) {
			return false;
		}
		long issued;
		try {
			issued = Long.parseLong(token.substring(0, dot));
		} catch (NumberFormatException e) {
			return false;
		}
		long age = nowMillis / 1000 - issued;
		if (age < -60 || age > FORM_VALIDITY_SECONDS) {
			return false;
		}
		return MessageDigest.isEqual(formToken(issued * 1000).getBytes(StandardCharsets.UTF_8),
				token.getBytes(StandardCharsets.UTF_8));
	}

	private byte[] hmac(String text) {
		try {
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(new SecretKeySpec(secret, "HmacSHA256"));
			return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
		} catch (GeneralSecurityException e) {
			throw new IllegalStateException(e);
		}
	}

	private void loginPage(HttpServletRequest request, HttpServletResponse response, int status, String message)
			throws IOException {
		response.setStatus(status);
		response.setContentType("text/html");
		response.setCharacterEncoding("UTF-8");
		response.setHeader("Cache-Control", "no-store");
		response.setHeader("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'");
		ConsoleFilter.secureHeaders(response);
		if (status == HttpServletResponse.SC_UNAUTHORIZED && request.getHeader("Authorization") != null) {
			response.setHeader("WWW-Authenticate", "Basic realm=\"Crontainer\", charset=\"UTF-8\"");
		}
		String token = formToken(clock.millis());
		PrintWriter out = response.getWriter();
		out.println("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Crontainer: log in</title>");
		out.println("<style>body{font-family:sans-serif;margin:4em auto;max-width:24em}label{display:block;margin:.8em 0 .2em}"
				+ "input[type=text],input[type=password]{width:100%;padding:.3em}button{margin-top:1em;padding:.4em 1.2em}"
				+ ".error{color:#a00;border:1px solid #a00;padding:.5em}</style></head><body>");
		out.println("<h1>Crontainer Web Console</h1>");
		if (message != null) {
			out.println("<p class=\"error\" id=\"login-error\">" + Html.escape(message) + "</p>");
		}
		out.println("<form method=\"post\" action=\"" + Html.escape(request.getRequestURI()) + "\" id=\"login\">");
		out.println("<input type=\"hidden\" name=\"" + LOGIN + "\" value=\"1\">");
		out.println("<input type=\"hidden\" name=\"" + Csrf.PARAM + "\" value=\"" + Html.escape(token) + "\">");
		out.println("<label for=\"" + USERNAME + "\">User name</label><input type=\"text\" id=\"" + USERNAME
				+ "\" name=\"" + USERNAME + "\" autocomplete=\"username\" autofocus>");
		out.println("<label for=\"" + PASSWORD + "\">Password</label><input type=\"password\" id=\"" + PASSWORD
				+ "\" name=\"" + PASSWORD + "\" autocomplete=\"current-password\">");
		out.println("<button type=\"submit\">Log in</button></form>");
		out.println("<p><small>First start: the password is in <code>data/web/initial-password</code> of the"
				+ " distribution, until the first login. See the README, \"The web console\".</small></p>");
		out.println("</body></html>");
	}

	private static byte[] sha256(String text) {
		try {
			return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
		} catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException(e);
		}
	}

	/** For tests: the brake. */
	LoginBrake brake() {
		return brake;
	}

	/** For tests: the user name in effect. */
	String username() {
		return username;
	}
}
