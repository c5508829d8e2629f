package io.crontainer.itests.scheduler;

import static io.crontainer.itests.scheduler.SchedulerSupport.EVERY_SECOND;
import static io.crontainer.itests.scheduler.SchedulerSupport.PID;
import static io.crontainer.itests.scheduler.SchedulerSupport.awaitState;
import static io.crontainer.itests.scheduler.SchedulerSupport.register;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.cm.ConfigurationAdminOptions.newConfiguration;

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
import io.crontainer.api.runtime.CronRuntime;
import io.crontainer.api.runtime.JobState;
import io.crontainer.itests.support.CrontainerOptions;

/**
 * {@code state.store = postgresql} on a runtime without the {@code postgresql} feature (no PostgreSQL
 * store bundle, no OSGi JDBC, no driver): the scheduler, which knows no database of its own, still
 * starts, and every plugin is {@code UNAVAILABLE} with the reason; nothing runs, and nothing falls back
 * to the local store (which would run every plugin on every runtime of a cluster).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class StoreWithoutDriverIT {

	@Inject
	private BundleContext context;

	@Inject
	private CronRuntime runtime;

	@Configuration
	public Option[] config() {
		return new Option[] { CrontainerOptions.features("core"),
				newConfiguration(PID).put("state.store", "postgresql")
						.put("postgresql.url", "jdbc:postgresql://127.0.0.1:1/nowhere").put("cluster.node", "it-node")
						.put("timezone", "UTC").asOption() };
	}

	@Test
	public void aPluginIsUnavailableWithTheReasonAndNeverRuns() throws Exception {
		ItPlugin plugin = new ItPlugin(EVERY_SECOND);
		ServiceRegistration<CronPlugin> registration = register(context, "clustered", plugin);
		try {
			CronJobDTO job = awaitState(runtime, "clustered", JobState.UNAVAILABLE);
			assertTrue(job.reason, job.reason.contains("install the postgresql feature"));
			assertEquals("never scheduled, never run", null, job.nextFire);
			assertEquals(0, plugin.calls.size());
		} finally {
			registration.unregister();
		}
	}
}
