package io.crontainer.scheduler.impl.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.nio.file.Path;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
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
import io.crontainer.store.api.ClaimRequest;
import io.crontainer.store.api.StateStore;
import io.crontainer.store.postgresql.impl.PostgreSQLStateStore;
import io.crontainer.store.postgresql.impl.TestDatabase;

/**
 * Two schedulers (two runtimes of a cluster) on one real PostgreSQL database: what an operator does on
 * one reaches the other through the store's poll, and the other shows which node ran the plugin.
 */
class ClusterSchedulerTest {
	private static final PostgreSQLStateStore.Options OPTIONS = new PostgreSQLStateStore.Options(
			Duration.ofSeconds(20), Duration.ofSeconds(5), Duration.ofMillis(100), Duration.ofSeconds(5), 100);
	/** The engine's options of every runtime here: UTC, a re-check every 5 min, 10 s plugin calls, 5 s grace, 10 history rows. */
	private static final Scheduler.Options ENGINE_OPTIONS = new Scheduler.Options(ZoneOffset.UTC, Duration.ofMinutes(5),
			Duration.ofSeconds(10), Duration.ofSeconds(5), 10);

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

	/** A runtime's engine on {@code store}, its runs on {@code runs}, plugin calls made on the caller's thread. */
	private Scheduler scheduler(Executor runs, StateStore store) {
		return new Scheduler(clock, runs, PluginCalls.Calls.of(Runnable::run), store, ENGINE_OPTIONS, () -> {
		});
	}

