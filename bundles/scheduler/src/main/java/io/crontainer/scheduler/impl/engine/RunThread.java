package io.crontainer.scheduler.impl.engine;

import java.time.Clock;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.crontainer.api.CronPlugin;
import io.crontainer.api.runtime.CronLogDTO;
import io.crontainer.api.runtime.CronRunDTO;
import io.crontainer.api.runtime.Outcome;
import io.crontainer.api.runtime.Trigger;
import io.crontainer.format.Formats;
import io.crontainer.scheduler.impl.runlog.RunLogCapture;
import io.crontainer.store.api.Claim;
import io.crontainer.store.api.ClaimRequest;
import io.crontainer.store.api.ClaimResult;
import io.crontainer.store.api.CorruptStateException;
import io.crontainer.store.api.FencedException;
import io.crontainer.store.api.PendingRetry;
import io.crontainer.store.api.RunState;
import io.crontainer.store.api.StateStore;
import io.crontainer.store.api.StoreUnavailableException;

/**
 * A run on its own thread from the {@link RunPool}: claim, run, commit. It claims the run's window from
 * the {@link StateStore} (no lock held); takes the window start from the claim and the window end from
 * the clock; the thread carries the name {@code crontainer-run-N [NAME]} (the {@link RunPool} names it
 * so for the run's task, {@link RunPool#named}, and gives it its own name back once idle), marks it as
 * the run's for its log ({@code RunLogCapture}: what it logs until the plugin returns goes to the run's
 * log, kept in {@link RunRecord}) and calls the plugin (no lock held); unmarks it; commits the
 * window end if the plugin returned normally, or releases the claim (timing the commit,
 * {@link Engine#commitTook}); and, once the commit is durable (on the store's thread), records the
 * run's outcome and hands the run back to the engine ({@link Engine#over}); a run that failed or timed
 * out leaves its retry ({@link #retry}, {@code cron.retry}) in the store first. This is where a run's
 * life on its thread grows (batch claims, re-runs, run logs). A re-run's window ({@link Run#rerun})
 * claims the name the same way, runs the plugin for its past window, and releases the claim instead of
 * committing: the window is recorded by the {@link Reruns} instead ({@link Engine#rerunRan}).
 *
 * <p>
 * <b>Claims in a cluster.</b> The scheduled fires of a tick are claimed together: {@link Firing} only
 * collects them, and one claiming task on a run thread ({@link #claimTick}) asks the store for them in
 * one call ({@link StateStore#claimShare}: this runtime's share, up to {@code cluster.max.running} runs
 * in progress); it hands the runs granted to run threads and drops the fire times left to other
 * runtimes (they come back one poll later if the store asks). So a run gets a thread only once it is
 * claimed, and the timer thread never waits for the database. Manual fires, take-overs and the local
 * store's runs claim one by one on their run thread.
 *
 * <p>
 * Threads: run threads ({@link #submit}'s task and the claiming task: claims, plugin calls, commits and
 * releases, hand-overs to a new store) and the store's thread (commit completions). Each takes the engine's lock only
 * briefly, to record what happened; no plugin call, store call or log line happens with it held.
 * {@link Run} says what the run's thread writes without it. The {@link Events} of a run (started, on
 * its run thread just before the plugin is called) are only queued: Event Admin is called on the
 * {@code EventPoster}'s own thread.
 */
final class RunThread {
	private static final Logger LOG = LoggerFactory.getLogger(RunThread.class);

	/**
	 * What the run thread needs of the rest of the engine. {@link #store()} may be called with or
	 * without the engine's lock; {@link #flush} without it; the others with it held.
	 */
	interface Engine {
		/** The store in use now (volatile: run threads read it without the lock). */
		StateStore store();

		/** The store returned a record of a name, maybe newer than the engine's. */
		void record(String name, RunState state, Instant now, List<Runnable> out);

		/** The record of a name turned out unreadable. */
		void blocked(String name, String reason, Instant now, List<Runnable> out);

		/**
		 * A job's claim could not reach the store: it is {@code UNAVAILABLE} with this reason once its run
		 * is over ({@link #over}).
		 */
		void claimUnavailable(Job job, String reason);

		/**
		 * A job's claim reached the store: if its last claim had not, it is no longer {@code UNAVAILABLE}.
		 *
		 * @return Whether that changed anything (then {@code out} is to be flushed).
		 */
		boolean claimReachable(Job job, Instant now, List<Runnable> out);

