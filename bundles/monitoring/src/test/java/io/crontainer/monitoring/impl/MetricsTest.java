package io.crontainer.monitoring.impl;

import static io.crontainer.monitoring.impl.ChecksTest.NOW;
import static io.crontainer.monitoring.impl.ChecksTest.job;
import static io.crontainer.monitoring.impl.ChecksTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.osgi.service.event.Event;

import io.crontainer.api.runtime.CronEvents;
import io.crontainer.api.runtime.CronJobDTO;
import io.crontainer.api.runtime.CronRunDTO;
import io.crontainer.api.runtime.JobState;
import io.crontainer.api.runtime.Outcome;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/** What {@code /metrics} says, from events and DTOs: the run observer's counters and histograms, and the gauges. */
class MetricsTest {

	private final PrometheusRegistry registry = new PrometheusRegistry();
	private final RunObserver observer = new RunObserver(registry);
	private final EveryMinute rt = new EveryMinute();
	private long now = NOW;

	{
		registry.register(new RuntimeMetrics(() -> rt, observer, () -> now));
	}

	/** A runtime view whose every interval fires at each full minute. */
	static final class EveryMinute extends ChecksTest.FakeRuntime {
		final List<Instant> previewedFrom = new ArrayList<>();

		@Override
		public List<ZonedDateTime> preview(String interval, String name, ZoneId zone, Instant from, int count) {
			previewedFrom.add(from);
			List<ZonedDateTime> fires = new ArrayList<>();
			long next = (from.toEpochMilli() / 60_000 + 1) * 60_000;
			for (int i = 0; i < count; i++, next += 60_000) {
				fires.add(Instant.ofEpochMilli(next).atZone(zone));
			}
			return fires;
		}
	}

	private String scrape() {
		return ExpositionFormats.init().getPrometheusTextFormatWriter().toDebugString(registry.scrape());
	}

	private static CronRunDTO skipped(String name, long at) {
		return run(name, Outcome.SKIPPED, at, null, at);
	}

	/** The event the scheduler posts when a run ends (as its EventPoster builds it). */
	static Event ended(CronRunDTO run) {
		Map<String, Object> p = new HashMap<>();
		p.put(CronEvents.NAME, run.name);
		p.put(CronEvents.TRIGGER, run.trigger.name());
		p.put(CronEvents.OUTCOME, run.outcome.name());
		p.put(CronEvents.STARTED, run.started);
		if (run.finished != null) {
			p.put(CronEvents.FINISHED, run.finished);
		}
		if (run.scheduledFire != null) {
			p.put(CronEvents.SCHEDULED_FIRE, run.scheduledFire);
		}
		if (run.node != null) {
			p.put(CronEvents.NODE, run.node);
		}
		return new Event(CronEvents.RUN_ENDED, p);
	}

	@Test
	void eachRunIsCountedOnceByOutcomeWithItsDurationAndLateness() {
		rt.jobs.add(job("a", JobState.SCHEDULED));
		for (CronRunDTO run : List.of(run("a", Outcome.SUCCEEDED, NOW - 29_750, NOW - 28_000, NOW - 30_000),
				run("a", Outcome.FAILED, NOW - 20_000, NOW - 19_990, null), skipped("a", NOW - 10_000))) {
			assertThat(observer.ended(ended(run))).isTrue();
		}
		String text = scrape();
		assertThat(scrape()).isEqualTo(text); // scrapes count nothing themselves
		assertThat(text).contains("crontainer_plugin_runs_total{outcome=\"succeeded\",plugin=\"a\"} 1.0\n")
				.contains("crontainer_plugin_runs_total{outcome=\"failed\",plugin=\"a\"} 1.0\n")
				.contains("crontainer_plugin_runs_total{outcome=\"skipped\",plugin=\"a\"} 1.0\n")
				// 1.75 s and 10 ms; the skipped fire took no time
				.contains("crontainer_plugin_run_duration_seconds_bucket{plugin=\"a\",le=\"0.01\"} 1\n")
				.contains("crontainer_plugin_run_duration_seconds_bucket{plugin=\"a\",le=\"1.0\"} 1\n")
				.contains("crontainer_plugin_run_duration_seconds_bucket{plugin=\"a\",le=\"5.0\"} 2\n")
				.contains("crontainer_plugin_run_duration_seconds_count{plugin=\"a\"} 2\n")
				.contains("crontainer_plugin_run_duration_seconds_sum{plugin=\"a\"} 1.76\n")
				// only the scheduled run was late: 250 ms
				.contains("crontainer_plugin_run_lateness_seconds_bucket{plugin=\"a\",le=\"0.1\"} 0\n")
				.contains("crontainer_plugin_run_lateness_seconds_bucket{plugin=\"a\",le=\"0.5\"} 1\n")
				.contains("crontainer_plugin_run_lateness_seconds_count{plugin=\"a\"} 1\n")
				.contains("crontainer_plugin_last_success_timestamp_seconds{plugin=\"a\"} " + (NOW - 28_000) / 1000.0);

		observer.ended(ended(run("a", Outcome.TIMED_OUT, NOW - 1_000, NOW + 4_000, NOW - 1_000)));
		assertThat(scrape()).contains("crontainer_plugin_runs_total{outcome=\"timed_out\",plugin=\"a\"} 1.0\n")
				.contains("crontainer_plugin_runs_total{outcome=\"succeeded\",plugin=\"a\"} 1.0\n")
				.contains("crontainer_plugin_run_duration_seconds_count{plugin=\"a\"} 3\n");
	}

