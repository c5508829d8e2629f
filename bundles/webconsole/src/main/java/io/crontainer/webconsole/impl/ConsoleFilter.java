package io.crontainer.webconsole.impl;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

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
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;

/**
 * One filter in front of every page of the Web Console ({@code /system/console/*}: ours, Felix's bundles,
 * configuration, system and health check pages, and whatever a plugin adds later), registered on the
 * console's own servlet context ({@value #CONTEXT}) of the Servlet Whiteboard. The console's login
 * ({@link LoginSecurityProvider}, called by the context before any filter) has let the request in.
 *
 * <ul>
 * <li>A request whose {@code Host} header names another server (DNS rebinding) is answered 421
 * ({@link HostCheck}).</li>
 * <li>TRACE (which would echo the request, cookies included) and OPTIONS (which the console's servlets do not
 * serve) are answered 405 with {@code Allow: GET, HEAD, POST} ({@link #refuseMethod}).</li>
 * <li>A state-changing request (any method but GET, HEAD, OPTIONS, TRACE) passes only if it comes from the
 * console itself ({@link Csrf#check}); else 403 with the reason, and nothing runs.</li>
 * <li>Every response forbids framing ({@code X-Frame-Options: DENY},
 * {@code Content-Security-Policy: frame-ancestors 'none'}) and sniffing
 * ({@code X-Content-Type-Options: nosniff}), and is not cached ({@code Cache-Control: no-store}).</li>
 * <li>A session cookie set while the request runs gets {@code SameSite=Strict} and {@code HttpOnly}
 * ({@link #harden}); Jetty offers no setting for it.</li>
 * </ul>
 *
 * <p>
 * Called by the HTTP server's threads; stateless and thread-safe.
 */
@Component(service = Filter.class, configurationPid = LoginConfiguration.PID, property = {
		"osgi.http.whiteboard.filter.name=io.crontainer.webconsole.csrf",
		"osgi.http.whiteboard.filter.pattern=/*",
		"osgi.http.whiteboard.filter.dispatcher=REQUEST",
		"osgi.http.whiteboard.context.select=(osgi.http.whiteboard.context.name=" + ConsoleFilter.CONTEXT + ")" })
public class ConsoleFilter implements Filter {
	/** The Web Console's servlet context name (Felix Web Console 5). */
	static final String CONTEXT = "org.apache.felix.webconsole";
	/** The name of the session cookie (Jetty's default). */
	static final String SESSION_COOKIE = "JSESSIONID";

	private static final Logger LOG = LoggerFactory.getLogger(ConsoleFilter.class);

	private final HostCheck hosts;
	@Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
	volatile ConfigurationAdmin configurationAdmin;

	@Activate
	public ConsoleFilter(BundleContext context, LoginConfiguration config) {
		this.hosts = new HostCheck(allowedHosts(config),
				() -> HttpEndpointReporter.configuredHost(configurationAdmin, context));
	}

	/** For tests: allows the built-in names and {@code allowed}. */
	ConsoleFilter(String... allowed) {
		this.hosts = new HostCheck(List.of(allowed), () -> null);
	}

	/** Whether a {@code Host} header value passes, on port 8080 (for tests). */
	boolean hosts(String host) {
		return hosts.allows(host, 8080);
	}

	/** The operator's {@code allowed.hosts}, each value split at commas (a .cfg file gives one string). */
	static List<String> allowedHosts(LoginConfiguration config) {
		List<String> names = new ArrayList<>();
		if (config.allowed_hosts() != null) {
			for (String value : config.allowed_hosts()) {
				if (value != null) {
					names.addAll(List.of(value.split(",")));
				}
			}
		}
		return names;
	}

