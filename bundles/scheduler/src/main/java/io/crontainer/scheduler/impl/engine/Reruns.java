package io.crontainer.scheduler.impl.engine;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.crontainer.api.runtime.CronLogDTO;
import io.crontainer.api.runtime.CronRunDTO;
import io.crontainer.api.runtime.JobState;
import io.crontainer.api.runtime.RerunDTO;
import io.crontainer.api.runtime.RerunSplit;
import io.crontainer.api.runtime.RunWindowDTO;
import io.crontainer.format.Formats;
import io.crontainer.scheduler.impl.engine.RerunRequests.Target;
import io.crontainer.scheduler.impl.interval.Interval;
import io.crontainer.scheduler.impl.interval.Intervals;
import io.crontainer.scheduler.impl.interval.InvalidIntervalException;
import io.crontainer.store.api.Rerun;
import io.crontainer.store.api.StateStore;
import io.crontainer.store.api.StoreUnavailableException;

/**
 * Re-runs of past windows (an operator's backfill): operators' requests (dry run, start, cancel), and
 * the running of each re-run's windows, one at a time, through the {@link Dispatcher}'s run path.
 *
 * <p>
 * <b>A re-run's life here.</b> A re-run kept by the store is held by this runtime once the store
 * grants it ({@link StateStore#startRerun} for one asked for here, {@link StateStore#claimRerun} for
 * one found at start, after a restart, or left by a runtime whose lease expired). While it is held, its
 * plugin's job is live and {@code SCHEDULED} here, and no run of the plugin is going, its next window
 * ({@link Window}: from its first window not done to the next fire time of its interval, or its end) is
 * started as a run with trigger {@code RERUN} ({@link Runs#start}). The run claims the name as a manual
 * fire does, so nothing else of the plugin runs beside it on any runtime, and releases the claim: the
 * plugin's window end never moves. Once it ran, the window is recorded as done or failed, in one
 * durable write with its run's history entry ({@link StateStore#advanceRerun}, on the run's thread),
 * and the next one waits for the plugin to be
 * idle again: a scheduled fire that came meanwhile runs first. A window cut off by a departure, a stop
 * or a crash is not recorded, so it runs again. A cancelled re-run ends after the window in progress.
 *
 * <p>
 * <b>Deciding</b> is deferred: every event that may let a window start (a run of the name ended, the
 * job's state changed, the store answered) only queues {@link #poke}'s effect, which decides once the
 * lock hold that caused it is over, so that a fire queued in the same hold (a scheduled fire that came
 * while the window ran) goes first.
 *
 * <p>
 * <b>Cluster.</b> With a store shared by runtimes, every {@value #CHECK_SECONDS} s this runtime reads the
 * re-runs kept ({@link #check}) and asks for each in progress whose plugin it hosts and that it does not
 * hold: the store grants it only if no runtime holds it with a live lease, which is the take-over of a
 * dead runtime's re-run. The store renews the leases of the re-runs held.
 *
 * <p>
 * <b>Threads.</b> Every field but {@link #check} is guarded by the engine's lock, held for memory
 * operations only. Operators' threads start and cancel; run threads record windows
 * ({@link #windowRan}); the executor (the run pool) does the other store calls (claims, ends,
 * releases, checks), never the timer, which only queues them. No store call, log line or plugin call
 * happens with the lock held.
 */
final class Reruns {
	private static final Logger LOG = LoggerFactory.getLogger(Reruns.class);
	/** How often a runtime of a cluster reads the re-runs kept, and retries after a store failure. */
	static final long CHECK_SECONDS = 5;

	/** What the re-runs need of the engine. */
	interface Engine {
		/** The store in use now (volatile: read without the lock). */
		StateStore store();

		/** The live job of a name. Lock held. @throws IllegalArgumentException If there is none. */
		Job require(String name);

		/** The live job of a name, or {@code null}. Lock held. */
		Job owner(String name);

		/** The zone of a job's interval, or the default zone. Lock held. */
		ZoneId zone(Job job);

