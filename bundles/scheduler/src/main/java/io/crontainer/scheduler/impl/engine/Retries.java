package io.crontainer.scheduler.impl.engine;

import java.time.Duration;
import java.time.Instant;

import io.crontainer.api.runtime.Trigger;
import io.crontainer.scheduler.impl.whiteboard.RetryPolicy;
import io.crontainer.store.api.PendingRetry;

/**
 * The rules of {@code cron.retry}, as pure functions: which retry a failed run leaves behind, and when a
 * pending retry may run. The engine keeps the retry in the job's record ({@code RunState.retry()}, so
 * that it survives restarts and a cluster shares it) and its deadline in the due queue; this class
 * only decides. Stateless and thread-safe.
 *
 * <p>
 * A retry keeps the window's start (the record's {@code lastEnd}) and ends at its own time, like any
 * run; it is claimed with its due time as its fire time (so that a cluster runs it once, and never
 * while the plugin is paused). It never runs at or after the plugin's next fire time: that fire time
 * takes over, and its own failure starts the retries again from the first.
 */
final class Retries {
	/** {@link PendingRetry#until()} of a plugin with no next fire time: a day after the retry. */
	static final Duration NO_FIRE_TIME = Duration.ofDays(1);

	private Retries() {
	}

	/**
	 * What a run that did not succeed leaves.
	 *
	 * @param keep Whether the pending retry stays as it is (a run fired by hand: its caller saw it fail);
	 *        then {@code retry} is the one pending.
	 * @param retry The retry to persist; {@code null} for none (none asked for, all spent, or it would
	 *        come at or after the next fire time).
	 */
	record Decision(boolean keep, PendingRetry retry) {
	}

	/**
	 * The retry a run leaves that failed or timed out.
	 *
	 * @param policy The plugin's {@code cron.retry} settings. Must not be {@code null}.
	 * @param trigger What started the failed run. Must not be {@code null}.
	 * @param pending The retry that was pending when the run ended (the one it ran, for a retry);
	 *        {@code null} if none.
	 * @param ended When the failed run ended, UTC: the delays count from here.
	 * @param nextFire The plugin's next fire time, UTC epoch ms, or {@link Job#NONE}.
	 * @return The decision. Never {@code null}.
	 */
	static Decision after(RetryPolicy policy, Trigger trigger, PendingRetry pending, Instant ended, long nextFire) {
		if (trigger == Trigger.MANUAL) {
			return new Decision(true, pending);
		}
		int attempt = trigger == Trigger.RETRY && pending != null ? pending.attempt() + 1 : 1;
		if (policy.attempts() == 0 || attempt > policy.attempts()) {
			return new Decision(false, null);
		}
		Instant at = ended.plus(policy.delayOf(attempt));
		Instant until = nextFire == Job.NONE ? at.plus(NO_FIRE_TIME) : Instant.ofEpochMilli(nextFire);
		if (!at.isBefore(until)) {
			return new Decision(false, null); // the next fire time takes over
		}
		return new Decision(false, new PendingRetry(attempt, policy.attempts(), at, until));
	}

	/**
	 * When a pending retry is to run: its time, or now if that passed (a restart, a resume); {@code null}
	 * if it may no longer run because the next fire time (or its {@code until}) has come.
	 *
	 * @param retry The pending retry. Must not be {@code null}.
	 * @param now The current time, UTC.
	 * @param nextFire The plugin's next fire time, UTC epoch ms, or {@link Job#NONE}.
	 * @return The instant, UTC; {@code null} for none.
	 */
	static Instant when(PendingRetry retry, Instant now, long nextFire) {
		Instant at = retry.at().isAfter(now) ? retry.at() : now;
		if (!at.isBefore(retry.until()) || nextFire != Job.NONE && at.toEpochMilli() >= nextFire) {
			return null;
		}
		return at;
	}
}
