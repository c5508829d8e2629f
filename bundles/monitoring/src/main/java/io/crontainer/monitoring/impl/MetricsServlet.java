package io.crontainer.monitoring.impl;

import java.io.ByteArrayOutputStream;
import java.io.IOException;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventConstants;
import org.osgi.service.event.EventHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.crontainer.api.runtime.CronEvents;
import io.crontainer.api.runtime.CronRuntime;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * {@code GET /metrics}: the metrics of the scheduler and of every cron plugin for Prometheus, in the
 * Prometheus text format (0.0.4) or, when the {@code Accept} header asks for it, OpenMetrics 1.0, written by
 * the Prometheus Java client. A servlet of the (jakarta) Servlet Whiteboard in the default context, so it is
 * served by the web feature's HTTP server, on loopback unless the operator says otherwise.
 *
 * <p>
 * It serves what a scheduler's health is, never a plugin's error text. Each scrape reads the runtime view
 * ({@link RuntimeMetrics}: {@code getJobs()}, and {@code preview} per plugin that missed its window, both
 * answered from memory); the run counters and histograms ({@link RunObserver}) count the scheduler's
 * {@link CronEvents#RUN_ENDED} events, which this component receives as an Event Admin {@link EventHandler}.
 * No scrape reads the run history, so a flood of requests from a local user is no flood of store queries.
 *
 * <p>
 * Threads: scrapes come on the HTTP server's threads, events on Event Admin's; both meet in the
 * thread-safe {@link RunObserver}. The runtime view is read from a volatile field.
 */
@Component(service = { Servlet.class, EventHandler.class }, immediate = true, property = {
		"osgi.http.whiteboard.servlet.pattern=" + MetricsServlet.PATH,
		"osgi.http.whiteboard.servlet.name=crontainer-metrics",
		EventConstants.EVENT_TOPIC + "=" + CronEvents.RUN_ENDED })
public class MetricsServlet extends HttpServlet implements EventHandler {
	private static final long serialVersionUID = 1L;
	/** Where the metrics are served. */
	public static final String PATH = "/metrics";

	private static final Logger LOG = LoggerFactory.getLogger(MetricsServlet.class);

	private final transient PrometheusRegistry registry = new PrometheusRegistry();
	private final transient ExpositionFormats formats = ExpositionFormats.init();
	private final transient RunObserver observer;
	private transient volatile CronRuntime runtime;

	@Activate
	public MetricsServlet() {
		observer = new RunObserver(registry);
		registry.register(new RuntimeMetrics(() -> runtime, observer, System::currentTimeMillis));
		LOG.info("Metrics for Prometheus at {} (text format, OpenMetrics by Accept), runs counted from {} events",
				PATH, CronEvents.RUN_ENDED);
	}

	@Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
			policyOption = ReferencePolicyOption.GREEDY, unbind = "unbindRuntime")
	void bindRuntime(CronRuntime rt) {
		runtime = rt;
	}

	void unbindRuntime(CronRuntime rt) {
		if (runtime == rt) {
			runtime = null;
		}
	}

	/** A run ended: counted. On Event Admin's threads; returns at once (memory only). */
	@Override
	public void handleEvent(Event event) {
		try {
			observer.ended(event);
		} catch (LinkageError e) { // a bundle of the Prometheus client missing: say so, keep the handler
			LOG.warn("Metrics: cannot count runs", e);
		}
	}

	@Override
	protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
		MetricSnapshots snapshots = registry.scrape();
		ExpositionFormatWriter writer = formats.findWriter(request.getHeader("Accept"));
		ByteArrayOutputStream body = new ByteArrayOutputStream(16384);
		writer.write(body, snapshots);
		response.setStatus(HttpServletResponse.SC_OK);
		response.setContentType(writer.getContentType());
		response.setHeader("Cache-Control", "no-store");
		response.setHeader("X-Content-Type-Options", "nosniff");
		response.setContentLength(body.size());
		if (!"HEAD".equals(request.getMethod())) {
			body.writeTo(response.getOutputStream());
		}
	}
}