	@Test
	void eventsThatAreNoRunEndAreNotCounted() {
		rt.jobs.add(job("a", JobState.SCHEDULED));
		CronRunDTO running = run("a", Outcome.RUNNING, NOW - 1_000, null, NOW - 1_000);
		assertThat(observer.ended(ended(running))).as("a run that goes on").isFalse();
		assertThat(observer.ended(new Event(CronEvents.RUN_STARTED, Map.of(CronEvents.NAME, "a", CronEvents.OUTCOME,
				"RUNNING", CronEvents.STARTED, NOW)))).as("another topic").isFalse();
		assertThat(observer.ended(new Event(CronEvents.RUN_ENDED, Map.of(CronEvents.NAME, "a", CronEvents.OUTCOME,
				"SUCCEEDED", CronEvents.STARTED, "yesterday", CronEvents.FINISHED, NOW)))).as("a String start").isFalse();
		assertThat(observer.ended(new Event(CronEvents.RUN_ENDED, Map.of(CronEvents.NAME, "a", CronEvents.OUTCOME,
				"WON", CronEvents.STARTED, NOW, CronEvents.FINISHED, NOW)))).as("no such outcome").isFalse();
		assertThat(observer.ended(new Event(CronEvents.RUN_ENDED, Map.of(CronEvents.NAME, "a", CronEvents.OUTCOME,
				"FAILED", CronEvents.STARTED, NOW)))).as("an end without its time").isFalse();
		assertThat(scrape()).doesNotContain("crontainer_plugin_runs_total{")
				.doesNotContain("crontainer_plugin_run_duration_seconds_count");
	}

	@Test
	void aScrapeReadsNoHistoryAndCountsOnlyThisRuntimesRuns() throws Exception {
		// A cluster: the shared history holds the runs of every runtime; this one ran one of them.
		CronJobDTO a = job("a", JobState.SCHEDULED);
		CronRunDTO elsewhere = run("a", Outcome.SUCCEEDED, NOW - 60_000, NOW - 59_000, NOW - 60_000);
		elsewhere.node = "node-2";
		CronRunDTO here = run("a", Outcome.SUCCEEDED, NOW - 30_000, NOW - 29_000, NOW - 30_000);
		here.node = "node-1";
		a.lastRun = here;
		rt.jobs.add(a);
		rt.runs.addAll(List.of(here, elsewhere));
		MetricsServlet servlet = new MetricsServlet();
		servlet.bindRuntime(rt);
		servlet.handleEvent(ended(here));
		for (int i = 0; i < 5; i++) {
			assertThat(get(servlet)).contains("crontainer_plugin_runs_total{outcome=\"succeeded\",plugin=\"a\"} 1.0\n")
					.contains("crontainer_plugin_last_success_timestamp_seconds{plugin=\"a\"} " + (NOW - 29_000) / 1000.0);
		}
		assertThat(rt.historyReads).as("history reads by scrapes").isZero();
	}

