package io.crontainer.monitoring.impl;

import static io.crontainer.monitoring.impl.ChecksTest.NOW;
import static io.crontainer.monitoring.impl.ChecksTest.job;
import static io.crontainer.monitoring.impl.ChecksTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.crontainer.api.runtime.CronJobDTO;
import io.crontainer.api.runtime.CronRunDTO;
import io.crontainer.api.runtime.JobState;
import io.crontainer.api.runtime.Outcome;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/** What {@code /metrics} says, from DTOs: the run observer's counters and histograms, and the gauges. */
class MetricsTest {

	private final PrometheusRegistry registry = new PrometheusRegistry();
	private final RunObserver observer = new RunObserver(registry, NOW - 60_000);
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

	@Test
	void eachRunIsCountedOnceByOutcomeWithItsDurationAndLateness() {
		List<CronRunDTO> history = new ArrayList<>(List.of(run("a", Outcome.SUCCEEDED, NOW - 29_750, NOW - 28_000, NOW - 30_000),
				run("a", Outcome.FAILED, NOW - 20_000, NOW - 19_990, null), skipped("a", NOW - 10_000),
				run("a", Outcome.RUNNING, NOW - 1_000, null, NOW - 1_000)));
		observer.observe(history, Set.of("a"));
		observer.observe(history, Set.of("a")); // the same runs again: not counted twice
		String text = scrape();
		assertThat(text).contains("crontainer_plugin_runs_total{outcome=\"succeeded\",plugin=\"a\"} 1.0\n")
				.contains("crontainer_plugin_runs_total{outcome=\"failed\",plugin=\"a\"} 1.0\n")
				.contains("crontainer_plugin_runs_total{outcome=\"skipped\",plugin=\"a\"} 1.0\n")
				.doesNotContain("outcome=\"running\"")
				// 1.75 s and 10 ms; the skipped fire took no time
				.contains("crontainer_plugin_run_duration_seconds_bucket{plugin=\"a\",le=\"0.01\"} 1\n")
				.contains("crontainer_plugin_run_duration_seconds_bucket{plugin=\"a\",le=\"1.0\"} 1\n")
				.contains("crontainer_plugin_run_duration_seconds_bucket{plugin=\"a\",le=\"5.0\"} 2\n")
				.contains("crontainer_plugin_run_duration_seconds_count{plugin=\"a\"} 2\n")
				.contains("crontainer_plugin_run_duration_seconds_sum{plugin=\"a\"} 1.76\n")
				// only the scheduled run was late: 250 ms
				.contains("crontainer_plugin_run_lateness_seconds_bucket{plugin=\"a\",le=\"0.1\"} 0\n")
				.contains("crontainer_plugin_run_lateness_seconds_bucket{plugin=\"a\",le=\"0.5\"} 1\n")
				.contains("crontainer_plugin_run_lateness_seconds_count{plugin=\"a\"} 1\n");

		// The running one ends, a new one is queued: one more run, the first ones not again
		history.set(3, run("a", Outcome.TIMED_OUT, NOW - 1_000, NOW + 4_000, NOW - 1_000));
		history.add(0, run("a", Outcome.QUEUED, NOW + 5_000, null, NOW + 5_000));
		observer.observe(history, Set.of("a"));
		assertThat(scrape()).contains("crontainer_plugin_runs_total{outcome=\"timed_out\",plugin=\"a\"} 1.0\n")
				.contains("crontainer_plugin_runs_total{outcome=\"succeeded\",plugin=\"a\"} 1.0\n")
				.contains("crontainer_plugin_run_duration_seconds_count{plugin=\"a\"} 3\n");
	}

	@Test
	void runsThatEndedBeforeMetricsStartedAreHistoryNotNews() {
		observer.observe(List.of(run("a", Outcome.SUCCEEDED, NOW - 3_600_000, NOW - 3_599_000, null),
				run("a", Outcome.FAILED, NOW - 61_000, NOW - 60_001, null)), Set.of("a"));
		rt.jobs.add(job("a", JobState.PAUSED));
		String text = scrape();
		assertThat(text).doesNotContain("crontainer_plugin_runs_total{")
				.doesNotContain("crontainer_plugin_run_duration_seconds_count")
				// but the last success is known, from the history
				.contains("crontainer_plugin_last_success_timestamp_seconds{plugin=\"a\"} " + (NOW - 3_599_000) / 1000.0);
	}

	@Test
	void aDepartedPluginLosesItsSeriesOnceItsRunsLeaveTheHistory() {
		CronRunDTO done = run("a", Outcome.SUCCEEDED, NOW - 2_000, NOW - 1_000, null);
		observer.observe(List.of(done), Set.of("a"));
		observer.observe(List.of(done), Set.of()); // left, its run still kept
		assertThat(scrape()).contains("crontainer_plugin_runs_total{outcome=\"succeeded\",plugin=\"a\"} 1.0");
		observer.observe(List.of(), Set.of());
		assertThat(scrape()).doesNotContain("plugin=\"a\"");
		assertThat(observer.lastSuccess("a")).isNull();
	}

	@Test
	void controlCharactersInLabelValuesAreEscaped() {
		String hostile = "x\u001b]0;owned\u0007\r";
		CronJobDTO job = job(hostile, JobState.SCHEDULED);
		job.bundleSymbolicName = "evil\u009b2J";
		job.interval = "* * * * *\u001b[2J";
		rt.jobs.add(job);
		observer.observe(List.of(run(hostile, Outcome.FAILED, NOW - 2_000, NOW - 1_000, NOW - 2_000)), Set.of(hostile));
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
		observer.observe(List.of(run("a", Outcome.SUCCEEDED, NOW - 60_000, NOW - 59_000, NOW - 60_000)), Set.of("a"));
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
