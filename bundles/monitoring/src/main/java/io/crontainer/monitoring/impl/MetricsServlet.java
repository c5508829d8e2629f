package io.crontainer.monitoring.impl;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.crontainer.api.runtime.CronJobDTO;
import io.crontainer.api.runtime.CronRunDTO;
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
 * ({@link RuntimeMetrics}) and the runs that ended since the last poll ({@link RunObserver}); a thread of its
 * own ({@value #THREAD}) also polls the run history every {@value #POLL_SECONDS} s, so that runs between two
 * scrapes are counted even when the history holds only the newest few. A scrape reads the history at most
 * once a second: a flood of requests from a local user does not become a flood of history reads (in a
 * cluster, database queries).
 *
 * <p>
 * Threads: scrapes come on the HTTP server's threads and the poller runs on {@value #THREAD}; both meet in
 * {@link #poll()}, whose state lives in the thread-safe {@link RunObserver}. The runtime view is read from
 * a volatile field.
 */
@Component(service = Servlet.class, immediate = true, property = {
		"osgi.http.whiteboard.servlet.pattern=" + MetricsServlet.PATH,
		"osgi.http.whiteboard.servlet.name=crontainer-metrics" })
public class MetricsServlet extends HttpServlet {
	private static final long serialVersionUID = 1L;
	/** Where the metrics are served. */
	public static final String PATH = "/metrics";
	/** The poller thread's name. */
	static final String THREAD = "crontainer-metrics";
	/** How often the poller reads the run history. */
	static final long POLL_SECONDS = 5;
	/** Scrapes read the history again only this long after the last read (a flood of scrapes reads it once a second). */
	static final long SCRAPE_POLL_MILLIS = 1000;

	private static final Logger LOG = LoggerFactory.getLogger(MetricsServlet.class);

	private final transient PrometheusRegistry registry = new PrometheusRegistry();
	private final transient ExpositionFormats formats = ExpositionFormats.init();
	private final transient RunObserver observer;
	private final transient RuntimeMetrics metrics;
	private final transient ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> {
		Thread t = new Thread(r, THREAD);
		t.setDaemon(true);
		return t;
	});
	private transient volatile CronRuntime runtime;
	/** When a scrape last read the history, {@link System#nanoTime()}. */
	private final transient AtomicLong scrapePolled = new AtomicLong(System.nanoTime() - TimeUnit.SECONDS.toNanos(10));

	@Activate
	public MetricsServlet() {
		observer = new RunObserver(registry, System.currentTimeMillis());
		metrics = new RuntimeMetrics(() -> runtime, observer, System::currentTimeMillis);
		registry.register(metrics);
		poller.scheduleWithFixedDelay(this::pollQuietly, POLL_SECONDS, POLL_SECONDS, TimeUnit.SECONDS);
		LOG.info("Metrics for Prometheus at {} (text format, OpenMetrics by Accept), run history polled every {} s",
				PATH, POLL_SECONDS);
	}

	@Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
			policyOption = ReferencePolicyOption.GREEDY, unbind = "unbindRuntime")
	void bindRuntime(CronRuntime rt) {
		runtime = rt;
		try {
			poller.execute(this::pollQuietly);
		} catch (RejectedExecutionException e) {
			// deactivated
		}
	}

	void unbindRuntime(CronRuntime rt) {
		if (runtime == rt) {
			runtime = null;
		}
	}

	@Deactivate
	void deactivate() throws InterruptedException {
		poller.shutdownNow();
		if (!poller.awaitTermination(10, TimeUnit.SECONDS)) {
			LOG.warn("Metrics: the thread {} did not stop within 10 s", THREAD);
		}
	}

	/** Counts the runs that ended since the last poll. On the poller thread and on scrapes. */
	void poll() {
		CronRuntime rt = runtime;
		if (rt == null) {
			return;
		}
		List<CronRunDTO> history = rt.getHistory(null, RunObserver.BATCH);
		List<CronJobDTO> jobs = rt.getJobs();
		metrics.saw(jobs, System.currentTimeMillis());
		Set<String> live = new HashSet<>();
		for (CronJobDTO job : jobs) {
			live.add(job.name);
		}
		observer.observe(history, live);
	}

	private void pollQuietly() {
		try {
			poll();
		} catch (RuntimeException e) { // the scheduler is leaving, or its store cannot be read: next time
			LOG.debug("Metrics: reading the run history failed", e);
		} catch (LinkageError e) { // a bundle of the Prometheus client missing: say so, keep polling
			LOG.warn("Metrics: cannot count runs", e);
		}
	}

	@Override
	protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
		long last = scrapePolled.get();
		long now = System.nanoTime();
		if (now - last >= TimeUnit.MILLISECONDS.toNanos(SCRAPE_POLL_MILLIS) && scrapePolled.compareAndSet(last, now)) {
			pollQuietly(); // what ended since the last poll is counted in this scrape
		}
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
