package io.crontainer.scheduler.impl;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.crontainer.api.CronPlugin;
import io.crontainer.api.runtime.CronRunDTO;
import io.crontainer.api.runtime.Outcome;
import io.crontainer.api.runtime.Trigger;
import io.crontainer.store.api.Claim;
import io.crontainer.store.api.ClaimResult;
import io.crontainer.store.api.CorruptStateException;
import io.crontainer.store.api.FencedException;
import io.crontainer.store.api.RunState;
import io.crontainer.store.api.StateStore;
import io.crontainer.store.api.StoreUnavailableException;

/**
 * Run dispatch: starts the runs of plugins, at most one per name at a time, each on a thread of its
 * own from the {@link RunPool}; claims its window from the {@link StateStore} before it starts and
 * commits the window end after it returns; enforces {@code cron.timeout}; reports runs that ignore
 * their interrupt as stuck; and records every run in the {@link History}.
 *
 * <p>
 * A run's life: {@link #fire} (engine lock held; the run is queued and holds its name) → on a run
 * thread: claim (no lock), window start from the claim, window end = now, the thread renamed
 * {@code crontainer-run-N [NAME]}, the plugin called (no lock), the name restored → success: commit,
 * which completes on the store's thread → {@link #finish} (engine lock). A fire that finds the name
 * running is recorded as skipped; one that finds the previous run committing starts as soon as the
 * commit is over; one that finds it stuck is not recorded (the job's state says {@code STUCK}).
 *
 * <p>
 * Threads: the timer thread ({@link #fire}, {@link #due}), operators' threads (manual fires), run
 * threads (claims, plugin calls, commits and releases, hand-overs), the store's thread
 * (commit completions), the whiteboard thread (departures, which only queue deadlines) and the
 * stopping thread ({@link #stop}, which awaits the runs and abandons those left).
 * Every field is guarded by the engine's lock; {@link Run} says what its thread writes without it. No
 * plugin call, store call or log line happens with the lock held: they are collected as effects and
 * run after it is released. The {@link Events} of a run (started, on its run thread just before the
 * plugin is called; ended, as an effect of recording its outcome) are only queued there: Event Admin is
 * called on the {@link EventPoster}'s own thread.
 */
final class Dispatcher {
	private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
	/**
	 * How long a run interrupted at the end of its departed plugin's grace may take to return before
	 * it is abandoned.
	 */
	static final Duration INTERRUPT_WAIT = Duration.ofSeconds(1);

	/**
	 * The most runs of one job going at once when it says {@code scheduler.concurrent = true}: the one
	 * holding its name and those beside it. A fire beyond it is recorded as skipped. Without a cap, a
	 * hung {@code Runnable} fired every second would start a thread every second for ever. Eight lets a
	 * job whose runs sometimes last several periods overlap as it asked (in Sling and Karaf the bound
	 * is their scheduler's fixed thread pool, shared by all jobs, which a hung job exhausts for every
	 * other), while one job pins no more than eight threads: a job that needs more runs at once is
	 * hung or overloaded, and more threads would not help it.
	 */
	static final int MAX_CONCURRENT_RUNS = 8;

	/**
	 * What the dispatcher needs of the engine. {@link #store()} and {@link #grace()} may be called with
	 * or without the engine's lock; {@link #flush} without it; the others with it held.
	 */
	interface Engine {
		/** The store in use now (volatile: run threads read it without the lock). */
		StateStore store();

		/** The grace of runs; takes the lock itself (re-entrant if held). */
		Duration grace();

		/** A run of a name changed what its job's state may be (running, stuck, over): recompute it. */
		void runChanged(String name, Instant now, List<Runnable> out);

		/** The store returned a record of a name, maybe newer than the engine's. */
		void record(String name, RunState state, Instant now, List<Runnable> out);

		/** The record of a name turned out unreadable. */
		void blocked(String name, String reason, Instant now, List<Runnable> out);

		/** Runs the effects collected under the lock, and tells of a change; lock not held. */
		void flush(List<Runnable> out);

