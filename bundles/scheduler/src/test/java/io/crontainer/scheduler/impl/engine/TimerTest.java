package io.crontainer.scheduler.impl.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.crontainer.scheduler.impl.testing.Await;
import io.crontainer.scheduler.impl.testing.MutableClock;

/**
 * The timer thread, with a real thread and a mutable wall clock: what wakes it, and what a wake-up
 * costs when nothing is due. Its bound on each sleep is 10 ms here (30 s in production), so that the
 * bounded wake-ups come often; the deadlines are hours away on the mutable clock.
 */
class TimerTest {
	private static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");
	private static final Duration BOUND = Duration.ofMillis(10);

	private final MutableClock clock = new MutableClock(T0);
	private final AtomicInteger ticks = new AtomicInteger();
	/** What each tick returns: the earliest deadline, an hour after the clock's instant. */
	private final java.util.function.Supplier<Instant> tick = () -> {
		ticks.incrementAndGet();
		return clock.instant().plus(Duration.ofHours(1));
	};
	private final Timer timer = new Timer(clock, tick, "test-timer", BOUND);

	@AfterEach
	void stop() {
		timer.stop();
	}

	@Test
	void aBoundedWakeUpBeforeTheDeadlineDoesNotTick() throws Exception {
		timer.start();
		Await.until("the first tick", () -> ticks.get() == 1);
		Await.until("five bounded wake-ups", () -> timer.idleWakeUps() >= 5);
		assertThat(ticks).as("nothing can be due before the deadline the tick returned").hasValue(1);
	}

	@Test
	void aSpuriousWakeUpDoesNotTickEither() throws Exception {
		timer.start();
		Await.until("the first tick", () -> ticks.get() == 1);
		long before = timer.idleWakeUps();
		LockSupport.unpark(timer.thread()); // as an unpark meant for someone else, or a spurious return
		Await.until("the wake-up seen", () -> timer.idleWakeUps() > before);
		assertThat(ticks).hasValue(1);
	}

	@Test
	void aWallClockSteppedPastTheDeadlineIsNoticedAtTheNextBoundedWakeUp() throws Exception {
		timer.start();
		Await.until("the first tick", () -> ticks.get() == 1);
		clock.set(T0.plus(Duration.ofHours(2))); // stepped forward: nothing wakes the timer but its bound
		Await.until("a tick once the bounded sleep ends", () -> ticks.get() == 2);
	}

	@Test
	void wakeTicksAtOnce() throws Exception {
		timer.start();
		Await.until("the first tick", () -> ticks.get() == 1);
		timer.wake(); // the due queue: a deadline came before the one the timer sleeps until
		Await.until("a tick at once", () -> ticks.get() == 2);
	}

	@Test
	void aWakeDuringATickIsNotLost() throws Exception {
		Timer waking = new Timer(clock, new java.util.function.Supplier<Instant>() {
			private int calls;

			@Override
			public Instant get() {
				if (++calls == 1) {
					TimerTest.this.timerWake(); // a deadline added while the tick goes on
				}
				return tick.get();
			}
		}, "test-timer-waking", BOUND);
		wakeTarget = waking;
		waking.start();
		try {
			Await.until("a second tick for the wake during the first", () -> ticks.get() == 2);
		} finally {
			waking.stop();
		}
	}

	private volatile Timer wakeTarget;

	private void timerWake() {
		wakeTarget.wake();
	}
}
