package io.crontainer.scheduler.impl;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The timer thread: calls {@link Scheduler#tick()} when it is due and sleeps in between.
 *
 * <p>
 * It waits on a monitor until the instant the scheduler asked for, or until {@link #wakeup()} says
 * that instant may have moved earlier. It never polls: the only bounded wake-up is every
 * {@link #MAX_WAIT} so that a system clock stepped forward is noticed in time (waits are measured
 * on the monotonic clock, fire times on the wall clock). Thread-safe.
 */
final class Timer implements Runnable {
	/** The longest wait, so that a stepped wall clock is noticed. */
	static final Duration MAX_WAIT = Duration.ofSeconds(10);

	private static final Logger LOG = LoggerFactory.getLogger(Timer.class);

	private final Clock clock;
	private final Supplier<Instant> tick;
	private final Thread thread;
	private boolean signalled; // guarded by this
	private volatile boolean stopped;

	Timer(Clock clock, Supplier<Instant> tick, String threadName) {
		this.clock = clock;
		this.tick = tick;
		this.thread = new Thread(this, threadName);
		this.thread.setDaemon(true);
	}

	void start() {
		thread.start();
	}

	/** The next instant to tick may have moved earlier: look again. */
	void wakeup() {
		synchronized (this) {
			signalled = true;
			notifyAll();
		}
	}

	/** Stops the thread and waits for it to end. */
	void stop() {
		stopped = true;
		thread.interrupt();
		try {
			thread.join(MAX_WAIT.toMillis());
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
	}

	@Override
	public void run() {
		while (!stopped) {
			Instant next;
			try {
				next = tick.get();
			} catch (RuntimeException | Error e) {
				LOG.error("The scheduler's timer failed; it goes on", e);
				next = clock.instant().plusSeconds(1);
			}
			if (next == null) {
				return;
			}
			long millis = Math.min(MAX_WAIT.toMillis(), Duration.between(clock.instant(), next).toMillis() + 1);
			synchronized (this) {
				try {
					if (!signalled && millis > 0 && !stopped) {
						wait(millis);
					}
				} catch (InterruptedException e) {
					if (stopped) {
						return;
					}
				}
				signalled = false;
			}
		}
	}
}
