package io.crontainer.scheduler.impl;

import static java.util.Objects.requireNonNull;

import java.lang.reflect.Array;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

import io.crontainer.api.CronPlugin;
import io.crontainer.api.runtime.CronJobDTO;
import io.crontainer.api.runtime.CronRunDTO;
import io.crontainer.api.runtime.CronRuntime;
import io.crontainer.api.runtime.Outcome;
import io.crontainer.scheduler.impl.interval.Interval;
import io.crontainer.scheduler.impl.interval.Intervals;
import io.crontainer.scheduler.impl.interval.InvalidIntervalException;
import io.crontainer.scheduler.impl.store.StateStore;
import io.crontainer.scheduler.impl.store.StoreUnavailableException;

/**
 * The runtime view: the {@link CronRuntime} service through which the shell, the web console and JMX
 * read and act. It copies what it needs from the engine under the engine's lock ({@link JobView}) and
 * builds the DTOs after releasing it: intervals are described and service properties deep-copied
 * outside the lock. The stage returned by {@link #fire} cannot be completed by its callers.
 *
 * <p>
 * Thread-safe; called by operators' threads. Holds no state of its own.
 */
final class RuntimeView implements CronRuntime {
	private final Scheduler engine;

	RuntimeView(Scheduler engine) {
		this.engine = engine;
	}

	@Override
	public List<CronJobDTO> getJobs() {
		List<JobView> views = engine.views();
		List<CronJobDTO> dtos = new ArrayList<>(views.size());
		for (JobView view : views) {
			dtos.add(dto(view));
		}
		return dtos;
	}

	@Override
	public CronJobDTO getJob(String name) {
		requireNonNull(name, "name");
		JobView view = engine.view(name);
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
		StateStore store = engine.currentStore();
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
		return engine.fire(name);
	}

	@Override
	public CronJobDTO pause(String name) {
		engine.setPaused(name, true);
		return dto(engine.require(name));
	}

	@Override
	public CronJobDTO resume(String name) {
		engine.setPaused(name, false);
		return dto(engine.require(name));
	}

	@Override
	public CronJobDTO reset(String name, Instant since) {
		engine.reset(name, since);
		JobView view = engine.view(name);
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
		JobView view = engine.require(name);
		Interval interval = view.resolution() == null ? null : view.resolution().interval();
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
					+ Scheduler.describe(e), e);
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
			throw new IllegalArgumentException("describing '" + interval + "' failed: " + Scheduler.describe(e), e);
		}
	}

	@Override
	public ZoneId getDefaultZone() {
		return engine.defaultZone();
	}

	private static void checkCount(int count) {
		if (count < 1 || count > 1000) {
			throw new IllegalArgumentException("count " + count + " is not between 1 and 1000");
		}
	}

	private Interval parse(String interval, String name, ZoneId zone, Instant createdAt) {
		ZoneId effective = zone == null ? engine.defaultZone() : zone;
		try {
			return Intervals.parse(interval, effective, name == null ? "" : name, createdAt);
		} catch (InvalidIntervalException e) {
			throw new IllegalArgumentException(e.getMessage(), e);
		} catch (RuntimeException e) {
			throw new IllegalArgumentException("interval '" + interval + "' cannot be parsed: " + Scheduler.describe(e), e);
		}
	}

	/** Builds a DTO from a view, without the engine's lock. */
	static CronJobDTO dto(JobView view) {
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
		dto.node = view.node();
		Resolution resolution = view.resolution();
		dto.interval = resolution == null ? view.settings().interval() : resolution.expression();
		Interval interval = resolution == null ? null : resolution.interval();
		dto.description = interval == null ? null : describeSafely(interval);
		dto.zone = view.zone().getId();
		dto.timeout = view.settings().timeoutSeconds();
		dto.misfire = view.settings().runOnce() ? CronPlugin.MISFIRE_RUN_ONCE : CronPlugin.MISFIRE_SKIP;
		dto.nextFire = view.nextFire();
		dto.lastEnd = view.lastEnd() == null ? null : view.lastEnd().toEpochMilli();
		dto.lastRun = view.lastRun() == null ? null : view.lastRun().toDTO();
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
