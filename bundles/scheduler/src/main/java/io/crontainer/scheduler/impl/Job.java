package io.crontainer.scheduler.impl;

import java.time.Instant;
import java.time.ZonedDateTime;

import io.crontainer.api.runtime.JobState;
import io.crontainer.scheduler.impl.interval.Interval;

/**
 * One cron plugin service as the {@link Scheduler} tracks it. A mutable record: every field is
 * guarded by the scheduler's lock.
 */
final class Job {
	/** Arrival order: among duplicates, the earliest takes a name over. */
	final long seq;
	Plugin plugin;
	Settings settings;
	/** Incremented when the settings change or the plugin leaves: a late answer of an older call is dropped. */
	int generation;
	boolean gone;

	/** Whether it owns its name (else it is a duplicate). */
	boolean owner;
	/** The persisted state, loaded when it took its name; {@code null} when blocked or not owner. */
	RunState record;
	/** Why the state record cannot be read; {@code null} if it can. */
	String blocked;

	/** The last answer to enabled() and interval(); {@code null} until the first. */
	Resolution resolution;
	/** Whether a call of enabled()/interval() is queued or in progress. */
	boolean resolving;
	/** The plugin method being called ({@code "enabled()"}), for its time limit; {@code null} if none. */
	String calling;
	Instant callStarted;
	/** Whether the current call overran its time limit. */
	boolean overdue;
	/** The instant that {@code ?} fields take their value from, and the expression it belongs to. */
	Instant createdAt;
	String createdFor;

	JobState state;
	String reason;
	/** The interval of the running schedule; {@code null} when not scheduled. */
	Interval scheduled;
	ZonedDateTime nextFire;
	/** Fire times had since the service arrived or changed, for {@code scheduler.times}. */
	int fired;
	/** Whether the next schedule start may catch a missed fire time up ({@code cron.misfire=run-once}). */
	boolean catchUp = true;

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
