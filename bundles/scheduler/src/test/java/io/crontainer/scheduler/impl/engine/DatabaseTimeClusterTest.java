package io.crontainer.scheduler.impl.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.crontainer.api.CronPlugin;
import io.crontainer.api.runtime.CronRunDTO;
import io.crontainer.api.runtime.Outcome;
import io.crontainer.scheduler.impl.testing.Await;
import io.crontainer.scheduler.impl.testing.ManualExecutor;
import io.crontainer.scheduler.impl.testing.MutableClock;
import io.crontainer.scheduler.impl.testing.TestPlugin;
import io.crontainer.scheduler.impl.view.RuntimeView;
import io.crontainer.scheduler.impl.whiteboard.Plugin;
import io.crontainer.store.postgresql.impl.PostgreSQLStateStore;
import io.crontainer.store.postgresql.impl.TestDatabase;

/**
 * Three schedulers of a cluster on one real PostgreSQL database, with clocks 5 minutes behind, right,
 * and 5 minutes ahead of the database's: their windows still tile, none is skipped, none ends after
 * the database's time of its claim, and no scheduled fire time runs before it is due on the database's
 * clock.
 *
 * <p>
 * Deterministic: the test moves the runtimes' clocks (one instant {@code now}, plus each runtime's
 * offset) to each fire time of an every-second plugin once the database's clock has reached it, then
 * fires by hand on one runtime (in turn) and ticks the three (in turn), running every run to its
 * commit before the next: the outcome of each step does not depend on timing.
 */
class DatabaseTimeClusterTest {
	/**
	 * A name whose share of the cluster's fire times falls first to the runtime whose clock is right
	 * (rendezvous hashing of the nodes "late", "right", "early": {@code PostgreSQLStateStore.rank}), so
	 * that each fire time runs on the tick that finds it due; the runtimes whose clocks are off commit
	 * the windows of the runs fired by hand on them.
	 */
	private static final String NAME = "skewed";
	private static final Duration OFF = Duration.ofMinutes(5);
	private static final int STEPS = 6;
	private static final PostgreSQLStateStore.Options OPTIONS = new PostgreSQLStateStore.Options(
			Duration.ofSeconds(20), Duration.ofSeconds(5), Duration.ofMillis(100), Duration.ofSeconds(5), 100);

	private final MutableClock now = new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
	private final ManualExecutor runs = new ManualExecutor();
	private final List<PostgreSQLStateStore> stores = new ArrayList<>();
	private final List<Scheduler> schedulers = new ArrayList<>();
	private final List<TestPlugin> plugins = new ArrayList<>();
	private DataSource dataSource;

	@AfterEach
	void stop() {
		schedulers.forEach(Scheduler::stop);
		stores.forEach(PostgreSQLStateStore::close);
	}

	/** A runtime whose clock is {@link #now} moved by {@code offset}; its store's readings are too. */
	private RuntimeView runtime(String url, String node, Duration offset) {
		Clock clock = new Clock() {
			@Override
			public Instant instant() {
				return now.instant().plus(offset);
			}

			@Override
			public ZoneId getZone() {
				return ZoneOffset.UTC;
			}

			@Override
			public Clock withZone(ZoneId zone) {
				throw new UnsupportedOperationException();
			}
		};
		// The store reads the skew against the system clock moved by the offset (what a node's clock is).
		PostgreSQLStateStore store = new PostgreSQLStateStore(dataSource, url, node, OPTIONS,
				Clock.offset(Clock.systemUTC(), offset), Map::of);
		stores.add(store);
		Scheduler scheduler = new Scheduler(clock, runs, PluginCalls.Calls.of(Runnable::run), store,
				new Scheduler.Options(ZoneOffset.UTC, Duration.ofMinutes(5), Duration.ofSeconds(10), Duration.ofSeconds(5),
						100), () -> {
						});
		schedulers.add(scheduler);
		TestPlugin plugin = new TestPlugin("* * * * * ?"); // every second
		plugins.add(plugin);
		scheduler.add(new Plugin(1, 7, "test.bundle", Map.of(CronPlugin.NAME, NAME), plugin));
		return new RuntimeView(scheduler.operations());
	}

