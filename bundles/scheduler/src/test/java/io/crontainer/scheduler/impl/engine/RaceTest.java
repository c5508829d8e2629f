package io.crontainer.scheduler.impl.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.crontainer.api.CronPlugin;
import io.crontainer.api.runtime.CronRunDTO;
import io.crontainer.api.runtime.JobState;
import io.crontainer.api.runtime.Outcome;
import io.crontainer.scheduler.impl.store.LocalStateStore;
import io.crontainer.scheduler.impl.testing.FailingStore;
import io.crontainer.scheduler.impl.testing.ManualExecutor;
import io.crontainer.scheduler.impl.testing.MutableClock;
import io.crontainer.scheduler.impl.testing.TestPlugin;
import io.crontainer.scheduler.impl.view.RuntimeView;
import io.crontainer.scheduler.impl.whiteboard.Plugin;

/**
 * Operators' changes that land while a run starts or commits, each interleaving forced
 * deterministically: runs execute on the test's thread (a {@link ManualExecutor}), the clock is the
 * test's, and the store runs the test's hooks at the chosen point. Nothing is lost and nothing is
 * overwritten.
 */
class RaceTest {
	private static final Instant T0 = Instant.parse("2026-03-02T10:00:30Z");
	private static final Instant FIRE = Instant.parse("2026-03-02T10:01:00Z");
	private static final Instant SINCE = Instant.parse("2026-03-01T00:00:00Z");

	@TempDir
	Path dir;

	MutableClock clock;
	ManualExecutor workers;
	LocalStateStore local;
	FailingStore store;
	Scheduler scheduler;
	RuntimeView view;
	TestPlugin plugin;

	@BeforeEach
	void setUp() throws Exception {
		clock = new MutableClock(T0);
		workers = new ManualExecutor();
		local = new LocalStateStore(dir);
		store = new FailingStore(local);
		scheduler = new Scheduler(clock, workers, PluginCalls.Calls.of(Runnable::run), store,
				new Scheduler.Options(ZoneId.of("UTC"), Duration.ofMinutes(5), Duration.ofSeconds(10),
						Duration.ofSeconds(5), 10), () -> {
						});
		view = new RuntimeView(scheduler.operations());
		plugin = new TestPlugin("* * * * *");
		Map<String, Object> properties = new HashMap<>();
		properties.put(CronPlugin.NAME, "p");
		scheduler.add(new Plugin(1, 7, "test.bundle", properties, plugin));
	}

	@AfterEach
	void tearDown() {
		scheduler.stop();
		local.close();
	}

	private void settle() {
		do {
			workers.runAll();
			local.sync();
		} while (workers.pending() > 0);
	}

	/** The due fire: the run is queued, not started. */
	private void fire() {
		clock.set(FIRE);
		scheduler.tick();
	}

	@Test
	void aResetThatLandsWhileARunStartsWinsOverItsCommit() throws Exception {
		// The operator's reset passed the engine's "not running" check; before it reaches the store,
		// the fire time comes and the run starts and commits.
		store.beforeReset = () -> {
			fire();
			settle();
			assertThat(plugin.windows).hasSize(1);
		};
		view.reset("p", SINCE);
		settle();
		assertThat(local.read("p").lastEnd()).as("the reset is not overwritten").isEqualTo(SINCE);
		assertThat(view.getJob("p").lastEnd).isEqualTo(SINCE.toEpochMilli());
	}

	@Test
	void aResetThatLandsBetweenAClaimAndItsCommitFencesTheCommit() throws Exception {
		fire();
		store.afterClaim = () -> {
			// The run holds its claim; the reset's store call happens now (its engine check is the
			// subject of the test above).
			try {
				local.reset("p", SINCE);
			} catch (Exception e) {
				throw new AssertionError(e);
			}
		};
		settle();
		assertThat(plugin.windows).hasSize(1);
		CronRunDTO run = view.getHistory("p", 1).get(0);
		assertThat(run.outcome).isEqualTo(Outcome.FAILED);
		assertThat(run.error).contains("not committed").contains("reset");
		assertThat(local.read("p").lastEnd()).isEqualTo(SINCE);

		clock.set(Instant.parse("2026-03-02T10:02:00Z"));
		scheduler.tick();
		settle();
		assertThat(plugin.windows.get(1)[0]).as("the next run starts where the reset said").isEqualTo(SINCE);
	}

	@Test
	void aPauseThatLandsWhileARunCommitsIsKept() throws Exception {
		fire();
		store.beforeCommit = () -> view.pause("p");
		settle();
		assertThat(view.getHistory("p", 1).get(0).outcome).isEqualTo(Outcome.SUCCEEDED);
		assertThat(local.read("p").paused()).isTrue();
		assertThat(local.read("p").lastEnd()).isEqualTo(FIRE);
		assertThat(view.getJob("p").state).isEqualTo(JobState.PAUSED);
		assertThat(view.getJob("p").lastEnd).isEqualTo(FIRE.toEpochMilli());
	}

	@Test
	void aPauseThatLandsWhileARunStartsIsKept() throws Exception {
		fire();
		store.beforeClaim = () -> view.pause("p");
		settle();
		assertThat(view.getHistory("p", 1).get(0).outcome).as("a fire due before the pause runs")
				.isEqualTo(Outcome.SUCCEEDED);
		assertThat(local.read("p").paused()).isTrue();
		assertThat(view.getJob("p").state).isEqualTo(JobState.PAUSED);
		clock.set(Instant.parse("2026-03-02T10:02:00Z"));
		scheduler.tick();
		settle();
		assertThat(plugin.windows).hasSize(1);
	}

	@Test
	void aResumeThatLandsWhileAManualRunCommitsIsKept() throws Exception {
		view.pause("p");
		CompletionStage<CronRunDTO> manual = view.fire("p");
		store.beforeCommit = () -> view.resume("p");
		settle();
		assertThat(manual.toCompletableFuture().get(10, TimeUnit.SECONDS).outcome).isEqualTo(Outcome.SUCCEEDED);
		assertThat(local.read("p").paused()).isFalse();
		assertThat(view.getJob("p").state).isEqualTo(JobState.SCHEDULED);
		assertThat(view.getJob("p").lastEnd).isEqualTo(T0.toEpochMilli());
	}

	@Test
	void aFireThatComesWhileThePreviousRunCommitsStartsOnceItIsDurable() throws Exception {
		fire();
		store.beforeCommit = () -> {
			clock.set(Instant.parse("2026-03-02T10:02:00Z"));
			scheduler.tick(); // the next fire time, while the first run is committing
		};
		settle();
		assertThat(plugin.windows).hasSize(2);
		assertThat(plugin.windows.get(1)[0]).as("it starts where the first run's commit ended it").isEqualTo(FIRE);
		assertThat(view.getHistory("p", 10)).extracting(r -> r.outcome).containsExactly(Outcome.SUCCEEDED,
				Outcome.SUCCEEDED);
	}
}
