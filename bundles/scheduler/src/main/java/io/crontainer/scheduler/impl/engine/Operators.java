package io.crontainer.scheduler.impl.engine;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.crontainer.api.runtime.JobState;
import io.crontainer.api.runtime.CronRunDTO;
import io.crontainer.api.runtime.RerunDTO;
import io.crontainer.api.runtime.RerunSplit;
import io.crontainer.api.runtime.RunWindowDTO;
import io.crontainer.api.runtime.Trigger;
import io.crontainer.store.api.PendingRetry;
import io.crontainer.store.api.RunState;
import io.crontainer.store.api.StateStore;

/**
 * The operators' side of the engine ({@link Operations}): copies of jobs and runs for the runtime
 * view, and operators' actions (fire, the checks of pause, resume and reset, the records the store
 * returned for them), each applied by the part that owns what it changes ({@link JobTable} the
 * record, {@link Firing} the run).
 *
 * <p>
 * Threads: operators' threads (shell, web console, JMX) with no lock held; each method takes the
 * engine's lock for memory operations only and runs the effects it found after releasing it.
 */
final class Operators implements Operations {

	/** What the operators' side needs of the rest of the engine. */
	interface Engine {
		/** The store in use now; any thread. */
		StateStore store();

		/** The default zone of intervals; takes the lock itself (re-entrant if held). */
		ZoneId zone();

		/** The jobs changed (for {@code service.changecount}). Lock held. */
		void changed();

		/** The re-runs part, which checks and keeps operators' re-run requests. */
		Reruns reruns();

		/** How many deadlines wait in the due queue. Lock held. */
		int dueQueueSize();

		/** How long commits took; thread-safe, no lock needed. */
		CommitTimes commitTimes();

		/** Runs the effects collected under the lock, and tells of a change. Lock not held. */
		void flush(List<Runnable> out);
	}

	private final Object lock;
	private final Clock clock;
	private final JobTable table;
	private final History history;
	private final Firing firing;
	private final Engine engine;

	Operators(Object lock, Clock clock, JobTable table, History history, Firing firing, Engine engine) {
		this.lock = lock;
		this.clock = clock;
		this.table = table;
		this.history = history;
		this.firing = firing;
		this.engine = engine;
	}

	@Override
	public Instant now() {
		return clock.instant();
	}

	@Override
	public ZoneId zone() {
		return engine.zone();
	}

	@Override
	public StateStore store() {
		return engine.store();
	}

	@Override
	public List<JobView> jobs() {
		synchronized (lock) {
			List<JobView> views = new ArrayList<>(table.size());
			for (Job job : table.all()) {
				views.add(view(job));
			}
			views.sort(Comparator.comparing(JobView::name).thenComparingLong(JobView::seq));
			return views;
		}
	}

	@Override
	public JobView job(String name) {
		synchronized (lock) {
			Job job = table.owner(name);
			return job == null ? null : view(job);
		}
	}

	@Override
	public JobView require(String name) {
		synchronized (lock) {
			return view(table.require(name));
		}
	}

	@Override
	public Map<String, List<RunRecord>> histories(Collection<String> names, int limit) {
		Map<String, List<RunRecord>> all = new LinkedHashMap<>();
		synchronized (lock) {
			for (String name : names) {
				if (!all.containsKey(name)) {
					all.put(name, history.has(name) ? history.recent(name, limit) : List.of());
				}
			}
		}
		return all;
	}

	@Override
	public int dueQueueSize() {
		synchronized (lock) {
			return engine.dueQueueSize();
		}
	}

	@Override
	public CommitTimes commitTimes() {
		return engine.commitTimes();
	}

