package io.crontainer.itests.scheduler;

import static io.crontainer.itests.scheduler.SchedulerSupport.EVERY_SECOND;
import static io.crontainer.itests.scheduler.SchedulerSupport.awaitState;
import static io.crontainer.itests.scheduler.SchedulerSupport.describeRuns;
import static io.crontainer.itests.scheduler.SchedulerSupport.history;
import static io.crontainer.itests.scheduler.SchedulerSupport.register;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;

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
 * Bad plugins harm no one: each gets a clear state and reason, and a good plugin next to them keeps
 * firing every second.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class BadPluginsIT {

	@Inject
	private BundleContext context;

	@Inject
	private CronRuntime runtime;

	@Configuration
	public Option[] config() {
		return SchedulerSupport.options();
	}

	@Test
	public void badPluginsAreShownWithTheReasonAndTheGoodOneKeepsFiring() throws Exception {
		List<ServiceRegistration<CronPlugin>> registrations = new ArrayList<>();
		try {
			ItPlugin good = new ItPlugin(EVERY_SECOND);
			registrations.add(register(context, "good", good));

			registrations.add(register(context, "unparsable", new ItPlugin("61 * * * * ?")));
			registrations.add(register(context, "never", new ItPlugin("0 0 0 30 2 ?")));
			registrations.add(register(context, "null-interval", new ItPlugin(null)));
			registrations.add(register(context, "throwing-interval", new ItPlugin(EVERY_SECOND) {
				@Override
				public String interval() {
					throw new IllegalStateException("not configured");
				}
			}));
			ItPlugin blocksInEnabled = new ItPlugin(EVERY_SECOND);
			blocksInEnabled.enabledMillis = 30_000;
			registrations.add(register(context, "blocking-enabled", blocksInEnabled));
			ItPlugin hangs = new ItPlugin(EVERY_SECOND);
			hangs.blockMillis = 30_000;
			registrations.add(register(context, "hanging-run", hangs, CronPlugin.TIMEOUT, 1L));
			ItPlugin throwing = new ItPlugin(EVERY_SECOND);
			throwing.failures = Integer.MAX_VALUE;
			registrations.add(register(context, "throwing-run", throwing));
			registrations.add(register(context, "bad-property", new ItPlugin(EVERY_SECOND), CronPlugin.TIMEOUT, "soon"));

			assertTrue(awaitState(runtime, "unparsable", JobState.INVALID).reason.contains("'61 * * * * ?'"));
			assertTrue(awaitState(runtime, "never", JobState.INVALID).reason.contains("never fires"));
			assertEquals("interval() returned null", awaitState(runtime, "null-interval", JobState.INVALID).reason);
			assertEquals("interval() threw java.lang.IllegalStateException: not configured",
					awaitState(runtime, "throwing-interval", JobState.INVALID).reason);
			CronJobDTO blocking = awaitState(runtime, "blocking-enabled", JobState.INVALID); // call.timeout = 1 s
			assertTrue(blocking.reason, blocking.reason.startsWith("enabled() did not return within 1 s"));
			assertTrue(awaitState(runtime, "bad-property", JobState.INVALID).reason.contains("cron.timeout"));

			Await.until("a timed-out run", () -> history(runtime, "hanging-run").stream()
					.anyMatch(r -> r.outcome == Outcome.TIMED_OUT), () -> describeRuns(history(runtime, "hanging-run")));
			assertTrue("the hanging run was interrupted", hangs.interrupted);
			assertNull("its window is kept", runtime.getJob("hanging-run").lastEnd);
			Await.until("two failed runs", () -> throwing.calls.size() >= 2);
			assertNull(runtime.getJob("throwing-run").lastEnd);
			assertEquals("the failed window is retried", throwing.calls.get(0)[0], throwing.calls.get(1)[0]);

			int before = good.succeeded.size();
			Await.until("the good plugin keeps firing", () -> good.succeeded.size() >= before + 3);
			List<CronRunDTO> runs = history(runtime, "good");
			assertTrue(describeRuns(runs), runs.stream().noneMatch(r -> r.outcome == Outcome.FAILED
					|| r.outcome == Outcome.TIMED_OUT || r.outcome == Outcome.INTERRUPTED));
			assertEquals(JobState.SCHEDULED, runtime.getJob("good").state);
		} finally {
			for (ServiceRegistration<CronPlugin> registration : registrations) {
				registration.unregister();
			}
		}
	}
}
