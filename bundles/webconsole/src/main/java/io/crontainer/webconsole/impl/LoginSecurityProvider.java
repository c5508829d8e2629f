package io.crontainer.webconsole.impl;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;

import org.apache.felix.webconsole.spi.SecurityProvider;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * first successful login. More than {@code login.failures.max} failed logins within a minute refuse every
 * login until the minute has passed.
 *
 * <p>
 * Called by the HTTP server's threads; thread-safe. The counter of failures is guarded by its own monitor,
 * under which nothing else happens. A modified configuration re-creates the component, which ends every
 * session logged in before.
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

	private static final Logger LOG = LoggerFactory.getLogger(LoginSecurityProvider.class);
	private static final long MINUTE = 60_000;

	private final String username;
	/** A {@link Passwords} hash, or {@code null} when {@link #clear} is used. */
	private final String hash;
	/** A password configured in clear text, or {@code null}. */
	private final String clear;
	/** The generated password's file, deleted at the first login; {@code null} if none. */
	private final Path initialPassword;
	private final int sessionTimeoutSeconds;
	private final int maxFailures;
	private final Clock clock;
	/** Times of recent failed logins, oldest first; guarded by itself. */
	private final Deque<Long> failures = new ArrayDeque<>();
	/**
	 * A random id of this account's configuration, kept in every session it logs in: a session of an
	 * earlier configuration (another user name or password) is no longer logged in.
	 */
	private final String generation = Passwords.generate();
	/** SHA-256 of the last Basic credentials that verified, so scripts do not pay PBKDF2 each request. */
	private volatile byte[] verifiedBasic;

	@Activate
	public LoginSecurityProvider(BundleContext context, LoginConfiguration config) throws IOException {
		this(config, webDir(context), Clock.systemUTC());
	}

	LoginSecurityProvider(LoginConfiguration config, Path webDir, Clock clock) throws IOException {
		this.clock = clock;
		this.username = config.username() == null || config.username().isBlank() ? "admin" : config.username().strip();
		this.sessionTimeoutSeconds = Math.max(1, config.session_timeout_minutes()) * 60;
		this.maxFailures = Math.max(1, config.login_failures_max());
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
		Files.createDirectories(webDir);
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

	private static Path webDir(BundleContext context) {
		String data = context.getProperty("crontainer.data.dir");
		return data != null ? Path.of(data, "web") : context.getDataFile("web").toPath();
	}

	private static void writePrivate(Path file, String text) throws IOException {
		Files.deleteIfExists(file);
		try {
			Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
		} catch (UnsupportedOperationException e) { // not a POSIX file system
			Files.createFile(file);
		} catch (FileAlreadyExistsException e) {
			throw new IOException("Cannot create " + file + " afresh", e);
		}
		Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
	}

	// ------------------------------------------------------------------------------ SecurityProvider

	@Override
	public Object authenticate(HttpServletRequest request, HttpServletResponse response) {
		try {
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
				LOG.info("Web console: {} logged out ({})", user, request.getRemoteAddr());
			}
		}
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
		byte[] digest = sha256(decoded);
		byte[] known = verifiedBasic;
		if (known != null && MessageDigest.isEqual(known, digest)) {
			return username;
		}
		String refusal = check(user, password);
		if (refusal != null) {
			LOG.warn("Web console: HTTP Basic login as {} refused from {}", user, request.getRemoteAddr());
			loginPage(request, response, HttpServletResponse.SC_UNAUTHORIZED, refusal);
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
		String forged = Csrf.check(request);
		if (forged != null) {
			LOG.warn("Web console: login form refused from {}: {}", request.getRemoteAddr(), forged);
			loginPage(request, response, HttpServletResponse.SC_FORBIDDEN, forged);
			return;
		}
		String user = request.getParameter(USERNAME);
		String password = request.getParameter(PASSWORD);
		String refusal = check(user == null ? "" : user, password == null ? new char[0] : password.toCharArray());
		if (refusal != null) {
			LOG.warn("Web console: login as {} refused from {}", user, request.getRemoteAddr());
			loginPage(request, response, refusal.startsWith("Too many") ? 429 : HttpServletResponse.SC_UNAUTHORIZED,
					refusal);
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
		LOG.info("Web console: {} logged in from {}", username, request.getRemoteAddr());
		forgetInitialPassword();
		response.setStatus(HttpServletResponse.SC_SEE_OTHER);
		response.setHeader("Location", request.getRequestURI());
	}

	/**
	 * Checks credentials under the failure brake.
	 *
	 * @return {@code null} if they are right, else the message for the login page.
	 */
	String check(String user, char[] password) {
		long now = clock.millis();
		synchronized (failures) {
			while (!failures.isEmpty() && failures.peekFirst() <= now - MINUTE) {
				failures.removeFirst();
			}
			if (failures.size() >= maxFailures) {
				long wait = Math.max(1, (failures.peekFirst() + MINUTE - now + 999) / 1000);
				return "Too many failed logins in the last minute: logins are refused for " + wait + " s more.";
			}
		}
		boolean ok = username.equals(user) & (hash != null ? Passwords.verify(password, hash)
				: Passwords.equalsClear(password, clear));
		if (ok) {
			return null;
		}
		synchronized (failures) {
			failures.addLast(now);
		}
		return "Wrong user name or password.";
	}

	private void loginPage(HttpServletRequest request, HttpServletResponse response, int status, String message)
			throws IOException {
		response.setStatus(status);
		response.setContentType("text/html");
		response.setCharacterEncoding("UTF-8");
		response.setHeader("Cache-Control", "no-store");
		response.setHeader("X-Frame-Options", "DENY");
		response.setHeader("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'");
		String token = Csrf.token(request);
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

	/** For tests: the user name in effect. */
	String username() {
		return username;
	}
}