	@Test
	void windowsTileOnTheDatabasesClockWhateverTheRuntimesClocksSay() throws Exception {
		String url = TestDatabase.createDatabase();
		dataSource = TestDatabase.dataSource(url);
		List<String> nodes = List.of("late", "right", "early");
		List<RuntimeView> views = List.of(runtime(url, "late", OFF.negated()), runtime(url, "right", Duration.ZERO),
				runtime(url, "early", OFF));

		List<Instant> fires = new ArrayList<>();
		List<Instant[]> steps = new ArrayList<>(); // the database's time at the start and the end of each step
		for (int k = 0; k < STEPS; k++) {
			Instant fire = now.instant().plusSeconds(1);
			fires.add(fire);
			Await.until("the database's clock at " + fire, () -> !databaseNow().isBefore(fire));
			Instant stepStart = databaseNow();
			now.set(fire);
			// By hand, on each runtime in turn: no fire time, so no runtime is ever told to wait.
			java.util.concurrent.CompletableFuture<CronRunDTO> fired = views.get(k % 3).fire(NAME).toCompletableFuture();
			Await.until("the run fired by hand ended", () -> {
				runs.runAll(); // the run, then what its end hands to the pool
				return fired.isDone();
			});
			CronRunDTO manual = fired.get();
			assertThat(manual.outcome).as("fired by hand on %s: %s", nodes.get(k % 3), manual.error)
					.isEqualTo(Outcome.SUCCEEDED);
			awaitSettled(views);
			for (int i = 0; i < 3; i++) { // the schedule, each runtime first in turn
				schedulers.get((k + i) % 3).tick();
				runs.runAll();
				awaitSettled(views);
			}
			steps.add(new Instant[] { stepStart, databaseNow() });
		}

		List<Window> windows = committedWindows();
		Map<String, Integer> byNode = new HashMap<>();
		Set<Long> firesRun = new HashSet<>();
		long expectedStart = 0;
		int gaps = 0;
		int overlaps = 0;
		for (Window w : windows) {
			gaps += w.start > expectedStart ? 1 : 0;
			overlaps += w.start < expectedStart ? 1 : 0;
			assertThat(w.start).as("%s starts where the previous window ended", w).isEqualTo(expectedStart);
			assertThat(w.end).as("%s", w).isGreaterThan(w.start);
			assertThat(steps).as("%s ends at the database's time of its claim (within the step that claimed it),"
					+ " whatever %s's clock said", w, w.node)
					.anyMatch(step -> w.end >= nanos(step[0]) && w.end <= nanos(step[1]));
			if (w.fire != null) {
				assertThat(w.fire).as("%s: its fire time was due on the database's clock", w)
						.isLessThanOrEqualTo(w.end + Duration.ofMillis(100).toNanos());
				assertThat(firesRun.add(w.fire)).as("%s: its fire time ran once", w).isTrue();
			}
			byNode.merge(w.node, 1, Integer::sum);
			expectedStart = w.end;
		}
		assertThat(byNode.keySet()).as("every runtime committed windows").containsExactlyInAnyOrderElementsOf(nodes);
		for (Instant fire : fires) {
			assertThat(firesRun).as("fire time %s ran (on the runtime whose clock is right)", fire)
					.contains(fire.getEpochSecond() * 1_000_000_000L);
		}
		for (RuntimeView view : views) {
			// A fire time left to the runtime ranked first, or asked for again, holds nothing here once the
			// store answered: the next one is neither skipped nor missed on any runtime.
			assertThat(view.getHistory(NAME, 100)).as("every run succeeded, none was skipped anywhere")
					.allSatisfy(run -> assertThat(run.outcome).as(run.error).isEqualTo(Outcome.SUCCEEDED));
			assertThat(view.getJob(NAME).missedFires).as("no fire time missed").isZero();
		}
		int ran = plugins.stream().mapToInt(p -> p.windows.size()).sum();
		assertThat(ran).as("every run of the plugin committed its window").isEqualTo(windows.size());
		assertThat(views.get(0).getStore().clockWarning).contains("behind the database's");
		assertThat(views.get(0).getStore().clockSkew).isBetween(OFF.toMillis() - 1000, OFF.toMillis() + 1000);
		assertThat(views.get(1).getStore().clockWarning).isNull();
		assertThat(views.get(2).getStore().clockWarning).contains("ahead of the database's");
		System.out.println("DatabaseTimeClusterTest: offsets -5 min, 0, +5 min; " + windows.size()
				+ " windows committed " + byNode + ", " + firesRun.size() + " fire times run; gaps " + gaps + ", overlaps "
				+ overlaps);
	}

	/** Every run over and its commit in: no claim in the database, no run in progress on any runtime. */
	private void awaitSettled(List<RuntimeView> views) throws InterruptedException {
		Await.until("runs settled", () -> {
			runs.runAll();
			return views.stream().noneMatch(v -> v.getJob(NAME).running) && claims() == 0;
		});
	}

	private Instant databaseNow() {
		try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
				ResultSet result = statement.executeQuery("SELECT clock_timestamp()")) {
			result.next();
			return result.getTimestamp(1).toInstant();
		} catch (SQLException e) {
			throw new IllegalStateException(e);
		}
	}

	private long claims() {
		try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
				ResultSet result = statement.executeQuery("SELECT count(*) FROM crontainer_job WHERE claim_token IS NOT NULL")) {
			result.next();
			return result.getLong(1);
		} catch (SQLException e) {
			throw new IllegalStateException(e);
		}
	}

	/** A committed window: bounds in ns, its fire time (ns; null by hand), the node that committed it. */
	private record Window(long start, long end, Long fire, String node) {
	}

	private static long nanos(Instant instant) {
		return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
	}

	private List<Window> committedWindows() throws SQLException {
		List<Window> windows = new ArrayList<>();
		try (Connection connection = dataSource.getConnection();
				PreparedStatement statement = connection.prepareStatement("SELECT window_start, window_end, scheduled_fire, node"
						+ " FROM crontainer_run"
						+ " WHERE name = ? AND outcome = 'SUCCEEDED' ORDER BY window_start")) {
			statement.setString(1, NAME);
			try (ResultSet result = statement.executeQuery()) {
				while (result.next()) {
					long fire = result.getLong(3);
					Long scheduled = result.wasNull() ? null : fire;
					windows.add(new Window(result.getLong(1), result.getLong(2), scheduled, result.getString(4)));
				}
			}
		}
		return windows;
	}
}