	/** {@code GET /metrics} of a servlet, in the Prometheus text format. */
	static String get(MetricsServlet servlet) throws Exception {
		java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
		Map<String, Object> status = new HashMap<>();
		HttpServletRequest request = (HttpServletRequest) Proxy.newProxyInstance(MetricsTest.class.getClassLoader(),
				new Class<?>[] { HttpServletRequest.class }, (proxy, method, args) -> switch (method.getName()) {
				case "getMethod" -> "GET";
				default -> null;
				});
		ServletOutputStream out = new ServletOutputStream() {
			@Override
			public void write(int b) {
				body.write(b);
			}

			@Override
			public boolean isReady() {
				return true;
			}

			@Override
			public void setWriteListener(WriteListener listener) {
			}
		};
		HttpServletResponse response = (HttpServletResponse) Proxy.newProxyInstance(MetricsTest.class.getClassLoader(),
				new Class<?>[] { HttpServletResponse.class }, (proxy, method, args) -> {
					switch (method.getName()) {
					case "getOutputStream":
						return out;
					case "setStatus":
						status.put("status", args[0]);
						return null;
					default:
						return null;
					}
				});
		servlet.doGet(request, response);
		assertThat(status).containsEntry("status", 200);
		return body.toString(java.nio.charset.StandardCharsets.UTF_8);
	}

	@Test
	void theLastSuccessIsAlsoThePluginsLatestRunWhenItSucceeded() {
		CronJobDTO a = job("a", JobState.PAUSED);
		a.lastRun = run("a", Outcome.SUCCEEDED, NOW - 3_600_000, NOW - 3_599_000, null); // from before the start
		rt.jobs.add(a);
		assertThat(scrape()).doesNotContain("crontainer_plugin_runs_total{")
				.contains("crontainer_plugin_last_success_timestamp_seconds{plugin=\"a\"} " + (NOW - 3_599_000) / 1000.0);
		a.lastRun = run("a", Outcome.FAILED, NOW - 60_000, NOW - 59_000, null);
		assertThat(scrape()).as("kept after a failure")
				.contains("crontainer_plugin_last_success_timestamp_seconds{plugin=\"a\"} " + (NOW - 3_599_000) / 1000.0);
	}

	@Test
	void aDepartedPluginLosesItsSeries() {
		rt.jobs.add(job("a", JobState.SCHEDULED));
		observer.ended(ended(run("a", Outcome.SUCCEEDED, NOW - 2_000, NOW - 1_000, null)));
		assertThat(scrape()).contains("crontainer_plugin_runs_total{outcome=\"succeeded\",plugin=\"a\"} 1.0");
		rt.jobs.clear();
		scrape(); // sees it gone; the counters were written before (the registry scrapes them first)
		assertThat(scrape()).doesNotContain("plugin=\"a\"");
		assertThat(observer.lastSuccess("a")).isNull();
	}

	@Test
	void whileTheSchedulerIsAwayTheCountsAreKept() {
		rt.jobs.add(job("a", JobState.SCHEDULED));
		observer.ended(ended(run("a", Outcome.FAILED, NOW - 2_000, NOW - 1_000, null)));
		RuntimeMetrics away = new RuntimeMetrics(() -> null, observer, () -> now);
		away.collect();
		assertThat(scrape()).contains("crontainer_plugin_runs_total{outcome=\"failed\",plugin=\"a\"} 1.0");
	}

	@Test
	void controlCharactersInLabelValuesAreEscaped() {
		String hostile = "x\u001b]0;owned\u0007\r";
		CronJobDTO job = job(hostile, JobState.SCHEDULED);
		job.bundleSymbolicName = "evil\u009b2J";
		job.interval = "* * * * *\u001b[2J";
		rt.jobs.add(job);
		observer.ended(ended(run(hostile, Outcome.FAILED, NOW - 2_000, NOW - 1_000, NOW - 2_000)));
		String text = scrape();
		assertThat(text).doesNotContainPattern("[\\x00-\\x09\\x0b-\\x1f\\x7f-\\x9f]")
				.contains("plugin=\"x\\\\e]0;owned\\\\x07\\\\r\"")
				.contains("bundle=\"evil\\\\u009b2J\"")
				.contains("crontainer_plugin_runs_total{outcome=\"failed\",plugin=\"x\\\\e]0;owned\\\\x07\\\\r\"} 1");
	}

