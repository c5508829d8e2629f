package io.crontainer.webconsole.impl;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Filter;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.util.tracker.ServiceTracker;
import org.osgi.util.tracker.ServiceTrackerCustomizer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says in one log line where the Web Console answers, or that the HTTP server is not listening (its port
 * in use, its address not allowed, switched off, or waiting for its configuration): it watches the
 * {@code osgi.http.endpoint} property of the HTTP server's {@code HttpServiceRuntime} service (OSGi
 * Compendium 140.9). Without this line an operator sees only Jetty's stack trace; the runtime and its cron
 * plugins run on either way.
 *
 * <p>
 * A server that fails to bind registers no such service. While it is missing, the configured address
 * (PID {@code org.apache.felix.http}, else the framework properties) is probed every
 * {@value #POLL_MILLIS} ms: if another process answers there {@value #ANSWERS} times in a row, the port is in use and that
 * is said at once; otherwise the absence is reported {@value #GRACE_SECONDS} s after activation, or after
 * the service went while the framework runs on.
 *
 * <p>
 * Reads service properties and configurations only (no class of the HTTP server is loaded). Called by the
 * framework's event threads and by one timer thread; logs outside any lock; {@link #reported} and
 * {@link #poll} are guarded by this.
 */
@Component(service = {}, immediate = true)
public class HttpEndpointReporter {
	private static final Logger LOG = LoggerFactory.getLogger(HttpEndpointReporter.class);
	private static final String RUNTIME = "org.osgi.service.servlet.runtime.HttpServiceRuntime";
	/** The HTTP server's configuration PID (Felix HTTP Jetty). */
	static final String HTTP_PID = "org.apache.felix.http";
	static final String HOST = "org.apache.felix.http.host", PORT = "org.osgi.service.http.port",
			ENABLE = "org.apache.felix.http.enable", REQUIRE_CONFIG = "org.apache.felix.http.require.config";

	/** Seconds to wait for the HTTP server before its absence is reported. */
	static final long GRACE_SECONDS = 10;
	/** How often the address is probed while the server is missing. */
	static final long POLL_MILLIS = 500;
	/**
	 * How many probes in a row must find another process at the address: our own server, while it starts,
	 * answers there for a moment before its runtime service is registered.
	 */
	static final int ANSWERS = 3;

	private final ServiceTracker<Object, ServiceReference<Object>> tracker;
	private final BundleContext context;
	private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
		Thread t = new Thread(r, "crontainer-http-check");
		t.setDaemon(true);
		return t;
	});
	@Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
	volatile ConfigurationAdmin configurationAdmin;
	/** The endpoints reported last, so that a change is reported once; guarded by this. */
	private List<String> reported;
	/** The probe while the server is missing; guarded by this. */
	private ScheduledFuture<?> poll;

	@Activate
	public HttpEndpointReporter(BundleContext context) throws InvalidSyntaxException {
		this.context = context;
		Filter filter = context.createFilter("(objectClass=" + RUNTIME + ")");
		tracker = new ServiceTracker<>(context, filter, new ServiceTrackerCustomizer<Object, ServiceReference<Object>>() {
			@Override
			public ServiceReference<Object> addingService(ServiceReference<Object> reference) {
				report(reference);
				return reference;
			}

			@Override
			public void modifiedService(ServiceReference<Object> reference, ServiceReference<Object> service) {
				report(reference);
			}

			@Override
			public void removedService(ServiceReference<Object> reference, ServiceReference<Object> service) {
				watch(); // restarted with a new configuration, or stopped
			}
		});
		tracker.open(true);
		watch();
	}

	@Deactivate
	void deactivate() {
		timer.shutdownNow();
		tracker.close();
	}

	/** Probes the address until the server is there, or reports its absence. */
	private synchronized void watch() {
		if (poll != null) {
			poll.cancel(false);
		}
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(GRACE_SECONDS);
		int[] answered = { 0 };
		try {
			poll = timer.scheduleWithFixedDelay(() -> {
				ServiceReference<Object>[] refs = tracker.getServiceReferences();
				if (refs != null && refs.length > 0) {
					stopWatching();
					return;
				}
				Address address = address();
				answered[0] = address.enabled && address.port > 0 && answers(address) ? answered[0] + 1 : 0;
				// Said at most once, and never while the framework stops.
				if ((answered[0] >= ANSWERS || System.nanoTime() - deadline >= 0)
						&& (context.getBundle(0).getState() & (Bundle.ACTIVE | Bundle.STARTING)) != 0) {
					stopWatching();
					report(null);
				}
			}, POLL_MILLIS, POLL_MILLIS, TimeUnit.MILLISECONDS);
		} catch (RejectedExecutionException e) {
			// deactivated
		}
	}

	private synchronized void stopWatching() {
		if (poll != null) {
			poll.cancel(false);
			poll = null;
		}
	}

	private static boolean answers(Address address) {
		String host = address.host == null || address.host.equals("0.0.0.0") || address.host.equals("::")
				? "127.0.0.1" : address.host;
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(host, address.port), 500);
			return true;
		} catch (IOException e) {
			return false;
		}
	}

	private void report(ServiceReference<Object> reference) {
		List<String> endpoints = reference == null ? List.of() : endpoints(reference.getProperty("osgi.http.endpoint"));
		synchronized (this) {
			if (endpoints.equals(reported)) {
				return;
			}
			reported = endpoints;
		}
		if (endpoints.isEmpty()) {
			Address a = address();
			LOG.warn("Web console: {}", notListening(a));
			return;
		}
		for (String endpoint : endpoints) {
			String base = endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
			LOG.info("Web console: {}/system/console/{} (login required); health: {}/system/health", base,
					CronJobsPage.LABEL, base);
		}
	}

	/** Where the HTTP server is configured to listen, as Felix HTTP Jetty reads it. */
	record Address(String host, int port, boolean enabled, boolean configured, boolean requireConfig) {
	}

	/** The warning for a server that is not listening. */
	static String notListening(Address a) {
		String where = (a.host == null ? "0.0.0.0" : a.host) + ":" + (a.port < 0 ? "?" : a.port);
		if (a.requireConfig && !a.configured) {
			return "the HTTP server is not listening: it waits for its configuration, etc/" + HTTP_PID + ".cfg, which"
					+ " is missing (org.apache.felix.http.require.config = true in conf/config.properties). Crontainer and"
					+ " its cron plugins run on. Restore the file (it may hold only comments) to start it.";
		}
		if (!a.enabled) {
			return "the HTTP server is switched off (org.apache.felix.http.enable = false). Crontainer and its cron"
					+ " plugins run on.";
		}
		return "the HTTP server is not listening: its address " + where + " is in use or cannot be bound; see the log"
				+ " of org.apache.felix.http.jetty12 above. Crontainer and its cron plugins run on. Another port:"
				+ " org.osgi.service.http.port in etc/" + HTTP_PID + ".cfg, applied live.";
	}

	private Address address() {
		Dictionary<String, Object> props = null;
		ConfigurationAdmin cm = configurationAdmin;
		if (cm != null) {
			try {
				Configuration[] found = cm.listConfigurations("(service.pid=" + HTTP_PID + ")");
				props = found == null || found.length == 0 ? null : found[0].getProperties();
			} catch (IOException | InvalidSyntaxException | RuntimeException e) {
				LOG.debug("Web console: cannot read the configuration {}", HTTP_PID, e);
			}
		}
		String host = value(props, HOST);
		String port = value(props, PORT);
		int p;
		try {
			p = port == null ? 8080 : Integer.parseInt(port.strip()); // 8080: Felix HTTP Jetty's own default
		} catch (NumberFormatException e) {
			p = -1;
		}
		String enable = value(props, ENABLE);
		return new Address(host, p, enable == null || Boolean.parseBoolean(enable.strip()), props != null,
				Boolean.parseBoolean(String.valueOf(context.getProperty(REQUIRE_CONFIG)).strip()));
	}

	/**
	 * The host the HTTP server is configured to bind to ({@value #HOST} of PID {@value #HTTP_PID}, else the
	 * framework property), or {@code null} if none is set.
	 */
	static String configuredHost(ConfigurationAdmin cm, BundleContext context) {
		if (cm != null) {
			try {
				Configuration[] found = cm.listConfigurations("(service.pid=" + HTTP_PID + ")");
				Object v = found == null || found.length == 0 || found[0].getProperties() == null ? null
						: found[0].getProperties().get(HOST);
				if (v != null) {
					return String.valueOf(v);
				}
			} catch (IOException | InvalidSyntaxException | RuntimeException e) {
				LOG.debug("Web console: cannot read the configuration {}", HTTP_PID, e);
			}
		}
		return context == null ? null : context.getProperty(HOST);
	}

	private String value(Dictionary<String, Object> props, String key) {
		Object v = props == null ? null : props.get(key);
		return v != null ? String.valueOf(v) : context.getProperty(key);
	}

	static List<String> endpoints(Object property) {
		List<String> endpoints = new ArrayList<>();
		if (property instanceof String s) {
			endpoints.add(s);
		} else if (property instanceof String[] a) {
			endpoints.addAll(List.of(a));
		} else if (property instanceof Iterable<?> it) {
			it.forEach(e -> endpoints.add(String.valueOf(e)));
		}
		endpoints.removeIf(e -> e == null || e.isBlank());
		return endpoints;
	}
}
