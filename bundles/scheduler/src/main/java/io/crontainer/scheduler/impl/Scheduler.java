package io.crontainer.scheduler.impl;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.crontainer.api.CronPlugin;
import io.crontainer.api.runtime.CronJobDTO;
import io.crontainer.api.runtime.CronRunDTO;
import io.crontainer.api.runtime.CronRuntime;
import io.crontainer.api.runtime.JobState;
import io.crontainer.api.runtime.Outcome;
import io.crontainer.api.runtime.Trigger;
import io.crontainer.scheduler.impl.interval.Interval;
import io.crontainer.scheduler.impl.interval.Intervals;
import io.crontainer.scheduler.impl.interval.InvalidIntervalException;

/**
 * The scheduler core: the cron plugins, their states, schedules, runs and windows.
 *
 * <p>
 * The core owns no thread. Time is read from a {@link Clock}; {@link #tick()} fires what is due at
 * the clock's instant, enforces time limits, runs the periodic re-check, and returns the instant at
 * which it wants to be called again. In production a {@link Timer} thread calls it; tests call it
 * directly after moving a mutable clock. Runs go to the {@code workers} executor, calls of
 * {@code enabled()} and {@code interval()} to the {@code calls} executor; neither is ever done while
 * the core's lock is held, nor on the caller's thread unless the executor itself runs tasks inline.
 *
 * <p>
 * Thread-safe: every field is guarded by {@link #lock}, except the per-name write locks that
 * serialize writes of the {@link StateStore}. Lock order: a name lock, then {@link #lock}.
 */
final class Scheduler implements CronRuntime {

	/**
	 * A fire time more overdue than this counts as missed (a misfire): the timer was not running, the
	 * machine was suspended or the clock was stepped forward. Quartz's default misfire threshold.
	 */
	static final Duration MISFIRE_THRESHOLD = Duration.ofSeconds(60);

	/**
	 * How many names of departed plugins keep their history (for the shell, and across a bundle
	 * update); beyond it the history of the longest departed is dropped, so that memory stays bounded.
	 */
	static final int DEPARTED_HISTORIES = 256;

	/** The executor of plugin calls, told when a call overruns its time limit and when it returns. */
	interface Calls extends Executor {
		/**
		 * A call has overrun its time limit ({@code true}) or, having overrun, returned ({@code false}).
		 * A pool may add a thread for each call stuck so that other plugins are still answered.
		 */
		void stuck(boolean stuck);

		static Calls of(Executor executor) {
			return new Calls() {
				@Override
				public void execute(Runnable command) {
					executor.execute(command);
				}

				@Override
				public void stuck(boolean stuck) {
					// nothing to resize
				}
			};
		}
	}

	/**
	 * The scheduler's configuration.
	 *
	 * @param zone The default zone of intervals.
	 * @param recheck The period of the re-check of {@code enabled()} and {@code interval()}.
	 * @param callTimeout The time limit of one call of {@code enabled()} or {@code interval()}.
	 * @param grace How long a departing plugin's or the stopping scheduler's runs are awaited.
	 * @param historySize How many runs are kept per plugin name.
	 * @param poolSize The number of workers, for saturation warnings.
	 */
	record Options(ZoneId zone, Duration recheck, Duration callTimeout, Duration grace, int historySize,
			int poolSize) {
	}