		/** A re-run's window ran ({@link Reruns#windowRan}); recorded durably. Run thread, lock not held. */
		void rerunRan(Reruns.Window window, boolean counts, boolean succeeded);

		/** The run of a re-run's window is over ({@link Reruns#over}). Lock held. */
		void rerunOver(Reruns.Window window, List<Runnable> out);

		/** A re-run's window could not be claimed; it is tried again later ({@link Reruns#deferred}). Lock held. */
		void rerunDeferred(Reruns.Window window, List<Runnable> out);
	}

	private final Object lock;
	private final Clock clock;
	private final Executor pool;
	private final DueQueue due;
	private final History history;
	private final Engine engine;
	private final Events events;
	private final Map<String, Run> running = new HashMap<>();
	/**
	 * Runs of a concurrent job ({@code scheduler.concurrent = true}, a whiteboard {@code Runnable}) fired
	 * while the run that holds its name was going: they run beside it, without a claim, and commit no
	 * window (the window end moves with the runs that hold the name).
	 */
	private final Set<Run> alongside = new HashSet<>();

	Dispatcher(Object lock, Clock clock, Executor pool, DueQueue due, History history, Engine engine, Events events) {
		this.lock = lock;
		this.events = events;
		this.clock = clock;
		this.pool = pool;
		this.due = due;
		this.history = history;
		this.engine = engine;
	}

	/** The run of a name, queued, running, committing or stuck; {@code null} if none. Lock held. */
	Run running(String name) {
		return running.get(name);
	}

	Collection<Run> runs() {
		List<Run> all = new ArrayList<>(running.values());
		all.addAll(alongside);
		return all;
	}

	/** The runs of a job going beside the one that holds its name. Lock held. */
	List<Run> alongside(Job job) {
		return alongside.stream().filter(r -> r.job == job).toList();
	}

	/**
	 * Starts a run of a job, or records the fire as skipped if its name is running. Lock held; the
	 * run is submitted after the lock is released ({@code out}).
	 *
	 * @return The run started; {@code null} if none was.
	 */
	Run fire(Job job, Trigger trigger, Instant scheduledFire, CompletableFuture<CronRunDTO> done, Instant now,
			List<Runnable> out) {
		String name = job.name();
		Run current = running.get(name);
		if (current != null) {
			if (current.rerun != null && done == null && current.phase != Run.Phase.STUCK
					&& current.followTrigger == null) {
				// A re-run's window holds the name: the fire runs right after it, before its next window.
				current.followTrigger = trigger;
				current.followFire = scheduledFire;
				return null;
			}
			if (current.phase == Run.Phase.COMMITTING && done == null && current.followTrigger == null) {
				current.followTrigger = trigger;
				current.followFire = scheduledFire;
				return null;
			}
			if (current.phase == Run.Phase.STUCK) {
				return null; // the job is STUCK: its last run stays its last outcome
			}
			if (job.settings.runs().concurrent() && done == null && engine.store().node() == null) {
				// scheduler.concurrent = true: this fire runs beside the one going. Only with a local store:
				// in a cluster a run without a claim could run on every runtime.
				int going = 1 + (int) alongside.stream().filter(r -> r.name.equals(name)).count();
				if (going < MAX_CONCURRENT_RUNS) {
					return start(job, trigger, scheduledFire, null, now, true, out);
				}
				if (!job.capLogged) {
					job.capLogged = true;
					out.add(() -> LOG.warn("Cron plugin {} has {} runs going at once, the most for {} = true: its fire "
							+ "times are skipped until one of them ends", name, going, SchedulerProperties.CONCURRENT));
				}
				skipped(job, trigger, scheduledFire, now, going + " runs were going already, the most at once for "
						+ SchedulerProperties.CONCURRENT + " = true", out);
				return null;
			}
			Instant since = Instant.ofEpochMilli(current.record.started);
			out.add(() -> LOG.info("Cron plugin {} is still running (since {}): skipping its fire time {}", name, since,
					scheduledFire));
			skipped(job, trigger, scheduledFire, now, "the previous run was still going", out);
			return null;
		}
		return start(job, trigger, scheduledFire, done, now, false, out);
	}

