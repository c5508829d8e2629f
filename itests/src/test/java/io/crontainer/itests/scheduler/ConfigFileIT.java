package io.crontainer.itests.scheduler;

import static io.crontainer.itests.scheduler.SchedulerSupport.awaitState;
import static io.crontainer.itests.scheduler.SchedulerSupport.history;
import static io.crontainer.itests.scheduler.SchedulerSupport.runtime;
import static org.junit.Assert.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import javax.inject.Inject;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;

import io.crontainer.api.runtime.CronJobDTO;
import io.crontainer.api.runtime.CronRuntime;
import io.crontainer.api.runtime.JobState;
import io.crontainer.api.runtime.Outcome;
import io.crontainer.itests.support.Await;
import io.crontainer.itests.support.CrontainerOptions;

/**
 * An operator edits a plugin's {@code .cfg} file in {@code etc/}: FileInstall and ConfigAdmin hand it
 * to the Declarative Services component, whose changed {@code cron.interval} service property
 * reschedules the plugin, with no restart. Uses the shipped heartbeat example.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ConfigFileIT {

	@Inject
	private BundleContext context;

	@Configuration
	public Option[] config() {
		return new Option[] { CrontainerOptions.features("core", "examples") };
	}

	@Test
	public void aChangedCfgFileReschedulesTheDsPlugin() throws Exception {
		CronRuntime runtime = runtime(context);
		CronJobDTO heartbeat = awaitState(runtime, "heartbeat", JobState.SCHEDULED);
		assertEquals("* * * * *", heartbeat.interval);

		Path cfg = Path.of(context.getProperty("crontainer.home"), "etc", "io.crontainer.examples.heartbeat.cfg");
		Files.writeString(cfg, "enabled = true\ncron.interval = */1 * * * * ?\n", StandardCharsets.UTF_8);
		Await.until("the new interval", () -> "*/1 * * * * ?".equals(runtime.getJob("heartbeat").interval));
		Await.until("a run on the new interval", () -> history(runtime, "heartbeat").stream()
				.anyMatch(r -> r.outcome == Outcome.SUCCEEDED));

		Files.writeString(cfg, "enabled = false\ncron.interval = */1 * * * * ?\n", StandardCharsets.UTF_8);
		CronJobDTO disabled = awaitState(runtime, "heartbeat", JobState.DISABLED);
		assertEquals("enabled() returned false", disabled.reason);
	}
}
