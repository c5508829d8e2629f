package io.crontainer.scheduler.impl.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.crontainer.api.CronPlugin;
import io.crontainer.api.runtime.CronJobDTO;
import io.crontainer.api.runtime.CronRunDTO;
import io.crontainer.api.runtime.EngineDTO;
import io.crontainer.api.runtime.JobState;
import io.crontainer.api.runtime.Outcome;
import io.crontainer.api.runtime.Trigger;
import io.crontainer.scheduler.impl.store.LocalStateStore;
import io.crontainer.scheduler.impl.testing.Await;
import io.crontainer.scheduler.impl.testing.FailingStore;
import io.crontainer.scheduler.impl.testing.LogCapture;
import io.crontainer.scheduler.impl.testing.ManualExecutor;
import io.crontainer.scheduler.impl.testing.MutableClock;
import io.crontainer.scheduler.impl.testing.TestPlugin;
import io.crontainer.scheduler.impl.view.RuntimeView;
import io.crontainer.scheduler.impl.whiteboard.Plugin;
import io.crontainer.store.api.Claim;
import io.crontainer.store.api.ClaimResult;
import io.crontainer.store.api.CorruptStateException;
import io.crontainer.store.api.RunState;
import io.crontainer.store.api.StateStore;
import io.crontainer.store.api.StoreUnavailableException;

/**
 * The scheduler core, driven by a mutable clock and executors the test controls: no thread waits for
 * real time, except where a run must really be interrupted.
 */
class SchedulerTest {
	private static final Instant T0 = Instant.parse("2026-03-02T10:00:30Z");
	private static final ZoneId UTC = ZoneId.of("UTC");

	@TempDir
	Path dir;

	MutableClock clock;
	ManualExecutor workers;
	LocalStateStore store;
	Scheduler scheduler;
	RuntimeView view;
	ExecutorService threads;

	@BeforeEach
	void setUp() throws Exception {
		clock = new MutableClock(T0);
		workers = new ManualExecutor();
		store = new LocalStateStore(dir.resolve("state"));
		scheduler = newScheduler(workers, PluginCalls.Calls.of(Runnable::run));
	}

	@AfterEach
	void tearDown() {
		scheduler.stop();
		store.close();
		if (threads != null) {
			threads.shutdownNow();
		}
	}

	private static Scheduler.Options options(Duration grace) {
		return new Scheduler.Options(UTC, Duration.ofMinutes(5), Duration.ofSeconds(10), grace, 10);
	}

	private Scheduler newScheduler(java.util.concurrent.Executor runs, PluginCalls.Calls pluginCalls) {
		return newScheduler(runs, pluginCalls, store);
	}

	private Scheduler newScheduler(java.util.concurrent.Executor runs, PluginCalls.Calls pluginCalls, StateStore s) {
		Scheduler created = new Scheduler(clock, runs, pluginCalls, s, options(Duration.ofSeconds(5)), () -> {
		});
		view = new RuntimeView(created.operations());
		return created;
	}

	/** Writes a record as an operator's reset and pause would. */
	private void write(String name, Instant lastEnd, boolean paused) throws Exception {
		store.reset(name, lastEnd);
		store.setPaused(name, paused);
	}

	/** Runs what the test's executor holds, and what the commits it caused queue, until nothing is left. */
	private void settle() {
		do {
			workers.runAll();
			store.sync();
		} while (workers.pending() > 0);
	}

	private static Plugin plugin(long id, CronPlugin service, Object... properties) {
		Map<String, Object> map = new HashMap<>();
		for (int i = 0; i < properties.length; i += 2) {
			map.put((String) properties[i], properties[i + 1]);
		}
		return new Plugin(id, 7, "test.bundle", map, service);
	}

	private TestPlugin add(long id, String name, String interval, Object... more) {
		TestPlugin service = new TestPlugin(interval);
		Object[] properties = new Object[more.length + 2];
		properties[0] = CronPlugin.NAME;
		properties[1] = name;
		System.arraycopy(more, 0, properties, 2, more.length);
		scheduler.add(plugin(id, service, properties));
		return service;
	}

	/** Moves the clock to an instant, ticks, and runs what was fired, commits included. */
	private void at(String instant) {
		clock.set(Instant.parse(instant));
		scheduler.tick();
		settle();
	}


	private CronJobDTO job(String name) {
		return view.getJob(name);
	}

	// ------------------------------------------------------------------ windows

	@Test
	void firstWindowStartsAtTheEpochAndWindowsTile() throws Exception {
		TestPlugin p = add(1, "tiles", "* * * * *");
		assertThat(job("tiles").state).isEqualTo(JobState.SCHEDULED);
		assertThat(job("tiles").nextFire).isEqualTo(Instant.parse("2026-03-02T10:01:00Z").toEpochMilli());

		at("2026-03-02T10:00:59.999Z");
		assertThat(p.windows).isEmpty();

		at("2026-03-02T10:01:00.004Z");
		at("2026-03-02T10:02:00.010Z");
		at("2026-03-02T10:03:00.002Z");

		assertThat(p.windows).hasSize(3);
		assertThat(p.windows.get(0)).containsExactly(Instant.EPOCH, Instant.parse("2026-03-02T10:01:00.004Z"));
		for (int i = 1; i < p.windows.size(); i++) {
			assertThat(p.windows.get(i)[0]).isEqualTo(p.windows.get(i - 1)[1]);
			assertThat(p.windows.get(i)[1]).isAfter(p.windows.get(i)[0]);
		}
		assertThat(store.read("tiles").lastEnd()).isEqualTo(Instant.parse("2026-03-02T10:03:00.002Z"));
		assertThat(job("tiles").lastRun.outcome).isEqualTo(Outcome.SUCCEEDED);
		assertThat(job("tiles").nextFire).isEqualTo(Instant.parse("2026-03-02T10:04:00Z").toEpochMilli());
	}

	@Test
	void aFailedWindowIsRetriedByTheNextRun() throws Exception {
		TestPlugin p = add(1, "flaky", "* * * * *");
		at("2026-03-02T10:01:00Z");
		p.failure = new IllegalStateException("database down");
		at("2026-03-02T10:02:00Z");
		p.failure = null;
		at("2026-03-02T10:03:00Z");

		assertThat(p.windows).hasSize(3);
		assertThat(p.windows.get(1)[0]).isEqualTo(Instant.parse("2026-03-02T10:01:00Z"));
		assertThat(p.windows.get(2)).containsExactly(Instant.parse("2026-03-02T10:01:00Z"),
				Instant.parse("2026-03-02T10:03:00Z"));
		List<CronRunDTO> history = view.getHistory("flaky", 10);
		assertThat(history).extracting(r -> r.outcome).containsExactly(Outcome.SUCCEEDED, Outcome.FAILED,
				Outcome.SUCCEEDED);
		assertThat(history.get(1).error).isEqualTo("java.lang.IllegalStateException: database down");
	}

