package io.crontainer.scheduler.impl.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;
import org.osgi.service.event.EventConstants;

import io.crontainer.api.CronPlugin;
import io.crontainer.api.runtime.CronEvents;
import io.crontainer.scheduler.impl.osgi.EventPoster;
import io.crontainer.scheduler.impl.store.LocalStateStore;
import io.crontainer.scheduler.impl.testing.ManualExecutor;
import io.crontainer.scheduler.impl.testing.MutableClock;
import io.crontainer.scheduler.impl.testing.TestPlugin;
import io.crontainer.scheduler.impl.whiteboard.Plugin;

/**
 * The run and state events, through a fake Event Admin: what is posted, in which order, with which
 * properties, never under the engine's lock, and nothing without an Event Admin. The engine runs on
 * the mutable clock and the executors the test controls.
 */
class EventsTest {
	private static final Instant T0 = Instant.parse("2026-03-02T10:00:30Z");

	@TempDir
	Path dir;

	MutableClock clock;
	ManualExecutor workers;
	ManualExecutor poster;
	LocalStateStore store;
	FakeEventAdmin admin;
	volatile EventAdmin bound;
	Scheduler scheduler;

	/** Records what is posted, and whether the engine's lock was held then. */
	final class FakeEventAdmin implements EventAdmin {
		final List<Event> posted = new CopyOnWriteArrayList<>();
		volatile boolean underLock;

		@Override
		public void postEvent(Event event) {
			underLock |= Thread.holdsLock(scheduler.lock());
			posted.add(event);
		}

		@Override
		public void sendEvent(Event event) {
			throw new AssertionError("the scheduler must never send (synchronously): " + event);
		}

		List<String> topics() {
			return posted.stream().map(e -> e.getTopic() + (e.containsProperty(CronEvents.OUTCOME)
					? " " + e.getProperty(CronEvents.OUTCOME) : "")).toList();
		}

		List<Event> on(String topic) {
			return posted.stream().filter(e -> e.getTopic().equals(topic)).toList();
		}
	}

	@BeforeEach
	void setUp() throws Exception {
		clock = new MutableClock(T0);
		workers = new ManualExecutor();
		poster = new ManualExecutor();
		store = new LocalStateStore(dir.resolve("state"));
		admin = new FakeEventAdmin();
		bound = admin;
		scheduler = scheduler(new EventPoster(() -> bound, poster));
	}

	@AfterEach
	void tearDown() {
		scheduler.stop();
		store.close();
	}

	private Scheduler scheduler(Events events) {
		return scheduler(events, store);
	}

	private Scheduler scheduler(Events events, io.crontainer.store.api.StateStore store) {
		return new Scheduler(clock, workers, PluginCalls.Calls.of(Runnable::run), store,
				new Scheduler.Options(ZoneId.of("UTC"), Duration.ofMinutes(5), Duration.ofSeconds(10),
						Duration.ofSeconds(5), 10),
				() -> {
				}, events);
	}

	private TestPlugin add(Scheduler s, long id, String name, String interval) {
		TestPlugin service = new TestPlugin(interval);
		Map<String, Object> properties = new HashMap<>();
		properties.put(CronPlugin.NAME, name);
		s.add(new Plugin(id, 7, "test.bundle", properties, service));
		return service;
	}

	/** Moves the clock, ticks, runs what was fired (commits included), then what the poster queued. */
	private void at(String instant) {
		clock.set(Instant.parse(instant));
		scheduler.tick();
		do {
			workers.runAll();
			store.sync();
		} while (workers.pending() > 0);
		poster.runAll();
	}

	@Test
	void aFireTimeAnotherRuntimeRunsPostsNoRunEventHere() {
		// In a cluster each runtime posts the events of the runs it ran: /metrics counts runs from them, so a
		// fire time claimed elsewhere must leave no trace here, or a sum over the runtimes would count it twice.
		Instant elsewhereUntil = Instant.parse("2026-03-02T10:01:30Z");
		SchedulerTest.FlakyStore cluster = new SchedulerTest.FlakyStore(store) {
			@Override
			public io.crontainer.store.api.ClaimResult claim(String name, Instant windowStart, Instant fireTime)
					throws io.crontainer.store.api.CorruptStateException,
					io.crontainer.store.api.StoreUnavailableException {
				if (clock.instant().isBefore(elsewhereUntil)) {
					return io.crontainer.store.api.ClaimResult.elsewhere(io.crontainer.store.api.RunState.NEW,
							"running on node b", null);
				}
				return super.claim(name, windowStart, fireTime);
			}
		};
		scheduler.stop();
		scheduler = scheduler(new EventPoster(() -> bound, poster), cluster);
		TestPlugin p = add(scheduler, 1, "shared", "* * * * *");
		at("2026-03-02T10:01:00Z");
		assertThat(p.windows).isEmpty();
		assertThat(admin.on(CronEvents.RUN_STARTED)).isEmpty();
		assertThat(admin.on(CronEvents.RUN_ENDED)).as("node b's run is node b's to post").isEmpty();
		at("2026-03-02T10:02:00Z");
		assertThat(p.windows).hasSize(1);
		assertThat(admin.on(CronEvents.RUN_ENDED)).singleElement()
				.satisfies(e -> assertThat(e.getProperty(CronEvents.OUTCOME)).isEqualTo("SUCCEEDED"));
	}