		/** Whether the engine stopped. Lock held. */
		boolean stopped();

		/** Runs the effects collected under the lock; lock not held. */
		void flush(List<Runnable> out);
	}

	/** What the re-runs need of the run path. Lock held. */
	interface Runs {
		/** Whether a run of the name is queued, running, committing or stuck. */
		boolean busy(String name);

		/** Starts a run of a job for a re-run's window, holding its name. */
		void start(Job job, Window window, Instant now, List<Runnable> out);
	}

	/**
	 * One window of a re-run, as a run is handed it.
	 *
	 * @param name The plugin's name.
	 * @param id The re-run's id.
	 * @param start The window's start, UTC.
	 * @param end The window's end, UTC.
	 * @param requestedBy Who asked for the re-run.
	 */
	record Window(String name, long id, Instant start, Instant end, String requestedBy) {
	}

	/** What this runtime knows of a name's newest re-run. Guarded by the engine's lock. */
	private static final class Entry {
		Rerun rerun;
		/** Its interval, parsed once; {@code null} for one window, or if it no longer parses. */
		Interval interval;
		/** Why its interval cannot be parsed; {@code null} if it can. */
		String broken;
		/** Whether this runtime holds it (the store granted it). */
		boolean held;
		/** Whether a store call about it is on its way (claim, end, release). */
		boolean asking;
		/** Whether one of its windows is going as a run. */
		boolean going;
		/** Why its last store call failed; cleared by the next that gets through. */
		String failed;
		/**
		 * Whether the store refused this runtime's claim (another runtime holds it): not asked again
		 * before the next {@link Reruns#check}, which could find the holder dead.
		 */
		boolean refused;

		Entry(Rerun rerun, boolean held) {
			this.held = held;
			take(rerun);
		}

		void take(Rerun newer) {
			boolean same = rerun != null && rerun.id() == newer.id();
			rerun = newer;
			if (!same) {
				try {
					interval = RerunRequests.interval(newer);
					broken = null;
				} catch (InvalidIntervalException | RuntimeException e) {
					interval = null;
					broken = "its interval '" + newer.interval() + "' no longer parses: " + e.getMessage();
				}
			}
		}
	}

	private final Object lock;
	private final Clock clock;
	private final Executor executor;
	private final DueQueue due;
	private final Engine engine;
	private final Runs runs;
	// Guarded by lock.
	private final Map<String, Entry> entries = new HashMap<>();
	/** The periodic read of the re-runs kept (a cluster), and the retry after a failed store call. */
	private final Due check = new Due() {
		@Override
		void come(Parts parts, Instant now, List<Runnable> out) {
			checkDue(now, out);
		}
	};

	Reruns(Object lock, Clock clock, Executor executor, DueQueue due, Engine engine, Runs runs) {
		this.lock = lock;
		this.clock = clock;
		this.executor = executor;
		this.due = due;
		this.engine = engine;
		this.runs = runs;
	}

	// ------------------------------------------------------------------ loading

	/**
	 * Reads the re-runs the store keeps (at start, after a store switch), none held yet: each is claimed
	 * once its plugin can run here. Lock not held; store I/O on the calling thread.
	 */
	void load(StateStore store) {
		List<Rerun> all = List.of();
		String failure = null;
		if (store.keepsReruns()) {
			try {
				all = store.reruns();
			} catch (StoreUnavailableException | RuntimeException e) {
				failure = Texts.describe(e);
			}
		}
		List<Runnable> out = new ArrayList<>();
		synchronized (lock) {
			entries.clear();
			for (Rerun rerun : all) {
				keep(rerun, false);
			}
			for (String name : entries.keySet()) {
				poke(name, out);
			}
			if (failure != null || store.node() != null) {
				due.schedule(check, clock.millis() + Duration.ofSeconds(CHECK_SECONDS).toMillis());
			}
		}
		if (failure != null) {
			String why = failure;
			out.add(() -> LOG.warn("The re-runs kept by the state store cannot be read now ({}); tried again in {} s", why,
					CHECK_SECONDS));
		}
		engine.flush(out);
	}