		/**
		 * A run is over, its outcome recorded: it leaves the table of runs, its job's state is recomputed,
		 * and a fire that came while it committed starts now.
		 */
		void over(Run run, Instant now, List<Runnable> out);

		/**
		 * A run's fire time is another runtime's: it leaves the table of runs without a trace, its job's
		 * state is recomputed, and the fire time is claimed again at {@code retryAt} unless that is
		 * {@code null}.
		 */
		void yielded(Run run, Instant retryAt, boolean takeOver, Instant now, List<Runnable> out);

		/**
		 * The scheduled runs fired since the last call, to be claimed together ({@link Firing#takeToClaim}).
		 * Lock held.
		 */
		List<Run> takeToClaim();

		/**
		 * The most runs in progress ({@code cluster.max.running}), 0 for no limit; takes the lock itself
		 * (re-entrant if held).
		 */
		int maxRunning();

		/**
		 * The runs in progress that count towards {@code cluster.max.running}: claimed, not over, not past
		 * their {@code cron.timeout} and not stuck. Lock held.
		 */
		int inProgress();

		/**
		 * A re-run's window ran ({@link Reruns#windowRan}): recorded durably, with its run's history entry
		 * and log, before its run is over. Lock not held.
		 */
		void rerunRan(Reruns.Window window, CronRunDTO run, CronLogDTO log);

		/**
		 * A re-run's window could not be claimed: its run leaves the table without a trace, and the
		 * window is tried again later ({@link Reruns#deferred}).
		 */
		void rerunDeferred(Run run, Instant now, List<Runnable> out);

		/** Runs the effects collected under the lock, and tells of a change; lock not held. */
		void flush(List<Runnable> out);

		/**
		 * The store answered a commit of a window end (durable, or an error) {@code nanos} after it was asked;
		 * lock not held, on the store's thread or the run thread. Must return at once.
		 */
		void commitTook(long nanos);
	}

	private final Object lock;
	private final Clock clock;
	private final Executor pool;
	private final Deadlines deadlines;
	private final Outcomes outcomes;
	private final Events events;
	private final Engine engine;
	/** Whether the pool names a run's thread for it ({@link RunPool#named}): a {@link RunPool}. */
	private final boolean named;
	// Guarded by lock.
	/** Runs handed to the claiming task and not yet claimed, in the order fired. */
	private final List<Run> claiming = new ArrayList<>();
	/** Whether a claiming task is queued or going; it goes on until {@link #claiming} is empty. */
	private boolean claimer;

	RunThread(Object lock, Clock clock, Executor pool, Deadlines deadlines, Outcomes outcomes, Events events,
			Engine engine) {
		this.lock = lock;
		this.clock = clock;
		this.pool = pool;
		this.named = pool instanceof RunPool;
		this.deadlines = deadlines;
		this.outcomes = outcomes;
		this.events = events;
		this.engine = engine;
	}

	/**
	 * Hands a queued run to a run thread. Lock not held. A pool that refuses it (stopping) ends the run
	 * as {@code INTERRUPTED}.
	 *
	 * @param expected The window start of the job's record when it was fired.
	 * @param version The version of that record: a claim that finds another is recorded.
	 */
	void submit(Run run, Instant expected, long version) {
		try {
			pool.execute(RunPool.named(run.name, () -> execute(run, expected, version)));
		} catch (RejectedExecutionException e) {
			finish(run, Outcome.INTERRUPTED, "the scheduler is stopping", null);
		}
	}

	/**
	 * Hands the scheduled runs fired in this tick ({@link Engine#takeToClaim}) to the claiming task,
	 * queued on the run pool unless it is going already. An effect, lock not held.
	 */
	void claimTick() {
		boolean queue;
		synchronized (lock) {
			claiming.addAll(engine.takeToClaim());
			queue = !claimer && !claiming.isEmpty();
			claimer |= queue;
		}
		if (queue) {
			try {
				pool.execute(this::claimAll);
			} catch (RejectedExecutionException e) {
				List<Run> dropped;
				synchronized (lock) {
					claimer = false;
					dropped = new ArrayList<>(claiming);
					claiming.clear();
				}
				dropped.forEach(run -> finish(run, Outcome.INTERRUPTED, "the scheduler is stopping", null));
			}
		}
	}

