package io.crontainer.benchmarks.subject;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

import io.crontainer.benchmarks.Settings;
import io.crontainer.benchmarks.Stats;
import io.crontainer.benchmarks.spi.JobSpec;
import io.crontainer.benchmarks.spi.JobSpec.Behaviour;
import io.crontainer.benchmarks.spi.Probe;
import io.crontainer.benchmarks.spi.Recorder;

/**
 * The scenarios, run inside one subject JVM against its {@link Probe}. Each result is put into the
 * {@code results} map under a flat key (for example {@code registration.10000.ms}).
 *
 * <p>
 * Not thread-safe: run by the subject JVM's main thread.
 */
final class Scenarios {

	/** Poll interval while waiting for a whole batch: 0.2 ms. */
	private static final long BATCH_POLL_NS = TimeUnit.MICROSECONDS.toNanos(200);
	/** Poll interval while timing one arrival or departure: 0.05 ms. */
	private static final long SINGLE_POLL_NS = TimeUnit.MICROSECONDS.toNanos(50);

	private final SubjectFramework framework;
	private final Settings settings;
	private final Map<String, String> results;
	private final long timeoutMs;
	private final int farMonth;
	private Probe probe;

	Scenarios(SubjectFramework framework, Probe probe, Settings settings, Map<String, String> results) {
		this.framework = framework;
		this.probe = probe;
		this.settings = settings;
		this.results = results;
		this.timeoutMs = TimeUnit.SECONDS.toMillis(settings.longValue("timeout.seconds"));
		// The held jobs fire on day 1 of a month about half a year away: never during a run.
		this.farMonth = (LocalDate.now(ZoneOffset.UTC).getMonthValue() + 5) % 12 + 1;
		results.put("observation", probe.observation());
	}

	/** Registration, arrival and departure, idle CPU and retained heap, in one JVM. */
	void scale() throws Exception {
		List<Integer> sizes = settings.integers("sizes");
		int held = Collections.max(sizes);

		// Warm-up: the same paths, twice, so that the JIT has compiled them.
		for (int i = 0; i < 2; i++) {
			List<JobSpec> warm = heldJobs("warmup" + i + "-", settings.integer("warmup.size"), 0);
			registerAndAwait(warm);
			unregisterAndAwait(warm);
		}

		// Heap held by the scheduler with no job: active minus stopped.
		long activeEmpty = settledHeap();
		framework.setActive(probe.schedulerBundle(), false);
		long stoppedEmpty = settledHeap();
		framework.setActive(probe.schedulerBundle(), true);
		probe = framework.probe(timeoutMs);

		List<JobSpec> heldJobs = null;
		for (int n : sizes) {
			settledHeap();
			List<JobSpec> jobs = heldJobs("n" + n + "-", n, 0);
			long ns = registerAndAwait(jobs);
			put("registration." + n + ".ms", ns / 1e6);
			if (n == held && heldJobs == null) {
				heldJobs = jobs;
			} else {
				unregisterAndAwait(jobs);
			}
		}

		// What one "is it scheduled?" check costs, with N held: part of every registration time above.
		long t0 = System.nanoTime();
		for (JobSpec job : heldJobs) {
			if (!probe.isScheduled(job.name())) {
				throw new IllegalStateException(job.name() + " is no longer scheduled");
			}
		}
		put("observation.us", (System.nanoTime() - t0) / 1e3 / heldJobs.size());

		arrivalAndDeparture(held);
		idle();

		// Heap held by the scheduler with N jobs: active minus stopped, the job services registered in
		// both; the fixed part (measured with no job) taken off.
		long activeHeld = settledHeap();
		framework.setActive(probe.schedulerBundle(), false);
		long stoppedHeld = settledHeap();
		put("memory.fixed.bytes", activeEmpty - stoppedEmpty);
		put("memory.held.bytes", activeHeld - stoppedHeld);
		put("memory.bytes.per.job", ((activeHeld - stoppedHeld) - (activeEmpty - stoppedEmpty)) / (double) held);
	}

