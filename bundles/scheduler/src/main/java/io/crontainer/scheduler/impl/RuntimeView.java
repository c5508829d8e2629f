package io.crontainer.scheduler.impl;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.lang.reflect.Array;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.crontainer.api.CronPlugin;
import io.crontainer.api.runtime.CronJobDTO;
import io.crontainer.api.runtime.CronRunDTO;
import io.crontainer.api.runtime.CronRuntime;
import io.crontainer.api.runtime.Outcome;
import io.crontainer.api.runtime.RerunDTO;
import io.crontainer.api.runtime.RerunSplit;
import io.crontainer.api.runtime.RunWindowDTO;
import io.crontainer.api.runtime.StoreDTO;
import io.crontainer.api.runtime.Trigger;
import io.crontainer.scheduler.impl.interval.Interval;
import io.crontainer.scheduler.impl.interval.Intervals;
import io.crontainer.scheduler.impl.interval.InvalidIntervalException;
import io.crontainer.store.api.CorruptStateException;
import io.crontainer.store.api.RunState;
import io.crontainer.store.api.StateStore;
import io.crontainer.store.api.StoreUnavailableException;

/**
 * The runtime view: the {@link CronRuntime} service through which the shell, the web console and JMX
 * read and act. It copies what it needs from the engine under the engine's lock ({@link JobView}) and
 * builds the DTOs after releasing it: intervals are described and service properties deep-copied
 * outside the lock. Operators' changes (fire, pause, resume, reset) check the job under the lock,
 * call the state store without it, and apply the durable result under it again; the stage returned
 * by {@link #fire} cannot be completed by its callers.
 *
 * <p>
 * Thread-safe; called by operators' threads (shell, web console, JMX). Holds no state of its own.
 */
final class RuntimeView implements CronRuntime {
	private static final Logger LOG = LoggerFactory.getLogger(RuntimeView.class);

	private final Scheduler engine;
	private final Object lock;

	RuntimeView(Scheduler engine) {
		this.engine = engine;
		this.lock = engine.lock();
	}

	@Override
	public List<CronJobDTO> getJobs() {
		List<JobView> views = views();
		List<CronJobDTO> dtos = new ArrayList<>(views.size());
		for (JobView view : views) {
			dtos.add(dto(view));
		}
		return dtos;
	}

	@Override
	public CronJobDTO getJob(String name) {
		requireNonNull(name, "name");
		JobView view = view(name);
		return view == null ? null : dto(view);
	}

	/**
	 * {@inheritDoc}
	 *
	 * <p>
	 * The name of a plugin that has left is accepted as long as its history is kept.
	 */
	@Override
	public List<CronRunDTO> getHistory(String name, int limit) {
		if (limit <= 0) {
			throw new IllegalArgumentException("limit " + limit + " is not greater than 0");
		}
		List<RunRecord> records;
		synchronized (lock) {
			if (name == null) {
				records = engine.history().recent(limit);
			} else if (engine.table().owner(name) == null && !engine.history().has(name)) {
				throw engine.table().unknown(name);
			} else {
				records = engine.history().recent(name, limit);
			}
		}
		List<CronRunDTO> dtos = new ArrayList<>(records.size());
		StateStore store = engine.store();
		if (store.keepsHistory() && store.node() != null) {
			// A cluster's history, from the shared store: every runtime's runs, after the runs still
			// queued or going here. If the store cannot be reached, the runs kept here.
			try {
				List<CronRunDTO> kept = store.history(name, limit);
				for (RunRecord record : records) {
					if (record.outcome == Outcome.QUEUED || record.outcome == Outcome.RUNNING) {
						dtos.add(record.toDTO());
					}
				}
				for (CronRunDTO run : kept) {
					if (dtos.size() == limit) {
						break;
					}
					dtos.add(run);
				}
				return dtos;
			} catch (StoreUnavailableException e) {
				dtos.clear();
			}
		}
		for (RunRecord record : records) {
			dtos.add(record.toDTO());
		}
		return dtos;
	}