	/** Keeps a re-run read from the store as its name's, if it is the newest. Lock held. */
	private Entry keep(Rerun rerun, boolean held) {
		Entry entry = entries.get(rerun.name());
		if (entry == null || rerun.id() > entry.rerun.id() || entry.rerun.inProgress() == false && rerun.inProgress()
				&& rerun.id() == entry.rerun.id()) {
			entry = new Entry(rerun, held);
			entries.put(rerun.name(), entry);
		}
		return entry;
	}

	// ------------------------------------------------------------------ operators' requests

	java.util.List<RunWindowDTO> plan(String name, Instant from, Instant to, RerunSplit split) {
		requireNonNull(name, "name");
		return RerunRequests.dtos(RerunRequests.plan(target(name), from, to, split));
	}

	RerunDTO start(String name, Instant from, Instant to, RerunSplit split, String requestedBy) {
		requireNonNull(name, "name");
		String by = RerunRequests.requestedBy(requestedBy);
		RerunSplit how = split == null ? RerunSplit.INTERVAL : split;
		Target target = target(name);
		int windows = RerunRequests.plan(target, from, to, how).size();
		StateStore store = engine.store();
		if (!store.keepsReruns()) {
			throw new IllegalStateException("the state store (" + store.describe() + ") does not keep re-runs");
		}
		Interval interval = target.interval();
		String expression = how == RerunSplit.ONCE ? null : interval.expression();
		Instant anchor = expression == null || !Intervals.usesCreationTime(expression) ? null : target.anchor();
		Rerun started;
		try {
			started = store.startRerun(Rerun.request(name, from, to, how, expression, target.zone().getId(), anchor, by,
					clock.instant()));
		} catch (StoreUnavailableException | IOException e) {
			throw new IllegalStateException("the re-run of cron plugin '" + name + "' cannot be kept now: "
					+ e.getMessage(), e);
		}
		LOG.info("Cron plugin {}: re-run of [{}, {}) in {} window(s), asked by {}", name, from, to, windows, by);
		List<Runnable> out = new ArrayList<>();
		synchronized (lock) {
			Entry entry = new Entry(started, true);
			entries.put(name, entry);
			poke(name, out);
		}
		engine.flush(out);
		return get(name);
	}

	RerunDTO cancel(String name) {
		requireNonNull(name, "name");
		Rerun cancelled;
		try {
			cancelled = engine.store().cancelRerun(name);
		} catch (StoreUnavailableException | IOException e) {
			throw new IllegalStateException("the re-run of cron plugin '" + name + "' cannot be cancelled now: "
					+ e.getMessage(), e);
		}
		if (cancelled == null) {
			throw new IllegalArgumentException("cron plugin '" + name + "' has no re-run in progress");
		}
		LOG.info("Cron plugin {}: its re-run of [{}, {}) is cancelled{}", name, Formats.instant(cancelled.from()),
				Formats.instant(cancelled.to()), cancelled.inProgress() ? "; it stops after the window in progress" : "");
		List<Runnable> out = new ArrayList<>();
		boolean endNow = false;
		synchronized (lock) {
			Entry entry = entries.get(name);
			if (entry == null || entry.rerun.id() != cancelled.id()) {
				entries.put(name, new Entry(cancelled, false));
			} else {
				entry.take(cancelled.inProgress() ? entry.rerun.with(entry.rerun.id(), true, entry.rerun.node(), null)
						: cancelled);
				if (!cancelled.inProgress()) {
					entry.held = false;
				} else if (entry.held && !entry.going && !entry.asking) {
					entry.asking = true; // no window of it is going here: it ends now, on this thread
					endNow = true;
				}
			}
			poke(name, out);
		}
		engine.flush(out);
		if (endNow) {
			end(entry(name));
		}
		return get(name);
	}

	/** The re-run known of a name. Takes the lock. */
	private Rerun entry(String name) {
		synchronized (lock) {
			return entries.get(name).rerun;
		}
	}

