package io.crontainer.format;

import java.time.ZoneId;

import io.crontainer.api.runtime.CronJobDTO;
import io.crontainer.api.runtime.CronRunDTO;
import io.crontainer.api.runtime.JobState;
import io.crontainer.api.runtime.Outcome;

/**
 * How Crontainer writes a plugin's state and its runs for people, from the runtime view's DTOs, with the
 * durations of {@link Formats}: the shell's {@code cron:list} and {@code cron:info}, the Cron jobs page and
 * the health checks all say them this way.
 *
 * <p>
 * Text that came from a plugin (its name, reason and error texts) is returned as it is: each surface
 * escapes it for its medium. Stateless and thread-safe; {@code now} is always the caller's clock.
 */
public final class Jobs {
	private Jobs() {
	}

	/**
	 * A plugin's state, with what its run is doing: {@code SCHEDULED}, {@code SCHEDULED (running 12.0 s)},
	 * {@code SCHEDULED (queued)}, {@code STUCK (3 min)}, {@code PAUSED (running 1 min 4 s)}.
	 *
	 * @param job The job. Must not be {@code null}.
	 * @param now The current time, UTC epoch milliseconds.
	 * @return The text. Never {@code null}.
	 */
	public static String state(CronJobDTO job, long now) {
		if (job.runningSince != null && (job.running || job.state == JobState.STUCK)) {
			String age = Formats.age(job.runningSince, now);
			return job.state == JobState.STUCK ? job.state + " (" + age + ")" : job.state + " (running " + age + ")";
		}
		if (!job.running) {
			return String.valueOf(job.state);
		}
		return job.state + (isQueued(job) ? " (queued)" : " (running)");
	}

	/**
	 * How long a run took, has taken so far (running), or has waited to start so far (queued).
	 *
	 * @param run The run. Must not be {@code null}.
	 * @param now The current time, UTC epoch milliseconds.
	 * @return The duration, or {@code null} for a skipped fire, which took no time.
	 */
	public static String took(CronRunDTO run, long now) {
		if (run.outcome == Outcome.SKIPPED) {
			return null;
		}
		return run.finished != null ? Formats.duration(run.finished - run.started) : Formats.age(run.started, now);
	}

	/**
	 * How late a run started after the fire time it was started for ({@link Formats#age(long, long)} of the
	 * fire time at the start).
	 *
	 * @param run The run. Must not be {@code null}.
	 * @return The lateness, or {@code null} for a run fired by hand, a retry or re-run without a fire time,
	 *         and a run still queued.
	 */
	public static String late(CronRunDTO run) {
		Long fire = run.scheduledFire;
		if (fire == null || run.outcome == Outcome.QUEUED) {
			return null;
		}
		return Formats.age(fire, run.started);
	}

	/**
	 * Why a plugin needs attention, in one line: why it is not scheduled, else why its last run did not
	 * succeed ({@code last run: } and the first line of the error of a failed, timed-out or interrupted
	 * run).
	 *
	 * @param job The job. Must not be {@code null}.
	 * @return The reason, or {@code null} if there is none. It holds the plugin's own texts.
	 */
	public static String reason(CronJobDTO job) {
		if (job.reason != null) {
			return job.reason;
		}
		CronRunDTO last = job.lastRun;
		if (last != null && last.error != null && failed(last.outcome)) {
			return "last run: " + last.error.strip().lines().findFirst().orElse("");
		}
		return null;
	}

	/**
	 * A plugin's missed fire times, for a detail view: {@code 0}, or {@code 3, the latest
	 * 2026-12-07T08:00+01:00[Europe/Paris] (5 min ago)}.
	 *
	 * @param job The job. Must not be {@code null}.
	 * @param zone The zone to show the latest in (the plugin's). Must not be {@code null}.
	 * @param now The current time, UTC epoch milliseconds.
	 * @return The text. Never {@code null}.
	 */
	public static String missed(CronJobDTO job, ZoneId zone, long now) {
		return Formats.number(job.missedFires) + (job.lastMissedFire == null ? ""
				: ", the latest " + Formats.zoned(job.lastMissedFire, zone) + " (" + Formats.age(job.lastMissedFire, now)
						+ " ago)");
	}

	/** What a missed fire time is, in one sentence: for beside {@link #missed(CronJobDTO, ZoneId, long)}. */
	public static final String MISSED_MEANS = "fire times whose run did not start within 60 s (the runtime was down,"
			+ " the store away, the plugin busy)";

	/**
	 * The bundle that registered a plugin: {@code com.example.plugins [7]}.
	 *
	 * @param job The job. Must not be {@code null}.
	 * @return The text. Never {@code null}.
	 */
	public static String bundle(CronJobDTO job) {
		return job.bundleSymbolicName + " [" + job.bundleId + "]";
	}

	/**
	 * Whether a plugin's run was fired and has not started yet.
	 *
	 * @param job The job. Must not be {@code null}.
	 * @return {@code true} if its latest run is {@link Outcome#QUEUED}.
	 */
	public static boolean isQueued(CronJobDTO job) {
		return job.lastRun != null && job.lastRun.outcome == Outcome.QUEUED;
	}

	/**
	 * Whether a run has ended.
	 *
	 * @param run The run. Must not be {@code null}.
	 * @return {@code false} while it is queued or running.
	 */
	public static boolean isOver(CronRunDTO run) {
		return run.outcome != Outcome.QUEUED && run.outcome != Outcome.RUNNING;
	}

	/**
	 * Whether an outcome is a failure: {@link Outcome#FAILED}, {@link Outcome#TIMED_OUT} or
	 * {@link Outcome#INTERRUPTED}.
	 *
	 * @param outcome The outcome, or {@code null}.
	 * @return {@code true} for those three.
	 */
	public static boolean failed(Outcome outcome) {
		return outcome == Outcome.FAILED || outcome == Outcome.TIMED_OUT || outcome == Outcome.INTERRUPTED;
	}
}
