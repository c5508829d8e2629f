package io.crontainer.scheduler.impl.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.crontainer.api.CronPlugin;
import io.crontainer.api.runtime.CronLogDTO;
import io.crontainer.api.runtime.CronRunDTO;
import io.crontainer.api.runtime.Outcome;
import io.crontainer.scheduler.impl.runlog.AppenderStandIn;
import io.crontainer.scheduler.impl.store.LocalStateStore;
import io.crontainer.scheduler.impl.testing.Await;
import io.crontainer.scheduler.impl.testing.MutableClock;
import io.crontainer.scheduler.impl.testing.TestPlugin;
import io.crontainer.scheduler.impl.view.RuntimeView;
import io.crontainer.scheduler.impl.whiteboard.Plugin;

/**
 * Each run keeps its log: the engine marks the run's thread around the plugin call, so that the lines
 * logged there (here through {@link AppenderStandIn}, as the pax-logging appender does) go to that
 * run's log, which a run in progress shows so far and which the store keeps with the run's history;
 * two plugins running at once never see each other's lines, and a thread a plugin starts is not
 * attributed. Real run threads, so the runs overlap.
 */
class RunLogTest {
	@TempDir
	Path dir;

	ExecutorService workers;
	LocalStateStore store;
	Scheduler scheduler;
	RuntimeView view;

	@BeforeEach
	void setUp() throws Exception {
		workers = Executors.newCachedThreadPool();
		store = new LocalStateStore(dir.resolve("state"));
		scheduler = new Scheduler(new MutableClock(Instant.parse("2026-03-02T10:00:30Z")), workers,
				PluginCalls.Calls.of(Runnable::run), store, new Scheduler.Options(ZoneId.of("UTC"), Duration.ofMinutes(5),
						Duration.ofSeconds(10), Duration.ofSeconds(5), 10),
				() -> {
				}, Events.NONE);
		view = new RuntimeView(scheduler.operations());
	}

	@AfterEach
	void tearDown() throws Exception {
		scheduler.stop();
		store.close();
		workers.shutdownNow();
		workers.awaitTermination(10, TimeUnit.SECONDS);
	}

	private TestPlugin add(long id, String name) {
		TestPlugin service = new TestPlugin("0 0 1 1 *");
		Map<String, Object> properties = new HashMap<>();
		properties.put(CronPlugin.NAME, name);
		scheduler.add(new Plugin(id, 7, "test.bundle", properties, service));
		return service;
	}

	private static void meet(CyclicBarrier barrier) {
		try {
			barrier.await(10, TimeUnit.SECONDS);
		} catch (Exception e) {
			throw new IllegalStateException(e);
		}
	}

	private static java.util.List<String> messages(CronLogDTO log) {
		return log.lines.stream().map(l -> l.message).toList();
	}

	@Test
	void eachRunKeepsTheLinesOfItsOwnThreadOnly() throws Exception {
		TestPlugin a = add(1, "a");
		TestPlugin b = add(2, "b");
		CyclicBarrier meet = new CyclicBarrier(2);
		CountDownLatch release = new CountDownLatch(1);
		a.block = release;
		a.onRun = () -> {
			AppenderStandIn.info("A", "a1");
			meet(meet);
			AppenderStandIn.info("A", "a2");
			Thread child = new Thread(() -> AppenderStandIn.info("A", "a's own thread"));
			child.start();
			try {
				child.join();
			} catch (InterruptedException e) {
				throw new IllegalStateException(e);
			}
			meet(meet);
			AppenderStandIn.info("A", "a3");
		};
		b.onRun = () -> {
			AppenderStandIn.info("B", "b1");
			meet(meet);
			AppenderStandIn.info("B", "b2");
			meet(meet);
		};
		CompletableFuture<CronRunDTO> ranA = new CompletableFuture<>();
		CompletableFuture<CronRunDTO> ranB = new CompletableFuture<>();
		scheduler.operations().fire("a", ranA);
		scheduler.operations().fire("b", ranB);
		assertThat(ranB.get(10, TimeUnit.SECONDS).outcome).isEqualTo(Outcome.SUCCEEDED);

		// a is still in run(): its log so far, from the engine's memory
		Await.until("a's third line", () -> {
			CronLogDTO live = view.getLog("a", null);
			return live != null && live.lines.size() == 3;
		});
		CronLogDTO live = view.getLog("a", null);
		assertThat(live.running).isTrue();
		assertThat(messages(live)).containsExactly("a1", "a2", "a3");

		release.countDown();
		CronRunDTO doneA = ranA.get(10, TimeUnit.SECONDS);
		assertThat(doneA.outcome).isEqualTo(Outcome.SUCCEEDED);
		Await.until("a's log handed to the store", () -> scheduler.operations().history("a", 1).get(0).liveLog() == null);
		store.sync();

		CronLogDTO logA = view.getLog("a", null);
		assertThat(logA.running).isFalse();
		assertThat(logA.started).isEqualTo(doneA.started);
		assertThat(messages(logA)).containsExactly("a1", "a2", "a3");
		assertThat(logA.lines).extracting(l -> l.logger).containsOnly("A");
		assertThat(messages(view.getLog("b", ranB.get().started))).containsExactly("b1", "b2");
		assertThat(messages(store.log("a", doneA.started))).as("kept by the store").containsExactly("a1", "a2", "a3");
		AppenderStandIn.info("T", "the test's own thread runs no plugin");
		assertThat(messages(view.getLog("a", null))).doesNotContain("the test's own thread runs no plugin");
	}

	@Test
	void aRunThatLoggedNothingKeepsAnEmptyLogAndASkippedFireNone() throws Exception {
		add(1, "quiet");
		CompletableFuture<CronRunDTO> ran = new CompletableFuture<>();
		scheduler.operations().fire("quiet", ran);
		long started = ran.get(10, TimeUnit.SECONDS).started;
		Await.until("the log handed to the store", () -> scheduler.operations().history("quiet", 1).get(0).liveLog() == null);
		CronLogDTO log = view.getLog("quiet", started);
		assertThat(log).isNotNull();
		assertThat(log.lines).isEmpty();
		assertThat(log.omitted).isZero();
		assertThat(view.getLog("quiet", started + 1)).as("no run started then").isNull();
	}
}
