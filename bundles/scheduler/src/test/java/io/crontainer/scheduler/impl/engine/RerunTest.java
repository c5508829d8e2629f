package io.crontainer.scheduler.impl.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.crontainer.api.CronPlugin;
import io.crontainer.api.runtime.CronRunDTO;
import io.crontainer.api.runtime.JobState;
import io.crontainer.api.runtime.Outcome;
import io.crontainer.api.runtime.RerunDTO;
import io.crontainer.api.runtime.RerunSplit;
import io.crontainer.api.runtime.Trigger;
import io.crontainer.scheduler.impl.store.LocalStateStore;
import io.crontainer.scheduler.impl.testing.ManualExecutor;
import io.crontainer.scheduler.impl.testing.MutableClock;
import io.crontainer.scheduler.impl.testing.TestPlugin;
import io.crontainer.scheduler.impl.view.RuntimeView;
import io.crontainer.scheduler.impl.whiteboard.Plugin;
import io.crontainer.store.api.Rerun;

/**
 * Re-runs of past windows beside the schedule, driven by a mutable clock and an executor the test
 * controls: every interleaving with scheduled runs, fires, pauses, departures, cancels and restarts
 * is made to happen deterministically, from inside the plugin's run where it must happen mid-window.
 */
class RerunTest {
	private static final Instant T0 = Instant.parse("2026-03-02T10:00:30Z");
	private static final Instant H7 = Instant.parse("2026-03-02T07:00:00Z");
	private static final Instant H8 = Instant.parse("2026-03-02T08:00:00Z");
	private static final Instant H9 = Instant.parse("2026-03-02T09:00:00Z");
	private static final Instant H10 = Instant.parse("2026-03-02T10:00:00Z");
	private static final Instant H11 = Instant.parse("2026-03-02T11:00:00Z");
	private static final ZoneId UTC = ZoneId.of("UTC");

	@TempDir
	Path dir;

	MutableClock clock;
	ManualExecutor workers;
	LocalStateStore store;
	Scheduler scheduler;
	RuntimeView view;
	TestPlugin plugin;

	@BeforeEach
	void setUp() throws Exception {
		clock = new MutableClock(T0);
		workers = new ManualExecutor();
		store = new LocalStateStore(dir.resolve("state"));
		store.reset("p", H10); // its last committed window ends at 10:00
		start();
		plugin = add();
	}

	@AfterEach
	void tearDown() {
		scheduler.stop();
		store.close();
	}

	private void start() {
		scheduler = new Scheduler(clock, workers, PluginCalls.Calls.of(Runnable::run), store,
				new Scheduler.Options(UTC, Duration.ofMinutes(5), Duration.ofSeconds(10), Duration.ofSeconds(5), 50), () -> {
				});
		view = new RuntimeView(scheduler.operations());
	}

	private TestPlugin add() {
		TestPlugin service = new TestPlugin("0 * * * *");
		Map<String, Object> properties = new HashMap<>();
		properties.put(CronPlugin.NAME, "p");
		scheduler.add(new Plugin(1, 7, "test.bundle", properties, service));
		settle();
		return service;
	}

	private void settle() {
		do {
			workers.runAll();
			store.sync();
		} while (workers.pending() > 0);
	}

	/** The windows the plugin ran, as "HH-HH" of their UTC hours. */
	private List<String> ran(TestPlugin service) {
		List<String> hours = new ArrayList<>();
		for (Instant[] window : service.windows) {
			hours.add(hour(window[0]) + "-" + hour(window[1]));
		}
		return hours;
	}

	private static String hour(Instant instant) {
		String text = instant.toString();
		return instant.getEpochSecond() % 3600 == 0 ? text.substring(11, 13) : text.substring(11, 19);
	}

	private List<CronRunDTO> history() {
		List<CronRunDTO> runs = new ArrayList<>(view.getHistory("p", 50));
		java.util.Collections.reverse(runs);
		return runs;
	}

	@Test
	void eachWindowRunsInOrderAsARunOfItsOwnAndTheCommittedEndStays() {
		RerunDTO started = view.rerun("p", H7, H10, null, "alice via bin/client");
		assertThat(started.windows).isEqualTo(3);
		assertThat(started.left).isEqualTo(3);
		settle();
		assertThat(ran(plugin)).containsExactly("07-08", "08-09", "09-10");
		assertThat(history()).extracting(r -> r.trigger, r -> r.outcome, r -> r.requestedBy).containsOnly(
				org.assertj.core.groups.Tuple.tuple(Trigger.RERUN, Outcome.SUCCEEDED, "alice via bin/client"));
		assertThat(history().get(0).windowStart).isEqualTo(H7.toEpochMilli());
		assertThat(history().get(0).started).as("started now, not at its window's end").isEqualTo(T0.toEpochMilli());
		assertThat(view.getJob("p").lastEnd).as("the committed position never moves").isEqualTo(H10.toEpochMilli());
		RerunDTO done = view.getJob("p").rerun;
		assertThat(done.done).isEqualTo(3);
		assertThat(done.left).isZero();
		assertThat(done.ended).isNotNull();
		assertThat(store.reruns()).singleElement().satisfies(r -> assertThat(r.inProgress()).isFalse());

		clock.set(H11);
		scheduler.tick();
		settle();
		assertThat(ran(plugin)).as("the schedule runs what it would have run").endsWith("10-11");
	}

