package io.crontainer.scheduler.impl.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.crontainer.api.CronPlugin;
import io.crontainer.scheduler.impl.testing.Await;
import io.crontainer.scheduler.impl.testing.MutableClock;
import io.crontainer.scheduler.impl.testing.TestPlugin;
import io.crontainer.scheduler.impl.whiteboard.Plugin;
import io.crontainer.store.api.StateStore;
import io.crontainer.store.postgresql.impl.PostgreSQLStateStore;
import io.crontainer.store.postgresql.impl.TestDatabase;

/**
 * Runtimes of a cluster on one real PostgreSQL database share the fire times due at once: each
 * claims its share in one call per tick, none claims a fire time one by one, nothing runs twice, and a
 * runtime at {@code cluster.max.running} leaves the rest to the others. The clock is the test's; the
 * stores' polls run on their own threads (every 100 ms), and the tests await what they show.
 */
class ClusterShareTest {
	private static final PostgreSQLStateStore.Options OPTIONS = new PostgreSQLStateStore.Options(
			Duration.ofSeconds(20), Duration.ofSeconds(5), Duration.ofMillis(100), Duration.ofSeconds(5), 100);
	private static final Instant FIRE = Instant.parse("2026-03-02T10:01:00Z");

	private final MutableClock clock = new MutableClock(Instant.parse("2026-03-02T10:00:30Z"));
	private final List<Scheduler> schedulers = new ArrayList<>();
	private final List<PostgreSQLStateStore> stores = new ArrayList<>();
	private final ExecutorService threads = Executors.newCachedThreadPool();
	private DataSource dataSource;
	private String url;

	/** Calls of the store's claim methods, by method name. */
	private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

	@BeforeEach
	void database() {
		url = TestDatabase.createDatabase();
		dataSource = TestDatabase.dataSource(url);
	}

	@AfterEach
	void stop() {
		schedulers.forEach(Scheduler::stop);
		stores.forEach(PostgreSQLStateStore::close);
		threads.shutdownNow();
	}

	/** A store that counts the calls of its claim methods. */
	private StateStore counted(StateStore store) {
		return (StateStore) Proxy.newProxyInstance(StateStore.class.getClassLoader(), new Class<?>[] { StateStore.class },
				(proxy, method, args) -> {
					if (method.getName().startsWith("claim")) {
						calls.computeIfAbsent(method.getName(), k -> new AtomicInteger()).incrementAndGet();
					}
					try {
						return method.invoke(store, args);
					} catch (InvocationTargetException e) {
						throw e.getCause();
					}
				});
	}

	private Scheduler runtime(String node, int maxRunning, List<TestPlugin> plugins) {
		PostgreSQLStateStore store = new PostgreSQLStateStore(dataSource, url, node, OPTIONS, clock, Map::of);
		stores.add(store);
		Scheduler scheduler = new Scheduler(clock, threads, PluginCalls.Calls.of(Runnable::run), counted(store),
				new Scheduler.Options(ZoneOffset.UTC, Duration.ofMinutes(5), Duration.ofSeconds(10), Duration.ofSeconds(5),
						10, maxRunning), () -> {
						});
		schedulers.add(scheduler);
		for (int i = 0; i < plugins.size(); i++) {
			scheduler.add(new Plugin(i + 1, 7, "test.bundle", Map.of(CronPlugin.NAME, String.format("plugin-%03d", i)),
					plugins.get(i)));
		}
		return scheduler;
	}

