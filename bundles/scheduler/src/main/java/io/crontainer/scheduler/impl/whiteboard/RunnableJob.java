package io.crontainer.scheduler.impl.whiteboard;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

import io.crontainer.api.CronPlugin;

/**
 * A whiteboard {@code java.lang.Runnable} (the Sling and Karaf scheduler whiteboard) as the scheduler
 * runs it: a job like a cron plugin, whose schedule comes from its {@code scheduler.*} service
 * properties ({@link SchedulerProperties}) and whose run calls {@link Runnable#run()}.
 *
 * <p>
 * The scheduler keeps its run windows as for any job (history, {@code cron:info}), but a
 * {@code Runnable} is not handed them. It is never asked {@code enabled()} or {@code interval()}:
 * its settings carry both. Immutable; thread-safe as far as the {@code Runnable} is.
 */
public final class RunnableJob implements CronPlugin {
	private final Runnable task;

	/** @param task The whiteboard service object. Must not be {@code null}. */
	public RunnableJob(Runnable task) {
		this.task = requireNonNull(task, "task");
	}

	/** @return The implementation class name of the {@code Runnable}. */
	String className() {
		return task.getClass().getName();
	}

	@Override
	public boolean enabled() {
		return true;
	}

	/**
	 * Not asked: the interval of a whiteboard {@code Runnable} is its {@code scheduler.expression} or
	 * {@code scheduler.period}.
	 *
	 * @throws UnsupportedOperationException Always.
	 */
	@Override
	public String interval() {
		throw new UnsupportedOperationException("the schedule of a whiteboard Runnable is its service property "
				+ SchedulerProperties.EXPRESSION + " or " + SchedulerProperties.PERIOD);
	}

	/** Calls {@link Runnable#run()}; the window is not passed. What it throws fails the run. */
	@Override
	public void run(Instant start, Instant end) {
		task.run();
	}

	@Override
	public String toString() {
		return "Runnable " + className();
	}
}