	@Test
	void aScheduledFireDuringAWindowRunsRightAfterItAndBeforeTheNextWindow() {
		AtomicInteger runs = new AtomicInteger();
		plugin.onRun = () -> {
			if (runs.incrementAndGet() == 1) { // inside the first window: the schedule fires
				clock.set(H11);
				scheduler.tick();
			}
		};
		view.rerun("p", H7, H10, RerunSplit.INTERVAL, "ops");
		settle();
		assertThat(ran(plugin)).containsExactly("07-08", "10-11", "08-09", "09-10");
		assertThat(history()).extracting(r -> r.trigger).containsExactly(Trigger.RERUN, Trigger.SCHEDULE, Trigger.RERUN,
				Trigger.RERUN);
		assertThat(history()).noneMatch(r -> r.outcome == Outcome.SKIPPED);
		assertThat(view.getJob("p").lastEnd).as("only the scheduled run committed").isEqualTo(H11.toEpochMilli());
	}

	@Test
	void aRerunWaitsForARunInProgressAndAManualFireIsRefusedDuringAWindow() {
		clock.set(H11);
		scheduler.tick(); // the scheduled run is queued, holding the name
		view.rerun("p", H7, H9, RerunSplit.ONCE, "ops");
		assertThat(view.getRerun("p").waiting).isEqualTo("another run of the plugin is going");
		workers.runNext(); // the scheduled run only
		store.sync();
		plugin.onRun = () -> assertThatThrownBy(() -> view.fire("p")).isInstanceOf(IllegalStateException.class)
				.hasMessageContaining("running already");
		settle();
		assertThat(ran(plugin)).containsExactly("10-11", "07-09");
		assertThat(view.getRerun("p").done).isEqualTo(1);
	}

	@Test
	void aPausedPluginsWindowsWaitUntilItIsResumed() {
		view.pause("p");
		view.rerun("p", H8, H10, null, "ops");
		settle();
		assertThat(plugin.windows).isEmpty();
		assertThat(view.getRerun("p").waiting).isEqualTo("the plugin is PAUSED");
		view.resume("p");
		settle();
		assertThat(ran(plugin)).containsExactly("08-09", "09-10");
	}

	@Test
	void aPauseDuringAWindowHoldsTheNextOne() {
		plugin.onRun = () -> {
			if (plugin.windows.size() == 1) {
				view.pause("p");
			}
		};
		view.rerun("p", H7, H10, null, "ops");
		settle();
		assertThat(ran(plugin)).containsExactly("07-08");
		view.resume("p");
		settle();
		assertThat(ran(plugin)).containsExactly("07-08", "08-09", "09-10");
	}

	/**
	 * A window's run is written to the history before the window is counted, in the same call to the
	 * store (StateStore.advanceRerun with the run), so that a kill never keeps the count without the run:
	 * the next window finds the line on disk already, and the engine appends no second one.
	 */
	@Test
	void eachWindowsRunIsOnDiskBeforeItIsCountedAndKeptOnce() throws Exception {
		Path file = dir.resolve("state").resolve("history.log");
		List<Long> seen = new ArrayList<>();
		plugin.onRun = () -> {
			try {
				seen.add(Files.exists(file) ? Files.readAllLines(file).stream().filter(l -> l.startsWith("p\tRERUN\t")).count() : 0);
			} catch (java.io.IOException e) {
				throw new java.io.UncheckedIOException(e);
			}
		};
		view.rerun("p", H7, H10, null, "ops");
		settle();
		assertThat(seen).as("lines of the windows before, on disk when each window starts").containsExactly(0L, 1L, 2L);
		List<CronRunDTO> stored = store.history("p", 50);
		assertThat(stored).as("one entry per window").hasSize(3);
		assertThat(view.getHistory("p", 3)).as("the entries in memory are the ones the store has")
				.extracting(r -> r.started, r -> r.finished, r -> r.outcome, r -> r.windowStart)
				.containsExactlyElementsOf(stored.stream().map(r -> org.assertj.core.groups.Tuple.tuple(r.started,
						r.finished, r.outcome, r.windowStart)).toList());
	}

	@Test
	void aFailedWindowIsCountedAndTheNextOneRuns() {
		plugin.onRun = () -> plugin.failure = plugin.windows.size() == 2 ? new IllegalStateException("bad data") : null;
		view.rerun("p", H7, H10, null, "ops");
		settle();
		assertThat(ran(plugin)).containsExactly("07-08", "08-09", "09-10");
		assertThat(history()).extracting(r -> r.outcome).containsExactly(Outcome.SUCCEEDED, Outcome.FAILED,
				Outcome.SUCCEEDED);
		RerunDTO rerun = view.getRerun("p");
		assertThat(rerun.done).isEqualTo(2);
		assertThat(rerun.failed).isEqualTo(1);
		assertThat(rerun.left).isZero();
	}

