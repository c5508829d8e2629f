package io.crontainer.scheduler.impl;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.crontainer.api.runtime.JobState;
import io.crontainer.api.runtime.RerunDTO;
import io.crontainer.api.runtime.RerunSplit;
import io.crontainer.api.runtime.RunWindowDTO;
import io.crontainer.scheduler.impl.RerunRequests.Target;
import io.crontainer.scheduler.impl.interval.Interval;
import io.crontainer.scheduler.impl.interval.Intervals;
import io.crontainer.scheduler.impl.interval.RunWindows.Window;
import io.crontainer.store.api.Rerun;
import io.crontainer.store.api.StateStore;
import io.crontainer.store.api.StoreUnavailableException;

/**
 * Re-runs of past windows: operators' requests (dry run, start, cancel) and what is known of each
 * name's re-run, for the runtime view.
 *
 * <p>
 * <b>Threads.</b> Requests come on operators' threads: the job is read under the engine's lock, the
 * store is called without it. The re-runs known ({@link #known}) are a concurrent map, read without
 * the lock by the runtime view.
 */
final class Reruns {
	private static final Logger LOG = LoggerFactory.getLogger(Reruns.class);

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
	}

	private final Object lock;
	private final Clock clock;
	private final Engine engine;
	/** The newest re-run of each name, as last read or written. */
	private final Map<String, Rerun> known = new ConcurrentHashMap<>();

	Reruns(Object lock, Clock clock, Engine engine) {
		this.lock = lock;
		this.clock = clock;
		this.engine = engine;
	}

	/** Reads the re-runs the store keeps (at start, after a store switch). Lock not held. */
	void load(StateStore store) {
		if (!store.keepsReruns()) {
			known.clear();
			return;
		}
		try {
			List<Rerun> all = store.reruns();
			known.clear();
			for (Rerun rerun : all) {
				known(rerun);
			}
		} catch (StoreUnavailableException | RuntimeException e) {
			LOG.debug("The re-runs cannot be read now: {}", Scheduler.describe(e));
		}
	}

	/** Keeps a re-run as the name's newest, unless a newer one (or a later state of it) is known. */
	void known(Rerun rerun) {
		known.merge(rerun.name(), rerun, (old, now) -> now.id() > old.id() || now.id() == old.id()
				&& (now.next().isAfter(old.next()) || !now.inProgress() || now.cancelled() && !old.cancelled()) ? now : old);
	}

	List<RunWindowDTO> plan(String name, Instant from, Instant to, RerunSplit split) {
		requireNonNull(name, "name");
		return RerunRequests.dtos(RerunRequests.plan(target(name), from, to, split));
	}

	RerunDTO start(String name, Instant from, Instant to, RerunSplit split, String requestedBy) {
		requireNonNull(name, "name");
		String by = RerunRequests.requestedBy(requestedBy);
		RerunSplit how = split == null ? RerunSplit.INTERVAL : split;
		Target target = target(name);
		List<Window> windows = RerunRequests.plan(target, from, to, how);
		StateStore store = engine.store();
		if (!store.keepsReruns()) {
			throw new IllegalStateException("the state store (" + store.describe() + ") does not keep re-runs");
		}
		Interval interval = target.interval();
		String zone = target.zone().getId();
		String expression = how == RerunSplit.ONCE ? null : interval.expression();
		Instant anchor = how == RerunSplit.ONCE || !Intervals.usesCreationTime(expression) ? null : target.anchor();
		Rerun started;
		try {
			started = store.startRerun(Rerun.request(name, from, to, how, expression, zone, anchor, by, clock.instant()));
		} catch (StoreUnavailableException | IOException e) {
			throw new IllegalStateException("the re-run of cron plugin '" + name + "' cannot be kept: " + e.getMessage(), e);
		}
		known(started);
		LOG.info("Cron plugin {}: re-run of [{}, {}) in {} window(s), asked by {}", name, from, to, windows.size(), by);
		return dto(started);
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
		known(cancelled);
		LOG.info("Cron plugin {}: its re-run of [{}, {}) is cancelled{}", name, cancelled.from(), cancelled.to(),
				cancelled.inProgress() ? "; it stops after the window in progress" : "");
		return dto(cancelled);
	}

	/** The newest re-run known of a name; {@code null} if none. */
	RerunDTO get(String name) {
		requireNonNull(name, "name");
		Rerun rerun = known.get(name);
		return rerun == null ? null : dto(rerun);
	}

	private RerunDTO dto(Rerun rerun) {
		String waiting;
		synchronized (lock) {
			waiting = waiting(rerun);
		}
		return RerunRequests.dto(rerun, waiting);
	}

	/** Why a re-run's next window does not run now; {@code null} if nothing holds it. Lock held. */
	private String waiting(Rerun rerun) {
		if (!rerun.inProgress()) {
			return null;
		}
		Job job = engine.owner(rerun.name());
		if (job == null) {
			return "the plugin is not deployed on this runtime";
		}
		if (job.state != JobState.SCHEDULED) {
			return "the plugin is " + job.state;
		}
		String node = engine.store().node();
		if (rerun.node() != null && !rerun.node().equals(node)) {
			return "runtime " + rerun.node() + " runs it";
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
}