	private void arrivalAndDeparture(int held) {
		int warmup = settings.integer("arrival.warmup");
		int samples = settings.integer("arrival.samples");
		double[] arrivals = new double[samples];
		double[] departures = new double[samples];
		for (int k = 0; k < warmup + samples; k++) {
			JobSpec job = new JobSpec("arrival-" + k, heldExpression(held + k), 0, Behaviour.NOOP);
			long t0 = System.nanoTime();
			probe.register(List.of(job));
			awaitOne(job.name(), probe::isScheduled);
			long arrival = System.nanoTime() - t0;
			t0 = System.nanoTime();
			probe.unregister(job.name());
			awaitOne(job.name(), probe::isUnscheduled);
			long departure = System.nanoTime() - t0;
			if (k >= warmup) {
				arrivals[k - warmup] = arrival / 1e6;
				departures[k - warmup] = departure / 1e6;
			}
		}
		put("arrival.p50.ms", Stats.percentile(arrivals, 50));
		put("arrival.p99.ms", Stats.percentile(arrivals, 99));
		put("departure.p50.ms", Stats.percentile(departures, 50));
		put("departure.p99.ms", Stats.percentile(departures, 99));
	}

	private void idle() throws InterruptedException {
		long windowMs = TimeUnit.SECONDS.toMillis(settings.longValue("idle.seconds"));
		com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
		ThreadMXBean threads = ManagementFactory.getThreadMXBean();
		settledHeap();
		Thread.sleep(Math.min(2000, windowMs)); // let compilation and GC settle
		Map<Long, Long> before = threadCpu(threads);
		long cpu0 = os.getProcessCpuTime();
		long wall0 = System.nanoTime();
		Thread.sleep(windowMs);
		long cpu1 = os.getProcessCpuTime();
		long wall = System.nanoTime() - wall0;
		Map<Long, Long> after = threadCpu(threads);
		double perMinute = (cpu1 - cpu0) / 1e6 * (60e9 / wall);
		put("idle.window.s", wall / 1e9);
		put("idle.cpu.ms.per.min", perMinute);
		// The Java threads that used the CPU in the window (JIT and GC threads are not Java threads).
		// Process CPU time is counted in clock ticks (10 ms on Linux); thread CPU time in ns.
		List<String> top = new ArrayList<>();
		long javaThreads = 0;
		List<Map.Entry<Long, Long>> used = new ArrayList<>();
		after.remove(Thread.currentThread().getId()); // the measuring thread itself
		for (Map.Entry<Long, Long> e : after.entrySet()) {
			long delta = e.getValue() - before.getOrDefault(e.getKey(), 0L);
			if (delta > 0) {
				used.add(Map.entry(e.getKey(), delta));
				javaThreads += delta;
			}
		}
		used.sort((a, b) -> Long.compare(b.getValue(), a.getValue()));
		long scheduler = 0;
		for (Map.Entry<Long, Long> e : used) {
			ThreadInfo info = threads.getThreadInfo(e.getKey());
			if (info != null && info.getThreadName().matches(probe.schedulerThreads())) {
				scheduler += e.getValue();
			}
		}
		put("idle.scheduler.cpu.ms.per.min", scheduler / 1e6 * (60e9 / wall));
		for (Map.Entry<Long, Long> e : used.subList(0, Math.min(3, used.size()))) {
			ThreadInfo info = threads.getThreadInfo(e.getKey());
			// FileInstall names its thread after the watched directory: keep the last segment.
			String name = info == null ? "thread " + e.getKey() : info.getThreadName().replaceAll("/.*/", "/");
			top.add(String.format(Locale.ROOT, "%s %.1f ms", name, e.getValue() / 1e6 * (60e9 / wall)));
		}
		put("idle.java.cpu.ms.per.min", javaThreads / 1e6 * (60e9 / wall));
		results.put("idle.top.threads", String.join("; ", top));
	}

	private static Map<Long, Long> threadCpu(ThreadMXBean threads) {
		Map<Long, Long> cpu = new HashMap<>();
		for (long id : threads.getAllThreadIds()) {
			long t = threads.getThreadCpuTime(id);
			if (t >= 0) {
				cpu.put(id, t);
			}
		}
		return cpu;
	}

