package io.crontainer.scheduler.impl.engine;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

import io.crontainer.api.runtime.CronLogDTO;
import io.crontainer.api.runtime.CronRunDTO;
import io.crontainer.api.runtime.Outcome;
import io.crontainer.api.runtime.Trigger;
import io.crontainer.scheduler.impl.runlog.RunLogBuffer;

/**
 * A run as the history keeps it. Written by the engine under its lock and, for the start of a run, by
 * the run's own thread; the fields are volatile so that the runtime view can copy a record into a
 * DTO outside the lock. {@link #outcome} is written last at each step, so a reader that sees
 * {@code RUNNING} sees the window too. Public for the runtime view, which only reads it
 * ({@link #outcome()}, {@link #toDTO()}).
 */
public final class RunRecord {
	private static final AtomicLong SEQUENCE = new AtomicLong();

	/** Orders records made in the same millisecond. */
	final long seq = SEQUENCE.getAndIncrement();
	final String name;
	final Trigger trigger;
	final Long scheduledFire;
	final String node;
	volatile Outcome outcome = Outcome.QUEUED;
	volatile Long windowStart;
	volatile Long windowEnd;
	volatile long started;
	volatile Long finished;
	volatile String error;
	/** Who asked for the run (a re-run window's); {@code null} if no one did. */
	volatile String requestedBy;
	/**
	 * The lines the run logs ({@code cron:log}): set by its run thread just before the plugin call,
	 * cleared once {@link Outcomes#end} handed the log to the store; {@code null} before and after, so
	 * that the history in memory holds no log.
	 */
	volatile RunLogBuffer log;
	/**
	 * The history entry of a re-run window's run, handed to the store with the window's progress
	 * ({@link Outcomes#handOver}) just before the run ends: {@link Outcomes#end} then hands the store
	 * nothing more. {@code null} otherwise.
	 */
	volatile CronRunDTO handed;

	RunRecord(String name, Trigger trigger, Instant scheduledFire, Instant now, String node) {
		this.name = name;
		this.trigger = trigger;
		this.scheduledFire = scheduledFire == null ? null : scheduledFire.toEpochMilli();
		this.started = now.toEpochMilli();
		this.node = node;
	}

	/** A run kept across a restart, as the store gave it back. */
	static RunRecord of(CronRunDTO dto) {
		RunRecord record = new RunRecord(dto.name, dto.trigger,
				dto.scheduledFire == null ? null : Instant.ofEpochMilli(dto.scheduledFire), Instant.ofEpochMilli(dto.started),
				dto.node);
		record.outcome = dto.outcome;
		record.windowStart = dto.windowStart;
		record.windowEnd = dto.windowEnd;
		record.finished = dto.finished;
		record.error = dto.error;
		record.requestedBy = dto.requestedBy;
		return record;
	}

	/** The run's outcome so far. */
	public Outcome outcome() {
		return outcome;
	}

	/** When the run started (or was fired, while queued), UTC epoch ms. */
	public long started() {
		return started;
	}

	/**
	 * The run's log as it is now, while the engine holds it: the lines so far of a run in progress
	 * ({@code running} true), or of a run that ended a moment ago whose log the store has not been
	 * handed yet; {@code null} otherwise (then the store has it). Any thread, no lock.
	 */
	public CronLogDTO liveLog() {
		RunLogBuffer buffer = log;
		return buffer == null ? null : buffer.snapshot(name, started, outcome == Outcome.RUNNING);
	}

	/** A copy as a DTO, made without any lock. */
	public CronRunDTO toDTO() {
		CronRunDTO dto = new CronRunDTO();
		dto.outcome = outcome;
		dto.name = name;
		dto.trigger = trigger;
		dto.windowStart = windowStart;
		dto.windowEnd = windowEnd;
		dto.scheduledFire = scheduledFire;
		dto.started = started;
		dto.finished = finished;
		dto.error = error;
		dto.node = node;
		dto.requestedBy = requestedBy;
		return dto;
	}
}