	/**
	 * The claiming task, on a run thread: claims the runs handed over, all in one call of
	 * {@link StateStore#claimShare} (one statement), as many as {@code cluster.max.running} leaves room
	 * for; hands those granted to run threads, and drops those left to other runtimes. Goes on while runs
	 * are handed over, then ends. Takes the lock only to take the runs and to record what became of them.
	 */
	private void claimAll() {
		while (true) {
			List<Run> batch;
			int limit;
			synchronized (lock) {
				if (claiming.isEmpty()) {
					claimer = false;
					return;
				}
				batch = new ArrayList<>(claiming);
				claiming.clear();
				int max = engine.maxRunning();
				limit = max <= 0 ? Integer.MAX_VALUE : Math.max(0, max - engine.inProgress());
			}
			claimBatch(batch, limit);
		}
	}

	private void claimBatch(List<Run> batch, int limit) {
		StateStore store = engine.store();
		List<Run> runs = new ArrayList<>(batch.size());
		for (Run run : batch) {
			if (run.interrupted != null) {
				finish(run, Outcome.INTERRUPTED, run.interrupted + " before the run started", null);
			} else {
				runs.add(run);
			}
		}
		if (runs.isEmpty()) {
			return;
		}
		List<ClaimResult> results;
		try {
			results = store.claimShare(runs.stream().map(r -> new ClaimRequest(r.name, r.expected, r.scheduledFire))
					.toList(), limit);
		} catch (CorruptStateException e) {
			// Some record cannot be read: each run claims alone, to learn which one is BLOCKED.
			runs.forEach(run -> submit(run, run.expected, run.version));
			return;
		} catch (StoreUnavailableException | RuntimeException e) {
			boolean unavailable = e instanceof StoreUnavailableException;
			if (unavailable) { // the store logs the loss of its database once
				LOG.debug("Cannot claim {} fire time(s), so they do not run: {}", runs.size(), Texts.describe(e));
			} else {
				LOG.warn("Cannot claim {} fire time(s), so they do not run: {}", runs.size(), Texts.describe(e));
			}
			for (Run run : runs) {
				if (unavailable) {
					synchronized (lock) {
						engine.claimUnavailable(run.job, e.getMessage());
					}
				}
				finish(run, Outcome.SKIPPED, "its window could not be claimed: " + Texts.describe(e), null);
			}
			return;
		}
		// The fire times left to other runtimes (in a cluster of N, about (N-1)/N of those due) leave the
		// table in one hold of the lock: this task is the cluster's one claiming stage, and a hold per fire
		// time left delayed the claims of this runtime's own share.
		List<Runnable> out = new ArrayList<>();
		synchronized (lock) {
			Instant now = clock.instant();
			for (int i = 0; i < runs.size(); i++) {
				ClaimResult result = results.get(i);
				if (result.granted()) {
					runs.get(i).counted = true;
				} else if (result.left()) {
					yieldedLocked(runs.get(i), result, false, now, out);
				}
			}
		}
		engine.flush(out);
		for (int i = 0; i < runs.size(); i++) {
			Run run = runs.get(i);
			ClaimResult result = results.get(i);
			if (result.granted()) {
				try {
					pool.execute(RunPool.named(run.name, () -> claimed(run, store, result, run.version)));
				} catch (RejectedExecutionException e) {
					store.release(result.claim());
					finish(run, Outcome.INTERRUPTED, "the scheduler is stopping", null);
				}
			} else if (result.left()) {
				if (LOG.isDebugEnabled()) {
					LOG.debug("Cron plugin {}: fire time {} is another runtime's: {}{}", run.name, run.scheduledFire,
							result.refusal(), result.retryAt() == null ? "" : "; claiming it again at " + result.retryAt());
				}
			} else {
				claimed(run, store, result, run.version);
			}
		}
	}