	/** Lateness of M jobs due in the same second, then the hung-job scenario, in one JVM. */
	void timing() throws Exception {
		List<JobSpec> warm = heldJobs("warmup-", settings.integer("warmup.size"), 0);
		registerAndAwait(warm);
		unregisterAndAwait(warm);
		List<Integer> sizes = settings.integers("lateness.sizes");
		if (settings.bool("lateness.warmup")) {
			latenessRound(sizes.get(0), "latewarm-");
		}
		for (int m : sizes) {
			double[] lateness = latenessRound(m, "late" + m + "-");
			put("lateness." + m + ".p50.ms", Stats.percentile(lateness, 50));
			put("lateness." + m + ".p99.ms", Stats.percentile(lateness, 99));
			put("lateness." + m + ".max.ms", Stats.percentile(lateness, 100));
		}
		hung();
	}

	/** @return The lateness of each job, in ms; a job that never started counts as the wait's length. */
	private double[] latenessRound(int m, String prefix) throws InterruptedException {
		long margin = settings.longValue("lateness.margin.ms");
		for (int attempt = 0; attempt < 3; attempt++, margin *= 2) {
			Recorder.reset(m);
			long target = (System.currentTimeMillis() + margin) / 1000 + 1;
			String expression = dailyAt(target);
			List<JobSpec> jobs = new ArrayList<>(m);
			for (int i = 0; i < m; i++) {
				jobs.add(new JobSpec(prefix + attempt + "-" + i, expression, i, Behaviour.RECORD));
			}
			registerAndAwait(jobs);
			if (System.currentTimeMillis() > target * 1000 - 200) {
				// Not all scheduled well before the fire time: retry with a longer margin.
				unregisterAndAwait(jobs);
				continue;
			}
			long due = target * 1000;
			long deadline = due + timeoutMs;
			while (System.currentTimeMillis() < deadline && fired(m) < m) {
				Thread.sleep(20);
			}
			double[] lateness = new double[m];
			int fired = 0;
			for (int i = 0; i < m; i++) {
				long start = Recorder.firstStart(i);
				lateness[i] = start == 0 ? deadline - due : start - due;
				fired += start == 0 ? 0 : 1;
			}
			unregisterAndAwait(jobs);
			if (!prefix.startsWith("latewarm")) {
				put("lateness." + m + ".fired", fired);
			}
			return lateness;
		}
		throw new IllegalStateException("Could not schedule " + m + " jobs ahead of their fire time in 3 attempts");
	}

	private static int fired(int m) {
		int n = 0;
		for (int i = 0; i < m; i++) {
			n += Recorder.firstStart(i) == 0 ? 0 : 1;
		}
		return n;
	}

	/**
	 * A number of jobs that never return, and healthy jobs, all due every second. Counts how many of
	 * the healthy jobs' due seconds in the window saw them start within that second.
	 */
	private void hung() throws InterruptedException {
		int hungCount = settings.integer("hung.count");
		int healthy = settings.integer("hung.healthy");
		int window = settings.integer("hung.seconds");
		Recorder.reset(healthy);
		List<JobSpec> jobs = new ArrayList<>();
		for (int i = 0; i < hungCount; i++) {
			jobs.add(new JobSpec("hung-" + i, "* * * * * ?", i, Behaviour.HANG));
		}
		for (int i = 0; i < healthy; i++) {
			jobs.add(new JobSpec("healthy-" + i, "* * * * * ?", i, Behaviour.RECORD));
		}
		registerAndAwait(jobs);
		// Observe from two seconds on, when the hung jobs have fired and hold their threads.
		long first = System.currentTimeMillis() / 1000 + 2;
		long end = first + window;
		long sleep = end * 1000 + 500 - System.currentTimeMillis();
		Thread.sleep(Math.max(0, sleep));
		List<long[]> starts = Recorder.starts();
		Recorder.releaseHung();
		unregisterAndAwait(jobs);

		boolean[][] onTime = new boolean[healthy][window];
		List<List<Long>> perJob = new ArrayList<>();
		for (int i = 0; i < healthy; i++) {
			perJob.add(new ArrayList<>());
		}
		for (long[] s : starts) {
			long second = s[1] / 1000;
			if (second >= first && second < end) {
				onTime[(int) s[0]][(int) (second - first)] = true;
				perJob.get((int) s[0]).add(s[1]);
			}
		}
		int ok = 0;
		for (boolean[] job : onTime) {
			for (boolean b : job) {
				ok += b ? 1 : 0;
			}
		}
		long maxGap = 0;
		for (List<Long> times : perJob) {
			Collections.sort(times);
			long previous = first * 1000;
			for (long t : times) {
				maxGap = Math.max(maxGap, t - previous);
				previous = t;
			}
			maxGap = Math.max(maxGap, end * 1000 - previous);
		}
		put("hung.ontime.pct", 100.0 * ok / (healthy * window));
		put("hung.maxgap.ms", maxGap);
	}