	@Test
	void aBurstLargerThanABatchFiresEveryJobOnceAndGivesEachItsNextFireTime() throws Exception {
		int count = 3 * Scheduler.TICK_BATCH + 5; // fired, then given their next fire times, a batch per hold of the lock
		List<TestPlugin> plugins = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			plugins.add(add(i + 1, "burst-" + i, "* * * * *"));
		}
		at("2026-03-02T10:01:00.002Z");
		for (int i = 0; i < count; i++) {
			assertThat(plugins.get(i).windows).as("burst-" + i).hasSize(1);
			assertThat(job("burst-" + i).nextFire).as("burst-" + i)
					.isEqualTo(Instant.parse("2026-03-02T10:02:00Z").toEpochMilli());
			assertThat(job("burst-" + i).state).isEqualTo(JobState.SCHEDULED);
		}
		at("2026-03-02T10:02:00.002Z");
		assertThat(plugins).allSatisfy(p -> assertThat(p.windows).hasSize(2));
	}

	@Test
	void aFireWhileRunningIsSkippedAndRecorded() throws Exception {
		TestPlugin p = add(1, "slow", "* * * * *");
		clock.set(Instant.parse("2026-03-02T10:01:00Z"));
		scheduler.tick(); // queued, not run: the plugin counts as running
		assertThat(job("slow").running).isTrue();
		clock.set(Instant.parse("2026-03-02T10:02:00Z"));
		scheduler.tick();
		assertThatThrownBy(() -> view.fire("slow")).isInstanceOf(IllegalStateException.class)
				.hasMessageContaining("running already");
		settle();

		assertThat(p.windows).hasSize(1);
		List<CronRunDTO> history = view.getHistory("slow", 10);
		assertThat(history).extracting(r -> r.outcome).containsExactly(Outcome.SKIPPED, Outcome.SUCCEEDED);
		assertThat(history.get(0).scheduledFire).isEqualTo(Instant.parse("2026-03-02T10:02:00Z").toEpochMilli());
		assertThat(history.get(0).error).contains("still going");
	}

	@Test
	void aClockThatWentBackwardsSkipsTheRun() throws Exception {
		write("back", Instant.parse("2026-03-02T11:00:00Z"), false);
		TestPlugin p = add(1, "back", "* * * * *");
		at("2026-03-02T10:01:00Z");
		assertThat(p.windows).isEmpty();
		assertThat(job("back").lastRun.outcome).isEqualTo(Outcome.SKIPPED);
		assertThat(job("back").lastRun.error).contains("went backwards");
		assertThat(store.read("back").lastEnd()).isEqualTo(Instant.parse("2026-03-02T11:00:00Z"));
	}

	@Test
	void stateSurvivesARestartOfTheScheduler() throws Exception {
		TestPlugin p = add(1, "durable", "* * * * *");
		at("2026-03-02T10:01:00Z");
		scheduler.stop();

		scheduler = newScheduler(workers, PluginCalls.Calls.of(Runnable::run));
		TestPlugin again = add(2, "durable", "* * * * *");
		at("2026-03-02T10:02:00Z");
		assertThat(p.windows).hasSize(1);
		assertThat(again.windows.get(0)).containsExactly(Instant.parse("2026-03-02T10:01:00Z"),
				Instant.parse("2026-03-02T10:02:00Z"));
	}

	@Test
	void anUnavailableStoreRunsNothingWithoutAClaimAndIsRetried() throws Exception {
		FailingStore failing = new FailingStore(store);
		scheduler.stop();
		scheduler = newScheduler(workers, PluginCalls.Calls.of(Runnable::run), failing);
		TestPlugin known = add(1, "known", "* * * * *"); // its record was read while the store answered
		failing.unavailable = true;
		TestPlugin late = add(2, "late", "* * * * *");
		assertThat(job("late").state).isEqualTo(JobState.UNAVAILABLE);
		assertThat(job("late").reason).contains("state store is unavailable").contains("connection refused")
				.contains("retrying every 10 s");

		at("2026-03-02T10:01:00Z");
		assertThat(known.windows).as("no run without a claim").isEmpty();
		assertThat(job("known").lastRun.outcome).isEqualTo(Outcome.SKIPPED);
		assertThat(job("known").lastRun.error).contains("could not be claimed").contains("connection refused");

		failing.unavailable = false;
		at("2026-03-02T10:01:10Z"); // the next attempt to load the record
		assertThat(job("late").state).isEqualTo(JobState.SCHEDULED);
		at("2026-03-02T10:02:00Z");
		assertThat(known.windows).hasSize(1);
		assertThat(known.windows.get(0)[0]).as("the skipped fire cost no window").isEqualTo(Instant.EPOCH);
		assertThat(late.windows).hasSize(1);
	}

	@Test
	void aRunWhoseWindowCannotBeSavedFails() throws Exception {
		FailingStore failing = new FailingStore(store);
		scheduler.stop();
		scheduler = newScheduler(workers, PluginCalls.Calls.of(Runnable::run), failing);
		TestPlugin p = add(1, "unsaved", "* * * * *");
		failing.failCommits = true;
		at("2026-03-02T10:01:00Z");
		assertThat(p.windows).hasSize(1);
		assertThat(job("unsaved").lastRun.outcome).isEqualTo(Outcome.FAILED);
		assertThat(job("unsaved").lastRun.error).contains("could not be saved").contains("disk full");
		assertThat(job("unsaved").lastEnd).isNull();
		assertThat(job("unsaved").failureCount).isEqualTo(1);
		assertThat(job("unsaved").consecutiveFailures).isEqualTo(1);
		failing.failCommits = false;
		at("2026-03-02T10:02:00Z");
		assertThat(p.windows.get(1)[0]).isEqualTo(Instant.EPOCH);
		assertThat(job("unsaved").lastEnd).isEqualTo(Instant.parse("2026-03-02T10:02:00Z").toEpochMilli());
		assertThat(job("unsaved").consecutiveFailures).isZero();
		assertThat(job("unsaved").runCount).isEqualTo(2);
	}

	@Test
	void aNewStateDirectoryIsReadLiveAndAQueuedRunNeverGuessesAWindow() throws Exception {
		TestPlugin p = add(1, "moved", "* * * * *");
		clock.set(Instant.parse("2026-03-02T10:01:00Z"));
		scheduler.tick(); // queued
		Path otherDir = Files.createDirectories(dir.resolve("other"));
		Files.writeString(otherDir.resolve(LocalStateStore.JOURNAL), "# Crontainer run state journal, format 2\n"
				+ "moved\t1\tgarbage\tfalse\t\t\t00000000\n");
		LocalStateStore other = new LocalStateStore(otherDir);
		try {
			scheduler.configure(options(Duration.ofSeconds(5)), other);
			workers.runAll();
			other.sync();
			workers.runAll();
			assertThat(job("moved").state).isEqualTo(JobState.BLOCKED);
			assertThat(p.windows).isEmpty();
			assertThat(job("moved").lastRun.outcome).isEqualTo(Outcome.SKIPPED);
			assertThat(job("moved").lastRun.error).contains("cannot be read");
		} finally {
			other.close();
		}
	}

	@Test
	void theTimerIsWokenOnlyWhenSomethingIsDueBeforeItWakesAnyway() {
		java.util.concurrent.atomic.AtomicInteger wakeups = new java.util.concurrent.atomic.AtomicInteger();
		scheduler.waker(wakeups::incrementAndGet);
		// Until the earliest deadline, the re-check; the timer itself bounds each sleep by Timer.MAX_WAIT.
		assertThat(scheduler.tick()).isEqualTo(T0.plus(Duration.ofMinutes(5)));
		assertThat(wakeups).hasValue(0);
		// Intervals from service properties: no plugin call, whose time limit would be due too.
		add(1, "daily", "-", CronPlugin.ENABLED, true, CronPlugin.INTERVAL, "0 3 * * *");
		assertThat(wakeups).as("due after the timer wakes anyway: it need not wake").hasValue(0);
		add(2, "secondly", "-", CronPlugin.ENABLED, true, CronPlugin.INTERVAL, "* * * * * ?");
		assertThat(wakeups).as("due at 10:00:31, before the re-check at 10:05:30: wake it").hasValue(1);
		add(3, "also-secondly", "-", CronPlugin.ENABLED, true, CronPlugin.INTERVAL, "* * * * * ?");
		assertThat(wakeups).as("the timer is awake: it will see it").hasValue(1);
		assertThat(scheduler.tick()).isEqualTo(Instant.parse("2026-03-02T10:00:31Z"));
		add(4, "minutely", "-", CronPlugin.ENABLED, true, CronPlugin.INTERVAL, "* * * * *");
		assertThat(wakeups).as("due at 10:01, after 10:00:31").hasValue(1);
		add(5, "asked", "* * * * *");
		assertThat(wakeups).as("its call is answered inline: nothing earlier").hasValue(1);
	}

	@Test
	void theNextFireTimesOfABurstWaitUntilItsRunsHaveAThread() {
		add(1, "p", "-", CronPlugin.INTERVAL, "* * * * *");
		long fired = Instant.parse("2026-03-02T10:01:00Z").toEpochMilli();
		java.util.List<Long> seen = new java.util.ArrayList<>();
		// The run pool says that runs wait twice, then that they have a thread.
		scheduler.runsWaiting(() -> {
			seen.add(view.getJob("p").nextFire);
			return seen.size() <= 2;
		}, nanos -> {
			// the pool's thread that takes the run wakes the timer
		});
		clock.set(Instant.ofEpochMilli(fired));
		scheduler.tick();
		assertThat(workers.pending()).as("the run was handed over first").isEqualTo(1);
		assertThat(seen).as("while the run waited, its next fire time was not computed").containsExactly(fired, fired,
				fired);
		assertThat(view.getJob("p").nextFire).isEqualTo(Instant.parse("2026-03-02T10:02:00Z").toEpochMilli());
		settle();
		assertThat(view.getJob("p").lastRun.outcome).isEqualTo(io.crontainer.api.runtime.Outcome.SUCCEEDED);
		assertThat(view.getJob("p").missedFires).isZero();
	}

	@Test
	void runsThatWaitForEverPutOffNextFireTimesOnlySoLong() {
		add(1, "p", "-", CronPlugin.INTERVAL, "* * * * *");
		scheduler.runsWaiting(() -> true, java.util.concurrent.locks.LockSupport::parkNanos); // every run thread busy, for good
		clock.set(Instant.parse("2026-03-02T10:01:00Z"));
		assertThat(scheduler.tick()).as("the timer goes to sleep until the next fire time")
				.isEqualTo(Instant.parse("2026-03-02T10:02:00Z"));
		assertThat(view.getJob("p").nextFire).isEqualTo(Instant.parse("2026-03-02T10:02:00Z").toEpochMilli());
	}

	@Test
	void aDeadlineScheduledWhileTheTimerAwaitsABurstsStartWakesIt() {
		add(1, "p", "* * * * *");
		java.util.concurrent.atomic.AtomicInteger wakeups = new java.util.concurrent.atomic.AtomicInteger();
		scheduler.waker(wakeups::incrementAndGet);
		java.util.concurrent.atomic.AtomicBoolean added = new java.util.concurrent.atomic.AtomicBoolean();
		scheduler.runsWaiting(() -> true, nanos -> {
			if (added.compareAndSet(false, true)) {
				// While the timer awaits the burst's start: q's first fire time, 10:02, comes before the
				// re-check, the earliest deadline the timer knew of.
				add(2, "q", "* * * * *");
			} else {
				java.util.concurrent.locks.LockSupport.parkNanos(nanos);
			}
		});
		wakeups.set(0);
		clock.set(Instant.parse("2026-03-02T10:01:00Z"));
		scheduler.tick();
		assertThat(added).isTrue();
		assertThat(wakeups).as("the due queue woke the timer out of its wait for the burst's start").hasValue(1);
	}

	@Test
	void aTickWithNothingDueDoesNotWakeTheTimerNorScanTheJobs() {
		java.util.concurrent.atomic.AtomicInteger wakeups = new java.util.concurrent.atomic.AtomicInteger();
		scheduler.waker(wakeups::incrementAndGet);
		for (int i = 0; i < 100; i++) {
			add(10 + i, "hourly-" + i, "0 * * * *");
		}
		wakeups.set(0);
		assertThat(scheduler.tick()).as("until the re-check").isEqualTo(T0.plus(Duration.ofMinutes(5)));
		assertThat(scheduler.tick()).as("until the re-check").isEqualTo(T0.plus(Duration.ofMinutes(5)));
		assertThat(wakeups).hasValue(0);
	}

	// ------------------------------------------------------------------ misfires

	@Test
	void afterDowntimeSkipWaitsForTheNextFireTime() throws Exception {
		write("skipper", Instant.parse("2026-03-02T08:00:00Z"), false);
		TestPlugin p = add(1, "skipper", "0 * * * *");
		settle();
		assertThat(p.windows).isEmpty();
		at("2026-03-02T11:00:00Z");
		assertThat(p.windows.get(0)).containsExactly(Instant.parse("2026-03-02T08:00:00Z"),
				Instant.parse("2026-03-02T11:00:00Z"));
	}

	@Test
	void afterDowntimeRunOnceCatchesUpOnce() throws Exception {
		write("catcher", Instant.parse("2026-03-02T08:00:00Z"), false);
		TestPlugin p = add(1, "catcher", "0 * * * *", CronPlugin.MISFIRE, "run-once");
		settle();
		assertThat(p.windows).hasSize(1);
		assertThat(p.windows.get(0)).containsExactly(Instant.parse("2026-03-02T08:00:00Z"), T0);
		assertThat(job("catcher").lastRun.trigger).isEqualTo(Trigger.MISFIRE);
		assertThat(job("catcher").nextFire).isEqualTo(Instant.parse("2026-03-02T11:00:00Z").toEpochMilli());
	}

	@Test
	void runOnceDoesNotCatchUpWhenNothingWasMissed() throws Exception {
		write("recent", Instant.parse("2026-03-02T10:00:00.010Z"), false);
		TestPlugin p = add(1, "recent", "0 * * * *", CronPlugin.MISFIRE, "run-once");
		settle();
		assertThat(p.windows).isEmpty();
	}

	@Test
	void aClockSteppedForwardIsAMisfire() throws Exception {
		TestPlugin skip = add(1, "skip", "* * * * *");
		TestPlugin once = add(2, "once", "* * * * *", CronPlugin.MISFIRE, "run-once");
		at("2026-03-02T10:05:30Z"); // the 10:01 fire time is 4.5 minutes overdue
		assertThat(skip.windows).isEmpty();
		assertThat(once.windows).hasSize(1);
		assertThat(job("skip").lastRun.outcome).isEqualTo(Outcome.SKIPPED);
		assertThat(job("skip").nextFire).isEqualTo(Instant.parse("2026-03-02T10:06:00Z").toEpochMilli());
		at("2026-03-02T10:06:00Z");
		assertThat(skip.windows).hasSize(1);
		assertThat(once.windows).hasSize(2);
	}

	@Test
	void aLateTickFiresOnceAndComputesTheNextFromTheScheduledTime() throws Exception {
		TestPlugin p = add(1, "seconds", "*/10 * * * * ?");
		at("2026-03-02T10:01:05Z"); // 10:00:40 .. 10:01:00 were due, within the misfire threshold
		assertThat(p.windows).hasSize(1);
		assertThat(job("seconds").nextFire).isEqualTo(Instant.parse("2026-03-02T10:01:10Z").toEpochMilli());
	}

	@Test
	void aFixedTimeJobRunsOnceInADstFallBackAndAClockSteppedBackNeverFiresTwice() throws Exception {
		// Europe/Berlin falls back at 2024-10-27T03:00+02:00 to 02:00+01:00: 02:30 happens twice.
		clock.set(Instant.parse("2024-10-26T22:00:00Z"));
		TestPlugin fixed = add(1, "fixed", "30 2 * * *", CronPlugin.TIMEZONE, "Europe/Berlin");
		TestPlugin wildcard = add(2, "wildcard", "30 * * * *", CronPlugin.TIMEZONE, "Europe/Berlin");
		for (Instant t = Instant.parse("2024-10-26T22:00:00Z"); t.isBefore(Instant.parse("2024-10-27T04:00:00Z"));
				t = t.plusSeconds(300)) {
			at(t.toString());
		}
		assertThat(fixed.windows).as("02:30 runs once, at the first pass").hasSize(1);
		assertThat(fixed.windows.get(0)[1]).isEqualTo(Instant.parse("2024-10-27T00:30:00Z"));
		assertThat(wildcard.windows).as("a wildcard job follows the wall clock: both passes")
				.extracting(w -> w[1].toString()).contains("2024-10-27T00:30:00Z", "2024-10-27T01:30:00Z");

		// The clock is stepped back an hour: nothing fires again until the next fire time comes.
		int fixedRuns = fixed.windows.size();
		int wildcardRuns = wildcard.windows.size();
		at("2024-10-27T03:05:00Z");
		at("2024-10-27T03:35:00Z");
		assertThat(fixed.windows).hasSize(fixedRuns);
		assertThat(wildcard.windows).hasSize(wildcardRuns);
	}

	// ------------------------------------------------------------------ names and duplicates

	@Test
	void theNameIsCronNameElseComponentNameElseTheClassName() {
		scheduler.add(plugin(1, new TestPlugin("* * * * *"), CronPlugin.NAME, "explicit", "component.name", "comp"));
		scheduler.add(plugin(2, new TestPlugin("* * * * *"), "component.name", "comp"));
		scheduler.add(plugin(3, new TestPlugin("* * * * *")));
		assertThat(view.getJobs()).extracting(j -> j.name).containsExactly("comp", "explicit",
				TestPlugin.class.getName());
	}

	@Test
	void aMisspelledCronPropertyIsReportedOnceWithTheKnownOnes() throws Exception {
		try (LogCapture log = new LogCapture()) {
			add(1, "zoned", "0 3 * * *", "cron.zone", "Europe/Berlin");
			scheduler.update(plugin(1, new TestPlugin("0 3 * * *"), CronPlugin.NAME, "zoned", "cron.zone",
					"Europe/Berlin", CronPlugin.TIMEOUT, 60L)); // another change: nothing new to report
			clock.set(T0.plus(Duration.ofMinutes(6)));
			scheduler.tick(); // the re-check
			assertThat(log.count("ignores the unknown service property")).isEqualTo(1);
			assertThat(log.text()).contains("Cron plugin zoned (service.id=1 from bundle test.bundle [7]) ignores the "
					+ "unknown service property cron.zone (cron.timezone?); the cron.* properties are cron.name, "
					+ "cron.interval, cron.enabled, cron.timezone, cron.timeout, cron.misfire");

			scheduler.update(plugin(1, new TestPlugin("0 3 * * *"), CronPlugin.NAME, "zoned", "cron.timout", 60L));
			assertThat(log.count("ignores the unknown service property")).as("a new misspelling").isEqualTo(2);
			assertThat(log.text()).contains("cron.timout (cron.timeout?)");
		}
		assertThat(job("zoned").zone).as("the JVM's zone is not silently replaced").isEqualTo("UTC");
	}

	@Test
	void aDuplicateNeverRunsUntilTheFirstLeaves() throws Exception {
		TestPlugin first = add(1, "same", "* * * * *");
		TestPlugin second = add(2, "same", "* * * * *");
		List<CronJobDTO> jobs = view.getJobs();
		assertThat(jobs).extracting(j -> j.state).containsExactly(JobState.SCHEDULED, JobState.DUPLICATE);
		assertThat(jobs.get(1).reason).contains("service.id=1");
		at("2026-03-02T10:01:00Z");
		assertThat(first.windows).hasSize(1);
		assertThat(second.windows).isEmpty();

		scheduler.remove(1);
		assertThat(job("same").state).isEqualTo(JobState.SCHEDULED);
		assertThat(job("same").serviceId).isEqualTo(2);
		at("2026-03-02T10:02:00Z");
		assertThat(second.windows.get(0)).containsExactly(Instant.parse("2026-03-02T10:01:00Z"),
				Instant.parse("2026-03-02T10:02:00Z"));
	}

	@Test
	void theViewFollowsAChangedDefaultZone() {
		add(1, "zoned-default", "0 12 * * *");
		ZoneId berlin = ZoneId.of("Europe/Berlin");
		scheduler.configure(new Scheduler.Options(berlin, Duration.ofMinutes(5), Duration.ofSeconds(10),
				Duration.ofSeconds(5), 10), null);
		assertThat(view.getDefaultZone()).isEqualTo(berlin);
		assertThat(view.preview("@daily", null, null, T0, 1).get(0).getZone()).isEqualTo(berlin);
		assertThat(job("zoned-default").zone).isEqualTo("Europe/Berlin");
	}

	@Test
	void aDuplicateNamesThePluginThatTookTheNameOver() {
		add(1, "same", "* * * * *");
		add(2, "same", "* * * * *");
		add(3, "same", "* * * * *");
		scheduler.remove(1);
		scheduler.update(plugin(3, new TestPlugin("*/2 * * * *"), CronPlugin.NAME, "same")); // its state is computed again
		CronJobDTO third = view.getJobs().stream().filter(j -> j.serviceId == 3).findFirst().orElseThrow();
		assertThat(third.state).isEqualTo(JobState.DUPLICATE);
		assertThat(third.reason).contains("(service.id=2 ").doesNotContain("service.id=1");
	}

	@Test
	void aRenameReleasesTheOldName() {
		add(1, "a", "* * * * *");
		add(2, "a", "* * * * *");
		scheduler.update(plugin(1, new TestPlugin("* * * * *"), CronPlugin.NAME, "b"));
		assertThat(job("a").serviceId).isEqualTo(2);
		assertThat(job("a").state).isEqualTo(JobState.SCHEDULED);
		assertThat(job("b").state).isEqualTo(JobState.SCHEDULED);
	}

	/** A store that can be "unreachable", as a cluster's database can be. */
	static class FlakyStore implements StateStore {
		final StateStore delegate;
		volatile boolean down;

		FlakyStore(StateStore delegate) {
			this.delegate = delegate;
		}

		private void check() throws StoreUnavailableException {
			if (down) {
				throw new StoreUnavailableException("PostgreSQL db:5432: Connection refused", null);
			}
		}

		@Override
		public String describe() {
			return "flaky " + delegate.describe();
		}

		@Override
		public String node() {
			return delegate.node();
		}

		@Override
		public RunState read(String name) throws CorruptStateException, StoreUnavailableException {
			check();
			return delegate.read(name);
		}

		@Override
		public ClaimResult claim(String name, Instant windowStart, Instant fireTime)
				throws CorruptStateException, StoreUnavailableException {
			check();
			return delegate.claim(name, windowStart, fireTime);
		}

		@Override
		public java.util.concurrent.CompletionStage<RunState> commit(Claim claim, Instant windowEnd) {
			return delegate.commit(claim, windowEnd);
		}

		@Override
		public void release(Claim claim) {
			delegate.release(claim);
		}

		@Override
		public RunState setPaused(String name, boolean paused)
				throws CorruptStateException, StoreUnavailableException, java.io.IOException {
			check();
			return delegate.setPaused(name, paused);
		}

		@Override
		public RunState setAnchor(String name, Instant anchor, String anchorFor)
				throws CorruptStateException, StoreUnavailableException, java.io.IOException {
			check();
			return delegate.setAnchor(name, anchor, anchorFor);
		}

		@Override
		public RunState reset(String name, Instant since) throws StoreUnavailableException, java.io.IOException {
			check();
			return delegate.reset(name, since);
		}

		@Override
		public void close() {
			// the test closes the delegate
		}
	}

	@Test
	void aFireTimeHeldByAnotherRuntimeIsClaimedAgainWhenItsLeaseEnds() throws Exception {
		// Node b holds 10:01 until 10:01:20; then node c takes it over (its retry came first) until 10:01:45.
		Instant leaseEnd = Instant.parse("2026-03-02T10:01:20Z");
		Instant secondLeaseEnd = Instant.parse("2026-03-02T10:01:45Z");
		java.util.List<String> claims = new java.util.concurrent.CopyOnWriteArrayList<>();
		FlakyStore cluster = new FlakyStore(store) {
			@Override
			public ClaimResult claim(String name, Instant windowStart, Instant fireTime)
					throws CorruptStateException, StoreUnavailableException {
				claims.add(fireTime + " at " + clock.instant());
				boolean first = fireTime.equals(Instant.parse("2026-03-02T10:01:00Z"));
				if (clock.instant().isBefore(leaseEnd)) { // another runtime runs this fire time; it may be dead
					return ClaimResult.elsewhere(RunState.NEW, "running on node b", first ? leaseEnd : null);
				}
				if (clock.instant().isBefore(secondLeaseEnd)) {
					return ClaimResult.elsewhere(RunState.NEW, "running on node c", first ? secondLeaseEnd : null);
				}
				return super.claim(name, windowStart, fireTime);
			}
		};
		scheduler.stop();
		scheduler = newScheduler(workers, PluginCalls.Calls.of(Runnable::run), cluster);
		TestPlugin p = add(1, "shared", "* * * * *");
		at("2026-03-02T10:01:00Z");
		assertThat(p.windows).isEmpty();
		assertThat(view.getHistory("shared", 10)).as("not this runtime's run: no trace here").isEmpty();
		at("2026-03-02T10:01:20Z"); // the lease of the runtime that held 10:01 ended; another took it first
		at("2026-03-02T10:01:45Z"); // and that one died too
		assertThat(claims).containsExactly("2026-03-02T10:01:00Z at 2026-03-02T10:01:00Z",
				"2026-03-02T10:01:00Z at 2026-03-02T10:01:20Z", "2026-03-02T10:01:00Z at 2026-03-02T10:01:45Z");
		assertThat(p.windows).hasSize(1);
		assertThat(view.getHistory("shared", 1).get(0).scheduledFire)
				.isEqualTo(Instant.parse("2026-03-02T10:01:00Z").toEpochMilli());
		at("2026-03-02T10:02:00Z");
		assertThat(p.windows).hasSize(2);
	}

	@Test
	void aStoreThatFindsItsDatabaseGoneMakesEveryScheduledPluginUnavailableAtOnce() throws Exception {
		List<Runnable> lost = new ArrayList<>();
		FlakyStore flaky = new FlakyStore(store) {
			@Override
			public String availability() {
				return down ? "PostgreSQL db:5432 is unavailable: Connection refused" : null;
			}

			@Override
			public void onUnavailable(Runnable callback) {
				lost.add(callback);
			}
		};
		scheduler.stop();
		scheduler = newScheduler(workers, PluginCalls.Calls.of(Runnable::run), flaky);
		add(1, "hourly", "0 * * * *");
		add(2, "paused", "0 * * * *");
		view.pause("paused");
		assertThat(view.getStore().available).isTrue();

		flaky.down = true;
		lost.get(lost.size() - 1).run(); // what the store calls within a poll: no fire time has come
		assertThat(view.getStore().available).isFalse();
		assertThat(view.getStore().reason).contains("Connection refused");
		CronJobDTO hourly = job("hourly");
		assertThat(hourly.state).isEqualTo(JobState.UNAVAILABLE);
		assertThat(hourly.reason).startsWith("the state store cannot be reached: PostgreSQL db:5432 is unavailable");
		assertThat(hourly.nextFire).as("it keeps its schedule").isNotNull();
		assertThat(job("paused").state).as("a paused plugin stays paused").isEqualTo(JobState.PAUSED);

		flaky.down = false;
		scheduler.storeAvailable(); // the database is back
		assertThat(job("hourly").state).isEqualTo(JobState.SCHEDULED);
		assertThat(view.getStore().available).isTrue();
	}

	@Test
	void anUnreachableStoreMakesAPluginUnavailableAndItRunsAgainWhenTheStoreIsBack() throws Exception {
		FlakyStore flaky = new FlakyStore(store);
		scheduler.stop();
		scheduler = newScheduler(workers, PluginCalls.Calls.of(Runnable::run), flaky);
		TestPlugin p = add(1, "db", "* * * * *");
		at("2026-03-02T10:01:00Z");
		assertThat(p.windows).hasSize(1);

		flaky.down = true; // mid-run: the database goes away
		at("2026-03-02T10:02:00Z");
		assertThat(p.windows).as("no run without a claim").hasSize(1);
		CronJobDTO down = job("db");
		assertThat(down.state).isEqualTo(JobState.UNAVAILABLE);
		assertThat(down.reason).startsWith("the state store cannot be reached: PostgreSQL db:5432: Connection refused");
		assertThat(down.nextFire).isEqualTo(Instant.parse("2026-03-02T10:03:00Z").toEpochMilli());
		CronRunDTO skipped = view.getHistory("db", 1).get(0);
		assertThat(skipped.outcome).isEqualTo(Outcome.SKIPPED);
		assertThat(skipped.error).startsWith("its window could not be claimed");

		flaky.down = false;
		scheduler.storeAvailable(); // what a store calls when its database is back
		assertThat(job("db").state).isEqualTo(JobState.SCHEDULED);
		at("2026-03-02T10:03:00Z");
		assertThat(p.windows).hasSize(2);
		assertThat(p.windows.get(1)).as("the skipped window is covered by the next run")
				.containsExactly(Instant.parse("2026-03-02T10:01:00Z"), Instant.parse("2026-03-02T10:03:00Z"));

		flaky.down = true; // at arrival: nothing is read, nothing is guessed
		add(2, "late", "* * * * *");
		assertThat(job("late").state).isEqualTo(JobState.UNAVAILABLE);
		assertThat(job("late").reason).contains("Connection refused").contains("retrying every");
		flaky.down = false;
		scheduler.storeAvailable();
		scheduler.tick();
		settle();
		assertThat(job("late").state).isEqualTo(JobState.SCHEDULED);
	}

	@Test
	void aClaimThatGetsThroughAgainPublishesTheChangeBeforeTheRun() throws Exception {
		FlakyStore flaky = new FlakyStore(store);
		java.util.concurrent.atomic.AtomicInteger told = new java.util.concurrent.atomic.AtomicInteger();
		scheduler.stop();
		scheduler = new Scheduler(clock, workers, PluginCalls.Calls.of(Runnable::run), flaky,
				options(Duration.ofSeconds(5)), told::incrementAndGet);
		view = new RuntimeView(scheduler.operations());
		TestPlugin p = add(1, "db", "* * * * *");
		flaky.down = true;
		at("2026-03-02T10:01:00Z");
		assertThat(job("db").state).isEqualTo(JobState.UNAVAILABLE);

		flaky.down = false; // back, and the next claim is the first to find out
		clock.set(Instant.parse("2026-03-02T10:02:00Z"));
		scheduler.tick();
		int before = told.get();
		int[] whileRunning = new int[1];
		p.onRun = () -> whileRunning[0] = told.get();
		settle();
		assertThat(p.windows).hasSize(1);
		assertThat(whileRunning[0]).as("UNAVAILABLE ended: service.changecount moves before the run ends")
				.isGreaterThan(before);
	}

	@Test
	void aFireTimeYieldedToAnotherRuntimePublishesTheChange() throws Exception {
		FlakyStore cluster = new FlakyStore(store) {
			@Override
			public ClaimResult claim(String name, Instant windowStart, Instant fireTime) {
				return ClaimResult.elsewhere(RunState.NEW, "running on node b", null);
			}
		};
		java.util.concurrent.atomic.AtomicInteger told = new java.util.concurrent.atomic.AtomicInteger();
		scheduler.stop();
		scheduler = new Scheduler(clock, workers, PluginCalls.Calls.of(Runnable::run), cluster,
				options(Duration.ofSeconds(5)), told::incrementAndGet);
		view = new RuntimeView(scheduler.operations());
		add(1, "shared", "* * * * *");
		clock.set(Instant.parse("2026-03-02T10:01:00Z"));
		scheduler.tick();
		assertThat(job("shared").running).isTrue(); // fired, waiting for its claim
		int fired = told.get();
		settle();
		assertThat(job("shared").running).isFalse();
		assertThat(told.get()).as("the run left: service.changecount moves").isGreaterThan(fired);
	}

	@Test
	void refusalsWriteInstantsInUtcToTheMillisecond() throws Exception {
		add(1, "precise", "* * * * *");
		at("2026-03-02T10:01:00Z");
		assertThatThrownBy(() -> view.reset("precise", Instant.parse("2099-01-01T00:00:00.123456789Z")))
				.hasMessage("the start of the next window, 2099-01-01T00:00:00.123Z, is in the future");
		Instant from = Instant.parse("2026-03-02T09:00:00.987654321Z");
		assertThatThrownBy(() -> view.rerun("precise", from, from, null, "ops")).hasMessageContaining(
				"the range is empty: its start, 2026-03-02T09:00:00.987Z, is not before its end, 2026-03-02T09:00:00.987Z");
		assertThatThrownBy(() -> view.rerun("precise", from, Instant.parse("2026-03-02T10:30:00.000999Z"), null, "ops"))
				.hasMessageContaining("the range ends at 2026-03-02T10:30:00Z, after the end of the last committed window of"
						+ " cron plugin 'precise', 2026-03-02T10:01:00Z");
		assertThat(store.claim("precise", Instant.parse("2026-03-02T09:59:59.999999Z"), null).refusal())
				.isEqualTo("its window start is 2026-03-02T10:01:00Z, not 2026-03-02T09:59:59.999Z");
		assertThat(store.claim("precise", Instant.parse("2026-03-02T10:01:00.000001Z"), null).refusal())
				.as("apart below the millisecond: in full").isEqualTo("its window start is 2026-03-02T10:01:00Z, not"
						+ " 2026-03-02T10:01:00.000001Z");
	}

	@Test
	void theLocalStoreKeepsTheHistoryAcrossARestart() throws Exception {
		add(1, "kept", "* * * * *");
		at("2026-03-02T10:01:00Z");
		at("2026-03-02T10:02:00Z");
		assertThat(view.getHistory("kept", 10)).hasSize(2);
		scheduler.stop();
		store.close();

		store = new LocalStateStore(dir.resolve("state"));
		scheduler = newScheduler(workers, PluginCalls.Calls.of(Runnable::run));
		add(1, "kept", "* * * * *");
		List<CronRunDTO> history = view.getHistory("kept", 10);
		assertThat(history).extracting(r -> r.outcome).containsExactly(Outcome.SUCCEEDED, Outcome.SUCCEEDED);
		assertThat(history.get(0).windowEnd).isEqualTo(Instant.parse("2026-03-02T10:02:00Z").toEpochMilli());
		assertThat(job("kept").lastRun.windowEnd).isEqualTo(Instant.parse("2026-03-02T10:02:00Z").toEpochMilli());
	}

	// ------------------------------------------------------------------ bad plugins and bad records

	@Test
	void aCorruptRecordBlocksThatPluginOnly() throws Exception {
		scheduler.stop();
		store.close();
		Files.writeString(dir.resolve("state").resolve(LocalStateStore.JOURNAL), "# Crontainer run state journal, "
				+ "format 2\nbroken\t1\tyesterday\tfalse\t\t\t00000000\n");
		store = new LocalStateStore(dir.resolve("state"));
		scheduler = newScheduler(workers, PluginCalls.Calls.of(Runnable::run));
		TestPlugin broken = add(1, "broken", "* * * * *");
		TestPlugin fine = add(2, "fine", "* * * * *");
		assertThat(job("broken").state).isEqualTo(JobState.BLOCKED);
		assertThat(job("broken").reason).contains("has a damaged line for it (line 2)");
		at("2026-03-02T10:01:00Z");
		assertThat(broken.windows).isEmpty();
		assertThat(fine.windows).hasSize(1);
		assertThatThrownBy(() -> view.fire("broken")).isInstanceOf(IllegalStateException.class)
				.hasMessageContaining("BLOCKED");

		CronJobDTO reset = view.reset("broken", Instant.parse("2026-03-02T09:00:00Z"));
		assertThat(reset.state).isEqualTo(JobState.SCHEDULED);
		at("2026-03-02T10:02:00Z");
		assertThat(broken.windows.get(0)).containsExactly(Instant.parse("2026-03-02T09:00:00Z"),
				Instant.parse("2026-03-02T10:02:00Z"));
	}

	@Test
	void badPluginsAreInvalidWithTheReasonAndHarmNoOne() throws Exception {
		add(1, "unparsable", "61 * * * *");
		add(2, "never", "0 0 0 30 2 ?");
		TestPlugin nullInterval = new TestPlugin(null);
		scheduler.add(plugin(3, nullInterval, CronPlugin.NAME, "null"));
		TestPlugin throwing = new TestPlugin("* * * * *");
		throwing.interval = () -> {
			throw new IllegalStateException("no config");
		};
		scheduler.add(plugin(4, throwing, CronPlugin.NAME, "throwing"));
		TestPlugin badEnabled = new TestPlugin("* * * * *");
		badEnabled.enabled = () -> {
			throw new IllegalStateException("boom");
		};
		scheduler.add(plugin(5, badEnabled, CronPlugin.NAME, "bad-enabled"));
		add(6, "bad-timeout", "* * * * *", CronPlugin.TIMEOUT, "soon");
		add(7, "bad-zone", "* * * * *", CronPlugin.TIMEZONE, "Mars/Olympus");
		add(8, "bad-misfire", "* * * * *", CronPlugin.MISFIRE, "always");
		TestPlugin good = add(9, "good", "* * * * *");

		Map<String, String> reasons = new HashMap<>();
		for (CronJobDTO job : view.getJobs()) {
			if (!job.name.equals("good")) {
				assertThat(job.state).as(job.name).isEqualTo(JobState.INVALID);
				reasons.put(job.name, job.reason);
			}
		}
		assertThat(reasons.get("unparsable")).contains("'61 * * * *'");
		assertThat(reasons.get("never")).contains("never fires");
		assertThat(reasons.get("null")).isEqualTo("interval() returned null");
		assertThat(reasons.get("throwing")).isEqualTo("interval() threw java.lang.IllegalStateException: no config");
		assertThat(reasons.get("bad-enabled")).isEqualTo("enabled() threw java.lang.IllegalStateException: boom");
		assertThat(reasons.get("bad-timeout")).contains("cron.timeout").contains("\"soon\"");
		assertThat(reasons.get("bad-zone")).contains("cron.timezone");
		assertThat(reasons.get("bad-misfire")).contains("cron.misfire");

		at("2026-03-02T10:01:00Z");
		assertThat(good.windows).hasSize(1);
	}

	@Test
	void aHungEnabledCallMakesThePluginInvalidAndBlocksNoOne() throws Exception {
		threads = Executors.newCachedThreadPool();
		scheduler.stop();
		scheduler = newScheduler(workers, PluginCalls.Calls.of(threads));
		CountDownLatch entered = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		TestPlugin hung = new TestPlugin("* * * * *");
		hung.enabled = () -> {
			entered.countDown();
			try {
				release.await();
			} catch (InterruptedException e) {
				Thread.currentThread().interrupt();
			}
			return true;
		};
		scheduler.add(plugin(1, hung, CronPlugin.NAME, "hung"));
		TestPlugin good = add(2, "good", "* * * * *");
		Await.until("good SCHEDULED", () -> job("good").state == JobState.SCHEDULED);
		assertThat(job("hung").state).isEqualTo(JobState.PENDING);
		// The call's time limit counts from when it started: advance the clock only once it has.
		assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();

		clock.advance(Duration.ofSeconds(10));
		scheduler.tick();
		assertThat(job("hung").state).isEqualTo(JobState.INVALID);
		assertThat(job("hung").reason).startsWith("enabled() did not return within 10 s");

		release.countDown();
		Await.until("hung SCHEDULED once its call returned", () -> job("hung").state == JobState.SCHEDULED);
		at("2026-03-02T10:01:00Z");
		assertThat(good.windows).hasSize(1);
		assertThat(hung.windows).hasSize(1);
	}

	@Test
	void aRunLongerThanItsTimeoutIsInterruptedAndItsWindowKept() throws Exception {
		threads = Executors.newCachedThreadPool();
		scheduler.stop();
		scheduler = newScheduler(threads, PluginCalls.Calls.of(Runnable::run));
		TestPlugin p = add(1, "hangs", "* * * * *", CronPlugin.TIMEOUT, 30L);
		p.block = new CountDownLatch(1);
		clock.set(Instant.parse("2026-03-02T10:01:00Z"));
		scheduler.tick();
		assertThat(p.started.await(10, TimeUnit.SECONDS)).isTrue();
		clock.set(Instant.parse("2026-03-02T10:01:29Z"));
		scheduler.tick();
		assertThat(job("hangs").running).isTrue();
		clock.set(Instant.parse("2026-03-02T10:01:30Z"));
		scheduler.tick();
		Await.until("the run of hangs over", () -> !job("hangs").running);
		assertThat(p.interrupted).isTrue();
		assertThat(job("hangs").lastRun.outcome).isEqualTo(Outcome.TIMED_OUT);
		assertThat(job("hangs").lastRun.error).startsWith("did not finish within 30 s");
		assertThat(job("hangs").lastEnd).isNull();
	}

	@Test
	void aDepartingPluginGetsTheGraceToFinishAndIsCommittedIfItReturns() throws Exception {
		threads = Executors.newCachedThreadPool();
		scheduler.stop();
		scheduler = newScheduler(threads, PluginCalls.Calls.of(Runnable::run));
		TestPlugin p = add(1, "leaving", "* * * * *");
		p.block = new CountDownLatch(1);
		clock.set(Instant.parse("2026-03-02T10:01:00Z"));
		scheduler.tick();
		assertThat(p.started.await(10, TimeUnit.SECONDS)).isTrue();

		scheduler.remove(1); // returns at once; the grace (5 s) is the timer's deadline
		clock.set(Instant.parse("2026-03-02T10:01:04.999Z"));
		scheduler.tick(); // still within the grace: nothing happens
		p.block.countDown();
		Await.until("the run of leaving over", () -> view.getHistory("leaving", 1).get(0).outcome != Outcome.RUNNING);
		store.sync();
		assertThat(p.interrupted).isFalse();
		assertThat(store.read("leaving").lastEnd()).isEqualTo(Instant.parse("2026-03-02T10:01:00Z"));
		assertThat(view.getHistory("leaving", 1).get(0).outcome).as("the history of a plugin that left")
				.isEqualTo(Outcome.SUCCEEDED);
	}

	@Test
	void aDepartingPluginThatOverstaysTheGraceIsInterruptedAndNotCommitted() throws Exception {
		threads = Executors.newCachedThreadPool();
		scheduler.stop();
		scheduler = newScheduler(threads, PluginCalls.Calls.of(Runnable::run));
		TestPlugin p = add(1, "leaving", "* * * * *");
		p.block = new CountDownLatch(1);
		clock.set(Instant.parse("2026-03-02T10:01:00Z"));
		scheduler.tick();
		assertThat(p.started.await(10, TimeUnit.SECONDS)).isTrue();

		scheduler.remove(1);
		assertThat(p.interrupted).as("the grace has not begun to pass").isFalse();
		clock.set(Instant.parse("2026-03-02T10:01:05Z"));
		scheduler.tick(); // the grace (5 s) is over
		Await.until("the run of leaving INTERRUPTED",
				() -> view.getHistory("leaving", 1).get(0).outcome == Outcome.INTERRUPTED);
		assertThat(p.interrupted).isTrue();
		assertThat(view.getJobs()).isEmpty();
		assertThat(store.read("leaving").lastEnd()).isNull();
		assertThat(view.getHistory("leaving", 1).get(0).outcome).isEqualTo(Outcome.INTERRUPTED);
		assertThat(view.getHistory("leaving", 1).get(0).error).contains("the plugin left");
	}

	@Test
	void aCallThreadCarriesThePluginsNameWhileItCallsIt() {
		ManualExecutor calls = new ManualExecutor();
		scheduler.stop();
		scheduler = newScheduler(workers, PluginCalls.Calls.of(calls));
		String[] during = new String[2];
		TestPlugin p = new TestPlugin("* * * * *");
		p.enabled = () -> {
			during[0] = Thread.currentThread().getName();
			return true;
		};
		p.interval = () -> {
			during[1] = Thread.currentThread().getName();
			return "* * * * *";
		};
		scheduler.add(plugin(1, p, CronPlugin.NAME, "named"));
		String before = Thread.currentThread().getName();
		calls.runAll();
		assertThat(during).containsExactly(before + " [named]", before + " [named]");
		assertThat(Thread.currentThread().getName()).as("restored after the call").isEqualTo(before);
		assertThat(job("named").state).isEqualTo(JobState.SCHEDULED);
	}

	@Test
	void aDefaultZoneChangedWhileIntervalIsAskedAppliesToItsAnswer() {
		// The answer is parsed without the engine's lock, with the zone the call noted when it was
		// prepared; a zone changed meanwhile must still apply, as if the answer were parsed at its arrival.
		ManualExecutor calls = new ManualExecutor();
		scheduler.stop();
		scheduler = newScheduler(workers, PluginCalls.Calls.of(calls));
		ZoneId berlin = ZoneId.of("Europe/Berlin");
		TestPlugin p = new TestPlugin("0 12 * * *");
		p.interval = () -> {
			scheduler.configure(new Scheduler.Options(berlin, Duration.ofMinutes(5), Duration.ofSeconds(10),
					Duration.ofSeconds(5), 10), null);
			return "0 12 * * *";
		};
		scheduler.add(plugin(1, p, CronPlugin.NAME, "zoned"));
		calls.runAll();
		assertThat(calls.pending()).as("the answer applied, not asked again").isZero();
		assertThat(job("zoned").state).isEqualTo(JobState.SCHEDULED);
		assertThat(job("zoned").zone).isEqualTo("Europe/Berlin");
		assertThat(Instant.ofEpochMilli(job("zoned").nextFire)).isEqualTo(Instant.parse("2026-03-02T11:00:00Z"));
	}

	@Test
	@Timeout(20)
	void anArrivalTellsOfItsChangeWithoutTakingTheLockAgainAfterItsHold() throws Exception {
		// One hold of the engine's lock per arrival on the whiteboard thread: the effects that run after
		// it (here a state event, then the change count) take none. Another thread holds the lock from
		// the state event on, until the arrival returns or 5 s pass.
		CountDownLatch inEffects = new CountDownLatch(1);
		CountDownLatch lockTaken = new CountDownLatch(1);
		CountDownLatch returned = new CountDownLatch(1);
		java.util.concurrent.atomic.AtomicBoolean returnedWhileHeld = new java.util.concurrent.atomic.AtomicBoolean();
		java.util.concurrent.atomic.AtomicInteger told = new java.util.concurrent.atomic.AtomicInteger();
		Events events = new Events() {
			@Override
			public void started(CronRunDTO run) {
			}

			@Override
			public void ended(CronRunDTO run) {
			}

			@Override
			public void stateChanged(String name, JobState before, JobState after, String reason, long at) {
				if (inEffects.getCount() > 0) {
					inEffects.countDown();
					try {
						assertThat(lockTaken.await(5, TimeUnit.SECONDS)).isTrue();
					} catch (InterruptedException e) {
						throw new AssertionError(e);
					}
				}
			}
		};
		scheduler.stop();
		scheduler = new Scheduler(clock, workers, PluginCalls.Calls.of(new ManualExecutor()), store,
				options(Duration.ofSeconds(5)), told::incrementAndGet, events);
		Thread holder = new Thread(() -> {
			try {
				inEffects.await();
				synchronized (scheduler.lock()) {
					lockTaken.countDown();
					returnedWhileHeld.set(returned.await(5, TimeUnit.SECONDS));
				}
			} catch (InterruptedException e) {
				Thread.currentThread().interrupt();
			}
		}, "lock-holder");
		holder.start();
		scheduler.add(plugin(1, new TestPlugin("* * * * *"), CronPlugin.NAME, "arriving"));
		returned.countDown();
		holder.join();
		assertThat(returnedWhileHeld).as("the arrival returned while another thread held the lock").isTrue();
		assertThat(told).as("the change told").hasValue(1);
	}

	@Test
	@Timeout(20)
	void twoHungEnabledCallsDoNotDelayAThirdPluginsAnswer() throws Exception {
		CallPool pool = new CallPool(2, "test-call");
		CountDownLatch hang = new CountDownLatch(1);
		CountDownLatch inside = new CountDownLatch(2);
		try {
			scheduler.stop();
			scheduler = newScheduler(workers, pool);
			for (int i = 1; i <= 2; i++) {
				TestPlugin hung = new TestPlugin("* * * * *");
				hung.enabled = () -> {
					inside.countDown();
					try {
						hang.await();
					} catch (InterruptedException e) {
						Thread.currentThread().interrupt();
					}
					return true;
				};
				scheduler.add(plugin(i, hung, CronPlugin.NAME, "hung-" + i));
			}
			assertThat(inside.await(10, TimeUnit.SECONDS)).as("both call threads are inside a plugin").isTrue();

			add(3, "healthy", "* * * * *"); // no clock moves: the calls' 10 s time limit never passes
			Await.until("healthy SCHEDULED while two calls hang", () -> job("healthy").state == JobState.SCHEDULED);
			assertThat(job("hung-1").state).as("its call is in flight, within its time limit")
					.isNotEqualTo(JobState.INVALID);
			// One added for the waiting call (the healthy plugin answers at once: no second is needed).
			assertThat(pool.threads()).as("a thread added for the waiting call").isEqualTo(3);
		} finally {
			hang.countDown();
			pool.shutdownNow();
		}
	}

	@Test
	@Timeout(20)
	void removeReturnsAtOnceWithHungPluginsAndEachIsInterruptedAtItsGraceEnd() throws Exception {
		threads = Executors.newCachedThreadPool();
		scheduler.stop();
		scheduler = newScheduler(threads, PluginCalls.Calls.of(Runnable::run));
		scheduler.configure(options(Duration.ofHours(1)), null); // were remove() to wait, @Timeout fails it
		TestPlugin[] hung = new TestPlugin[4];
		for (int i = 0; i < hung.length; i++) {
			hung[i] = add(i + 1, "hung-" + i, "* * * * *");
			hung[i].deaf = true;
			hung[i].block = new CountDownLatch(1);
		}
		try {
			at("2026-03-02T10:01:00Z");
			for (TestPlugin p : hung) {
				assertThat(p.started.await(10, TimeUnit.SECONDS)).isTrue();
			}
			for (int i = 0; i < hung.length; i++) { // one leaves every minute, as FileInstall would
				clock.set(Instant.parse("2026-03-02T10:01:00Z").plus(Duration.ofMinutes(i)));
				scheduler.remove(i + 1);
			}
			for (TestPlugin p : hung) {
				assertThat(p.interrupted).as("remove() returned without waiting for any grace").isFalse();
			}
			for (int i = 0; i < hung.length; i++) {
				Instant graceEnd = Instant.parse("2026-03-02T11:01:00Z").plus(Duration.ofMinutes(i));
				clock.set(graceEnd.minusMillis(1));
				scheduler.tick();
				assertThat(hung[i].interrupted).as("hung-" + i + " within its grace").isFalse();
				clock.set(graceEnd);
				scheduler.tick();
				TestPlugin p = hung[i];
				Await.until("the plugin's thread interrupted", () -> p.interrupted);
				for (int j = i + 1; j < hung.length; j++) {
					assertThat(hung[j].interrupted).as("hung-" + j + " at the grace end of hung-" + i).isFalse();
				}
				clock.set(graceEnd.plus(Deadlines.INTERRUPT_WAIT));
				scheduler.tick(); // it ignored the interrupt: abandoned
				assertThat(view.getHistory("hung-" + i, 1).get(0).error)
						.startsWith("interrupted: the plugin left, and ignored its interrupt for 1 s: its thread '")
						.endsWith(" [hung-" + i + "]' is abandoned");
			}
			scheduler.configure(options(Duration.ofMillis(100)), null);
			scheduler.stop(); // abandoned runs are not awaited again
		} finally {
			for (TestPlugin p : hung) {
				p.block.countDown();
			}
		}
	}

	@Test
	@Timeout(20)
	void whileTheFrameworkStopsADepartingRunIsInterruptedAtOnceAndAwaitedOnlyByStop() throws Exception {
		threads = Executors.newCachedThreadPool();
		scheduler.stop();
		scheduler = newScheduler(threads, PluginCalls.Calls.of(Runnable::run));
		scheduler.configure(options(Duration.ofHours(1)), null); // a grace the departure must not wait for
		TestPlugin deaf = add(1, "deaf", "* * * * *");
		deaf.deaf = true;
		deaf.block = new CountDownLatch(1);
		TestPlugin polite = add(2, "polite", "* * * * *");
		polite.block = new CountDownLatch(1);
		try {
			at("2026-03-02T10:01:00Z");
			assertThat(deaf.started.await(10, TimeUnit.SECONDS)).isTrue();
			assertThat(polite.started.await(10, TimeUnit.SECONDS)).isTrue();

			scheduler.remove(1, true); // returns at once, however long the grace
			scheduler.remove(2, true);
			// the plugin's thread sees its interrupt
			Await.until("the deaf plugin's thread interrupted", () -> deaf.interrupted);
			Await.until("the run of polite INTERRUPTED",
					() -> view.getHistory("polite", 1).get(0).outcome == Outcome.INTERRUPTED);
			assertThat(view.getHistory("polite", 1).get(0).error).contains("the framework is stopping");
			assertThat(store.read("polite").lastEnd()).as("an interrupted run commits nothing").isNull();

			scheduler.configure(options(Duration.ofMillis(200)), null);
			scheduler.stop(); // awaits the deaf run within its grace, then abandons it
			assertThat(store.read("deaf").lastEnd()).isNull();
		} finally {
			deaf.block.countDown();
		}
	}

	@Test
	@Timeout(20) // less than the 30 s after which a blocked TestPlugin gives up by itself
	void aRunAbandonedOnDepartureIsStuckIsNotAwaitedAgainAtStopAndKeepsItsName() throws Exception {
		threads = Executors.newCachedThreadPool();
		scheduler.stop();
		scheduler = newScheduler(threads, PluginCalls.Calls.of(Runnable::run));
		TestPlugin deaf = add(1, "deaf", "* * * * *");
		deaf.deaf = true;
		deaf.block = new CountDownLatch(1);
		try {
			at("2026-03-02T10:01:00Z");
			assertThat(deaf.started.await(10, TimeUnit.SECONDS)).isTrue();

			scheduler.remove(1); // returns at once: the grace, the interrupt, a second more: abandoned
			clock.set(Instant.parse("2026-03-02T10:01:05Z"));
			scheduler.tick();
			Await.until("the deaf plugin's thread interrupted", () -> deaf.interrupted);
			clock.set(Instant.parse("2026-03-02T10:01:05.999Z"));
			scheduler.tick();
			assertThat(view.getHistory("deaf", 1).get(0).outcome).as("awaited a second").isEqualTo(Outcome.RUNNING);
			clock.set(Instant.parse("2026-03-02T10:01:06Z"));
			scheduler.tick();
			assertThat(view.getHistory("deaf", 1).get(0).error).contains("ignored its interrupt for 1 s:");

			// Back under the same name while the abandoned run goes on: it must not run twice at once.
			TestPlugin back = add(2, "deaf", "* * * * *");
			assertThat(job("deaf").state).isEqualTo(JobState.STUCK);
			assertThat(job("deaf").reason).contains("ignored its interrupt").contains("[deaf]");
			assertThat(job("deaf").runningSince).isEqualTo(Instant.parse("2026-03-02T10:01:00Z").toEpochMilli());
			at("2026-03-02T10:02:00Z");
			assertThat(back.windows).isEmpty();
			assertThat(view.getHistory("deaf", 1).get(0).outcome).as("not hidden behind a SKIPPED")
					.isEqualTo(Outcome.INTERRUPTED);

			// A grace of an hour: were the abandoned run awaited again, stop() would outlast @Timeout.
			scheduler.configure(options(Duration.ofHours(1)), null);
			scheduler.stop();
			assertThat(store.read("deaf").lastEnd()).isNull();
		} finally {
			deaf.block.countDown();
		}
	}

	@Test
	@Timeout(20)
	void aRunOnTheRunPoolCarriesItsPluginsNameFromItsClaimToItsCommit() throws Exception {
		RunPool pool = new RunPool("test-named-runs");
		try {
			scheduler.stop();
			scheduler = newScheduler(pool, PluginCalls.Calls.of(Runnable::run));
			TestPlugin p = add(1, "named", "* * * * *");
			String[] during = new String[1];
			Thread[] thread = new Thread[1];
			p.onRun = () -> {
				thread[0] = Thread.currentThread();
				during[0] = thread[0].getName();
			};
			clock.set(Instant.parse("2026-03-02T10:01:00Z"));
			scheduler.tick();
			Await.until("the run over", () -> job("named").lastRun != null
					&& job("named").lastRun.outcome == Outcome.SUCCEEDED);
			assertThat(during[0]).matches("test-named-runs-\\d+ \\[named\\]");
			Await.until("the idle run thread named test-named-runs-N again",
					() -> thread[0].getName().matches("test-named-runs-\\d+"));
		} finally {
			pool.shutdownNow();
		}
	}

	@Test
	void theTimerCountsAsHandingABurstOverFromItsFirstFireUntilItsNextFireTimesAreComputed() throws Exception {
		List<Boolean> atSubmit = new ArrayList<>();
		java.util.concurrent.Executor runs = task -> {
			atSubmit.add(scheduler.handingOver()); // called by the tick, as it hands each run over
			workers.execute(task);
		};
		scheduler.stop();
		scheduler = newScheduler(runs, PluginCalls.Calls.of(Runnable::run));
		for (int i = 0; i < Scheduler.TICK_BATCH + 3; i++) {
			add(i + 1, "p" + i, "* * * * *");
		}
		assertThat(scheduler.handingOver()).as("before the fire time").isFalse();
		clock.set(Instant.parse("2026-03-02T10:01:00Z"));
		scheduler.tick();
		assertThat(atSubmit).hasSize(Scheduler.TICK_BATCH + 3).containsOnly(true);
		assertThat(scheduler.handingOver()).as("once the next fire times are computed").isFalse();
		assertThat(job("p0").nextFire).isEqualTo(Instant.parse("2026-03-02T10:02:00Z").toEpochMilli());
		settle();
		assertThat(scheduler.handingOver()).isFalse();
	}

	@Test
	@Timeout(20)
	void aTimedOutRunThatIgnoresItsInterruptIsStuckAndTimedOutUntilItReturns() throws Exception {
		threads = Executors.newCachedThreadPool();
		scheduler.stop();
		scheduler = newScheduler(threads, PluginCalls.Calls.of(Runnable::run));
		TestPlugin deaf = add(1, "deaf", "*/2 * * * * ?", CronPlugin.TIMEOUT, 30L);
		deaf.deaf = true;
		deaf.block = new CountDownLatch(1);
		CountDownLatch renamed = new CountDownLatch(1);
		String[] names = new String[1];
		deaf.onRun = () -> {
			names[0] = Thread.currentThread().getName();
			renamed.countDown();
		};
		clock.set(Instant.parse("2026-03-02T10:01:00Z"));
		scheduler.tick();
		assertThat(renamed.await(10, TimeUnit.SECONDS)).isTrue();
		assertThat(names[0]).endsWith(" [deaf]");
		assertThat(job("deaf").running).isTrue();
		assertThat(job("deaf").runningSince).isEqualTo(Instant.parse("2026-03-02T10:01:00Z").toEpochMilli());

		clock.set(Instant.parse("2026-03-02T10:01:30Z"));
		scheduler.tick(); // interrupted: the grace (5 s) starts
		assertThat(job("deaf").state).isEqualTo(JobState.SCHEDULED);
		clock.set(Instant.parse("2026-03-02T10:01:32Z"));
		scheduler.tick(); // a fire time while it still runs, within the grace: skipped and recorded
		assertThat(view.getHistory("deaf", 1).get(0).outcome).isEqualTo(Outcome.SKIPPED);
		assertThat(job("deaf").lastRun.outcome).as("a skipped fire does not hide the run").isEqualTo(Outcome.RUNNING);
		clock.set(Instant.parse("2026-03-02T10:01:35Z"));
		scheduler.tick(); // still inside run(): abandoned
		// the interrupt reaches the plugin's thread asynchronously
		Await.until("the deaf plugin's thread interrupted", () -> deaf.interrupted);
		CronJobDTO stuck = job("deaf");
		assertThat(stuck.state).isEqualTo(JobState.STUCK);
		assertThat(stuck.reason).contains("did not finish within 30 s").contains("ignored its interrupt");
		assertThat(stuck.lastRun.outcome).isEqualTo(Outcome.TIMED_OUT);
		assertThat(stuck.timeoutCount).isEqualTo(1);
		assertThat(stuck.runCount).isEqualTo(1);
		clock.set(Instant.parse("2026-03-02T10:02:00Z"));
		scheduler.tick();
		assertThat(job("deaf").lastRun.outcome).as("no SKIPPED hides it").isEqualTo(Outcome.TIMED_OUT);
		assertThatThrownBy(() -> view.fire("deaf")).isInstanceOf(IllegalStateException.class).hasMessage(
				"cron plugin 'deaf' is STUCK: its abandoned run is still inside run(); it can be fired once that returns");

		Thread runThread = threadNamed(names[0]);
		deaf.block.countDown();
		Await.until("deaf SCHEDULED once its thread returned", () -> job("deaf").state == JobState.SCHEDULED);
		assertThat(job("deaf").lastRun.outcome).isEqualTo(Outcome.TIMED_OUT);
		assertThat(job("deaf").lastEnd).isNull();
		assertThat(job("deaf").nextFire).isEqualTo(Instant.parse("2026-03-02T10:02:02Z").toEpochMilli());
		// its name is restored
		Await.until("the run thread's name restored", () -> !runThread.getName().contains("[deaf]"));
	}

	@Test
	@Timeout(20)
	void aFiredRunThatIsAbandonedCompletesItsStageWhenAbandoned() throws Exception {
		threads = Executors.newCachedThreadPool();
		scheduler.stop();
		scheduler = newScheduler(threads, PluginCalls.Calls.of(Runnable::run));
		TestPlugin deaf = add(1, "deaf", "0 0 1 1 *", CronPlugin.TIMEOUT, 3L);
		deaf.deaf = true;
		deaf.block = new CountDownLatch(1);
		try {
			clock.set(Instant.parse("2026-03-02T10:01:00Z"));
			CompletableFuture<CronRunDTO> fired = view.fire("deaf").toCompletableFuture();
			assertThat(deaf.started.await(10, TimeUnit.SECONDS)).isTrue();
			clock.set(Instant.parse("2026-03-02T10:01:03Z"));
			scheduler.tick(); // its time limit: interrupted, the grace (5 s) starts
			Await.until("the deaf plugin's thread interrupted", () -> deaf.interrupted);
			assertThat(fired).as("interrupted, not over yet").isNotDone();
			clock.set(Instant.parse("2026-03-02T10:01:08Z"));
			scheduler.tick(); // it ignored the interrupt: abandoned

			CronRunDTO run = fired.get(10, TimeUnit.SECONDS);
			assertThat(run.outcome).isEqualTo(Outcome.TIMED_OUT);
			assertThat(run.error).contains("did not finish within 3 s").contains("is abandoned");
			assertThat(job("deaf").state).isEqualTo(JobState.STUCK);
		} finally {
			deaf.block.countDown();
		}
		// the thread came back: its stage stays as it was
		Await.until("deaf SCHEDULED once its thread returned", () -> job("deaf").state == JobState.SCHEDULED);
	}

	@Test
	@Timeout(20)
	void anAbandonedRunReachesThePersistedHistory() throws Exception {
		threads = Executors.newCachedThreadPool();
		scheduler.stop();
		scheduler = newScheduler(threads, PluginCalls.Calls.of(Runnable::run));
		TestPlugin deaf = add(1, "deaf", "0 * * * *", CronPlugin.TIMEOUT, 3L);
		deaf.deaf = true;
		deaf.block = new CountDownLatch(1);
		try {
			clock.set(Instant.parse("2026-03-02T11:00:00Z"));
			scheduler.tick();
			assertThat(deaf.started.await(10, TimeUnit.SECONDS)).isTrue();
			clock.set(Instant.parse("2026-03-02T11:00:03Z"));
			scheduler.tick(); // interrupted
			clock.set(Instant.parse("2026-03-02T11:00:08Z"));
			scheduler.tick(); // abandoned
			assertThat(job("deaf").state).isEqualTo(JobState.STUCK);
			store.sync();
			assertThat(store.history("deaf", 10)).as("what a restart shows").singleElement()
					.satisfies(run -> assertThat(run.outcome).isEqualTo(Outcome.TIMED_OUT))
					.satisfies(run -> assertThat(run.error).contains("is abandoned"));
		} finally {
			deaf.block.countDown();
		}
	}

	@Test
	@Timeout(20)
	void aFiredRunAbandonedAtStopCompletesItsStage() throws Exception {
		threads = Executors.newCachedThreadPool();
		scheduler.stop();
		scheduler = newScheduler(threads, PluginCalls.Calls.of(Runnable::run));
		scheduler.configure(options(Duration.ofMillis(100)), null);
		TestPlugin deaf = add(1, "deaf", "0 0 1 1 *");
		deaf.deaf = true;
		deaf.block = new CountDownLatch(1);
		try {
			clock.set(Instant.parse("2026-03-02T10:01:00Z"));
			CompletableFuture<CronRunDTO> fired = view.fire("deaf").toCompletableFuture();
			assertThat(deaf.started.await(10, TimeUnit.SECONDS)).isTrue();
			scheduler.stop(); // interrupts it, awaits it 100 ms, abandons it

			CronRunDTO run = fired.get(10, TimeUnit.SECONDS);
			assertThat(run.outcome).isEqualTo(Outcome.INTERRUPTED);
			assertThat(run.error).contains("the scheduler stopped").contains("is abandoned");
		} finally {
			deaf.block.countDown();
		}
	}

	private static Thread threadNamed(String name) {
		return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(name)).findFirst()
				.orElseThrow();
	}

	// ------------------------------------------------------------------ re-check and changes

	@Test
	void theRecheckAppliesANewIntervalAndEnabled() throws Exception {
		TestPlugin p = add(1, "changing", "0 * * * *");
		assertThat(job("changing").nextFire).isEqualTo(Instant.parse("2026-03-02T11:00:00Z").toEpochMilli());
		p.interval = () -> "*/2 * * * *";
		at("2026-03-02T10:04:00Z");
		assertThat(job("changing").interval).isEqualTo("0 * * * *"); // not asked yet
		at("2026-03-02T10:05:30Z"); // re-check due
		assertThat(job("changing").interval).isEqualTo("*/2 * * * *");
		assertThat(job("changing").nextFire).isEqualTo(Instant.parse("2026-03-02T10:06:00Z").toEpochMilli());

		p.enabled = () -> false;
		at("2026-03-02T10:10:31Z");
		assertThat(job("changing").state).isEqualTo(JobState.DISABLED);
		assertThat(job("changing").reason).isEqualTo("enabled() returned false");
		assertThat(job("changing").nextFire).isNull();
		int runs = p.windows.size();
		at("2026-03-02T10:12:00Z");
		assertThat(p.windows).hasSize(runs);
	}

	@Test
	void aChangedServicePropertyReschedulesAtOnce() {
		TestPlugin p = add(1, "configured", "0 * * * *");
		scheduler.update(plugin(1, p, CronPlugin.NAME, "configured", CronPlugin.INTERVAL, "*/5 * * * *"));
		assertThat(job("configured").interval).isEqualTo("*/5 * * * *");
		assertThat(job("configured").nextFire).isEqualTo(Instant.parse("2026-03-02T10:05:00Z").toEpochMilli());
		scheduler.update(plugin(1, p, CronPlugin.NAME, "configured", CronPlugin.ENABLED, "false"));
		assertThat(job("configured").state).isEqualTo(JobState.DISABLED);
		assertThat(job("configured").reason).contains("cron.enabled");
	}

	@Test
	void rebootFiresOnceWhenTheScheduleStartsButNotOnRecheck() {
		TestPlugin p = add(1, "boot", "@reboot");
		settle();
		assertThat(p.windows).hasSize(1);
		assertThat(job("boot").lastRun.trigger).isEqualTo(Trigger.REBOOT);
		at("2026-03-02T10:05:30Z");
		at("2026-03-02T10:11:30Z");
		scheduler.update(plugin(1, p, CronPlugin.NAME, "boot", "other", "x"));
		settle();
		assertThat(p.windows).hasSize(1);
	}

	@Test
	void questionMarkFieldsKeepTheirValueAcrossRechecks() {
		add(1, "start-up", "? * * * *");
		// '?' takes the minute of the creation time, 10:00: next fire 11:00.
		assertThat(job("start-up").nextFire).isEqualTo(Instant.parse("2026-03-02T11:00:00Z").toEpochMilli());
		at("2026-03-02T10:37:30Z"); // several re-checks later
		assertThat(job("start-up").nextFire).isEqualTo(Instant.parse("2026-03-02T11:00:00Z").toEpochMilli());
	}

	@Test
	void questionMarkFieldsKeepTheirValueAcrossARestartUntilTheIntervalChanges() throws Exception {
		clock.set(Instant.parse("2026-03-02T10:17:30Z"));
		add(1, "start-up", "? * * * *");
		assertThat(job("start-up").nextFire).isEqualTo(Instant.parse("2026-03-02T11:17:00Z").toEpochMilli());
		scheduler.stop();

		// Restarted 28 minutes later: the schedule stays at minute 17 instead of moving to minute 45.
		clock.set(Instant.parse("2026-03-02T10:45:00Z"));
		scheduler = newScheduler(workers, PluginCalls.Calls.of(Runnable::run));
		TestPlugin again = add(2, "start-up", "? * * * *");
		assertThat(job("start-up").nextFire).isEqualTo(Instant.parse("2026-03-02T11:17:00Z").toEpochMilli());
		// The fire times of the schedule held, unlike a preview from now, keep minute 17.
		assertThat(view.getNextFireTimes("start-up", 2)).extracting(ZonedDateTime::toInstant)
				.containsExactly(Instant.parse("2026-03-02T11:17:00Z"), Instant.parse("2026-03-02T12:17:00Z"));

		// Another interval with '?' is a new schedule: it takes its value from now.
		again.interval = () -> "? 12 * * *";
		at("2026-03-02T10:50:00Z"); // the re-check asks interval() again
		assertThat(job("start-up").nextFire).isEqualTo(Instant.parse("2026-03-02T12:50:00Z").toEpochMilli());
		assertThat(store.read("start-up").anchorOf("? 12 * * *")).isEqualTo(Instant.parse("2026-03-02T10:50:00Z"));
	}

	// ------------------------------------------------------------------ operations

	@Test
	void pauseIsPersistedAndResumeSchedulesAgain() throws Exception {
		TestPlugin p = add(1, "pausable", "* * * * *");
		assertThat(view.pause("pausable").state).isEqualTo(JobState.PAUSED);
		assertThat(store.read("pausable").paused()).isTrue();
		at("2026-03-02T10:01:00Z");
		assertThat(p.windows).isEmpty();

		CompletionStage<CronRunDTO> manual = view.fire("pausable");
		settle();
		CronRunDTO run = manual.toCompletableFuture().get(1, TimeUnit.SECONDS);
		assertThat(run.outcome).isEqualTo(Outcome.SUCCEEDED);
		assertThat(run.trigger).isEqualTo(Trigger.MANUAL);
		assertThat(run.scheduledFire).isNull();

		assertThat(view.resume("pausable").state).isEqualTo(JobState.SCHEDULED);
		assertThat(store.read("pausable").atVersion(0))
				.isEqualTo(new RunState(Instant.parse("2026-03-02T10:01:00Z"), false).atVersion(0));
	}

	@Test
	void unknownNamesAreRefusedWithTheKnownOnes() {
		add(1, "alpha", "* * * * *");
		add(2, "beta", "* * * * *");
		assertThatThrownBy(() -> view.fire("gamma")).isInstanceOf(IllegalArgumentException.class)
				.hasMessage("no cron plugin is named 'gamma'; known: alpha, beta");
		assertThatThrownBy(() -> view.getHistory("gamma", 5)).isInstanceOf(IllegalArgumentException.class);
		assertThatThrownBy(() -> view.reset("alpha", T0.plusSeconds(1)))
				.isInstanceOf(IllegalArgumentException.class).hasMessageContaining("in the future");
	}

	@Test
	void resetOfADepartedPluginRewritesItsRecord() throws Exception {
		assertThat(view.reset("gone", Instant.parse("2026-01-01T00:00:00Z"))).isNull();
		assertThat(store.read("gone").lastEnd()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
	}

	@Test
	void previewListsFireTimesAndRefusesBadIntervals() {
		assertThat(view.preview("0 12 * * *", null, ZoneId.of("Europe/Berlin"), T0, 2))
				.extracting(Object::toString)
				.containsExactly("2026-03-02T12:00+01:00[Europe/Berlin]", "2026-03-03T12:00+01:00[Europe/Berlin]");
		assertThat(view.preview("@reboot", null, null, T0, 3)).isEmpty();
		assertThatThrownBy(() -> view.preview("* *", null, null, T0, 1))
				.isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 fields");
		assertThatThrownBy(() -> view.preview("* * * * *", null, null, T0, 0))
				.isInstanceOf(IllegalArgumentException.class);
	}

	@Test
	void theHistoryReachesEveryRunTheLocalStoreKeepsNewestFirst() {
		TestPlugin p = add(1, "busy", "* * * * *");
		int fires = LocalStateStore.HISTORY_KEPT + 5; // memory keeps 10 (history.size)
		Instant ten = Instant.parse("2026-03-02T10:00:00Z");
		for (int minute = 1; minute <= fires; minute++) {
			at(ten.plusSeconds(60L * minute).toString());
		}
		assertThat(p.windows).hasSize(fires);
		List<Long> newestFirst = new ArrayList<>();
		for (int minute = fires; minute > fires - LocalStateStore.HISTORY_KEPT; minute--) {
			newestFirst.add(ten.plusSeconds(60L * minute).toEpochMilli());
		}
		for (String name : new String[] { "busy", null }) {
			assertThat(view.getHistory(name, 1000)).as("the runs of " + name).extracting(r -> r.windowEnd)
					.isEqualTo(newestFirst);
			assertThat(view.getHistory(name, 15)).extracting(r -> r.windowEnd).isEqualTo(newestFirst.subList(0, 15));
		}
		assertThat(view.getHistories(List.of("busy"), 5).get("busy")).hasSize(5);
	}

	@Test
	void theHistoriesOfManyPluginsAreReadAtOnce() {
		add(1, "a", "* * * * *");
		add(2, "b", "* * * * *");
		at("2026-03-02T10:01:00Z");
		at("2026-03-02T10:02:00Z");
		Map<String, List<CronRunDTO>> all = view.getHistories(List.of("b", "a", "gone", "b"), 1);
		assertThat(all.keySet()).containsExactly("b", "a", "gone");
		assertThat(all.get("a")).singleElement().extracting(r -> r.windowEnd)
				.isEqualTo(Instant.parse("2026-03-02T10:02:00Z").toEpochMilli());
		assertThat(all.get("b")).hasSize(1);
		assertThat(all.get("gone")).isEmpty();
		assertThatThrownBy(() -> view.getHistories(List.of("a"), 0)).isInstanceOf(IllegalArgumentException.class);
	}

	@Test
	void aClustersHistoriesComeFromTheSharedStoreInOneCall() throws Exception {
		FailingStore shared = new FailingStore(store);
		shared.node = "n1";
		CronRunDTO elsewhere = new CronRunDTO();
		elsewhere.name = "a";
		elsewhere.node = "n2";
		elsewhere.trigger = Trigger.SCHEDULE;
		elsewhere.outcome = Outcome.SUCCEEDED;
		elsewhere.started = T0.toEpochMilli();
		shared.kept = List.of(elsewhere);
		scheduler.stop();
		scheduler = newScheduler(workers, PluginCalls.Calls.of(Runnable::run), shared);
		add(1, "a", "* * * * *");
		add(2, "b", "* * * * *");
		Map<String, List<CronRunDTO>> all = view.getHistories(List.of("a", "b"), 20);
		assertThat(all.get("a")).extracting(r -> r.node).containsExactly("n2");
		assertThat(all.get("b")).isEmpty();
		assertThat(shared.historiesCalls).hasValue(1);
		assertThat(shared.historyCalls).as("no query per plugin").hasValue(0);
		shared.unavailable = true; // the runs kept here
		assertThat(view.getHistories(List.of("a", "b"), 20).get("a")).isEmpty();
	}

	@Test
	void theEngineTellsItsDueQueueAndTimesItsCommits() throws Exception {
		FailingStore slow = new FailingStore(store);
		scheduler.stop();
		scheduler = newScheduler(workers, PluginCalls.Calls.of(Runnable::run), slow);
		assertThat(view.getEngine().dueQueueSize).as("the re-check").isEqualTo(1);
		assertThat(view.getEngine().commits).isZero();
		add(1, "a", "* * * * *");
		add(2, "b", "* * * * *");
		assertThat(view.getEngine().dueQueueSize).as("two fire times and the re-check").isEqualTo(3);
		scheduler.remove(2);
		assertThat(view.getEngine().dueQueueSize).isEqualTo(2);

		slow.beforeCommit = () -> { // a store that takes 30 ms to commit (the time measured, not awaited)
			try {
				Thread.sleep(30);
			} catch (InterruptedException e) {
				Thread.currentThread().interrupt();
			}
		};
		at("2026-03-02T10:01:00Z");
		at("2026-03-02T10:02:00Z");
		EngineDTO engine = view.getEngine();
		assertThat(engine.commits).isEqualTo(2);
		assertThat(engine.commitBuckets).hasSameSizeAs(engine.commitCounts).isSorted();
		assertThat(engine.commitCounts).isSorted();
		assertThat(engine.commitCounts[engine.commitCounts.length - 1]).isLessThanOrEqualTo(2);
		int at25ms = java.util.Arrays.binarySearch(engine.commitBuckets, 0.025);
		assertThat(engine.commitCounts[at25ms]).as("the slow commit is not within 25 ms").isLessThanOrEqualTo(1);
		assertThat(engine.commitSeconds).isGreaterThanOrEqualTo(0.030);
		assertThat(engine.dueQueueSize).isEqualTo(2);
	}

	@Test
	void theHistoryOfDepartedPluginsIsKeptForAWhileThenForgotten() {
		int names = History.DEPARTED + 10;
		for (int i = 0; i < names; i++) {
			add(100 + i, "departed-" + i, "* * * * *");
			view.fire("departed-" + i);
			settle();
			scheduler.remove(100 + i);
		}
		List<CronRunDTO> kept = view.getHistory(null, 10_000);
		assertThat(kept).hasSize(History.DEPARTED);
		assertThat(kept).extracting(r -> r.name).doesNotContain("departed-0").contains("departed-" + (names - 1));

		add(1, "departed-" + (names - 1), "* * * * *"); // back, e.g. after a bundle update
		assertThat(view.getHistory("departed-" + (names - 1), 10)).hasSize(1);
	}

	@Test
	void stopInterruptsRunningPlugins() throws Exception {
		threads = Executors.newCachedThreadPool();
		scheduler.stop();
		scheduler = newScheduler(threads, PluginCalls.Calls.of(Runnable::run));
		TestPlugin p = add(1, "running", "* * * * *");
		p.block = new CountDownLatch(1);
		clock.set(Instant.parse("2026-03-02T10:01:00Z"));
		scheduler.tick();
		assertThat(p.started.await(10, TimeUnit.SECONDS)).isTrue();
		scheduler.stop();
		assertThat(p.interrupted).isTrue();
		assertThat(scheduler.tick()).isNull();
		assertThat(store.read("running").lastEnd()).isNull();
	}
}
