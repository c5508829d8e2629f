package io.crontainer.monitoring.impl;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import io.crontainer.format.Formats;
import io.crontainer.api.runtime.CronJobDTO;
import io.crontainer.api.runtime.CronRuntime;
import io.crontainer.api.runtime.EngineDTO;
import io.crontainer.api.runtime.JobState;
import io.crontainer.api.runtime.Outcome;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot.InfoDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.StateSetSnapshot;
import io.prometheus.metrics.model.snapshots.StateSetSnapshot.StateSetDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Unit;

/**
 * The gauges of {@code /metrics}, read from the runtime view on each scrape: per cron plugin its state,
 * whether it runs, its times (next fire, last window end, last success, start of the run in progress), its
 * failures in a row and the fire times that passed since its last committed window; for the scheduler,
 * whether it is there, the runs in progress and waiting for a thread, its due queue's length and its state
 * store's commit times.
 *
 * <p>
 * Threads: {@link #collect()} is called by scrapes (HTTP threads), possibly at once; the map of first
 * sightings is guarded by this object and no lock is held while the runtime view is called.
 */
final class RuntimeMetrics implements MultiCollector {
	/** The most fire times {@code crontainer_plugin_uncommitted_fires} counts. */
	static final int MAX_UNCOMMITTED = 100;

	/** States in which a plugin's fire times are expected to start runs: missing them is news. */
	private static final Set<JobState> FIRING = Set.of(JobState.SCHEDULED, JobState.BLOCKED, JobState.STUCK,
			JobState.UNAVAILABLE);

	private final Supplier<CronRuntime> runtime;
	private final RunObserver observer;
	private final LongSupplier clock;
	/** Plugin name to when a scrape first saw it, UTC epoch milliseconds; guarded by this. */
	private final Map<String, Long> firstSeen = new HashMap<>();

	/**
	 * @param runtime The runtime view, or {@code null} from the supplier while the scheduler is away.
	 * @param observer The run observer: it learns the live plugins, and tells the last success times.
	 * @param clock The current time, UTC epoch milliseconds.
	 */
	RuntimeMetrics(Supplier<CronRuntime> runtime, RunObserver observer, LongSupplier clock) {
		this.runtime = runtime;
		this.observer = observer;
		this.clock = clock;
	}

