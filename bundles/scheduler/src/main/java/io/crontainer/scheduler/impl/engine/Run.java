package io.crontainer.scheduler.impl.engine;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

import io.crontainer.api.runtime.CronRunDTO;
import io.crontainer.api.runtime.Trigger;
import io.crontainer.store.api.Claim;

/**
 * One run of a plugin, from its fire until it is over. As a {@link Due} it holds the run's next
 * deadline: its time limit ({@code cron.timeout}) or the end of its departed plugin's grace, then the
 * end of the wait an interrupted run gets before it is abandoned.
 *
 * <p>
 * Guarded by the engine's lock, except: {@link #thread} and {@link #inRun}, guarded by this object's
 * monitor (the run's thread sets them around the plugin call; interrupting takes the monitor so that
 * only the plugin call is interrupted); {@link #phase}, changed by compare-and-set where the run's
 * thread and the timer race; {@link #finished}, a latch.
 */
final class Run extends Due {
	enum Phase {
		/** Fired; waiting for a thread, then for its claim. */
		QUEUED,
		/** Inside the plugin's run(). */
		RUNNING,
		/**
		 * run() returned: its outcome is being recorded, and, if it succeeded, its window end made
		 * durable. A fire that comes meanwhile starts once it is over.
		 */
		COMMITTING,
		/** Interrupted and past its grace without returning: abandoned, named, reported. */
		STUCK,
		/** Over. */
		DONE
	}

	final Job job;
	final String name;
	final Trigger trigger;
	/** The fire time it was started for; {@code null} for a manual fire. */
	final Instant scheduledFire;
	/**
	 * Whether this run takes over a fire time from a runtime whose lease expired
	 * ({@link io.crontainer.store.api.StateStore#claimOver}); set under the engine's lock
	 * before the run is submitted.
	 */
	boolean takeOver;
	final RunRecord record;
	/** Completed with the finished run for a manual fire; {@code null} otherwise. */
	final CompletableFuture<CronRunDTO> done;
	/** Counted down when the run is over (its thread left the plugin), whatever its outcome. */
	final CountDownLatch finished = new CountDownLatch(1);

	volatile Phase phase = Phase.QUEUED;
	private static final AtomicReferenceFieldUpdater<Run, Phase> PHASE = AtomicReferenceFieldUpdater
			.newUpdater(Run.class, Phase.class, "phase");
	/** The claim, once granted (written by the run's thread before it calls the plugin). */
	volatile Claim claim;
	/** The window end: when the run started on its thread. */
	volatile Instant end;

	// Guarded by this object's monitor.
	Thread thread;
	boolean inRun;

	/** Why the run was asked to stop; {@code null} if it was not. Written under the engine's lock. */
	volatile String interrupted;
	/** Whether its {@code cron.timeout} passed. Written under the engine's lock. */
	volatile boolean timedOut;

	// Guarded by the engine's lock.
	/** When its {@code cron.timeout} passes, UTC epoch ms; 0 if it has none or has not started. */
	long timeoutAt;
	/**
	 * When the grace its departed plugin gives it ends, UTC epoch ms; 0 if its plugin did not leave.
	 * Volatile: the run's thread reads it, without the lock, as it starts the plugin.
	 */
	volatile long departAt;
	/** When it was interrupted (time limit or departure), UTC epoch ms; 0 if it was not. */
	long interruptedAt;
	/**
	 * Whether it runs beside the run that holds its name ({@code scheduler.concurrent = true}): it has
	 * no claim and commits no window. Written before the run is submitted.
	 */
	boolean alongside;
	/** Fire times skipped because this run was going. */
	int skips;
	/**
	 * Whether its claim was granted and counts towards {@code cluster.max.running} until it is over.
	 * Volatile: a run claimed alone sets it on its thread without the engine's lock; read with it.
	 */
	volatile boolean counted;
	/** The window start and record version the engine knew when it fired (written before it is claimed). */
	Instant expected;
	long version;
	/**
	 * The re-run window this run runs ({@link Trigger#RERUN}); {@code null} for any other run. Set before
	 * the run is submitted.
	 */
	Reruns.Window rerun;
	/**
	 * A fire that came while the run committed: it starts once the commit is over. Or, with
	 * {@link #followClaiming}, the latest scheduled fire that came while the run's cluster claim was not
	 * answered yet: it starts at once if the fire time turns out to be another runtime's
	 * ({@link Firing#followYielded}), and is recorded as skipped once the run is over otherwise.
	 */
	Trigger followTrigger;
	Instant followFire;
	/** Whether the follow came while the run's claim was awaited (see {@link #followTrigger}). */
	boolean followClaiming;
	/** Scheduled fires that came while the claim was awaited and that a later one replaced. */
	int coveredWhileClaiming;

	@Override
	void come(Parts parts, Instant now, List<Runnable> out) {
		parts.runDeadline(this, now, out);
	}

	Run(Job job, String name, Trigger trigger, Instant scheduledFire, RunRecord record,
			CompletableFuture<CronRunDTO> done) {
		this.job = job;
		this.name = name;
		this.trigger = trigger;
		this.scheduledFire = scheduledFire;
		this.record = record;
		this.done = done;
	}

	/**
	 * Moves the run from one phase to another if it is in the first: the run's thread (returning) and
	 * the timer (abandoning) race for a run past its grace, and exactly one of them wins.
	 */
	boolean advance(Phase from, Phase to) {
		return PHASE.compareAndSet(this, from, to);
	}

	/** Interrupts the plugin call if the run's thread is inside it. Takes this object's monitor only. */
	void interruptCall() {
		synchronized (this) {
			if (inRun && thread != null) {
				thread.interrupt();
			}
		}
	}

	/** The run's thread name while it runs, or {@code null}. */
	String threadName() {
		synchronized (this) {
			return inRun && thread != null ? thread.getName() : null;
		}
	}
}
