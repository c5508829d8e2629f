package io.crontainer.scheduler.impl.store;

/**
 * The answer to {@link StateStore#claim}: a claim, or why none was granted. Immutable.
 *
 * @param claim The claim granted; {@code null} if refused.
 * @param current The record as the store holds it now. Never {@code null}. After a refusal because
 *        the window start moved, the caller may claim again with {@code current.windowStart()}.
 * @param refusal Why no claim was granted, in one line; {@code null} if granted.
 * @param windowMoved Whether the refusal is because the expected window start is not the record's.
 */
public record ClaimResult(Claim claim, RunState current, String refusal, boolean windowMoved) {

	public static ClaimResult granted(Claim claim, RunState current) {
		return new ClaimResult(claim, current, null, false);
	}

	public static ClaimResult refused(RunState current, String refusal, boolean windowMoved) {
		return new ClaimResult(null, current, refusal, windowMoved);
	}

	public boolean granted() {
		return claim != null;
	}
}
