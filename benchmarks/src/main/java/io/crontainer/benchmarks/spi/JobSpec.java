package io.crontainer.benchmarks.spi;

import java.util.Objects;

/**
 * One benchmark job: the same definition becomes a {@code CronPlugin} service for Crontainer and a
 * {@code Runnable} service with {@code scheduler.expression} for the peers.
 *
 * <p>
 * Immutable and thread-safe.
 */
public final class JobSpec {

	/** What a job does when it runs. */
	public enum Behaviour {
		/** Returns at once and records nothing: the no-op work of the scale scenarios. */
		NOOP,
		/** Records its start time ({@link System#currentTimeMillis()}) in the {@link Recorder}, then returns. */
		RECORD,
		/** Never returns until {@link Recorder#releaseHung()} or an interrupt: a hung job. */
		HANG
	}

	private final String name;
	private final String expression;
	private final int slot;
	private final Behaviour behaviour;

	/**
	 * @param name The job name: {@code cron.name} for Crontainer, {@code scheduler.name} for the peers.
	 *        Must not be {@code null}.
	 * @param expression A 6-field Quartz cron expression (seconds first), used verbatim by all three
	 *        schedulers. Must not be {@code null}.
	 * @param slot The index under which a {@link Behaviour#RECORD} job records its starts; ignored
	 *        otherwise.
	 * @param behaviour What the job does when it runs. Must not be {@code null}.
	 */
	public JobSpec(String name, String expression, int slot, Behaviour behaviour) {
		this.name = Objects.requireNonNull(name, "name");
		this.expression = Objects.requireNonNull(expression, "expression");
		this.slot = slot;
		this.behaviour = Objects.requireNonNull(behaviour, "behaviour");
	}

	/** @return The job name. Never {@code null}. */
	public String name() {
		return name;
	}

	/** @return The 6-field cron expression. Never {@code null}. */
	public String expression() {
		return expression;
	}

	/** @return The recording slot. */
	public int slot() {
		return slot;
	}

	/** @return What the job does when it runs. Never {@code null}. */
	public Behaviour behaviour() {
		return behaviour;
	}

	/** Runs the job's work; called by the job service's run method on the scheduler's thread. */
	public void run() {
		Recorder.fired(this);
	}

	@Override
	public String toString() {
		return name + " [" + expression + "] " + behaviour;
	}
}