	@Test
	void aCancelDuringAWindowStopsTheRerunAfterIt() {
		plugin.onRun = () -> {
			if (plugin.windows.size() == 1) {
				RerunDTO cancelled = view.cancelRerun("p");
				assertThat(cancelled.cancelled).isTrue();
				assertThat(cancelled.ended).as("its window is going").isNull();
			}
		};
		view.rerun("p", H7, H10, null, "ops");
		settle();
		assertThat(ran(plugin)).containsExactly("07-08");
		RerunDTO rerun = view.getRerun("p");
		assertThat(rerun.ended).isNotNull();
		assertThat(rerun.done).isEqualTo(1);
		assertThat(rerun.left).as("never to run").isEqualTo(2);
		assertThatThrownBy(() -> view.cancelRerun("p")).isInstanceOf(IllegalArgumentException.class)
				.hasMessage("cron plugin 'p' has no re-run in progress");
	}

	@Test
	void aCancelBetweenWindowsEndsItAtOnce() {
		view.pause("p");
		view.rerun("p", H7, H10, null, "ops");
		settle();
		RerunDTO cancelled = view.cancelRerun("p");
		settle();
		assertThat(view.getRerun("p").ended).isNotNull();
		assertThat(cancelled.cancelled).isTrue();
		view.resume("p");
		settle();
		assertThat(plugin.windows).isEmpty();
	}

	@Test
	void aDepartedPluginsRerunGoesOnWhenItComesBackFromTheFirstWindowNotDone() {
		plugin.onRun = () -> {
			if (plugin.windows.size() == 1) {
				scheduler.remove(1); // it leaves during its first window, which ends normally in its grace
			}
		};
		view.rerun("p", H7, H10, null, "ops");
		settle();
		assertThat(ran(plugin)).containsExactly("07-08");
		assertThat(view.getRerun("p").waiting).isEqualTo("the plugin is not deployed on this runtime");
		TestPlugin back = add();
		settle();
		assertThat(ran(back)).containsExactly("08-09", "09-10");
		assertThat(view.getRerun("p").done).isEqualTo(3);
	}

	@Test
	void aRestartResumesAtTheFirstWindowNotDone() throws Exception {
		view.rerun("p", H7, H10, null, "ops");
		workers.runNext(); // the first window; the second is queued when the scheduler stops
		scheduler.stop();
		store.close();

		store = new LocalStateStore(dir.resolve("state"));
		Rerun kept = store.reruns().get(0);
		assertThat(kept.next()).isEqualTo(H8);
		assertThat(kept.inProgress()).isTrue();
		start();
		TestPlugin after = add();
		settle();
		assertThat(ran(plugin)).containsExactly("07-08");
		assertThat(ran(after)).containsExactly("08-09", "09-10");
		assertThat(view.getRerun("p").done).isEqualTo(3);
		assertThat(history()).filteredOn(r -> r.trigger == Trigger.RERUN).extracting(r -> r.requestedBy)
				.containsOnly("ops");
	}

	@Test
	void badRequestsAreRefusedWithAClearMessage() {
		assertThatThrownBy(() -> view.rerun("nobody", H7, H10, null, "ops")).isInstanceOf(IllegalArgumentException.class)
				.hasMessage("no cron plugin is named 'nobody'; known: p");
		assertThatThrownBy(() -> view.planRerun("p", H9, H8, null)).isInstanceOf(IllegalArgumentException.class)
				.hasMessage("the range is empty: its start, 2026-03-02T09:00:00Z, is not before its end, 2026-03-02T08:00:00Z");
		assertThatThrownBy(() -> view.planRerun("p", H9, H11, null)).isInstanceOf(IllegalArgumentException.class)
				.hasMessage("the range ends at 2026-03-02T11:00:00Z, after the end of the last committed window of cron"
						+ " plugin 'p', 2026-03-02T10:00:00Z: the windows after it are the schedule's to run");
		assertThatThrownBy(() -> view.planRerun("p", Instant.parse("2024-01-01T00:00:00Z"), H10, null))
				.isInstanceOf(IllegalArgumentException.class).hasMessageContaining("makes more than 10000 windows");
		assertThat(view.planRerun("p", Instant.parse("2024-01-01T00:00:00Z"), H10, RerunSplit.ONCE)).hasSize(1);
		assertThatThrownBy(() -> view.rerun("p", H7, H10, null, "ops\u001b[2J")).isInstanceOf(IllegalArgumentException.class)
				.hasMessage("who asks for the re-run holds control characters");
		assertThatThrownBy(() -> view.rerun("p", H7, H10, null, " ")).isInstanceOf(IllegalArgumentException.class);
		view.pause("p");
		view.rerun("p", H7, H10, null, "ops");
		assertThatThrownBy(() -> view.rerun("p", H8, H9, null, "bob")).isInstanceOf(IllegalStateException.class)
				.hasMessageContaining("has a re-run in progress already").hasMessageContaining("asked by ops");
		assertThat(view.planRerun("p", H7, H10, null)).as("a dry run lists the windows").hasSize(3);
	}
}
