package io.crontainer.monitoring.impl;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.crontainer.api.runtime.CronRunDTO;
import io.crontainer.api.runtime.CronRuntime;
import io.crontainer.api.runtime.Outcome;
import io.crontainer.api.runtime.Trigger;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;

/**
 * Turns the run history of the runtime view into Prometheus counters and histograms: each run that ended
 * (or fire that was skipped) is counted once, by plugin and outcome, and its duration and lateness are
 * observed, when {@link #observe(List, Set)} first sees it finished.
 *
 * <p>
 * The runtime view posts no events, so this reads {@link CronRuntime#getHistory(String, int) getHistory(null,
 * }{@value #BATCH}{@code )} (every plugin's newest runs) on each poll and remembers which finished runs the
 * last poll saw. A run is counted only if it ended after this observer was created (runs kept from before
 * are history, not news), and only if it is still among the newest {@value #BATCH} runs, and within the
 * scheduler's {@code history.size} runs of its plugin, at the next poll: the poll period bounds what can be
 * lost (see the README).
 *
 * <p>
 * Exemplars are off: there are no traces to link to, and in OSGi the client's exemplar sampler needs the
 * optional package {@code io.prometheus.metrics.tracer.initializer} (NoClassDefFoundError without it).
 *
 * <p>
 * Threads: {@link #observe(List, Set)} and {@link #lastSuccess(String)} are called by the poller thread and by
 * scrapes (HTTP threads); they synchronize on this object, a lock of its own held only while it updates its
 * maps and the in-memory metrics (no I/O, logging or runtime-view call under it). Scrapes read the metrics
 * without it (they are thread-safe by themselves).
 */
final class RunObserver {
	/** How many of the newest runs one poll reads. */
	static final int BATCH = 500;

	/** Upper bounds of the run duration buckets, in seconds: 10 ms to 6 h. */
	static final double[] DURATION_BUCKETS = { 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600,
			7200, 21600 };
	/** Upper bounds of the lateness buckets, in seconds: 1 ms to 1 h. */
	static final double[] LATENESS_BUCKETS = { 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 3600 };

	private final long since;
	private final Counter runs;
	private final Histogram duration;
	private final Histogram lateness;
	/** Keys of the finished runs the last poll saw. */
	private Set<Key> seen = new HashSet<>();
	/** Plugin name to the end of its newest successful run seen, UTC epoch milliseconds. */
	private final Map<String, Long> lastSuccess = new HashMap<>();
	/** Plugin names with series in the counter and histograms. */
	private final Set<String> labelled = new HashSet<>();

	/**
	 * @param registry Where the counter and histograms are registered. Must not be {@code null}.
	 * @param since Runs that ended before this instant (UTC epoch milliseconds) are not counted.
	 */
	RunObserver(PrometheusRegistry registry, long since) {
		this.since = since;
		runs = Counter.builder().name("crontainer_plugin_runs_total")
				.help("Runs of a cron plugin that ended, by outcome (succeeded, failed, timed_out, interrupted), and fire"
						+ " times skipped (skipped), since /metrics started")
				.labelNames("plugin", "outcome").withoutExemplars().register(registry);
		duration = Histogram.builder().name("crontainer_plugin_run_duration_seconds")
				.help("How long the runs of a cron plugin took, from start to end, whatever their outcome")
				.unit(Unit.SECONDS).classicOnly().classicUpperBounds(DURATION_BUCKETS).labelNames("plugin")
				.withoutExemplars().register(registry);
		lateness = Histogram.builder().name("crontainer_plugin_run_lateness_seconds")
				.help("How late the runs of a cron plugin started after their fire time (runs fired by hand are not"
						+ " counted)")
				.unit(Unit.SECONDS).classicOnly().classicUpperBounds(LATENESS_BUCKETS).labelNames("plugin")
				.withoutExemplars().register(registry);
	}

	/**
	 * Counts and observes the runs that ended since the last call.
	 *
	 * @param history The newest runs of every plugin, newest first, as {@link CronRuntime#getHistory} returns
	 *        them. Must not be {@code null}.
	 * @param live The names of the live plugins: series of other names that are not in {@code history} either
	 *        are removed.
	 */
	synchronized void observe(List<CronRunDTO> history, Set<String> live) {
		Set<Key> now = new HashSet<>();
		Set<String> named = new HashSet<>(live);
		for (CronRunDTO run : history) {
			named.add(run.name);
			if (!ended(run)) {
				continue;
			}
			Key key = new Key(run);
			now.add(key);
			if (run.outcome == Outcome.SUCCEEDED && run.finished != null) {
				lastSuccess.merge(run.name, run.finished, Math::max);
			}
			if (seen.contains(key) || end(run) < since) {
				continue;
			}
			labelled.add(run.name);
			runs.labelValues(RuntimeMetrics.label(run.name), run.outcome.name().toLowerCase(Locale.ROOT)).inc();
			if (run.outcome == Outcome.SKIPPED) {
				continue;
			}
			duration.labelValues(RuntimeMetrics.label(run.name)).observe(Math.max(0, run.finished - run.started) / 1000.0);
			if (run.scheduledFire != null) {
				lateness.labelValues(RuntimeMetrics.label(run.name)).observe(Math.max(0, run.started - run.scheduledFire) / 1000.0);
			}
		}
		seen = now;
		for (var it = labelled.iterator(); it.hasNext();) {
			String name = it.next();
			if (!named.contains(name)) {
				for (Outcome o : Outcome.values()) {
					runs.remove(RuntimeMetrics.label(name), o.name().toLowerCase(Locale.ROOT));
				}
				duration.remove(RuntimeMetrics.label(name));
				lateness.remove(RuntimeMetrics.label(name));
				lastSuccess.remove(name);
				it.remove();
			}
		}
		lastSuccess.keySet().retainAll(named);
	}

	/**
	 * When the newest successful run of a plugin that any poll saw ended.
	 *
	 * @return UTC epoch milliseconds, or {@code null} if none was seen.
	 */
	synchronized Long lastSuccess(String plugin) {
		return lastSuccess.get(plugin);
	}

	/** Whether a run is over: it ended (a finish time and a final outcome) or its fire was skipped. */
	private static boolean ended(CronRunDTO run) {
		return run.outcome == Outcome.SKIPPED
				|| run.finished != null && run.outcome != Outcome.RUNNING && run.outcome != Outcome.QUEUED;
	}

	private static long end(CronRunDTO run) {
		return run.finished != null ? run.finished : run.started;
	}

	/**
	 * What tells one run from another in the history (a run has no id in the runtime view). Not its node: a
	 * cluster's runtime view shows a run from the shared store, or from its own records while the store is away.
	 */
	private record Key(String name, long started, Trigger trigger, Long scheduledFire, Long windowStart) {
		Key(CronRunDTO run) {
			this(run.name, run.started, run.trigger, run.scheduledFire, run.windowStart);
		}
	}
}