	/** Runs on a run thread: claims, runs the plugin, and commits or releases. */
	private void execute(Run run, Instant expected, long version) {
		StateStore store = engine.store(); // the store in use now, even if it changed since the fire
		if (run.interrupted != null) {
			finish(run, Outcome.INTERRUPTED, run.interrupted + " before the run started", null);
			return;
		}
		if (run.alongside) {
			execute(run, store, null, expected);
			return;
		}
		// A run fired by hand claims no fire time: none to be due on a cluster's clock, or done after it.
		Instant fire = run.trigger == Trigger.MANUAL ? null : run.scheduledFire;
		ClaimResult result;
		try {
			result = run.takeOver ? store.claimOver(run.name, expected, fire) : store.claim(run.name, expected, fire);
			if (!result.granted() && result.windowMoved()) {
				result = store.claim(run.name, result.current().windowStart(), fire);
			}
		} catch (CorruptStateException e) {
			blocked(run, e.getMessage());
			return;
		} catch (StoreUnavailableException e) {
			// The store logs the loss of its database once; a line per fire time would flood the log.
			LOG.debug("Cron plugin {}: cannot claim its window, so it does not run: {}", run.name, Texts.describe(e));
			synchronized (lock) {
				engine.claimUnavailable(run.job, e.getMessage());
			}
			if (run.rerun != null) {
				deferred(run, Texts.describe(e));
				return;
			}
			finish(run, Outcome.SKIPPED, "its window could not be claimed: " + Texts.describe(e), null);
			return;
		} catch (RuntimeException e) {
			LOG.warn("Cron plugin {}: cannot claim its window, so it does not run: {}", run.name, Texts.describe(e));
			finish(run, Outcome.SKIPPED, "its window could not be claimed: " + Texts.describe(e), null);
			return;
		}
		if (result.granted()) {
			// Volatile, without the engine's lock: in a burst the timer holds it, dispatching the others.
			run.counted = true;
		}
		claimed(run, store, result, version);
	}

	/**
	 * The store answered a run's claim: the run goes on (on this thread) if it was granted, or ends as
	 * the refusal says. A run thread (the claiming task's for refusals); lock not held.
	 */
	private void claimed(Run run, StateStore store, ClaimResult result, long version) {
		claimReachable(run); // the store answered
		if (!result.granted() && run.rerun != null) {
			deferred(run, result.refusal()); // another run of the plugin holds it, here or elsewhere
			return;
		}
		if (!result.granted() && result.elsewhere() && run.trigger != Trigger.MANUAL) {
			yielded(run, result, true);
			return;
		}
		if (!result.granted()) {
			finish(run, Outcome.SKIPPED, "not claimed: " + result.refusal(), result.current());
			return;
		}
		Claim claim = result.claim();
		run.claim = claim;
		if (result.current().version() != version) {
			record(run, result.current());
		}
		execute(run, store, claim, run.rerun != null ? run.rerun.start() : claim.windowStart());
	}

	/**
	 * Runs the plugin for the window from {@code start} to now (a re-run's: to its window's end), then
	 * commits or releases the claim. {@code claim} is {@code null} for a run
	 * {@linkplain Run#alongside alongside}: nothing to commit. The window ends at the claim's time on the
	 * store's clock if it has one (a cluster's database: every runtime's windows end on one clock), else
	 * at this runtime's clock; the run's start and its deadlines are on this runtime's clock.
	 */
	private void execute(Run run, StateStore store, Claim claim, Instant start) {
		Instant now = clock.instant();
		Instant end = run.rerun != null ? run.rerun.end() // a re-run's window is in the past
				: claim == null ? now : claim.windowEnd(now);
		if (!end.isAfter(start)) {
			release(store, claim);
			LOG.warn("Cron plugin {}: the clock ({}) is not after the end of its last window ({}); it went backwards: "
					+ "skipping the run", run.name, Formats.instant(end), Formats.instant(start));
			finish(run, Outcome.SKIPPED, "the clock went backwards: " + Formats.instant(end) + " is not after "
					+ Formats.instant(start), null);
			return;
		}
		Thread thread = Thread.currentThread();
		boolean go;
		synchronized (run) {
			go = run.interrupted == null;
			if (go) {
				run.thread = thread;
				run.inRun = true;
			}
		}
		if (!go) {
			release(store, claim);
			finish(run, Outcome.INTERRUPTED, run.interrupted + " before the run started", null);
			return;
		}
		run.end = end;
		RunRecord record = run.record;
		record.windowStart = start.toEpochMilli();
		record.windowEnd = end.toEpochMilli();
		record.started = now.toEpochMilli();
		record.outcome = Outcome.RUNNING;
		run.phase = Run.Phase.RUNNING; // before departAt is read: see Deadlines.departed()
		Long timeout = run.job.settings.timeoutSeconds();
		boolean timed = timeout != null || run.departAt != 0;
		if (timed) {
			deadlines.started(run, timeout, now); // on this runtime's clock, as the due queue
		}
		CronPlugin service = run.job.plugin.service();
		// A run pool's thread carries the name from the task's start (RunPool.named), and its own again once
		// idle: one rename per run. On another executor's thread, the name is set around the call here.
		String threadName = named ? null : thread.getName();
		if (!named) {
			thread.setName(threadName + " [" + run.name + "]");
		}
		if (LOG.isDebugEnabled()) {
			LOG.debug("Cron plugin {} runs ({}) for [{}, {})", run.name, run.trigger, Formats.instant(start),
					Formats.instant(end));
		}
		if (events.tellsStarted()) { // else no snapshot: nobody subscribes (a burst's runs start sooner)
			events.started(record.toDTO()); // queued: Event Admin is called on the events' own thread
		}
		Throwable failure = null;
		record.log = RunLogCapture.begin(); // what this thread logs until end() is the run's log
		try {
			service.run(start, end);
		} catch (Throwable t) { // whatever a plugin throws fails its run only
			failure = t;
		} finally {
			RunLogCapture.end();
			synchronized (run) {
				run.inRun = false;
			}
			if (!named) {
				thread.setName(threadName);
			}
			Thread.interrupted(); // leave the thread clean: the interrupt was for the plugin
		}
		returned(run, store, claim, start, end, failure, timed);
	}

