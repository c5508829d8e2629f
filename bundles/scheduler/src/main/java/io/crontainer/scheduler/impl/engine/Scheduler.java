package io.crontainer.scheduler.impl.engine;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.crontainer.api.runtime.CronLogDTO;
import io.crontainer.api.runtime.CronRunDTO;
import io.crontainer.api.runtime.Trigger;
import io.crontainer.scheduler.impl.whiteboard.Plugin;
import io.crontainer.store.api.PendingRetry;
import io.crontainer.store.api.RunState;
import io.crontainer.store.api.StateStore;

/**
 * The engine: wires the parts, owns their one lock, and hands each deadline to the part it belongs
 * to. The parts, each with one concern:
 *
 * <table>
 * <caption>The engine's parts</caption>
 * <tr><th>part</th><th>concern</th></tr>
 * <tr><td>{@link JobTable}</td><td>arrival, change, departure, duplicate names, loading records</td></tr>
 * <tr><td>{@link Resolutions} with {@link PluginCalls}</td><td>{@code enabled()} and {@code interval()}
 * on the call pool, with deadlines, turned into resolutions</td></tr>
 * <tr><td>{@link Schedules}</td><td>each job's state and schedule, misfires</td></tr>
 * <tr><td>{@link Firing}</td><td>the fire-or-skip decision and the table of runs going: at most one per
 * name, concurrent runs up to a cap, a fire during a commit kept for after it, fire times of another
 * runtime claimed again</td></tr>
 * <tr><td>{@link RunThread} with {@link RunPool}</td><td>a run on its own thread: claim, window, plugin
 * call, commit or release, hand-over to a new store</td></tr>
 * <tr><td>{@link Deadlines}</td><td>time limits and departed plugins' graces of running runs;
 * interrupting, then abandoning stuck runs</td></tr>
 * <tr><td>{@link Stopping}</td><td>interrupting and awaiting every run when the scheduler stops</td></tr>
 * <tr><td>{@link Reruns} with {@link RerunRequests}</td><td>re-runs of past windows: requests, which
 * re-run this runtime holds, and the next window of each, started through {@link Firing} once its
 * plugin is idle; the store calls on the run pool, never the timer</td></tr>
 * <tr><td>{@link Outcomes} with {@link History}</td><td>what became of each fire: history and counters,
 * the store's history, events, the stage of a manual fire</td></tr>
 * <tr><td>{@link StateStore}</td><td>the one protocol that reads and persists a record</td></tr>
 * <tr><td>{@link DueQueue} with {@link Timer}</td><td>every deadline; the thread that sleeps until the
 * earliest</td></tr>
 * <tr><td>{@link Operators}</td><td>the operators' side ({@link Operations}): copies of jobs and runs for the
 * runtime view, operators' actions</td></tr>
 * <tr><td>{@link CommitTimes}</td><td>how long the store took to commit windows (lock-free: the store's
 * threads report, operators' threads read)</td></tr>
 * </table>
 *
 * <p>
 * The engine owns no thread: {@link #tick()} does what is due at the clock's instant and returns when
 * it wants to be called again; in production the {@link Timer} calls it, tests call it after moving a
 * mutable clock.
 *
 * <p>
 * Thread-safe. One lock ({@link #lock()}) guards every part but the store, the run pool and the commit
 * times, and is held for memory operations only: no plugin call, store call, file I/O or log line
 * happens while it is held. Work found under the lock is collected as effects ({@code out}) and run by
 * {@link #flush} after it is released. Callers: the whiteboard thread ({@link #add}, {@link #update},
 * {@link #remove}), the timer ({@link #tick}), call, run and store threads through the parts,
 * operators' threads through the runtime view ({@link Operators}), the component ({@link #configure},
 * {@link #stop}).
 */
public final class Scheduler implements Due.Parts {

	/** How many deadlines one hold of the lock handles at most, so that runs start while the rest is dispatched. */
	static final int TICK_BATCH = 32;

