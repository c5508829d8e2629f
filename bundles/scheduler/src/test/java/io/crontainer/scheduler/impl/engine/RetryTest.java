package io.crontainer.scheduler.impl.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.crontainer.api.CronPlugin;
import io.crontainer.api.runtime.CronJobDTO;
import io.crontainer.api.runtime.CronRunDTO;
import io.crontainer.api.runtime.JobState;
import io.crontainer.api.runtime.Outcome;
import io.crontainer.api.runtime.Trigger;
import io.crontainer.scheduler.impl.store.LocalStateStore;
import io.crontainer.scheduler.impl.testing.Await;
import io.crontainer.scheduler.impl.testing.ManualExecutor;
import io.crontainer.scheduler.impl.testing.MutableClock;
import io.crontainer.scheduler.impl.testing.TestPlugin;
import io.crontainer.scheduler.impl.view.RuntimeView;
import io.crontainer.scheduler.impl.whiteboard.Plugin;
import io.crontainer.store.api.PendingRetry;

/**
 * Retries of failed windows ({@code cron.retry}) and pauses with a note, driven by a mutable clock and
 * an executor the test controls, through every interleaving the issue names: a retry against the next
 * fire time, a pause, a departure, a restart, a manual fire during a pending retry, a timeout then a
 * retry.
 */
