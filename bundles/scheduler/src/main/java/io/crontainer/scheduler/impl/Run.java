package io.crontainer.scheduler.impl;

import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

import io.crontainer.api.runtime.CronRunDTO;

/**
 * A run of a plugin, queued or in progress. Mutable: fields are guarded by the scheduler's lock,
 * except {@link #finished}, a latch, and {@link #completion}, which is volatile.
 */
final class Run {
	final Job job;
	final String name;
	final RunRecord record;
	/** Completed with the finished run for a manual fire; {@code null} otherwise. */
	final CompletableFuture<CronRunDTO> done;
	/** Counted down when the run is over, whatever its outcome: departures and stop await it. */
	final CountDownLatch finished = new CountDownLatch(1);
	/** The worker thread while {@link #inRun}. */
	Thread thread;
	/** Whether the worker is inside the plugin's run(): only then may it be interrupted. */
	boolean inRun;
	/** When the run times out ({@code cron.timeout}); {@code null} for never. */
	Instant deadline;
	boolean timedOut;
	/** Why the run was asked to stop; {@code null} if it was not. */
	String interrupted;
	/**
	 * Set when a departure or stop awaited the run for the whole grace period in vain: it is not
	 * awaited again (a stop after a departure takes one grace period, not two), but it keeps its name
	 * until it returns, so the plugin never runs twice at once.
	 */
	volatile boolean abandoned;
	/** Completes {@link #done} outside the lock. */
	volatile Runnable completion;

	Run(Job job, String name, RunRecord record, CompletableFuture<CronRunDTO> done) {
		this.job = job;
		this.name = name;
		this.record = record;
		this.done = done;
	}
}
