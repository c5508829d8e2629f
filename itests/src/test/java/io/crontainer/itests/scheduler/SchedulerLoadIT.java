package io.crontainer.itests.scheduler;

import static io.crontainer.itests.scheduler.SchedulerSupport.register;
import static io.crontainer.itests.scheduler.SchedulerSupport.runtime;
import static org.junit.Assert.assertEquals;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

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

/**
 * Measures, and does not assert timings: the latency from a plugin service's registration to its
 * {@code SCHEDULED} state, and 1,000 plugin services registered at once (time until all are
 * scheduled, heap retained per job). Prints the numbers and writes them to
 * {@code itests/target/scheduler-load.txt}.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class SchedulerLoadIT {
	private static final String DAILY = "0 0 3 * * ?";
	private static final int SAMPLES = 100;
	private static final int MANY = 1000;

	@Inject
	private BundleContext context;

	@Configuration
	public Option[] config() {
		return SchedulerSupport.options();
	}

	@Test
	public void measureArrivalLatencyAndAThousandPlugins() throws Exception {
		CronRuntime runtime = runtime(context);
		StringBuilder report = new StringBuilder();

		long[] latencies = new long[SAMPLES];
		for (int i = 0; i < SAMPLES; i++) {
			String name = "latency-" + i;
			long start = System.nanoTime();
			ServiceRegistration<CronPlugin> registration = register(context, name, new ItPlugin(DAILY));
			awaitScheduled(runtime, name);
			latencies[i] = System.nanoTime() - start;
			registration.unregister();
		}
		Arrays.sort(latencies);
		report.append(String.format(Locale.ROOT, "arrival -> SCHEDULED over %d registrations: median %.3f ms, "
				+ "p90 %.3f ms, max %.3f ms%n", SAMPLES, latencies[SAMPLES / 2] / 1e6, latencies[SAMPLES * 9 / 10] / 1e6,
				latencies[SAMPLES - 1] / 1e6));

		long before = usedHeap();
		List<ServiceRegistration<CronPlugin>> registrations = new ArrayList<>(MANY);
		long start = System.nanoTime();
		for (int i = 0; i < MANY; i++) {
			registrations.add(register(context, "many-" + i, new ItPlugin(DAILY)));
		}
		long registered = System.nanoTime();
		for (int i = 0; i < MANY; i++) {
			awaitScheduled(runtime, "many-" + i);
		}
		long scheduled = System.nanoTime();
		long withJobs = usedHeap();
		assertEquals(MANY, runtime.getJobs().stream().filter(j -> j.state == JobState.SCHEDULED).count());

		Bundle scheduler = Arrays.stream(context.getBundles())
				.filter(b -> "io.crontainer.scheduler".equals(b.getSymbolicName())).findFirst().get();
		context.ungetService(context.getServiceReference(CronRuntime.class));
		runtime = null; // the test must not keep the stopped scheduler's objects alive
		scheduler.stop(); // the plugin services stay registered; the scheduler's jobs go
		long withoutJobs = usedHeap();
		report.append(String.format(Locale.ROOT, "%d plugin services registered at once: registered in %d ms, "
				+ "all SCHEDULED after %d ms%n", MANY, TimeUnit.NANOSECONDS.toMillis(registered - start),
				TimeUnit.NANOSECONDS.toMillis(scheduled - start)));
		long restart = System.nanoTime();
		scheduler.start();
		CronRuntime restarted = runtime(context);
		for (int i = 0; i < MANY; i++) {
			awaitScheduled(restarted, "many-" + i);
		}
		long rescheduled = System.nanoTime();
		long again = usedHeap();
		report.append(String.format(Locale.ROOT, "scheduler bundle started with %d plugin services present: "
				+ "all SCHEDULED after %d ms%n", MANY, TimeUnit.NANOSECONDS.toMillis(rescheduled - restart)));
		report.append(String.format(Locale.ROOT, "heap retained per job by the scheduler: %d bytes (jobs dropped "
				+ "by a scheduler stop), %d bytes (jobs made by its start); per registered plugin, service "
				+ "registration and plugin object included: %d bytes%n", (withJobs - withoutJobs) / MANY,
				(again - withoutJobs) / MANY, (withJobs - before) / MANY));
		for (ServiceRegistration<CronPlugin> registration : registrations) {
			registration.unregister();
		}

		// Baseline: the same registrations with no scheduler to bind them (framework cost only).
		context.ungetService(context.getServiceReference(CronRuntime.class));
		restarted = null;
		scheduler.stop();
		registrations.clear();
		long baseline = System.nanoTime();
		for (int i = 0; i < MANY; i++) {
			registrations.add(register(context, "bare-" + i, new ItPlugin(DAILY)));
		}
		long bare = System.nanoTime() - baseline;
		for (ServiceRegistration<CronPlugin> registration : registrations) {
			registration.unregister();
		}
		scheduler.start();
		report.append(String.format(Locale.ROOT, "baseline: the same %d registrations with the scheduler stopped: "
				+ "%d ms%n", MANY, TimeUnit.NANOSECONDS.toMillis(bare)));

		System.out.print(report);
		Path target = Path.of(System.getProperty("crontainer.itests.homes", "target/homes")).getParent();
		Files.writeString(target.resolve("scheduler-load.txt"), report, StandardCharsets.UTF_8);
	}

	/** Waits for a state change measured in microseconds: parks 20 µs between looks, for at most 20 s. */
	private static void awaitScheduled(CronRuntime runtime, String name) {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
		while (true) {
			CronJobDTO job = runtime.getJob(name);
			if (job != null && job.state == JobState.SCHEDULED) {
				return;
			}
			if (System.nanoTime() > deadline) {
				throw new AssertionError(name + " not SCHEDULED within 20 s: " + (job == null ? "unknown" : job.state));
			}
			LockSupport.parkNanos(20_000);
		}
	}

	private static long usedHeap() {
		for (int i = 0; i < 3; i++) {
			System.gc();
		}
		return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
	}
}
