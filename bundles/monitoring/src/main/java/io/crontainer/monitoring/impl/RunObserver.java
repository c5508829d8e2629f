package io.crontainer.monitoring.impl;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.osgi.service.event.Event;

import io.crontainer.api.runtime.CronEvents;
import io.crontainer.api.runtime.CronJobDTO;
import io.crontainer.api.runtime.Outcome;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;

/**
 * Turns the scheduler's {@link CronEvents#RUN_ENDED} events into Prometheus counters and histograms: each run
 * that ended (or fire time that was skipped) is counted once, by plugin and outcome, and its duration and
 * lateness are observed.
 *
 * <p>
 * The scheduler posts one {@code ENDED} event per run that <em>this</em> runtime recorded, so the counts are
 * this runtime's: in a cluster, each runtime counts the runs it ran, and the sum over the cluster counts
 * every run once (a fire time another runtime claimed is neither run nor skipped here). Nothing reads the
 * run history: a scrape costs no store query. An event that Event Admin never delivered (none running, or
 * dropped under a flood; {@link CronEvents}) is not counted: the history stays the record.
 *
 * <p>
 * Exemplars are off: there are no traces to link to, and in OSGi the client's exemplar sampler needs the
 * optional package {@code io.prometheus.metrics.tracer.initializer} (NoClassDefFoundError without it).
 *
 * <p>
 * Threads: {@link #ended(Event)} is called by Event Admin's delivery threads; {@link #retain(Iterable)} and
 * {@link #lastSuccess(String)} by scrapes (HTTP threads). They synchronize on this object, a lock held only
 * while the maps and the in-memory metrics change (no I/O, logging or runtime-view call under it). Scrapes
 * read the metrics without it (they are thread-safe by themselves).
 */
final class RunObserver {
	/** Upper bounds of the run duration buckets, in seconds: 10 ms to 6 h. */
	static final double[] DURATION_BUCKETS = { 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600,
			7200, 21600 };
	/** Upper bounds of the lateness buckets, in seconds: 1 ms to 1 h. */
	static final double[] LATENESS_BUCKETS = { 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 3600 };

	private final Counter runs;
	private final Histogram duration;
	private final Histogram lateness;
	/** Plugin name to the end of its newest successful run seen, UTC epoch milliseconds. */
	private final Map<String, Long> lastSuccess = new HashMap<>();
	/** Plugin names with series in the counter and histograms. */
	private final Set<String> labelled = new HashSet<>();

	/**
	 * @param registry Where the counter and histograms are registered. Must not be {@code null}.
	 */
	RunObserver(PrometheusRegistry registry) {
		runs = Counter.builder().name("crontainer_plugin_runs_total")
				.help("Runs of a cron plugin that ended on this runtime, by outcome (succeeded, failed, timed_out,"
						+ " interrupted), and its fire times skipped here (skipped), since /metrics started")
				.labelNames("plugin", "outcome").withoutExemplars().register(registry);
		duration = Histogram.builder().name("crontainer_plugin_run_duration_seconds")
				.help("How long the runs of a cron plugin on this runtime took, from start to end, whatever their outcome")
				.unit(Unit.SECONDS).classicOnly().classicUpperBounds(DURATION_BUCKETS).labelNames("plugin")
				.withoutExemplars().register(registry);
		lateness = Histogram.builder().name("crontainer_plugin_run_lateness_seconds")
				.help("How late the runs of a cron plugin on this runtime started after their fire time (runs fired by"
						+ " hand are not counted)")
				.unit(Unit.SECONDS).classicOnly().classicUpperBounds(LATENESS_BUCKETS).labelNames("plugin")
				.withoutExemplars().register(registry);
	}

	/**
	 * Counts a run that ended, from its {@link CronEvents#RUN_ENDED} event. An event of another topic, or one
	 * without a name, a known final outcome or a start time of the documented types, is ignored (any bundle can
	 * post on any topic; a malformed event must not break the count).
	 *
	 * @param event The event. Must not be {@code null}.
	 * @return Whether it was counted.
	 */
	boolean ended(Event event) {
		if (!CronEvents.RUN_ENDED.equals(event.getTopic())
				|| !(event.getProperty(CronEvents.NAME) instanceof String name)
				|| !(event.getProperty(CronEvents.OUTCOME) instanceof String outcomeName)
				|| !(event.getProperty(CronEvents.STARTED) instanceof Long started)) {
			return false;
		}
		Outcome outcome;
		try {
			outcome = Outcome.valueOf(outcomeName);
		} catch (IllegalArgumentException e) {
			return false;
		}
		Long finished = event.getProperty(CronEvents.FINISHED) instanceof Long f ? f : null;
		Long fire = event.getProperty(CronEvents.SCHEDULED_FIRE) instanceof Long s ? s : null;
		if (outcome == Outcome.QUEUED || outcome == Outcome.RUNNING || outcome != Outcome.SKIPPED && finished == null) {
			return false; // not an end
		}
		String label = RuntimeMetrics.label(name);
		synchronized (this) {
			labelled.add(name);
			runs.labelValues(label, outcome.name().toLowerCase(Locale.ROOT)).inc();
			if (outcome == Outcome.SUCCEEDED) {
				lastSuccess.merge(name, finished, Math::max);
			}
			if (outcome != Outcome.SKIPPED) {
				duration.labelValues(label).observe(Math.max(0, finished - started) / 1000.0);
				if (fire != null) {
					lateness.labelValues(label).observe(Math.max(0, started - fire) / 1000.0);
				}
			}
		}
		return true;
	}

	/**
	 * Takes what a scrape read from the runtime view: the live plugins. A plugin's latest run, if it
	 * succeeded, updates its last success (also one that another runtime of a cluster ran, or one from
	 * before a restart); the series of plugins that are no longer live are removed, from the next scrape on (a plugin that comes back
	 * counts from 0 again, which Prometheus reads as a counter reset).
	 *
	 * @param jobs The live plugins, as {@code CronRuntime.getJobs()} returned them. Must not be {@code null}.
	 */
	synchronized void retain(Iterable<CronJobDTO> jobs) {
		Set<String> live = new HashSet<>();
		for (CronJobDTO job : jobs) {
			live.add(job.name);
			if (job.lastRun != null && job.lastRun.outcome == Outcome.SUCCEEDED && job.lastRun.finished != null) {
				lastSuccess.merge(job.name, job.lastRun.finished, Math::max);
			}
		}
		for (var it = labelled.iterator(); it.hasNext();) {
			String name = it.next();
			if (!live.contains(name)) {
				String label = RuntimeMetrics.label(name);
				for (Outcome o : Outcome.values()) {
					runs.remove(label, o.name().toLowerCase(Locale.ROOT));
				}
				duration.remove(label);
				lateness.remove(label);
				it.remove();
			}
		}
		lastSuccess.keySet().retainAll(live);
	}

	/**
	 * When the newest successful run of a plugin that this observer saw ended.
	 *
	 * @return UTC epoch milliseconds, or {@code null} if none was seen.
	 */
	synchronized Long lastSuccess(String plugin) {
		return lastSuccess.get(plugin);
	}
}
