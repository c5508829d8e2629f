package io.crontainer.scheduler.impl;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.LockSupport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.crontainer.api.CronPlugin;
import io.crontainer.api.runtime.CronRunDTO;
import io.crontainer.api.runtime.JobState;
import io.crontainer.api.runtime.Trigger;
import io.crontainer.scheduler.impl.interval.Interval;
import io.crontainer.scheduler.impl.interval.Intervals;
import io.crontainer.scheduler.impl.interval.InvalidIntervalException;
import io.crontainer.scheduler.impl.store.CorruptStateException;
import io.crontainer.scheduler.impl.store.RunState;
import io.crontainer.scheduler.impl.store.StateStore;
import io.crontainer.scheduler.impl.store.StoreUnavailableException;

/**
 * The engine: wires the parts and keeps each job's state. The parts, each with its concern:
 *
 * <ul>
 * <li>{@link JobTable}: arrival, change, departure and duplicate names;</li>
 * <li>{@link PluginCalls}: {@code enabled()} and {@code interval()} on the call pool, with deadlines;</li>
 * <li>{@link StateStore}: the one protocol that reads and persists a state record (claims, grouped
 * commits, pause, reset, anchors);</li>
 * <li>{@link Dispatcher} with {@link History}: runs on their own threads ({@link RunPool}), their
 * windows, time limits and stuck runs, and their record;</li>
 * <li>{@link DueQueue} with the {@link Timer}: every deadline, and the thread that sleeps until the
 * earliest;</li>
 * <li>{@link RuntimeView}: the {@code CronRuntime} service, DTOs built outside the lock.</li>
 * </ul>
 *
 * <p>
 * This class holds the state machine of a job (pending, scheduled, paused, disabled, invalid,
 * duplicate, blocked, stuck) and its schedule. It owns no thread: {@link #tick()} does what is due at
 * the clock's instant and returns when it wants to be called again; in production the {@link Timer}
 * calls it, tests call it after moving a mutable clock.
 *
 * <p>
 * Thread-safe. One lock, {@link #lock}, guards this class and every part but the store and the run
 * pool; it is held for memory operations only. No plugin call, store call, file I/O or log line
 * happens while it is held: work found under the lock is collected as effects ({@code out}) and run
 * after it is released. Callers: the whiteboard thread ({@link #add}, {@link #update},
 * {@link #remove}), the timer ({@link #tick}), call threads (answers), run threads and the store's
 * thread (via the {@link Dispatcher}), operators' threads (the runtime view), the component
 * ({@link #configure}, {@link #stop}).
 */
final class Scheduler implements Dispatcher.Engine {

	/**
	 * A fire time more overdue than this counts as missed (a misfire): the timer was not running, the
	 * machine was suspended or the clock was stepped forward. Quartz's default misfire threshold.
	 */
	static final Duration MISFIRE_THRESHOLD = Duration.ofSeconds(60);

	/** How many deadlines one hold of the lock handles at most, so that runs start while the rest is dispatched. */
	static final int TICK_BATCH = 32;

	/** How often a record that could not be loaded (store unavailable) is tried again. */
	static final Duration LOAD_RETRY = Duration.ofSeconds(10);

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
	 */
	record Options(ZoneId zone, Duration recheck, Duration callTimeout, Duration grace, int historySize) {
	}

	/** A record as loaded: the state, or why it is unreadable or could not be loaded. */
	/** A name's record as loaded, and, from a local store that keeps it, its runs before a restart. */
	private record Loaded(RunState state, String blocked, String unavailable, List<CronRunDTO> past) {
		Loaded(RunState state, String blocked, String unavailable) {
			this(state, blocked, unavailable, List.of());
		}
	}

