package io.crontainer.scheduler.impl.engine;

import java.time.Instant;
import java.util.List;

import io.crontainer.api.runtime.JobState;
import io.crontainer.scheduler.impl.interval.Interval;
import io.crontainer.scheduler.impl.whiteboard.Plugin;
import io.crontainer.scheduler.impl.whiteboard.Settings;
import io.crontainer.store.api.RunState;

/**
 * One cron plugin service as the engine tracks it, with its two deadlines: its next fire time
 * ({@link #fireTime}) and, while its state record cannot be loaded because the store is unavailable,
 * the next attempt to load it ({@link #loadRetry}). A mutable record: every field is guarded by the
 * engine's lock.
 *
 * <p>
 * Each field is written by one part only, its owner; the others read it, and ask the owner for a
 * change: {@link JobTable} the service, the name and the record ({@link #plugin} to
 * {@link #unavailable}); {@link Resolutions} with {@link PluginCalls} the
 * answers ({@link #resolution} to {@link #createdFor}); {@link Schedules} the state and schedule
 * ({@link #claimUnavailable}, {@link #state} to {@link #countDowntime}); {@link Firing} its own
 * {@link #capLogged}.
 */
final class Job {
	/** {@link #nextFire} when there is none. */
	static final long NONE = Long.MIN_VALUE;

	/** Arrival order: among duplicates, the earliest takes a name over. */
	final long seq;
	Plugin plugin;
	Settings settings;
	/** Incremented when the settings change or the plugin leaves: a late answer of an older call is dropped. */
	int generation;
	boolean gone;

	/** Whether it owns its name (else it is a duplicate). */
	boolean owner;
	/** The plugin that owns its name while it is a duplicate; {@code null} while it owns it. */
	Plugin duplicateOf;
	/** The persisted state; {@code null} while not loaded, blocked, or not owner. */
	RunState record;
	/** Why the state record cannot be read; {@code null} if it can. */
	String blocked;
	/** Why the state record cannot be loaded now (store unavailable); {@code null} if it can. */
	String unavailable;
	/**
	 * Why its last claim failed because the store could not be reached (the job is
	 * {@code UNAVAILABLE} but keeps its schedule); {@code null} once a claim succeeds or the store is
	 * back. Written under the engine's lock; volatile so that a run thread whose claim got through
	 * takes the lock only when there is something to clear ({@link RunThread}).
	 */
	volatile String claimUnavailable;
	/** Its next fire time ({@link #nextFire}), queued while it is scheduled. */
	final Due fireTime = new Due() {
		@Override
		void come(Parts parts, Instant now, List<Runnable> out) {
			parts.fireTime(Job.this, now, out);
		}
	};
	/** The next attempt to load its record, queued while the store could not give it. */
	final Due loadRetry = new Due() {
		@Override
		void come(Parts parts, Instant now, List<Runnable> out) {
			parts.loadRetry(Job.this, now, out);
		}
	};
	/**
	 * Whether a fire was skipped for {@link Firing#MAX_CONCURRENT_RUNS} and logged: logged once
	 * until one of its runs ends.
	 */
	boolean capLogged;

	/** The last answer to enabled() and interval(); {@code null} until the first. */
	Resolution resolution;
	/** The call of enabled()/interval() queued or in progress, with its time limit; {@code null} if none. */
	PluginCalls.Call call;
	/** The instant that {@code ?} fields take their value from, and the expression it belongs to. */
	Instant createdAt;
	String createdFor;

	JobState state;
	String reason;
	/** The interval of the running schedule; {@code null} when not scheduled. */
	Interval scheduled;
	/** The next fire time, UTC epoch ms; {@link #NONE} if none. */
	long nextFire = NONE;
	/**
	 * Whether {@link #nextFire} was just fired and the next one is still to be computed: the timer
	 * starts a burst of due runs first and computes their next fire times after.
	 */
	boolean nextPending;
	/** Fire times had since the service arrived or changed, for {@code scheduler.times}. */
	int fired;
	/** Whether the next schedule start may catch a missed fire time up ({@code cron.misfire=run-once}). */
	boolean catchUp = true;
	/**
	 * Whether the next schedule start counts the fire times missed since the last run as missed: set when
	 * its state record is loaded (the runtime or the plugin started, the store came back), not after a
	 * pause or a reset, whose gaps are an operator's choice.
	 */
	boolean countDowntime;

	Job(Plugin plugin, Settings settings, long seq, Instant createdAt) {
		this.plugin = plugin;
		this.settings = settings;
		this.seq = seq;
		this.createdAt = createdAt;
	}

	String name() {
		return settings.name();
	}
}
