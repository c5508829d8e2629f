package io.crontainer.scheduler.impl.engine;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.crontainer.api.runtime.CronRunDTO;
import io.crontainer.api.runtime.JobState;
import io.crontainer.api.runtime.Trigger;
import io.crontainer.scheduler.impl.whiteboard.SchedulerProperties;
import io.crontainer.store.api.StateStore;

/**
 * The fire-or-skip decision, and the table of runs it decides on: a fire starts a run only if no run
 * holds the job's name (at most one run per name at a time), or beside it for a concurrent job, up to
 * {@link #MAX_CONCURRENT_RUNS}; a fire that finds the name running is recorded as skipped; one that
 * finds the previous run committing, or a re-run's window going, starts as soon as that run is over
 * (it is kept on that run, see {@link Run#followTrigger}); one that finds it stuck is not recorded (the job's state says
 * {@code STUCK}). A run started is queued here and handed to the run thread ({@link RunThread}) once
 * the lock is released. Also the fire times of another runtime claimed again ({@link Retry}).
 *
 * <p>
 * Threads: every method requires the engine's lock, held by the thread that calls: the timer (fire times,
 * retries), operators' threads (manual fires), run and store threads (a run over, and the fire that came
 * during its commit), and any thread whose change starts a schedule that fires at once ({@code @reboot},
 * a missed fire time caught up, {@code scheduler.immediate}): the whiteboard, call and store threads.
 * A run started is submitted with no lock held, as an effect.
 */
final class Firing {
	private static final Logger LOG = LoggerFactory.getLogger(Firing.class);

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

	/** What the firing needs of the rest of the engine. */
	interface Engine {
		/** The store in use now; any thread. */
		StateStore store();

		/**
		 * Hands a queued run to a run thread ({@link RunThread#submit}). Called as an effect, with no
		 * lock held.
		 *
		 * @param expected The window start the job's record had when it was fired.
		 * @param version The version of that record.
		 */
		void submit(Run run, Instant expected, long version);

		/**
		 * Hands the scheduled runs fired so far in this tick ({@link #takeToClaim}) to the claiming task,
		 * to be claimed together ({@link RunThread#claimTick}). Called as an effect, once per batch of a
		 * tick, with no lock held.
		 */
		void claimTick();
	}

	private final Outcomes outcomes;
	private final Engine engine;
	private final Map<String, Run> running = new HashMap<>();
	/**
	 * Runs of a concurrent job ({@code scheduler.concurrent = true}, a whiteboard {@code Runnable}) fired
	 * while the run that holds its name was going: they run beside it, without a claim, and commit no
	 * window (the window end moves with the runs that hold the name).
	 */
	private final Set<Run> alongside = new HashSet<>();
	/**
	 * Scheduled runs fired in the tick going on, in a cluster, to be claimed together
	 * ({@link StateStore#claimShare}); taken by {@link #takeToClaim}.
	 */
	private List<Run> toClaim = new ArrayList<>();

	Firing(Outcomes outcomes, Engine engine) {
		this.outcomes = outcomes;
		this.engine = engine;
	}

	/** The run of a name, queued, running, committing or stuck; {@code null} if none. Lock held. */
	Run running(String name) {
		return running.get(name);
	}

	/** Every run going: those holding their names and those beside them. Lock held. */
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
	 * @param done Completed with the run of a manual fire; {@code null} for any other.
	 * @return The run started; {@code null} if none was.
	 */
	Run fire(Job job, Trigger trigger, Instant scheduledFire, CompletableFuture<CronRunDTO> done, Instant now,
			List<Runnable> out) {
		return fire(job, trigger, scheduledFire, done, now, false, out);
	}