	@Override
	public MetricSnapshots collect() {
		long now = clock.getAsLong();
		CronRuntime rt = runtime.get();
		List<CronJobDTO> jobs = List.of();
		boolean up = false;
		if (rt != null) {
			try {
				jobs = rt.getJobs();
				up = true;
			} catch (RuntimeException e) { // the scheduler is stopping: it is reported down
				rt = null;
			}
		}
		Map<String, Long> first = saw(jobs, now);
		if (up) {
			observer.retain(jobs);
		}

		List<MetricSnapshot> out = new ArrayList<>();
		out.add(GaugeSnapshot.builder().name("crontainer_scheduler_up")
				.help("1 while the Crontainer scheduler's runtime view is registered and answers, else 0")
				.dataPoint(GaugeDataPointSnapshot.builder().value(up ? 1 : 0).build()).build());
		int running = 0;
		int queued = 0;
		for (CronJobDTO job : jobs) {
			if (job.running && job.lastRun != null) {
				if (job.lastRun.outcome == Outcome.QUEUED) {
					queued++;
				} else if (job.lastRun.outcome == Outcome.RUNNING) {
					running++;
				}
			}
		}
		out.add(gauge("crontainer_runs_in_progress", "Runs in progress, each on a thread of its own (one per plugin at"
				+ " most is counted: a second run of a scheduler.concurrent job is not)", null).value(List.of(), running).build());
		out.add(gauge("crontainer_runs_queued", "Runs fired and waiting for their thread to start (normally for an"
				+ " instant: a lasting value means the JVM cannot start threads)", null).value(List.of(), queued).build());
		if (rt != null) {
			engine(rt, out);
		}
		if (jobs.isEmpty()) {
			return new MetricSnapshots(out);
		}

		InfoSnapshot.Builder info = InfoSnapshot.builder().name("crontainer_plugin")
				.help("A cron plugin known to the scheduler: its interval, zone, misfire policy and bundle; always 1");
		StateSetSnapshot.Builder state = StateSetSnapshot.builder().name("crontainer_plugin_state")
				.help("The state of a cron plugin: 1 for its state, 0 for the others");
		Gauge runningNow = gauge("crontainer_plugin_running", "1 while a run of the cron plugin is in progress, else 0",
				null);
		Gauge runStart = gauge("crontainer_plugin_run_start_timestamp_seconds",
				"When the cron plugin's run in progress started (while it runs, and while it is STUCK)", Unit.SECONDS);
		Gauge failures = gauge("crontainer_plugin_consecutive_failures", "How many of the cron plugin's latest runs in"
				+ " a row did not succeed (failed, timed out or interrupted); 0 after a success", null);
		Gauge timeout = gauge("crontainer_plugin_timeout_seconds", "The cron plugin's run time limit (cron.timeout),"
				+ " when it has one", Unit.SECONDS);
		Gauge nextFire = gauge("crontainer_plugin_next_fire_timestamp_seconds",
				"The cron plugin's next fire time, when it is scheduled", Unit.SECONDS);
		Gauge lastWindowEnd = gauge("crontainer_plugin_last_window_end_timestamp_seconds", "The end of the cron plugin's"
				+ " last committed (successful) window: where its next window starts. Absent if it never succeeded",
				Unit.SECONDS);
		Gauge lastSuccess = gauge("crontainer_plugin_last_success_timestamp_seconds",
				"When the cron plugin's newest successful run seen by /metrics ended (a run of this runtime, or the"
						+ " plugin's latest run when a scrape saw it)", Unit.SECONDS);
		Gauge uncommitted = gauge("crontainer_plugin_uncommitted_fires", "Fire times of the cron plugin that passed"
				+ " after the end of its last committed window (or since /metrics first saw it, if it never"
				+ " succeeded), at most " + MAX_UNCOMMITTED + ". 1 while its latest fire runs or failed once; 2 or more:"
				+ " it missed two intervals. Only for plugins that should fire (SCHEDULED, BLOCKED, STUCK, UNAVAILABLE)",
				null);
		CounterSnapshot.Builder missed = CounterSnapshot.builder().name("crontainer_plugin_missed_fires")
				.help("Fire times of the cron plugin whose run did not start within the misfire grace (60 s): the"
						+ " runtime was down, the state store away, the plugin busy. Counted since the scheduler started");
		for (CronJobDTO job : jobs) {
			String name = label(job.name);
			List<String> plugin = List.of("plugin", name);
			missed.dataPoint(CounterDataPointSnapshot.builder().labels(Labels.of("plugin", name))
					.value(job.missedFires).build());
			info.dataPoint(InfoDataPointSnapshot.builder().labels(Labels.of("plugin", name, "interval",
					label(job.interval), "zone", label(job.zone), "misfire", label(job.misfire), "bundle",
					label(job.bundleSymbolicName))).build());
			StateSetDataPointSnapshot.Builder states = StateSetDataPointSnapshot.builder()
					.labels(Labels.of("plugin", name));
			for (JobState s : JobState.values()) {
				states.state(s.name(), s == job.state);
			}
			state.dataPoint(states.build());
			runningNow.value(plugin, job.running ? 1 : 0);
			if (job.runningSince != null) {
				runStart.value(plugin, job.runningSince / 1000.0);
			}
			failures.value(plugin, job.consecutiveFailures);
			if (job.timeout != null) {
				timeout.value(plugin, job.timeout);
			}
			if (job.nextFire != null) {
				nextFire.value(plugin, job.nextFire / 1000.0);
			}
			if (job.lastEnd != null) {
				lastWindowEnd.value(plugin, job.lastEnd / 1000.0);
			}
			Long success = observer.lastSuccess(job.name);
			if (success != null) {
				lastSuccess.value(plugin, success / 1000.0);
			}
			if (FIRING.contains(job.state) && job.interval != null) {
				long from = job.lastEnd != null ? job.lastEnd : first.getOrDefault(job.name, now);
				Integer n = uncommittedFires(rt, job, from, now);
				if (n != null) {
					uncommitted.value(plugin, n);
				}
			}
		}
		out.add(info.build());
		out.add(state.build());
		out.add(missed.build());
		for (Gauge g : List.of(runningNow, runStart, failures, timeout, nextFire, lastWindowEnd, lastSuccess,
				uncommitted)) {
			if (!g.empty()) {
				out.add(g.build());
			}
		}
		return new MetricSnapshots(out);
	}