	@Override
	public CompletionStage<CronRunDTO> fire(String name) {
		requireNonNull(name, "name");
		List<Runnable> out = new ArrayList<>();
		CompletableFuture<CronRunDTO> done = new CompletableFuture<>();
		synchronized (lock) {
			Job job = engine.table().require(name);
			switch (job.state) {
			case SCHEDULED:
			case PAUSED:
			case DISABLED:
				break;
			case STUCK:
				throw new IllegalStateException("cron plugin '" + name + "' is STUCK: its abandoned run is still inside"
						+ " run(); it can be fired once that returns");
			default:
				throw new IllegalStateException("cron plugin '" + name + "' is " + job.state + ": " + job.reason);
			}
			Run run = engine.dispatcher().running(name);
			if (run != null) {
				throw new IllegalStateException("cron plugin '" + name + "' is running already (since "
						+ Instant.ofEpochMilli(run.record.started) + ")");
			}
			Instant now = engine.clock().instant();
			engine.dispatcher().fire(job, Trigger.MANUAL, now, done, now, out);
		}
		engine.flush(out);
		return done.minimalCompletionStage();
	}

	@Override
	public CronJobDTO pause(String name) {
		setPaused(name, true);
		return dto(require(name));
	}

	@Override
	public CronJobDTO resume(String name) {
		setPaused(name, false);
		return dto(require(name));
	}

	/** Pauses or resumes a plugin, durably; the state change is logged once, by the schedules. */
	private void setPaused(String name, boolean paused) {
		requireNonNull(name, "name");
		synchronized (lock) {
			Job job = engine.table().require(name);
			if (job.record == null) {
				throw new IllegalStateException("cron plugin '" + name + "' is " + job.state + ": " + job.reason);
			}
			if (job.record.paused() == paused) {
				return;
			}
		}
		RunState state;
		try {
			state = engine.store().setPaused(name, paused);
		} catch (CorruptStateException e) {
			throw new IllegalStateException("cron plugin '" + name + "' is BLOCKED: " + e.getMessage(), e);
		} catch (StoreUnavailableException | IOException e) {
			throw new IllegalStateException("the state of cron plugin '" + name + "' cannot be written: " + e, e);
		}
		List<Runnable> out = new ArrayList<>();
		synchronized (lock) {
			engine.record(name, state, engine.clock().instant(), out);
		}
		engine.flush(out);
	}

	@Override
	public CronJobDTO reset(String name, Instant since) {
		requireNonNull(name, "name");
		Instant now = engine.clock().instant();
		if (since != null && since.isAfter(now)) {
			throw new IllegalArgumentException("the start of the next window, " + since + ", is in the future");
		}
		synchronized (lock) {
			if (engine.dispatcher().running(name) != null) {
				throw new IllegalStateException("cron plugin '" + name + "' is running; reset it when it is not");
			}
		}
		RunState state;
		try {
			state = engine.store().reset(name, since); // fences a run that started meanwhile: this reset wins
		} catch (StoreUnavailableException | IOException e) {
			throw new IllegalStateException("the state of cron plugin '" + name + "' cannot be written: " + e, e);
		}
		List<Runnable> out = new ArrayList<>();
		out.add(() -> LOG.info("Cron plugin {} is reset: its next window starts at {}", name,
				since == null ? CronPlugin.EPOCH : since));
		synchronized (lock) {
			engine.table().reset(name, state, engine.clock().instant(), out);
			engine.changed();
		}
		engine.flush(out);
		JobView view = view(name);
		return view == null ? null : dto(view);
	}