	/**
	 * Starts a run of a re-run's window, which holds the job's name like any run: the caller checked
	 * that none is going. Lock held; the run is submitted after the lock is released ({@code out}).
	 */
	Run fire(Job job, Reruns.Window window, Instant now, List<Runnable> out) {
		String name = job.name();
		StateStore store = engine.store();
		RunRecord record = new RunRecord(name, Trigger.RERUN, null, now, store.node());
		record.requestedBy = window.requestedBy();
		record.windowStart = window.start().toEpochMilli();
		record.windowEnd = window.end().toEpochMilli();
		Run run = new Run(job, name, Trigger.RERUN, null, record, null);
		run.rerun = window;
		running.put(name, run);
		history.add(record);
		Instant expected = job.record.windowStart();
		long version = job.record.version();
		out.add(() -> submit(run, expected, version));
		return run;
	}

	private Run start(Job job, Trigger trigger, Instant scheduledFire, CompletableFuture<CronRunDTO> done, Instant now,
			boolean beside, List<Runnable> out) {
		String name = job.name();
		StateStore store = engine.store();
		RunRecord record = new RunRecord(name, trigger, trigger == Trigger.MANUAL ? null : scheduledFire, now,
				store.node());
		Run run = new Run(job, name, trigger, scheduledFire, record, done);
		run.alongside = beside;
		if (beside) {
			alongside.add(run);
		} else {
			running.put(name, run);
		}
		history.add(record);
		Instant expected = job.record.windowStart();
		long version = job.record.version();
		out.add(() -> submit(run, expected, version));
		return run;
	}

	/** Records a fire that did not run. Lock held. */
	void skipped(Job job, Trigger trigger, Instant scheduledFire, Instant now, String why, List<Runnable> out) {
		if (trigger == Trigger.SCHEDULE && scheduledFire != null) {
			history.missed(job.name(), 1, scheduledFire);
		}
		RunRecord record = new RunRecord(job.name(), trigger, scheduledFire, now, null);
		record.finished = now.toEpochMilli();
		record.error = why;
		record.outcome = Outcome.SKIPPED;
		history.add(record);
		CronRunDTO kept = record.toDTO();
		StateStore store = engine.store();
		out.add(() -> store.appendHistory(kept));
		out.add(() -> events.ended(kept));
	}

