package io.crontainer.webconsole.impl;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Filter;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.util.tracker.ServiceTracker;
import org.osgi.util.tracker.ServiceTrackerCustomizer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says in one log line where the Web Console answers, or that the HTTP server is not listening (its port
 * in use, or its address not allowed): it watches the {@code osgi.http.endpoint} property of the HTTP
 * server's {@code HttpServiceRuntime} service (OSGi Compendium 140.9). Without this line an operator sees
 * only Jetty's stack trace; the runtime and its cron plugins run on either way.
 *
 * <p>
 * A server that fails to bind registers no such service: {@value #GRACE_SECONDS} s after activation, and
 * after the service goes while the framework runs on, the absence is reported.
 *
 * <p>
 * Reads service properties only (no class of the HTTP server is loaded). Called by the framework's
 * event threads and by one timer thread; logs outside any lock; {@link #reported} is guarded by this.
 */
@Component(service = {}, immediate = true)
public class HttpEndpointReporter {
	private static final Logger LOG = LoggerFactory.getLogger(HttpEndpointReporter.class);
	private static final String RUNTIME = "org.osgi.service.servlet.runtime.HttpServiceRuntime";

	/** Seconds to wait for the HTTP server before its absence is reported. */
	static final long GRACE_SECONDS = 10;

	private final ServiceTracker<Object, ServiceReference<Object>> tracker;
	private final BundleContext context;
	private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
		Thread t = new Thread(r, "crontainer-http-check");
		t.setDaemon(true);
		return t;
	});
	/** The endpoints reported last, so that a change is reported once; guarded by this. */
	private List<String> reported;

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
				scheduleCheck(); // restarted with a new configuration, or stopped
			}
		});
		tracker.open(true);
		scheduleCheck();
	}

	@Deactivate
	void deactivate() {
		timer.shutdownNow();
		tracker.close();
	}

	private void scheduleCheck() {
		try {
			timer.schedule(() -> {
				ServiceReference<Object>[] refs = tracker.getServiceReferences();
				if ((refs == null || refs.length == 0) && context.getBundle(0).getState() == Bundle.ACTIVE) {
					report(null);
				}
			}, GRACE_SECONDS, TimeUnit.SECONDS);
		} catch (RejectedExecutionException e) {
			// deactivated
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
			LOG.warn("Web console: the HTTP server is not listening: its address {}:{} is in use or cannot be bound,"
					+ " or it is switched off (org.apache.felix.http.enable = false); see the log of"
					+ " org.apache.felix.http.jetty12 above. Crontainer and its cron plugins run on. Another port:"
					+ " org.osgi.service.http.port in etc/org.apache.felix.http.cfg, applied live.",
					value("org.apache.felix.http.host", "0.0.0.0"), value("org.osgi.service.http.port", "8080"));
			return;
		}
		for (String endpoint : endpoints) {
			String base = endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
			LOG.info("Web console: {}/system/console/{} (login required); health: {}/system/health", base,
					CronJobsPage.LABEL, base);
		}
	}

	private String value(String property, String fallback) {
		String v = context.getProperty(property);
		return v == null ? fallback : v;
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
