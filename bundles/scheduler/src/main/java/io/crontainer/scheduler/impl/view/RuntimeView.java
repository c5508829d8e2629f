package io.crontainer.scheduler.impl.view;

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
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.crontainer.api.CronPlugin;
import io.crontainer.api.runtime.CronJobDTO;
import io.crontainer.api.runtime.CronLogDTO;
import io.crontainer.api.runtime.CronRunDTO;
import io.crontainer.api.runtime.CronRuntime;
import io.crontainer.api.runtime.EngineDTO;
import io.crontainer.api.runtime.Outcome;
import io.crontainer.api.runtime.RerunDTO;
import io.crontainer.api.runtime.RerunSplit;
import io.crontainer.api.runtime.RunWindowDTO;
import io.crontainer.api.runtime.StoreDTO;
import io.crontainer.format.Formats;
import io.crontainer.scheduler.impl.engine.CommitTimes;
import io.crontainer.scheduler.impl.engine.JobView;
import io.crontainer.scheduler.impl.engine.Operations;
import io.crontainer.scheduler.impl.engine.RunRecord;
import io.crontainer.scheduler.impl.engine.Texts;
import io.crontainer.scheduler.impl.interval.Interval;
import io.crontainer.scheduler.impl.interval.Intervals;
import io.crontainer.scheduler.impl.interval.InvalidIntervalException;
import io.crontainer.scheduler.impl.whiteboard.Plugin;
import io.crontainer.scheduler.impl.whiteboard.RetryPolicy;
import io.crontainer.store.api.CorruptStateException;
import io.crontainer.store.api.PauseNote;
import io.crontainer.store.api.PendingRetry;
import io.crontainer.store.api.RunState;
import io.crontainer.store.api.StateStore;
import io.crontainer.store.api.StoreUnavailableException;

/**
 * The runtime view: the {@link CronRuntime} service through which the shell, the web console and JMX
 * read and act. It gets the engine as {@link Operations} only: copies of jobs and runs
 * ({@link JobView}, taken under the engine's lock), from which it builds the DTOs after the lock is
 * released (intervals described, service properties deep-copied), and operators' changes (fire,
 * pause, resume, reset), which the engine checks and applies; the view calls the state store for
 * pause, resume and reset without any lock. It writes no field of the engine. The stage returned by
 * {@link #fire} cannot be completed by its callers.
 *
 * <p>
 * Thread-safe; called by operators' threads (shell, web console, JMX) with no lock held. Holds no
 * state of its own.
 */
public final class RuntimeView implements CronRuntime {
	private static final Logger LOG = LoggerFactory.getLogger(RuntimeView.class);

	private final Operations engine;

	/** @param engine The engine's operations; not {@code null}. */
	public RuntimeView(Operations engine) {
		this.engine = requireNonNull(engine, "engine");
	}

	@Override
	public List<CronJobDTO> getJobs() {
		List<JobView> views = engine.jobs();
		List<CronJobDTO> dtos = new ArrayList<>(views.size());
		for (JobView view : views) {
			dtos.add(dto(view));
		}
		return dtos;
	}

