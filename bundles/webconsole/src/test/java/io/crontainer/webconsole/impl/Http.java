package io.crontainer.webconsole.impl;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;

/** Plain fakes of a servlet request, response and session, for tests. */
final class Http {

	private Http() {
	}

	/** A request: set its fields, then {@link #proxy()}. */
	static final class Request {
		String method = "GET";
		String uri = "/system/console/bundles";
		String servletPath = "";
		String remoteAddr = "127.0.0.1";
		int localPort = 8080;
		String contentType;
		final Map<String, String> headers = new HashMap<>();
		final Map<String, String> params = new HashMap<>();
		final List<Cookie> cookies = new ArrayList<>();
		Session session;
		int sessionsMade;

		Request header(String name, String value) {
			headers.put(name.toLowerCase(), value);
			return this;
		}

		Request param(String name, String value) {
			params.put(name, value);
			return this;
		}

		HttpServletRequest proxy() {
			return (HttpServletRequest) Proxy.newProxyInstance(Http.class.getClassLoader(),
					new Class<?>[] { HttpServletRequest.class }, (p, m, a) -> switch (m.getName()) {
					case "getMethod" -> method;
					case "getRequestURI" -> uri;
					case "getServletPath" -> servletPath;
					case "getPathInfo", "getQueryString" -> null;
					case "getContextPath" -> "";
					case "getAttribute" -> null;
					case "getRemoteAddr" -> remoteAddr;
					case "getLocalPort" -> localPort;
					case "getContentType" -> contentType;
					case "getHeader" -> headers.get(((String) a[0]).toLowerCase());
					case "getParameter" -> params.get((String) a[0]);
					case "getCookies" -> cookies.isEmpty() ? null : cookies.toArray(new Cookie[0]);
					case "getSession" -> {
						if (a != null && a.length == 1 && !(Boolean) a[0] || session != null) {
							yield session == null ? null : session.proxy();
						}
						session = new Session();
						sessionsMade++;
						yield session.proxy();
					}
					case "toString" -> "Request " + method + " " + uri;
					default -> throw new UnsupportedOperationException(m.getName());
					});
		}
	}

	/** A session. */
	static final class Session {
		final Map<String, Object> attributes = new HashMap<>();
		int maxInactive;
		boolean invalid;
		private HttpSession proxy;

		HttpSession proxy() {
			if (proxy == null) {
				proxy = (HttpSession) Proxy.newProxyInstance(Http.class.getClassLoader(),
						new Class<?>[] { HttpSession.class }, (p, m, a) -> switch (m.getName()) {
						case "getAttribute" -> attributes.get((String) a[0]);
						case "setAttribute" -> attributes.put((String) a[0], a[1]) == null ? null : null;
						case "removeAttribute" -> attributes.remove((String) a[0]) == null ? null : null;
						case "setMaxInactiveInterval" -> {
							maxInactive = (Integer) a[0];
							yield null;
						}
						case "invalidate" -> {
							invalid = true;
							yield null;
						}
						case "hashCode" -> System.identityHashCode(this);
						case "equals" -> p == a[0];
						default -> throw new UnsupportedOperationException(m.getName());
						});
			}
			return proxy;
		}
	}

	/** A response that records what is set. */
	static final class Response {
		int status = 200;
		final Map<String, List<String>> headers = new LinkedHashMap<>();
		final StringWriter body = new StringWriter();
		boolean committed;
		/** The message of {@code sendError}, if any. */
		String message;

		String header(String name) {
			List<String> values = headers.get(name.toLowerCase());
			return values == null || values.isEmpty() ? null : values.get(0);
		}

		HttpServletResponse proxy() {
			return (HttpServletResponse) Proxy.newProxyInstance(Http.class.getClassLoader(),
					new Class<?>[] { HttpServletResponse.class }, (p, m, a) -> switch (m.getName()) {
					case "setStatus" -> {
						status = (Integer) a[0];
						yield null;
					}
					case "sendError" -> {
						status = (Integer) a[0];
						message = a.length > 1 ? (String) a[1] : null;
						committed = true;
						yield null;
					}
					case "setHeader" -> {
						if (a[1] == null) {
							headers.remove(((String) a[0]).toLowerCase());
						} else {
							headers.put(((String) a[0]).toLowerCase(), new ArrayList<>(List.of((String) a[1])));
						}
						yield null;
					}
					case "addHeader" -> {
						headers.computeIfAbsent(((String) a[0]).toLowerCase(), k -> new ArrayList<>()).add((String) a[1]);
						yield null;
					}
					case "containsHeader" -> headers.containsKey(((String) a[0]).toLowerCase());
					case "getHeaders" -> {
						Collection<String> v = headers.get(((String) a[0]).toLowerCase());
						yield v == null ? List.of() : new ArrayList<>(v);
					}
					case "isCommitted" -> committed;
					case "getWriter" -> new PrintWriter(body, true);
					case "setContentType", "setCharacterEncoding" -> null;
					default -> throw new UnsupportedOperationException(m.getName());
					});
		}
	}
}