	/**
	 * The longest the timer puts off the next fire times of a burst while the runs it fired wait for a
	 * run thread: on 2 cores, computing them competes with the runs' start for the CPU, and none of them
	 * is due within milliseconds (the fire times of a cron interval are at least a second apart).
	 */
	static final long NEXT_DEFER_MAX_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(20);

	/**
	 * The scheduler's configuration.
	 *
	 * @param zone The default zone of intervals.
	 * @param recheck The period of the re-check of {@code enabled()} and {@code interval()}.
	 * @param callTimeout The time limit of one call of {@code enabled()} or {@code interval()}.
	 * @param grace How long a departing plugin's run may go on before it is interrupted, how long an
	 *        interrupted run may take to return before it counts as stuck, and how long the stopping
	 *        scheduler awaits its runs.
	 * @param historySize How many runs are kept per plugin name.
	 * @param maxRunning In a cluster ({@code cluster.max.running}): the most runs in progress on this
	 *        runtime, beyond which due fire times are left to the other runtimes; 0 for no limit.
	 */
	public record Options(ZoneId zone, Duration recheck, Duration callTimeout, Duration grace, int historySize,
			int maxRunning) {

		/** Options with no limit of runs in progress. */
		public Options(ZoneId zone, Duration recheck, Duration callTimeout, Duration grace, int historySize) {
			this(zone, recheck, callTimeout, grace, historySize, 0);
		}
	}

