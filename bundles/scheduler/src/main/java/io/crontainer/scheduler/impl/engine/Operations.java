package io.crontainer.scheduler.impl.engine;

import java.time.Instant;
import java.time.ZoneId;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.crontainer.api.runtime.CronRunDTO;
import io.crontainer.api.runtime.RerunDTO;
import io.crontainer.api.runtime.RerunSplit;
import io.crontainer.api.runtime.RunWindowDTO;
import io.crontainer.store.api.RunState;
import io.crontainer.store.api.StateStore;

/**
 * What the runtime view ({@code io.crontainer.scheduler.impl.view.RuntimeView}) reads and does through
 * the engine, and nothing more: copies of jobs and runs taken under the engine's lock, and operators'
 * actions, each applied by the part that owns the state it changes. The view builds DTOs from the
 * copies and calls the state store itself; it writes no field of the engine.
 *
 * <p>
 * Thread-safe: every method but {@link #commitTimes()} (lock-free) takes the engine's lock itself, for
 * memory operations only, and runs what it found to do (logging, events, {@code service.changecount})
 * after releasing it. Called by operators' threads (shell, web console, JMX) with no lock held.
 * Implemented by {@link Operators}; the component gets it from {@link Scheduler#operations()}.
 */
public interface Operations {

	/** The engine's clock, now. */
	Instant now();

	/** The default zone of intervals (the configuration's {@code timezone}). */
	ZoneId zone();

	/** The state store in use now; never {@code null}. */
	StateStore store();

	/** Every job, owners and duplicates, ordered by name and then arrival. */
	List<JobView> jobs();

	/** The job that owns a name; {@code null} if none does. */
	JobView job(String name);

	/**
	 * The job that owns a name.
	 *
	 * @throws IllegalArgumentException If none does (the message lists the known names).
	 */
	JobView require(String name);

	/**
	 * The newest runs kept here, newest first: of a name (a plugin that left is accepted while its
	 * history is kept), or of every name if {@code name} is {@code null}. The records are live: read
	 * them (their fields are volatile), never change them.
	 *
	 * @param limit The most records returned, greater than 0.
	 * @throws IllegalArgumentException If no job has the name and none had it.
	 */
	List<RunRecord> history(String name, int limit);

	/**
	 * The newest runs kept here of several names, taking the lock once: for each distinct name, what
	 * {@link #history(String, int)} returns, or an empty list for a name that has none (it need not be a
	 * job's). The records are live, as there.
	 *
	 * @param limit The most records per name, greater than 0.
	 */
	Map<String, List<RunRecord>> histories(Collection<String> names, int limit);

	/** How many deadlines wait in the due queue now (fire times, time limits, retries, the re-check). */
	int dueQueueSize();

	/** How long the state store took to commit windows since the engine started; thread-safe. */
	CommitTimes commitTimes();

	/**
	 * Fires a job by hand: its run starts on a run thread, and {@code done} is completed with it, on a
	 * run thread, once it is over.
	 *
	 * @throws IllegalArgumentException If no job has the name.
	 * @throws IllegalStateException If its state does not allow it (it can be {@code SCHEDULED},
	 *         {@code PAUSED} or {@code DISABLED}) or its name is running; the message says why.
	 */
	void fire(String name, CompletableFuture<CronRunDTO> done);

	/**
	 * Whether a job's record says it is paused.
	 *
	 * @throws IllegalArgumentException If no job has the name.
	 * @throws IllegalStateException If its record is not loaded (the message gives its state and reason).
	 */
	boolean paused(String name);

	/** Whether a run of the name is queued, running, committing or stuck. */
	boolean running(String name);

	/**
	 * The store returned a record of a name (a pause or resume it applied): its owner takes it if it is
	 * newer than the one it holds.
	 */
	void record(String name, RunState state);

	/** The store reset the record of a name: its owner takes it, whatever it held. */
	void reset(String name, RunState state);

	/**
	 * The windows a re-run of a name would run ({@link Reruns#plan}); runs nothing.
	 *
	 * @throws IllegalArgumentException If no job has the name, or the range is refused (the message says why).
	 * @throws IllegalStateException If the job has no record or no interval to cut at.
	 */
	List<RunWindowDTO> planRerun(String name, Instant from, Instant to, RerunSplit split);

	/**
	 * Starts a re-run of a name, kept by the store before it returns ({@link Reruns#start}).
	 *
	 * @throws IllegalArgumentException As {@link #planRerun}, or if {@code requestedBy} is refused.
	 * @throws IllegalStateException As {@link #planRerun}, or if one is in progress or the store cannot keep it.
	 */
	RerunDTO rerun(String name, Instant from, Instant to, RerunSplit split, String requestedBy);

	/**
	 * Cancels the re-run in progress of a name ({@link Reruns#cancel}).
	 *
	 * @throws IllegalArgumentException If it has none in progress.
	 * @throws IllegalStateException If the store cannot keep the change.
	 */
	RerunDTO cancelRerun(String name);

	/** The newest re-run known of a name; {@code null} if none. */
	RerunDTO rerunOf(String name);

	/**
	 * The newest re-run of a job's name as its view saw it ({@link JobView#rerun}), as a DTO; {@code null}
	 * if none. Takes no lock: a view of a job costs one hold of the engine's lock, re-run included.
	 */
	RerunDTO rerunOf(JobView job);
}