	private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);

	private final Object lock = new Object();
	private final Clock clock;
	private final DueQueue due = new DueQueue();
	private final JobTable table = new JobTable();
	private final History history;
	private final PluginCalls calls;
	private final Dispatcher dispatcher;
	private final Due recheck = new Due() {
	};
	private final Runnable changed;

	// Guarded by lock.
	private Options options;
	/** Written under the lock; volatile so that run threads read the store in use without it. */
	private volatile StateStore store;
	private boolean stopped;
	private long changes;
	private long notified;
	private String storeDown;

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
		this.clock = requireNonNull(clock);
		this.store = requireNonNull(store);
		this.options = requireNonNull(options);
		this.changed = requireNonNull(changed);
		this.history = new History(options.historySize());
		this.calls = new PluginCalls(lock, due, clock, pluginCalls, this::callTimeout, this::answered);
		this.dispatcher = new Dispatcher(lock, clock, runs, due, history, this);
		synchronized (lock) {
			due.schedule(recheck, clock.millis() + options.recheck().toMillis());
		}
		store.listen(this::changedElsewhere);
		store.onAvailable(this::storeAvailable);
	}

	/**
	 * The store can be reached again (a database came back): the records that could not be loaded
	 * are loaded now rather than at their next retry. Called on the store's thread, no lock of it held.
	 */
	void storeAvailable() {
		List<Runnable> out = new ArrayList<>();
		synchronized (lock) {
			if (stopped) {
				return;
			}
			Instant now = clock.instant();
			for (Job job : table.owners()) {
				if (job.retryLoad) {
					due.schedule(job, now.toEpochMilli());
				}
				if (job.claimUnavailable != null) {
					job.claimUnavailable = null;
					refresh(job, now, out);
				}
			}
		}
		flush(out);
	}

	/**
	 * The node shown for a plugin: this runtime while it runs it here; else, in a cluster, the runtime
	 * that holds its claim or committed its last window, as the store last saw; else the node of its
	 * last run here ({@code null} with the local store). Lock held; the store answers from memory.
	 */
	private String node(String name, boolean running, RunRecord lastRun) {
		if (running && store.node() != null) {
			return store.node();
		}
		String elsewhere = store.nodeOf(name);
		return elsewhere != null ? elsewhere : lastRun == null ? null : lastRun.node;
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

	Scheduler(Clock clock, Executor runs, PluginCalls.Calls pluginCalls, StateStore store, Options options) {
		this(clock, runs, pluginCalls, store, options, () -> {
		});
	}

	/** The timer thread, which the due queue wakes when a deadline comes before its sleep. */
	void timer(Thread thread) {
		waker(() -> LockSupport.unpark(thread));
	}

	/** How to wake the timer (tests count the wake-ups). */
	void waker(Runnable waker) {
		synchronized (lock) {
			due.waker(waker);
		}
	}

	private Duration callTimeout() {
		synchronized (lock) {
			return options.callTimeout();
		}
	}

	// ------------------------------------------------------------------ whiteboard (job table)

	/** A plugin service arrived. Never throws for a bad plugin; it gets a state and a reason. */
	void add(Plugin plugin) {
		Settings settings = Settings.of(plugin.properties(), plugin.service().getClass().getName());
		Loaded loaded = load(settings.name()); // before the lock: no store call under it
		List<Runnable> out = new ArrayList<>();
		synchronized (lock) {
			if (stopped || table.get(plugin.serviceId()) != null) {
				return;
			}
			Instant now = clock.instant();
			Job job = new Job(plugin, settings, table.nextSeq(), now);
			table.add(plugin.serviceId(), job);
			out.add(() -> LOG.debug("Cron plugin {} arrived ({})", job.name(), plugin));
			if (job.owner) {
				took(job, loaded, now, out);
			} else {
				refresh(job, now, out);
			}
			resolve(job, now, out);
			changes++;
		}
		flush(out);
	}

	/** The service properties of a plugin changed. */
	void update(Plugin plugin) {
		Settings settings = Settings.of(plugin.properties(), plugin.service().getClass().getName());
		List<Runnable> out = new ArrayList<>();
		boolean unknown;
		synchronized (lock) {
			Job job = table.get(plugin.serviceId());
			unknown = job == null && !stopped;
			if (stopped || job == null) {
				return;
			}
			Instant now = clock.instant();
			Settings old = job.settings;
			job.plugin = plugin;
			job.settings = settings;
			job.generation++;
			if (!old.name().equals(settings.name())) {
				out.add(() -> LOG.info("Cron plugin {} is renamed {} ({})", old.name(), settings.name(), plugin));
				releaseName(job, old.name(), now, out);
				job.createdFor = null;
				job.createdAt = now;
				table.place(job);
				if (job.owner) {
					job.record = null;
					out.add(() -> reload(job));
				}
				refresh(job, now, out);
			}
			resolve(job, now, out);
			changes++;
		}
		if (unknown) {
			add(plugin);
		}
		flush(out);
	}

	/**
	 * A plugin service left: it is unscheduled at once. A run in progress gets the grace period to
	 * finish normally (and is committed if it does), then is interrupted; this waits for that on the
	 * calling thread, the one stopping the plugin's bundle.
	 */
	void remove(long serviceId) {
		List<Runnable> out = new ArrayList<>();
		Run departing = null;
		Duration grace;
		synchronized (lock) {
			Job job = table.remove(serviceId);
			if (job == null || stopped) {
				return; // after stop(), which interrupted and awaited every run already
			}
			Instant now = clock.instant();
			job.gone = true;
			job.generation++;
			Run run = dispatcher.running(job.name());
			if (run != null && run.job == job && run.phase != Run.Phase.STUCK) {
				run.departed = true;
				departing = run;
			}
			if (job.call != null) {
				due.cancel(job.call);
			}
			releaseName(job, job.name(), now, out);
			grace = options.grace();
			out.add(() -> LOG.info("Cron plugin {} left ({})", job.name(), job.plugin));
			changes++;
		}
		flush(out);
		if (departing != null) {
			dispatcher.departed(departing, grace);
		}
	}

	/** Takes a job off a name; the earliest duplicate takes the name over. Lock held. */
	private void releaseName(Job job, String name, Instant now, List<Runnable> out) {
		boolean owned = job.owner;
		Job next = table.release(job, name);
		job.record = null;
		job.blocked = null;
		job.unavailable = null;
		job.retryLoad = false;
		job.scheduled = null;
		job.nextFire = Job.NONE;
		due.cancel(job);
		if (next != null) {
			out.add(() -> LOG.info("Cron plugin {} ({}) takes the name over", name, next.plugin));
			next.record = null;
			refresh(next, now, out);
			out.add(() -> reload(next));
		} else if (owned) {
			history.departed(name);
		}
	}

	/** Loads a name's record from the store. No lock held. */
	private Loaded load(String name) {
		StateStore s;
		synchronized (lock) {
			s = store;
		}
		try {
			RunState state = s.read(name);
			// The local store keeps its history in memory: no I/O. A shared store's is read on demand.
			List<CronRunDTO> past = s.keepsHistory() && s.node() == null ? s.history(name, historySize()) : List.of();
			return new Loaded(state, null, null, past);
		} catch (CorruptStateException e) {
			return new Loaded(null, e.getMessage(), null);
		} catch (StoreUnavailableException | RuntimeException e) {
			return new Loaded(null, null, describe(e));
		}
	}

	/** Loads a job's record again (it took a name over, or the store was unavailable). No lock held. */
	private void reload(Job job) {
		String name;
		synchronized (lock) {
			if (!job.owner || job.gone || stopped) {
				return;
			}
			name = job.name();
		}
		Loaded loaded = load(name);
		List<Runnable> out = new ArrayList<>();
		synchronized (lock) {
			if (!job.owner || job.gone || stopped || !job.name().equals(name)) {
				return;
			}
			took(job, loaded, clock.instant(), out);
		}
		flush(out);
	}

	/** A job owns its name and its record was loaded. Lock held. */
	private void took(Job job, Loaded loaded, Instant now, List<Runnable> out) {
		history.arrived(job.name());
		if (!history.has(job.name()) && !loaded.past.isEmpty()) {
			history.restore(job.name(), loaded.past);
		}
		job.catchUp = true;
		job.scheduled = null;
		job.record = loaded.state;
		job.blocked = loaded.blocked;
		job.unavailable = loaded.unavailable;
		if (loaded.unavailable != null) {
			job.retryLoad = true;
			due.schedule(job, now.plus(LOAD_RETRY).toEpochMilli());
			if (storeDown == null) {
				storeDown = loaded.unavailable;
				String describe = store.describe();
				out.add(() -> LOG.warn("The state store ({}) is unavailable: {}; plugins wait, and are retried every {} s",
						describe, loaded.unavailable, LOAD_RETRY.toSeconds()));
			}
		} else if (storeDown != null) {
			storeDown = null;
			out.add(() -> LOG.info("The state store is available again"));
		}
		refresh(job, now, out);
	}

	// ------------------------------------------------------------------ resolution (plugin calls)

	/** Asks the plugin (or its properties) again for enabled() and interval(), off this thread. Lock held. */
	private void resolve(Job job, Instant now, List<Runnable> out) {
		Settings settings = job.settings;
		if (settings.error() != null) {
			apply(job, Resolution.invalid(settings.interval(), settings.error()), now, out);
			return;
		}
		if (Boolean.FALSE.equals(settings.enabled())) {
			apply(job, Resolution.disabled("service property " + CronPlugin.ENABLED + " is false"), now, out);
			return;
		}
		CronPlugin service = job.plugin.service();
		if (settings.interval() != null && PluginCalls.enabledWithoutAsking(settings, service) != null) {
			apply(job, parse(job, settings.interval(), now, out), now, out);
			return;
		}
		if (job.resolving || job.call != null) {
			return; // the call in flight answers, and asks again if the settings changed meanwhile
		}
		job.resolving = true;
		int generation = job.generation;
		out.add(() -> calls.ask(job, generation, service, settings));
	}

	/** A plugin answered, on a call thread. */
	private void answered(Job job, int generation, PluginCalls.Answer answer) {
		Resolution resolution;
		List<Runnable> out = new ArrayList<>();
		if (answer.error() != null) {
			resolution = Resolution.invalid(answer.expression(), answer.error());
		} else if (!answer.enabled()) {
			resolution = Resolution.disabled("enabled() returned false");
		} else {
			resolution = parse(job, answer.expression(), clock.instant(), out);
		}
		synchronized (lock) {
			job.resolving = false;
			if (job.gone || stopped) {
				return;
			}
			Instant now = clock.instant();
			if (generation == job.generation) {
				apply(job, resolution, now, out);
			} else {
				resolve(job, now, out);
			}
		}
		flush(out);
	}

	/**
	 * Parses an interval; {@code ?} fields keep the instant the expression was first seen, which is
	 * also kept in the plugin's state record so that neither a re-check nor a restart moves the
	 * schedule (the write is added to {@code out}). Takes the lock for the job's fields; parses
	 * without it when called without it.
	 */
	private Resolution parse(Job job, String expression, Instant now, List<Runnable> out) {
		Instant createdAt;
		String name;
		ZoneId zone;
		boolean save;
		synchronized (lock) {
			boolean anchored = Intervals.usesCreationTime(expression);
			Instant recorded = anchored && job.owner && job.record != null ? job.record.anchorOf(expression) : null;
			if (recorded != null) {
				job.createdFor = expression;
				job.createdAt = recorded;
			} else if (job.createdFor == null) {
				job.createdFor = expression;
			} else if (!job.createdFor.equals(expression)) {
				job.createdFor = expression;
				job.createdAt = now;
			}
			createdAt = job.createdAt;
			name = job.name();
			zone = job.settings.zone() != null ? job.settings.zone() : options.zone();
			save = anchored && recorded == null && job.owner && job.record != null;
		}
		if (save) {
			Instant created = createdAt;
			out.add(() -> saveAnchor(job, name, expression, created));
		}
		try {
			return Resolution.scheduled(Intervals.parse(expression, zone, name, createdAt));
		} catch (InvalidIntervalException e) {
			return Resolution.invalid(expression, e.getMessage());
		} catch (RuntimeException e) {
			return Resolution.invalid(expression, "interval '" + expression + "' cannot be parsed: " + describe(e));
		}
	}

	/**
	 * Records when the schedule of an interval with {@code ?} fields was created. A failed write is
	 * logged and costs only that: the schedule holds until the next restart. No lock held.
	 */
	private void saveAnchor(Job job, String name, String expression, Instant createdAt) {
		StateStore s;
		synchronized (lock) {
			s = store;
		}
		RunState state;
		try {
			state = s.setAnchor(name, createdAt, expression);
		} catch (CorruptStateException | StoreUnavailableException | IOException | RuntimeException e) {
			LOG.warn("Cron plugin {}: could not record when its schedule '{}' was created; a restart will take the "
					+ "'?' fields from the time of that restart: {}", name, expression, describe(e));
			return;
		}
		List<Runnable> out = new ArrayList<>();
		synchronized (lock) {
			Instant now = clock.instant();
			record(name, state, now, out);
			Instant anchor = state.anchorOf(expression);
			if (job.owner && !job.gone && job.name().equals(name) && anchor != null && !anchor.equals(createdAt)
					&& expression.equals(job.createdFor)) {
				job.createdAt = anchor; // another runtime of the cluster anchored it first
				job.scheduled = null;
				resolve(job, now, out);
			}
		}
		flush(out);
	}

	private void apply(Job job, Resolution resolution, Instant now, List<Runnable> out) {
		job.resolution = resolution;
		refresh(job, now, out);
	}

	// ------------------------------------------------------------------ states and schedules

	/** Recomputes a job's state and, if its schedule started or changed, its next fire time. Lock held. */
	private void refresh(Job job, Instant now, List<Runnable> out) {
		JobState state;
		String reason;
		Resolution resolution = job.resolution;
		Run run = job.owner ? dispatcher.running(job.name()) : null;
		if (!job.owner) {
			Job owner = table.owner(job.name());
			state = JobState.DUPLICATE;
			reason = "another live plugin has the name '" + job.name() + "'" + (owner == null ? "" : " (" + owner.plugin + ")");
		} else if (job.blocked != null) {
			state = JobState.BLOCKED;
			reason = job.blocked + "; reset it (cron:reset) to set the start of its next window";
		} else if (job.unavailable != null) {
			state = JobState.UNAVAILABLE;
			reason = "the state store is unavailable: " + job.unavailable + "; retrying every " + LOAD_RETRY.toSeconds()
					+ " s";
		} else if (job.record == null) {
			state = JobState.PENDING;
			reason = "reading its state record";
		} else if (run != null && run.phase == Run.Phase.STUCK) {
			state = JobState.STUCK;
			reason = "its run since " + Instant.ofEpochMilli(run.record.started) + " " + run.record.error
					+ "; it is not fired until that thread returns";
		} else if (resolution == null) {
			state = JobState.PENDING;
			reason = "waiting for enabled() and interval()";
		} else if (resolution.error() != null) {
			state = JobState.INVALID;
			reason = resolution.error();
		} else if (!resolution.enabled()) {
			state = JobState.DISABLED;
			reason = resolution.disabledBy();
		} else if (job.record.paused()) {
			state = JobState.PAUSED;
			reason = "paused by an operator";
		} else {
			state = JobState.SCHEDULED;
			reason = null;
		}

		if (state == JobState.SCHEDULED) {
			Interval interval = resolution.interval();
			try {
				schedule(job, interval, now, out);
				if (job.nextFire == Job.NONE && !interval.reboot()) {
					state = JobState.INVALID;
					reason = "interval '" + interval.expression() + "' never fires after " + now;
					job.scheduled = null;
				}
			} catch (RuntimeException e) { // a parser bug must not stop the others: this plugin only
				out.add(() -> LOG.warn("Cron plugin {}: computing the next fire time of '{}' failed", job.name(),
						interval.expression(), e));
				state = JobState.INVALID;
				reason = "computing the next fire time of '" + interval.expression() + "' failed: " + describe(e);
				job.scheduled = null;
				job.nextFire = Job.NONE;
				due.cancel(job);
			}
		} else {
			job.scheduled = null;
			job.nextFire = Job.NONE;
			if (!job.retryLoad) {
				due.cancel(job);
			}
		}
		if (state == JobState.SCHEDULED && job.claimUnavailable != null) {
			// Still scheduled (its fire times come, and claim again), but nothing runs until the store is back.
			state = JobState.UNAVAILABLE;
			reason = "the state store cannot be reached: " + job.claimUnavailable
					+ "; its fire times are skipped (no run without a claim) until it can";
		}
		if (state != JobState.PENDING && !(state == JobState.UNAVAILABLE && job.record == null)) {
			job.catchUp = false;
		}
		if (state != job.state || !Objects.equals(reason, job.reason)) {
			JobState before = job.state;
			job.state = state;
			job.reason = reason;
			changes++;
			out.add(stateLog(job, before));
		}
	}

	/** Starts a schedule, or keeps it if its interval is the same. Lock held. */
	private void schedule(Job job, Interval interval, Instant now, List<Runnable> out) {
		if (job.scheduled != null && sameSchedule(job.scheduled, interval)) {
			job.scheduled = interval; // same schedule: it goes on; the new Interval only describes it
			return;
		}
		job.scheduled = interval;
		if (interval.reboot()) {
			job.nextFire = Job.NONE;
			due.cancel(job);
			dispatcher.fire(job, Trigger.REBOOT, now, null, now, out);
			return;
		}
		setNextFire(job, interval.next(now));
		Instant lastEnd = job.record.lastEnd();
		if (job.catchUp && job.settings.runOnce() && lastEnd != null) {
			Optional<ZonedDateTime> missed = interval.next(lastEnd);
			if (missed.isPresent() && !missed.get().toInstant().isAfter(now)) {
				String name = job.name();
				out.add(() -> LOG.info("Cron plugin {} missed its fire time {} and runs once now ({}={})", name,
						missed.get(), CronPlugin.MISFIRE, CronPlugin.MISFIRE_RUN_ONCE));
				dispatcher.fire(job, Trigger.MISFIRE, missed.get().toInstant(), null, now, out);
			}
		}
	}

	private void setNextFire(Job job, Optional<ZonedDateTime> next) {
		if (next.isPresent()) {
			job.nextFire = next.get().toInstant().toEpochMilli();
			due.schedule(job, job.nextFire);
		} else {
			job.nextFire = Job.NONE;
			due.cancel(job);
		}
	}

	private static boolean sameSchedule(Interval a, Interval b) {
		return a.expression().equals(b.expression()) && a.zone().equals(b.zone()) && a.reboot() == b.reboot();
	}

	/** A log line for a job's new state, written after the lock is released. Lock held. */
	private static Runnable stateLog(Job job, JobState before) {
		String name = job.name();
		JobState state = job.state;
		String reason = job.reason;
		switch (state) {
		case SCHEDULED:
			String expression = job.scheduled.expression();
			ZoneId zone = job.scheduled.zone();
			Object next = job.nextFire == Job.NONE ? "-" : Instant.ofEpochMilli(job.nextFire).atZone(zone);
			if (before == JobState.UNAVAILABLE) { // the store logged that it is back, once for all plugins
				return () -> LOG.debug("Cron plugin {} is scheduled again: '{}' in {}, next fire {}", name, expression,
						zone, next);
			}
			return () -> LOG.info("Cron plugin {} is scheduled: '{}' in {}, next fire {}", name, expression, zone, next);
		case INVALID:
		case BLOCKED:
		case DUPLICATE:
			return () -> LOG.warn("Cron plugin {} is {}: {}", name, state, reason);
		case STUCK:
			return () -> LOG.debug("Cron plugin {} is {}: {}", name, state, reason); // the dispatcher warned
		case PENDING:
		case UNAVAILABLE: // the store (and the engine, at a load) logged it once for all plugins
			return () -> LOG.debug("Cron plugin {} is {}: {}", name, state, reason);
		default:
			return () -> LOG.info("Cron plugin {} is {}: {}", name, state, reason);
		}
	}

	// ------------------------------------------------------------------ Dispatcher.Engine (lock held)

	@Override
	public StateStore store() {
		return store;
	}

	@Override
	public Duration grace() {
		return options.grace();
	}

	@Override
	public void runChanged(String name, Instant now, List<Runnable> out) {
		changes++;
		Job job = table.owner(name);
		if (job != null && !stopped) {
			refresh(job, now, out);
		}
	}

	@Override
	public void record(String name, RunState state, Instant now, List<Runnable> out) {
		Job job = table.owner(name);
		if (job == null || job.record == null || state.version() <= job.record.version()) {
			return; // older than what the job holds: a later change got there first
		}
		boolean pausedChanged = job.record.paused() != state.paused();
		job.record = state;
		if (pausedChanged) {
			job.catchUp = !state.paused();
			refresh(job, now, out);
		}
	}

	@Override
	public void blocked(String name, String reason, Instant now, List<Runnable> out) {
		Job job = table.owner(name);
		if (job != null) {
			job.record = null;
			job.blocked = reason;
			refresh(job, now, out);
		}
	}

	// ------------------------------------------------------------------ timing (due queue)

	/**
	 * Does what is due at the clock's instant: fires due plugins, enforces the time limits of runs and
	 * of plugin calls, re-checks every plugin when the re-check is due, and retries records the store
	 * could not give.
	 *
	 * @return The instant at which it wants to be called next; {@code null} once stopped.
	 */
	Instant tick() {
		while (true) {
			List<Runnable> out = new ArrayList<>();
			Instant wake = null;
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
					if (d instanceof Job job) {
						jobDue(job, now, out);
					} else if (d instanceof Run run) {
						dispatcher.due(run, now, out);
					} else if (d instanceof Dispatcher.Renewal renewal) {
						dispatcher.due(renewal, now, out);
					} else if (d instanceof Dispatcher.Retry retry) {
						dispatcher.due(retry, now, out);
					} else if (d instanceof PluginCalls.Call call) {
						callDue(call, now, out);
					} else if (d == recheck) {
						recheck(now, out);
					}
				}
				if (d == null || due.earliest() > nowMillis) {
					long earliest = Math.min(due.earliest(), nowMillis + Timer.MAX_WAIT.toMillis());
					due.sleeping(earliest);
					wake = Instant.ofEpochMilli(earliest);
				}
			}
			flush(out);
			if (wake != null) {
				return wake;
			}
		}
	}

	private void jobDue(Job job, Instant now, List<Runnable> out) {
		if (job.retryLoad) {
			job.retryLoad = false;
			out.add(() -> reload(job));
			return;
		}
		if ((job.state != JobState.SCHEDULED && job.state != JobState.UNAVAILABLE) || job.nextFire == Job.NONE
				|| job.scheduled == null) {
			return;
		}
		try {
			fireDue(job, now, out);
		} catch (RuntimeException e) { // a parser bug must not stop the others: this plugin only
			job.scheduled = null;
			refresh(job, now, out);
		}
	}

	private void fireDue(Job job, Instant now, List<Runnable> out) {
		Interval interval = job.scheduled;
		ZonedDateTime due = Instant.ofEpochMilli(job.nextFire).atZone(interval.zone());
		String name = job.name();
		if (Duration.between(due.toInstant(), now).compareTo(MISFIRE_THRESHOLD) > 0) {
			Optional<ZonedDateTime> next = interval.next(now);
			setNextFire(job, next);
			if (job.settings.runOnce()) {
				out.add(() -> LOG.info("Cron plugin {} missed its fire time {} and runs once now ({}={})", name, due,
						CronPlugin.MISFIRE, CronPlugin.MISFIRE_RUN_ONCE));
				dispatcher.fire(job, Trigger.MISFIRE, due.toInstant(), null, now, out);
			} else {
				out.add(() -> LOG.info("Cron plugin {} missed its fire time {}; it waits for {} ({}={})", name, due,
						next.orElse(null), CronPlugin.MISFIRE, CronPlugin.MISFIRE_SKIP));
				dispatcher.skipped(job, Trigger.SCHEDULE, due.toInstant(), now,
						"missed the fire time (" + CronPlugin.MISFIRE + "=" + CronPlugin.MISFIRE_SKIP + ")", out);
			}
		} else {
			// From the previous scheduled fire time, never from now: fire times only move forward.
			Optional<ZonedDateTime> next = Optional.of(due);
			do {
				next = interval.next(next.get().toInstant());
			} while (next.isPresent() && !next.get().toInstant().isAfter(now));
			setNextFire(job, next);
			dispatcher.fire(job, Trigger.SCHEDULE, due.toInstant(), null, now, out);
		}
		if (job.nextFire == Job.NONE) {
			refresh(job, now, out);
		}
	}

	private void callDue(PluginCalls.Call call, Instant now, List<Runnable> out) {
		Job job = call.job;
		if (job.call != call || job.gone) {
			return;
		}
		apply(job, Resolution.invalid(null, calls.overdue(call, out)), now, out);
	}

	private void recheck(Instant now, List<Runnable> out) {
		due.schedule(recheck, now.plus(options.recheck()).toEpochMilli());
		int size = table.size();
		out.add(() -> LOG.debug("Re-checking {} cron plugins", size));
		for (Job job : table.all()) {
			resolve(job, now, out);
		}
	}

	// ------------------------------------------------------------------ operations (runtime view)

	/** Fires a plugin by hand. */
	CompletionStage<CronRunDTO> fire(String name) {
		requireNonNull(name, "name");
		List<Runnable> out = new ArrayList<>();
		CompletableFuture<CronRunDTO> done = new CompletableFuture<>();
		synchronized (lock) {
			Job job = table.require(name);
			switch (job.state) {
			case SCHEDULED:
			case PAUSED:
			case DISABLED:
				break;
			default:
				throw new IllegalStateException("cron plugin '" + name + "' is " + job.state + ": " + job.reason);
			}
			Run run = dispatcher.running(name);
			if (run != null) {
				throw new IllegalStateException("cron plugin '" + name + "' is running already (since "
						+ Instant.ofEpochMilli(run.record.started) + ")");
			}
			Instant now = clock.instant();
			dispatcher.fire(job, Trigger.MANUAL, now, done, now, out);
		}
		flush(out);
		return done.minimalCompletionStage();
	}

	/** Pauses or resumes a plugin, durably. */
	void setPaused(String name, boolean paused) {
		requireNonNull(name, "name");
		StateStore s;
		synchronized (lock) {
			Job job = table.require(name);
			if (job.record == null) {
				throw new IllegalStateException("cron plugin '" + name + "' is " + job.state + ": " + job.reason);
			}
			if (job.record.paused() == paused) {
				return;
			}
			s = store;
		}
		RunState state;
		try {
			state = s.setPaused(name, paused);
		} catch (CorruptStateException e) {
			throw new IllegalStateException("cron plugin '" + name + "' is BLOCKED: " + e.getMessage(), e);
		} catch (StoreUnavailableException | IOException e) {
			throw new IllegalStateException("the state of cron plugin '" + name + "' cannot be written: " + e, e);
		}
		List<Runnable> out = new ArrayList<>();
		synchronized (lock) {
			record(name, state, clock.instant(), out); // logs the new state once
		}
		flush(out);
	}

	/** Sets the start of a plugin's next window. */
	void reset(String name, Instant since) {
		requireNonNull(name, "name");
		Instant now = clock.instant();
		if (since != null && since.isAfter(now)) {
			throw new IllegalArgumentException("the start of the next window, " + since + ", is in the future");
		}
		StateStore s;
		synchronized (lock) {
			if (dispatcher.running(name) != null) {
				throw new IllegalStateException("cron plugin '" + name + "' is running; reset it when it is not");
			}
			s = store;
		}
		RunState state;
		try {
			state = s.reset(name, since); // fences a run that started meanwhile: this reset wins
		} catch (StoreUnavailableException | IOException e) {
			throw new IllegalStateException("the state of cron plugin '" + name + "' cannot be written: " + e, e);
		}
		List<Runnable> out = new ArrayList<>();
		synchronized (lock) {
			out.add(() -> LOG.info("Cron plugin {} is reset: its next window starts at {}", name,
					since == null ? CronPlugin.EPOCH : since));
			Job job = table.owner(name);
			if (job != null) {
				if (job.record == null || job.blocked != null) {
					job.blocked = null;
					job.unavailable = null;
					job.record = state;
					job.catchUp = true;
					refresh(job, clock.instant(), out);
				} else {
					record(name, state, clock.instant(), out);
				}
			}
			changes++;
		}
		flush(out);
	}

	/** The history of a live plugin or of one that left and has history; every name's with {@code null}. */
	List<RunRecord> history(String name, int limit) {
		synchronized (lock) {
			if (name == null) {
				return history.recent(limit);
			}
			if (table.owner(name) == null && !history.has(name)) {
				throw table.unknown(name);
			}
			return history.recent(name, limit);
		}
	}

	/** What the runtime view shows of every job, copied under the lock. */
	List<JobView> views() {
		synchronized (lock) {
			List<JobView> views = new ArrayList<>(table.size());
			for (Job job : table.all()) {
				views.add(view(job));
			}
			views.sort(Comparator.comparing(JobView::name).thenComparingLong(JobView::seq));
			return views;
		}
	}

	/** What the runtime view shows of the owner of a name; {@code null} if none. */
	JobView view(String name) {
		synchronized (lock) {
			Job job = table.owner(name);
			return job == null ? null : view(job);
		}
	}

	/** The owner's view, or an {@link IllegalArgumentException} naming the known ones. */
	JobView require(String name) {
		synchronized (lock) {
			return view(table.require(name));
		}
	}

	private JobView view(Job job) {
		Run run = dispatcher.running(job.name());
		boolean running = run != null && run.job == job;
		boolean stuck = job.owner && run != null && run.phase == Run.Phase.STUCK; // maybe a departed job's run
		Long runningSince = (running || stuck) && run.phase != Run.Phase.QUEUED ? run.record.started : null;
		History.Runs runs = job.owner ? history.of(job.name()) : null;
		RunRecord lastRun = runs == null ? null : runs.recent.peekFirst();
		ZoneId zone = job.resolution != null && job.resolution.interval() != null ? job.resolution.interval().zone()
				: job.settings.zone() != null ? job.settings.zone() : options.zone();
		return new JobView(job.seq, job.name(), job.state, job.reason, running, runningSince,
				runs == null ? 0 : runs.runs, runs == null ? 0 : runs.failures, runs == null ? 0 : runs.timeouts,
				runs == null ? 0 : runs.consecutiveFailures, node(job.name(), running, lastRun), job.resolution,
				job.settings, zone, job.nextFire == Job.NONE ? null : job.nextFire,
				job.record == null ? null : job.record.lastEnd(), lastRun, job.plugin);
	}

	ZoneId defaultZone() {
		synchronized (lock) {
			return options.zone();
		}
	}

	Instant now() {
		return clock.instant();
	}

	// ------------------------------------------------------------------ configuration and stop

	/** Applies a changed configuration; a new store, if given, replaces the old one, which is closed. */
	void configure(Options changed, StateStore newStore) {
		List<Runnable> out = new ArrayList<>();
		StateStore old = null;
		synchronized (lock) {
			Options before = options;
			options = changed;
			Instant now = clock.instant();
			if (!before.recheck().equals(changed.recheck())) {
				due.schedule(recheck, now.plus(changed.recheck()).toEpochMilli());
			}
			if (changed.historySize() != before.historySize()) {
				history.resize(changed.historySize());
			}
			if (newStore != null && newStore != store) {
				old = store;
				store = newStore;
				newStore.listen(this::changedElsewhere);
				newStore.onAvailable(this::storeAvailable);
				for (Job job : table.owners()) {
					job.record = null;
					refresh(job, now, out);
					out.add(() -> reload(job));
				}
			}
			if (!before.zone().equals(changed.zone())) {
				for (Job job : table.all()) {
					resolve(job, now, out);
				}
			}
		}
		flush(out);
		if (old != null) {
			old.close();
		}
	}

	private int historySize() {
		synchronized (lock) {
			return options.historySize();
		}
	}

	/** The state store in use. */
	StateStore currentStore() {
		synchronized (lock) {
			return store;
		}
	}

	/**
	 * Stops: nothing fires any more; running plugins are interrupted and awaited up to the grace
	 * period, and those that ignore it are abandoned and reported. The executors and the store are
	 * the caller's to shut down.
	 */
	void stop() {
		Duration grace;
		synchronized (lock) {
			if (stopped) {
				return;
			}
			stopped = true;
			grace = options.grace();
		}
		dispatcher.stop(grace);
	}

	// ------------------------------------------------------------------ helpers

	/** Runs what was collected under the lock, then tells of a change, with no lock held. */
	private void flush(List<Runnable> out) {
		for (Runnable task : out) {
			task.run();
		}
		boolean tell;
		synchronized (lock) {
			tell = changes != notified;
			notified = changes;
		}
		if (tell) {
			changed.run();
		}
	}

	static String describe(Throwable t) {
		String message = t.getMessage();
		String text = t.getClass().getName() + (message == null ? "" : ": " + message);
		int newline = text.indexOf('\n');
		return newline < 0 ? text : text.substring(0, newline);
	}
}
