package io.crontainer.scheduler.impl.engine;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The timer thread ({@code crontainer-timer}): calls the engine's tick when the earliest deadline of
 * the {@link DueQueue} comes, and parks in between. It only dispatches: runs go to the
 * {@link RunPool}, plugin calls to the call pool, never to this thread.
 *
 * <p>
 * It never polls: the due queue unparks it when a deadline earlier than its sleep is added. The only
 * bounded wake-up is every {@link #MAX_WAIT}, so that a system clock stepped forward is noticed in
 * time (waits are measured on the monotonic clock, deadlines on the wall clock); such a wake-up finds
 * nothing due and costs a few microseconds. Thread-safe.
 */
public final class Timer implements Runnable {
	/**
	 * The longest sleep, so that a wall clock stepped forward is noticed: within 30 s, half the misfire
	 * threshold. Each such wake-up finds nothing due; two a minute cost well under a millisecond of CPU.
	 */
	static final Duration MAX_WAIT = Duration.ofSeconds(30);

	private static final Logger LOG = LoggerFactory.getLogger(Timer.class);

	private final Clock clock;
	private final Supplier<Instant> tick;
	private final Thread thread;
	private volatile boolean stopped;

	/**
	 * @param tick Does what is due and returns the instant it wants to be called next (the earliest
	 *        deadline), having told the due queue that the timer sleeps until then; {@code null} once
	 *        the engine stopped.
	 */
	public Timer(Clock clock, Supplier<Instant> tick, String threadName) {
		this.clock = clock;
		this.tick = tick;
		this.thread = new Thread(this, threadName);
		this.thread.setDaemon(true);
	}

	public Thread thread() {
		return thread;
	}

	public void start() {
		thread.start();
	}

	/** Stops the thread and waits for it to end. */
	public void stop() {
		stopped = true;
		LockSupport.unpark(thread);
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
			long nanos = Math.min(MAX_WAIT.toNanos(), Duration.between(clock.instant(), next).toNanos());
			if (nanos > 0 && !stopped) {
				// Wakes at the deadline, on unpark (an earlier deadline was added), or spuriously: all
				// three just tick again.
				LockSupport.parkNanos(this, nanos);
			}
		}
	}
}