	@Test
	void aRunsStartAndEndArePostedInOrderWithTheWindowOutcomeAndError() {
		TestPlugin p = add(scheduler, 1, "mailer", "* * * * *");
		p.failure = new IllegalStateException("smtp down\nsecond line");
		at("2026-03-02T10:01:00.005Z");
		p.failure = null;
		at("2026-03-02T10:02:00.007Z");

		assertThat(admin.topics()).containsExactly(CronEvents.STATE_CHANGED, CronEvents.STATE_CHANGED,
				CronEvents.RUN_STARTED + " RUNNING", CronEvents.RUN_ENDED + " FAILED", CronEvents.RUN_STARTED + " RUNNING",
				CronEvents.RUN_ENDED + " SUCCEEDED");
		List<Event> ended = admin.on(CronEvents.RUN_ENDED);
		Event failed = ended.get(0);
		assertThat(failed.getProperty(CronEvents.NAME)).isEqualTo("mailer");
		assertThat(failed.getProperty(CronEvents.TRIGGER)).isEqualTo("SCHEDULE");
		assertThat(failed.getProperty(CronEvents.WINDOW_START)).isEqualTo(0L);
		assertThat(failed.getProperty(CronEvents.WINDOW_END))
				.isEqualTo(Instant.parse("2026-03-02T10:01:00.005Z").toEpochMilli());
		assertThat(failed.getProperty(CronEvents.SCHEDULED_FIRE))
				.isEqualTo(Instant.parse("2026-03-02T10:01:00Z").toEpochMilli());
		assertThat(failed.getProperty(CronEvents.ERROR)).isEqualTo("java.lang.IllegalStateException: smtp down");
		assertThat(failed.getProperty(CronEvents.FINISHED)).isEqualTo(failed.getProperty(EventConstants.TIMESTAMP));
		assertThat(failed.containsProperty(CronEvents.NODE)).as("no cluster: absent").isFalse();

		Event succeeded = ended.get(1);
		assertThat(succeeded.getProperty(CronEvents.WINDOW_START)).as("the failed window is covered again")
				.isEqualTo(0L);
		assertThat(succeeded.containsProperty(CronEvents.ERROR)).isFalse();
		Event started = admin.on(CronEvents.RUN_STARTED).get(1);
		assertThat(started.getProperty(CronEvents.WINDOW_END)).isEqualTo(succeeded.getProperty(CronEvents.WINDOW_END));
		assertThat(started.containsProperty(CronEvents.FINISHED)).isFalse();
		assertThat(admin.underLock).isFalse();
	}

	@Test
	void aRunBuildsNoStartedSnapshotWhenNobodySubscribesToIt() {
		java.util.concurrent.atomic.AtomicBoolean subscribed = new java.util.concurrent.atomic.AtomicBoolean();
		java.util.List<io.crontainer.api.runtime.CronRunDTO> told = new java.util.ArrayList<>();
		EventPoster real = new EventPoster(() -> bound, topic -> subscribed.get(), poster);
		Events counting = new Events() {
			@Override
			public boolean tellsStarted() {
				return real.tellsStarted();
			}

			@Override
			public void started(io.crontainer.api.runtime.CronRunDTO run) {
				told.add(run);
				real.started(run);
			}

			@Override
			public void ended(io.crontainer.api.runtime.CronRunDTO run) {
				real.ended(run);
			}

			@Override
			public void stateChanged(String name, io.crontainer.api.runtime.JobState before,
					io.crontainer.api.runtime.JobState after, String reason, long at) {
				real.stateChanged(name, before, after, reason, at);
			}
		};
		scheduler.stop();
		scheduler = scheduler(counting);
		add(scheduler, 1, "quiet", "* * * * *");
		at("2026-03-02T10:01:00Z");
		assertThat(told).as("no handler subscribes to " + CronEvents.RUN_STARTED).isEmpty();
		subscribed.set(true);
		at("2026-03-02T10:02:00Z");
		assertThat(told).singleElement().satisfies(run -> assertThat(run.name).isEqualTo("quiet"));
		assertThat(admin.on(CronEvents.RUN_STARTED)).hasSize(1);
	}

