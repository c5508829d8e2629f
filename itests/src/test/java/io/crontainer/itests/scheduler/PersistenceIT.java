package io.crontainer.itests.scheduler;

import static io.crontainer.itests.scheduler.SchedulerSupport.EVERY_SECOND;
import static io.crontainer.itests.scheduler.SchedulerSupport.awaitState;
import static io.crontainer.itests.scheduler.SchedulerSupport.history;
import static io.crontainer.itests.scheduler.SchedulerSupport.register;
import static io.crontainer.itests.scheduler.SchedulerSupport.runtime;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;

import javax.inject.Inject;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

import io.crontainer.api.CronPlugin;
import io.crontainer.api.runtime.CronJobDTO;
import io.crontainer.api.runtime.CronRuntime;
import io.crontainer.api.runtime.JobState;
import io.crontainer.api.runtime.Outcome;
import io.crontainer.itests.support.Await;

/**
 * Run state on disk and the plugin's and the scheduler's bundles coming and going: a corrupt state
 * record, a scheduler restart, a plugin bundle stopped mid-run, updated and uninstalled.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class PersistenceIT {

	@Inject
	private BundleContext context;

	@Configuration
	public Option[] config() {
		return SchedulerSupport.options();
	}

	private Path stateDir() {
		return Path.of(context.getProperty("crontainer.data.dir"), "state");
	}

	@Test
	public void aCorruptStateRecordBlocksThatPluginOnlyUntilReset() throws Exception {
		// A damaged line of the journal (its checksum fails), read when the scheduler starts.
		Bundle scheduler = schedulerBundle();
		scheduler.stop();
		Files.createDirectories(stateDir());
		Path journal = stateDir().resolve("runs.journal");
		String damaged = "corrupt\t1\tsometime\tfalse\t\t\t00000000\n";
		if (Files.exists(journal)) {
			Files.writeString(journal, damaged, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
		} else {
			Files.writeString(journal, "# Crontainer run state journal, format 2\n" + damaged, StandardCharsets.UTF_8);
		}
		scheduler.start();
		CronRuntime runtime = runtime(context);
		ItPlugin corrupt = new ItPlugin(EVERY_SECOND);
		ItPlugin healthy = new ItPlugin(EVERY_SECOND);
		ServiceRegistration<CronPlugin> one = register(context, "corrupt", corrupt);
		ServiceRegistration<CronPlugin> two = register(context, "healthy", healthy);
		try {
			CronJobDTO job = awaitState(runtime, "corrupt", JobState.BLOCKED);
			assertTrue(job.reason, job.reason.contains("has a damaged line for it"));
			Await.until("two runs of the healthy plugin", () -> healthy.succeeded.size() >= 2);
			assertTrue("a blocked plugin never runs", corrupt.calls.isEmpty());

			Instant since = Instant.now().minus(1, ChronoUnit.HOURS);
			assertEquals(JobState.SCHEDULED, runtime.reset("corrupt", since).state);
			Await.until("a run after the reset", () -> !corrupt.succeeded.isEmpty());
			assertEquals("the window starts where the operator said", since, corrupt.succeeded.get(0)[0]);
		} finally {
			one.unregister();
			two.unregister();
		}
	}

	@Test
	public void stateSurvivesARestartOfTheSchedulerBundleAndNothingOfOursKeepsRunning() throws Exception {
		ItPlugin plugin = new ItPlugin(EVERY_SECOND);
		ServiceRegistration<CronPlugin> registration = register(context, "durable", plugin);
		try {
			Await.until("a successful run", () -> !plugin.succeeded.isEmpty());
			Bundle scheduler = schedulerBundle();
			scheduler.stop();
			Await.until("no scheduler thread left", () -> Thread.getAllStackTraces().keySet().stream()
					.noneMatch(t -> t.isAlive() && t.getName().startsWith("crontainer-")));
			Instant persisted = lastEnd(stateDir().resolve("runs.journal"), "durable");
			assertNotNull(persisted);
			int runs = plugin.calls.size();

			scheduler.start();
			CronRuntime runtime = runtime(context);
			CronJobDTO job = awaitState(runtime, "durable", JobState.SCHEDULED);
			assertEquals(Long.valueOf(persisted.toEpochMilli()), job.lastEnd);
			Await.until("a run after the restart", () -> plugin.calls.size() > runs);
			assertEquals("the first window after the restart starts at the persisted end", persisted,
					plugin.calls.get(runs)[0]);
		} finally {
			registration.unregister();
		}
	}

	@Test
	public void aPluginBundleStoppedMidRunUpdatedOrUninstalledIsUnscheduledAtOnce() throws Exception {
		CronRuntime runtime = runtime(context);
		Path dir = Path.of(context.getProperty("crontainer.data.dir"));

		Bundle blocking = context.installBundle(
				PluginBundles.write(dir, "it.plugin.blocking", "bundled", EVERY_SECOND, 60_000).toUri().toString());
		blocking.start();
		Await.until("bundled running", () -> {
			CronJobDTO job = runtime.getJob("bundled");
			return job != null && job.running && job.lastRun != null && job.lastRun.outcome == Outcome.RUNNING;
		});
		blocking.stop(); // returns at once: the run is interrupted by the timer once its grace of 2 s ends
		assertNull(runtime.getJob("bundled"));
		Await.until("the run interrupted after its grace",
				() -> history(runtime, "bundled").get(0).outcome == Outcome.INTERRUPTED);
		blocking.uninstall();

		Bundle quick = context.installBundle(
				PluginBundles.write(dir, "it.plugin.quick", "updated", EVERY_SECOND, 0).toUri().toString());
		quick.start();
		Await.until("a committed run", () -> {
			CronJobDTO job = runtime.getJob("updated");
			return job != null && job.lastEnd != null;
		});
		long serviceId = runtime.getJob("updated").serviceId;
		long lastEnd = runtime.getJob("updated").lastEnd;
		quick.update();
		Await.until("the updated bundle's plugin", () -> {
			CronJobDTO job = runtime.getJob("updated");
			return job != null && job.serviceId != serviceId && job.state == JobState.SCHEDULED;
		});
		CronJobDTO job = runtime.getJob("updated");
		assertNotEquals(serviceId, job.serviceId);
		assertTrue("the window state is kept across the update", job.lastEnd >= lastEnd);
		quick.uninstall();
		assertNull("unscheduled as soon as the bundle is uninstalled", runtime.getJob("updated"));
	}

	private Bundle schedulerBundle() {
		return Arrays.stream(context.getBundles()).filter(b -> "io.crontainer.scheduler".equals(b.getSymbolicName()))
				.findFirst().get();
	}

	/** The window end of a name in the journal: its newest line (name, version, lastEnd, ...). */
	private static Instant lastEnd(Path journal, String name) throws Exception {
		Instant lastEnd = null;
		for (String line : Files.readAllLines(journal, StandardCharsets.UTF_8)) {
			String[] fields = line.split("\t", -1);
			if (fields.length == 7 && fields[0].equals(name)) {
				lastEnd = fields[2].isEmpty() ? null : Instant.parse(fields[2]);
			}
		}
		return lastEnd;
	}
}
