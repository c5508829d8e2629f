package io.crontainer.store.api;

import java.time.Instant;

/**
 * The answer to {@link StateStore#claim}: a claim, or why none was granted. Immutable.
 *
 * @param claim The claim granted; {@code null} if refused.
 * @param current The record as the store holds it now. Never {@code null}. After a refusal because
 *        the window start moved, the caller may claim again with {@code current.windowStart()}.
 * @param refusal Why no claim was granted, in one line; {@code null} if granted.
 * @param windowMoved Whether the refusal is because the expected window start is not the record's.
 * @param elsewhere Whether the refusal is because another runtime of a cluster runs, or ran, this
 *        scheduled fire time: it is not this runtime's run, and is not recorded as one here.
 * @param retryAt For a refusal {@link #elsewhere}: when to claim the same fire time again (through
 *        {@link StateStore#claimOver}), a UTC instant on this runtime's clock, because the runtime
 *        holding it may be dead and its lease expires then (a {@code kill -9} take-over), or because
 *        the fire time is not due yet on the store's clock (this runtime's clock is ahead of it) and
 *        is due then; {@code null}: do not retry (the fire time ran).
 *        For a fire time {@link #left}: when to claim it again, as an ordinary claim, in case no other
 *        runtime took it; {@code null}: never (this runtime was the last one to ask).
 * @param left Whether the fire time was not claimed here but left to the other runtimes of a cluster
 *        ({@link StateStore#claimShare}): another runtime's share, or more than this runtime's limit
 *        of runs in progress. Not this runtime's run, and not recorded as one here. {@code false} for a
 *        refusal by the store. Since 1.1.
 */
public record ClaimResult(Claim claim, RunState current, String refusal, boolean windowMoved, boolean elsewhere,
		Instant retryAt, boolean left) {

	/** A result that is not {@link #left}: the components of version 1.0. */
	public ClaimResult(Claim claim, RunState current, String refusal, boolean windowMoved, boolean elsewhere,
			Instant retryAt) {
		this(claim, current, refusal, windowMoved, elsewhere, retryAt, false);
	}

	public static ClaimResult granted(Claim claim, RunState current) {
		return new ClaimResult(claim, current, null, false, false, null);
	}

	public static ClaimResult refused(RunState current, String refusal, boolean windowMoved) {
		return new ClaimResult(null, current, refusal, windowMoved, false, null);
	}

	/**
	 * A refusal because another runtime runs or ran this scheduled fire time.
	 *
	 * @param retryAt When to try the same fire time again; {@code null} for never.
	 */
	public static ClaimResult elsewhere(RunState current, String refusal, Instant retryAt) {
		return new ClaimResult(null, current, refusal, false, true, retryAt);
	}

	/**
	 * A fire time left to the other runtimes of a cluster ({@link StateStore#claimShare}): not claimed
	 * here.
	 *
	 * @param current The record as this runtime knows it. Must not be {@code null}.
	 * @param refusal Why, in one line. Must not be {@code null}.
	 * @param retryAt When to claim it again in case no other runtime took it, a UTC instant on this
	 *        runtime's clock; {@code null} for never.
	 * @since 1.1
	 */
	public static ClaimResult left(RunState current, String refusal, Instant retryAt) {
		return new ClaimResult(null, current, refusal, false, false, retryAt, true);
	}

	public boolean granted() {
		return claim != null;
	}
}
