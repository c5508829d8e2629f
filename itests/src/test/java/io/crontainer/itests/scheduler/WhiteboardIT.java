package io.crontainer.itests.scheduler;

import static io.crontainer.itests.scheduler.SchedulerSupport.EVERY_SECOND;
import static io.crontainer.itests.scheduler.SchedulerSupport.awaitState;
import static io.crontainer.itests.scheduler.SchedulerSupport.describeRuns;
import static io.crontainer.itests.scheduler.SchedulerSupport.history;
import static io.crontainer.itests.scheduler.SchedulerSupport.register;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.time.Instant;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.inject.Inject;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

import io.crontainer.api.CronPlugin;
import io.crontainer.api.runtime.CronJobDTO;
import io.crontainer.api.runtime.CronRunDTO;
import io.crontainer.api.runtime.CronRuntime;
import io.crontainer.api.runtime.JobState;
import io.crontainer.api.runtime.Outcome;
import io.crontainer.itests.support.Await;

/**
 * The live whiteboard: plugin services registered, changed and unregistered while the scheduler
 * runs, with real firing every second.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class WhiteboardIT {

	@Inject
	private BundleContext context;

	@Inject
	private CronRuntime runtime;

	@Configuration
	public Option[] config() {
		return SchedulerSupport.options();
	}

	@Test
	public void anArrivingPluginIsScheduledAtOnceAndItsWindowsTile() throws Exception {
		ItPlugin plugin = new ItPlugin(EVERY_SECOND);
		ServiceRegistration<CronPlugin> registration = register(context, "tiler", plugin);
		awaitState(runtime, "tiler", JobState.SCHEDULED);
		Await.until("3 successful runs", () -> plugin.succeeded.size() >= 3);
		registration.unregister();
		assertNull("unscheduled as soon as the service left", runtime.getJob("tiler"));

		List<Instant[]> windows = plugin.succeeded;
		assertEquals("the first window starts at the epoch", CronPlugin.EPOCH, windows.get(0)[0]);
		for (int i = 1; i < windows.size(); i++) {
			assertEquals("no gap, no overlap", windows.get(i - 1)[1], windows.get(i)[0]);
			assertTrue("end after start", windows.get(i)[1].isAfter(windows.get(i)[0]));
		}
	}

	@Test
	public void aFailedWindowIsRetriedByTheNextRun() throws Exception {
		ItPlugin plugin = new ItPlugin(EVERY_SECOND);
		plugin.failures = 1;
		ServiceRegistration<CronPlugin> registration = register(context, "retry", plugin);
		try {
			Await.until("a successful run", () -> !plugin.succeeded.isEmpty());
			assertEquals(CronPlugin.EPOCH, plugin.calls.get(0)[0]);
			assertEquals("the failed window is covered again", CronPlugin.EPOCH, plugin.succeeded.get(0)[0]);
			List<CronRunDTO> runs = history(runtime, "retry");
			assertEquals(describeRuns(runs), Outcome.FAILED, runs.get(runs.size() - 1).outcome);
			assertEquals("java.lang.IllegalStateException: planned failure", runs.get(runs.size() - 1).error);
		} finally {
			registration.unregister();
		}
	}

	@Test
	public void aChangedServicePropertyReschedulesIt() throws Exception {
		ItPlugin plugin = new ItPlugin("0 0 0 1 1 ? 2099");
		ServiceRegistration<CronPlugin> registration = register(context, "reconfigured", plugin);
		try {
			CronJobDTO job = awaitState(runtime, "reconfigured", JobState.SCHEDULED);
			assertTrue(Instant.ofEpochMilli(job.nextFire).isAfter(Instant.parse("2098-12-31T00:00:00Z")));

			Hashtable<String, Object> properties = new Hashtable<>();
			properties.put(CronPlugin.NAME, "reconfigured");
			properties.put(CronPlugin.INTERVAL, EVERY_SECOND);
			registration.setProperties(properties);
			Await.until("a run on the new interval", () -> !plugin.succeeded.isEmpty());
			assertEquals(EVERY_SECOND, runtime.getJob("reconfigured").interval);

			properties.put(CronPlugin.ENABLED, "false");
			registration.setProperties(properties);
			job = awaitState(runtime, "reconfigured", JobState.DISABLED);
			assertEquals("service property cron.enabled is false", job.reason);
		} finally {
			registration.unregister();
		}
	}

	@Test
	public void theRecheckAsksEnabledAgain() throws Exception {
		ItPlugin plugin = new ItPlugin(EVERY_SECOND);
		ServiceRegistration<CronPlugin> registration = register(context, "rechecked", plugin);
		try {
			awaitState(runtime, "rechecked", JobState.SCHEDULED);
			plugin.enabled = false;
			CronJobDTO job = awaitState(runtime, "rechecked", JobState.DISABLED); // recheck.interval = 2 s
			assertEquals("enabled() returned false", job.reason);
			plugin.enabled = true;
			awaitState(runtime, "rechecked", JobState.SCHEDULED);
		} finally {
			registration.unregister();
		}
	}

	@Test
	public void aDuplicateNeverRunsAndTakesOverWhenTheFirstLeaves() throws Exception {
		ItPlugin first = new ItPlugin(EVERY_SECOND);
		ItPlugin second = new ItPlugin(EVERY_SECOND);
		ServiceRegistration<CronPlugin> one = register(context, "twin", first);
		ServiceRegistration<CronPlugin> two = register(context, "twin", second);
		try {
			awaitState(runtime, "twin", JobState.SCHEDULED);
			Await.until("two runs of the first", () -> first.succeeded.size() >= 2);
			assertTrue(runtime.getJobs().stream().anyMatch(j -> j.name.equals("twin") && j.state == JobState.DUPLICATE));
			assertTrue("a duplicate never runs", second.calls.isEmpty());

			one.unregister();
			one = null;
			// A run of the first that the departure cut off is not committed: the second goes on from
			// the last committed end, which it read from the state record when it took the name over.
			CronJobDTO taker = runtime.getJob("twin");
			assertEquals(JobState.SCHEDULED, taker.state);
			Await.until("a run of the second", () -> !second.succeeded.isEmpty());
			Instant start = second.succeeded.get(0)[0];
			assertEquals(taker.lastEnd, Long.valueOf(start.toEpochMilli()));
			assertTrue("no gap: the window goes on where a successful run of the first ended",
					first.succeeded.stream().anyMatch(w -> w[1].equals(start)));
		} finally {
			if (one != null) {
				one.unregister();
			}
			two.unregister();
		}
	}

	@Test
	public void aFireWhileRunningIsSkippedAndRecorded() throws Exception {
		ItPlugin plugin = new ItPlugin(EVERY_SECOND);
		plugin.blockMillis = 1500;
		ServiceRegistration<CronPlugin> registration = register(context, "overrun", plugin);
		try {
			Await.until("a skipped fire", () -> history(runtime, "overrun").stream()
					.anyMatch(r -> r.outcome == Outcome.SKIPPED));
			CronRunDTO skipped = history(runtime, "overrun").stream().filter(r -> r.outcome == Outcome.SKIPPED)
					.findFirst().get();
			assertEquals("the previous run was still going", skipped.error);
			Await.until("the second run", () -> plugin.calls.size() >= 2);
			assertEquals("never two runs at once", 1, plugin.maxConcurrent.get());
			assertEquals("the next window starts where the long run's ended", plugin.calls.get(0)[1],
					plugin.calls.get(1)[0]);
		} finally {
			registration.unregister();
		}
	}

	@Test
	public void aPluginLeavingMidRunIsInterruptedAfterItsGraceAndNotCommitted() throws Exception {
		ItPlugin plugin = new ItPlugin(EVERY_SECOND);
		plugin.blockMillis = 60_000;
		ServiceRegistration<CronPlugin> registration = register(context, "leaver", plugin);
		assertTrue(plugin.started.await(10, TimeUnit.SECONDS));
		assertTrue(runtime.getJob("leaver").running);

		registration.unregister(); // returns at once: the run gets the grace (10 s) to finish, on the timer
		assertFalse("unregister() does not wait for the run's grace", plugin.interrupted);
		assertNull(runtime.getJob("leaver"));
		Await.until("the run interrupted once its grace ended", () -> plugin.interrupted);
		Await.until("the interrupted run recorded", () -> history(runtime, "leaver").get(0).outcome != Outcome.RUNNING);
		CronRunDTO run = history(runtime, "leaver").get(0);
		assertEquals(Outcome.INTERRUPTED, run.outcome);
		assertNotNull(run.finished);

		ItPlugin again = new ItPlugin("0 0 0 1 1 ? 2099");
		ServiceRegistration<CronPlugin> back = register(context, "leaver", again);
		try {
			CronJobDTO job = awaitState(runtime, "leaver", JobState.SCHEDULED);
			assertNull("the interrupted window was not committed", job.lastEnd);
			assertFalse(job.running);
		} finally {
			back.unregister();
		}
	}
}