	/** The plugin returned (run thread). Takes the engine's lock only if the run had deadlines. */
	private void returned(Run run, StateStore store, Claim claim, Instant start, Instant end, Throwable failure,
			boolean timed) {
		if (timed) {
			deadlines.returned(run);
		}
		if (!run.advance(Run.Phase.RUNNING, Run.Phase.COMMITTING)) {
			release(store, claim); // abandoned as stuck meanwhile: its outcome is recorded already
			finish(run, null, null, run.timedOut ? retry(run, store, claim, start) : null);
			return;
		}
		boolean timedOut = run.timedOut;
		String interrupted = run.interrupted;
		if (run.rerun != null) {
			rerunReturned(run, store, claim, start, end, failure, timedOut, interrupted);
			return;
		}
		if (timedOut) {
			release(store, claim);
			finish(run, Outcome.TIMED_OUT, "did not finish within " + run.job.settings.timeoutSeconds() + " s"
					+ (failure == null ? "" : "; then threw " + Texts.describe(failure)), retry(run, store, claim, start));
		} else if (interrupted != null) {
			release(store, claim);
			finish(run, Outcome.INTERRUPTED, "interrupted: " + interrupted, null);
		} else if (failure != null) {
			release(store, claim);
			LOG.warn("Cron plugin {} failed for [{}, {}); the window is kept for its next run", run.name,
					Formats.instant(start), Formats.instant(end), failure);
			finish(run, Outcome.FAILED, Texts.describe(failure), retry(run, store, claim, start));
		} else if (claim == null) {
			finish(run, Outcome.SUCCEEDED, null, null); // alongside: its window is not committed
		} else {
			StateStore current = engine.store();
			long asked = System.nanoTime();
			CompletionStage<RunState> commit = current == store ? store.commit(claim, end)
					: handOver(run, store, current, claim, end);
			commit.whenComplete((state, error) -> {
				engine.commitTook(System.nanoTime() - asked);
				committed(run, start, end, state, error);
			});
		}
	}

	/**
	 * A re-run's window returned: its claim is released, never committed (the plugin's window end does
	 * not move), the window recorded as done or failed, then the run is over. A window interrupted (its
	 * plugin left, the scheduler stops) is not recorded: it runs again. Run thread, no lock held.
	 */
	private void rerunReturned(Run run, StateStore store, Claim claim, Instant start, Instant end, Throwable failure,
			boolean timedOut, String interrupted) {
		release(store, claim);
		if (timedOut) {
			windowRan(run, Outcome.TIMED_OUT, "did not finish within " + run.job.settings.timeoutSeconds() + " s"
					+ (failure == null ? "" : "; then threw " + Texts.describe(failure)));
		} else if (interrupted != null) {
			finish(run, Outcome.INTERRUPTED, "interrupted: " + interrupted + "; the re-run runs this window again", null);
		} else if (failure != null) {
			LOG.warn("Cron plugin {} failed for [{}, {}) (re-run asked by {})", run.name, Formats.instant(start),
					Formats.instant(end), run.rerun.requestedBy(), failure);
			windowRan(run, Outcome.FAILED, Texts.describe(failure));
		} else {
			windowRan(run, Outcome.SUCCEEDED, null);
		}
	}