	private static List<TestPlugin> plugins(int count, CountDownLatch block) {
		List<TestPlugin> plugins = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			TestPlugin plugin = new TestPlugin("* * * * *");
			plugin.block = block;
			plugins.add(plugin);
		}
		return plugins;
	}

	private void awaitLive(int nodes) throws InterruptedException {
		Await.until("every store counts " + nodes + " live runtimes",
				() -> stores.stream().allMatch(s -> s.live().size() == nodes));
	}

	private static int ran(List<TestPlugin> plugins) {
		return plugins.stream().mapToInt(p -> p.windows.size()).sum();
	}

	@Test
	void threeRuntimesShareABurstWithOneClaimCallEachAndRunEveryFireTimeOnce() throws Exception {
		List<List<TestPlugin>> plugins = List.of(plugins(90, null), plugins(90, null), plugins(90, null));
		Scheduler a = runtime("node-a", 0, plugins.get(0));
		Scheduler b = runtime("node-b", 0, plugins.get(1));
		Scheduler c = runtime("node-c", 0, plugins.get(2));
		awaitLive(3);

		clock.set(FIRE);
		a.tick();
		b.tick();
		c.tick();
		Await.until("90 runs", () -> plugins.stream().mapToInt(ClusterShareTest::ran).sum() == 90);
		// The timer hands its fires over in batches of Scheduler.TICK_BATCH, so that the first runs start
		// while the rest is dispatched; the claiming task takes what came meanwhile in one call.
		assertThat(calls.get("claimShare").get()).as("at most a claim call per batch of the tick")
				.isBetween(3, 3 * ((90 + Scheduler.TICK_BATCH - 1) / Scheduler.TICK_BATCH));
		assertThat(calls.keySet()).as("no fire time claimed one by one").containsOnly("claimShare");
		for (List<TestPlugin> own : plugins) {
			assertThat(ran(own)).as("each runtime runs about a third").isBetween(15, 45);
		}
		for (int i = 0; i < 90; i++) {
			int n = i;
			assertThat(plugins.stream().mapToInt(p -> p.get(n).windows.size()).sum()).as("plugin %d ran once", i)
					.isEqualTo(1);
		}

		// The fire times left to others come back a poll later; the polls show them taken: none runs again.
		Await.until("every poll saw the 90 claims", () -> stores.stream()
				.allMatch(s -> IntStream.range(0, 90).allMatch(i -> s.nodeOf(String.format("plugin-%03d", i)) != null)));
		for (int second = 0; second < 3; second++) {
			clock.advance(OPTIONS.poll());
			for (Scheduler s : schedulers) {
				s.tick();
			}
		}
		Thread.sleep(300); // nothing must happen: give a wrong run the time to show
		assertThat(plugins.stream().mapToInt(ClusterShareTest::ran).sum()).isEqualTo(90);
		assertThat(calls.keySet()).containsOnly("claimShare");
	}

	@Test
	void aRuntimeAtItsLimitLeavesTheRestToTheOtherWithinAPoll() throws Exception {
		CountDownLatch hold = new CountDownLatch(1);
		try {
			List<TestPlugin> onA = plugins(40, hold);
			List<TestPlugin> onB = plugins(40, hold);
			Scheduler a = runtime("node-a", 3, onA);
			Scheduler b = runtime("node-b", 0, onB);
			awaitLive(2);

			clock.set(FIRE);
			a.tick();
			b.tick();
			Await.until("a runs its limit", () -> onA.stream().filter(p -> p.started.getCount() == 0).count() == 3);
			// b is the second choice of the fire times a left: it claims them one poll later, all but
			// those its poll shows claimed.
			List<String> claimedByA = IntStream.range(0, 40).filter(i -> onA.get(i).started.getCount() == 0)
					.mapToObj(i -> String.format("plugin-%03d", i)).toList();
			Await.until("b's poll saw a's claims", () -> claimedByA.stream().allMatch(n -> "node-a".equals(stores.get(1)
					.nodeOf(n))));
			// One poll later b claims them; its own poll (a thread on the real clock) may come just after
			// its tick under load, so the test ticks again at each further poll, at most three.
			for (int polls = 0; polls < 3 && ran(onA) + ran(onB) < 40; polls++) {
				clock.advance(OPTIONS.poll());
				a.tick();
				b.tick();
				int p = polls;
				try {
					Await.until("all 40 run, 37 on b, after " + (p + 1) + " polls",
							p == 2 ? java.time.Duration.ofSeconds(10) : java.time.Duration.ofSeconds(3),
							() -> ran(onA) + ran(onB) == 40);
				} catch (AssertionError notYet) {
					if (p == 2) {
						throw notYet;
					}
				}
			}
			assertThat(ran(onA)).as("a stays at its limit").isEqualTo(3);
			assertThat(ran(onB)).isEqualTo(37);
		} finally {
			hold.countDown();
		}
	}
}