	private Scheduler runtime(PostgreSQLStateStore store) {
		Scheduler scheduler = scheduler(runs, store);
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
		storeA = new PostgreSQLStateStore(dataSource, url, "a", OPTIONS, clock, Map::of);
		storeB = new PostgreSQLStateStore(dataSource, url, "b", OPTIONS, clock, Map::of);
		a = runtime(storeA);
		b = runtime(storeB);
		RuntimeView viewA = new RuntimeView(a.operations());
		RuntimeView viewB = new RuntimeView(b.operations());
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

	@Test
	void aClusterKeepsAndShowsAsManyRunsOfAPluginAsTheLocalStore() throws Exception {
		String url = TestDatabase.createDatabase();
		storeA = new PostgreSQLStateStore(TestDatabase.dataSource(url), url, "a", PostgreSQLStateStore.Options.DEFAULT,
				clock, Map::of);
		a = runtime(storeA);
		RuntimeView view = new RuntimeView(a.operations());
		int appended = LocalStateStore.HISTORY_KEPT + 5;
		long ten = Instant.parse("2026-03-02T10:00:00Z").toEpochMilli();
		for (int i = 1; i <= appended; i++) {
			CronRunDTO run = new CronRunDTO();
			run.name = "shared";
			run.trigger = Trigger.SCHEDULE;
			run.outcome = Outcome.SUCCEEDED;
			run.windowStart = ten + (i - 1) * 60_000L;
			run.windowEnd = run.started = ten + i * 60_000L;
			run.finished = run.started + 5;
			storeA.appendHistory(run);
		}
		long newest = ten + appended * 60_000L;
		await("the newest run in the history", () -> view.getHistory("shared", 1).stream().anyMatch(r -> r.started == newest));
		List<CronRunDTO> shown = view.getHistory("shared", 1000);
		assertThat(shown).as("the newest %d, as the local store keeps", LocalStateStore.HISTORY_KEPT)
				.hasSize(LocalStateStore.HISTORY_KEPT);
		assertThat(shown.get(shown.size() - 1).started).isEqualTo(ten + 6 * 60_000L);
	}

	/**
	 * A re-run asked for on runtime a runs there; a dies after its first window (its queued window never
	 * runs, its store stops renewing); once a's lease has expired, b's periodic check takes the re-run
	 * over and runs the windows not done, once each. The plugin's committed window end never moves.
	 */
	@Test
	@Timeout(60)
	void aRerunOfADeadRuntimeIsTakenOverFromItsFirstWindowNotDone() throws Exception {
		String url = TestDatabase.createDatabase();
		DataSource dataSource = TestDatabase.dataSource(url);
		storeA = new PostgreSQLStateStore(dataSource, url, "a", OPTIONS, clock, Map::of);
		storeB = new PostgreSQLStateStore(dataSource, url, "b", OPTIONS, clock, Map::of);
		ManualExecutor runsA = new ManualExecutor();
		ManualExecutor runsB = new ManualExecutor();
		TestPlugin pluginA = new TestPlugin("* * * * *");
		TestPlugin pluginB = new TestPlugin("* * * * *");
		a = scheduler(runsA, storeA);
		b = scheduler(runsB, storeB);
		a.add(new Plugin(1, 7, "test.bundle", Map.of(CronPlugin.NAME, "shared"), pluginA));
		b.add(new Plugin(1, 7, "test.bundle", Map.of(CronPlugin.NAME, "shared"), pluginB));
		RuntimeView viewA = new RuntimeView(a.operations());
		RuntimeView viewB = new RuntimeView(b.operations());
		viewA.fire("shared");
		runsA.runAll();
		await("a's run committed", () -> viewA.getJob("shared").lastEnd != null);
		long committed = viewA.getJob("shared").lastEnd;
		pluginA.windows.clear();

		Instant from = Instant.parse("2026-03-02T09:57:00Z");
		viewA.rerun("shared", from, from.plusSeconds(180), null, "ops");
		// a runs its first window (after what its fire left queued); its second is queued when it dies
		// (the fire's commit completes on the store's thread, then queues its stage first)
		await("a's first window", () -> {
			runsA.runNext();
			return !pluginA.windows.isEmpty();
		});
		assertThat(pluginA.windows).hasSize(1);
		assertThat(storeB.reruns()).singleElement().satisfies(r -> {
			assertThat(r.node()).isEqualTo("a");
			assertThat(r.next()).isEqualTo(from.plusSeconds(60));
		});
		clock.advance(Duration.ofSeconds(Reruns.CHECK_SECONDS));
		b.tick();
		runsB.runAll();
		assertThat(viewB.getRerun("shared").waiting).as("a's lease holds").isEqualTo("runtime a runs it");
		assertThat(pluginB.windows).isEmpty();

		storeA.close(); // a is gone: nothing renews its lease, which expires (here at once, by SQL)
		try (java.sql.Connection c = dataSource.getConnection(); java.sql.Statement st = c.createStatement()) {
			st.execute("UPDATE crontainer_rerun SET lease_until = now() - interval '1 millisecond'");
		}
		clock.advance(Duration.ofSeconds(Reruns.CHECK_SECONDS));
		b.tick();
		runsB.runAll();
		assertThat(pluginB.windows).extracting(w -> w[0]).containsExactly(from.plusSeconds(60), from.plusSeconds(120));
		assertThat(viewB.getRerun("shared")).satisfies(r -> {
			assertThat(r.done).isEqualTo(3);
			assertThat(r.ended).isNotNull();
			assertThat(r.node).isEqualTo("b");
		});
		java.util.function.Supplier<java.util.List<String>> nodes = () -> {
			try {
				return storeB.history("shared", 10).stream()
						.filter(r -> r.trigger == io.crontainer.api.runtime.Trigger.RERUN).map(r -> r.node).toList();
			} catch (io.crontainer.store.api.StoreUnavailableException e) {
				throw new AssertionError(e);
			}
		};
		await("the history of the three windows, written by the stores' committers", () -> nodes.get().size() == 3);
		assertThat(nodes.get()).containsExactly("b", "b", "a");
		assertThat(viewB.getJob("shared").lastEnd).isEqualTo(committed);
	}

	/**
	 * A re-run window's row is in the shared store from its advance's transaction on, a moment before its
	 * run here is over: the cluster's history shows that run once, as the store has it. Deterministic:
	 * the history is read inside the store's answer, on the window's run thread, before the run ends.
	 */
	@Test
	@Timeout(60)
	void aRerunWindowIsShownOnceWhileItsRowIsStoredAndItsRunIsNotOverYet() throws Exception {
		String url = TestDatabase.createDatabase();
		DataSource dataSource = TestDatabase.dataSource(url);
		storeA = new PostgreSQLStateStore(dataSource, url, "a", OPTIONS, clock, Map::of);
		java.util.concurrent.atomic.AtomicReference<RuntimeView> view = new java.util.concurrent.atomic.AtomicReference<>();
		List<List<CronRunDTO>> seen = new CopyOnWriteArrayList<>();
		StateStore watching = (StateStore) Proxy.newProxyInstance(StateStore.class.getClassLoader(),
				new Class<?>[] { StateStore.class }, (proxy, method, args) -> {
					Object result;
					try {
						result = method.invoke(storeA, args);
					} catch (InvocationTargetException e) {
						throw e.getCause();
					}
					if (method.getName().equals("advanceRerun") && args.length == 6) {
						seen.add(view.get().getHistory("shared", 10));
					}
					return result;
				});
		a = scheduler(runs, watching);
		a.add(new Plugin(1, 7, "test.bundle", Map.of(CronPlugin.NAME, "shared"), new TestPlugin("* * * * *")));
		view.set(new RuntimeView(a.operations()));
		view.get().fire("shared");
		runs.runAll();
		await("the fire's run committed", () -> view.get().getJob("shared").lastEnd != null);

		Instant from = Instant.parse("2026-03-02T09:58:00Z");
		view.get().rerun("shared", from, from.plusSeconds(60), null, "ops");
		await("the window ran and was recorded", () -> {
			runs.runAll();
			return !seen.isEmpty();
		});
		assertThat(seen.get(0)).as("the window's run, read before it is over here").filteredOn(r -> r.trigger == Trigger.RERUN)
				.singleElement().satisfies(r -> assertThat(r.outcome).isEqualTo(Outcome.SUCCEEDED));
	}

	/**
	 * A fire time left to the runtime ranked first for its name holds the name here only until the store
	 * answers: the plugin's next fire time, come while that answer was pending, is neither skipped nor
	 * counted as missed; it is asked for in turn, and left too. Deterministic: the runtime's run threads
	 * run only when the test says, so the next fire time comes before the first one's claim is answered.
	 */
	@Test
	void aFireTimeLeftToAnotherRuntimeDoesNotSkipTheNextOneHere() throws Exception {
		String url = TestDatabase.createDatabase();
		DataSource dataSource = TestDatabase.dataSource(url);
		// "skewed" falls to "right" first, then "late" (rendezvous hashing; see DatabaseTimeClusterTest)
		storeA = new PostgreSQLStateStore(dataSource, url, "right", OPTIONS, clock, Map::of);
		storeB = new PostgreSQLStateStore(dataSource, url, "late", OPTIONS, clock, Map::of);
		await("late sees both runtimes live", () -> storeB.live().size() == 2);
		List<Instant> asked = new CopyOnWriteArrayList<>();
		StateStore counting = (StateStore) Proxy.newProxyInstance(StateStore.class.getClassLoader(),
				new Class<?>[] { StateStore.class }, (proxy, method, args) -> {
					if (method.getName().equals("claimShare")) {
						@SuppressWarnings("unchecked")
						List<ClaimRequest> due = (List<ClaimRequest>) args[0];
						due.forEach(request -> asked.add(request.fireTime()));
					}
					try {
						return method.invoke(storeB, args);
					} catch (InvocationTargetException e) {
						throw e.getCause();
					}
				});
		TestPlugin plugin = new TestPlugin("* * * * * ?");
		b = scheduler(runs, counting);
		b.add(new Plugin(1, 7, "test.bundle", Map.of(CronPlugin.NAME, "skewed"), plugin));
		RuntimeView view = new RuntimeView(b.operations());
		runs.runAll();

		Instant fire = clock.instant().plusSeconds(1);
		clock.set(fire);
		b.tick(); // fires it: its claim waits for a run thread
		clock.set(fire.plusSeconds(1));
		b.tick(); // the next fire time, while the first one's claim is not answered
		runs.runAll();

		assertThat(plugin.windows).as("neither is this runtime's to run").isEmpty();
		assertThat(view.getHistory("skewed", 10)).as("nothing recorded here: no run, no skipped fire time").isEmpty();
		assertThat(view.getJob("skewed").missedFires).as("no fire time missed").isZero();
		assertThat(view.getJob("skewed").running).isFalse();
		assertThat(asked).as("both fire times asked for, each once").containsExactly(fire, fire.plusSeconds(1));
	}

	/**
	 * The other side of {@link #aFireTimeLeftToAnotherRuntimeDoesNotSkipTheNextOneHere}: on the runtime
	 * whose share the fire time is, the next fire time that came while its claim was awaited is skipped
	 * once the run is over (the run's window, ended at its claim, covers it), never run after it.
	 */
	@Test
	void aFireTimeThatCameWhileTheClaimWasAwaitedIsSkippedWhenTheClaimIsGranted() throws Exception {
		String url = TestDatabase.createDatabase();
		DataSource dataSource = TestDatabase.dataSource(url);
		storeA = new PostgreSQLStateStore(dataSource, url, "right", OPTIONS, clock, Map::of);
		TestPlugin plugin = new TestPlugin("* * * * * ?");
		a = scheduler(runs, storeA);
		a.add(new Plugin(1, 7, "test.bundle", Map.of(CronPlugin.NAME, "skewed"), plugin));
		RuntimeView view = new RuntimeView(a.operations());
		runs.runAll();

		Instant fire = clock.instant().plusSeconds(1);
		clock.set(fire);
		a.tick();
		clock.set(fire.plusSeconds(1));
		a.tick(); // while the first one's claim is not answered
		runs.runAll();
		await("the run's commit in", () -> !view.getJob("skewed").running);

		assertThat(plugin.windows).as("the first fire time ran, once; the next one did not run after it").hasSize(1);
		assertThat(view.getJob("skewed").missedFires).as("the next one skipped").isEqualTo(1);
		String skipped = "SKIPPED " + fire.plusSeconds(1).toEpochMilli() + " the previous run was still going";
		await("the skipped fire time in the history (written by the store's committer)", () -> view
				.getHistory("skewed", 10).stream().anyMatch(r -> skipped.equals(r.outcome + " " + r.scheduledFire + " " + r.error)));
		assertThat(view.getHistory("skewed", 10)).extracting(r -> r.outcome + " " + r.scheduledFire)
				.containsExactlyInAnyOrder("SUCCEEDED " + fire.toEpochMilli(), "SKIPPED " + fire.plusSeconds(1).toEpochMilli());
	}

	@Test
	void aPendingRetryAndAPauseNoteAreClusterWideAndEachRetryRunsOnOneRuntime() throws Exception {
		String url = TestDatabase.createDatabase();
		DataSource dataSource = TestDatabase.dataSource(url);
		storeA = new PostgreSQLStateStore(dataSource, url, "a", OPTIONS, clock, Map::of);
		storeB = new PostgreSQLStateStore(dataSource, url, "b", OPTIONS, clock, Map::of);
		Map<String, Object> properties = Map.of(CronPlugin.NAME, "flaky", CronPlugin.RETRY, 2, CronPlugin.RETRY_DELAY,
				"PT1M");
		TestPlugin onA = new TestPlugin("0 * * * *");
		TestPlugin onB = new TestPlugin("0 * * * *");
		onA.failure = onB.failure = new IllegalStateException("down");
		a = scheduler(runs, storeA);
		b = scheduler(runs, storeB);
		a.add(new Plugin(1, 7, "test.bundle", properties, onA));
		b.add(new Plugin(1, 7, "test.bundle", properties, onB));
		RuntimeView viewA = new RuntimeView(a.operations());
		RuntimeView viewB = new RuntimeView(b.operations());

		clock.set(Instant.parse("2026-03-02T11:00:00Z"));
		a.tick();
		b.tick();
		runs.runAll();
		assertThat(onA.windows.size() + onB.windows.size()).as("the fire time ran once").isEqualTo(1);
		await("both see retry 1", () -> Integer.valueOf(1).equals(viewA.getJob("flaky").retryAttempt)
				&& Integer.valueOf(1).equals(viewB.getJob("flaky").retryAttempt));
		assertThat(viewB.getJob("flaky").retryAt).isEqualTo(Instant.parse("2026-03-02T11:01:00Z").toEpochMilli());

		clock.set(Instant.parse("2026-03-02T11:01:00Z"));
		a.tick();
		b.tick();
		runs.runAll();
		assertThat(onA.windows.size() + onB.windows.size()).as("retry 1 ran once").isEqualTo(2);
		await("both see retry 2", () -> Integer.valueOf(2).equals(viewA.getJob("flaky").retryAttempt)
				&& Integer.valueOf(2).equals(viewB.getJob("flaky").retryAttempt));

		viewA.pause("flaky", "disk full on db-2", "bin/client session 4 (user ops)");
		await("b sees the pause and its note", () -> "disk full on db-2".equals(viewB.getJob("flaky").pauseReason));
		assertThat(viewB.getJob("flaky").pausedBy).isEqualTo("bin/client session 4 (user ops)");
		assertThat(viewB.getJob("flaky").reason).startsWith("paused by bin/client session 4 (user ops) at ");
		clock.set(Instant.parse("2026-03-02T11:03:00Z"));
		a.tick();
		b.tick();
		runs.runAll();
		assertThat(onA.windows.size() + onB.windows.size()).as("no retry while paused, on either").isEqualTo(2);
	}

	@Test
	void aRetryPendingOnARuntimeThatStoppedIsRunByAnother() throws Exception {
		String url = TestDatabase.createDatabase();
		DataSource dataSource = TestDatabase.dataSource(url);
		storeA = new PostgreSQLStateStore(dataSource, url, "a", OPTIONS, clock, Map::of);
		Map<String, Object> properties = Map.of(CronPlugin.NAME, "flaky", CronPlugin.RETRY, 1, CronPlugin.RETRY_DELAY,
				"PT1M");
		TestPlugin onA = new TestPlugin("0 * * * *");
		TestPlugin onB = new TestPlugin("0 * * * *");
		onA.failure = new IllegalStateException("down");
		a = scheduler(runs, storeA);
		a.add(new Plugin(1, 7, "test.bundle", properties, onA));

		clock.set(Instant.parse("2026-03-02T11:00:00Z"));
		// a is the only live runtime, so the fire time is its own (with b live, "flaky" would be b's
		// share, and whether a knew of b at its tick would depend on the heartbeats' timing)
		a.tick();
		runs.runAll();
		assertThat(onA.windows).hasSize(1);
		// b joins after a's run failed: it learns of the retry that the failure left only through the
		// store's poll
		storeB = new PostgreSQLStateStore(dataSource, url, "b", OPTIONS, clock, Map::of);
		b = scheduler(runs, storeB);
		b.add(new Plugin(1, 7, "test.bundle", properties, onB));
		RuntimeView viewB = new RuntimeView(b.operations());
		await("b sees the retry", () -> Integer.valueOf(1).equals(viewB.getJob("flaky").retryAttempt));
		assertThat(onB.windows).isEmpty();
		a.stop();
		clock.set(Instant.parse("2026-03-02T11:01:00Z"));
		// the retry was a's; a stopped, so b runs it. The claim's answer comes back from the database on
		// the store's own thread, so b ticks until it has it.
		await("b ran the retry", () -> {
			b.tick();
			runs.runAll();
			return !onB.windows.isEmpty();
		});
		assertThat(onB.windows).as("b ran the retry once").hasSize(1);
		assertThat(onB.windows.get(0)[0]).isEqualTo(java.time.Instant.EPOCH);
		await("the retry committed", () -> viewB.getJob("flaky").lastEnd != null);
		// The database's history row of a commit gets the run's trigger from the history appended after it.
		await("b's retry in the history", () -> viewB.getHistory("flaky", 5).stream()
				.anyMatch(r -> r.trigger == Trigger.RETRY && r.outcome == Outcome.SUCCEEDED && "b".equals(r.node)));
	}

	@Test
	void theLastRunShownIsTheNewestOnAnyRuntimeAndTheNodeShownIsItsOwn() throws Exception {
		String url = TestDatabase.createDatabase();
		DataSource dataSource = TestDatabase.dataSource(url);
		storeA = new PostgreSQLStateStore(dataSource, url, "a", OPTIONS, clock, Map::of);
		storeB = new PostgreSQLStateStore(dataSource, url, "b", OPTIONS, clock, Map::of);
		a = runtime(storeA);
		b = runtime(storeB);
		RuntimeView viewA = new RuntimeView(a.operations());
		RuntimeView viewB = new RuntimeView(b.operations());

		viewB.fire("shared"); // b ran it first
		runs.runAll();
		await("b's run committed", () -> viewB.getJob("shared").lastEnd != null);
		clock.advance(Duration.ofSeconds(5));
		viewA.fire("shared"); // then a
		runs.runAll();
		// b's poll may see a's run while it goes (its claim), then committed: await the committed one. The
		// node each runtime shows is the one its store's poll saw last: a's may name b until it polls again.
		await("b sees a's committed run, and a names itself", () -> {
			CronJobDTO job = viewB.getJob("shared");
			return "a".equals(job.node) && job.lastRun != null && job.lastRun.outcome == Outcome.SUCCEEDED
					&& "a".equals(viewA.getJob("shared").node);
		});

		CronJobDTO seen = viewB.getJob("shared");
		assertThat(seen.lastRun).as("a's run, not b's older one").isNotNull();
		assertThat(seen.lastRun.node).isEqualTo("a");
		assertThat(seen.lastRun.outcome).isEqualTo(Outcome.SUCCEEDED);
		assertThat(seen.lastRun.windowEnd).isEqualTo(seen.lastEnd);
		CronJobDTO own = viewA.getJob("shared");
		assertThat(own.node).isEqualTo("a");
		assertThat(own.lastRun.node).isEqualTo("a");
	}

	@Test
	@Timeout(30)
	void aLiveSwitchFromTheLocalStoreHandsTheRunInProgressOver(@TempDir Path dir) throws Exception {
		String url = TestDatabase.createDatabase();
		LocalStateStore local = new LocalStateStore(dir);
		ExecutorService threads = Executors.newCachedThreadPool();
		try {
			a = scheduler(threads, local);
			TestPlugin plugin = new TestPlugin("* * * * *");
			plugin.block = new CountDownLatch(1);
			a.add(new Plugin(1, 7, "test.bundle", Map.of(CronPlugin.NAME, "switched"), plugin));
			clock.set(Instant.parse("2026-03-02T10:01:00Z"));
			a.tick();
			assertThat(plugin.started.await(10, TimeUnit.SECONDS)).isTrue();

			// What SchedulerComponent does when state.store becomes postgresql: the local records are imported.
			storeA = new PostgreSQLStateStore(TestDatabase.dataSource(url), url, "a", OPTIONS, clock, local::records);
			a.configure(ENGINE_OPTIONS, storeA); // closes the local store
			plugin.block.countDown();

			RuntimeView view = new RuntimeView(a.operations());
			// A cluster's history is read from the database, where the run is appended asynchronously.
			await("the run ended", () -> view.getHistory("switched", 1).stream().anyMatch(r -> r.outcome != Outcome.RUNNING));
			CronRunDTO run = view.getHistory("switched", 1).get(0);
			assertThat(run.outcome).as(run.error).isEqualTo(Outcome.SUCCEEDED);
			assertThat(storeA.read("switched").lastEnd()).as("committed to the store in use")
					.isEqualTo(Instant.parse("2026-03-02T10:01:00Z"));
			await("the job has the new record", () -> view.getJob("switched").lastEnd != null);
		} finally {
			threads.shutdownNow();
			local.close();
		}
	}
}
