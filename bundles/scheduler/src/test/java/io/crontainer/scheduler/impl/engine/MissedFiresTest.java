package io.crontainer.scheduler.impl.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.crontainer.api.CronPlugin;
import io.crontainer.api.runtime.CronJobDTO;
import io.crontainer.scheduler.impl.store.LocalStateStore;
import io.crontainer.scheduler.impl.testing.ManualExecutor;
import io.crontainer.scheduler.impl.testing.MutableClock;
import io.crontainer.scheduler.impl.testing.TestPlugin;
import io.crontainer.scheduler.impl.view.RuntimeView;
import io.crontainer.scheduler.impl.whiteboard.Plugin;

/**
 * Missed fire times per plugin ({@code CronJobDTO.missedFires}): late beyond the misfire grace, skipped
 * while busy, passed while the runtime was down; not after a pause. Driven by the mutable clock and
 * the executor the test controls.
 */
class MissedFiresTest {
	private static final Instant T0 = Instant.parse("2026-03-02T10:00:30Z");

	@TempDir
	Path dir;

	MutableClock clock;
	ManualExecutor workers;
	LocalStateStore store;
	Scheduler scheduler;
	RuntimeView view;

	@BeforeEach
	void setUp() throws Exception {
		clock = new MutableClock(T0);
		workers = new ManualExecutor();
		store = new LocalStateStore(dir.resolve("state"));
		start();
	}

	@AfterEach
	void tearDown() {
		scheduler.stop();
		store.close();
	}

	private void start() {
		scheduler = new Scheduler(clock, workers, PluginCalls.Calls.of(Runnable::run), store,
				new Scheduler.Options(ZoneId.of("UTC"), Duration.ofDays(1), Duration.ofSeconds(10), Duration.ofSeconds(5),
						10),
				() -> {
				});
		view = new RuntimeView(scheduler.operations());
	}

	/** The runtime stops (its runs are over) and starts again on the same state directory, later. */
	private void restartAt(String instant) throws Exception {
		scheduler.stop();
		store.close();
		clock.set(Instant.parse(instant));
		store = new LocalStateStore(dir.resolve("state"));
		start();
	}

	private TestPlugin add(long id, String name, String interval, Object... more) {
		TestPlugin service = new TestPlugin(interval);
		Map<String, Object> properties = new HashMap<>();
		properties.put(CronPlugin.NAME, name);
		for (int i = 0; i < more.length; i += 2) {
			properties.put((String) more[i], more[i + 1]);
		}
		scheduler.add(new Plugin(id, 7, "test.bundle", properties, service));
		settle();
		return service;
	}

	private void settle() {
		do {
			workers.runAll();
			store.sync();
		} while (workers.pending() > 0);
	}

	private void at(String instant) {
		clock.set(Instant.parse(instant));
		scheduler.tick();
		settle();
	}

	private CronJobDTO job(String name) {
		return view.getJob(name);
	}

	private static long millis(String instant) {
		return Instant.parse(instant).toEpochMilli();
	}

	@Test
	void runsOnTimeMissNothing() {
		add(1, "punctual", "* * * * *");
		at("2026-03-02T10:01:00.010Z");
		at("2026-03-02T10:02:00.020Z");
		assertThat(job("punctual").missedFires).isZero();
		assertThat(job("punctual").lastMissedFire).isNull();
		assertThat(job("punctual").runCount).isEqualTo(2);
	}

	@Test
	void fireTimesPassedBeyondTheGraceAreMissedWhateverTheMisfirePolicy() {
		add(1, "skip", "* * * * *");
		TestPlugin once = add(2, "once", "* * * * *", CronPlugin.MISFIRE, CronPlugin.MISFIRE_RUN_ONCE);
		at("2026-03-02T10:05:30Z"); // 10:01 .. 10:05 passed; the timer comes 4.5 min after the first

		for (String name : new String[] { "skip", "once" }) {
			assertThat(job(name).missedFires).as(name).isEqualTo(5);
			assertThat(job(name).lastMissedFire).as(name).isEqualTo(millis("2026-03-02T10:05:00Z"));
		}
		assertThat(once.windows).as("the catch-up run covers the gap, as before").hasSize(1);
		assertThat(once.windows.get(0)[0]).isEqualTo(CronPlugin.EPOCH);
	}

	@Test
	void aFireTimeWithinTheGraceIsNotMissed() {
		add(1, "late", "* * * * *");
		at("2026-03-02T10:01:59Z"); // 59 s late: it runs
		assertThat(job("late").missedFires).isZero();
		assertThat(job("late").runCount).isEqualTo(1);
	}

