package io.crontainer.webconsole.impl;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.Collection;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Refuses requests whose {@code Host} header names a server that is not this one: the defence against DNS
 * rebinding, in which a web page of {@code evil.example} has its name re-pointed at 127.0.0.1 and then
 * reads the console's pages, {@code /metrics} and {@code /system/health} through the operator's browser
 * as if they were its own origin. The browser still sends {@code Host: evil.example:PORT}, which Jetty
 * does not check.
 *
 * <p>
 * Allowed: no {@code Host} header (HTTP/1.0 clients; browsers always send one); {@code localhost} and
 * every IP address literal ({@code 127.0.0.1}, {@code [::1]}, the address the server is bound to; no
 * rebinding can forge one) and the configured host name ({@code org.apache.felix.http.host}), each
 * without a port or with the port the request came in on; and the names the operator lists in
 * {@code allowed.hosts} (PID {@value LoginConfiguration#PID}), with any port (a reverse proxy's name).
 * Everything else is answered {@code 421 Misdirected Request} and logged at debug (a flood cannot fill the
 * log).
 *
 * <p>
 * Immutable and thread-safe; the configured host is read (through the supplier) only for a name that is
 * none of the others.
 */
final class HostCheck {
	private static final Logger LOG = LoggerFactory.getLogger(HostCheck.class);
	private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
	private static final Pattern IPV6 = Pattern.compile("\\[[0-9a-f:.]+(%[0-9a-z._~-]+)?\\]");
	private static final Pattern PORT = Pattern.compile("\\d{1,5}");

	private final Set<String> allowed;
	private final Supplier<String> configuredHost;

	/**
	 * @param allowed The names the operator allows besides the built-in ones (case-insensitive; a trailing
	 *        dot, a port or blanks are ignored). Must not be {@code null}.
	 * @param configuredHost The HTTP server's configured host ({@code org.apache.felix.http.host}), or
	 *        {@code null} from the supplier. Must not be {@code null}.
	 */
	HostCheck(Collection<String> allowed, Supplier<String> configuredHost) {
		this.allowed = allowed.stream().filter(n -> n != null && !n.isBlank()).map(n -> name(n.strip()))
				.collect(Collectors.toUnmodifiableSet());
		this.configuredHost = configuredHost;
	}

	/** Whether a request may pass: see the class comment. */
	boolean allows(HttpServletRequest request) {
		String host = request.getHeader("Host");
		return host == null || allows(host, request.getLocalPort());
	}

	/**
	 * Whether a {@code Host} header value names this server.
	 *
	 * @param host The header's value, or {@code null} if there is none.
	 * @param localPort The port the request came in on.
	 * @return {@code true} if it is allowed.
	 */
	boolean allows(String host, int localPort) {
		if (host == null) {
			return true;
		}
		String h = host.strip().toLowerCase(Locale.ROOT);
		String name = h;
		String port = null;
		int colon = h.lastIndexOf(':');
		if (colon > h.lastIndexOf(']')) {
			name = h.substring(0, colon);
			port = h.substring(colon + 1);
			if (!PORT.matcher(port).matches()) {
				return false;
			}
		}
		if (name.endsWith(".")) {
			name = name.substring(0, name.length() - 1);
		}
		if (name.isEmpty() || !name.startsWith("[") && name.indexOf(':') >= 0) {
			return false;
		}
		if (allowed.contains(name)) {
			return true;
		}
		boolean samePort = port == null || Integer.parseInt(port) == localPort;
		if (name.equals("localhost") || IPV4.matcher(name).matches() || IPV6.matcher(name).matches()) {
			return samePort;
		}
		String configured = configuredHost.get();
		return samePort && configured != null && !configured.isBlank() && name(configured.strip()).equals(name);
	}

	/** A name as compared: lower case, without a port and a trailing dot ({@code localhost.}). */
	private static String name(String name) {
		String n = name.toLowerCase(Locale.ROOT);
		if (!n.startsWith("[") && n.indexOf(':') == n.lastIndexOf(':') && n.indexOf(':') >= 0) {
			n = n.substring(0, n.indexOf(':'));
		}
		return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
	}

	/**
	 * Answers a refused request: {@code 421} with a one-line page saying why.
	 *
	 * @param request The request. Must not be {@code null}.
	 * @param response The response. Must not be {@code null}.
	 * @throws IOException If writing fails.
	 */
	static void refuse(HttpServletRequest request, HttpServletResponse response) throws IOException {
		LOG.debug("Web console: {} {} with Host {} from {} refused (not a name of this server; allowed.hosts adds names)",
				request.getMethod(), LogText.escape(request.getRequestURI()), LogText.escape(request.getHeader("Host")),
				request.getRemoteAddr());
		response.setStatus(421);
		response.setContentType("text/plain");
		response.setCharacterEncoding("UTF-8");
		PrintWriter out = response.getWriter();
		out.println("Refused: the Host header names another server. Reach this server by localhost, an IP address or"
				+ " its configured host name, or add the name to allowed.hosts (PID " + LoginConfiguration.PID + ").");
	}
}
