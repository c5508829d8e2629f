package io.crontainer.benchmarks.spi;

import java.util.List;

/**
 * The one interface through which the harness drives a scheduler under test (a <em>subject</em>).
 *
 * <p>
 * Each subject has a probe bundle that registers one service of this type. The probe registers the
 * jobs as whiteboard services from its own bundle context (as a plugin bundle would) and observes the
 * scheduler through the scheduler's own query API, so that "scheduled" means the same for every
 * subject: the scheduler holds the job with a computed next fire time.
 *
 * <p>
 * Implementations are thread-safe.
 */
public interface Probe {

	/**
	 * @return Whether the subject's scheduler is active and its query API can be reached.
	 */
	boolean ready();

	/**
	 * Registers one whiteboard service per job, in the order given, as fast as possible. Returns when
	 * every service is registered; whether it is scheduled yet depends on the subject.
	 *
	 * @param jobs The jobs. Must not be {@code null}; names must be unique among live jobs.
	 */
	void register(List<JobSpec> jobs);

	/**
	 * Unregisters the service of one job.
	 *
	 * @param name The job name. Must not be {@code null}.
	 * @throws IllegalArgumentException If no job of that name is registered.
	 */
	void unregister(String name);

	/** Unregisters the services of every job registered by this probe. */
	void unregisterAll();

	/**
	 * @param name The job name. Must not be {@code null}.
	 * @return Whether the scheduler holds the job with a next fire time.
	 */
	boolean isScheduled(String name);

	/**
	 * @param name The job name. Must not be {@code null}.
	 * @return Whether the scheduler no longer holds the job.
	 */
	boolean isUnscheduled(String name);

	/**
	 * @return The symbolic name of the scheduler bundle: the one stopped to measure the heap held by
	 *         the scheduler. Never {@code null}.
	 */
	String schedulerBundle();

	/**
	 * @return A regular expression that matches the names of the scheduler's own threads (its timer,
	 *         workers and helpers), for the idle CPU. Never {@code null}.
	 */
	String schedulerThreads();

	/**
	 * @return How the probe observes "scheduled", in one line, for the report. Never {@code null}.
	 */
	String observation();
}