	@Test
	void gaugesOfEachPluginAndOfTheScheduler() {
		assertThat(scrape()).contains("crontainer_scheduler_up 1.0\n").contains("crontainer_runs_in_progress 0.0\n")
				.doesNotContain("crontainer_plugin_state");
		CronJobDTO a = job("a", JobState.SCHEDULED);
		a.interval = "* * * * *";
		a.misfire = "skip";
		a.bundleSymbolicName = "com.example";
		a.running = true;
		a.runningSince = NOW - 5_000;
		a.lastRun = run("a", Outcome.RUNNING, NOW - 5_000, null, NOW - 5_000);
		a.nextFire = NOW + 55_000;
		a.lastEnd = NOW - 5_000;
		a.timeout = 30L;
		a.consecutiveFailures = 4;
		a.missedFires = 3;
		CronJobDTO b = job("b\"\n", JobState.STUCK); // names are escaped
		b.running = true;
		b.lastRun = run("b\"\n", Outcome.QUEUED, NOW - 1, null, null);
		rt.jobs.add(a);
		rt.jobs.add(b);
		String text = scrape();
		assertThat(text).contains("crontainer_runs_in_progress 1.0\n").contains("crontainer_runs_queued 1.0\n")
				.contains("crontainer_plugin_info{bundle=\"com.example\",interval=\"* * * * *\",misfire=\"skip\",plugin=\"a\",zone=\"UTC\"} 1\n")
				.contains("crontainer_plugin_state{plugin=\"a\",crontainer_plugin_state=\"SCHEDULED\"} 1\n")
				.contains("crontainer_plugin_state{plugin=\"a\",crontainer_plugin_state=\"STUCK\"} 0\n")
				.contains("crontainer_plugin_state{plugin=\"b\\\"\\\\n\",crontainer_plugin_state=\"STUCK\"} 1\n")
				.contains("crontainer_plugin_running{plugin=\"a\"} 1.0\n")
				.contains("crontainer_plugin_run_start_timestamp_seconds{plugin=\"a\"} " + (NOW - 5_000) / 1000.0 + "\n")
				.contains("crontainer_plugin_timeout_seconds{plugin=\"a\"} 30.0\n")
				.contains("crontainer_plugin_consecutive_failures{plugin=\"a\"} 4.0\n")
				.contains("# TYPE crontainer_plugin_missed_fires_total counter\n")
				.contains("crontainer_plugin_missed_fires_total{plugin=\"a\"} 3.0\n")
				.contains("crontainer_plugin_missed_fires_total{plugin=\"b\\\"\\\\n\"} 0.0\n")
				.contains("crontainer_plugin_next_fire_timestamp_seconds{plugin=\"a\"} " + (NOW + 55_000) / 1000.0 + "\n")
				.contains("crontainer_plugin_last_window_end_timestamp_seconds{plugin=\"a\"} " + (NOW - 5_000) / 1000.0 + "\n")
				.doesNotContain("crontainer_plugin_next_fire_timestamp_seconds{plugin=\"b")
				.doesNotContain("crontainer_plugin_last_success_timestamp_seconds");

		rt.jobs.clear();
		assertThat(new RuntimeMetrics(() -> null, observer, () -> now).collect().stream()
				.filter(m -> m.getMetadata().getName().equals("crontainer_scheduler_up")).findFirst().orElseThrow()
				.getDataPoints().get(0)).extracting("value").isEqualTo(0.0);
	}