	@Override
	public CronJobDTO getJob(String name) {
		requireNonNull(name, "name");
		JobView view = engine.job(name);
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
		List<RunRecord> records = engine.history(name, limit);
		List<CronRunDTO> dtos = new ArrayList<>(records.size());
		StateStore store = engine.store();
		if (store.keepsHistory() && store.node() != null) {
			// A cluster's history, from the shared store: every runtime's runs, after the runs still
			// queued or going here. If the store cannot be reached, the runs kept here.
			try {
				List<CronRunDTO> kept = store.history(name, limit);
				Map<String, CronRunDTO> going = new HashMap<>();
				for (RunRecord record : records) {
					if (record.outcome() == Outcome.QUEUED || record.outcome() == Outcome.RUNNING) {
						CronRunDTO run = record.toDTO();
						dtos.add(run);
						going.put(run.name + '\n' + run.started + '\n' + run.trigger, run);
					}
				}
				for (CronRunDTO run : kept) {
					// A re-run window's row is in the store from its transaction on, a moment before its run
					// here is over: shown once, as the store has it.
					CronRunDTO same = going.remove(run.name + '\n' + run.started + '\n' + run.trigger);
					if (same != null) {
						dtos.removeIf(shown -> shown == same);
					}
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
		if (dtos.size() < limit && store.keepsHistory() && store.node() == null) {
			addOlder(dtos, name, limit, store);
		}
		return dtos;
	}

	/**
	 * Adds to the runs kept in memory (the newest {@code history.size} of each name) the older ones that
	 * the local store keeps ({@code LocalStateStore.HISTORY_KEPT} of each name, in its memory: no I/O), so
	 * that {@code cron:history} and {@code cron:log} reach every run the store keeps, as in a cluster.
	 */
	private static void addOlder(List<CronRunDTO> dtos, String name, int limit, StateStore store) {
		try {
			if (name != null) { // the store's runs older than the oldest here, newest first
				long oldest = dtos.isEmpty() ? Long.MAX_VALUE : dtos.get(dtos.size() - 1).started;
				for (CronRunDTO run : store.history(name, limit)) {
					if (dtos.size() == limit) {
						break;
					}
					if (run.started < oldest) {
						dtos.add(run);
					}
				}
				return;
			}
			// Every name: here are all the runs kept in memory (fewer than limit), so all the names whose
			// runs are kept (a departed name that the engine forgot stays forgotten); each run once, newest first.
			Set<String> shown = new HashSet<>();
			for (CronRunDTO run : dtos) {
				shown.add(run.name + '\n' + run.started);
			}
			for (String known : dtos.stream().map(run -> run.name).distinct().toList()) {
				for (CronRunDTO run : store.history(known, limit)) {
					if (shown.add(run.name + '\n' + run.started)) {
						dtos.add(run);
					}
				}
			}
		} catch (StoreUnavailableException e) {
			return; // the runs kept here
		}
		dtos.sort(Comparator.comparingLong((CronRunDTO run) -> run.started).reversed());
		dtos.subList(Math.min(limit, dtos.size()), dtos.size()).clear();
	}

	/**
	 * A run's log: the lines so far of a run in progress (from the engine's memory), else what the
	 * store keeps. The latest run that was not skipped, unless {@code started} names one.
	 */
	@Override
	public CronLogDTO getLog(String name, Long started) {
		requireNonNull(name, "name");
		RunRecord found = null;
		for (RunRecord record : engine.history(name, Integer.MAX_VALUE)) { // throws for an unknown name
			if (started == null ? record.outcome() != Outcome.SKIPPED : record.started() == started) {
				found = record;
				break;
			}
		}
		if (found == null && started == null) {
			return null;
		}
		CronLogDTO live = found == null ? null : found.liveLog();
		if (live != null && live.running) {
			return live;
		}
		try {
			CronLogDTO kept = engine.store().log(name, found == null ? started : found.started());
			return kept != null ? kept : live; // live: ended a moment ago, not handed to the store yet
		} catch (StoreUnavailableException e) {
			throw new IllegalStateException(e.getMessage(), e);
		}
	}

	/**
	 * {@inheritDoc}
	 *
	 * <p>
	 * Here: the runs kept in memory, under one hold of the engine's lock; in a cluster, the shared store's in
	 * one query ({@link StateStore#histories}), after the runs still queued or going here, or the runs kept
	 * here if the store cannot be reached.
	 */
	@Override
	public Map<String, List<CronRunDTO>> getHistories(Collection<String> names, int limit) {
		requireNonNull(names, "names");
		if (limit <= 0) {
			throw new IllegalArgumentException("limit " + limit + " is not greater than 0");
		}
		Map<String, List<RunRecord>> records = engine.histories(names, limit);
		StateStore store = engine.store();
		if (store.keepsHistory() && store.node() != null && !records.isEmpty()) {
			try {
				Map<String, List<CronRunDTO>> kept = store.histories(records.keySet(), limit);
				Map<String, List<CronRunDTO>> all = new LinkedHashMap<>();
				for (Map.Entry<String, List<RunRecord>> e : records.entrySet()) {
					List<CronRunDTO> dtos = new ArrayList<>();
					for (RunRecord record : e.getValue()) {
						if (record.outcome() == Outcome.QUEUED || record.outcome() == Outcome.RUNNING) {
							dtos.add(record.toDTO());
						}
					}
					for (CronRunDTO run : kept.getOrDefault(e.getKey(), List.of())) {
						if (dtos.size() == limit) {
							break;
						}
						dtos.add(run);
					}
					all.put(e.getKey(), dtos);
				}
				return all;
			} catch (StoreUnavailableException e) {
				// the runs kept here
			}
		}
		Map<String, List<CronRunDTO>> all = new LinkedHashMap<>();
		for (Map.Entry<String, List<RunRecord>> e : records.entrySet()) {
			List<CronRunDTO> dtos = new ArrayList<>(e.getValue().size());
			for (RunRecord record : e.getValue()) {
				dtos.add(record.toDTO());
			}
			all.put(e.getKey(), dtos);
		}
		return all;
	}

	@Override
	public EngineDTO getEngine() {
		EngineDTO dto = new EngineDTO();
		dto.dueQueueSize = engine.dueQueueSize();
		CommitTimes commits = engine.commitTimes();
		dto.commitBuckets = commits.bounds();
		dto.commitCounts = commits.cumulativeCounts();
		dto.commitSeconds = commits.seconds();
		dto.commits = commits.count();
		return dto;
	}

	@Override
	public CompletionStage<CronRunDTO> fire(String name) {
		requireNonNull(name, "name");
		CompletableFuture<CronRunDTO> done = new CompletableFuture<>();
		engine.fire(name, done);
		return done.minimalCompletionStage();
	}

	@Override
	public CronJobDTO pause(String name) {
		requireNonNull(name, "name");
		if (engine.paused(name)) {
			return dto(engine.require(name)); // paused already: nothing changes, the note stays
		}
		return pause(name, null, null);
	}

	@Override
	public CronJobDTO pause(String name, String reason, String by) {
		requireNonNull(name, "name");
		String why = reason == null || reason.isBlank() ? null : reason.strip();
		if (why != null && why.length() > MAX_PAUSE_REASON) {
			throw new IllegalArgumentException("the reason is " + why.length() + " characters long; at most "
					+ MAX_PAUSE_REASON + " are allowed");
		}
		String who = by == null || by.isBlank() ? null : by.strip();
		if (who != null && who.length() > MAX_PAUSED_BY) {
			who = who.substring(0, MAX_PAUSED_BY);
		}
		setPaused(name, true, new PauseNote(who, engine.now(), why));
		return dto(engine.require(name));
	}

	@Override
	public CronJobDTO resume(String name) {
		setPaused(name, false, null);
		return dto(engine.require(name));
	}

	/**
	 * Pauses (with a note, which replaces the note of a paused plugin) or resumes a plugin, durably; the
	 * state change is logged once, by the schedules.
	 */
	private void setPaused(String name, boolean paused, PauseNote note) {
		requireNonNull(name, "name");
		if (engine.paused(name) == paused && !paused) {
			return; // resumed already; a pause is written again, with its new note
		}
		RunState state;
		try {
			state = engine.store().setPaused(name, paused, note);
		} catch (CorruptStateException e) {
			throw new IllegalStateException("cron plugin '" + name + "' is BLOCKED: " + e.getMessage(), e);
		} catch (StoreUnavailableException | IOException e) {
			throw new IllegalStateException("the state of cron plugin '" + name + "' cannot be written: " + e, e);
		}
		engine.record(name, state);
	}

	@Override
	public CronJobDTO reset(String name, Instant since) {
		requireNonNull(name, "name");
		Instant now = engine.now();
		if (since != null && since.isAfter(now)) {
			throw new IllegalArgumentException("the start of the next window, " + Formats.instant(since)
					+ ", is in the future");
		}
		if (engine.running(name)) {
			throw new IllegalStateException("cron plugin '" + name + "' is running; reset it when it is not");
		}
		RunState state;
		try {
			state = engine.store().reset(name, since); // fences a run that started meanwhile: this reset wins
		} catch (StoreUnavailableException | IOException e) {
			throw new IllegalStateException("the state of cron plugin '" + name + "' cannot be written: " + e, e);
		}
		LOG.info("Cron plugin {} is reset: its next window starts at {}", name,
				Formats.instant(since == null ? CronPlugin.EPOCH : since));
		engine.reset(name, state);
		JobView view = engine.job(name);
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
					+ " failed: " + Texts.describe(e), e);
		}
		return times;
	}

	@Override
	public List<ZonedDateTime> getNextFireTimes(String name, int count) {
		requireNonNull(name, "name");
		checkCount(count);
		JobView view = engine.require(name);
		Interval interval = view.interval();
		List<ZonedDateTime> times = new ArrayList<>(count);
		if (interval == null) {
			return times;
		}
		try {
			ZonedDateTime next = view.nextFire() != null ? Instant.ofEpochMilli(view.nextFire()).atZone(interval.zone())
					: interval.next(engine.now()).orElse(null);
			while (next != null && times.size() < count) {
				times.add(next);
				next = interval.next(next.toInstant()).orElse(null);
			}
		} catch (RuntimeException e) {
			throw new IllegalArgumentException("computing the fire times of cron plugin '" + name + "' failed: "
					+ Texts.describe(e), e);
		}
		return times;
	}

	@Override
	public String describe(String interval, String name, ZoneId zone) {
		requireNonNull(interval, "interval");
		Interval parsed = parse(interval, name, zone, engine.now());
		try {
			return parsed.description();
		} catch (RuntimeException e) {
			throw new IllegalArgumentException("describing '" + interval + "' failed: " + Texts.describe(e), e);
		}
	}

	@Override
	public ZoneId getDefaultZone() {
		return defaultZone();
	}

	/**
	 * From the store in use, without a round trip: its own check of its database and its reading of
	 * the clock skew (every poll).
	 */
	@Override
	public StoreDTO getStore() {
		StateStore store = engine.store();
		StoreDTO dto = new StoreDTO();
		dto.description = store.describe();
		dto.node = store.node();
		dto.reason = store.availability();
		dto.available = dto.reason == null;
		java.time.Duration skew = store.clockSkew();
		dto.clockSkew = skew == null ? null : skew.toMillis();
		dto.clockWarning = store.clockWarning();
		return dto;
	}

	@Override
	public List<RunWindowDTO> planRerun(String name, Instant from, Instant to, RerunSplit split) {
		return engine.planRerun(name, from, to, split);
	}

	@Override
	public RerunDTO rerun(String name, Instant from, Instant to, RerunSplit split, String requestedBy) {
		return engine.rerun(name, from, to, split, requestedBy);
	}

	@Override
	public RerunDTO cancelRerun(String name) {
		return engine.cancelRerun(name);
	}

	@Override
	public RerunDTO getRerun(String name) {
		return engine.rerunOf(name);
	}

	private ZoneId defaultZone() {
		return engine.zone();
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
			throw new IllegalArgumentException("interval '" + interval + "' cannot be parsed: " + Texts.describe(e), e);
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
		dto.interval = view.expression();
		Interval interval = view.interval();
		dto.description = interval == null ? null : describeSafely(interval);
		dto.zone = view.zone().getId();
		dto.timeout = view.settings().timeoutSeconds();
		dto.misfire = view.settings().runOnce() ? CronPlugin.MISFIRE_RUN_ONCE : CronPlugin.MISFIRE_SKIP;
		dto.concurrent = view.settings().runs().concurrent();
		RetryPolicy retries = view.settings().retry();
		dto.retries = retries.attempts();
		if (retries.attempts() > 0) {
			dto.retryDelay = retries.delay().toMillis();
			dto.retryMaxDelay = retries.maxDelay().toMillis();
		}
		PendingRetry retry = view.retry();
		if (retry != null) {
			dto.retryAttempt = retry.attempt();
			dto.retryAttempts = retry.attempts();
			dto.retryAt = retry.at().toEpochMilli();
		}
		PauseNote pause = view.pause();
		if (pause != null) {
			dto.pausedBy = pause.by();
			dto.pausedAt = pause.at().toEpochMilli();
			dto.pauseReason = pause.reason();
		}
		dto.nextFire = view.nextFire();
		dto.lastEnd = view.lastEnd() == null ? null : view.lastEnd().toEpochMilli();
		dto.lastRun = view.lastRun() == null ? null : view.lastRun().toDTO();
		newestRunInTheCluster(dto, view.running());
		dto.rerun = engine.rerunOf(view);
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