	@Test
	void stateChangesArePostedWithThePreviousStateAndTheReason() {
		TestPlugin p = add(scheduler, 1, "toggled", "* * * * *");
		poster.runAll();
		List<Event> changes = admin.on(CronEvents.STATE_CHANGED);
		assertThat(changes).extracting(e -> e.getProperty(CronEvents.PREVIOUS_STATE), e -> e.getProperty(CronEvents.STATE))
				.containsExactly(org.assertj.core.groups.Tuple.tuple(null, "PENDING"),
						org.assertj.core.groups.Tuple.tuple("PENDING", "SCHEDULED"));
		assertThat(changes.get(1).containsProperty(CronEvents.REASON)).isFalse();

		p.enabled = () -> false;
		clock.set(T0.plus(Duration.ofMinutes(5)));
		scheduler.tick(); // the re-check asks enabled() again
		poster.runAll();
		Event disabled = admin.on(CronEvents.STATE_CHANGED).get(2);
		assertThat(disabled.getProperty(CronEvents.NAME)).isEqualTo("toggled");
		assertThat(disabled.getProperty(CronEvents.PREVIOUS_STATE)).isEqualTo("SCHEDULED");
		assertThat(disabled.getProperty(CronEvents.STATE)).isEqualTo("DISABLED");
		assertThat(disabled.getProperty(CronEvents.REASON)).isEqualTo("enabled() returned false");
		assertThat(disabled.getProperty(EventConstants.TIMESTAMP)).isEqualTo(T0.plus(Duration.ofMinutes(5)).toEpochMilli());
	}

	@Test
	void aFireSkippedWhileTheRunGoesOnEndsWithoutAStart() {
		add(scheduler, 1, "slow", "* * * * *");
		clock.set(Instant.parse("2026-03-02T10:01:00Z"));
		scheduler.tick(); // queued, not run: the name is held
		clock.set(Instant.parse("2026-03-02T10:02:00Z"));
		scheduler.tick();
		poster.runAll();

		assertThat(admin.on(CronEvents.RUN_STARTED)).isEmpty();
		Event skipped = admin.on(CronEvents.RUN_ENDED).get(0);
		assertThat(skipped.getProperty(CronEvents.OUTCOME)).isEqualTo("SKIPPED");
		assertThat(skipped.containsProperty(CronEvents.WINDOW_START)).isFalse();
		assertThat((String) skipped.getProperty(CronEvents.ERROR)).contains("still going");
		workers.runAll(); // the held run goes: nothing left to abandon at the stop
	}

	@Test
	void eventsArePostedWithNoLockOfTheEngineHeld() {
		List<Boolean> held = new ArrayList<>();
		scheduler.stop();
		scheduler = scheduler(new EventPoster(() -> admin, task -> {
			held.add(Thread.holdsLock(scheduler.lock()));
			task.run(); // posts on the calling thread: the place of the call is what is tested
		}));
		TestPlugin p = add(scheduler, 1, "direct", "* * * * *");
		p.failure = new IllegalStateException("boom");
		at("2026-03-02T10:01:00Z");

		assertThat(admin.topics()).contains(CronEvents.RUN_STARTED + " RUNNING", CronEvents.RUN_ENDED + " FAILED");
		assertThat(held).isNotEmpty().containsOnly(false);
		assertThat(admin.underLock).isFalse();
	}

	@Test
	void withoutEventAdminNothingIsQueuedAndTheRunsGoOn() {
		bound = null;
		TestPlugin p = add(scheduler, 1, "quiet", "* * * * *");
		at("2026-03-02T10:01:00Z");
		assertThat(p.windows).hasSize(1);
		assertThat(poster.pending()).isZero();

		bound = admin; // an Event Admin arrives: the next events go to it
		at("2026-03-02T10:02:00Z");
		assertThat(admin.topics()).containsExactly(CronEvents.RUN_STARTED + " RUNNING",
				CronEvents.RUN_ENDED + " SUCCEEDED");
	}

	@Test
	void anEventNoHandlerSubscribesToIsNeitherBuiltNorQueued() {
		List<String> asked = new CopyOnWriteArrayList<>();
		java.util.Set<String> wanted = java.util.concurrent.ConcurrentHashMap.newKeySet();
		scheduler.stop();
		scheduler = scheduler(new EventPoster(() -> admin, topic -> {
			asked.add(topic);
			return wanted.contains(topic);
		}, poster));
		TestPlugin p = add(scheduler, 1, "unheard", "* * * * *");
		at("2026-03-02T10:01:00Z");
		assertThat(p.windows).as("the run is not disturbed").hasSize(1);
		assertThat(asked).contains(CronEvents.STATE_CHANGED, CronEvents.RUN_STARTED, CronEvents.RUN_ENDED);
		assertThat(poster.pending()).isZero();
		assertThat(admin.posted).isEmpty();

		wanted.add(CronEvents.RUN_ENDED); // a handler of run ends registers: those, and only those, go out
		at("2026-03-02T10:02:00Z");
		assertThat(admin.topics()).containsExactly(CronEvents.RUN_ENDED + " SUCCEEDED");
	}

	@Test
	void aFullQueueDropsTheEventAndCountsIt() {
		Executor full = task -> {
			throw new RejectedExecutionException("full");
		};
		EventPoster events = new EventPoster(() -> admin, full);
		scheduler.stop();
		scheduler = scheduler(events);
		TestPlugin p = add(scheduler, 1, "flooded", "* * * * *");
		at("2026-03-02T10:01:00Z");
		assertThat(p.windows).as("the run is not disturbed").hasSize(1);
		assertThat(events.dropped()).isEqualTo(4); // two state changes, a start and an end
		assertThat(admin.posted).isEmpty();
	}
}