	/** The newest re-run known of a name; {@code null} if none. Takes the lock (memory only). */
	RerunDTO get(String name) {
		requireNonNull(name, "name");
		JobView.Rerunning seen;
		synchronized (lock) {
			seen = seen(name);
		}
		return seen == null ? null : RerunRequests.dto(seen.rerun(), seen.waiting());
	}

	/**
	 * The newest re-run known of a name and why its next window waits, as a view shows them; {@code null}
	 * if none. Lock held: a job's view takes it with the job's in one hold of the lock.
	 */
	JobView.Rerunning seen(String name) {
		Entry entry = entries.get(name);
		return entry == null ? null : new JobView.Rerunning(entry.rerun, waiting(entry));
	}

	/** Why a re-run's next window does not run now; {@code null} if nothing holds it back. Lock held. */
	private String waiting(Entry entry) {
		Rerun rerun = entry.rerun;
		if (!rerun.inProgress() || entry.going) {
			return null;
		}
		if (entry.broken != null) {
			return entry.broken;
		}
		Job job = engine.owner(rerun.name());
		if (job == null) {
			return "the plugin is not deployed on this runtime";
		}
		if (job.state != JobState.SCHEDULED) {
			return "the plugin is " + job.state;
		}
		if (entry.failed != null) {
			return "the state store failed: " + entry.failed;
		}
		if (!entry.held) {
			String node = engine.store().node();
			return rerun.node() != null && !rerun.node().equals(node) ? "runtime " + rerun.node() + " runs it"
					: "being claimed";
		}
		if (runs.busy(rerun.name())) {
			return "another run of the plugin is going";
		}
		return null;
	}

	/** What a request needs of its job. Takes the lock. */
	private Target target(String name) {
		synchronized (lock) {
			Job job = engine.require(name);
			Interval interval = job.resolution == null ? null : job.resolution.interval();
			return new Target(name, String.valueOf(job.state), job.reason, job.record != null,
					job.record == null ? null : job.record.lastEnd(), interval, job.createdAt, engine.zone(job));
		}
	}

	// ------------------------------------------------------------------ running the windows

	/**
	 * Something happened that may let a name's re-run go on (a run of it ended, its job changed, the
	 * store answered): decided once this lock hold is over ({@link #next}). Lock held.
	 */
	void poke(String name, List<Runnable> out) {
		if (entries.containsKey(name)) {
			out.add(() -> next(name));
		}
	}

	/** Decides what the re-run of a name does now. Takes the lock; flushes its effects. */
	private void next(String name) {
		List<Runnable> out = new ArrayList<>();
		synchronized (lock) {
			decide(name, clock.instant(), out);
		}
		engine.flush(out);
	}

	/** Lock held. */
	private void decide(String name, Instant now, List<Runnable> out) {
		Entry entry = entries.get(name);
		if (entry == null || engine.stopped() || entry.asking || entry.going || !entry.rerun.inProgress()) {
			return;
		}
		Rerun rerun = entry.rerun;
		Job job = engine.owner(name);
		if (job == null) {
			if (entry.held) { // its plugin left: another runtime may run it
				entry.held = false;
				entry.asking = true;
				submit(() -> release(rerun), out);
			}
			return;
		}
		if (!entry.held) {
			if (job.state == JobState.SCHEDULED && engine.store().keepsReruns() && !entry.refused) {
				entry.asking = true;
				submit(() -> claim(rerun), out);
			}
			return;
		}
		if (rerun.cancelled()) {
			entry.asking = true;
			submit(() -> end(rerun), out);
			return;
		}
		if (job.state != JobState.SCHEDULED || job.record == null || runs.busy(name) || entry.broken != null) {
			return; // waits: resumed, idle or fixed, it is poked again
		}
		Instant end = rerun.to();
		if (entry.interval != null) {
			Optional<ZonedDateTime> fire = entry.interval.next(rerun.next());
			if (fire.isPresent() && fire.get().toInstant().isBefore(end)) {
				end = fire.get().toInstant();
			}
		}
		entry.going = true;
		runs.start(job, new Window(name, rerun.id(), rerun.next(), end, rerun.requestedBy()), now, out);
	}

