package io.crontainer.webconsole.impl;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Collections;
import java.util.Enumeration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import org.apache.felix.webconsole.spi.SecurityProvider;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Guards what answers outside the console: {@code /system/health} (and below it) and {@code /metrics},
 * as a Servlet Whiteboard filter on the default servlet context. One setting,
 * {@code endpoints.access} of PID {@value LoginConfiguration#PID}, decides who may read them:
 * {@code open} (anyone who reaches the port; the default), {@code login} (the console's account, by HTTP
 * Basic, under the console's login brake) or {@code token} ({@code Authorization: Bearer TOKEN}, the token
 * read from {@code endpoints.token.file}, re-read when the file changes, compared in constant time). Only the
 * default file, {@code data/web/endpoints.token}, is made when missing (owner-only, random); a named file must
 * exist, belong to the runtime's user (or root) and be closed to other users, or nothing is served.
 *
 * <p>
 * Whatever the setting, a request whose {@code Host} header names another server (DNS rebinding) is
 * answered 421 ({@link HostCheck}) and TRACE 405, on every path of this context, and the health endpoints serve no JSONP (a {@code .jsonp} path or a {@code callback}
 * parameter is answered 400) and see no request parameters: {@code hcDebug}, {@code timeout},
 * {@code forceInstantExecution}, {@code tags} and the like never change what runs.
 *
 * <p>
 * Fails closed: a token file that is missing, unreadable, open to other users or holds no token, or a login
 * that is not running, refuses everyone (503), and the log says why once. Called by the HTTP server's
 * threads; thread-safe (the cached token, the problem last logged and the login are volatile references;
 * two requests that read a changed file at once both read it, and may both log its problem).
 */
@Component(service = Filter.class, configurationPid = LoginConfiguration.PID, property = {
		"osgi.http.whiteboard.filter.name=io.crontainer.webconsole.endpoints",
		"osgi.http.whiteboard.filter.pattern=/*",
		"osgi.http.whiteboard.filter.dispatcher=REQUEST",
		"osgi.http.whiteboard.context.select=(osgi.http.whiteboard.context.name=default)" })
public class EndpointFilter implements Filter {
	/** The ways to guard the endpoints. */
	enum Access {
		OPEN, LOGIN, TOKEN
	}

	private static final Logger LOG = LoggerFactory.getLogger(EndpointFilter.class);
	/** The token file in {@code data/web/} when {@code endpoints.token.file} is empty. */
	static final String DEFAULT_TOKEN_FILE = "endpoints.token";
	/** The shortest token accepted: the bearer path has no brake, so a token must not be guessable. */
	static final int MIN_TOKEN = 16;
	/** One token (RFC 6750's b64token) of at least {@value #MIN_TOKEN} characters. */
	private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9._~+/-]{" + MIN_TOKEN + ",}=*");

	private final Access access;
	private final Path tokenFile;
	private final HostCheck hosts;
	@Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
	volatile ConfigurationAdmin configurationAdmin;
	/** The console's login; without it (its configuration is broken), {@code login} refuses everyone. */
	@Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
			target = "(" + SecurityProvider.PROPERTY_ID + "=" + LoginSecurityProvider.ID + ")")
	volatile SecurityProvider login;
	/** The token (or {@code null}), the file's attributes it was read with, and what is wrong; {@code null} until read. */
	private volatile Object[] token;
	/** The problem with the token file last logged; {@code null} while none. */
	private volatile String reported;

	@Activate
	public EndpointFilter(BundleContext context, LoginConfiguration config) {
		this(config, LoginSecurityProvider.webDir(context), null, context);
	}

	EndpointFilter(LoginConfiguration config, Path webDir, LoginSecurityProvider login) {
		this(config, webDir, login, null);
	}

	private EndpointFilter(LoginConfiguration config, Path webDir, LoginSecurityProvider login, BundleContext context) {
		this.login = login;
		this.hosts = new HostCheck(ConsoleFilter.allowedHosts(config),
				() -> HttpEndpointReporter.configuredHost(configurationAdmin, context));
		this.access = access(config.endpoints_access());
		String file = config.endpoints_token_file() == null ? "" : config.endpoints_token_file().strip();
		this.tokenFile = file.isEmpty() ? webDir.resolve(DEFAULT_TOKEN_FILE) : Path.of(file);
		if (access == Access.TOKEN) {
			if (file.isEmpty() && !Files.exists(tokenFile)) {
				try {
					if (tokenFile.getParent() != null) {
						LoginSecurityProvider.createPrivateDirectory(tokenFile.getParent());
					}
					byte[] bytes = new byte[24];
					new SecureRandom().nextBytes(bytes);
					LoginSecurityProvider.writePrivate(tokenFile,
							Base64.getUrlEncoder().withoutPadding().encodeToString(bytes) + System.lineSeparator());
					LOG.info("Web console: made a bearer token for /system/health and /metrics in {} (owner-only)",
							tokenFile);
				} catch (IOException e) { // fail closed: without the file, every request is refused
					LOG.error("Web console: cannot make the bearer token file {}: {}; /system/health and /metrics refuse"
							+ " everyone until it exists", tokenFile, e.toString());
				}
			}
			LOG.info("Web console: /system/health and /metrics need 'Authorization: Bearer' with the token in {}",
					tokenFile);
			currentToken(); // says now, not at the first scrape, what is wrong with the file
		} else if (access == Access.LOGIN) {
			LOG.info("Web console: /system/health and /metrics need the console's login (HTTP Basic)");
		}
	}

	static Access access(String value) {
		String v = value == null ? "" : value.strip().toLowerCase(Locale.ROOT);
		switch (v) {
		case "", "open":
			return Access.OPEN;
		case "login":
			return Access.LOGIN;
		case "token":
			return Access.TOKEN;
		default:
			// Fail closed: a misspelled setting must not leave the endpoints open.
			LOG.error("Web console: endpoints.access = {} is not open, login or token; /system/health and /metrics"
					+ " need the console's login until it is corrected (PID {})", LogText.escape(value),
					LoginConfiguration.PID);
			return Access.LOGIN;
		}
	}

	/** Whether a path (within the default context) is one of the guarded endpoints. */
	static boolean guarded(String path) {
		return isHealth(path) || path.equals("/metrics") || path.startsWith("/metrics/") || path.startsWith("/metrics.");
	}

	static boolean isHealth(String path) {
		return path.equals("/system/health") || path.startsWith("/system/health/") || path.startsWith("/system/health.");
	}

	@Override
	public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
		if (!(req instanceof HttpServletRequest request) || !(res instanceof HttpServletResponse response)) {
			chain.doFilter(req, res);
			return;
		}
		if (!hosts.allows(request)) { // whatever the path: all this context serves is on the same port
			HostCheck.refuse(request, response);
			return;
		}
		if (ConsoleFilter.refuseMethod(request, response, false)) { // TRACE, whatever the path
			return;
		}
		String path = path(request);
		if (!guarded(path)) {
			chain.doFilter(req, res);
			return;
		}
		response.setHeader("X-Content-Type-Options", "nosniff");
		response.setHeader("Cache-Control", "no-store");
		boolean health = isHealth(path);
		if (health && (path.toLowerCase(Locale.ROOT).endsWith(".jsonp") || request.getParameter("callback") != null)) {
			response.sendError(HttpServletResponse.SC_BAD_REQUEST, "JSONP is not served; use .json.");
			return;
		}
		switch (access) {
		case LOGIN:
			if (!(login instanceof LoginSecurityProvider console)) {
				response.sendError(HttpServletResponse.SC_SERVICE_UNAVAILABLE,
						"The console's login is not running (see the log); nothing is served meanwhile.");
				return;
			}
			if (!console.basicAuthenticated(request, response)) {
				return;
			}
			break;
		case TOKEN:
			if (!bearer(request, response)) {
				return;
			}
			break;
		default:
			break;
		}
		chain.doFilter(health ? new WithoutParameters(request) : request, response);
	}

	private static String path(HttpServletRequest request) {
		String servletPath = request.getServletPath() == null ? "" : request.getServletPath();
		String pathInfo = request.getPathInfo() == null ? "" : request.getPathInfo();
		String path = servletPath + pathInfo;
		return path.isEmpty() ? request.getRequestURI().substring(request.getContextPath().length()) : path;
	}

	private boolean bearer(HttpServletRequest request, HttpServletResponse response) throws IOException {
		String expected = currentToken();
		if (expected == null) { // fail closed; the log says why, once
			response.sendError(HttpServletResponse.SC_SERVICE_UNAVAILABLE,
					"The bearer token file cannot be used (see the log); nothing is served meanwhile.");
			return false;
		}
		String header = request.getHeader("Authorization");
		if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
				&& sameToken(expected, header.substring(7).strip())) {
			return true;
		}
		LOG.debug("Web console: {} without a valid bearer token from {}", LogText.escape(request.getRequestURI()),
				request.getRemoteAddr());
		response.setHeader("WWW-Authenticate", "Bearer realm=\"Crontainer\"");
		response.sendError(HttpServletResponse.SC_UNAUTHORIZED, "A bearer token is needed (endpoints.access = token).");
		return false;
	}

	/**
	 * Compares in time that depends on neither token's content or length: both are hashed (SHA-256) first, and
	 * the hashes compared with {@link MessageDigest#isEqual}, which is constant-time for equal lengths.
	 */
	static boolean sameToken(String expected, String given) {
		try {
			MessageDigest sha = MessageDigest.getInstance("SHA-256");
			byte[] a = sha.digest(expected.getBytes(StandardCharsets.UTF_8));
			byte[] b = sha.digest(given.getBytes(StandardCharsets.UTF_8));
			return MessageDigest.isEqual(a, b);
		} catch (NoSuchAlgorithmException e) { // every Java platform has SHA-256
			throw new IllegalStateException(e);
		}
	}

	/**
	 * The token in the file, read again when the file (its inode), its modification time, size, owner or
	 * permissions change; {@code null} (refusing everyone) if the file is missing, unreadable, open to other
	 * users ({@link #unsafe}), or does not hold one token of at least {@value #MIN_TOKEN} characters. What is
	 * wrong is logged at ERROR once, not at every request (a flood of requests must not flood the log).
	 */
	String currentToken() {
		String key;
		PosixFileAttributes posix = null;
		try {
			try {
				posix = Files.readAttributes(tokenFile, PosixFileAttributes.class);
				key = posix.fileKey() + " " + posix.lastModifiedTime() + " " + posix.size() + " "
						+ posix.owner().getName() + " " + PosixFilePermissions.toString(posix.permissions());
			} catch (UnsupportedOperationException e) { // not a POSIX file system: no permissions to check
				key = Files.getLastModifiedTime(tokenFile) + " " + Files.size(tokenFile);
			}
		} catch (NoSuchFileException e) {
			return problem("is missing: make it, or remove endpoints.token.file to use " + DEFAULT_TOKEN_FILE
					+ " of data/web/, made at start");
		} catch (IOException e) {
			return problem("cannot be read: " + e);
		}
		Object[] cached = token;
		if (cached != null && cached[1].equals(key)) {
			return cached[0] == null ? problem((String) cached[2]) : (String) cached[0];
		}
		String value = null;
		String problem = posix == null ? null : unsafe(posix, System.getProperty("user.name"));
		if (problem == null) {
			try {
				String text = Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
				if (TOKEN.matcher(text).matches()) {
					value = text;
				} else {
					problem = "does not hold one token on one line, of at least " + MIN_TOKEN
							+ " letters, digits and -._~+/ (with = at its end)";
				}
			} catch (IOException e) {
				problem = "cannot be read: " + e;
			}
		}
		token = new Object[] { value, key, problem };
		if (value == null) {
			return problem(problem);
		}
		if (reported != null) {
			reported = null;
			LOG.info("Web console: the bearer token file {} is usable again", tokenFile);
		}
		return value;
	}

	/** Logs a problem with the token file once (until it changes); returns {@code null}. */
	private String problem(String problem) {
		if (!problem.equals(reported)) {
			reported = problem;
			LOG.error("Web console: the bearer token file {} {}; /system/health and /metrics refuse everyone (503)"
					+ " until it is fixed", tokenFile, problem);
		}
		return null;
	}

	/**
	 * Why a token file is not safe to trust, or {@code null} if it is: it must be a regular file, owned by the
	 * runtime's user (or root), neither readable nor writable by other users, and not writable by its group
	 * (readable by its group is allowed, so that a Prometheus server in that group can read it too).
	 */
	static String unsafe(PosixFileAttributes file, String user) {
		if (!file.isRegularFile()) {
			return "is not a regular file";
		}
		String owner = file.owner().getName();
		if (!owner.equals(user) && !owner.equals("root")) {
			return "belongs to " + LogText.escape(owner) + ", not to " + LogText.escape(user) + " (nor root)";
		}
		Set<PosixFilePermission> p = file.permissions();
		if (p.contains(PosixFilePermission.OTHERS_READ) || p.contains(PosixFilePermission.OTHERS_WRITE)
				|| p.contains(PosixFilePermission.GROUP_WRITE)) {
			return "is open to other users (" + PosixFilePermissions.toString(p) + "): every local user could read or"
					+ " change the token; chmod 600 (or 640 to share it with a group)";
		}
		return null;
	}

	/** A request whose parameters and query string are hidden from the health check servlet. */
	static final class WithoutParameters extends HttpServletRequestWrapper {
		WithoutParameters(HttpServletRequest request) {
			super(request);
		}

		@Override
		public String getParameter(String name) {
			return null;
		}

		@Override
		public Map<String, String[]> getParameterMap() {
			return Map.of();
		}

		@Override
		public Enumeration<String> getParameterNames() {
			return Collections.emptyEnumeration();
		}

		@Override
		public String[] getParameterValues(String name) {
			return null;
		}

		@Override
		public String getQueryString() {
			return null;
		}
	}
}