	@Override
	public List<RunRecord> history(String name, int limit) {
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

	@Override
	public void fire(String name, CompletableFuture<CronRunDTO> done) {
		List<Runnable> out = new ArrayList<>();
		synchronized (lock) {
			Job job = table.require(name);
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
			Run run = firing.running(name);
			if (run != null) {
				throw new IllegalStateException("cron plugin '" + name + "' is running already (since "
						+ Instant.ofEpochMilli(run.record.started) + ")");
			}
			Instant now = clock.instant();
			firing.fire(job, Trigger.MANUAL, now, done, now, out);
		}
		engine.flush(out);
	}

	@Override
	public boolean paused(String name) {
		synchronized (lock) {
			Job job = table.require(name);
			if (job.record == null) {
				throw new IllegalStateException("cron plugin '" + name + "' is " + job.state + ": " + job.reason);
			}
			return job.record.paused();
		}
	}

	@Override
	public boolean running(String name) {
		synchronized (lock) {
			return firing.running(name) != null;
		}
	}

	@Override
	public void record(String name, RunState state) {
		List<Runnable> out = new ArrayList<>();
		synchronized (lock) {
			table.record(name, state, clock.instant(), out);
		}
		engine.flush(out);
	}

	@Override
	public void reset(String name, RunState state) {
		List<Runnable> out = new ArrayList<>();
		synchronized (lock) {
			table.reset(name, state, clock.instant(), out);
			engine.changed();
		}
		engine.flush(out);
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
	public RerunDTO rerunOf(String name) {
		return engine.reruns().get(name);
	}

	@Override
	public RerunDTO rerunOf(JobView job) {
		JobView.Rerunning seen = job.rerun();
		return seen == null ? null : RerunRequests.dto(seen.rerun(), seen.waiting());
	}

	/** What is shown of a job. Lock held. */
	private JobView view(Job job) {
		Run run = firing.running(job.name());
		boolean running = run != null && run.job == job || !firing.alongside(job).isEmpty();
		boolean stuck = job.owner && run != null && run.phase == Run.Phase.STUCK; // maybe a departed job's run
		Long runningSince = (running || stuck) && run.phase != Run.Phase.QUEUED ? run.record.started : null;
		History.Runs runs = job.owner ? history.of(job.name()) : null;
		// A stuck run's outcome stays the last one shown: fires skipped meanwhile do not hide it.
		RunRecord lastRun = stuck ? run.record : runs == null ? null : runs.last();
		Resolution resolution = job.resolution;
		ZoneId zone = resolution != null && resolution.interval() != null ? resolution.interval().zone()
				: job.settings.zone() != null ? job.settings.zone() : engine.zone();
		return new JobView(job.seq, job.name(), job.state, job.reason, running, runningSince,
				runs == null ? 0 : runs.runs, runs == null ? 0 : runs.failures, runs == null ? 0 : runs.timeouts,
				runs == null ? 0 : runs.consecutiveFailures, runs == null ? 0 : runs.missedFires,
				runs == null || runs.lastMissedFire == 0 ? null : runs.lastMissedFire, node(job.name(), running, lastRun),
				resolution == null ? job.settings.interval() : resolution.expression(),
				resolution == null ? null : resolution.interval(), job.settings, zone,
				job.nextFire == Job.NONE ? null : job.nextFire, job.record == null ? null : job.record.lastEnd(), lastRun,
				job.plugin, job.record == null || !job.record.paused() ? null : job.record.pause(),
				pendingRetry(job, run != null), engine.reruns().seen(job.name()));
	}

	/** A job's retry as the view shows it: pending and still to run. Lock held. */
	private PendingRetry pendingRetry(Job job, boolean running) {
		PendingRetry retry = job.record == null || job.settings.retry().attempts() == 0 ? null : job.record.retry();
		if (retry == null || running || (job.state != JobState.SCHEDULED && job.state != JobState.PAUSED)) {
			return null;
		}
		// Paused: held until resumed, so only its own end (not the time of day) drops it.
		Instant now = clock.instant();
		return job.state == JobState.PAUSED ? (now.isBefore(retry.until()) ? retry : null)
				: Retries.when(retry, now, Schedules.upcomingFire(job, now)) == null ? null : retry;
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
}