	@Test
	void aFireTimeSkippedWhileThePreviousRunGoesOnIsMissed() {
		add(1, "busy", "* * * * *");
		clock.set(Instant.parse("2026-03-02T10:01:00Z"));
		scheduler.tick(); // queued: the name is held
		clock.set(Instant.parse("2026-03-02T10:02:00Z"));
		scheduler.tick();
		settle();
		assertThat(job("busy").missedFires).isEqualTo(1);
		assertThat(job("busy").lastMissedFire).isEqualTo(millis("2026-03-02T10:02:00Z"));
	}

	@Test
	void fireTimesPassedWhileTheRuntimeWasDownAreCountedAtStart() throws Exception {
		add(1, "nightly", "0 * * * *");
		at("2026-03-02T11:00:00.005Z");
		assertThat(job("nightly").missedFires).isZero();

		restartAt("2026-03-02T15:30:00Z"); // down from 11:00 to 15:30: 12:00, 13:00, 14:00, 15:00 passed
		TestPlugin p = add(1, "nightly", "0 * * * *");
		assertThat(job("nightly").missedFires).isEqualTo(4);
		assertThat(job("nightly").lastMissedFire).isEqualTo(millis("2026-03-02T15:00:00Z"));
		at("2026-03-02T16:00:00Z");
		assertThat(p.windows.get(0)).as("the next window still covers the gap")
				.containsExactly(Instant.parse("2026-03-02T11:00:00.005Z"), Instant.parse("2026-03-02T16:00:00Z"));
		assertThat(job("nightly").missedFires).isEqualTo(4);
	}

	@Test
	void aFailedRunIsNotMissedAtTheNextStart() throws Exception {
		TestPlugin p = add(1, "flaky", "0 * * * *");
		at("2026-03-02T11:00:00Z");
		p.failure = new IllegalStateException("down");
		at("2026-03-02T12:00:00Z"); // ran and failed: its window end stays 11:00
		restartAt("2026-03-02T12:30:00Z");
		add(1, "flaky", "0 * * * *");
		assertThat(job("flaky").missedFires).as("12:00 ran (and failed): not missed").isZero();
	}

	@Test
	void theCountAtStartIsCapped() throws Exception {
		add(1, "minutely", "* * * * *");
		at("2026-03-02T10:01:00Z");
		restartAt("2026-03-03T10:01:00Z"); // a day: 1,440 fire times
		add(1, "minutely", "* * * * *");
		assertThat(job("minutely").missedFires).isEqualTo(Schedules.MISSED_AT_START_MAX);
	}

	@Test
	void aPluginThatNeverRanMissedNothingAtStart() throws Exception {
		add(1, "fresh", "* * * * *");
		assertThat(job("fresh").missedFires).isZero();
	}

	@Test
	void aPluginPausedAcrossARestartMissedNothingWhenResumed() throws Exception {
		add(1, "held", "* * * * *");
		at("2026-03-02T10:01:00Z");
		view.pause("held");
		settle();
		restartAt("2026-03-02T12:00:30Z");
		add(1, "held", "* * * * *");
		clock.set(Instant.parse("2026-03-02T13:00:30Z"));
		view.resume("held");
		settle();
		at("2026-03-02T13:01:00Z");
		assertThat(job("held").missedFires).isZero();
		assertThat(job("held").runCount).isEqualTo(1);
	}

	@Test
	void fireTimesWhilePausedAreNotMissed() {
		add(1, "paused", "* * * * *");
		at("2026-03-02T10:01:00Z");
		view.pause("paused");
		settle();
		at("2026-03-02T10:10:30Z");
		view.resume("paused");
		settle();
		at("2026-03-02T10:11:00Z");
		assertThat(job("paused").missedFires).isZero();
		assertThat(job("paused").runCount).isEqualTo(2);
	}

	@Test
	void aFireTimeCountsAsMissedOnlyOnceMoreThanTheThresholdHasPassedToTheNanosecond() {
		for (long fire : new long[] {1_700_000_000_123L, -1_500L}) { // and before the epoch
			Instant threshold = Instant.ofEpochMilli(fire).plus(Schedules.MISFIRE_THRESHOLD);
			for (Instant now : new Instant[] {threshold.minusNanos(1), threshold, threshold.plusNanos(1),
					threshold.plusNanos(999_999), threshold.plusMillis(1), Instant.ofEpochMilli(fire)}) {
				assertThat(Schedules.missed(fire, now)).as("%s after %s", now, Instant.ofEpochMilli(fire))
						.isEqualTo(java.time.Duration.between(Instant.ofEpochMilli(fire), now)
								.compareTo(Schedules.MISFIRE_THRESHOLD) > 0);
			}
			assertThat(Schedules.missed(fire, threshold)).isFalse();
			assertThat(Schedules.missed(fire, threshold.plusNanos(1))).isTrue();
		}
	}
}