	@Test
	void theEnginesDueQueueAndCommitTimes() {
		rt.engine.dueQueueSize = 7;
		rt.engine.commitBuckets = new double[] { 0.001, 0.01, 0.1 };
		rt.engine.commitCounts = new long[] { 2, 5, 5 }; // cumulative: 2 within 1 ms, 3 more within 10 ms
		rt.engine.commits = 6; // and one over 100 ms
		rt.engine.commitSeconds = 0.5;
		String text = scrape();
		assertThat(text).contains("# TYPE crontainer_due_queue_length gauge\n").contains("crontainer_due_queue_length 7.0\n")
				.contains("# TYPE crontainer_store_commit_duration_seconds histogram\n")
				.contains("crontainer_store_commit_duration_seconds_bucket{le=\"0.001\"} 2\n")
				.contains("crontainer_store_commit_duration_seconds_bucket{le=\"0.01\"} 5\n")
				.contains("crontainer_store_commit_duration_seconds_bucket{le=\"0.1\"} 5\n")
				.contains("crontainer_store_commit_duration_seconds_bucket{le=\"+Inf\"} 6\n")
				.contains("crontainer_store_commit_duration_seconds_count 6\n")
				.contains("crontainer_store_commit_duration_seconds_sum 0.5\n");
		SchedulerView jmx = new SchedulerView(() -> rt);
		assertThat(jmx.getDueQueueSize()).isEqualTo(7);
		assertThat(jmx.getCommitCount()).isEqualTo(6);
		assertThat(jmx.getCommitMeanMillis()).isCloseTo(83.33, org.assertj.core.data.Offset.offset(0.01));
		assertThat(new SchedulerView(() -> null).getDueQueueSize()).isEqualTo(-1);
	}

	@Test
	void everyMetricTheShippedAlertRulesUseExists() throws Exception {
		CronJobDTO a = job("a", JobState.SCHEDULED);
		a.interval = "* * * * *";
		a.running = true;
		a.runningSince = NOW;
		a.lastRun = run("a", Outcome.RUNNING, NOW, null, NOW);
		a.lastEnd = NOW - 60_000;
		a.nextFire = NOW + 60_000;
		a.timeout = 10L;
		rt.jobs.add(a);
		observer.ended(ended(run("a", Outcome.SUCCEEDED, NOW - 60_000, NOW - 59_000, NOW - 60_000)));
		String text = scrape();
		String rules = Files.readString(Path.of("../../runtime/src/dist/etc/prometheus/crontainer-rules.yml"));
		Set<String> used = new TreeSet<>();
		Matcher m = Pattern.compile("\\bcrontainer_[a-z_]+").matcher(rules);
		while (m.find()) {
			used.add(m.group());
		}
		used.remove("crontainer_plugin_state"); // also the label of the state set, whose family has the same name
		assertThat(used).hasSizeGreaterThan(5).allSatisfy(name -> assertThat(text).as(name).contains("# TYPE " + name + " "));
		assertThat(text).contains("# TYPE crontainer_plugin_state gauge");
	}

	@Test
	void uncommittedFiresAreTheFireTimesSinceTheLastCommittedWindow() {
		CronJobDTO a = job("a", JobState.SCHEDULED);
		a.interval = "* * * * *";
		a.lastEnd = NOW - 150_000; // NOW is a full minute: fires at NOW - 120 s, NOW - 60 s and NOW
		rt.jobs.add(a);
		assertThat(scrape()).contains("crontainer_plugin_uncommitted_fires{plugin=\"a\"} 3.0\n");
		assertThat(rt.previewedFrom).last().isEqualTo(Instant.ofEpochMilli(NOW - 150_000));
		a.lastEnd = NOW - 1;
		assertThat(scrape()).contains("crontainer_plugin_uncommitted_fires{plugin=\"a\"} 1.0\n");
		a.lastEnd = NOW;
		assertThat(scrape()).contains("crontainer_plugin_uncommitted_fires{plugin=\"a\"} 0.0\n");

		// Never succeeded: counted from when it was first seen
		a.lastEnd = null;
		now = NOW + 130_000;
		assertThat(scrape()).contains("crontainer_plugin_uncommitted_fires{plugin=\"a\"} 2.0\n");
		// A plugin that is not expected to fire has none
		a.state = JobState.PAUSED;
		assertThat(scrape()).doesNotContain("crontainer_plugin_uncommitted_fires");
		// nor one whose interval the runtime cannot compute
		a.state = JobState.SCHEDULED;
		a.interval = null;
		assertThat(scrape()).doesNotContain("crontainer_plugin_uncommitted_fires");
	}
}