	// --- helpers

	/** Registers the jobs and waits until every one is scheduled; returns the nanoseconds taken. */
	private long registerAndAwait(List<JobSpec> jobs) {
		long t0 = System.nanoTime();
		probe.register(jobs);
		awaitAll(jobs, probe::isScheduled, t0, "scheduled");
		return System.nanoTime() - t0;
	}

	private long unregisterAndAwait(List<JobSpec> jobs) {
		long t0 = System.nanoTime();
		for (JobSpec job : jobs) {
			probe.unregister(job.name());
		}
		awaitAll(jobs, probe::isUnscheduled, t0, "unscheduled");
		return System.nanoTime() - t0;
	}

	/**
	 * Waits until the condition has held for every job, checking them in registration order: each
	 * job is checked until it passes, then never again, so the wait ends when the last job passes.
	 */
	private void awaitAll(List<JobSpec> jobs, Predicate<String> condition, long t0, String what) {
		long deadline = t0 + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
		int i = 0;
		while (i < jobs.size()) {
			if (condition.test(jobs.get(i).name())) {
				i++;
			} else if (System.nanoTime() > deadline) {
				throw new IllegalStateException(i + " of " + jobs.size() + " jobs " + what + " after " + timeoutMs + " ms; first missing: " + jobs.get(i));
			} else {
				LockSupport.parkNanos(BATCH_POLL_NS);
			}
		}
	}

	private void awaitOne(String name, Predicate<String> condition) {
		long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
		while (!condition.test(name)) {
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException(name + " not observed in " + timeoutMs + " ms");
			}
			LockSupport.parkNanos(SINGLE_POLL_NS);
		}
	}

	/** N jobs that fire on day 1 of a month half a year away, spread over that day by the second. */
	private List<JobSpec> heldJobs(String prefix, int n, int from) {
		List<JobSpec> jobs = new ArrayList<>(n);
		for (int i = 0; i < n; i++) {
			jobs.add(new JobSpec(prefix + i, heldExpression(from + i), 0, Behaviour.NOOP));
		}
		return jobs;
	}

	private String heldExpression(int i) {
		return (i % 60) + " " + (i / 60 % 60) + " " + (i / 3600 % 24) + " 1 " + farMonth + " ?";
	}

	/** A 6-field expression due daily at the given UTC second (the subject JVM's zone is UTC). */
	private static String dailyAt(long epochSecond) {
		ZonedDateTime t = Instant.ofEpochSecond(epochSecond).atZone(ZoneOffset.UTC);
		return t.getSecond() + " " + t.getMinute() + " " + t.getHour() + " * * ?";
	}

	/**
	 * Heap in use right after a full collection, repeated until it is stable (within 64 KB). Read from
	 * each heap pool's usage at the end of its last collection, so that what threads allocate after
	 * the collection does not count.
	 */
	static long settledHeap() throws InterruptedException {
		long previous = -1;
		for (int i = 0; i < 12; i++) {
			System.gc();
			long used = 0;
			for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
				MemoryUsage afterGc = pool.getType() == MemoryType.HEAP ? pool.getCollectionUsage() : null;
				if (afterGc != null) {
					used += afterGc.getUsed();
				}
			}
			if (i >= 2 && Math.abs(used - previous) < 64 * 1024) {
				return used;
			}
			previous = used;
			Thread.sleep(50);
		}
		return previous;
	}

	private void put(String key, double value) {
		results.put(key, String.format(Locale.ROOT, "%.4f", value));
	}
}