	private void submit(Runnable task, List<Runnable> out) {
		out.add(() -> {
			try {
				executor.execute(task);
			} catch (RejectedExecutionException e) {
				// the scheduler is stopping: the re-run is taken up at the next start
			}
		});
	}

	/** Asks the store for a re-run this runtime does not hold. Executor thread. */
	private void claim(Rerun rerun) {
		Rerun held = null;
		String failure = null;
		try {
			held = engine.store().claimRerun(rerun.name(), rerun.id());
		} catch (StoreUnavailableException | RuntimeException e) {
			failure = Texts.describe(e);
		}
		answered(rerun, held, failure, true);
	}

	/** Ends a cancelled re-run held here. Executor thread, or the cancelling operator's. */
	private void end(Rerun rerun) {
		Rerun ended = null;
		String failure = null;
		try {
			ended = engine.store().endRerun(rerun.name(), rerun.id());
		} catch (StoreUnavailableException | IOException | RuntimeException e) {
			failure = Texts.describe(e);
		}
		if (ended != null) {
			LOG.info("Cron plugin {}: its cancelled re-run of [{}, {}) ended: {} window(s) done, {} failed", rerun.name(),
					Formats.instant(rerun.from()), Formats.instant(rerun.to()), ended.done(),
					ended.failed());
		}
		answered(rerun, ended, failure, false);
	}

	/** Gives up a re-run whose plugin left. Executor thread. */
	private void release(Rerun rerun) {
		engine.store().releaseRerun(rerun.name(), rerun.id());
		answered(rerun, null, null, false);
	}

	/**
	 * The store answered a claim, an end or a release. {@code now} is the re-run as the store holds it
	 * now (for a claim: granted), or {@code null}. Executor thread; takes the lock.
	 */
	private void answered(Rerun asked, Rerun now, String failure, boolean claim) {
		List<Runnable> out = new ArrayList<>();
		synchronized (lock) {
			Entry entry = entries.get(asked.name());
			if (entry == null || entry.rerun.id() != asked.id()) {
				return;
			}
			entry.asking = false;
			entry.failed = failure;
			if (failure != null) {
				retry(out);
				return;
			}
			if (now != null) {
				entry.take(now);
				entry.held = claim && now.inProgress();
			} else if (claim) {
				entry.held = false; // another runtime holds it, or it ended: the next check tells
				entry.refused = true;
				retry(out);
				return;
			}
			if (claim && now != null && entry.rerun.next().isAfter(entry.rerun.from())) {
				Rerun taken = now;
				out.add(() -> LOG.info("Cron plugin {}: this runtime runs its re-run of [{}, {}) from {} on ({} window(s)"
						+ " done, {} failed)", taken.name(), Formats.instant(taken.from()),
						Formats.instant(taken.to()), Formats.instant(taken.next()), taken.done(),
						taken.failed()));
			}
			poke(asked.name(), out);
		}
		engine.flush(out);
	}

	/**
	 * A re-run's window ran: recorded as done or failed, durably, in the same write as its run's history
	 * entry (the store appends the entry whatever the answer), before its run is over. A window cut off
	 * (departure, stop, not claimed) does not count, is not recorded here, and runs again. Run thread,
	 * no lock held.
	 *
	 * @param run The window's run, finished (succeeded, failed or timed out).
	 * @param log The run's log; {@code null} for none.
	 */
	void windowRan(Window window, CronRunDTO run, CronLogDTO log) {
		Rerun after = null;
		String failure = null;
		try {
			after = engine.store().advanceRerun(window.name(), window.id(), window.start(), window.end(), run, log);
		} catch (StoreUnavailableException | IOException | RuntimeException e) {
			failure = Texts.describe(e);
			LOG.warn("Cron plugin {}: the window [{}, {}) of its re-run ran, but the state store could not record it ({});"
					+ " it runs again", window.name(), window.start(), window.end(), failure);
		}
		synchronized (lock) {
			Entry entry = entries.get(window.name());
			if (entry == null || entry.rerun.id() != window.id()) {
				return;
			}
			entry.failed = failure;
			if (after != null) {
				entry.take(after);
				if (!after.inProgress()) {
					entry.held = false;
				}
			} else {
				entry.held = false; // taken over, or the store failed: claimed again before its next window
			}
		}
		if (after != null && !after.inProgress()) {
			LOG.info("Cron plugin {}: its re-run of [{}, {}) {}: {} window(s) done, {} failed", window.name(),
					Formats.instant(after.from()), Formats.instant(after.to()),
					after.cancelled() ? "was cancelled" : "is over", after.done(), after.failed());
		}
	}

