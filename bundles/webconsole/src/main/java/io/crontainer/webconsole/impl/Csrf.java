package io.crontainer.webconsole.impl;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Locale;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;

/**
 * Protection of the console against cross-site request forgery (OWASP CSRF Prevention Cheat Sheet), for
 * every state-changing request to any console page ({@link ConsoleFilter}) and for the login form.
 *
 * <p>
 * A request passes when the browser itself proves it comes from the console: an {@code Origin} header that
 * names the host and port the request was sent to, or {@code Sec-Fetch-Site: same-origin} (or {@code none},
 * which a browser sends only for what the user typed or bookmarked). Every browser since 2020 sends one of
 * them with every POST, so the console's own pages, Felix's script-driven ones included, need nothing else.
 * {@code Sec-Fetch-Site: same-site} or {@code cross-site}, an {@code Origin} of another host, port or
 * scheme (another port of 127.0.0.1 is another origin, though the same "site") or {@code null} are
 * refused. A request with neither header (an old browser, or a script such as curl) must carry the
 * session's token instead (the synchronizer token pattern: {@value #PARAM} form or query parameter, or the
 * {@value #HEADER} header), and its {@code Referer}, if any, must name this console; a request that has no
 * session (HTTP Basic from a script) carries no ambient credential and passes. Stateless; thread-safe.
 */
final class Csrf {
	/** The form parameter that carries the token. */
	static final String PARAM = "_csrf";
	/** The request header that may carry the token instead. */
	static final String HEADER = "X-CSRF-Token";
	/** The session attribute that holds the token. */
	static final String ATTRIBUTE = "io.crontainer.webconsole.csrf";

	private static final SecureRandom RANDOM = new SecureRandom();

	private Csrf() {
	}

	/**
	 * The session's token, made on first use; never creates a session.
	 *
	 * @param request The request. Must not be {@code null}.
	 * @return The token, URL-safe Base64; the empty string without a session (an HTTP Basic client, which
	 *         needs none).
	 */
	static String token(HttpServletRequest request) {
		HttpSession session = request.getSession(false);
		if (session == null) {
			return "";
		}
		synchronized (session) {
			String token = (String) session.getAttribute(ATTRIBUTE);
			if (token == null) {
				byte[] bytes = new byte[24];
				RANDOM.nextBytes(bytes);
				token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
				session.setAttribute(ATTRIBUTE, token);
			}
			return token;
		}
	}

	/** Whether a request method changes state: everything but GET, HEAD, OPTIONS and TRACE. */
	static boolean changesState(String method) {
		return !("GET".equals(method) || "HEAD".equals(method) || "OPTIONS".equals(method) || "TRACE".equals(method));
	}

	/**
	 * Checks a state-changing request (see the class).
	 *
	 * @param request The request. Must not be {@code null}.
	 * @return {@code null} if it may proceed, else why it is refused, in one sentence for the operator.
	 */
	static String check(HttpServletRequest request) {
		String origin = request.getHeader("Origin");
		String fetchSite = request.getHeader("Sec-Fetch-Site");
		String refused = refuseOrigin(origin, request.getHeader("Referer"), request.getHeader("Host"), fetchSite);
		if (refused != null) {
			return refused;
		}
		if (origin != null || fetchSite != null) {
			return null; // the browser says: from this console
		}
		HttpSession session = request.getSession(false);
		if (session == null) {
			return null; // no cookie, so no ambient credential to forge with
		}
		String expected = (String) session.getAttribute(ATTRIBUTE);
		String given = request.getHeader(HEADER);
		if (given == null && !isMultipart(request)) { // a multipart body is not parsed for it
			given = request.getParameter(PARAM);
		}
		if (expected == null || given == null || !MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
				given.getBytes(StandardCharsets.UTF_8))) {
			return "Refused: the request carried no valid CSRF token and no Origin header (the page was older than"
					+ " your session, or the request did not come from this console). Reload the page and try again.";
		}
		return null;
	}

	private static boolean isMultipart(HttpServletRequest request) {
		String type = request.getContentType();
		return type != null && type.toLowerCase(Locale.ROOT).startsWith("multipart/");
	}

	/**
	 * Whether a request comes from another site than the one it was sent to.
	 *
	 * @param origin The {@code Origin} header, or {@code null}.
	 * @param referer The {@code Referer} header, or {@code null}; consulted only without an Origin.
	 * @param host The {@code Host} header, or {@code null}.
	 * @param fetchSite The {@code Sec-Fetch-Site} header, or {@code null}.
	 * @return {@code null} if it is the same origin (or a client that sends none of these headers, such as
	 *         curl, which the token still guards), else why it is refused.
	 */
	static String refuseOrigin(String origin, String referer, String host, String fetchSite) {
		if (fetchSite != null && !"same-origin".equalsIgnoreCase(fetchSite) && !"none".equalsIgnoreCase(fetchSite)) {
			return "Refused: a request from another origin (Sec-Fetch-Site: " + fetchSite
					+ "). Use the console's own pages.";
		}
		String source = origin != null ? origin : referer;
		if (source == null) {
			return null;
		}
		String what = origin != null ? "Origin" : "Referer";
		String sourceHost = hostAndPort(source);
		if (sourceHost == null || host == null || !sourceHost.equals(normalize(host, defaultPort(source)))) {
			return "Refused: the request came from another site (" + what + ": " + source + ", this console: "
					+ host + ").";
		}
		return null;
	}

	/** {@code host:port} of a URL, lower case, with the scheme's default port made explicit; or {@code null}. */
	private static String hostAndPort(String url) {
		try {
			URI uri = new URI(url);
			if (uri.getHost() == null) {
				return null;
			}
			int port = uri.getPort() == -1 ? defaultPort(url) : uri.getPort();
			return uri.getHost().toLowerCase(Locale.ROOT) + ":" + port;
		} catch (URISyntaxException e) {
			return null;
		}
	}

	private static String normalize(String hostHeader, int defaultPort) {
		String h = hostHeader.trim().toLowerCase(Locale.ROOT);
		int colon = h.lastIndexOf(':');
		if (colon > h.lastIndexOf(']')) {
			return h;
		}
		return h + ":" + defaultPort;
	}

	private static int defaultPort(String url) {
		return url.regionMatches(true, 0, "https:", 0, 6) ? 443 : 80;
	}
}