	/**
	 * A re-run's window that counts ran: recorded as done or failed with its run's history entry, in one
	 * durable write of the store, then the run is over. Run thread, no lock held.
	 */
	private void windowRan(Run run, Outcome outcome, String error) {
		Outcomes.Handed handed = outcomes.handOver(run, outcome, error, clock.instant());
		engine.rerunRan(run.rerun, handed.run(), handed.log());
		finish(run, outcome, error, null);
	}

	/**
	 * A re-run's window could not be claimed (another run of the plugin holds the name, on this runtime
	 * or another; the store is away): it is not a run, so it leaves no trace in the history, and is tried
	 * again later. Run thread, no lock held.
	 */
	private void deferred(Run run, String why) {
		List<Runnable> out = new ArrayList<>();
		synchronized (lock) {
			Instant now = clock.instant();
			deadlines.cancel(run);
			outcomes.forget(run);
			run.phase = Run.Phase.DONE;
			run.finished.countDown();
			engine.rerunDeferred(run, now, out);
		}
		engine.flush(out);
		LOG.debug("Cron plugin {}: the re-run window [{}, {}) waits: {}", run.name, run.rerun.start(), run.rerun.end(),
				why);
	}

	/**
	 * Persists the retry a failed or timed-out run leaves ({@link Retries#after}): the next one, none
	 * (all spent, none asked for, or the next fire time comes first), or the pending one as it was (a run
	 * fired by hand). Run thread; the lock is taken only to read the job, the store is written without
	 * it. A run beside another ({@code scheduler.concurrent}) has no window and leaves none. A store that
	 * cannot be written leaves the retry as it was, with a WARN line: the next fire time runs the window.
	 *
	 * @param start The failed run's window start: the retry is for it.
	 * @return The record after the change, for {@link #finish}; {@code null} if nothing changed.
	 */
	private RunState retry(Run run, StateStore store, Claim claim, Instant start) {
		if (claim == null) {
			return null;
		}
		Retries.Decision decision;
		PendingRetry pending;
		synchronized (lock) {
			Job job = run.job;
			pending = job.record == null ? null : job.record.retry();
			Instant now = clock.instant();
			decision = Retries.after(job.settings.retry(), run.trigger, pending, now, Schedules.upcomingFire(job, now));
		}
		if (decision.keep() || Objects.equals(decision.retry(), pending)) {
			return null;
		}
		PendingRetry next = decision.retry();
		try {
			RunState state = store.setRetry(run.name, start, next);
			if (next != null) {
				LOG.info("Cron plugin {}: its window from {} is retried at {} (retry {} of {}); the next fire time is {}",
						run.name, Formats.instant(start), Formats.instant(next.at()), next.attempt(), next.attempts(),
						Formats.instant(next.until()));
			} else if (run.trigger == Trigger.RETRY) {
				LOG.info("Cron plugin {}: its retries are spent; its next fire time runs the window from {}", run.name,
						Formats.instant(start));
			}
			return state;
		} catch (CorruptStateException | StoreUnavailableException | IOException | RuntimeException e) {
			LOG.warn("Cron plugin {}: cannot keep its retry ({}); its next fire time runs the window", run.name,
					Texts.describe(e));
			return null;
		}
	}

	/**
	 * The state store was switched while the run went on (a live change of {@code state.store}): the
	 * old store is closed, so its claim is released and the window committed to the store in use,
	 * with a claim of its own there for the same window start (the new store imported the old one's
	 * records). Refused there (another runtime moved the window meanwhile), the commit fails as a
	 * fenced one does. Run thread, no lock held.
	 */
	private CompletionStage<RunState> handOver(Run run, StateStore from, StateStore to, Claim claim, Instant end) {
		release(from, claim);
		try {
			ClaimResult result = to.claim(run.name, claim.windowStart(), null);
			if (!result.granted()) {
				return CompletableFuture.failedFuture(new FencedException("the state store changed while it ran, and "
						+ to.describe() + " refused its window: " + result.refusal()));
			}
			LOG.info("Cron plugin {}: the state store changed while it ran; its window is committed to {}", run.name,
					to.describe());
			return to.commit(result.claim(), end);
		} catch (CorruptStateException | StoreUnavailableException | RuntimeException e) {
			return CompletableFuture.failedFuture(e);
		}
	}

	private static void release(StateStore store, Claim claim) {
		if (claim != null) {
			store.release(claim);
		}
	}