	@Override
	public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
		if (!(req instanceof HttpServletRequest request) || !(res instanceof HttpServletResponse response)) {
			chain.doFilter(req, res);
			return;
		}
		secureHeaders(response);
		if (!hosts.allows(request)) {
			HostCheck.refuse(request, response);
			return;
		}
		if (refuseMethod(request, response, true)) {
			return;
		}
		if (Csrf.changesState(request.getMethod())) {
			String refused = Csrf.check(request);
			if (refused != null) {
				LOG.warn("Web console: {} {} from {} refused: {}", request.getMethod(), LogText.escape(request.getRequestURI()),
						request.getRemoteAddr(), LogText.escape(refused));
				refuse(response, refused);
				return;
			}
		}
		HardeningResponse wrapped = new HardeningResponse(response);
		chain.doFilter(request, wrapped);
		wrapped.hardenCookies();
	}

	/**
	 * Answers TRACE, and OPTIONS if asked to, with 405 and {@code Allow: GET, HEAD, POST}: TRACE would echo
	 * the request (its cookies and credentials included) and no page needs it.
	 *
	 * @param request The request. Must not be {@code null}.
	 * @param response Its response, written if refused. Must not be {@code null}.
	 * @param options Whether OPTIONS is refused too.
	 * @return Whether the request was refused (then nothing else may answer it).
	 * @throws IOException If the refusal cannot be written.
	 */
	static boolean refuseMethod(HttpServletRequest request, HttpServletResponse response, boolean options)
			throws IOException {
		String method = request.getMethod();
		if (!"TRACE".equalsIgnoreCase(method) && !(options && "OPTIONS".equalsIgnoreCase(method))) {
			return false;
		}
		response.setHeader("Allow", "GET, HEAD, POST");
		response.sendError(HttpServletResponse.SC_METHOD_NOT_ALLOWED, method + " is not served here.");
		return true;
	}

	/** The headers every console response carries. */
	static void secureHeaders(HttpServletResponse response) {
		response.setHeader("X-Frame-Options", "DENY");
		response.setHeader("X-Content-Type-Options", "nosniff");
		response.setHeader("Referrer-Policy", "same-origin");
		response.setHeader("Cache-Control", "no-store");
		if (!response.containsHeader("Content-Security-Policy")) {
			response.setHeader("Content-Security-Policy", "frame-ancestors 'none'");
		}
	}

	private static void refuse(HttpServletResponse response, String reason) throws IOException {
		response.setStatus(HttpServletResponse.SC_FORBIDDEN);
		response.setContentType("text/html");
		response.setCharacterEncoding("UTF-8");
		PrintWriter out = response.getWriter();
		out.println("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Refused</title></head><body>");
		out.println("<p class=\"error\" id=\"message\">" + Html.escape(reason) + "</p>");
		out.println("<p><a href=\"/system/console\">Back to the console</a></p></body></html>");
	}

	/**
	 * Adds {@code SameSite=Strict} and {@code HttpOnly} to the session cookie among the response's
	 * {@code Set-Cookie} headers, if the response is not committed yet.
	 *
	 * @param response The response. Must not be {@code null}.
	 */
	static void harden(HttpServletResponse response) {
		if (response.isCommitted()) {
			return;
		}
		Collection<String> cookies = response.getHeaders("Set-Cookie");
		if (cookies == null || cookies.isEmpty()) {
			return;
		}
		List<String> hardened = new ArrayList<>();
		boolean changed = false;
		for (String cookie : cookies) {
			String h = hardenCookie(cookie);
			changed |= !h.equals(cookie);
			hardened.add(h);
		}
		if (!changed) {
			return;
		}
		response.setHeader("Set-Cookie", null);
		for (String h : hardened) {
			response.addHeader("Set-Cookie", h);
		}
	}

	/** One {@code Set-Cookie} value, with {@code SameSite=Strict; HttpOnly} if it is the session cookie. */
	static String hardenCookie(String cookie) {
		if (!cookie.startsWith(SESSION_COOKIE + "=")) {
			return cookie;
		}
		String lower = cookie.toLowerCase(Locale.ROOT);
		StringBuilder sb = new StringBuilder(cookie.replaceAll("(?i);\\s*SameSite=[^;]*", ""));
		if (!lower.contains("httponly")) {
			sb.append("; HttpOnly");
		}
		sb.append("; SameSite=Strict");
		return sb.toString();
	}

	/** Hardens the session cookie before the response can be committed. */
	private static final class HardeningResponse extends HttpServletResponseWrapper {
		HardeningResponse(HttpServletResponse response) {
			super(response);
		}

		void hardenCookies() {
			harden((HttpServletResponse) getResponse());
		}

		@Override
		public PrintWriter getWriter() throws IOException {
			hardenCookies();
			return super.getWriter();
		}

		@Override
		public ServletOutputStream getOutputStream() throws IOException {
			hardenCookies();
			return super.getOutputStream();
		}

		@Override
		public void sendRedirect(String location) throws IOException {
			hardenCookies();
			super.sendRedirect(location);
		}

		@Override
		public void sendError(int sc, String msg) throws IOException {
			hardenCookies();
			super.sendError(sc, msg);
		}

		@Override
		public void sendError(int sc) throws IOException {
			hardenCookies();
			super.sendError(sc);
		}

		@Override
		public void flushBuffer() throws IOException {
			hardenCookies();
			super.flushBuffer();
		}
	}
}
