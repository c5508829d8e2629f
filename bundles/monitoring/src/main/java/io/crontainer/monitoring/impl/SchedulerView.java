package io.crontainer.monitoring.impl;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import io.crontainer.api.runtime.CronJobDTO;
import io.crontainer.api.runtime.CronRuntime;
import io.crontainer.api.runtime.EngineDTO;
import io.crontainer.api.runtime.JobState;
import io.crontainer.api.runtime.Outcome;

/**
 * The {@link SchedulerMXBean}: each attribute read asks the runtime view for the jobs again. Called by
 * JMX clients' threads; thread-safe.
 */
final class SchedulerView implements SchedulerMXBean {

	private final Supplier<CronRuntime> runtime;

	SchedulerView(Supplier<CronRuntime> runtime) {
		this.runtime = runtime;
	}

	private List<CronJobDTO> jobs() {
		CronRuntime rt = runtime.get();
		return rt == null ? List.of() : rt.getJobs();
	}

	private int count(JobState state) {
		return Checks.byState(jobs()).get(state);
	}

	private int runs(Outcome outcome) {
		int n = 0;
		for (CronJobDTO job : jobs()) {
			if (job.running && job.lastRun != null && job.lastRun.outcome == outcome) {
				n++;
			}
		}
		return n;
	}

	@Override
	public boolean isAvailable() {
		return runtime.get() != null;
	}

	@Override
	public int getPlugins() {
		return jobs().size();
	}

	@Override
	public Map<String, Integer> getPluginsByState() {
		Map<String, Integer> byName = new LinkedHashMap<>();
		Checks.byState(jobs()).forEach((state, n) -> byName.put(state.name(), n));
		return byName;
	}

	@Override
	public int getScheduledPlugins() {
		return count(JobState.SCHEDULED);
	}

	@Override
	public int getPendingPlugins() {
		return count(JobState.PENDING);
	}

	@Override
	public int getPausedPlugins() {
		return count(JobState.PAUSED);
	}

	@Override
	public int getDisabledPlugins() {
		return count(JobState.DISABLED);
	}

	@Override
	public int getInvalidPlugins() {
		return count(JobState.INVALID);
	}

	@Override
	public int getDuplicatePlugins() {
		return count(JobState.DUPLICATE);
	}

	@Override
	public int getBlockedPlugins() {
		return count(JobState.BLOCKED);
	}

	@Override
	public int getStuckPlugins() {
		return count(JobState.STUCK);
	}

	@Override
	public int getRunningRuns() {
		return runs(Outcome.RUNNING);
	}

	@Override
	public int getQueuedRuns() {
		return runs(Outcome.QUEUED);
	}

	@Override
	public long getRunCount() {
		return jobs().stream().mapToLong(j -> j.runCount).sum();
	}

	@Override
	public long getFailureCount() {
		return jobs().stream().mapToLong(j -> j.failureCount).sum();
	}

	@Override
	public long getTimeoutCount() {
		return jobs().stream().mapToLong(j -> j.timeoutCount).sum();
	}

	private EngineDTO engine() {
		CronRuntime rt = runtime.get();
		return rt == null ? null : rt.getEngine();
	}

	@Override
	public int getDueQueueSize() {
		EngineDTO engine = engine();
		return engine == null ? -1 : engine.dueQueueSize;
	}

	@Override
	public long getCommitCount() {
		EngineDTO engine = engine();
		return engine == null ? 0 : engine.commits;
	}

	@Override
	public double getCommitMeanMillis() {
		EngineDTO engine = engine();
		return engine == null || engine.commits == 0 ? -1 : engine.commitSeconds * 1000 / engine.commits;
	}
}