class RetryTest {
	private static final Instant T0 = Instant.parse("2026-12-07T10:00:30Z");
	private static final Instant LAST_END = Instant.parse("2026-12-07T10:00:00Z");

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
		scheduler = newScheduler(workers);
	}

	@AfterEach
	void tearDown() {
		scheduler.stop();
		store.close();
		if (threads != null) {
			threads.shutdownNow();
		}
	}

	private Scheduler newScheduler(java.util.concurrent.Executor runs) {
		Scheduler created = new Scheduler(clock, runs, PluginCalls.Calls.of(Runnable::run), store,
				new Scheduler.Options(ZoneId.of("UTC"), Duration.ofMinutes(5), Duration.ofSeconds(10),
						Duration.ofSeconds(5), 20),
				() -> {
				});
		view = new RuntimeView(created.operations());
		return created;
	}

	private void settle() {
		do {
			workers.runAll();
			store.sync();
		} while (workers.pending() > 0);
	}

	private TestPlugin add(long id, String name, String interval, Object... more) throws Exception {
		if (store.read(name).version() == 0) {
			store.reset(name, LAST_END);
		}
		TestPlugin service = new TestPlugin(interval);
		Map<String, Object> map = new HashMap<>();
		map.put(CronPlugin.NAME, name);
		for (int i = 0; i < more.length; i += 2) {
			map.put((String) more[i], more[i + 1]);
		}
		scheduler.add(new Plugin(id, 7, "test.bundle", map, service));
		return service;
	}

	private void at(String instant) {
		clock.set(Instant.parse(instant));
		scheduler.tick();
		settle();
	}

	private CronJobDTO job(String name) {
		return view.getJob(name);
	}

	private static long ms(String instant) {
		return Instant.parse(instant).toEpochMilli();
	}

	/** The runs of a name, oldest first, as "TRIGGER OUTCOME [start, end)". */
	private List<String> runs(String name) {
		List<CronRunDTO> runs = new java.util.ArrayList<>(view.getHistory(name, 50));
		java.util.Collections.reverse(runs);
		return runs.stream().map(r -> r.trigger + " " + r.outcome + (r.windowStart == null ? ""
				: " [" + Instant.ofEpochMilli(r.windowStart) + ", " + Instant.ofEpochMilli(r.windowEnd) + ")")).toList();
	}

	@Test
	void aFailedWindowIsRetriedWithDoublingDelaysAndTheRetryCommitsItFromTheSameStart() throws Exception {
		TestPlugin p = add(1, "flaky", "0 * * * *", CronPlugin.RETRY, 3, CronPlugin.RETRY_DELAY, "PT30S",
				CronPlugin.RETRY_MAX_DELAY, "PT5M");
		assertThat(job("flaky").retries).isEqualTo(3);
		assertThat(job("flaky").retryDelay).isEqualTo(30_000L);
		assertThat(job("flaky").retryMaxDelay).isEqualTo(300_000L);
		p.failure = new IllegalStateException("database down");
		at("2026-12-07T11:00:00Z");
		CronJobDTO waiting = job("flaky");
		assertThat(waiting.state).isEqualTo(JobState.SCHEDULED);
		assertThat(waiting.retryAttempt).isEqualTo(1);
		assertThat(waiting.retryAttempts).isEqualTo(3);
		assertThat(waiting.retryAt).isEqualTo(ms("2026-12-07T11:00:30Z"));
		assertThat(store.read("flaky").retry()).as("persisted")
				.isEqualTo(new PendingRetry(1, 3, Instant.parse("2026-12-07T11:00:30Z"), Instant.parse("2026-12-07T12:00:00Z")));

		at("2026-12-07T11:00:29.999Z");
		assertThat(p.windows).hasSize(1);
		at("2026-12-07T11:00:30Z"); // retry 1 fails: retry 2 after 60 s
		assertThat(job("flaky").retryAttempt).isEqualTo(2);
		assertThat(job("flaky").retryAt).isEqualTo(ms("2026-12-07T11:01:30Z"));
		at("2026-12-07T11:01:30Z"); // retry 2 fails: retry 3 after 120 s
		assertThat(job("flaky").retryAt).isEqualTo(ms("2026-12-07T11:03:30Z"));
		p.failure = null;
		at("2026-12-07T11:03:30Z"); // retry 3 succeeds
		assertThat(job("flaky").retryAttempt).isNull();
		assertThat(store.read("flaky").retry()).isNull();
		assertThat(store.read("flaky").lastEnd()).isEqualTo(Instant.parse("2026-12-07T11:03:30Z"));
		at("2026-12-07T12:00:00Z");

		assertThat(runs("flaky")).containsExactly(
				"SCHEDULE FAILED [2026-12-07T10:00:00Z, 2026-12-07T11:00:00Z)",
				"RETRY FAILED [2026-12-07T10:00:00Z, 2026-12-07T11:00:30Z)",
				"RETRY FAILED [2026-12-07T10:00:00Z, 2026-12-07T11:01:30Z)",
				"RETRY SUCCEEDED [2026-12-07T10:00:00Z, 2026-12-07T11:03:30Z)",
				"SCHEDULE SUCCEEDED [2026-12-07T11:03:30Z, 2026-12-07T12:00:00Z)");
		assertThat(view.getHistory("flaky", 5).get(1).scheduledFire).as("a retry's fire time is its due time")
				.isEqualTo(ms("2026-12-07T11:03:30Z"));
		assertThat(job("flaky").failureCount).isEqualTo(3);
	}

	@Test
	void aRunThatFailsBeforeTheTimerComputedItsNextFireTimeKeepsItsRetry() throws Exception {
		TestPlugin p = add(1, "quick", "* * * * *", CronPlugin.RETRY, 3, CronPlugin.RETRY_DELAY, "PT1S");
		p.failure = new IllegalStateException("down");
		// The run waits for a thread once: while the timer puts off the next fire time, the run takes its
		// thread, fails and is committed (a run of milliseconds on a busy machine).
		java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
		scheduler.runsWaiting(() -> asked.getAndIncrement() == 0, nanos -> settle());
		at("2026-12-07T10:01:00Z");
		assertThat(asked).hasValueGreaterThan(1);
		assertThat(job("quick").nextFire).isEqualTo(ms("2026-12-07T10:02:00Z"));
		assertThat(job("quick").retryAt).as("the fire time that just came did not take over").isEqualTo(
				ms("2026-12-07T10:01:01Z"));
		p.failure = null;
		at("2026-12-07T10:01:01Z");
		assertThat(runs("quick")).containsExactly(
				"SCHEDULE FAILED [2026-12-07T10:00:00Z, 2026-12-07T10:01:00Z)",
				"RETRY SUCCEEDED [2026-12-07T10:00:00Z, 2026-12-07T10:01:01Z)");
	}

	@Test
	void spentRetriesLeaveTheWindowToTheNextFireTime() throws Exception {
		TestPlugin p = add(1, "broken", "0 * * * *", CronPlugin.RETRY, 1, CronPlugin.RETRY_DELAY, 60);
		p.failure = new IllegalStateException("still broken");
		at("2026-12-07T11:00:00Z");
		at("2026-12-07T11:01:00Z"); // the one retry fails
		assertThat(job("broken").retryAttempt).isNull();
		assertThat(store.read("broken").retry()).isNull();
		at("2026-12-07T11:30:00Z");
		p.failure = null;
		at("2026-12-07T12:00:00Z");
		assertThat(runs("broken")).containsExactly(
				"SCHEDULE FAILED [2026-12-07T10:00:00Z, 2026-12-07T11:00:00Z)",
				"RETRY FAILED [2026-12-07T10:00:00Z, 2026-12-07T11:01:00Z)",
				"SCHEDULE SUCCEEDED [2026-12-07T10:00:00Z, 2026-12-07T12:00:00Z)");
	}

	@Test
	void aRetryNeverComesAtOrAfterTheNextFireTimeWhichTakesOverAndStartsTheRetriesAgain() throws Exception {
		TestPlugin p = add(1, "minutely", "* * * * *", CronPlugin.RETRY, 5, CronPlugin.RETRY_DELAY, 20);
		p.failure = new IllegalStateException("down");
		at("2026-12-07T10:01:00Z"); // retry 1 at 10:01:20
		at("2026-12-07T10:01:20Z"); // fails: retry 2 would be at 10:02:00, the next fire time: none
		assertThat(job("minutely").retryAttempt).isNull();
		assertThat(store.read("minutely").retry()).isNull();
		at("2026-12-07T10:02:00Z"); // the schedule takes over, fails, and starts the retries again
		assertThat(job("minutely").retryAttempt).isEqualTo(1);
		assertThat(job("minutely").retryAt).isEqualTo(ms("2026-12-07T10:02:20Z"));
		assertThat(runs("minutely")).containsExactly(
				"SCHEDULE FAILED [2026-12-07T10:00:00Z, 2026-12-07T10:01:00Z)",
				"RETRY FAILED [2026-12-07T10:00:00Z, 2026-12-07T10:01:20Z)",
				"SCHEDULE FAILED [2026-12-07T10:00:00Z, 2026-12-07T10:02:00Z)");

		// A pending retry whose time is passed when the next fire time comes (the timer was late): the
		// fire time runs, the retry does not run beside or after it.
		clock.set(Instant.parse("2026-12-07T10:03:00Z"));
		p.failure = null;
		scheduler.tick();
		settle();
		assertThat(runs("minutely")).hasSize(4).last().isEqualTo(
				"SCHEDULE SUCCEEDED [2026-12-07T10:00:00Z, 2026-12-07T10:03:00Z)");
		at("2026-12-07T10:03:30Z");
		assertThat(runs("minutely")).hasSize(4);
	}

	@Test
	void aPausedPluginHoldsItsRetryAndRunsItOnceResumedUnlessTheNextFireTimeCame() throws Exception {
		TestPlugin p = add(1, "held", "0 * * * *", CronPlugin.RETRY, 2, CronPlugin.RETRY_DELAY, "PT5M");
		p.failure = new IllegalStateException("down");
		at("2026-12-07T11:00:00Z"); // retry 1 at 11:05
		CronJobDTO paused = view.pause("held", "investigating \u001b[31mthe\u001b[0m failure", "console (user ops)");
		assertThat(paused.state).isEqualTo(JobState.PAUSED);
		assertThat(paused.pausedBy).isEqualTo("console (user ops)");
		assertThat(paused.pausedAt).isEqualTo(ms("2026-12-07T11:00:00Z"));
		assertThat(paused.pauseReason).isEqualTo("investigating \u001b[31mthe\u001b[0m failure");
		assertThat(paused.reason).isEqualTo("paused by console (user ops) at 2026-12-07T11:00:00Z: investigating"
				+ " \u001b[31mthe\u001b[0m failure");
		assertThat(paused.retryAttempt).as("held, shown").isEqualTo(1);
		at("2026-12-07T11:05:00Z");
		at("2026-12-07T11:10:00Z");
		assertThat(p.windows).as("no retry while paused").hasSize(1);
		p.failure = null;
		CronJobDTO resumed = view.resume("held");
		assertThat(resumed.pausedBy).isNull();
		assertThat(resumed.reason).isNull();
		assertThat(store.read("held").pause()).isNull();
		settle();
		scheduler.tick(); // its time has passed: it runs at once
		settle();
		assertThat(runs("held")).last().isEqualTo("RETRY SUCCEEDED [2026-12-07T10:00:00Z, 2026-12-07T11:10:00Z)");

		// Paused past the next fire time: the retry is dropped, the fire time after the resume runs.
		p.failure = new IllegalStateException("down again");
		at("2026-12-07T12:00:00Z"); // retry 1 at 12:05
		view.pause("held");
		assertThat(job("held").pausedBy).as("paused through the API, nobody named").isNull();
		assertThat(job("held").pausedAt).isEqualTo(ms("2026-12-07T12:00:00Z"));
		assertThat(job("held").reason).isEqualTo("paused by an operator at 2026-12-07T12:00:00Z");
		at("2026-12-07T13:00:30Z");
		p.failure = null;
		view.resume("held");
		settle();
		scheduler.tick();
		settle();
		assertThat(job("held").retryAttempt).isNull();
		assertThat(runs("held")).hasSize(3);
		at("2026-12-07T14:00:00Z");
		assertThat(runs("held")).last().isEqualTo("SCHEDULE SUCCEEDED [2026-12-07T11:10:00Z, 2026-12-07T14:00:00Z)");
	}

	@Test
	void aPauseNoteIsReplacedByAPauseWithAnotherReasonAndKeptAcrossARestart() throws Exception {
		add(1, "noted", "0 * * * *");
		view.pause("noted", "first", "bin/client session 1 (user a)");
		clock.set(Instant.parse("2026-12-07T10:05:00Z"));
		view.pause("noted", "  second  ", "bin/client session 2 (user b)");
		assertThat(job("noted").pauseReason).isEqualTo("second");
		assertThat(job("noted").pausedAt).isEqualTo(ms("2026-12-07T10:05:00Z"));
		assertThat(job("noted").reason).as("the state's reason follows the new note")
				.isEqualTo("paused by bin/client session 2 (user b) at 2026-12-07T10:05:00Z: second");
		scheduler.stop();
		scheduler = newScheduler(workers);
		add(2, "noted", "0 * * * *");
		assertThat(job("noted").state).isEqualTo(JobState.PAUSED);
		assertThat(job("noted").pausedBy).isEqualTo("bin/client session 2 (user b)");
		view.pause("noted"); // the 1.0 operation: pausing a paused plugin does nothing
		assertThat(job("noted").pauseReason).isEqualTo("second");
		org.assertj.core.api.Assertions.assertThatThrownBy(() -> view.pause("noted", "x".repeat(501), null))
				.isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 500");
		view.pause("noted", null, "y".repeat(300));
		assertThat(job("noted").pausedBy).hasSize(200);
	}

	@Test
	void aPendingRetrySurvivesARestartAndRunsAtOnceIfItsTimePassedMeanwhile() throws Exception {
		TestPlugin p = add(1, "durable", "0 * * * *", CronPlugin.RETRY, 2, CronPlugin.RETRY_DELAY, "PT1M");
		p.failure = new IllegalStateException("down");
		at("2026-12-07T11:00:00Z"); // retry 1 at 11:01
		scheduler.stop();
		clock.set(Instant.parse("2026-12-07T11:20:00Z")); // down past the retry's time, not the next fire time
		scheduler = newScheduler(workers);
		TestPlugin again = add(2, "durable", "0 * * * *", CronPlugin.RETRY, 2, CronPlugin.RETRY_DELAY, "PT1M");
		assertThat(job("durable").retryAttempt).isEqualTo(1);
		scheduler.tick();
		settle();
		assertThat(again.windows).hasSize(1);
		assertThat(again.windows.get(0)).containsExactly(LAST_END, Instant.parse("2026-12-07T11:20:00Z"));
		assertThat(runs("durable")).last().isEqualTo("RETRY SUCCEEDED [2026-12-07T10:00:00Z, 2026-12-07T11:20:00Z)");

		// Down past the next fire time too: the retry is dropped; the schedule runs the window.
		again.failure = new IllegalStateException("down");
		at("2026-12-07T12:00:00Z"); // retry 1 at 12:01
		scheduler.stop();
		clock.set(Instant.parse("2026-12-07T13:30:00Z"));
		scheduler = newScheduler(workers);
		TestPlugin third = add(3, "durable", "0 * * * *", CronPlugin.RETRY, 2, CronPlugin.RETRY_DELAY, "PT1M");
		assertThat(job("durable").retryAttempt).isNull();
		scheduler.tick();
		settle();
		assertThat(third.windows).isEmpty();
		at("2026-12-07T14:00:00Z");
		assertThat(third.windows.get(0)).containsExactly(Instant.parse("2026-12-07T11:20:00Z"),
				Instant.parse("2026-12-07T14:00:00Z"));
	}

	@Test
	void aDepartedPluginRunsNoRetryAndItsSuccessorTakesThePendingRetryOver() throws Exception {
		TestPlugin p = add(1, "leaving", "0 * * * *", CronPlugin.RETRY, 1, CronPlugin.RETRY_DELAY, "PT10M");
		p.failure = new IllegalStateException("down");
		at("2026-12-07T11:00:00Z"); // retry at 11:10
		scheduler.remove(1);
		at("2026-12-07T11:10:00Z");
		assertThat(p.windows).hasSize(1);
		TestPlugin back = add(2, "leaving", "0 * * * *", CronPlugin.RETRY, 1, CronPlugin.RETRY_DELAY, "PT10M");
		scheduler.tick();
		settle();
		assertThat(back.windows).as("the retry, late").hasSize(1);
		assertThat(runs("leaving")).last().isEqualTo("RETRY SUCCEEDED [2026-12-07T10:00:00Z, 2026-12-07T11:10:00Z)");
	}

	@Test
	void aManualFireDuringAPendingRetryDecidesIt() throws Exception {
		TestPlugin p = add(1, "fired", "0 * * * *", CronPlugin.RETRY, 2, CronPlugin.RETRY_DELAY, "PT10M");
		p.failure = new IllegalStateException("down");
		at("2026-12-07T11:00:00Z"); // retry 1 at 11:10

		clock.set(Instant.parse("2026-12-07T11:02:00Z"));
		view.fire("fired"); // fails too: a manual run is not retried, the pending retry stays
		clock.set(Instant.parse("2026-12-07T11:10:00Z"));
		scheduler.tick(); // the retry comes while the manual run is queued: it waits for it
		assertThat(job("fired").running).isTrue();
		settle();
		assertThat(job("fired").retryAttempt).as("kept by the failed manual run").isEqualTo(1);
		scheduler.tick(); // and runs once that run is over
		settle();
		assertThat(runs("fired")).containsExactly(
				"SCHEDULE FAILED [2026-12-07T10:00:00Z, 2026-12-07T11:00:00Z)",
				"MANUAL FAILED [2026-12-07T10:00:00Z, 2026-12-07T11:10:00Z)",
				"RETRY FAILED [2026-12-07T10:00:00Z, 2026-12-07T11:10:00Z)");
		assertThat(job("fired").retryAttempt).isEqualTo(2);

		p.failure = null;
		clock.set(Instant.parse("2026-12-07T11:15:00Z"));
		view.fire("fired"); // succeeds: the window is committed and the retry has nothing left to do
		settle();
		assertThat(job("fired").retryAttempt).isNull();
		assertThat(store.read("fired").retry()).isNull();
		at("2026-12-07T11:30:00Z");
		assertThat(runs("fired")).hasSize(4).last().isEqualTo("MANUAL SUCCEEDED [2026-12-07T10:00:00Z, 2026-12-07T11:15:00Z)");
	}

	@Test
	void aTimedOutRunIsRetried() throws Exception {
		threads = Executors.newCachedThreadPool();
		scheduler.stop();
		scheduler = newScheduler(threads);
		TestPlugin p = add(1, "slow", "0 * * * *", CronPlugin.TIMEOUT, 30L, CronPlugin.RETRY, 1,
				CronPlugin.RETRY_DELAY, "PT1M");
		p.block = new CountDownLatch(1);
		clock.set(Instant.parse("2026-12-07T11:00:00Z"));
		scheduler.tick();
		assertThat(p.started.await(10, TimeUnit.SECONDS)).isTrue();
		clock.set(Instant.parse("2026-12-07T11:00:30Z"));
		scheduler.tick(); // its timeout: interrupted, it returns
		Await.until("the retry pending", () -> job("slow").retryAttempt != null);
		assertThat(job("slow").lastRun.outcome).isEqualTo(Outcome.TIMED_OUT);
		assertThat(job("slow").retryAt).isEqualTo(ms("2026-12-07T11:01:30Z"));
		p.block = null;
		clock.set(Instant.parse("2026-12-07T11:01:30Z"));
		scheduler.tick();
		Await.until("the retry over", () -> job("slow").lastRun.trigger == Trigger.RETRY
				&& job("slow").lastRun.outcome == Outcome.SUCCEEDED);
		store.sync();
		assertThat(store.read("slow").lastEnd()).isEqualTo(Instant.parse("2026-12-07T11:01:30Z"));
	}

	@Test
	void aPendingRetryDoesNotRunOnceThePluginNoLongerAsksForRetries() throws Exception {
		TestPlugin p = add(1, "changed", "0 * * * *", CronPlugin.RETRY, 2, CronPlugin.RETRY_DELAY, "PT1M");
		p.failure = new IllegalStateException("down");
		at("2026-12-07T11:00:00Z"); // retry 1 at 11:01
		scheduler.update(new Plugin(1, 7, "test.bundle", Map.of(CronPlugin.NAME, "changed"), p)); // cron.retry removed
		settle();
		assertThat(job("changed").retryAttempt).isNull();
		at("2026-12-07T11:01:00Z");
		assertThat(p.windows).hasSize(1);
	}

	@Test
	void aWrongRetryPropertyMakesThePluginInvalid() throws Exception {
		add(1, "wrong", "0 * * * *", CronPlugin.RETRY, 3, CronPlugin.RETRY_DELAY, "30 seconds");
		assertThat(job("wrong").state).isEqualTo(JobState.INVALID);
		assertThat(job("wrong").reason).isEqualTo("service property cron.retry.delay = \"30 seconds\" (String) is not an"
				+ " ISO-8601 duration such as \"PT30S\" or \"PT5M\", or a whole number of seconds, from 1 s to 1 day");
	}
}
