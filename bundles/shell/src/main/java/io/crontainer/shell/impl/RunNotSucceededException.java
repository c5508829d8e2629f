package io.crontainer.shell.impl;

import io.crontainer.api.runtime.Outcome;

/**
 * Thrown by {@code cron:fire} when the run it waited for did not succeed (it failed, timed out, was
 * interrupted or abandoned): its message is the run's description, as for a run that succeeded.
 *
 * <p>
 * Why an exception: a failed run is a failed command, for Gogo ({@code $exception}, a script's
 * {@code try}/{@code catch}) and for {@code bin/client}, whose server takes the exit status from
 * {@link #exitStatus()} (found by name: a public {@code int exitStatus()} method, so the console bundle
 * needs no type of this one). {@link #toString()} is the message alone, so that the console, which
 * prints a failed command's exception with {@code toString()}, shows the description without a Java
 * class name.
 *
 * <p>
 * Immutable.
 */
public final class RunNotSucceededException extends IllegalStateException {

	/** Exit status of {@code bin/client} for a run that failed ({@code run()} threw). */
	public static final int FAILED = 3;
	/** Exit status of {@code bin/client} for a run that timed out (also when it was then abandoned). */
	public static final int TIMED_OUT = 4;
	/** Exit status of {@code bin/client} for a run that was interrupted (its plugin left, the scheduler stopped). */
	public static final int INTERRUPTED = 5;

	private static final long serialVersionUID = 1L;

	private final transient Outcome outcome;

	/**
	 * @param outcome How the run ended. Must not be {@code null}, and not {@link Outcome#SUCCEEDED}.
	 * @param description The run's description, printable (control characters escaped).
	 */
	RunNotSucceededException(Outcome outcome, String description) {
		super(description);
		this.outcome = outcome;
	}

	/** @return How the run ended. */
	public Outcome outcome() {
		return outcome;
	}

	/**
	 * The exit status {@code bin/client} gives for this run: {@value #FAILED} (failed), {@value #TIMED_OUT}
	 * (timed out) or {@value #INTERRUPTED} (interrupted); {@value #FAILED} for any other outcome.
	 */
	public int exitStatus() {
		return switch (outcome) {
		case TIMED_OUT -> TIMED_OUT;
		case INTERRUPTED -> INTERRUPTED;
		default -> FAILED;
		};
	}

	/** @return The message alone: the run's description. */
	@Override
	public String toString() {
		return getMessage();
	}
}
