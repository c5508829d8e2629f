package io.crontainer.scheduler.impl;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.crontainer.api.CronPlugin;

/**
 * The timer calls {@link Scheduler#tick()} and then waits until the instant it returns, unless it is
 * woken up. A tick that woke the timer itself would make it tick again at once, for ever: a busy loop
 * that the benchmark's idle scenario measured at a third of a core with nothing due.
 */
class SchedulerWakeupTest {

	@TempDir
	Path dir;

	@Test
	void aTickWithNothingDueDoesNotWakeTheTimer() throws Exception {
		MutableClock clock = new MutableClock(Instant.parse("2026-03-02T10:00:30Z"));
		AtomicInteger wakeups = new AtomicInteger();
		Scheduler scheduler = new Scheduler(clock, Runnable::run, Scheduler.Calls.of(Runnable::run), new StateStore(dir.resolve("state")),
				new Scheduler.Options(ZoneId.of("UTC"), Duration.ofMinutes(5), Duration.ofSeconds(10), Duration.ofSeconds(5), 10, 2),
				wakeups::incrementAndGet);
		try {
			scheduler.add(new Plugin(1, 7, "test.bundle", Map.of(CronPlugin.NAME, "hourly"), new TestPlugin("0 * * * *")));
			wakeups.set(0);

			Instant next = scheduler.tick();

			assertThat(next).isEqualTo(Instant.parse("2026-03-02T10:05:30Z")); // the re-check, before 11:00
			assertThat(wakeups).hasValue(0);
		} finally {
			scheduler.stop();
		}
	}
}
