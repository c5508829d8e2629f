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
 * It never polls: the due queue wakes it ({@link #wake()}) when a deadline earlier than its sleep is
 * added. The only bounded wake-up is every {@link #MAX_WAIT}, so that a system clock stepped forward
 * is noticed in time (waits are measured on the monotonic clock, deadlines on the wall clock); such a
 * wake-up only reads the wall clock and, if the deadline it sleeps until has not come and nothing woke
 * it, parks again without a tick (a few microseconds, no lock, no allocation). Thread-safe.
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
	private final long maxWaitNanos;
	private volatile boolean stopped;
	/** Whether {@link #wake()} was called since the last tick began: the next wake-up ticks. */
	private volatile boolean woken;
	/** Bounded or spurious wake-ups that found the deadline not come, nothing woken, and parked again (tests). */
	private volatile long idleWakeUps;

	/**
	 * @param tick Does what is due and returns the instant it wants to be called next (the earliest
	 *        deadline), having told the due queue that the timer sleeps until then; {@code null} once
	 *        the engine stopped.
	 */
	public Timer(Clock clock, Supplier<Instant> tick, String threadName) {
		this(clock, tick, threadName, MAX_WAIT);
	}

	/** As {@link #Timer(Clock, Supplier, String)}, with another bound of each sleep (tests). */
	Timer(Clock clock, Supplier<Instant> tick, String threadName, Duration maxWait) {
		this.clock = clock;
		this.tick = tick;
		this.maxWaitNanos = maxWait.toNanos();
		this.thread = new Thread(this, threadName);
		this.thread.setDaemon(true);
	}

	/**
	 * Makes the timer tick at once (a deadline came before the one it sleeps until). Any thread;
	 * neither blocks nor calls out, so the due queue calls it with the engine's lock held.
	 */
	public void wake() {
		woken = true;
		LockSupport.unpark(thread);
	}

	/** How many wake-ups found nothing to do and parked again without a tick (tests). */
	long idleWakeUps() {
		return idleWakeUps;
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
			woken = false; // before the tick: a wake() during it makes the park below return at once
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
			sleepUntil(next.getEpochSecond(), next.getNano());
		}
	}

	/**
	 * Parks until the wall clock reaches the deadline, {@link #wake()} is called or the timer stops, at
	 * most {@link #MAX_WAIT} at a time. Wakes up early on unpark or spuriously; then, if the deadline has
	 * not come and nothing woke it, it parks again: nothing can be due before the deadline the tick
	 * returned unless a wake() said so, so a tick would find nothing.
	 */
	private void sleepUntil(long seconds, int nanos) {
		boolean again = false;
		while (!stopped && !woken) {
			Instant now = clock.instant();
			long left = seconds - now.getEpochSecond();
			long wait = left > maxWaitNanos / 1_000_000_000L ? maxWaitNanos
					: Math.min(maxWaitNanos, left * 1_000_000_000L + nanos - now.getNano());
			if (wait <= 0) {
				return; // the deadline came (or the wall clock was stepped past it)
			}
			if (again) {
				idleWakeUps++; // this thread only writes it
			}
			again = true;
			LockSupport.parkNanos(this, wait);
		}
	}
}