	@Override
	public List<ZonedDateTime> preview(String interval, String name, ZoneId zone, Instant from, int count) {
		requireNonNull(interval, "interval");
		requireNonNull(from, "from");
		checkCount(count);
		Interval parsed = parse(interval, name, zone, from);
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
					+ " failed: " + Scheduler.describe(e), e);
		}
		return times;
	}

	@Override
	public List<ZonedDateTime> getNextFireTimes(String name, int count) {
		requireNonNull(name, "name");
		checkCount(count);
		JobView view = require(name);
		Interval interval = view.resolution() == null ? null : view.resolution().interval();
		List<ZonedDateTime> times = new ArrayList<>(count);
		if (interval == null) {
			return times;
		}
		try {
			ZonedDateTime next = view.nextFire() != null ? Instant.ofEpochMilli(view.nextFire()).atZone(interval.zone())
					: interval.next(engine.clock().instant()).orElse(null);
			while (next != null && times.size() < count) {
				times.add(next);
				next = interval.next(next.toInstant()).orElse(null);
			}
		} catch (RuntimeException e) {
			throw new IllegalArgumentException("computing the fire times of cron plugin '" + name + "' failed: "
					+ Scheduler.describe(e), e);
		}
		return times;
	}

	@Override
	public String describe(String interval, String name, ZoneId zone) {
		requireNonNull(interval, "interval");
		Interval parsed = parse(interval, name, zone, engine.clock().instant());
		try {
			return parsed.description();
		} catch (RuntimeException e) {
			throw new IllegalArgumentException("describing '" + interval + "' failed: " + Scheduler.describe(e), e);
		}
	}

	@Override
	public ZoneId getDefaultZone() {
		return defaultZone();
	}

	/** From the store in use, without a round trip: its own check of its database (every poll). */
	@Override
	public StoreDTO getStore() {
		StateStore store = engine.store();
		StoreDTO dto = new StoreDTO();
		dto.description = store.describe();
		dto.node = store.node();
		dto.reason = store.availability();
		dto.available = dto.reason == null;
		return dto;
	}

	@Override
	public List<RunWindowDTO> planRerun(String name, Instant from, Instant to, RerunSplit split) {
		return engine.reruns().plan(name, from, to, split);
	}

	@Override
	public RerunDTO rerun(String name, Instant from, Instant to, RerunSplit split, String requestedBy) {
		return engine.reruns().start(name, from, to, split, requestedBy);
	}

	@Override
	public RerunDTO cancelRerun(String name) {
		return engine.reruns().cancel(name);
	}

	@Override
	public RerunDTO getRerun(String name) {
		return engine.reruns().get(name);
	}

	private ZoneId defaultZone() {
		synchronized (lock) {
			return engine.options().zone();
		}
	}

	// ------------------------------------------------------------------ views, copied under the lock

	private List<JobView> views() {
		synchronized (lock) {
			List<JobView> views = new ArrayList<>(engine.table().size());
			for (Job job : engine.table().all()) {
				views.add(view(job));
			}
			views.sort(Comparator.comparing(JobView::name).thenComparingLong(JobView::seq));
			return views;
		}
	}

	private JobView view(String name) {
		synchronized (lock) {
			Job job = engine.table().owner(name);
			return job == null ? null : view(job);
		}
	}

	private JobView require(String name) {
		synchronized (lock) {
			return view(engine.table().require(name));
		}
	}

	/** What is shown of a job. Lock held. */
	private JobView view(Job job) {
		Run run = engine.dispatcher().running(job.name());
		boolean running = run != null && run.job == job || !engine.dispatcher().alongside(job).isEmpty();
		boolean stuck = job.owner && run != null && run.phase == Run.Phase.STUCK; // maybe a departed job's run
		Long runningSince = (running || stuck) && run.phase != Run.Phase.QUEUED ? run.record.started : null;
		History.Runs runs = job.owner ? engine.history().of(job.name()) : null;
		// A stuck run's outcome stays the last one shown: fires skipped meanwhile do not hide it.
		RunRecord lastRun = stuck ? run.record : runs == null ? null : runs.last();
		ZoneId zone = job.resolution != null && job.resolution.interval() != null ? job.resolution.interval().zone()
				: job.settings.zone() != null ? job.settings.zone() : engine.options().zone();
		return new JobView(job.seq, job.name(), job.state, job.reason, running, runningSince,
				runs == null ? 0 : runs.runs, runs == null ? 0 : runs.failures, runs == null ? 0 : runs.timeouts,
				runs == null ? 0 : runs.consecutiveFailures, runs == null ? 0 : runs.missedFires,
				runs == null || runs.lastMissedFire == 0 ? null : runs.lastMissedFire, node(job.name(), running, lastRun), job.resolution,
				job.settings, zone, job.nextFire == Job.NONE ? null : job.nextFire,
				job.record == null ? null : job.record.lastEnd(), lastRun, job.plugin);
	}

	/**
	 * The node shown for a plugin: this runtime while it runs it here; else, in a cluster, the runtime
	 * that holds its claim or committed its last window, as the store last saw; else the node of its
	 * last run here ({@code null} with the local store). Lock held; the store answers from memory.
	 */
	private String node(String name, boolean running, RunRecord lastRun) {
		StateStore store = engine.store();
		if (running && store.node() != null) {
			return store.node();
		}
		String elsewhere = store.nodeOf(name);
		return elsewhere != null ? elsewhere : lastRun == null ? null : lastRun.node;
	}

	/**
	 * In a cluster, the last run shown is the newest on any runtime, as the store last saw it (its poll;
	 * no round trip), and the node shown is that run's: the last run and the node always tell of the same
	 * run. A run in progress here is shown as it is. Lock not held.
	 */
	private void newestRunInTheCluster(CronJobDTO dto, boolean runningHere) {
		StateStore store = engine.store();
		if (store.node() == null || runningHere) {
			return;
		}
		CronRunDTO elsewhere = store.lastRunOf(dto.name);
		if (elsewhere != null && (dto.lastRun == null || elsewhere.started > dto.lastRun.started)) {
			dto.lastRun = elsewhere;
		}
		if (dto.lastRun != null && dto.lastRun.node != null) {
			dto.node = dto.lastRun.node;
		}
	}

	private static void checkCount(int count) {
		if (count < 1 || count > 1000) {
			throw new IllegalArgumentException("count " + count + " is not between 1 and 1000");
		}
	}

	private Interval parse(String interval, String name, ZoneId zone, Instant createdAt) {
		ZoneId effective = zone == null ? defaultZone() : zone;
		try {
			return Intervals.parse(interval, effective, name == null ? "" : name, createdAt);
		} catch (InvalidIntervalException e) {
			throw new IllegalArgumentException(e.getMessage(), e);
		} catch (RuntimeException e) {
			throw new IllegalArgumentException("interval '" + interval + "' cannot be parsed: " + Scheduler.describe(e), e);
		}
	}

	/** Builds a DTO from a view, without the engine's lock. */
	CronJobDTO dto(JobView view) {
		CronJobDTO dto = new CronJobDTO();
		dto.name = view.name();
		dto.state = view.state();
		dto.reason = view.reason();
		dto.running = view.running();
		dto.runningSince = view.runningSince();
		dto.runCount = view.runCount();
		dto.failureCount = view.failureCount();
		dto.timeoutCount = view.timeoutCount();
		dto.consecutiveFailures = view.consecutiveFailures();
		dto.missedFires = view.missedFires();
		dto.lastMissedFire = view.lastMissedFire();
		dto.node = view.node();
		Resolution resolution = view.resolution();
		dto.interval = resolution == null ? view.settings().interval() : resolution.expression();
		Interval interval = resolution == null ? null : resolution.interval();
		dto.description = interval == null ? null : describeSafely(interval);
		dto.zone = view.zone().getId();
		dto.timeout = view.settings().timeoutSeconds();
		dto.misfire = view.settings().runOnce() ? CronPlugin.MISFIRE_RUN_ONCE : CronPlugin.MISFIRE_SKIP;
		dto.concurrent = view.settings().runs().concurrent();
		dto.nextFire = view.nextFire();
		dto.lastEnd = view.lastEnd() == null ? null : view.lastEnd().toEpochMilli();
		dto.lastRun = view.lastRun() == null ? null : view.lastRun().toDTO();
		newestRunInTheCluster(dto, view.running());
		dto.rerun = engine.reruns().get(view.name());
		Plugin plugin = view.plugin();
		dto.serviceId = plugin.serviceId();
		dto.bundleId = plugin.bundleId();
		dto.bundleSymbolicName = plugin.bundleSymbolicName();
		dto.properties = copy(plugin.properties());
		return dto;
	}

	private static String describeSafely(Interval interval) {
		try {
			return interval.description();
		} catch (RuntimeException e) {
			return null;
		}
	}

	/** A deep copy of service properties: arrays and collections are copied, so no caller changes ours. */
	static Map<String, Object> copy(Map<String, Object> properties) {
		Map<String, Object> copy = new HashMap<>(properties.size() * 2);
		for (Map.Entry<String, Object> e : properties.entrySet()) {
			copy.put(e.getKey(), copyValue(e.getValue()));
		}
		return copy;
	}

	private static Object copyValue(Object value) {
		if (value != null && value.getClass().isArray()) {
			int length = Array.getLength(value);
			Object copy = Array.newInstance(value.getClass().getComponentType(), length);
			for (int i = 0; i < length; i++) {
				Array.set(copy, i, copyValue(Array.get(value, i)));
			}
			return copy;
		}
		if (value instanceof List<?> list) {
			List<Object> copy = new ArrayList<>(list.size());
			list.forEach(v -> copy.add(copyValue(v)));
			return copy;
		}
		if (value instanceof Collection<?> collection) {
			List<Object> copy = new ArrayList<>(collection.size());
			collection.forEach(v -> copy.add(copyValue(v)));
			return copy;
		}
		return value;
	}
}
