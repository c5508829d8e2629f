package io.crontainer.itests.scheduler;

import static io.crontainer.itests.scheduler.SchedulerSupport.PID;
import static io.crontainer.itests.scheduler.SchedulerSupport.awaitState;
import static io.crontainer.itests.scheduler.SchedulerSupport.describe;
import static io.crontainer.itests.scheduler.SchedulerSupport.register;
import static io.crontainer.itests.scheduler.SchedulerSupport.runtime;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.cm.ConfigurationAdminOptions.newConfiguration;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

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
import io.crontainer.api.CronPluginBase;
import io.crontainer.api.runtime.CronJobDTO;
import io.crontainer.api.runtime.CronRuntime;
import io.crontainer.api.runtime.JobState;
import io.crontainer.api.runtime.Outcome;
import io.crontainer.itests.support.Await;
import io.crontainer.itests.support.CrontainerOptions;
import io.crontainer.itests.support.Gogo;

/**
 * Ten plugins whose {@code run()} never returns and ignores interrupts (five with a {@code cron.timeout},
 * five without), one whose {@code interval()} and one whose {@code enabled()} never return, beside
 * healthy plugins due every second: no healthy plugin misses a fire time, the shell answers, the hung
 * runs are visible (running with their age, {@code STUCK} once their timeout and grace have passed,
 * their threads named after them), and the scheduler still stops within its grace.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class HungPluginsIT {
	private static final String EVERY_SECOND = "* * * * * ?";
	private static final int HUNG = 10;
	private static final int HEALTHY = 3;
	private static final long GRACE_SECONDS = 2;

	@Inject
	private BundleContext context;

	@Configuration
	public Option[] config() {
		return new Option[] { CrontainerOptions.features("core", "shell"),
				newConfiguration(PID).put("shutdown.grace", GRACE_SECONDS).put("call.timeout", 1L)
						.put("recheck.interval", 3600L).put("timezone", "UTC").asOption() };
	}

	/** A plugin that never returns until released, whatever it is told: it swallows every interrupt. */
	public static final class Deaf extends CronPluginBase {
		final CountDownLatch release;
		final CountDownLatch started = new CountDownLatch(1);
		final boolean inInterval;
		final boolean inEnabled;
		volatile int interrupts;

		Deaf(CountDownLatch release, boolean inInterval, boolean inEnabled) {
			this.release = release;
			this.inInterval = inInterval;
			this.inEnabled = inEnabled;
		}

		@Override
		public boolean enabled() {
			if (inEnabled) {
				hang();
			}
			return true;
		}

		@Override
		public String interval() {
			if (inInterval) {
				hang();
			}
			return EVERY_SECOND;
		}

		@Override
		public void run(Instant start, Instant end) {
			hang();
		}

		private void hang() {
			started.countDown();
			while (true) {
				try {
					release.await();
					return;
				} catch (InterruptedException e) {
					interrupts++; // ignored: the behaviour under test
				}
			}
		}
	}

	/** A healthy plugin: records when each run started, and its window. */
	public static final class Healthy extends CronPluginBase {
		final List<Instant[]> windows = new CopyOnWriteArrayList<>();

		@Override
		public String interval() {
			return EVERY_SECOND;
		}

		@Override
		public void run(Instant start, Instant end) {
			windows.add(new Instant[] { start, end });
		}
	}

	@Test
	public void tenHungPluginsDelayNoOtherAndTheSchedulerStillStops() throws Exception {
		CronRuntime runtime = runtime(context);
		CountDownLatch release = new CountDownLatch(1);
		List<ServiceRegistration<CronPlugin>> registrations = new ArrayList<>();
		List<Deaf> hung = new ArrayList<>();
		List<Healthy> healthy = new ArrayList<>();
		Bundle scheduler = Arrays.stream(context.getBundles())
				.filter(b -> "io.crontainer.scheduler".equals(b.getSymbolicName())).findFirst().get();
		try {
			for (int i = 0; i < HUNG; i++) {
				Deaf deaf = new Deaf(release, false, false);
				hung.add(deaf);
				registrations.add(i < HUNG / 2 ? register(context, "hung-" + i, deaf, CronPlugin.TIMEOUT, 1L)
						: register(context, "hung-" + i, deaf));
			}
			Deaf hungInterval = new Deaf(release, true, false);
			Deaf hungEnabled = new Deaf(release, false, true);
			registrations.add(register(context, "hung-interval", hungInterval));
			registrations.add(register(context, "hung-enabled", hungEnabled));
			for (Deaf deaf : hung) {
				assertTrue("every hung plugin started", deaf.started.await(20, TimeUnit.SECONDS));
			}
			for (int i = 0; i < HEALTHY; i++) {
				Healthy plugin = new Healthy();
				healthy.add(plugin);
				registrations.add(register(context, "healthy-" + i, plugin));
			}

			// Six due seconds with every hung plugin holding its thread: each healthy plugin runs in each.
			Await.until("six runs of every healthy plugin", () -> healthy.stream().allMatch(h -> h.windows.size() >= 7),
					() -> "Jobs: " + describe(runtime.getJobs()));
			for (Healthy plugin : healthy) {
				List<Instant[]> windows = plugin.windows;
				for (int i = 2; i < windows.size(); i++) {
					assertEquals("windows tile", windows.get(i - 1)[1], windows.get(i)[0]);
					long gap = windows.get(i)[1].toEpochMilli() - windows.get(i - 1)[1].toEpochMilli();
					assertTrue("a healthy plugin ran in every due second; gap " + gap + " ms", gap < 1_900);
				}
			}

			// Visible: running with its age, STUCK with TIMED_OUT once its timeout and the grace passed.
			CronJobDTO running = runtime.getJob("hung-" + (HUNG - 1));
			assertTrue(running.running);
			assertTrue(running.runningSince != null && running.runningSince < System.currentTimeMillis());
			CronJobDTO stuck = awaitState(runtime, "hung-0", JobState.STUCK);
			assertEquals(Outcome.TIMED_OUT, stuck.lastRun.outcome);
			assertTrue(stuck.reason, stuck.reason.contains("ignored its interrupt"));
			assertEquals(1, stuck.timeoutCount);
			assertTrue("interrupted", hung.get(0).interrupts > 0);
			assertEquals(JobState.INVALID, runtime.getJob("hung-interval").state);
			assertEquals(JobState.INVALID, runtime.getJob("hung-enabled").state);
			assertTrue("a thread dump names the culprit", Thread.getAllStackTraces().keySet().stream()
					.anyMatch(t -> t.getName().startsWith("crontainer-run-") && t.getName().endsWith(" [hung-3]")));

			// The shell answers at once (bounded here only so that a hang fails the test).
			String list = CompletableFuture.supplyAsync(() -> {
				try {
					return Gogo.execute(context, "cron:list");
				} catch (Exception e) {
					throw new IllegalStateException(e);
				}
			}).get(10, TimeUnit.SECONDS);
			assertTrue(list, list.contains("STUCK"));
			assertTrue(list, list.contains("(running "));

			// Stop: hung runs are interrupted, awaited up to the grace, then abandoned and reported.
			long stopStarted = System.nanoTime();
			scheduler.stop();
			long stopMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopStarted);
			assertTrue("stopped within the grace (plus slack for a loaded machine): " + stopMillis + " ms",
					stopMillis < GRACE_SECONDS * 1000 + 8_000);
		} finally {
			release.countDown();
			for (ServiceRegistration<CronPlugin> registration : registrations) {
				try {
					registration.unregister();
				} catch (IllegalStateException e) {
					// gone already
				}
			}
			if (scheduler.getState() != Bundle.ACTIVE) {
				scheduler.start();
			}
		}
	}
}