	/** As {@link #fire(Job, Trigger, Instant, CompletableFuture, Instant, List)}; {@code takeOver}: see {@link Run#takeOver}. */
	private Run fire(Job job, Trigger trigger, Instant scheduledFire, CompletableFuture<CronRunDTO> done, Instant now,
			boolean takeOver, List<Runnable> out) {
		String name = job.name();
		if (trigger == Trigger.SCHEDULE && scheduledFire != null) {
			job.lastScheduledFire = Math.max(job.lastScheduledFire, scheduledFire.toEpochMilli());
		}
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
			if (trigger == Trigger.SCHEDULE && done == null && awaitingClaim(current)) {
				// Its claim is not answered yet: the fire time may be another runtime's share, and then this
				// one is asked for right after (a later fire time's window covers an earlier one's); otherwise
				// this one is skipped once the run is over, as for any run going ({@link #follow}).
				if (current.followTrigger != null) {
					current.coveredWhileClaiming++;
				}
				current.followTrigger = trigger;
				current.followFire = scheduledFire;
				current.followClaiming = true;
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
					return start(job, trigger, scheduledFire, null, now, true, false, out);
				}
				if (!job.capLogged) {
					job.capLogged = true;
					out.add(() -> LOG.warn("Cron plugin {} has {} runs going at once, the most for {} = true: its fire "
							+ "times are skipped until one of them ends", name, going, SchedulerProperties.CONCURRENT));
				}
				outcomes.skipped(job, trigger, scheduledFire, now, going + " runs were going already, the most at once "
						+ "for " + SchedulerProperties.CONCURRENT + " = true", out);
				return null;
			}
			skip(current, trigger, scheduledFire, now, out);
			return null;
		}
		return start(job, trigger, scheduledFire, done, now, false, takeOver, out);
	}

	/**
	 * Whether a run is a scheduled fire time of a cluster whose claim is not answered yet (queued to be
	 * claimed with its tick's, or being claimed): until the store answers, it may turn out to be another
	 * runtime's share, and then it never held the name. Only scheduled fire times wait on it: a retry, a
	 * misfire's catch-up or a manual fire that finds the name so held is handled as before. Lock held.
	 */
	private boolean awaitingClaim(Run run) {
		return run.phase == Run.Phase.QUEUED && !run.counted && run.trigger == Trigger.SCHEDULE && run.done == null
				&& run.rerun == null && !run.alongside && engine.store().node() != null;
	}

	/** Records a fire time skipped because {@code current} holds its name. Lock held. */
	private void skip(Run current, Trigger trigger, Instant scheduledFire, Instant now, List<Runnable> out) {
		String name = current.name;
		// The first fire time a run skips is logged and kept in the store's history; the next ones (a
		// plugin due every second whose run lasts minutes, or waits under overload) only in memory and
		// in the missed count: a line and a row each would cost more than the runs themselves.
		boolean first = current.skips++ == 0;
		if (first) {
			Instant since = Instant.ofEpochMilli(current.record.started);
			out.add(() -> LOG.info("Cron plugin {} is still running (since {}): skipping its fire time {} (the next "
					+ "fire times it skips are counted, not logged, until the run ends)", name, since, scheduledFire));
		}
		outcomes.skipped(current.job, trigger, scheduledFire, now, "the previous run was still going", first, out);
	}

	/**
	 * Starts a run of a re-run's window ({@link Trigger#RERUN}), which holds the job's name like any run:
	 * the caller ({@link Reruns}) checked that none is going. Lock held; the run is submitted after the
	 * lock is released ({@code out}).
	 */
	Run fire(Job job, Reruns.Window window, Instant now, List<Runnable> out) {
		String name = job.name();
		RunRecord record = new RunRecord(name, Trigger.RERUN, null, now, engine.store().node());
		record.requestedBy = window.requestedBy();
		record.windowStart = window.start().toEpochMilli();
		record.windowEnd = window.end().toEpochMilli();
		Run run = new Run(job, name, Trigger.RERUN, null, record, null);
		run.rerun = window;
		running.put(name, run);
		outcomes.queued(record);
		Instant expected = job.record.windowStart();
		long version = job.record.version();
		out.add(() -> engine.submit(run, expected, version));
		return run;
	}

	private Run start(Job job, Trigger trigger, Instant scheduledFire, CompletableFuture<CronRunDTO> done, Instant now,
			boolean beside, boolean takeOver, List<Runnable> out) {
		String name = job.name();
		String node = engine.store().node();
		RunRecord record = new RunRecord(name, trigger, trigger == Trigger.MANUAL ? null : scheduledFire, now, node);
		Run run = new Run(job, name, trigger, scheduledFire, record, done);
		run.alongside = beside;
		if (beside) {
			alongside.add(run);
		} else {
			running.put(name, run);
		}
		outcomes.queued(record);
		Instant expected = job.record.windowStart();
		long version = job.record.version();
		run.expected = expected;
		run.version = version;
		if (!beside && done == null && trigger == Trigger.SCHEDULE && scheduledFire != null && !takeOver
				&& node != null) {
			// In a cluster, a scheduled fire is claimed with the others of its tick, in one call.
			if (toClaim.isEmpty()) {
				out.add(engine::claimTick);
			}
			toClaim.add(run);
		} else {
			run.takeOver = takeOver;
			out.add(() -> engine.submit(run, expected, version));
		}
		return run;
	}

	/** The scheduled runs fired since the last call, to be claimed together; the list is the caller's. Lock held. */
	List<Run> takeToClaim() {
		List<Run> taken = toClaim;
		toClaim = new ArrayList<>();
		return taken;
	}

	/**
	 * A run is over (or yielded to another runtime): it leaves the table, and a fire skipped for the cap
	 * is worth a log line again. Lock held.
	 */
	void over(Run run) {
		if (!running.remove(run.name, run)) {
			alongside.remove(run);
		}
		run.job.capLogged = false;
	}

	/**
	 * Starts the fire that came while a run committed ({@link Run#followTrigger}), once that run is
	 * over, if its job is still scheduled here. Lock held.
	 */
	void follow(Run over, Instant now, List<Runnable> out) {
		Job job = over.job;
		if (over.followTrigger != null && over.followClaiming) {
			// Came while its claim was awaited, and the run was this runtime's (or could not be claimed):
			// skipped as it would have been had the claim been answered first. The latest one is recorded,
			// those it replaced are counted.
			if (over.coveredWhileClaiming > 0) {
				outcomes.missed(job, over.coveredWhileClaiming, over.followFire);
			}
			skip(over, over.followTrigger, over.followFire, now, out);
			return;
		}
		if (over.followTrigger != null && job.owner && !job.gone && job.record != null
				&& job.state == JobState.SCHEDULED) {
			fire(job, over.followTrigger, over.followFire, null, now, out);
		}
	}

	/**
	 * A run's fire time turned out to be another runtime's ({@link Run#followClaiming}): the latest fire
	 * time that came while its claim was awaited is fired now, as if it came after; the ones it replaced
	 * were another runtime's share too. Lock held.
	 *
	 * @return Whether there was one.
	 */
	boolean followYielded(Run yielded, Instant now, List<Runnable> out) {
		if (yielded.followTrigger == null) {
			return false;
		}
		yielded.followClaiming = false;
		yielded.coveredWhileClaiming = 0;
		follow(yielded, now, out);
		return true;
	}

	/**
	 * A fire time claimed again: one left to other runtimes that the store asked back (claimed with its
	 * tick's, if no runtime took it meanwhile), or one that found the name held by another runtime, once
	 * that runtime's lease expires, as a take-over ({@link StateStore#claimOver}): only if that runtime did not finish, so a
	 * fire time that merely overlapped a run elsewhere does not run after it. Lock held.
	 */
	static final class Retry extends Due {
		final Job job;
		final Trigger trigger;
		final Instant fire;
		/** A take-over ({@link StateStore#claimOver}); else a fire time left to others, claimed with its tick's. */
		final boolean takeOver;

		Retry(Job job, Trigger trigger, Instant fire, boolean takeOver) {
			this.job = job;
			this.trigger = trigger;
			this.fire = fire;
			this.takeOver = takeOver;
		}

		@Override
		void come(Parts parts, Instant now, List<Runnable> out) {
			parts.retry(this, now, out);
		}
	}

	/** A retry is due: the fire time is claimed again unless the job left, stopped or runs. Lock held. */
	void due(Retry retry, Instant now, List<Runnable> out) {
		Job job = retry.job;
		if (job.gone || !job.owner || job.record == null || job.state != JobState.SCHEDULED
				|| running.containsKey(job.name())) {
			return;
		}
		if (!retry.takeOver && job.lastScheduledFire > retry.fire.toEpochMilli()) {
			return; // a later fire time came meanwhile: its window covers this one's
		}
		fire(job, retry.trigger, retry.fire, null, now, retry.takeOver, out);
	}
}