	private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);

	private final Object lock = new Object();
	private final Clock clock;
	private final DueQueue due = new DueQueue();
	private final History history;
	/** How long commits took; thread-safe without the lock. */
	private final CommitTimes commitTimes = new CommitTimes();
	private final JobTable table;
	private final Schedules schedules;
	private final Resolutions resolutions;
	private final PluginCalls calls;
	private final Outcomes outcomes;
	private final Firing firing;
	private final Deadlines deadlines;
	private final RunThread runThread;
	private final Stopping stopping;
	private final Operators operators;
	private final Reruns reruns;
	private final Due recheck = new Due() {
		@Override
		void come(Parts parts, Instant now, List<Runnable> out) {
			parts.recheck(now, out);
		}
	};
	/**
	 * Jobs fired in the tick going on, whose next fire times are computed once the burst has started,
	 * in batches. The timer thread only, lock held.
	 */
	private final ArrayDeque<Job> burst = new ArrayDeque<>();
	/**
	 * Whether {@link #burst} holds jobs: the timer is still handing a tick's fires over, or has not yet
	 * computed their next fire times. Written with the lock held, by the timer thread (and cleared by the
	 * stopping thread), read by any thread without it ({@link #handingOver}).
	 */
	private volatile boolean handingOver;
	private final Runnable changed;
	/**
	 * Whether runs fired wait for a run thread ({@link RunPool#waiting()}); any thread. The timer puts
	 * off next fire times while they do, up to {@link #NEXT_DEFER_MAX_NANOS}.
	 */
	private volatile BooleanSupplier runsWaiting;
	/**
	 * Parks the timer until no run waits for a run thread, at most the nanoseconds given
	 * ({@link RunPool#awaitDrained}): the run thread that takes the last run queued wakes it, and so does
	 * the due queue ({@link Timer#wake}) when a deadline before its earliest one is scheduled; it may
	 * return sooner.
	 */
	private volatile LongConsumer awaitRunsStarted;

	/**
	 * The configuration: written under the lock; volatile so that what is read alone (the history size
	 * while a record loads, the call time limit) is read without taking it.
	 */
	private volatile Options options;
	/** Written under the lock; volatile so that run and call threads read the store in use without it. */
	private volatile StateStore store;
	private boolean stopped;
	/**
	 * How many times the jobs changed: incremented under the lock only, read without it by
	 * {@link #flush}, which tells of the changes not told yet ({@link #notified}) with no hold of the
	 * lock of its own.
	 */
	private volatile long changes;
	/** The value of {@link #changes} told last; any thread. */
	private final AtomicLong notified = new AtomicLong();

	/**
	 * @param clock The clock read for every fire time, window and time limit.
	 * @param runs Executes runs; a {@link RunPool} in production (never the calling thread).
	 * @param pluginCalls Executes calls of {@code enabled()} and {@code interval()}.
	 * @param store Keeps the run state.
	 * @param options The configuration.
	 * @param changed Told (with no lock held) when the jobs changed, for {@code service.changecount}.
	 */
	Scheduler(Clock clock, Executor runs, PluginCalls.Calls pluginCalls, StateStore store, Options options,
			Runnable changed) {
		this(clock, runs, pluginCalls, store, options, changed, Events.NONE);
	}

	/**
	 * As {@link #Scheduler(Clock, Executor, PluginCalls.Calls, StateStore, Options, Runnable)}, telling
	 * {@code events} of runs and state changes (with no lock held).
	 */
	public Scheduler(Clock clock, Executor runs, PluginCalls.Calls pluginCalls, StateStore store, Options options,
			Runnable changed, Events events) {
		requireNonNull(events);
		this.clock = requireNonNull(clock);
		this.store = requireNonNull(store);
		this.options = requireNonNull(options);
		this.changed = requireNonNull(changed);
		if (runs instanceof RunPool pool) {
			this.runsWaiting = pool::waiting;
			this.awaitRunsStarted = pool::awaitDrained;
		} else {
			this.runsWaiting = () -> false;
			this.awaitRunsStarted = LockSupport::parkNanos;
		}
		this.history = new History(options.historySize());
		this.table = new JobTable(lock, clock, due, history, new JobTable.Engine() {
			@Override
			public boolean stopped() {
				return stopped;
			}

			@Override
			public void changed() {
				changes++;
			}

			@Override
			public StateStore store() {
				return Scheduler.this.store; // the field: the store in use now, not the one at construction
			}

			@Override
			public int historySize() {
				return Scheduler.this.historySize();
			}

			@Override
			public void flush(List<Runnable> out) {
				Scheduler.this.flush(out);
			}

			@Override
			public Run running(String name) {
				return firing.running(name);
			}

			@Override
			public List<Run> alongside(Job job) {
				return firing.alongside(job);
			}

			@Override
			public void resolve(Job job, Instant now, List<Runnable> out) {
				resolutions.resolve(job, now, out);
			}

			@Override
			public void refresh(Job job, Instant now, List<Runnable> out) {
				schedules.refresh(job, now, out);
				reruns.poke(job.name(), out);
			}

			@Override
			public void unschedule(Job job, List<Runnable> out) {
				schedules.unschedule(job);
				reruns.poke(job.name(), out);
			}

			@Override
			public void loaded(Job job, Instant now, List<Runnable> out) {
				schedules.loaded(job, now, out);
				reruns.poke(job.name(), out);
			}

			@Override
			public void pausedChanged(Job job, Instant now, List<Runnable> out) {
				schedules.pausedChanged(job, now, out);
				reruns.poke(job.name(), out);
			}

			@Override
			public void reset(Job job, Instant now, List<Runnable> out) {
				schedules.reset(job, now, out);
				reruns.poke(job.name(), out);
			}

			@Override
			public void settingsChanged(Job job, boolean renamed, Instant now) {
				schedules.settingsChanged(job);
				if (renamed) {
					resolutions.renamed(job, now);
				}
			}
		});
		this.schedules = new Schedules(new Schedules.Engine() {
			@Override
			public void fire(Job job, Trigger trigger, Instant fireTime, Instant now,
					List<Runnable> out) {
				firing.fire(job, trigger, fireTime, null, now, out);
			}

			@Override
			public void skipped(Job job, Trigger trigger, Instant fireTime, Instant now,
					String why, List<Runnable> out) {
				outcomes.skipped(job, trigger, fireTime, now, why, out);
			}

			@Override
			public Run running(String name) {
				return firing.running(name);
			}

			@Override
			public void changed() {
				changes++;
			}

			@Override
			public void missed(Job job, long count, Instant latest) {
				history.missed(job.name(), count, latest);
			}

			@Override
			public RunRecord newestRun(String name) {
				History.Runs runs = history.of(name);
				return runs == null ? null : runs.recent.peekFirst();
			}
		}, due, events);
		this.resolutions = new Resolutions(lock, clock, new Resolutions.Engine() {
			@Override
			public PluginCalls calls() {
				return calls;
			}

			@Override
			public boolean stopped() {
				return stopped;
			}

			@Override
			public ZoneId zone() {
				return Scheduler.this.options.zone();
			}

			@Override
			public StateStore store() {
				return Scheduler.this.store; // the field: the store in use now, not the one at construction
			}

			@Override
			public void record(String name, RunState state, Instant now, List<Runnable> out) {
				table.record(name, state, now, out);
			}

			@Override
			public void restart(Job job) {
				schedules.restart(job);
			}

			@Override
			public void refresh(Job job, Instant now, List<Runnable> out) {
				schedules.refresh(job, now, out);
				reruns.poke(job.name(), out);
			}

			@Override
			public void flush(List<Runnable> out) {
				Scheduler.this.flush(out);
			}
		});
		this.calls = new PluginCalls(due, clock, pluginCalls, this::callTimeout, resolutions::answered);
		this.outcomes = new Outcomes(history, () -> this.store, events, runs);
		this.firing = new Firing(outcomes, new Firing.Engine() {
			@Override
			public StateStore store() {
				return Scheduler.this.store;
			}

			@Override
			public void submit(Run run, Instant expected, long version) {
				runThread.submit(run, expected, version);
			}

			@Override
			public void claimTick() {
				runThread.claimTick();
			}
		});
		this.deadlines = new Deadlines(lock, due, outcomes, new Deadlines.Engine() {
			@Override
			public Duration grace() {
				return Scheduler.this.grace();
			}

			@Override
			public void abandoned(Run run, Instant now, List<Runnable> out) {
				runChanged(run.name, now, out);
			}
		});
		this.runThread = new RunThread(lock, clock, runs, deadlines, outcomes, events, new RunThread.Engine() {
			@Override
			public StateStore store() {
				return Scheduler.this.store;
			}

			@Override
			public void commitTook(long nanos) {
				commitTimes.observe(nanos);
			}

			@Override
			public void record(String name, RunState state, Instant now, List<Runnable> out) {
				table.record(name, state, now, out);
			}

			@Override
			public void blocked(String name, String reason, Instant now, List<Runnable> out) {
				table.blocked(name, reason, now, out);
			}

			@Override
			public void claimUnavailable(Job job, String reason) {
				schedules.claimFailed(job, reason);
			}

			@Override
			public boolean claimReachable(Job job, Instant now, List<Runnable> out) {
				if (!schedules.claimsReach(job)) {
					return false;
				}
				runChanged(job.name(), now, out);
				return true;
			}

			@Override
			public void over(Run run, Instant now, List<Runnable> out) {
				firing.over(run);
				if (run.rerun != null) {
					reruns.over(run.rerun, out);
				}
				runChanged(run.name, now, out);
				firing.follow(run, now, out);
			}

			@Override
			public void rerunRan(Reruns.Window window, CronRunDTO run, CronLogDTO log) {
				reruns.windowRan(window, run, log);
			}

			@Override
			public void rerunDeferred(Run run, Instant now, List<Runnable> out) {
				firing.over(run);
				reruns.deferred(run.rerun, out);
				runChanged(run.name, now, out);
				firing.follow(run, now, out);
			}

			@Override
			public void yielded(Run run, Instant retryAt, boolean takeOver, Instant now, List<Runnable> out) {
				firing.over(run);
				runChanged(run.name, now, out);
				if (firing.followYielded(run, now, out)) {
					// A later fire time came while this one's claim was awaited: it is asked for now, and its
					// window covers this one's, so this one is not asked for again.
					return;
				}
				if (retryAt != null && !run.job.gone) {
					due.schedule(new Firing.Retry(run.job, run.trigger, run.scheduledFire, takeOver),
							retryAt.toEpochMilli());
				}
			}

			@Override
			public List<Run> takeToClaim() {
				return firing.takeToClaim();
			}

			@Override
			public int maxRunning() {
				return Scheduler.this.maxRunning();
			}

			@Override
			public int inProgress() {
				int counted = 0;
				for (Run run : firing.runs()) {
					if (run.counted && !run.timedOut && run.phase != Run.Phase.STUCK) {
						counted++;
					}
				}
				return counted;
			}

			@Override
			public void flush(List<Runnable> out) {
				Scheduler.this.flush(out);
			}
		});
		this.operators = new Operators(lock, clock, table, history, firing, new Operators.Engine() {
			@Override
			public StateStore store() {
				return Scheduler.this.store;
			}

			@Override
			public ZoneId zone() {
				synchronized (lock) {
					return Scheduler.this.options.zone(); // the field: the configuration now
				}
			}

			@Override
			public void changed() {
				changes++;
			}

			@Override
			public Reruns reruns() {
				return reruns;
			}

			@Override
			public int dueQueueSize() {
				return due.size();
			}

			@Override
			public CommitTimes commitTimes() {
				return commitTimes;
			}

			@Override
			public void flush(List<Runnable> out) {
				Scheduler.this.flush(out);
			}
		});
		this.stopping = new Stopping(lock, clock, outcomes, new Stopping.Engine() {
			@Override
			public Collection<Run> runs() {
				return firing.runs();
			}

			@Override
			public void flush(List<Runnable> out) {
				Scheduler.this.flush(out);
			}
		});
		this.reruns = new Reruns(lock, clock, runs, due, new Reruns.Engine() {
			@Override
			public StateStore store() {
				return Scheduler.this.store;
			}

			@Override
			public Job require(String name) {
				return table.require(name);
			}

			@Override
			public Job owner(String name) {
				return table.owner(name);
			}

			@Override
			public ZoneId zone(Job job) {
				return job.resolution != null && job.resolution.interval() != null ? job.resolution.interval().zone()
						: job.settings.zone() != null ? job.settings.zone() : Scheduler.this.options.zone();
			}

			@Override
			public boolean stopped() {
				return stopped;
			}

			@Override
			public void flush(List<Runnable> out) {
				Scheduler.this.flush(out);
			}
		}, new Reruns.Runs() {
			@Override
			public boolean busy(String name) {
				return firing.running(name) != null;
			}

			@Override
			public void start(Job job, Reruns.Window window, Instant now, List<Runnable> out) {
				firing.fire(job, window, now, out);
			}
		});
		synchronized (lock) {
			due.schedule(recheck, clock.millis() + options.recheck().toMillis());
		}
		store.listen(this::changedElsewhere);
		store.onAvailable(this::storeAvailable);
		store.onUnavailable(this::storeUnavailable);
		reruns.load(store);
	}

	/**
	 * A record changed in a shared store, maybe by another runtime (a pause, resume, reset, anchor or
	 * commit): applied like a record this runtime got back from the store, if it is newer. Called on
	 * the store's thread, with no lock of the store held.
	 */
	void changedElsewhere(String name, RunState state) {
		List<Runnable> out = new ArrayList<>();
		synchronized (lock) {
			if (stopped) {
				return;
			}
			record(name, state, clock.instant(), out);
		}
		flush(out);
	}

	/**
	 * The store can be reached again (a database came back): the records that could not be loaded
	 * are loaded now rather than at their next retry, and jobs whose claim failed are scheduled again.
	 * Called on the store's thread, no lock of it held.
	 */
	void storeAvailable() {
		List<Runnable> out = new ArrayList<>();
		synchronized (lock) {
			if (stopped) {
				return;
			}
			Instant now = clock.instant();
			table.storeAvailable(now);
			for (Job job : table.owners()) {
				if (schedules.claimsReach(job)) { // its last claim found the store unreachable
					runChanged(job.name(), now, out);
				}
			}
		}
		flush(out);
	}

	/**
	 * The store found its database gone (its own check, within {@code cluster.poll}): every scheduled
	 * job is {@code UNAVAILABLE} at once with the store's reason, as if its claim had failed, rather
	 * than at its next fire time; it leaves that state when the store is back ({@link #storeAvailable})
	 * or a claim gets through. Called on the store's thread, no lock of it held.
	 */
	void storeUnavailable() {
		StateStore lost = store;
		String reason = lost.availability();
		if (reason == null) {
			return; // back already
		}
		List<Runnable> out = new ArrayList<>();
		synchronized (lock) {
			if (stopped || store != lost) {
				return;
			}
			Instant now = clock.instant();
			for (Job job : table.owners()) {
				if (schedules.storeLost(job, reason)) { // UNAVAILABLE now, until the store is back or a claim gets through
					runChanged(job.name(), now, out);
				}
			}
		}
		flush(out);
	}

	/** The timer, which the due queue wakes when a deadline comes before its sleep. */
	public void timer(Timer timer) {
		waker(timer::wake);
	}

	/**
	 * How the timer learns that runs wait for a run thread, and awaits their start (tests); by default the
	 * run pool's queue.
	 */
	void runsWaiting(BooleanSupplier waiting, LongConsumer awaitStarted) {
		this.runsWaiting = requireNonNull(waiting);
		this.awaitRunsStarted = requireNonNull(awaitStarted);
	}

	/** How to wake the timer (tests count the wake-ups). */
	void waker(Runnable waker) {
		synchronized (lock) {
			due.waker(waker);
		}
	}

	// ------------------------------------------------------------------ the whiteboard

	/** A plugin service arrived. Never throws for a bad plugin; it gets a state and a reason. */
	public void add(Plugin plugin) {
		table.add(plugin);
	}

	/** The service properties of a plugin changed. */
	public void update(Plugin plugin) {
		if (!table.update(plugin)) {
			table.add(plugin);
		}
	}

	/**
	 * A plugin service left: it is unscheduled at once. A run in progress gets the grace period to
	 * finish normally (and is committed if it does), then is interrupted, and abandoned if it ignores
	 * the interrupt; the timer does that when those deadlines come. Returns at once: the whiteboard
	 * thread (the one stopping the plugin's bundle, FileInstall's) never waits for a run.
	 */
	public void remove(long serviceId) {
		remove(serviceId, false);
	}

	/**
	 * A plugin service left, as {@link #remove(long)}; while the framework is stopping its run is
	 * interrupted at once and awaited only by {@link #stop()}, within one grace period for all runs.
	 *
	 * @param frameworkStopping Whether the system bundle is stopping.
	 */
	public void remove(long serviceId, boolean frameworkStopping) {
		List<Run> departing = table.remove(serviceId);
		if (frameworkStopping) {
			departing.forEach(deadlines::departedAtShutdown);
			return;
		}
		if (departing.isEmpty()) {
			return;
		}
		synchronized (lock) {
			// One grace for all, from now: the runs beside it (scheduler.concurrent) go on meanwhile.
			long graceEnd = clock.millis() + options.grace().toMillis();
			for (Run run : departing) {
				deadlines.departed(run, graceEnd);
			}
		}
	}

	// ------------------------------------------------------------------ timing

	/**
	 * Does what is due at the clock's instant: fires due plugins, enforces the time limits of runs and
	 * of plugin calls, re-checks every plugin when the re-check is due, and retries
	 * records the store could not give. The next fire times of the plugins fired are computed once
	 * the runs fired have a run thread, or {@link #NEXT_DEFER_MAX_NANOS} later (meanwhile the timer
	 * parks, with no lock held, until the run thread that takes the last run queued wakes it, or the due
	 * queue does for a deadline that comes meanwhile), so that a burst's runs start first.
	 *
	 * @return The instant at which it wants to be called next, the earliest deadline (the due queue wakes
	 *         the timer for an earlier one; the timer bounds each sleep itself); {@code null} once stopped.
	 */
	public Instant tick() {
		long putOffSince = 0;
		boolean puttingOff = false;
		while (true) {
			List<Runnable> out = new ArrayList<>();
			boolean more;
			synchronized (lock) {
				if (stopped) {
					return null;
				}
				due.awake();
				Instant now = clock.instant();
				long nowMillis = now.toEpochMilli();
				Due d = null;
				// At most a batch under one hold of the lock: runs start while the rest is dispatched.
				for (int i = 0; i < TICK_BATCH && (d = due.poll(nowMillis)) != null; i++) {
					d.come(this, now, out);
				}
				more = d != null && due.earliest() <= nowMillis;
			}
			flush(out); // the runs fired start now
			if (more) {
				continue;
			}
			// burst: this thread's only, so read without the lock.
			if (!burst.isEmpty() && runsWaiting.getAsBoolean()) {
				// The runs fired wait for a run thread: their start comes before next fire times, which
				// compete with it for the CPU. The run thread that takes the last run queued wakes this one
				// (no polling), and the due queue does when something else comes due meanwhile.
				long t = System.nanoTime();
				if (!puttingOff) {
					puttingOff = true;
					putOffSince = t;
				}
				long left = NEXT_DEFER_MAX_NANOS - (t - putOffSince);
				if (left > 0) {
					boolean dueNow;
					synchronized (lock) {
						if (stopped) {
							return null;
						}
						long earliest = due.earliest();
						dueNow = earliest <= clock.millis();
						if (!dueNow) {
							due.sleeping(earliest); // a deadline scheduled before it wakes this thread (Timer.wake)
						}
					}
					if (!dueNow) {
						awaitRunsStarted.accept(left);
					}
					continue;
				}
			}
			List<Runnable> after = new ArrayList<>();
			synchronized (lock) {
				if (stopped) {
					return null;
				}
				Instant now = clock.instant();
				// At most a batch of next fire times under one hold of the lock too: a burst of 1,000 held
				// it for milliseconds, while the runs' threads and the store's waited for it.
				for (int i = 0; i < TICK_BATCH && !burst.isEmpty(); i++) {
					schedules.computeNext(burst.poll(), now, after);
				}
				if (burst.isEmpty() && handingOver) {
					handingOver = false;
				}
				long nowMillis = now.toEpochMilli();
				// The earliest deadline itself: the timer bounds each sleep by Timer.MAX_WAIT, and a wake-up
				// before this finds nothing due unless the due queue woke it.
				long earliest = due.earliest();
				if (burst.isEmpty() && earliest > nowMillis && after.isEmpty()) {
					due.sleeping(earliest);
					return Instant.ofEpochMilli(earliest);
				}
			}
			flush(after); // then look again: something may be due already, or next fire times are left
		}
	}

	// ------------------------------------------------------------------ Due.Parts (timer thread, lock held)

	@Override
	public void fireTime(Job job, Instant now, List<Runnable> out) {
		if (schedules.due(job, now, out)) {
			burst.add(job);
			if (!handingOver) {
				handingOver = true;
			}
		}
	}

	/**
	 * Whether the timer is handing a tick's fires over: from the first fire of a tick until the next
	 * fire times of all it fired are computed (which waits for their runs to have a thread). The local
	 * store's committer gathers commits on meanwhile ({@code LocalStateStore.gatherWhile}). Any thread,
	 * lock-free.
	 */
	public boolean handingOver() {
		return handingOver;
	}

	@Override
	public void loadRetry(Job job, Instant now, List<Runnable> out) {
		table.retryDue(job, out);
	}

	@Override
	public void retryDue(Job job, Instant now, List<Runnable> out) {
		schedules.retryDue(job, now, out);
	}

	@Override
	public void runDeadline(Run run, Instant now, List<Runnable> out) {
		deadlines.due(run, now, out);
	}

	@Override
	public void retry(Firing.Retry retry, Instant now, List<Runnable> out) {
		firing.due(retry, now, out);
	}

	@Override
	public void callDeadline(PluginCalls.Call call, Instant now, List<Runnable> out) {
		resolutions.callDue(call, now, out);
	}

	@Override
	public void recheck(Instant now, List<Runnable> out) {
		due.schedule(recheck, now.plus(options.recheck()).toEpochMilli());
		int size = table.size();
		out.add(() -> LOG.debug("Re-checking {} cron plugins", size));
		for (Job job : table.all()) {
			resolutions.resolve(job, now, out);
		}
	}

	// ------------------------------------------------------------------ what the parts share

	/** The state store in use now; any thread. */
	public StateStore store() {
		return store;
	}

	/** The engine as the runtime view sees it: copies and operators' actions. */
	public Operations operations() {
		return operators;
	}

	/** The grace of runs; takes the lock itself (re-entrant if held). */
	private Duration grace() {
		synchronized (lock) {
			return options.grace();
		}
	}

	/** The most runs in progress in a cluster ({@code cluster.max.running}), 0 for no limit. Takes the lock. */
	int maxRunning() {
		synchronized (lock) {
			return options.maxRunning();
		}
	}

	/**
	 * A run of a name changed what its job's state may be (running, stuck, over; its claim reached the
	 * store or not): the jobs changed, and the owner's state is recomputed. Lock held.
	 */
	private void runChanged(String name, Instant now, List<Runnable> out) {
		changes++;
		reruns.poke(name, out);
		Job job = table.owner(name);
		if (job != null && !stopped) {
			schedules.refresh(job, now, out);
		}
	}

	/**
	 * The store returned a record of a name: the owner takes it if it is newer than the one it holds
	 * (records reach the engine on several threads; a late older one never overwrites a newer one).
	 */
	private void record(String name, RunState state, Instant now, List<Runnable> out) {
		table.record(name, state, now, out);
	}

	// ------------------------------------------------------------------ the parts' shared context

	/** The engine's one lock (tests assert that nothing is called while it is held). */
	Object lock() {
		return lock;
	}

	/** How many runs are kept per name. Any thread, no lock needed (loading a record happens without it). */
	int historySize() {
		return options.historySize();
	}

	/** The time limit of a plugin call. Any thread, no lock needed. */
	private Duration callTimeout() {
		return options.callTimeout();
	}

	// ------------------------------------------------------------------ configuration and stop

	/**
	 * Applies a changed configuration; a new store, if given, replaces the old one, which is closed. A
	 * run in progress goes on: it commits its window to the new store ({@link RunThread} hands it over).
	 */
	public void configure(Options changedOptions, StateStore newStore) {
		List<Runnable> out = new ArrayList<>();
		StateStore old = null;
		synchronized (lock) {
			Options before = options;
			options = changedOptions;
			Instant now = clock.instant();
			if (!before.recheck().equals(changedOptions.recheck())) {
				due.schedule(recheck, now.plus(changedOptions.recheck()).toEpochMilli());
			}
			if (changedOptions.historySize() != before.historySize()) {
				history.resize(changedOptions.historySize());
			}
			if (newStore != null && newStore != store) {
				old = store;
				store = newStore;
				newStore.listen(this::changedElsewhere);
				newStore.onAvailable(this::storeAvailable);
				newStore.onUnavailable(this::storeUnavailable);
				table.storeSwitched(now, out);
			}
			if (!before.zone().equals(changedOptions.zone())) {
				for (Job job : table.all()) {
					resolutions.resolve(job, now, out);
				}
			}
		}
		flush(out);
		if (old != null) {
			old.close();
			reruns.load(store);
		}
	}

	/**
	 * Stops: nothing fires any more; running plugins are interrupted and awaited up to the grace
	 * period, and those that ignore it are abandoned and reported. The executors and the store are
	 * the caller's to shut down.
	 */
	public void stop() {
		Duration grace;
		synchronized (lock) {
			if (stopped) {
				return;
			}
			stopped = true;
			handingOver = false; // the timer hands nothing over any more
			grace = options.grace();
		}
		stopping.stop(grace);
		reruns.stop();
	}

	// ------------------------------------------------------------------ helpers

	/**
	 * Runs what was collected under the lock, then tells of a change not told yet; no lock held, and it
	 * takes none: of two threads that flush the same change, one tells it.
	 */
	private void flush(List<Runnable> out) {
		for (Runnable task : out) {
			task.run();
		}
		long now = changes;
		if (notified.getAndAccumulate(now, Math::max) < now) {
			changed.run();
		}
	}
}
