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
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.crontainer.api.runtime.CronJobDTO;
import io.crontainer.api.runtime.CronRunDTO;
import io.crontainer.api.runtime.JobState;
import io.crontainer.api.runtime.Outcome;
import io.crontainer.api.runtime.Trigger;
import io.crontainer.scheduler.impl.store.LocalStateStore;
import io.crontainer.scheduler.impl.testing.Await;
import io.crontainer.scheduler.impl.testing.FailingStore;
import io.crontainer.scheduler.impl.testing.ManualExecutor;
import io.crontainer.scheduler.impl.testing.MutableClock;
import io.crontainer.scheduler.impl.view.RuntimeView;
import io.crontainer.scheduler.impl.whiteboard.Plugin;
import io.crontainer.scheduler.impl.whiteboard.RunnableJob;

/**
 * Whiteboard {@code Runnable}s (the Sling and Karaf scheduler whiteboard) in the scheduler core: jobs
 * like cron plugins, with {@code scheduler.concurrent}, {@code scheduler.immediate} and
 * {@code scheduler.times}. Driven by a mutable clock and a manual executor: a queued run counts as
 * running, so overlaps are deterministic.
 */
class RunnableJobsTest {
	private static final Instant T0 = Instant.parse("2026-03-02T10:00:30Z");

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
				new Scheduler.Options(ZoneId.of("UTC"), Duration.ofMinutes(5), Duration.ofSeconds(10), Duration.ofSeconds(1),
						20), () -> {
						});
		view = new RuntimeView(created.operations());
		return created;
	}

	/** A Runnable that counts its runs, and may block until released. */
	static final class Task implements Runnable {
		final AtomicInteger runs = new AtomicInteger();
		final AtomicInteger interrupts = new AtomicInteger();
		volatile CountDownLatch block;
		final CountDownLatch started = new CountDownLatch(2);

		@Override
		public void run() {
			runs.incrementAndGet();
			started.countDown();
			CountDownLatch b = block;
			if (b != null) {
				try {
					b.await(30, TimeUnit.SECONDS);
				} catch (InterruptedException e) {
					interrupts.incrementAndGet();
				}
			}
		}
	}

	private Task add(long id, Object... keyValues) {
		Map<String, Object> properties = new HashMap<>();
		for (int i = 0; i < keyValues.length; i += 2) {
			properties.put((String) keyValues[i], keyValues[i + 1]);
		}
		Task task = new Task();
		scheduler.add(new Plugin(id, 9, "com.example.jobs", properties, new RunnableJob(task)));
		return task;
	}

	private void at(String instant) {
		clock.set(Instant.parse(instant));
		scheduler.tick();
		settle();
	}

	/** Runs what the executor holds, and what the commits it caused queue, until nothing is left. */
	private void settle() {
		do {
			workers.runAll();
			store.sync();
		} while (workers.pending() > 0);
	}

	private List<Outcome> outcomes(String name) {
		return view.getHistory(name, 20).stream().map(r -> r.outcome).toList();
	}

	@Test
	void aRunnableIsAJobUnderItsSchedulerName() {
		Task task = add(1, "scheduler.expression", "0 * * * * ?", "scheduler.name", "cleanup");
		CronJobDTO job = view.getJob("cleanup");
		assertThat(job.state).isEqualTo(JobState.SCHEDULED);
		assertThat(job.interval).isEqualTo("0 * * * * ?");
		assertThat(job.nextFire).isEqualTo(Instant.parse("2026-03-02T10:01:00Z").toEpochMilli());
		assertThat(job.bundleSymbolicName).isEqualTo("com.example.jobs");
		assertThat(job.concurrent).isFalse();

		at("2026-03-02T10:01:00Z");
		assertThat(task.runs).hasValue(1);
		CronRunDTO run = view.getHistory("cleanup", 1).get(0);
		assertThat(run.outcome).isEqualTo(Outcome.SUCCEEDED);
		assertThat(run.trigger).isEqualTo(Trigger.SCHEDULE);
		assertThat(view.getJob("cleanup").lastEnd).isEqualTo(Instant.parse("2026-03-02T10:01:00Z").toEpochMilli());
	}

	@Test
	void aPeriodFiresAtMultiplesOfItSinceTheEpochAndPauses() {
		Task task = add(1, "scheduler.period", 90L, "scheduler.name", "every-90");
		assertThat(view.getJob("every-90").interval).isEqualTo("@every 90s");
		// the multiples of 90 s since the epoch around T0 (10:00:30): 10:00:00, 10:01:30, 10:03:00
		assertThat(view.getJob("every-90").nextFire).isEqualTo(Instant.parse("2026-03-02T10:01:30Z").toEpochMilli());
		at("2026-03-02T10:01:30Z");
		assertThat(task.runs).hasValue(1);
		assertThat(view.getJob("every-90").nextFire).isEqualTo(Instant.parse("2026-03-02T10:03:00Z").toEpochMilli());
		view.pause("every-90");
		at("2026-03-02T10:03:00Z");
		assertThat(task.runs).hasValue(1);
		assertThat(view.getJob("every-90").state).isEqualTo(JobState.PAUSED);
	}

	@Test
	void neverTwiceAtOnceByDefault() {
		Task single = add(1, "scheduler.period", 60L, "scheduler.name", "single");
		clock.set(Instant.parse("2026-03-02T10:01:00Z"));
		scheduler.tick(); // queued: it counts as running
		clock.set(Instant.parse("2026-03-02T10:02:00Z"));
		scheduler.tick();
		settle();
		assertThat(single.runs).hasValue(1);
		assertThat(outcomes("single")).containsExactly(Outcome.SKIPPED, Outcome.SUCCEEDED);
		assertThat(view.getJob("single").concurrent).isFalse();
	}

	@Test
	void concurrentTrueRunsAFireTimeBesideTheRunGoing() throws Exception {
		threads = Executors.newCachedThreadPool();
		scheduler.stop();
		scheduler = newScheduler(threads);
		Task task = add(1, "scheduler.period", 60L, "scheduler.name", "overlapping", "scheduler.concurrent", true);
		assertThat(view.getJob("overlapping").concurrent).isTrue();
		task.block = new CountDownLatch(1);
		clock.set(Instant.parse("2026-03-02T10:01:00Z"));
		scheduler.tick();
		// the first run is inside run(), its window end 10:01
		Await.until("the first run inside run()", () -> task.started.getCount() == 1);
		clock.set(Instant.parse("2026-03-02T10:02:00Z"));
		scheduler.tick();
		assertThat(task.started.await(10, TimeUnit.SECONDS)).as("both runs going at once").isTrue();
		task.block.countDown();
		Await.until("the runs of overlapping over", () -> !view.getJob("overlapping").running);
		assertThat(outcomes("overlapping")).containsExactly(Outcome.SUCCEEDED, Outcome.SUCCEEDED);
		// the run that holds the name commits its window; the one beside it has no claim and commits none
		assertThat(view.getJob("overlapping").lastEnd).isEqualTo(Instant.parse("2026-03-02T10:01:00Z").toEpochMilli());
	}

	@Test
	void aConcurrentJobHasAtMostEightRunsAtOnceAndSkipsTheFireTimesBeyond() {
		Task task = add(1, "scheduler.period", 1L, "scheduler.name", "hung", "scheduler.concurrent", true);
		Instant t = Instant.parse("2026-03-02T10:00:31Z");
		for (int i = 0; i < Firing.MAX_CONCURRENT_RUNS + 3; i++) { // queued runs count as going: none ends
			clock.set(t.plusSeconds(i));
			scheduler.tick();
		}
		List<CronRunDTO> history = view.getHistory("hung", 20);
		assertThat(history).hasSize(Firing.MAX_CONCURRENT_RUNS + 3);
		assertThat(history.subList(0, 3)).allSatisfy(r -> {
			assertThat(r.outcome).isEqualTo(Outcome.SKIPPED);
			assertThat(r.error).isEqualTo("8 runs were going already, the most at once for scheduler.concurrent = true");
		});
		assertThat(history.subList(3, history.size())).extracting(r -> r.outcome).doesNotContain(Outcome.SKIPPED);
		assertThat(workers.pending()).as("threads asked for").isEqualTo(Firing.MAX_CONCURRENT_RUNS);

		settle(); // the runs end
		assertThat(task.runs).hasValue(Firing.MAX_CONCURRENT_RUNS);
		at("2026-03-02T10:00:45Z");
		assertThat(task.runs).as("runs again once runs ended").hasValue(Firing.MAX_CONCURRENT_RUNS + 1);
		assertThat(outcomes("hung").get(0)).isEqualTo(Outcome.SUCCEEDED);
	}

	/**
	 * On a cluster's store (one with a node) a run beside the one going would have no claim, and so
	 * could run on every runtime: there a concurrent job's fire time is skipped as any job's.
	 */
	@Test
	void onAClusterStoreConcurrentRunsDoNotOverlap() {
		FailingStore cluster = new FailingStore(store);
		cluster.node = "node-1";
		scheduler.stop();
		scheduler = new Scheduler(clock, workers, PluginCalls.Calls.of(Runnable::run), cluster,
				new Scheduler.Options(ZoneId.of("UTC"), Duration.ofMinutes(5), Duration.ofSeconds(10), Duration.ofSeconds(1),
						20), () -> {
						});
		view = new RuntimeView(scheduler.operations());
		Task task = add(1, "scheduler.period", 60L, "scheduler.name", "clustered", "scheduler.concurrent", true);
		clock.set(Instant.parse("2026-03-02T10:01:00Z"));
		scheduler.tick(); // queued: it counts as running
		clock.set(Instant.parse("2026-03-02T10:02:00Z"));
		scheduler.tick();
		settle();
		assertThat(task.runs).hasValue(1);
		assertThat(outcomes("clustered")).containsExactly(Outcome.SKIPPED, Outcome.SUCCEEDED);
	}


	@Test
	void immediateRunsWhenTheScheduleStarts() {
		Task task = add(1, "scheduler.period", 3600L, "scheduler.name", "now", "scheduler.immediate", true);
		settle();
		assertThat(task.runs).hasValue(1);
		assertThat(view.getHistory("now", 1).get(0).trigger).isEqualTo(Trigger.REBOOT);
		view.getJobs(); // a re-check or a look does not run it again
		at("2026-03-02T10:30:00Z");
		assertThat(task.runs).hasValue(1);
		at("2026-03-02T11:00:00Z");
		assertThat(task.runs).hasValue(2);
	}

	@Test
	void timesEndsTheScheduleAfterThatManyFireTimes() {
		Task task = add(1, "scheduler.period", 60L, "scheduler.name", "twice", "scheduler.times", 2);
		at("2026-03-02T10:01:00Z");
		at("2026-03-02T10:02:00Z");
		at("2026-03-02T10:03:00Z");
		assertThat(task.runs).hasValue(2);
		CronJobDTO job = view.getJob("twice");
		assertThat(job.state).isEqualTo(JobState.DISABLED);
		assertThat(job.reason).isEqualTo("it has had its 2 fire times (scheduler.times); registering its service again"
				+ " starts them afresh");
		assertThat(job.nextFire).isNull();

		scheduler.remove(1);
		Task again = add(2, "scheduler.period", 60L, "scheduler.name", "twice", "scheduler.times", 2);
		assertThat(view.getJob("twice").state).isEqualTo(JobState.SCHEDULED);
		at("2026-03-02T10:04:00Z");
		assertThat(again.runs).hasValue(1);
	}

	@Test
	void immediateCountsAsOneOfTheTimes() {
		Task task = add(1, "scheduler.period", 60L, "scheduler.name", "once", "scheduler.times", 1,
				"scheduler.immediate", true);
		settle();
		assertThat(task.runs).hasValue(1);
		assertThat(view.getJob("once").state).isEqualTo(JobState.DISABLED);
		at("2026-03-02T10:01:00Z");
		assertThat(task.runs).hasValue(1);
	}

	@Test
	void wrongPropertiesMakeTheJobInvalidWithTheReason() {
		add(1, "scheduler.period", 60L, "scheduler.name", "bad", "scheduler.concurrent", "yes");
		CronJobDTO job = view.getJob("bad");
		assertThat(job.state).isEqualTo(JobState.INVALID);
		assertThat(job.reason).isEqualTo(
				"service property scheduler.concurrent = \"yes\" (String) is not a Boolean or \"true\" or \"false\"");
		add(2, "scheduler.expression", "0 0 * * * *", "scheduler.name", "spring");
		assertThat(view.getJob("spring").state).isEqualTo(JobState.INVALID);
		assertThat(view.getJob("spring").reason).contains("'0 0 * * * ?'");
	}

	@Test
	void aDepartingConcurrentJobInterruptsAndAwaitsEveryRun() throws Exception {
		threads = Executors.newCachedThreadPool();
		scheduler.stop();
		scheduler = newScheduler(threads);
		Task task = add(1, "scheduler.period", 60L, "scheduler.name", "slow", "scheduler.concurrent", true);
		task.block = new CountDownLatch(1);
		clock.set(Instant.parse("2026-03-02T10:01:00Z"));
		scheduler.tick();
		clock.set(Instant.parse("2026-03-02T10:02:00Z"));
		scheduler.tick();
		assertThat(task.started.await(10, TimeUnit.SECONDS)).isTrue();
		assertThat(view.getJob("slow").running).isTrue();

		scheduler.remove(1); // returns at once: the grace (1 s) is the timer's deadline
		assertThat(task.interrupts).hasValue(0);
		clock.set(Instant.parse("2026-03-02T10:02:00.999Z"));
		scheduler.tick();
		assertThat(task.interrupts).as("within the grace").hasValue(0);
		clock.set(Instant.parse("2026-03-02T10:02:01Z"));
		scheduler.tick(); // the grace is over: both runs are interrupted at once
		Await.until("two runs INTERRUPTED",
				() -> view.getHistory(null, 10).stream().filter(r -> r.outcome == Outcome.INTERRUPTED).count() == 2);
		assertThat(task.interrupts).hasValue(2);
		assertThat(view.getHistory(null, 10)).extracting(r -> r.outcome)
				.containsExactly(Outcome.INTERRUPTED, Outcome.INTERRUPTED);
		assertThat(store.read("slow").lastEnd()).isNull();
	}
}
