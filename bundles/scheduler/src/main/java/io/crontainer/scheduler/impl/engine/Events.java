package io.crontainer.scheduler.impl.engine;

import io.crontainer.api.runtime.CronRunDTO;
import io.crontainer.api.runtime.JobState;

/**
 * What the engine tells other bundles: a run started, a run ended, a plugin's state changed
 * ({@link io.crontainer.api.runtime.CronEvents}). The engine calls these with no lock held (they are
 * effects, run after the lock is released), on run, store, timer, call and whiteboard threads; an
 * implementation must return at once and never call back into the engine.
 */
public interface Events {
	/** Tells nothing: the engine without Event Admin, and most tests. */
	Events NONE = new Events() {
		@Override
		public boolean tellsStarted() {
			return false;
		}

		@Override
		public void started(CronRunDTO run) {
		}

		@Override
		public void ended(CronRunDTO run) {
		}

		@Override
		public void stateChanged(String name, JobState before, JobState after, String reason, long at) {
		}
	};

	/**
	 * Whether {@link #started} would tell anyone now (a handler subscribes to its topic): if not, a run
	 * does not build the snapshot on its thread, just before its plugin is called. Any thread; must not
	 * block.
	 */
	default boolean tellsStarted() {
		return true;
	}

	/** A run calls its plugin now. {@code run} is a snapshot the caller no longer writes. */
	void started(CronRunDTO run);

	/** A run reached its outcome (also a fire time that never called its plugin). A snapshot. */
	void ended(CronRunDTO run);

	/**
	 * A plugin's state changed.
	 *
	 * @param before {@code null} for a plugin that just arrived.
	 * @param reason {@code null} when {@code SCHEDULED}.
	 * @param at UTC epoch ms.
	 */
	void stateChanged(String name, JobState before, JobState after, String reason, long at);
}