	/**
	 * The engine's due queue and its store's commit times ({@link CronRuntime#getEngine()}): the gauge
	 * {@code crontainer_due_queue_length} and the histogram {@code crontainer_store_commit_duration_seconds},
	 * whose buckets and counts the engine keeps (cumulative, as Prometheus's).
	 */
	static void engine(CronRuntime rt, List<MetricSnapshot> out) {
		EngineDTO engine;
		try {
			engine = rt.getEngine();
		} catch (RuntimeException e) { // the scheduler is stopping
			return;
		}
		out.add(gauge("crontainer_due_queue_length", "Deadlines waiting in the scheduler's due queue: each scheduled"
				+ " plugin's next fire time, the time limits of runs and plugin calls in progress, retries, the re-check",
				null).value(List.of(), engine.dueQueueSize).build());
		double[] bounds = engine.commitBuckets == null ? new double[0] : engine.commitBuckets;
		long[] counts = engine.commitCounts == null ? new long[0] : engine.commitCounts;
		int n = Math.min(bounds.length, counts.length);
		double[] upper = new double[n + 1];
		long[] each = new long[n + 1];
		long before = 0;
		for (int i = 0; i < n; i++) {
			upper[i] = bounds[i];
			each[i] = Math.max(0, counts[i] - before); // the engine's buckets are cumulative, the snapshot's not
			before = Math.max(before, counts[i]);
		}
		upper[n] = Double.POSITIVE_INFINITY;
		each[n] = Math.max(0, engine.commits - before);
		out.add(HistogramSnapshot.builder().name("crontainer_store_commit_duration_seconds")
				.help("How long the state store took to commit a run's window end: from the run asking (its plugin"
						+ " returned) to the store's answer, durable or an error; a group commit's wait included."
						+ " Since the scheduler started")
				.unit(Unit.SECONDS)
				.dataPoint(HistogramDataPointSnapshot.builder()
						.classicHistogramBuckets(ClassicHistogramBuckets.of(upper, each)).sum(engine.commitSeconds)
						.build())
				.build());
	}

	/**
	 * How many fire times of a plugin's interval lie after {@code from} and not after {@code now}.
	 *
	 * @return 0 to {@value #MAX_UNCOMMITTED}, or {@code null} if the runtime view cannot compute its fire
	 *         times.
	 */
	static Integer uncommittedFires(CronRuntime rt, CronJobDTO job, long from, long now) {
		if (rt == null || from >= now) {
			return rt == null ? null : 0;
		}
		List<ZonedDateTime> fires;
		try {
			fires = rt.preview(job.interval, job.name, ZoneId.of(job.zone), Instant.ofEpochMilli(from),
					MAX_UNCOMMITTED);
		} catch (RuntimeException e) { // the interval changed meanwhile, or the zone is unknown here
			return null;
		}
		int n = 0;
		for (ZonedDateTime fire : fires) {
			if (fire.toInstant().toEpochMilli() > now) {
				break;
			}
			n++;
		}
		return n;
	}

	/**
	 * Records when each plugin was first seen (by a poll or a scrape) and forgets departed ones. A plugin that
	 * never succeeded counts its uncommitted fires from then.
	 *
	 * @return A copy of the first sightings, by plugin name.
	 */
	synchronized Map<String, Long> saw(List<CronJobDTO> jobs, long now) {
		Set<String> names = new HashSet<>();
		for (CronJobDTO job : jobs) {
			names.add(job.name);
			firstSeen.putIfAbsent(job.name, now);
		}
		firstSeen.keySet().retainAll(names);
		return new HashMap<>(firstSeen);
	}

	/**
	 * A label value: {@code ""} for {@code null}, control characters escaped ({@link Formats#escaped}), so a
	 * plugin's name or property cannot act on the terminal of whoever reads {@code /metrics}.
	 */
	static String label(String s) {
		return s == null ? "" : Formats.escaped(s);
	}

	private static Gauge gauge(String name, String help, Unit unit) {
		return new Gauge(name, help, unit);
	}

	/** One gauge family being built. */
	private static final class Gauge {
		private final GaugeSnapshot.Builder builder;
		private boolean empty = true;

		Gauge(String name, String help, Unit unit) {
			builder = GaugeSnapshot.builder().name(name).help(help);
			if (unit != null) {
				builder.unit(unit);
			}
		}

		Gauge value(List<String> labels, double value) {
			builder.dataPoint(GaugeDataPointSnapshot.builder().labels(Labels.of(labels.toArray(String[]::new)))
					.value(value).build());
			empty = false;
			return this;
		}

		boolean empty() {
			return empty;
		}

		GaugeSnapshot build() {
			return builder.build();
		}
	}
}
