package io.crontainer.scheduler.impl;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.function.BooleanSupplier;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.crontainer.api.CronPlugin;
import io.crontainer.api.runtime.JobState;
import io.crontainer.scheduler.impl.store.PostgreSQLStateStore;
import io.crontainer.scheduler.impl.store.TestDatabase;

/**
 * Two schedulers (two runtimes of a cluster) on one real PostgreSQL database: what an operator does on
 * one reaches the other through the store's poll, and the other shows which node ran the plugin.
 */
class ClusterSchedulerTest {
	private static final PostgreSQLStateStore.Options OPTIONS = new PostgreSQLStateStore.Options(
			Duration.ofSeconds(20), Duration.ofSeconds(5), Duration.ofMillis(100), Duration.ofSeconds(5), 100);

	private final MutableClock clock = new MutableClock(Instant.parse("2026-03-02T10:00:30Z"));
	private final ManualExecutor runs = new ManualExecutor();
	private PostgreSQLStateStore storeA;
	private PostgreSQLStateStore storeB;
	private Scheduler a;
	private Scheduler b;

	@AfterEach
	void stop() {
		for (Scheduler s : new Scheduler[] { a, b }) {
			if (s != null) {
				s.stop();
			}
		}
		for (PostgreSQLStateStore s : new PostgreSQLStateStore[] { storeA, storeB }) {
			if (s != null) {
				s.close();
			}
		}
	}

	private Scheduler runtime(PostgreSQLStateStore store) {
		Scheduler scheduler = new Scheduler(clock, runs, PluginCalls.Calls.of(Runnable::run), store,
				new Scheduler.Options(ZoneOffset.UTC, Duration.ofMinutes(5), Duration.ofSeconds(10), Duration.ofSeconds(5),
						10));
		scheduler.add(new Plugin(1, 7, "test.bundle", Map.of(CronPlugin.NAME, "shared"), new TestPlugin("* * * * *")));
		return scheduler;
	}

	private static void await(String what, BooleanSupplier condition) throws InterruptedException {
		Await.until(what, condition);
	}

	@Test
	void aPauseAResumeAndARunOnOneRuntimeReachTheOther() throws Exception {
		String url = TestDatabase.createDatabase();
		DataSource dataSource = TestDatabase.dataSource(url);
		storeA = new PostgreSQLStateStore(dataSource, url, "a", OPTIONS, Map::of);
		storeB = new PostgreSQLStateStore(dataSource, url, "b", OPTIONS, Map::of);
		a = runtime(storeA);
		b = runtime(storeB);
		RuntimeView viewA = new RuntimeView(a);
		RuntimeView viewB = new RuntimeView(b);
		assertThat(viewB.getJob("shared").state).isEqualTo(JobState.SCHEDULED);

		viewA.pause("shared");
		await("b sees a's pause", () -> viewB.getJob("shared").state == JobState.PAUSED);
		viewB.resume("shared");
		await("a sees b's resume", () -> viewA.getJob("shared").state == JobState.SCHEDULED);

		viewA.fire("shared");
		runs.runAll();
		await("b sees that a ran it", () -> "a".equals(viewB.getJob("shared").node)
				&& viewB.getJob("shared").lastEnd != null);
		assertThat(viewB.getHistory("shared", 10)).extracting(r -> r.node).containsExactly("a");
	}
}
