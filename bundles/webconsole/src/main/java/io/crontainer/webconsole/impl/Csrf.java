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
 * Protection of the console's forms against cross-site request forgery (OWASP CSRF Prevention Cheat
 * Sheet): a random token per session that every form carries (the synchronizer token pattern), and a check
 * that a POST comes from this site ({@code Origin}, else {@code Referer}, must name the host the request
 * was sent to; {@code Sec-Fetch-Site: cross-site} is refused). Stateless; thread-safe.
 */
final class Csrf {
	/** The form parameter that carries the token. */
	static final String PARAM = "_csrf";
	/** The session attribute that holds the token. */
	static final String ATTRIBUTE = "io.crontainer.webconsole.csrf";

	private static final SecureRandom RANDOM = new SecureRandom();

	private Csrf() {
	}

	/**
	 * The session's token, made (with the session) on first use.
	 *
	 * @param request The request. Must not be {@code null}.
	 * @return The token, URL-safe Base64.
	 */
	static String token(HttpServletRequest request) {
		HttpSession session = request.getSession(true);
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

	/**
	 * Checks a state-changing request.
	 *
	 * @param request A POST. Must not be {@code null}.
	 * @return {@code null} if it may proceed, else why it is refused, in one sentence for the operator.
	 */
	static String check(HttpServletRequest request) {
		String origin = refuseOrigin(request.getHeader("Origin"), request.getHeader("Referer"),
				request.getHeader("Host"), request.getHeader("Sec-Fetch-Site"));
		if (origin != null) {
			return origin;
		}
		HttpSession session = request.getSession(false);
		String expected = session == null ? null : (String) session.getAttribute(ATTRIBUTE);
		String given = request.getParameter(PARAM);
		if (expected == null || given == null || !MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
				given.getBytes(StandardCharsets.UTF_8))) {
			return "Refused: the form carried no valid CSRF token (the page was older than your session, or the"
					+ " request did not come from this console). Reload the page and try again.";
		}
		return null;
	}

	/**
	 * Whether a request comes from another site than the one it was sent to.
	 *
	 * @param origin The {@code Origin} header, or {@code null}.
	 * @param referer The {@code Referer} header, or {@code null}; consulted only without an Origin.
	 * @param host The {@code Host} header, or {@code null}.
	 * @param fetchSite The {@code Sec-Fetch-Site} header, or {@code null}.
	 * @return {@code null} if it is the same site (or a client that sends none of these headers, such as
	 *         curl, which the token still guards), else why it is refused.
	 */
	static String refuseOrigin(String origin, String referer, String host, String fetchSite) {
		if ("cross-site".equalsIgnoreCase(fetchSite)) {
			return "Refused: a cross-site request (Sec-Fetch-Site: cross-site). Use the console's own pages.";
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
