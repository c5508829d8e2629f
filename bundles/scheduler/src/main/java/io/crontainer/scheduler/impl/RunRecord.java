package io.crontainer.scheduler.impl;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

import io.crontainer.api.runtime.CronRunDTO;
import io.crontainer.api.runtime.Outcome;
import io.crontainer.api.runtime.Trigger;

/** A run as the history keeps it. Mutable: fields are guarded by the scheduler's lock. */
final class RunRecord {
	private static final AtomicLong SEQUENCE = new AtomicLong();

	/** Orders records made in the same millisecond. */
	final long seq = SEQUENCE.getAndIncrement();
	final String name;
	final Trigger trigger;
	final Long scheduledFire;
	Outcome outcome = Outcome.QUEUED;
	Long windowStart;
	Long windowEnd;
	long started;
	Long finished;
	String error;

	RunRecord(String name, Trigger trigger, Instant scheduledFire, Instant now) {
		this.name = name;
		this.trigger = trigger;
		this.scheduledFire = scheduledFire == null ? null : scheduledFire.toEpochMilli();
		this.started = now.toEpochMilli();
	}

	CronRunDTO toDTO() {
		CronRunDTO dto = new CronRunDTO();
		dto.name = name;
		dto.trigger = trigger;
		dto.outcome = outcome;
		dto.windowStart = windowStart;
		dto.windowEnd = windowEnd;
		dto.scheduledFire = scheduledFire;
		dto.started = started;
		dto.finished = finished;
		dto.error = error;
		return dto;
	}
}