	private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);

	private final Object lock = new Object();
	private final Clock clock;
	private final Executor workers;
	private final Calls calls;
	private final Runnable wakeup;
	private final Map<String, Object> nameLocks = new ConcurrentHashMap<>();

	// Guarded by lock.
	private Options options;
	private StateStore store;
	private final Map<Long, Job> jobs = new HashMap<>();
	private final Map<String, Job> owners = new HashMap<>();
	private final Map<String, Run> running = new HashMap<>();
	/**
	 * Runs of a concurrent job ({@code scheduler.concurrent = true}) started while another run of its
	 * name was going: the one in {@link #running} keeps the name's place, these run alongside.
	 */
	private final Set<Run> overlapping = new HashSet<>();
	private final Map<String, Deque<RunRecord>> history = new HashMap<>();
	/** Names with history but no live plugin, oldest first; the oldest are forgotten beyond a bound. */
	private final Set<String> departed = new LinkedHashSet<>();
	private Instant nextRecheck;
	/** The instant the timer sleeps until (what tick() returned); something due earlier must wake it. */
	private Instant timerDue;
	/** Set by {@link #due(Instant)}: the next tick must scan the jobs even before {@link #timerDue}. */
	private boolean scanNeeded = true;
	private boolean wakeNeeded;
	private long arrivals;
	private int queued;
	private int busy;
	private boolean saturated;
	private boolean stopped;

	/**
	 * @param clock The clock read for every fire time, window and time limit.
	 * @param workers Executes runs; must not run them on the calling thread in production.
	 * @param calls Executes calls of {@code enabled()} and {@code interval()}.
	 * @param store Keeps the run state.
	 * @param options The configuration.
	 * @param wakeup Called (without the lock held) when the next instant to {@link #tick()} may have
	 *        moved earlier; the timer wakes up and asks again.
	 */
	Scheduler(Clock clock, Executor workers, Calls calls, StateStore store, Options options, Runnable wakeup) {
		this.clock = requireNonNull(clock);
		this.workers = requireNonNull(workers);
		this.calls = requireNonNull(calls);
		this.store = requireNonNull(store);
		this.options = requireNonNull(options);
		this.wakeup = requireNonNull(wakeup);
		this.nextRecheck = clock.instant().plus(options.recheck());
	}

	// ------------------------------------------------------------------ whiteboard

	/** A plugin service arrived. Never throws for a bad plugin; it gets a state and a reason. */
	void add(Plugin plugin) {
		List<Runnable> out = new ArrayList<>();
		synchronized (lock) {
			if (stopped || jobs.containsKey(plugin.serviceId())) {
				return;
			}
			Instant now = clock.instant();
			Job job = new Job(plugin, plugin.settings(), arrivals++, now);
			jobs.put(plugin.serviceId(), job);
			LOG.debug("Cron plugin {} arrived ({})", job.name(), plugin);
			if (job.settings.error() != null) {
				LOG.warn("Cron plugin {} ({}): {}", job.name(), plugin, job.settings.error());
			}
			if (owners.containsKey(job.name())) {
				refresh(job, now, out);
			} else {
				claim(job, now, out);
			}
			resolve(job, now, out);
		}
		flush(out);
	}

	/** The service properties of a plugin changed. */
	void update(Plugin plugin) {
		List<Runnable> out = new ArrayList<>();
		boolean unknown;
		synchronized (lock) {
			Job job = jobs.get(plugin.serviceId());
			unknown = job == null && !stopped;
			if (stopped || job == null) {
				return;
			}
			Instant now = clock.instant();
			Settings old = job.settings;
			job.plugin = plugin;
			job.settings = plugin.settings();
			job.generation++;
			if (!job.settings.equals(old)) {
				job.fired = 0; // as Sling and Karaf, which schedule a changed service afresh
			}
			if (job.settings.error() != null && !job.settings.error().equals(old.error())) {
				LOG.warn("Cron plugin {} ({}): {}", job.name(), plugin, job.settings.error());
			}
			if (!old.name().equals(job.name())) {
				LOG.info("Cron plugin {} is renamed {} ({})", old.name(), job.name(), plugin);
				release(job, old.name(), "the plugin was renamed", now, out);
				job.createdFor = null;
				job.createdAt = now;
				if (owners.containsKey(job.name())) {
					refresh(job, now, out);
				} else {
					claim(job, now, out);
				}
			}
			resolve(job, now, out);
		}
		if (unknown) {
			add(plugin);
		}
		flush(out);
	}

	/**
	 * A plugin service left: it is unscheduled at once; a run in progress is interrupted and awaited
	 * up to the grace period (on the calling thread, which is the thread stopping the plugin's
	 * bundle), and its window is not committed.
	 */
	void remove(long serviceId) {
		List<Runnable> out = new ArrayList<>();
		Run departing;
		List<Run> alongside = new ArrayList<>();
		Duration grace;
		synchronized (lock) {
			Job job = jobs.remove(serviceId);
			if (job == null) {
				return;
			}
			if (stopped) {
				return; // stop() has interrupted and awaited every run already
			}
			Instant now = clock.instant();
			job.gone = true;
			job.generation++;
			departing = release(job, job.name(), "the plugin left", now, out);
			for (Run run : overlapping) {
				if (run.job == job) {
					interrupt(run, "the plugin left");
					alongside.add(run);
				}
			}
			grace = options.grace();
			LOG.info("Cron plugin {} left ({})", job.name(), job.plugin);
		}
		flush(out);
		long deadline = System.nanoTime() + grace.toNanos();
		if (departing != null) {
			alongside.add(0, departing);
		}
		for (Run run : alongside) {
			await(run, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
		}
	}

	/** Gives up a name: interrupts this job's run of it and hands the name to the next duplicate. */
	private Run release(Job job, String name, String why, Instant now, List<Runnable> out) {
		Run run = running.get(name);
		Run interrupted = null;
		if (run != null && run.job == job) {
			interrupt(run, why);
			interrupted = run;
		}
		if (owners.get(name) == job) {
			owners.remove(name);
			job.owner = false;
			job.record = null;
			job.blocked = null;
			job.scheduled = null;
			job.nextFire = null;
			jobs.values().stream()
					.filter(j -> j != job && !j.owner && j.name().equals(name))
					.min(Comparator.comparingLong(j -> j.seq))
					.ifPresent(next -> {
						LOG.info("Cron plugin {} ({}) takes the name over", name, next.plugin);
						claim(next, now, out);
					});
		}
		if (!owners.containsKey(name) && history.containsKey(name)) {
			departed.add(name);
			if (departed.size() > DEPARTED_HISTORIES) {
				String oldest = departed.iterator().next();
				departed.remove(oldest);
				history.remove(oldest);
			}
		}
		return interrupted;
	}

	/** Makes a job the owner of its name and loads its run state. */
	private void claim(Job job, Instant now, List<Runnable> out) {
		owners.put(job.name(), job);
		departed.remove(job.name());
		job.owner = true;
		job.catchUp = true;
		job.scheduled = null;
		load(job);
		refresh(job, now, out);
	}

	private void load(Job job) {
		try {
			job.record = store.read(job.name());
			job.blocked = null;
		} catch (CorruptStateException e) {
			job.record = null;
			job.blocked = e.getMessage();
		}
	}

	// ------------------------------------------------------------------ resolution

	/** Asks the plugin (or its properties) again for enabled() and interval(), off this thread. */
	private void resolve(Job job, Instant now, List<Runnable> out) {
		Settings settings = job.settings;
		ZoneId zone = settings.zone() != null ? settings.zone() : options.zone();
		if (settings.error() != null) {
			apply(job, Resolution.invalid(settings.interval(), settings.error()), now, out);
			return;
		}
		if (Boolean.FALSE.equals(settings.enabled())) {
			apply(job, Resolution.disabled("service property " + CronPlugin.ENABLED + " is false"), now, out);
			return;
		}
		if (settings.enabled() != null && settings.interval() != null) {
			apply(job, parse(job, settings.interval(), zone, now, out), now, out);
			return;
		}
		if (job.resolving) {
			return; // the call in flight answers, and asks again if the settings changed meanwhile
		}
		job.resolving = true;
		int generation = job.generation;
		CronPlugin service = job.plugin.service();
		out.add(() -> {
			try {
				calls.execute(() -> ask(job, generation, service, settings, zone));
			} catch (RejectedExecutionException e) {
				answered(job, generation, Resolution.invalid(null, "the scheduler is stopping"));
			}
		});
	}

	/** Runs on a call thread: asks the plugin, with a time limit enforced by {@link #tick()}. */
	private void ask(Job job, int generation, CronPlugin service, Settings settings, ZoneId zone) {
		String method = "enabled()";
		Resolution resolution;
		try {
			Boolean enabled = settings.enabled();
			if (enabled == null) {
				calling(job, method);
				enabled = service.enabled();
			}
			if (!enabled) {
				resolution = Resolution.disabled("enabled() returned false");
			} else {
				String expression = settings.interval();
				if (expression == null) {
					method = "interval()";
					calling(job, method);
					expression = service.interval();
				}
				if (expression == null) {
					resolution = Resolution.invalid(null, "interval() returned null");
				} else {
					Instant now = clock.instant();
					synchronized (lock) {
						job.calling = null;
					}
					List<Runnable> save = new ArrayList<>(1);
					resolution = parse(job, expression, zone, now, save);
					save.forEach(Runnable::run);
				}
			}
		} catch (Throwable t) { // a plugin's failure, whatever it is, stays with that plugin
			resolution = Resolution.invalid(null, method + " threw " + describe(t));
			if (t instanceof InterruptedException) {
				Thread.currentThread().interrupt();
			}
		}
		answered(job, generation, resolution);
	}

	private void calling(Job job, String method) {
		boolean wake;
		synchronized (lock) {
			job.calling = method;
			job.callStarted = clock.instant();
			due(job.callStarted.plus(options.callTimeout()));
			wake = takeWakeup();
		}
		if (wake) {
			wakeup.run();
		}
	}

	private void answered(Job job, int generation, Resolution resolution) {
		List<Runnable> out = new ArrayList<>();
		synchronized (lock) {
			job.resolving = false;
			job.calling = null;
			if (job.overdue) {
				job.overdue = false;
				calls.stuck(false);
			}
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
	 * Parses an interval; {@code ?} fields keep the instant the expression was first seen. For an
	 * interval with a {@code ?} field that instant is kept in the plugin's state record too, so that
	 * neither a re-check nor a restart moves the schedule: the write is added to {@code out}, to be run
	 * once the lock is released.
	 */
	private Resolution parse(Job job, String expression, ZoneId zone, Instant now, List<Runnable> out) {
		Instant createdAt;
		String name;
		boolean anchored = Intervals.usesCreationTime(expression);
		boolean save;
		synchronized (lock) {
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
			save = anchored && recorded == null && job.owner && job.record != null;
		}
		if (save) { // after the lock is released: file I/O never happens under it
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
	 * logged and costs only that: the schedule holds until the next restart.
	 */
	private void saveAnchor(Job job, String name, String expression, Instant createdAt) {
		synchronized (nameLock(name)) {
			RunState next;
			StateStore target;
			synchronized (lock) {
				if (!job.owner || job.record == null || createdAt.equals(job.record.anchorOf(expression))) {
					return;
				}
				next = job.record.withAnchor(createdAt, expression);
				target = store;
			}
			try {
				target.write(name, next);
			} catch (IOException | RuntimeException e) {
				LOG.warn("Cron plugin {}: could not record when its schedule '{}' was created; a restart will "
						+ "take the '?' fields from the time of that restart", name, expression, e);
				return;
			}
			synchronized (lock) {
				if (job.record != null) {
					job.record = job.record.withAnchor(createdAt, expression);
				}
			}
		}
	}

	private void apply(Job job, Resolution resolution, Instant now, List<Runnable> out) {
		job.resolution = resolution;
		refresh(job, now, out);
	}

	// ------------------------------------------------------------------ states and schedules

	/** Recomputes a job's state and, if its schedule started or changed, its next fire time. */
	private void refresh(Job job, Instant now, List<Runnable> out) {
		JobState state;
		String reason;
		Resolution resolution = job.resolution;
		if (!job.owner) {
			Job owner = owners.get(job.name());
			state = JobState.DUPLICATE;
			reason = "another live plugin has the name '" + job.name() + "'"
					+ (owner == null ? "" : " (" + owner.plugin + ")");
		} else if (job.blocked != null) {
			state = JobState.BLOCKED;
			reason = job.blocked + "; reset it (cron:reset) to set the start of its next window";
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
		} else if (exhausted(job)) {
			state = JobState.DISABLED;
			reason = exhaustedReason(job);
		} else {
			state = JobState.SCHEDULED;
			reason = null;
		}

		if (state == JobState.SCHEDULED) {
			Interval interval = resolution.interval();
			try {
				schedule(job, interval, now, out);
				if (exhausted(job)) { // scheduler.times = 1 with scheduler.immediate: its one fire was the first
					state = JobState.DISABLED;
					reason = exhaustedReason(job);
					job.scheduled = null;
				} else if (job.nextFire == null && !interval.reboot()) {
					state = JobState.INVALID;
					reason = "interval '" + interval.expression() + "' never fires after " + now;
					job.scheduled = null;
				}
			} catch (RuntimeException e) { // a parser bug must not stop the others: this plugin only
				LOG.warn("Cron plugin {}: computing the next fire time of '{}' failed", job.name(),
						interval.expression(), e);
				state = JobState.INVALID;
				reason = "computing the next fire time of '" + interval.expression() + "' failed: " + describe(e);
				job.scheduled = null;
				job.nextFire = null;
			}
		} else {
			job.scheduled = null;
			job.nextFire = null;
		}
		if (state != JobState.PENDING) {
			job.catchUp = false;
		}
		if (state != job.state || !Objects.equals(reason, job.reason)) {
			job.state = state;
			job.reason = reason;
			out.add(stateLog(job));
		}
	}

	/** Whether a job has had all its fire times ({@code scheduler.times}). Requires the lock. */
	private static boolean exhausted(Job job) {
		Integer times = job.settings.runs().times();
		return times != null && job.fired >= times;
	}

	private static String exhaustedReason(Job job) {
		return "it has had its " + job.settings.runs().times() + " fire times (" + SchedulerProperties.TIMES
				+ "); registering its service again starts them afresh";
	}

	/** Counts a fire time of a job with {@code scheduler.times}; ends its schedule after the last. */
	private static void counted(Job job) {
		job.fired++;
		if (exhausted(job)) {
			job.nextFire = null;
		}
	}

	/** Starts a schedule, or keeps it if its interval is the same. Requires the lock. */
	private void schedule(Job job, Interval interval, Instant now, List<Runnable> out) {
		if (job.scheduled != null && sameSchedule(job.scheduled, interval)) {
			job.scheduled = interval; // same schedule: it goes on; the new Interval only describes it
			return;
		}
		job.scheduled = interval;
		if (interval.reboot()) {
			job.nextFire = null;
			start(job, Trigger.REBOOT, now, null, now, out);
			return;
		}
		job.nextFire = interval.next(now).orElse(null);
		if (job.nextFire != null) {
			due(job.nextFire.toInstant());
		}
		Instant lastEnd = job.record.lastEnd();
		boolean caughtUp = false;
		if (job.catchUp && job.settings.runOnce() && lastEnd != null) {
			Optional<ZonedDateTime> missed = interval.next(lastEnd);
			if (missed.isPresent() && !missed.get().toInstant().isAfter(now)) {
				LOG.info("Cron plugin {} missed its fire time {} and runs once now ({}={})", job.name(), missed.get(),
						CronPlugin.MISFIRE, CronPlugin.MISFIRE_RUN_ONCE);
				start(job, Trigger.MISFIRE, missed.get().toInstant(), null, now, out);
				caughtUp = true;
			}
		}
		if (job.settings.runs().immediate() && !caughtUp) {
			// scheduler.immediate (Sling, Karaf): a first fire when the schedule starts, counted as one
			counted(job);
			start(job, Trigger.REBOOT, now, null, now, out);
		}
	}

	private static boolean sameSchedule(Interval a, Interval b) {
		return a.expression().equals(b.expression()) && a.zone().equals(b.zone()) && a.reboot() == b.reboot();
	}

	/** A log line for a job's new state, to be written after the lock is released. Requires the lock. */
	private static Runnable stateLog(Job job) {
		String name = job.name();
		JobState state = job.state;
		String reason = job.reason;
		switch (state) {
		case SCHEDULED:
			String expression = job.scheduled.expression();
			ZoneId zone = job.scheduled.zone();
			Object next = job.nextFire == null ? "-" : job.nextFire;
			return () -> LOG.info("Cron plugin {} is scheduled: '{}' in {}, next fire {}", name, expression, zone, next);
		case INVALID:
		case BLOCKED:
			return () -> LOG.warn("Cron plugin {} is {}: {}", name, state, reason);
		case PENDING:
			return () -> LOG.debug("Cron plugin {} is {}: {}", name, state, reason);
		default:
			return () -> LOG.info("Cron plugin {} is {}: {}", name, state, reason);
		}
	}

	// ------------------------------------------------------------------ timing

	/**
	 * Does what is due at the clock's instant: fires due plugins, enforces the time limits of runs and
	 * of plugin calls, and re-checks every plugin when the re-check is due.
	 *
	 * @return The instant at which it wants to be called next; {@code null} once stopped.
	 */
	Instant tick() {
		List<Runnable> out = new ArrayList<>();
		Instant wake;
		synchronized (lock) {
			if (stopped) {
				return null;
			}
			Instant now = clock.instant();
			if (!scanNeeded && timerDue != null && now.isBefore(timerDue)) {
				// Nothing is due before timerDue, which the last scan computed and every change that
				// makes something due earlier lowers (due()). This is the timer's bounded wake-up, which
				// only looks for a stepped clock: no scan of the jobs, so an idle scheduler stays idle.
				return timerDue;
			}
			scanNeeded = false;
			for (Job job : jobs.values()) {
				if (job.calling != null && !job.overdue
						&& !now.isBefore(job.callStarted.plus(options.callTimeout()))) {
					job.overdue = true;
					out.add(() -> calls.stuck(true));
					apply(job, Resolution.invalid(null, job.calling + " did not return within "
							+ options.callTimeout().toSeconds() + " s; it is asked again once it returns"), now, out);
				}
			}
			for (Run run : runs()) {
				if (run.deadline != null && !run.timedOut && !now.isBefore(run.deadline)) {
					run.timedOut = true;
					LOG.warn("Cron plugin {} has run longer than its {} of {} s: interrupting it", run.name,
							CronPlugin.TIMEOUT, run.job.settings.timeoutSeconds());
					interrupt(run, "timed out");
				}
			}
			if (!now.isBefore(nextRecheck)) {
				nextRecheck = now.plus(options.recheck());
				LOG.debug("Re-checking {} cron plugins", jobs.size());
				for (Job job : jobs.values()) {
					resolve(job, now, out);
				}
			}
			for (Job job : new ArrayList<>(owners.values())) {
				if (job.state == JobState.SCHEDULED && job.nextFire != null && !job.nextFire.toInstant().isAfter(now)) {
					try {
						fireDue(job, now, out);
					} catch (RuntimeException e) { // a parser bug must not stop the others: this plugin only
						job.scheduled = null;
						refresh(job, now, out);
					}
				}
			}
			wake = nextWakeup();
			timerDue = wake;
			wakeNeeded = false;
		}
		// Not flush(out): the timer calls tick(), and waking it would make it tick again at once.
		for (Runnable task : out) {
			task.run();
		}
		return wake;
	}

	private void fireDue(Job job, Instant now, List<Runnable> out) {
		ZonedDateTime due = job.nextFire;
		Interval interval = job.scheduled;
		if (Duration.between(due.toInstant(), now).compareTo(MISFIRE_THRESHOLD) > 0) {
			job.nextFire = interval.next(now).orElse(null);
			if (job.settings.runs().times() != null) {
				counted(job);
			}
			if (job.settings.runOnce()) {
				LOG.info("Cron plugin {} missed its fire time {} and runs once now ({}={})", job.name(), due,
						CronPlugin.MISFIRE, CronPlugin.MISFIRE_RUN_ONCE);
				start(job, Trigger.MISFIRE, due.toInstant(), null, now, out);
			} else {
				LOG.info("Cron plugin {} missed its fire time {}; it waits for {} ({}={})", job.name(), due,
						job.nextFire, CronPlugin.MISFIRE, CronPlugin.MISFIRE_SKIP);
				skipped(job.name(), Trigger.SCHEDULE, due.toInstant(), now,
						"missed the fire time (" + CronPlugin.MISFIRE + "=" + CronPlugin.MISFIRE_SKIP + ")");
			}
		} else {
			// From the previous scheduled fire time, never from now: fire times only move forward.
			ZonedDateTime next = due;
			do {
				next = interval.next(next.toInstant()).orElse(null);
			} while (next != null && !next.toInstant().isAfter(now));
			job.nextFire = next;
			if (job.settings.runs().times() != null) {
				counted(job);
			}
			start(job, Trigger.SCHEDULE, due.toInstant(), null, now, out);
		}
		if (job.nextFire == null) {
			refresh(job, now, out);
		}
	}

	/** The earliest instant at which something may be due. Requires the lock. */
	private Instant nextWakeup() {
		Instant wake = nextRecheck;
		for (Job job : owners.values()) {
			if (job.state == JobState.SCHEDULED && job.nextFire != null) {
				wake = earliest(wake, job.nextFire.toInstant());
			}
		}
		for (Job job : jobs.values()) {
			if (job.calling != null && !job.overdue) {
				wake = earliest(wake, job.callStarted.plus(options.callTimeout()));
			}
		}
		for (Run run : runs()) {
			if (run.deadline != null && !run.timedOut) {
				wake = earliest(wake, run.deadline);
			}
		}
		return wake;
	}

	/** Every run queued or in progress, overlapping ones included. Requires the lock. */
	private List<Run> runs() {
		List<Run> all = new ArrayList<>(running.values());
		all.addAll(overlapping);
		return all;
	}

	private static Instant earliest(Instant a, Instant b) {
		return b.isBefore(a) ? b : a;
	}

	// ------------------------------------------------------------------ runs

	/** Starts a run, or records it as skipped if the plugin's name is running. Requires the lock. */
	private void start(Job job, Trigger trigger, Instant scheduledFire, CompletableFuture<CronRunDTO> done,
			Instant now, List<Runnable> out) {
		String name = job.name();
		Run current = running.get(name);
		boolean alongside = current != null && job.settings.runs().concurrent() && trigger != Trigger.MANUAL;
		if (current != null && !alongside) {
			LOG.info("Cron plugin {} is still running (since {}): skipping its fire time {}", name,
					Instant.ofEpochMilli(current.record.started), scheduledFire);
			skipped(name, trigger, scheduledFire, now, "the previous run was still going");
			return;
		}
		RunRecord record = new RunRecord(name, trigger, trigger == Trigger.MANUAL ? null : scheduledFire, now);
		Run run = new Run(job, name, record, done);
		if (alongside) {
			overlapping.add(run); // scheduler.concurrent = true: it runs beside the one going
		} else {
			running.put(name, run);
		}
		remember(name, record);
		queued++;
		if (busy + queued > options.poolSize() && !saturated) {
			saturated = true;
			LOG.warn("All {} workers are busy: runs wait for a free worker ({} waiting); raise pool.size of {}",
					options.poolSize(), busy + queued - options.poolSize(), SchedulerComponent.PID);
		}
		out.add(() -> {
			try {
				workers.execute(() -> execute(run));
			} catch (RejectedExecutionException e) {
				synchronized (lock) {
					queued--;
				}
				finish(run, Outcome.INTERRUPTED, "the scheduler is stopping");
			}
		});
	}

	/** Runs on a worker: executes one run of a plugin and commits its window if it succeeded. */
	private void execute(Run run) {
		Instant start;
		Instant end;
		CronPlugin service;
		CronRunDTO notRun = null;
		boolean wake;
		synchronized (lock) {
			queued--;
			Instant lastEnd = run.job.record == null ? null : run.job.record.lastEnd();
			start = lastEnd == null ? CronPlugin.EPOCH : lastEnd;
			end = clock.instant();
			if (run.interrupted != null) {
				notRun = finishLocked(run, Outcome.INTERRUPTED, run.interrupted + " before the run started");
			} else if (run.job.record == null || !run.job.owner) {
				// Never guess a window: the state record became unreadable while the run waited.
				notRun = finishLocked(run, Outcome.SKIPPED, "the plugin's state record is not available: "
						+ (run.job.blocked == null ? "it no longer owns its name" : run.job.blocked));
			} else if (!end.isAfter(start)) {
				LOG.warn("Cron plugin {}: the clock ({}) is not after the end of its last window ({}); "
						+ "it went backwards: skipping the run", run.name, end, start);
				notRun = finishLocked(run, Outcome.SKIPPED,
						"the clock went backwards: " + end + " is not after " + start);
			}
			if (notRun == null) {
				busy++;
				run.record.outcome = Outcome.RUNNING;
				run.record.started = end.toEpochMilli();
				run.record.windowStart = start.toEpochMilli();
				run.record.windowEnd = end.toEpochMilli();
				run.thread = Thread.currentThread();
				run.inRun = true;
				Long timeout = run.job.settings.timeoutSeconds();
				run.deadline = timeout == null ? null : end.plusSeconds(timeout);
				if (run.deadline != null) {
					due(run.deadline);
				}
			}
			wake = takeWakeup();
			service = run.job.plugin.service();
		}
		if (notRun != null) {
			complete(run, notRun);
			return;
		}
		if (wake) {
			wakeup.run();
		}
		LOG.debug("Cron plugin {} runs ({}) for [{}, {})", run.name, run.record.trigger, start, end);
		Throwable failure = null;
		try {
			service.run(start, end);
		} catch (Throwable t) { // whatever a plugin throws fails its run only
			failure = t;
		}
		String interrupted;
		boolean timedOut;
		synchronized (lock) {
			run.inRun = false;
			busy--;
			interrupted = run.interrupted;
			timedOut = run.timedOut;
		}
		Thread.interrupted(); // leave the worker clean; the interrupt was for the plugin
		if (timedOut) {
			finish(run, Outcome.TIMED_OUT, "did not finish within " + run.job.settings.timeoutSeconds() + " s"
					+ (failure == null ? "" : "; then threw " + describe(failure)));
		} else if (interrupted != null) {
			finish(run, Outcome.INTERRUPTED, "interrupted: " + interrupted);
		} else if (failure != null) {
			LOG.warn("Cron plugin {} failed for [{}, {}); the window is kept for its next run", run.name, start, end,
					failure);
			finish(run, Outcome.FAILED, describe(failure));
		} else {
			try {
				commit(run, end);
				finish(run, Outcome.SUCCEEDED, null);
			} catch (IOException | RuntimeException e) {
				LOG.warn("Cron plugin {} succeeded for [{}, {}) but its window could not be saved; "
						+ "the run counts as failed", run.name, start, end, e);
				finish(run, Outcome.FAILED, "its window could not be saved: " + describe(e));
			}
		}
	}

	/** Writes {@code lastEnd = end} durably, then in memory. */
	private void commit(Run run, Instant end) throws IOException {
		synchronized (nameLock(run.name)) {
			RunState next;
			StateStore target;
			synchronized (lock) {
				if (run.job.record == null) {
					throw new IOException("the plugin's state record was not loaded");
				}
				Instant last = run.job.record.lastEnd();
				// Overlapping runs of a concurrent job may end out of order: the window end never goes back.
				next = last != null && last.isAfter(end) ? run.job.record : run.job.record.withLastEnd(end);
				target = store;
			}
			target.write(run.name, next);
			synchronized (lock) {
				run.job.record = next;
			}
		}
	}

	private void finish(Run run, Outcome outcome, String error) {
		CronRunDTO dto;
		synchronized (lock) {
			dto = finishLocked(run, outcome, error);
		}
		complete(run, dto);
	}

	private CronRunDTO finishLocked(Run run, Outcome outcome, String error) {
		Instant now = clock.instant();
		run.record.outcome = outcome;
		run.record.error = error;
		run.record.finished = now.toEpochMilli();
		if (!running.remove(run.name, run)) {
			overlapping.remove(run);
		}
		if (saturated && queued == 0) {
			saturated = false;
			LOG.info("Runs no longer wait for workers");
		}
		if (outcome == Outcome.SUCCEEDED) {
			LOG.debug("Cron plugin {} succeeded for [{}, {})", run.name, Instant.ofEpochMilli(run.record.windowStart),
					Instant.ofEpochMilli(run.record.windowEnd));
		} else if (outcome == Outcome.TIMED_OUT) {
			LOG.warn("Cron plugin {}: run {}: {}; the window is kept for its next run", run.name, outcome, error);
		} else if (outcome != Outcome.FAILED) {
			LOG.info("Cron plugin {}: run {}: {}", run.name, outcome, error);
		}
		CronRunDTO dto = run.record.toDTO();
		run.finished.countDown();
		if (run.done != null) {
			CompletableFuture<CronRunDTO> done = run.done;
			// complete outside the lock: dependent stages must not run under it
			run.completion = () -> done.complete(dto);
		}
		return dto;
	}

	private void complete(Run run, CronRunDTO dto) {
		Runnable completion = run.completion;
		if (completion != null) {
			completion.run();
		}
	}

	private void skipped(String name, Trigger trigger, Instant scheduledFire, Instant now, String why) {
		RunRecord record = new RunRecord(name, trigger, scheduledFire, now);
		record.outcome = Outcome.SKIPPED;
		record.error = why;
		record.finished = now.toEpochMilli();
		remember(name, record);
	}

	private void remember(String name, RunRecord record) {
		Deque<RunRecord> runs = history.computeIfAbsent(name, n -> new ArrayDeque<>());
		runs.addFirst(record);
		while (runs.size() > options.historySize()) {
			runs.removeLast();
		}
	}

	/** Asks a run to stop. Requires the lock. */
	private static void interrupt(Run run, String why) {
		if (run.interrupted == null) {
			run.interrupted = why;
		}
		if (run.inRun && run.thread != null) {
			run.thread.interrupt();
		}
	}

	private boolean await(Run run, Duration grace) {
		try {
			if (run.finished.await(grace.toMillis(), TimeUnit.MILLISECONDS)) {
				return true;
			}
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
		if (!run.abandoned) {
			run.abandoned = true;
			LOG.warn("Cron plugin {} is still running {} ms after it was interrupted; it is abandoned", run.name,
					grace.toMillis());
		}
		return false;
	}

	// ------------------------------------------------------------------ configuration and stop

	/** Applies a changed configuration. */
	void configure(Options changed, StateStore newStore) {
		List<Runnable> out = new ArrayList<>();
		synchronized (lock) {
			Options old = options;
			options = changed;
			Instant now = clock.instant();
			if (!old.recheck().equals(changed.recheck())) {
				nextRecheck = now.plus(changed.recheck());
				due(nextRecheck);
			}
			if (changed.historySize() < old.historySize()) {
				for (Deque<RunRecord> runs : history.values()) {
					while (runs.size() > changed.historySize()) {
						runs.removeLast();
					}
				}
			}
			if (newStore != null && !newStore.directory().equals(store.directory())) {
				store = newStore;
				for (Job job : owners.values()) {
					load(job);
					refresh(job, now, out);
				}
			}
			if (!old.zone().equals(changed.zone())) {
				for (Job job : jobs.values()) {
					resolve(job, now, out);
				}
			}
		}
		flush(out);
	}

	/** The directory of the state store. */
	StateStore store() {
		synchronized (lock) {
			return store;
		}
	}

	/**
	 * Stops: nothing fires any more; running plugins are interrupted and awaited up to the grace
	 * period. The executors are the caller's to shut down.
	 */
	void stop() {
		List<Run> runs;
		Duration grace;
		synchronized (lock) {
			stopped = true;
			runs = new ArrayList<>();
			for (Run run : runs()) {
				interrupt(run, "the scheduler stopped");
				if (!run.abandoned) { // one that a departure awaited in vain already is not awaited again
					runs.add(run);
				}
			}
			grace = options.grace();
		}
		long deadline = System.nanoTime() + grace.toNanos();
		for (Run run : runs) {
			long left = Math.max(0, deadline - System.nanoTime());
			await(run, Duration.ofNanos(left));
		}
	}

	// ------------------------------------------------------------------ CronRuntime

	@Override
	public List<CronJobDTO> getJobs() {
		synchronized (lock) {
			return jobs.values().stream()
					.sorted(Comparator.comparing(Job::name).thenComparingLong(j -> j.seq))
					.map(this::toDTO)
					.collect(Collectors.toList());
		}
	}

	@Override
	public CronJobDTO getJob(String name) {
		requireNonNull(name, "name");
		synchronized (lock) {
			Job job = owners.get(name);
			return job == null ? null : toDTO(job);
		}
	}

	@Override
	public List<CronRunDTO> getHistory(String name, int limit) {
		if (limit <= 0) {
			throw new IllegalArgumentException("limit " + limit + " is not greater than 0");
		}
		synchronized (lock) {
			if (name != null) {
				owner(name);
				return history.getOrDefault(name, new ArrayDeque<>()).stream()
						.limit(limit)
						.map(RunRecord::toDTO)
						.collect(Collectors.toList());
			}
			return history.values().stream()
					.flatMap(Deque::stream)
					.sorted(Comparator.comparingLong((RunRecord r) -> r.started).thenComparingLong(r -> r.seq).reversed())
					.limit(limit)
					.map(RunRecord::toDTO)
					.collect(Collectors.toList());
		}
	}

	@Override
	public CompletionStage<CronRunDTO> fire(String name) {
		requireNonNull(name, "name");
		List<Runnable> out = new ArrayList<>();
		CompletableFuture<CronRunDTO> done = new CompletableFuture<>();
		synchronized (lock) {
			Job job = owner(name);
			switch (job.state) {
			case SCHEDULED:
			case PAUSED:
			case DISABLED:
				break;
			default:
				throw new IllegalStateException("cron plugin '" + name + "' is " + job.state + ": " + job.reason);
			}
			Run run = running.get(name);
			if (run != null) {
				throw new IllegalStateException("cron plugin '" + name + "' is running already (since "
						+ Instant.ofEpochMilli(run.record.started) + ")");
			}
			Instant now = clock.instant();
			start(job, Trigger.MANUAL, now, done, now, out);
		}
		flush(out);
		return done;
	}

	@Override
	public CronJobDTO pause(String name) {
		return setPaused(name, true);
	}

	@Override
	public CronJobDTO resume(String name) {
		return setPaused(name, false);
	}

	private CronJobDTO setPaused(String name, boolean paused) {
		requireNonNull(name, "name");
		List<Runnable> out = new ArrayList<>();
		CronJobDTO result;
		synchronized (nameLock(name)) {
			RunState next;
			StateStore target;
			synchronized (lock) {
				Job job = owner(name);
				if (job.record == null) {
					throw new IllegalStateException("cron plugin '" + name + "' is " + job.state + ": " + job.reason);
				}
				if (job.record.paused() == paused) {
					return toDTO(job);
				}
				next = job.record.withPaused(paused);
				target = store;
			}
			try {
				target.write(name, next);
			} catch (IOException e) {
				throw new IllegalStateException("the state of cron plugin '" + name + "' cannot be written: " + e, e);
			}
			synchronized (lock) {
				Job job = owner(name);
				job.record = next;
				job.catchUp = !paused;
				LOG.info("Cron plugin {} is {} by an operator", name, paused ? "paused" : "resumed");
				refresh(job, clock.instant(), out);
				result = toDTO(job);
			}
		}
		flush(out);
		return result;
	}

	@Override
	public CronJobDTO reset(String name, Instant since) {
		requireNonNull(name, "name");
		Instant now = clock.instant();
		if (since != null && since.isAfter(now)) {
			throw new IllegalArgumentException("the start of the next window, " + since + ", is in the future");
		}
		List<Runnable> out = new ArrayList<>();
		CronJobDTO result = null;
		synchronized (nameLock(name)) {
			RunState next;
			StateStore target;
			synchronized (lock) {
				if (running.containsKey(name) || overlapping.stream().anyMatch(r -> r.name.equals(name))) {
					throw new IllegalStateException("cron plugin '" + name + "' is running; reset it when it is not");
				}
				Job job = owners.get(name);
				// A readable record keeps its pause and its '?' anchor; a blocked one starts afresh.
				next = job != null && job.record != null ? job.record.withLastEnd(since) : new RunState(since, false);
				target = store;
			}
			try {
				target.write(name, next);
			} catch (IOException e) {
				throw new IllegalStateException("the state of cron plugin '" + name + "' cannot be written: " + e, e);
			}
			synchronized (lock) {
				LOG.info("Cron plugin {} is reset: its next window starts at {}", name,
						since == null ? CronPlugin.EPOCH : since);
				Job job = owners.get(name);
				if (job != null) {
					job.record = next;
					job.blocked = null;
					refresh(job, clock.instant(), out);
					result = toDTO(job);
				}
			}
		}
		flush(out);
		return result;
	}

	@Override
	public List<ZonedDateTime> preview(String interval, String name, ZoneId zone, Instant from, int count) {
		requireNonNull(interval, "interval");
		requireNonNull(from, "from");
		if (count < 1 || count > 1000) {
			throw new IllegalArgumentException("count " + count + " is not between 1 and 1000");
		}
		Interval parsed = parsePublic(interval, name, zone, from);
		List<ZonedDateTime> times = new ArrayList<>(count);
		Instant after = from;
		try {
			while (times.size() < count) {
				Optional<ZonedDateTime> next = parsed.next(after);
				if (next.isEmpty()) {
					break;
				}
				times.add(next.get());
				after = next.get().toInstant();
			}
		} catch (RuntimeException e) {
			throw new IllegalArgumentException("computing the fire times of '" + interval + "' after " + after
					+ " failed: " + describe(e), e);
		}
		return times;
	}

	@Override
	public List<ZonedDateTime> getNextFireTimes(String name, int count) {
		requireNonNull(name, "name");
		if (count < 1 || count > 1000) {
			throw new IllegalArgumentException("count " + count + " is not between 1 and 1000");
		}
		Interval interval;
		ZonedDateTime first;
		Instant now;
		synchronized (lock) {
			Job job = owner(name);
			Resolution resolution = job.resolution;
			interval = resolution == null ? null : resolution.interval();
			first = job.nextFire;
			now = clock.instant();
		}
		List<ZonedDateTime> times = new ArrayList<>(count);
		if (interval == null) {
			return times;
		}
		try {
			ZonedDateTime next = first != null ? first : interval.next(now).orElse(null);
			while (next != null && times.size() < count) {
				times.add(next);
				next = interval.next(next.toInstant()).orElse(null);
			}
		} catch (RuntimeException e) {
			throw new IllegalArgumentException("computing the fire times of cron plugin '" + name + "' failed: "
					+ describe(e), e);
		}
		return times;
	}

	@Override
	public String describe(String interval, String name, ZoneId zone) {
		requireNonNull(interval, "interval");
		Interval parsed = parsePublic(interval, name, zone, clock.instant());
		try {
			return parsed.description();
		} catch (RuntimeException e) {
			throw new IllegalArgumentException("describing '" + interval + "' failed: " + describe(e), e);
		}
	}

	public ZoneId getDefaultZone() {
		synchronized (lock) {
			return options.zone();
		}
	}

	private Interval parsePublic(String interval, String name, ZoneId zone, Instant createdAt) {
		ZoneId effective = zone == null ? getDefaultZone() : zone;
		try {
			return Intervals.parse(interval, effective, name == null ? "" : name, createdAt);
		} catch (InvalidIntervalException e) {
			throw new IllegalArgumentException(e.getMessage(), e);
		} catch (RuntimeException e) {
			throw new IllegalArgumentException("interval '" + interval + "' cannot be parsed: " + describe(e), e);
		}
	}

	/** The owner of a name. Requires the lock. */
	private Job owner(String name) {
		Job job = owners.get(name);
		if (job == null) {
			TreeSet<String> known = new TreeSet<>(owners.keySet());
			throw new IllegalArgumentException("no cron plugin is named '" + name + "'; "
					+ (known.isEmpty() ? "there are none" : "known: " + String.join(", ", known)));
		}
		return job;
	}

	private CronJobDTO toDTO(Job job) {
		CronJobDTO dto = new CronJobDTO();
		dto.name = job.name();
		dto.state = job.state;
		dto.reason = job.reason;
		Run run = running.get(job.name());
		dto.running = run != null && run.job == job || overlapping.stream().anyMatch(r -> r.job == job);
		Resolution resolution = job.resolution;
		dto.interval = resolution == null ? job.settings.interval() : resolution.expression();
		Interval interval = resolution == null ? null : resolution.interval();
		dto.description = interval == null ? null : describeSafely(interval);
		ZoneId zone = interval != null ? interval.zone() : job.settings.zone() != null ? job.settings.zone() : options.zone();
		dto.zone = zone.getId();
		dto.timeout = job.settings.timeoutSeconds();
		dto.concurrent = job.settings.runs().concurrent();
		dto.misfire = job.settings.runOnce() ? CronPlugin.MISFIRE_RUN_ONCE : CronPlugin.MISFIRE_SKIP;
		dto.nextFire = job.nextFire == null ? null : job.nextFire.toInstant().toEpochMilli();
		dto.lastEnd = job.record == null || job.record.lastEnd() == null ? null : job.record.lastEnd().toEpochMilli();
		if (job.owner) {
			Deque<RunRecord> runs = history.get(job.name());
			dto.lastRun = runs == null || runs.isEmpty() ? null : runs.peekFirst().toDTO();
		}
		dto.serviceId = job.plugin.serviceId();
		dto.bundleId = job.plugin.bundleId();
		dto.bundleSymbolicName = job.plugin.bundleSymbolicName();
		dto.properties = new HashMap<>(job.plugin.properties());
		return dto;
	}

	private static String describeSafely(Interval interval) {
		try {
			return interval.description();
		} catch (RuntimeException e) {
			return null;
		}
	}

	// ------------------------------------------------------------------ helpers

	private Object nameLock(String name) {
		return nameLocks.computeIfAbsent(name, n -> new Object());
	}

	/** Runs what was collected under the lock, then wakes the timer if something is due earlier. */
	private void flush(List<Runnable> out) {
		for (Runnable task : out) {
			task.run();
		}
		boolean wake;
		synchronized (lock) {
			wake = takeWakeup();
		}
		if (wake) {
			wakeup.run();
		}
	}

	/** Something is due at an instant: the timer must wake if it sleeps beyond it. Requires the lock. */
	private void due(Instant instant) {
		scanNeeded = true;
		if (timerDue == null || instant.isBefore(timerDue)) {
			timerDue = instant;
			wakeNeeded = true;
		}
	}

	/** Whether the timer must be woken, and resets it. Requires the lock. */
	private boolean takeWakeup() {
		boolean wake = wakeNeeded;
		wakeNeeded = false;
		return wake;
	}

	static String describe(Throwable t) {
		String message = t.getMessage();
		String text = t.getClass().getName() + (message == null ? "" : ": " + message);
		int newline = text.indexOf('\n');
		return newline < 0 ? text : text.substring(0, newline);
	}
}
