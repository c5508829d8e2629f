package io.crontainer.itests.web;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.cm.ConfigurationAdminOptions.newConfiguration;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import javax.inject.Inject;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.openmbean.TabularData;

import org.apache.felix.hc.api.Result;
import org.apache.felix.hc.api.execution.HealthCheckExecutionOptions;
import org.apache.felix.hc.api.execution.HealthCheckExecutionResult;
import org.apache.felix.hc.api.execution.HealthCheckExecutor;
import org.apache.felix.hc.api.execution.HealthCheckSelector;
import org.junit.After;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;

import io.crontainer.api.CronPlugin;
import io.crontainer.api.CronPluginBase;
import io.crontainer.api.runtime.CronJobDTO;
import io.crontainer.api.runtime.CronRunDTO;
import io.crontainer.api.runtime.CronRuntime;
import io.crontainer.api.runtime.JobState;
import io.crontainer.api.runtime.Outcome;
import io.crontainer.api.runtime.Trigger;
import io.crontainer.itests.support.Await;
import io.crontainer.itests.support.CrontainerOptions;
import io.crontainer.itests.support.Gogo;

/**
 * The web feature's health checks (tag {@code crontainer}: through the executor, {@code hc:exec} and
 * {@code /system/health}) and JMX MBeans (on the platform MBean server), against the real scheduler and
 * cron plugin services registered from the test. With {@code endpoints.access = token}, {@code /system/health}
 * and a {@code /metrics} servlet that another bundle (the test) registers on the default whiteboard
 * context need the bearer token.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class MonitoringIT {
	/** Once a year: never fires during a test, so runs are the test's own. */
	static final String YEARLY = "0 0 0 1 1 ?";

	@Inject
	BundleContext context;

	@Inject
	HealthCheckExecutor executor;

	private final List<ServiceRegistration<?>> registrations = new ArrayList<>();

	@Configuration
	public Option[] config() {
		return new Option[] { CrontainerOptions.features("core", "shell", "web"),
				newConfiguration("io.crontainer.scheduler").put("timezone", "UTC").asOption(),
				newConfiguration("io.crontainer.monitoring").put("consecutive.failures.warn", 2)
						.put("consecutive.failures.critical", 4).put("running.warn", 2).put("queued.warn.seconds", 1L)
						.put("queued.critical.seconds", 3600L).put("jmx.refresh.seconds", 1L).asOption(),
				// /system/health and /metrics behind the bearer token of data/web/endpoints.token
				newConfiguration("io.crontainer.webconsole").put("endpoints.access", "token").asOption() };
	}

	@After
	public void unregister() {
		registrations.forEach(ServiceRegistration::unregister);
		registrations.clear();
	}

	@Test
	public void healthChecksFollowFailuresInARow() throws Exception {
		CronRuntime rt = runtime();
		assertEquals(Result.Status.OK, status("Crontainer scheduler"));
		register("it-failing", YEARLY, new CronPluginBase() {
			@Override
			public String interval() {
				return YEARLY;
			}

			@Override
			public void run(Instant start, Instant end) throws IOException {
				throw new IOException("disk full");
			}
		});
		awaitState(rt, "it-failing", JobState.SCHEDULED);
		assertEquals(Result.Status.OK, status("Crontainer plugins"));

		assertEquals(Outcome.FAILED, fire(rt, "it-failing").outcome);
		assertEquals(Result.Status.OK, status("Crontainer plugins")); // 1 < 2
		fire(rt, "it-failing");
		assertEquals(Result.Status.WARN, status("Crontainer plugins"));
		assertTrue(message("Crontainer plugins"), message("Crontainer plugins")
				.contains("it-failing failed its last 2 runs in a row (WARN from 2); cron:history it-failing gives the errors."));
		fire(rt, "it-failing");
		fire(rt, "it-failing");
		assertEquals(Result.Status.CRITICAL, status("Crontainer plugins"));

		// The same through the shell and over HTTP (loopback, no login).
		String shell = Gogo.execute(context, "hc:exec crontainer");
		assertTrue(shell, shell.contains("Crontainer plugins") && shell.contains("CRITICAL")
				&& shell.contains("it-failing failed its last 4 runs in a row"));
		HttpResponse<String> http = HttpClient.newHttpClient().send(
				HttpRequest.newBuilder(URI.create(endpoint() + "system/health.json"))
						.header("Authorization", "Bearer " + bearerToken()).build(),
				HttpResponse.BodyHandlers.ofString());
		assertEquals(http.body(), 503, http.statusCode()); // CRITICAL
		assertTrue(http.body(), http.body().contains("\"overallResult\":\"CRITICAL\"")
				&& http.body().contains("it-failing failed its last 4 runs in a row"));
		assertTrue(endpoint(), endpoint().startsWith("http://127.0.0.1:"));

		// The plugin's MBean counts what the runtime view counts.
		MBeanServer server = ManagementFactory.getPlatformMBeanServer();
		ObjectName name = new ObjectName("io.crontainer:type=CronPlugin,name=\"it-failing\"");
		Await.until("the MBean of it-failing", () -> server.isRegistered(name));
		CronJobDTO job = rt.getJob("it-failing");
		assertEquals("SCHEDULED", server.getAttribute(name, "State"));
		assertEquals("FAILED", server.getAttribute(name, "LastOutcome"));
		assertEquals(job.runCount, server.getAttribute(name, "RunCount"));
		assertEquals(job.failureCount, server.getAttribute(name, "FailureCount"));
		assertEquals(job.timeoutCount, server.getAttribute(name, "TimeoutCount"));
		long duration = (Long) server.getAttribute(name, "LastDurationMillis");
		assertTrue("LastDurationMillis " + duration, duration >= 0 && duration < 10_000);
		assertEquals(-1L, server.getAttribute(name, "LastLatenessMillis")); // fired by hand only
		assertEquals(YEARLY, server.getAttribute(name, "Interval"));

		// It leaves: its MBean goes.
		unregister();
		Await.until("the MBean of it-failing gone", () -> !server.isRegistered(name));
	}

	@Test
	public void mbeansShowStatesLatenessAndSaturation() throws Exception {
		CronRuntime rt = runtime();
		MBeanServer server = ManagementFactory.getPlatformMBeanServer();
		ObjectName scheduler = new ObjectName("io.crontainer:type=Scheduler");
		assertTrue(server.isRegistered(scheduler));
		assertEquals(Boolean.TRUE, server.getAttribute(scheduler, "Available"));

		// A plugin fired by its schedule: its lateness is known.
		register("it-ticking", "* * * * * ?", plugin("* * * * * ?", null, null));
		Await.until("a scheduled run of it-ticking", () -> rt.getHistory("it-ticking", 5).stream()
				.anyMatch(r -> r.trigger == Trigger.SCHEDULE && r.finished != null));
		ObjectName ticking = new ObjectName("io.crontainer:type=CronPlugin,name=\"it-ticking\"");
		Await.until("the MBean of it-ticking", () -> server.isRegistered(ticking));
		long late = (Long) server.getAttribute(ticking, "LastLatenessMillis");
		assertTrue("LastLatenessMillis " + late, late >= 0 && late < 5_000);
		rt.pause("it-ticking");
		assertEquals("PAUSED", server.getAttribute(ticking, "State"));
		assertEquals(1, server.getAttribute(scheduler, "PausedPlugins"));
		TabularData byState = (TabularData) server.getAttribute(scheduler, "PluginsByState");
		assertEquals(1, byState.get(new Object[] { "PAUSED" }).get("value"));
		Await.until("it-ticking's run over", () -> !rt.getJob("it-ticking").running);

		// Saturation: two runs held at once, each on a thread of its own, reach running.warn = 2.
		CountDownLatch release = new CountDownLatch(1);
		CountDownLatch started = new CountDownLatch(2);
		register("it-holding-1", YEARLY, plugin(YEARLY, started, release));
		register("it-holding-2", YEARLY, plugin(YEARLY, started, release));
		awaitState(rt, "it-holding-1", JobState.SCHEDULED);
		awaitState(rt, "it-holding-2", JobState.SCHEDULED);
		assertEquals(Result.Status.OK, status("Crontainer saturation"));
		try {
			rt.fire("it-holding-1");
			rt.fire("it-holding-2");
			assertTrue(started.await(10, TimeUnit.SECONDS)); // both inside their plugin: no run waits for a thread
			assertEquals(2, server.getAttribute(scheduler, "RunningRuns"));
			assertEquals(0, server.getAttribute(scheduler, "QueuedRuns"));
			Await.until("the saturation check WARN", () -> status("Crontainer saturation") == Result.Status.WARN);
			String message = message("Crontainer saturation");
			assertTrue(message, message.contains("2 runs in progress at once, each on a thread of its own (WARN from 2)")
					&& message.contains("it-holding-1 for ") && message.contains("it-holding-2 for ")
					&& !message.contains("waiting for a thread,"));
		} finally {
			release.countDown();
		}
		for (String name : List.of("it-holding-1", "it-holding-2")) {
			Await.until(name + " ran", () -> {
				CronJobDTO j = rt.getJob(name);
				return !j.running && j.lastRun != null && j.lastRun.outcome == Outcome.SUCCEEDED;
			});
		}
		Await.until("the saturation check OK", () -> status("Crontainer saturation") == Result.Status.OK);
		assertTrue(message("Crontainer saturation"), message("Crontainer saturation")
				.contains("0 runs in progress (WARN from 2), 0 waiting for a thread."));
		assertEquals(0, server.getAttribute(scheduler, "RunningRuns"));
		assertEquals(0, server.getAttribute(scheduler, "QueuedRuns"));
	}

	// -------------------------------------------------------------------------------------- helpers

	private CronRuntime runtime() throws InterruptedException {
		Await.until("the CronRuntime service", () -> context.getServiceReference(CronRuntime.class) != null);
		return context.getService(context.getServiceReference(CronRuntime.class));
	}

	private static CronPlugin plugin(String interval, CountDownLatch started, CountDownLatch release) {
		return new CronPluginBase() {
			@Override
			public String interval() {
				return interval;
			}

			@Override
			public void run(Instant start, Instant end) throws InterruptedException {
				if (started != null) {
					started.countDown();
				}
				if (release != null) {
					release.await(30, TimeUnit.SECONDS);
				}
			}
		};
	}

	private void register(String name, String interval, CronPlugin plugin) {
		Hashtable<String, Object> props = new Hashtable<>();
		props.put(CronPlugin.NAME, name);
		registrations.add(context.registerService(CronPlugin.class, plugin, props));
	}

	private static void awaitState(CronRuntime rt, String name, JobState state) throws InterruptedException {
		Await.until(name + " " + state, () -> {
			CronJobDTO job = rt.getJob(name);
			return job != null && job.state == state;
		});
	}

	private static CronRunDTO fire(CronRuntime rt, String name) throws Exception {
		CompletableFuture<CronRunDTO> done = new CompletableFuture<>();
		rt.fire(name).whenComplete((run, failure) -> {
			if (failure != null) {
				done.completeExceptionally(failure);
			} else {
				done.complete(run);
			}
		});
		CronRunDTO run = done.get(20, TimeUnit.SECONDS);
		assertFalse(run.outcome == Outcome.RUNNING);
		return run;
	}

	private HealthCheckExecutionResult result(String check) {
		HealthCheckExecutionOptions fresh = new HealthCheckExecutionOptions();
		fresh.setForceInstantExecution(true); // not the executor's cached result (2 s by default)
		return executor.execute(HealthCheckSelector.tags("crontainer"), fresh).stream()
				.filter(r -> r.getHealthCheckMetadata().getName().equals(check)).findFirst()
				.orElseThrow(() -> new AssertionError("No health check \"" + check + "\""));
	}

	private Result.Status status(String check) {
		return result(check).getHealthCheckResult().getStatus();
	}

	private String message(String check) {
		return result(check).getHealthCheckResult().toString();
	}

	/** The HTTP server's endpoint, e.g. {@code http://127.0.0.1:41234/}. */
	@Test
	public void healthAndMetricsNeedTheBearerToken() throws Exception {
		Hashtable<String, Object> props = new Hashtable<>();
		props.put("osgi.http.whiteboard.servlet.pattern", "/metrics");
		// Above the monitoring bundle's own /metrics servlet, which would otherwise win (lower service id).
		props.put(org.osgi.framework.Constants.SERVICE_RANKING, Integer.MAX_VALUE);
		ServiceRegistration<jakarta.servlet.Servlet> metrics = context.registerService(jakarta.servlet.Servlet.class,
				new jakarta.servlet.http.HttpServlet() {
			private static final long serialVersionUID = 1L;

			@Override
			protected void doGet(jakarta.servlet.http.HttpServletRequest req, jakarta.servlet.http.HttpServletResponse resp)
					throws IOException {
				resp.setContentType("text/plain");
				resp.getWriter().println("crontainer_test 1");
			}
		}, props);
		try {
			String base = endpoint();
			String token = bearerToken();
			HttpClient http = HttpClient.newHttpClient();
			Await.until("/metrics served", () -> httpGet(http, base + "metrics", "Bearer " + token).statusCode() == 200);
			assertEquals("crontainer_test 1", httpGet(http, base + "metrics", "Bearer " + token).body().strip());
			for (String path : new String[] { "metrics", "system/health", "system/health.json" }) {
				HttpResponse<String> none = httpGet(http, base + path, null);
				assertEquals(path, 401, none.statusCode());
				assertTrue(path, none.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"));
				assertEquals(path, 401, httpGet(http, base + path, "Bearer x" + token).statusCode());
				assertFalse(path, none.body().contains("crontainer_test") || none.body().contains("overallResult"));
			}
			HttpResponse<String> health = httpGet(http, base + "system/health", "Bearer " + token);
			// 200, or 503 while another test's plugin is CRITICAL: served either way
			assertTrue(health.body(), health.statusCode() == 200 || health.statusCode() == 503);
			assertTrue(health.body(), health.body().contains("\"overallResult\""));
		} finally {
			metrics.unregister();
		}
	}

	private static HttpResponse<String> httpGet(HttpClient http, String url, String authorization) {
		try {
			HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
			if (authorization != null) {
				b.header("Authorization", authorization);
			}
			return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
		} catch (IOException e) {
			throw new java.io.UncheckedIOException(e);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(e);
		}
	}

	/** The bearer token that endpoints.access = token made in data/web/endpoints.token. */
	private String bearerToken() throws Exception {
		java.nio.file.Path file = java.nio.file.Path.of(context.getProperty("crontainer.data.dir"), "web",
				"endpoints.token");
		Await.until("the bearer token file", () -> java.nio.file.Files.exists(file));
		return java.nio.file.Files.readString(file).strip();
	}

	private String endpoint() throws Exception {
		String runtime = "org.osgi.service.servlet.runtime.HttpServiceRuntime";
		Await.until("the HTTP server", () -> {
			try {
				return context.getServiceReferences(runtime, null) != null;
			} catch (org.osgi.framework.InvalidSyntaxException e) {
				throw new IllegalStateException(e);
			}
		});
		ServiceReference<?> ref = context.getServiceReferences(runtime, null)[0];
		Object endpoint = ref.getProperty("osgi.http.endpoint");
		String first = endpoint instanceof String[] a ? a[0] : String.valueOf(endpoint);
		return first.endsWith("/") ? first : first + "/";
	}
}
