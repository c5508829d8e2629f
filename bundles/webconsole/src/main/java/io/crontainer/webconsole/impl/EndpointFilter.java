package io.crontainer.webconsole.impl;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Collections;
import java.util.Enumeration;
import java.util.Locale;
import java.util.Map;

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
 * read from {@code endpoints.token.file}, re-read when the file changes).
 *
 * <p>
 * Whatever the setting, a request whose {@code Host} header names another server (DNS rebinding) is
 * answered 421 ({@link HostCheck}) and TRACE 405, on every path of this context, and the health endpoints serve no JSONP (a {@code .jsonp} path or a {@code callback}
 * parameter is answered 400) and see no request parameters: {@code hcDebug}, {@code timeout},
 * {@code forceInstantExecution}, {@code tags} and the like never change what runs.
 *
 * <p>
 * Fails closed: a token file that cannot be made or read, or a login that is not running, refuses
 * everyone. Called by the HTTP server's threads; thread-safe (the cached token and the login are volatile
 * references).
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

	private final Access access;
	private final Path tokenFile;
	private final HostCheck hosts;
	@Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
	volatile ConfigurationAdmin configurationAdmin;
	/** The console's login; without it (its configuration is broken), {@code login} refuses everyone. */
	@Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
			target = "(" + SecurityProvider.PROPERTY_ID + "=" + LoginSecurityProvider.ID + ")")
	volatile SecurityProvider login;
	/** The token and the file's modification time it was read at; {@code null} until read. */
	private volatile Object[] token;

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
		this.tokenFile = file.isEmpty() ? webDir.resolve("endpoints.token") : Path.of(file);
		if (access == Access.TOKEN) {
			if (!Files.exists(tokenFile)) {
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
		String header = request.getHeader("Authorization");
		String expected = currentToken();
		if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) && expected != null && !expected.isEmpty()
				&& MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
						header.substring(7).strip().getBytes(StandardCharsets.UTF_8))) {
			return true;
		}
		LOG.debug("Web console: {} without a valid bearer token from {}", LogText.escape(request.getRequestURI()),
				request.getRemoteAddr());
		response.setHeader("WWW-Authenticate", "Bearer realm=\"Crontainer\"");
		response.sendError(HttpServletResponse.SC_UNAUTHORIZED, "A bearer token is needed (endpoints.access = token).");
		return false;
	}

	/** The token file's content, read again when its modification time changes; {@code null} if unreadable. */
	String currentToken() {
		try {
			FileTime modified = Files.getLastModifiedTime(tokenFile);
			Object[] cached = token;
			if (cached != null && cached[1].equals(modified)) {
				return (String) cached[0];
			}
			String value = Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
			token = new Object[] { value, modified };
			return value;
		} catch (NoSuchFileException e) {
			LOG.warn("Web console: the bearer token file {} is missing: /system/health and /metrics refuse everyone",
					tokenFile);
			return null;
		} catch (IOException e) {
			LOG.warn("Web console: cannot read the bearer token file {}: {}", tokenFile, e.toString());
			return null;
		}
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