	/** On the store's thread (or the run's thread if the store answered at once): the commit is over. */
	private void committed(Run run, Instant start, Instant end, RunState state, Throwable error) {
		Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
		if (cause == null) {
			finish(run, Outcome.SUCCEEDED, null, state);
		} else if (cause instanceof FencedException) {
			LOG.warn("Cron plugin {} succeeded for [{}, {}) but its window is not committed: {}", run.name,
					Formats.instant(start), Formats.instant(end), cause.getMessage());
			finish(run, Outcome.FAILED, "its window was not committed: " + cause.getMessage(), null);
		} else {
			LOG.warn("Cron plugin {} succeeded for [{}, {}) but its window could not be saved; the run counts as "
					+ "failed", run.name, Formats.instant(start), Formats.instant(end), cause);
			finish(run, Outcome.FAILED, "its window could not be saved: " + Texts.describe(cause), null);
		}
	}

	private void blocked(Run run, String reason) {
		List<Runnable> out = new ArrayList<>();
		synchronized (lock) {
			engine.blocked(run.name, reason, clock.instant(), out);
		}
		engine.flush(out);
		finish(run, Outcome.SKIPPED, "its state record cannot be read: " + reason, null);
	}

	private void record(Run run, RunState state) {
		List<Runnable> out = new ArrayList<>();
		synchronized (lock) {
			engine.record(run.name, state, clock.instant(), out);
		}
		engine.flush(out);
	}

	/**
	 * A run is over. {@code outcome == null}: a stuck run's thread came back at last (its outcome was
	 * recorded when it was abandoned).
	 *
	 * @param state The record the store returned with the outcome (a commit's, a refusal's); {@code null}
	 *        if none.
	 */
	private void finish(Run run, Outcome outcome, String error, RunState state) {
		List<Runnable> out = new ArrayList<>();
		CronRunDTO dto = null;
		synchronized (lock) {
			Instant now = clock.instant();
			if (state != null) {
				engine.record(run.name, state, now, out);
			}
			deadlines.cancel(run);
			if (outcome != null) {
				outcomes.end(run, outcome, error, now, out);
			} else {
				Instant since = Instant.ofEpochMilli(run.record.started);
				out.add(() -> LOG.info("Cron plugin {}: its abandoned run (since {}) returned at last", run.name, since));
			}
			run.phase = Run.Phase.DONE;
			run.counted = false;
			run.finished.countDown();
			if (run.done != null) {
				dto = run.record.toDTO();
			}
			engine.over(run, now, out);
		}
		engine.flush(out);
		if (dto != null) {
			outcomes.complete(run, dto);
		}
	}

	/**
	 * A claim got through: the store can be reached again, whatever the last claim of the job found.
	 * Takes the engine's lock only if that claim had not got through: every run passes here just
	 * before its plugin is called, and in a burst the lock is the timer's, which dispatches the others.
	 */
	private void claimReachable(Run run) {
		if (run.job.claimUnavailable == null) {
			return; // the usual case: no lock, so that the run starts while the timer holds it
		}
		List<Runnable> out = new ArrayList<>();
		synchronized (lock) {
			if (!engine.claimReachable(run.job, clock.instant(), out)) {
				return;
			}
		}
		engine.flush(out);
	}

	/**
	 * Another runtime of the cluster runs, or ran, the fire time of this run: it was not this
	 * runtime's run, so it leaves no trace in the history here. If the other runtime may be dead (it
	 * holds this same fire time), the fire time is claimed again when its lease expires.
	 */
	private void yielded(Run run, ClaimResult result, boolean takeOver) {
		List<Runnable> out = new ArrayList<>();
		synchronized (lock) {
			yieldedLocked(run, result, takeOver, clock.instant(), out);
		}
		engine.flush(out);
		LOG.debug("Cron plugin {}: fire time {} is another runtime's: {}{}", run.name, run.scheduledFire, result.refusal(),
				result.retryAt() == null ? "" : "; claiming it again at " + result.retryAt());
	}

	/** A run's fire time is another runtime's: it leaves the table without a trace. Lock held. */
	private void yieldedLocked(Run run, ClaimResult result, boolean takeOver, Instant now, List<Runnable> out) {
		engine.record(run.name, result.current(), now, out);
		deadlines.cancel(run);
		outcomes.forget(run);
		run.phase = Run.Phase.DONE;
		run.finished.countDown();
		engine.yielded(run, result.retryAt(), takeOver, now, out);
	}
}