	private void submit(Run run, Instant expected, long version) {
		try {
			pool.execute(() -> execute(run, expected, version));
		} catch (RejectedExecutionException e) {
			finish(run, Outcome.INTERRUPTED, "the scheduler is stopping", null);
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
		ClaimResult result;
		try {
			result = run.takeOver ? store.claimOver(run.name, expected, run.scheduledFire)
					: store.claim(run.name, expected, run.scheduledFire);
			if (!result.granted() && result.windowMoved()) {
				result = store.claim(run.name, result.current().windowStart(), run.scheduledFire);
			}
		} catch (CorruptStateException e) {
			blocked(run, e.getMessage());
			return;
		} catch (StoreUnavailableException e) {
			// The store logs the loss of its database once; a line per fire time would flood the log.
			LOG.debug("Cron plugin {}: cannot claim its window, so it does not run: {}", run.name, Scheduler.describe(e));
			synchronized (lock) {
				run.job.claimUnavailable = e.getMessage();
			}
			if (run.rerun != null) {
				deferred(run, Scheduler.describe(e));
				return;
			}
			finish(run, Outcome.SKIPPED, "its window could not be claimed: " + Scheduler.describe(e), null);
			return;
		} catch (RuntimeException e) {
			LOG.warn("Cron plugin {}: cannot claim its window, so it does not run: {}", run.name, Scheduler.describe(e));
			finish(run, Outcome.SKIPPED, "its window could not be claimed: " + Scheduler.describe(e), null);
			return;
		}
		clearUnavailable(run); // the store answered
		if (!result.granted() && run.rerun != null) {
			deferred(run, result.refusal()); // another run of the plugin holds it, here or elsewhere
			return;
		}
		if (!result.granted() && result.elsewhere() && run.trigger != Trigger.MANUAL) {
			yielded(run, result);
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
	 * Runs the plugin for the window from {@code start} to now, then commits or releases the claim.
	 * {@code claim} is {@code null} for a run {@linkplain Run#alongside alongside}: nothing to commit.
	 */
	private void execute(Run run, StateStore store, Claim claim, Instant start) {
		Instant startedAt = clock.instant();
		Instant end = run.rerun != null ? run.rerun.end() : startedAt; // a re-run's window is in the past
		if (!end.isAfter(start)) {
			release(store, claim);
			LOG.warn("Cron plugin {}: the clock ({}) is not after the end of its last window ({}); it went backwards: "
					+ "skipping the run", run.name, end, start);
			finish(run, Outcome.SKIPPED, "the clock went backwards: " + end + " is not after " + start, null);
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
		record.started = startedAt.toEpochMilli();
		record.outcome = Outcome.RUNNING;
		run.phase = Run.Phase.RUNNING; // before departAt is read: see departed()
		Long timeout = run.job.settings.timeoutSeconds();
		boolean deadlines = timeout != null || run.departAt != 0;
		if (deadlines) {
			synchronized (lock) {
				if (timeout != null) {
					run.timeoutAt = startedAt.plusSeconds(timeout).toEpochMilli();
				}
				scheduleDeadline(run);
			}
		}
		CronPlugin service = run.job.plugin.service();
		String threadName = thread.getName();
		thread.setName(threadName + " [" + run.name + "]");
		if (LOG.isDebugEnabled()) {
			LOG.debug("Cron plugin {} runs ({}) for [{}, {})", run.name, run.trigger, start, end);
		}
		events.started(record.toDTO()); // queued: Event Admin is called on the events' own thread
		Throwable failure = null;
		try {
			service.run(start, end);
		} catch (Throwable t) { // whatever a plugin throws fails its run only
			failure = t;
		} finally {
			synchronized (run) {
				run.inRun = false;
			}
			thread.setName(threadName);
			Thread.interrupted(); // leave the thread clean: the interrupt was for the plugin
		}
		returned(run, store, claim, start, end, failure, deadlines);
	}

	/** The plugin returned (run thread). Takes the engine's lock only if the run had deadlines. */
	private void returned(Run run, StateStore store, Claim claim, Instant start, Instant end, Throwable failure,
			boolean deadlines) {
		if (deadlines) {
			synchronized (lock) {
				due.cancel(run);
			}
		}
		if (!run.advance(Run.Phase.RUNNING, Run.Phase.COMMITTING)) {
			release(store, claim); // abandoned as stuck meanwhile: its outcome is recorded already
			finish(run, null, null, null);
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
					+ (failure == null ? "" : "; then threw " + Scheduler.describe(failure)), null);
		} else if (interrupted != null) {
			release(store, claim);
			finish(run, Outcome.INTERRUPTED, "interrupted: " + interrupted, null);
		} else if (failure != null) {
			release(store, claim);
			LOG.warn("Cron plugin {} failed for [{}, {}); the window is kept for its next run", run.name, start, end,
					failure);
			finish(run, Outcome.FAILED, Scheduler.describe(failure), null);
		} else if (claim == null) {
			finish(run, Outcome.SUCCEEDED, null, null); // alongside: its window is not committed
		} else {
			StateStore current = engine.store();
			CompletionStage<RunState> commit = current == store ? store.commit(claim, end)
					: handOver(run, store, current, claim, end);
			commit.whenComplete((state, error) -> committed(run, start, end, state, error));
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
			engine.rerunRan(run.rerun, true, false);
			finish(run, Outcome.TIMED_OUT, "did not finish within " + run.job.settings.timeoutSeconds() + " s"
					+ (failure == null ? "" : "; then threw " + Scheduler.describe(failure)), null);
		} else if (interrupted != null) {
			finish(run, Outcome.INTERRUPTED, "interrupted: " + interrupted + "; the re-run runs this window again", null);
		} else if (failure != null) {
			LOG.warn("Cron plugin {} failed for [{}, {}) (re-run asked by {})", run.name, start, end,
					run.rerun.requestedBy(), failure);
			engine.rerunRan(run.rerun, true, false);
			finish(run, Outcome.FAILED, Scheduler.describe(failure), null);
		} else {
			engine.rerunRan(run.rerun, true, true);
			finish(run, Outcome.SUCCEEDED, null, null);
		}
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
			history.remove(run.record);
			running.remove(run.name, run);
			run.phase = Run.Phase.DONE;
			run.finished.countDown();
			engine.rerunDeferred(run.rerun, out);
			engine.runChanged(run.name, now, out);
			if (run.followTrigger != null && run.job.owner && !run.job.gone && run.job.record != null
					&& run.job.state == io.crontainer.api.runtime.JobState.SCHEDULED) {
				fire(run.job, run.followTrigger, run.followFire, null, now, out);
			}
		}
		engine.flush(out);
		LOG.debug("Cron plugin {}: the re-run window [{}, {}) waits: {}", run.name, run.rerun.start(), run.rerun.end(),
				why);
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
			LOG.warn("Cron plugin {} succeeded for [{}, {}) but its window is not committed: {}", run.name, start, end,
					cause.getMessage());
			finish(run, Outcome.FAILED, "its window was not committed: " + cause.getMessage(), null);
		} else {
			LOG.warn("Cron plugin {} succeeded for [{}, {}) but its window could not be saved; the run counts as "
					+ "failed", run.name, start, end, cause);
			finish(run, Outcome.FAILED, "its window could not be saved: " + Scheduler.describe(cause), null);
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
	 */
	private void finish(Run run, Outcome outcome, String error, RunState state) {
		List<Runnable> out = new ArrayList<>();
		CronRunDTO dto = null;
		synchronized (lock) {
			Instant now = clock.instant();
			if (state != null) {
				engine.record(run.name, state, now, out);
			}
			due.cancel(run);
			if (outcome != null) {
				end(run, outcome, error, now, out);
			} else {
				Instant since = Instant.ofEpochMilli(run.record.started);
				out.add(() -> LOG.info("Cron plugin {}: its abandoned run (since {}) returned at last", run.name, since));
			}
			if (!running.remove(run.name, run)) {
				alongside.remove(run);
			}
			run.job.capLogged = false; // a run ended: a fire skipped for the cap is worth a line again
			if (run.rerun != null && run.phase != Run.Phase.DONE) {
				engine.rerunOver(run.rerun, out);
			}
			run.phase = Run.Phase.DONE;
			run.finished.countDown();
			if (run.done != null) {
				dto = run.record.toDTO();
			}
			engine.runChanged(run.name, now, out);
			if (run.followTrigger != null && run.job.owner && !run.job.gone && run.job.record != null
					&& run.job.state == io.crontainer.api.runtime.JobState.SCHEDULED) {
				fire(run.job, run.followTrigger, run.followFire, null, now, out);
			}
		}
		engine.flush(out);
		if (dto != null) {
			complete(run, dto);
		}
	}

	/**
	 * Completes the stage of a manual fire, on a run thread: its dependent stages never run on the
	 * timer's or the store's thread. A stage completed already (a run abandoned, whose thread came back
	 * at last) stays as it was. Lock not held.
	 */
	private void complete(Run run, CronRunDTO dto) {
		try {
			pool.execute(() -> run.done.complete(dto));
		} catch (RejectedExecutionException e) {
			run.done.complete(dto);
		}
	}

	/**
	 * The store can be reached again: a job whose last claim found it unreachable is no longer
	 * {@code UNAVAILABLE}. Lock held.
	 */
	void storeAvailable(Job job, Instant now, List<Runnable> out) {
		if (job.claimUnavailable != null) {
			job.claimUnavailable = null;
			engine.runChanged(job.name(), now, out);
		}
	}

	/**
	 * The store found its database gone: a job whose last claim got through is {@code UNAVAILABLE}
	 * now, with the store's reason, until the store is back or a claim gets through. Lock held.
	 */
	void storeUnavailable(Job job, String reason, Instant now, List<Runnable> out) {
		if (job.claimUnavailable == null) {
			job.claimUnavailable = reason;
			engine.runChanged(job.name(), now, out);
		}
	}

	/** A claim got through: the store can be reached again, whatever the last claim of the job found. */
	private void clearUnavailable(Run run) {
		List<Runnable> out = new ArrayList<>();
		synchronized (lock) {
			if (run.job.claimUnavailable == null) {
				return;
			}
			run.job.claimUnavailable = null;
			engine.runChanged(run.name, clock.instant(), out);
		}
		engine.flush(out);
	}

	/**
	 * Another runtime of the cluster runs, or ran, the fire time of this run: it was not this
	 * runtime's run, so it leaves no trace in the history here. If the other runtime may be dead (it
	 * holds this same fire time), the fire time is claimed again when its lease expires.
	 */
	private void yielded(Run run, ClaimResult result) {
		List<Runnable> out = new ArrayList<>();
		synchronized (lock) {
			Instant now = clock.instant();
			engine.record(run.name, result.current(), now, out);
			due.cancel(run);
			history.remove(run.record);
			running.remove(run.name, run);
			run.phase = Run.Phase.DONE;
			run.finished.countDown();
			engine.runChanged(run.name, now, out);
			if (result.retryAt() != null && !run.job.gone) {
				due.schedule(new Retry(run.job, run.trigger, run.scheduledFire), result.retryAt().toEpochMilli());
			}
		}
		engine.flush(out);
		LOG.debug("Cron plugin {}: fire time {} is another runtime's: {}{}", run.name, run.scheduledFire, result.refusal(),
				result.retryAt() == null ? "" : "; claiming it again at " + result.retryAt());
	}

	/**
	 * A fire time that found the name held by another runtime, claimed again once that runtime's lease
	 * expires, as a take-over ({@link StateStore#claimOver}): only if that runtime did not finish, so a
	 * fire time that merely overlapped a run elsewhere does not run after it. Lock held.
	 */
	static final class Retry extends Due {
		final Job job;
		final Trigger trigger;
		final Instant fire;

		Retry(Job job, Trigger trigger, Instant fire) {
			this.job = job;
			this.trigger = trigger;
			this.fire = fire;
		}

		@Override
		void come(Parts parts, Instant now, List<Runnable> out) {
			parts.retry(this, now, out);
		}
	}

	/** A retry is due: the fire time is claimed again unless the job left, stopped or runs. Lock held. */
	void due(Retry retry, Instant now, List<Runnable> out) {
		Job job = retry.job;
		if (job.gone || !job.owner || job.record == null || job.state != io.crontainer.api.runtime.JobState.SCHEDULED
				|| running.containsKey(job.name())) {
			return;
		}
		Run run = fire(job, retry.trigger, retry.fire, null, now, out);
		if (run != null) {
			run.takeOver = true; // submitted after the lock is released: it reads this
		}
	}

	/** Records a run's final outcome and counts it. Lock held. */
	private void end(Run run, Outcome outcome, String error, Instant now, List<Runnable> out) {
		RunRecord record = run.record;
		record.error = error;
		record.finished = now.toEpochMilli();
		record.outcome = outcome;
		history.ended(run.name, outcome);
		if (outcome == Outcome.SKIPPED && run.trigger == Trigger.SCHEDULE && run.scheduledFire != null) {
			history.missed(run.name, 1, run.scheduledFire); // not started: the store was away, the clock went back
		}
		CronRunDTO kept = record.toDTO();
		StateStore store = engine.store();
		out.add(() -> store.appendHistory(kept));
		out.add(() -> events.ended(kept));
		switch (outcome) {
		case SUCCEEDED -> out.add(() -> LOG.debug("Cron plugin {} succeeded for [{}, {})", run.name,
				Instant.ofEpochMilli(record.windowStart), Instant.ofEpochMilli(record.windowEnd)));
		case TIMED_OUT -> out.add(() -> LOG.warn("Cron plugin {}: run {}: {}; the window is kept for its next run",
				run.name, outcome, error));
		case FAILED -> {
			// logged where it failed, with the exception
		}
		default -> out.add(() -> LOG.info("Cron plugin {}: run {}: {}", run.name, outcome, error));
		}
	}

	/**
	 * Queues the earlier of a running run's deadlines not yet passed: its {@code cron.timeout} and the
	 * end of the grace its departed plugin gives it. Lock held.
	 */
	private void scheduleDeadline(Run run) {
		if (run.phase != Run.Phase.RUNNING || run.interrupted != null) {
			return; // not started (it queues its deadlines as it starts), over, or awaiting its abandonment
		}
		long at = earlier(run.timeoutAt, run.departAt);
		if (at != 0) {
			due.schedule(run, at);
		}
	}

	/** The earlier of two epoch ms instants, 0 meaning "none". */
	private static long earlier(long a, long b) {
		return a == 0 ? b : b == 0 ? a : Math.min(a, b);
	}

	/**
	 * A run's deadline came. Timer thread, lock held. First the earlier of its {@code cron.timeout} and
	 * the end of the grace its departed plugin gives it: it is interrupted and gets the grace (after a
	 * timeout) or {@link #INTERRUPT_WAIT} (after a departure) to return, whichever ends first. Then that
	 * wait ends: still inside the plugin, it is abandoned: its outcome is recorded now, the job is
	 * {@code STUCK}, and its thread keeps the name.
	 */
	void due(Run run, Instant now, List<Runnable> out) {
		if (run.phase != Run.Phase.RUNNING) {
			return;
		}
		if (run.interrupted == null) {
			long nowMillis = now.toEpochMilli();
			run.interruptedAt = nowMillis;
			long abandonAt;
			if (run.departAt != 0 && run.departAt <= nowMillis) {
				run.interrupted = "the plugin left";
				Duration grace = engine.grace();
				out.add(() -> LOG.info("Cron plugin {} left {} ago and its run goes on: interrupting it", run.name,
						text(grace)));
				abandonAt = nowMillis + INTERRUPT_WAIT.toMillis();
			} else {
				run.timedOut = true;
				run.interrupted = "timed out";
				Long timeout = run.job.settings.timeoutSeconds();
				out.add(() -> LOG.warn("Cron plugin {} has run longer than its {} of {} s: interrupting it", run.name,
						CronPlugin.TIMEOUT, timeout));
				abandonAt = now.plus(engine.grace()).toEpochMilli();
				if (run.departAt != 0) { // its plugin left too: abandoned no later than the departure says
					abandonAt = Math.min(abandonAt, run.departAt + INTERRUPT_WAIT.toMillis());
				}
			}
			out.add(run::interruptCall);
			due.schedule(run, abandonAt);
			return;
		}
		abandon(run, now, out);
	}

	/** A duration in words: whole seconds as {@code "10 s"}, anything else in milliseconds. */
	static String text(Duration duration) {
		long millis = duration.toMillis();
		return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
	}

	/** The run ignored its interrupt for its wait: abandoned, named, reported. Lock held. */
	private void abandon(Run run, Instant now, List<Runnable> out) {
		if (!run.advance(Run.Phase.RUNNING, Run.Phase.STUCK)) {
			return; // it returned meanwhile
		}
		String error = abandoned(run, Duration.ofMillis(Math.max(0, now.toEpochMilli() - run.interruptedAt)), now, out);
		out.add(() -> LOG.warn("Cron plugin {} is STUCK: its run since {} {}; it is not fired again until the thread "
				+ "returns", run.name, Instant.ofEpochMilli(run.record.started), error));
		engine.runChanged(run.name, now, out);
	}

	/**
	 * Records the outcome of a run just moved to {@code STUCK}, and completes the stage of a manual
	 * fire with it: the run is over for whoever awaits it, although its thread may come back later
	 * (then nothing more is recorded). Lock held.
	 *
	 * @return The run's error.
	 */
	private String abandoned(Run run, Duration ignored, Instant now, List<Runnable> out) {
		String thread = run.threadName();
		Outcome outcome = run.timedOut ? Outcome.TIMED_OUT : Outcome.INTERRUPTED;
		String why = run.timedOut ? "did not finish within " + run.job.settings.timeoutSeconds() + " s"
				: "interrupted: " + run.interrupted;
		String error = why + ", and ignored its interrupt for " + text(ignored) + ": its thread "
				+ (thread == null ? "" : "'" + thread + "' ") + "is abandoned";
		end(run, outcome, error, now, out); // its history record is appended once the lock is released
		if (run.done != null) {
			CronRunDTO dto = run.record.toDTO();
			out.add(() -> complete(run, dto));
		}
		return error;
	}

	/**
	 * A plugin left while its run goes on: the run gets the grace period to finish normally (and is
	 * committed if it returns normally), then it is interrupted and gets {@link #INTERRUPT_WAIT} more;
	 * still running then, it is abandoned. Nothing is awaited here: the end of the grace is a deadline of
	 * the {@link DueQueue}, which the timer handles like a {@code cron.timeout} (the earlier of the two
	 * counts). A run not started yet queues the deadline as it starts. Lock held; called on the
	 * whiteboard thread, which returns at once.
	 *
	 * @param graceEnd The end of the grace, UTC epoch ms.
	 */
	void departed(Run run, long graceEnd) {
		if (run.departAt != 0 || run.interrupted != null) {
			return; // departed already, or interrupted (timed out, stopping): its abandonment is queued
		}
		run.departAt = graceEnd; // before the phase is read: a run starting meanwhile sees one or the other
		scheduleDeadline(run);
	}

	/**
	 * A plugin left because the framework is stopping: its run is interrupted at once and not awaited
	 * here; {@link #stop(Duration)}, which follows when the scheduler itself stops, awaits it with every
	 * other run within one grace period, so that a stopping runtime never waits a grace per plugin.
	 * Called on the thread stopping the plugin's bundle, without the lock.
	 */
	void departedAtShutdown(Run run) {
		synchronized (lock) {
			if (run.phase != Run.Phase.RUNNING || run.interrupted != null) {
				return;
			}
			run.interrupted = "the framework is stopping";
			due.cancel(run);
		}
		run.interruptCall();
	}

	/**
	 * Stops: every run is interrupted and awaited up to the grace period in all; those still running
	 * are abandoned, reported by name and thread, and their outcome recorded ({@code INTERRUPTED}, or
	 * {@code TIMED_OUT}): the stage of a manual fire completes with it. The runs of departed plugins are among them (still
	 * in their grace, or interrupted and not yet abandoned), awaited once with the rest; runs abandoned
	 * already ({@code STUCK}) are not awaited again. Lock not held.
	 */
	void stop(Duration grace) {
		List<Run> runs;
		synchronized (lock) {
			runs = new ArrayList<>();
			for (Run run : runs()) {
				if (run.interrupted == null) {
					run.interrupted = "the scheduler stopped";
				}
				if (run.phase != Run.Phase.STUCK) {
					runs.add(run);
				}
			}
		}
		for (Run run : runs) {
			run.interruptCall();
		}
		long deadline = System.nanoTime() + grace.toNanos();
		List<String> abandoned = new ArrayList<>();
		List<Runnable> out = new ArrayList<>();
		for (Run run : runs) {
			if (!await(run, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
				String thread = run.threadName();
				abandoned.add(run.name + (thread == null ? "" : " (thread '" + thread + "')"));
				synchronized (lock) {
					if (run.advance(Run.Phase.RUNNING, Run.Phase.STUCK)) {
						abandoned(run, grace, clock.instant(), out);
					}
				}
			}
		}
		engine.flush(out);
		if (!abandoned.isEmpty()) {
			LOG.warn("Abandoned {} run(s) that ignored their interrupt for {} s: {}", abandoned.size(), grace.toSeconds(),
					String.join(", ", abandoned));
		}
	}

	private static boolean await(Run run, Duration time) {
		try {
			return run.finished.await(time.toNanos(), TimeUnit.NANOSECONDS);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			return run.finished.getCount() == 0;
		}
	}
}
