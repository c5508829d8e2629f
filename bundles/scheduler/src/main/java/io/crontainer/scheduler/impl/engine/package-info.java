/**
 * The scheduling core: the job table, each job's state and schedule, the deadlines and the timer
 * thread, the plugin calls, and the runs (fire or skip, the run thread's claim-run-commit, time
 * limits and abandonment, stopping, outcomes), and re-runs of past windows. One lock, the engine's, guards every part; it is held
 * for memory operations only.
 *
 * <p>
 * {@link io.crontainer.scheduler.impl.engine.Scheduler} wires the parts and owns the sequences
 * between them: each part gets the few operations it uses as a small interface of its own (its
 * nested {@code Engine}), never the scheduler, and no part calls another that calls it back. What
 * other packages see is public and documented: the scheduler itself (for the DS component), the
 * executors and the timer it starts, {@link io.crontainer.scheduler.impl.engine.Operations} with
 * {@link io.crontainer.scheduler.impl.engine.JobView} and
 * {@link io.crontainer.scheduler.impl.engine.RunRecord} and
 * {@link io.crontainer.scheduler.impl.engine.CommitTimes} (for the runtime view),
 * {@link io.crontainer.scheduler.impl.engine.Events} (implemented with Event Admin) and
 * {@link io.crontainer.scheduler.impl.engine.Texts}. The rest, jobs and runs included, is
 * package-private. Private to the scheduler bundle; depends on {@code whiteboard}, {@code interval}
 * and the store API only.
 */
package io.crontainer.scheduler.impl.engine;