	/**
	 * A run of a re-run's window is over, however it ended: the next window may follow once the name is
	 * idle. Lock held.
	 */
	void over(Window window, List<Runnable> out) {
		Entry entry = entries.get(window.name());
		if (entry != null && entry.rerun.id() == window.id()) {
			entry.going = false;
			if (entry.failed != null) {
				retry(out);
			}
		}
		poke(window.name(), out);
	}

	/** A re-run's window could not start (another runtime runs the plugin): tried again later. Lock held. */
	void deferred(Window window, List<Runnable> out) {
		Entry entry = entries.get(window.name());
		if (entry != null && entry.rerun.id() == window.id()) {
			entry.going = false;
			retry(out);
		}
	}

	/** The check comes within {@value #CHECK_SECONDS} s. Lock held. */
	private void retry(List<Runnable> out) {
		long at = clock.millis() + Duration.ofSeconds(CHECK_SECONDS).toMillis();
		if (!check.queued() || check.dueAt > at) {
			due.schedule(check, at);
		}
	}

	/** The check is due: queued on the executor, and again in a while in a cluster. Timer, lock held. */
	private void checkDue(Instant now, List<Runnable> out) {
		if (engine.stopped()) {
			return;
		}
		StateStore store = engine.store();
		if (store.node() != null) {
			due.schedule(check, now.plusSeconds(CHECK_SECONDS).toEpochMilli());
		}
		submit(() -> check(store), out);
	}

	/**
	 * Reads the re-runs the store keeps: progress made elsewhere shows, a cancellation made elsewhere
	 * reaches the holder, and a re-run no one holds (its runtime died) is claimed if its plugin is here.
	 * Executor thread.
	 */
	void check(StateStore store) {
		if (!store.keepsReruns()) {
			return;
		}
		List<Rerun> all;
		try {
			all = store.reruns();
		} catch (StoreUnavailableException | RuntimeException e) {
			List<Runnable> out = new ArrayList<>();
			synchronized (lock) {
				retry(out);
			}
			engine.flush(out);
			return;
		}
		List<Runnable> out = new ArrayList<>();
		synchronized (lock) {
			for (Rerun rerun : all) {
				Entry entry = entries.get(rerun.name());
				if (entry == null || rerun.id() > entry.rerun.id()) {
					entries.put(rerun.name(), new Entry(rerun, false));
				} else if (rerun.id() == entry.rerun.id()) {
					if (!entry.held && !entry.going && !entry.asking) {
						entry.take(rerun);
					} else if (rerun.cancelled() && !entry.rerun.cancelled()) {
						entry.take(entry.rerun.with(entry.rerun.id(), true, entry.rerun.node(), entry.rerun.ended()));
					}
					entry.failed = null;
				}
				entries.get(rerun.name()).refused = false; // claimed again: its holder may have died
				poke(rerun.name(), out);
			}
		}
		engine.flush(out);
	}

	/** The scheduler stops: the re-runs held here are given up, for another runtime to take at once. */
	void stop() {
		List<Rerun> held = new ArrayList<>();
		synchronized (lock) {
			for (Entry entry : entries.values()) {
				if (entry.held) {
					entry.held = false;
					held.add(entry.rerun);
				}
			}
			due.cancel(check);
		}
		StateStore store = engine.store();
		for (Rerun rerun : held) {
			store.releaseRerun(rerun.name(), rerun.id());
		}
	}
}
