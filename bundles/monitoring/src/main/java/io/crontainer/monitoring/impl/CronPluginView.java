package io.crontainer.monitoring.impl;

import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;

import io.crontainer.api.runtime.CronJobDTO;
import io.crontainer.api.runtime.CronRunDTO;
import io.crontainer.api.runtime.CronRuntime;
import io.crontainer.api.runtime.Outcome;
import io.crontainer.format.Formats;

/**
 * The {@link CronPluginMXBean} of one plugin name: each attribute read asks the runtime view for the job
 * again. Called by JMX clients' threads; thread-safe (it holds only the name and a supplier).
 */
final class CronPluginView implements CronPluginMXBean {
	/** How many runs are searched for the latest finished and the latest scheduled one. */
	static final int HISTORY = 20;

	private final String name;
	private final Supplier<CronRuntime> runtime;

	CronPluginView(String name, Supplier<CronRuntime> runtime) {
		this.name = name;
		this.runtime = runtime;
	}

	private CronRuntime rt() {
		CronRuntime rt = runtime.get();
		if (rt == null) {
			throw new IllegalStateException("The Crontainer scheduler is not running");
		}
		return rt;
	}

	private CronJobDTO job() {
		CronJobDTO job = rt().getJob(name);
		if (job == null) {
			throw new IllegalStateException("Cron plugin \"" + name + "\" is no longer deployed");
		}
		return job;
	}

	private List<CronRunDTO> history() {
		try {
			return rt().getHistory(name, HISTORY);
		} catch (IllegalArgumentException e) { // left meanwhile
			throw new IllegalStateException("Cron plugin \"" + name + "\" is no longer deployed", e);
		}
	}

	@Override
	public String getName() {
		return name;
	}

	@Override
	public String getState() {
		return job().state.name();
	}

	@Override
	public String getReason() {
		return Formats.escaped(job().reason); // a pause's reason is an operator's text
	}

	@Override
	public String getPausedBy() {
		return Formats.escaped(job().pausedBy);
	}

	@Override
	public String getPausedAt() {
		return instant(job().pausedAt);
	}

	@Override
	public String getPauseReason() {
		return Formats.escaped(job().pauseReason);
	}

	@Override
	public int getRetries() {
		return job().retries;
	}

	@Override
	public int getRetryAttempt() {
		Integer attempt = job().retryAttempt;
		return attempt == null ? 0 : attempt;
	}

	@Override
	public String getRetryAt() {
		return instant(job().retryAt);
	}

	@Override
	public boolean isRunning() {
		return job().running;
	}

	@Override
	public long getRunCount() {
		return job().runCount;
	}

	@Override
	public long getFailureCount() {
		return job().failureCount;
	}

	@Override
	public long getTimeoutCount() {
		return job().timeoutCount;
	}

	@Override
	public long getConsecutiveFailures() {
		return job().consecutiveFailures;
	}

	@Override
	public long getMissedFires() {
		return job().missedFires;
	}

	@Override
	public String getLastMissedFire() {
		Long at = job().lastMissedFire;
		return at == null ? null : Instant.ofEpochMilli(at).toString();
	}

	@Override
	public String getLastOutcome() {
		CronRunDTO last = job().lastRun;
		return last == null ? null : last.outcome.name();
	}

	@Override
	public long getLastDurationMillis() {
		return lastDuration(history());
	}

	@Override
	public long getLastLatenessMillis() {
		return lastLateness(history());
	}

	@Override
	public String getNextFire() {
		return instant(job().nextFire);
	}

	@Override
	public String getLastWindowEnd() {
		return instant(job().lastEnd);
	}

	@Override
	public String getInterval() {
		return job().interval;
	}

	@Override
	public String getZone() {
		return job().zone;
	}

	@Override
	public String getBundle() {
		CronJobDTO job = job();
		return job.bundleSymbolicName + " [" + job.bundleId + "]";
	}

	/**
	 * How long the newest finished run took.
	 *
	 * @param runs Runs, newest first.
	 * @return Milliseconds, or -1 if none of them finished (skipped fires do not count).
	 */
	static long lastDuration(List<CronRunDTO> runs) {
		for (CronRunDTO run : runs) {
			if (run.finished != null && run.outcome != Outcome.SKIPPED) {
				return Math.max(0, run.finished - run.started);
			}
		}
		return -1;
	}

	/**
	 * How late the newest run started by the schedule began after its fire time.
	 *
	 * @param runs Runs, newest first.
	 * @return Milliseconds (0 or more), or -1 if none of them was started for a fire time (a queued run
	 *         has not started yet, a skipped one never does).
	 */
	static long lastLateness(List<CronRunDTO> runs) {
		for (CronRunDTO run : runs) {
			if (run.scheduledFire != null && run.outcome != Outcome.SKIPPED && run.outcome != Outcome.QUEUED) {
				return Math.max(0, run.started - run.scheduledFire);
			}
		}
		return -1;
	}

	private static String instant(Long millis) {
		return millis == null ? null : Instant.ofEpochMilli(millis).toString();
	}
}
