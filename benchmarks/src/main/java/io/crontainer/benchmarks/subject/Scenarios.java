package io.crontainer.benchmarks.subject;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
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
import java.util.regex.Pattern;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;

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
	/**
	 * Poll interval while timing one arrival or departure, once {@link #SINGLE_SPIN_NS} has passed: 0.05
	 * ms asked, about 0.12 ms slept here (the kernel's timer slack).
	 */
	private static final long SINGLE_POLL_NS = TimeUnit.MICROSECONDS.toNanos(50);
	/**
	 * How long one arrival or departure is watched without sleeping: 2 ms, checked every
	 * {@link #SINGLE_CHECK_NS}, the watching thread yielding its core in between. A subject that
	 * schedules on another thread than the registering one is seen within microseconds of the moment it
	 * is observable, not at the next wake-up of a sleeping poll (up to 0.12 ms later, more than a whole
	 * synchronous arrival takes), and its thread is not kept from the core by the watcher.
	 */
	private static final long SINGLE_SPIN_NS = TimeUnit.MILLISECONDS.toNanos(2);
	/** How often the condition is checked while watching without sleeping: every 0.01 ms. */
	private static final long SINGLE_CHECK_NS = TimeUnit.MICROSECONDS.toNanos(10);
	/** How long a lateness round waits, once every job fired, for the runs' commits and events to end. */
	private static final long SETTLE_MS = 500;

	/**
	 * A scenario's span in a flight recording ({@code -Dbenchmark.profile=DIR}), so that a profile can
	 * be cut to it ({@code benchmarks/profile/Hot.java --scenario NAME}). Costs nothing when no
	 * recording runs.
	 */
	@Name("io.crontainer.benchmark.Scenario")
	@Label("Benchmark scenario")
	@Category("Crontainer benchmark")
	@Description("A scenario of the benchmark: registration, arrival, idle, lateness burst ...")
	static final class Span extends Event {
		@Label("Scenario")
		String scenario;

		static Span begin(String scenario) {
			Span span = new Span();
			span.scenario = scenario;
			span.begin();
			return span;
		}
	}

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
		com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
		for (int n : sizes) {
			settledHeap();
			List<JobSpec> jobs = heldJobs("n" + n + "-", n, 0);
			Span span = Span.begin("registration-" + n);
			long cpu0 = os.getProcessCpuTime();
			long ns = registerAndAwait(jobs);
			long cpu = os.getProcessCpuTime() - cpu0;
			span.commit();
			put("registration." + n + ".ms", ns / 1e6);
			// Process CPU time (10 ms ticks on Linux): the framework's, the probe's and the scheduler's.
			put("registration." + n + ".cpu.ms", cpu / 1e6);
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

		Span span = Span.begin("arrival-departure");
		arrivalAndDeparture(held);
		span.commit();
		span = Span.begin("idle");
		idle();
		span.commit();

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
		// CPU, less sensitive to what else the machine runs than wall time: the registering thread's
		// inside register() and unregister() (not while it watches), and every other Java thread's
		// (the scheduler's, the framework's, Event Admin's; JIT and GC threads are not Java threads). The
		// sum per thread sees only the threads alive at the end: one that ended in between is missed. The
		// process's CPU less this thread's counts those too (and the JIT's and GC's).
		ThreadMXBean threads = ManagementFactory.getThreadMXBean();
		com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean) ManagementFactory
				.getOperatingSystemMXBean();
		long registering = 0;
		Map<Long, Long> others = null;
		long process0 = 0;
		long self0 = 0;
		for (int k = 0; k < warmup + samples; k++) {
			if (k == warmup) {
				others = threadCpu(threads);
				process0 = os.getProcessCpuTime();
				self0 = threads.getCurrentThreadCpuTime();
			}
			JobSpec job = new JobSpec("arrival-" + k, heldExpression(held + k), 0, Behaviour.NOOP);
			long cpu0 = threads.getCurrentThreadCpuTime();
			long t0 = System.nanoTime();
			probe.register(List.of(job));
			long cpu1 = threads.getCurrentThreadCpuTime();
			awaitOne(job.name(), probe::isScheduled);
			long arrival = System.nanoTime() - t0;
			long cpu2 = threads.getCurrentThreadCpuTime();
			t0 = System.nanoTime();
			probe.unregister(job.name());
			long cpu3 = threads.getCurrentThreadCpuTime();
			awaitOne(job.name(), probe::isUnscheduled);
			long departure = System.nanoTime() - t0;
			if (k >= warmup) {
				arrivals[k - warmup] = arrival / 1e6;
				departures[k - warmup] = departure / 1e6;
				registering += (cpu1 - cpu0) + (cpu3 - cpu2);
			}
		}
		long processOthers = os.getProcessCpuTime() - process0 - (threads.getCurrentThreadCpuTime() - self0);
		long other = 0;
		Map<Long, Long> after = threadCpu(threads);
		after.remove(Thread.currentThread().getId());
		Map<String, Long> byKind = new java.util.TreeMap<>();
		for (Map.Entry<Long, Long> e : after.entrySet()) {
			long used = Math.max(0, e.getValue() - others.getOrDefault(e.getKey(), 0L));
			other += used;
			ThreadInfo info = used == 0 ? null : threads.getThreadInfo(e.getKey());
			if (info != null) {
				// "EventAdminAsyncThread #3", "crontainer-call-2": one kind
				byKind.merge(info.getThreadName().replaceAll("[ #]*\\d+$", "N").replaceAll("/.*/", "/"), used, Long::sum);
			}
		}
		List<Map.Entry<String, Long>> kinds = new ArrayList<>(byKind.entrySet());
		kinds.sort((a, b) -> Long.compare(b.getValue(), a.getValue()));
		List<String> kindText = new ArrayList<>();
		for (Map.Entry<String, Long> e : kinds.subList(0, Math.min(6, kinds.size()))) {
			kindText.add(String.format(Locale.ROOT, "%s %.1f µs", e.getKey(), e.getValue() / 1e3 / samples));
		}
		results.put("arrival.cpu.others", String.join("; ", kindText));
		put("arrival.cpu.us", (registering + other) / 1e3 / samples);
		put("arrival.cpu.registering.us", registering / 1e3 / samples);
		put("arrival.cpu.others.us", other / 1e3 / samples);
		if (process0 >= 0) { // -1 where the platform does not tell
			put("arrival.cpu.process.others.us", processOthers / 1e3 / samples);
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
		Map<String, Task> tasksBefore = tasks();
		long cpu0 = os.getProcessCpuTime();
		long wall0 = System.nanoTime();
		Thread.sleep(windowMs);
		long cpu1 = os.getProcessCpuTime();
		long wall = System.nanoTime() - wall0;
		Map<Long, Long> after = threadCpu(threads);
		Map<String, Task> tasksAfter = tasks();
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
		List<String> schedulerTop = new ArrayList<>();
		for (Map.Entry<Long, Long> e : used) {
			ThreadInfo info = threads.getThreadInfo(e.getKey());
			if (info != null && info.getThreadName().matches(probe.schedulerThreads())) {
				scheduler += e.getValue();
				if (schedulerTop.size() < 5) {
					schedulerTop.add(String.format(Locale.ROOT, "%s %.2f ms", info.getThreadName(), e.getValue() / 1e6 * (60e9 / wall)));
				}
			}
		}
		put("idle.scheduler.cpu.ms.per.min", scheduler / 1e6 * (60e9 / wall));
		results.put("idle.scheduler.threads", schedulerTop.isEmpty() ? "none used the CPU" : String.join("; ", schedulerTop));
		wakeUps(tasksBefore, tasksAfter, wall);
		for (Map.Entry<Long, Long> e : used.subList(0, Math.min(3, used.size()))) {
			ThreadInfo info = threads.getThreadInfo(e.getKey());
			// FileInstall names its thread after the watched directory: keep the last segment.
			String name = info == null ? "thread " + e.getKey() : info.getThreadName().replaceAll("/.*/", "/");
			top.add(String.format(Locale.ROOT, "%s %.1f ms", name, e.getValue() / 1e6 * (60e9 / wall)));
		}
		put("idle.java.cpu.ms.per.min", javaThreads / 1e6 * (60e9 / wall));
		results.put("idle.top.threads", String.join("; ", top));
	}

	/** A kernel task (thread) of this JVM: its name (15 characters at most) and context switches. */
	private record Task(String name, long switches) {
	}

	/**
	 * The threads of this JVM as the kernel sees them ({@code /proc/self/task}), by thread id: how
	 * often each gave up the CPU (voluntary and involuntary context switches). A thread that sleeps
	 * until something wakes it switches once per wake-up. Empty where there is no {@code /proc}.
	 */
	private static Map<String, Task> tasks() {
		Map<String, Task> tasks = new HashMap<>();
		Path dir = Path.of("/proc/self/task");
		if (!Files.isDirectory(dir)) {
			return tasks;
		}
		try (DirectoryStream<Path> ids = Files.newDirectoryStream(dir)) {
			for (Path id : ids) {
				try {
					String name = "?";
					long switches = 0;
					for (String line : Files.readAllLines(id.resolve("status"))) {
						if (line.startsWith("Name:")) {
							name = line.substring(5).trim();
						} else if (line.startsWith("voluntary_ctxt_switches:") || line.startsWith("nonvoluntary_ctxt_switches:")) {
							switches += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
						}
					}
					tasks.put(id.getFileName().toString(), new Task(name, switches));
				} catch (IOException | RuntimeException e) {
					// the thread ended meanwhile
				}
			}
		} catch (IOException e) {
			return tasks;
		}
		return tasks;
	}

	/**
	 * Wake-ups of the scheduler's own threads over the idle window, per minute: the context switches
	 * of the threads whose kernel name (the Java name cut to 15 characters) matches the probe's
	 * pattern. A thread that ended in the window is not counted; one that started counts from 0.
	 */
	private void wakeUps(Map<String, Task> before, Map<String, Task> after, long wallNanos) {
		if (after.isEmpty()) {
			return;
		}
		Pattern scheduler = Pattern.compile(probe.schedulerThreads());
		long total = 0;
		Map<String, Long> byName = new HashMap<>();
		for (Map.Entry<String, Task> e : after.entrySet()) {
			Task task = e.getValue();
			if (!scheduler.matcher(task.name()).matches()) {
				continue;
			}
			Task earlier = before.get(e.getKey());
			long delta = task.switches() - (earlier == null ? 0 : earlier.switches());
			if (delta > 0) {
				total += delta;
				byName.merge(task.name(), delta, Long::sum);
			}
		}
		double perMinute = 60e9 / wallNanos;
		put("idle.scheduler.wakeups.per.min", total * perMinute);
		List<Map.Entry<String, Long>> top = new ArrayList<>(byName.entrySet());
		top.sort((a, b) -> Long.compare(b.getValue(), a.getValue()));
		List<String> text = new ArrayList<>();
		for (Map.Entry<String, Long> e : top.subList(0, Math.min(5, top.size()))) {
			text.add(String.format(Locale.ROOT, "%s %.1f", e.getKey(), e.getValue() * perMinute));
		}
		results.put("idle.scheduler.wakeups", text.isEmpty() ? "none" : String.join("; ", text));
	}

	/**
	 * The CPU time of the scheduler's own threads alive now, ns, by kind: the thread's name without a
	 * plugin's name in brackets and with a trailing number as {@code N} ({@code crontainer-run-N}).
	 */
	private Map<String, Long> schedulerCpuByKind(ThreadMXBean threads) {
		Map<String, Long> byKind = new java.util.TreeMap<>();
		Pattern scheduler = Pattern.compile(probe.schedulerThreads());
		for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
			if (info != null && scheduler.matcher(info.getThreadName()).matches()) {
				long t = threads.getThreadCpuTime(info.getThreadId());
				byKind.merge(kind(info.getThreadName()), Math.max(0, t), Long::sum);
			}
		}
		return byKind;
	}

	/** A thread's kind: its name without a plugin's name in brackets, a trailing number as {@code N}. */
	private static String kind(String threadName) {
		return threadName.replaceAll(" \\[.*\\]$", "").replaceAll("\\d+$", "N");
	}

	/**
	 * The CPU time, ns, that each of the JVM's JIT compiler threads alive now ({@code C1 CompilerThread0}
	 * and the like, which the platform MXBeans do not list) has used so far, by the kernel's thread id,
	 * from {@code /proc/self/task/N/schedstat} (its first field: time on a CPU, ns, as the kernel last
	 * accounted it: at a scheduler tick or a switch, so a thread on a CPU now may have used up to a tick
	 * more); {@code null} where there is no {@code /proc} or it lists no compiler thread (a JVM without
	 * a JIT). Any thread.
	 */
	static Map<String, Long> jitCpuNanos() {
		Map<String, Long> byThread = new HashMap<>();
		try (java.nio.file.DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
			for (Path task : tasks) {
				try {
					String name = Files.readString(task.resolve("comm"));
					if (name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler")) {
						byThread.put(task.getFileName().toString(),
								Long.parseLong(Files.readString(task.resolve("schedstat")).trim().split(" ")[0]));
					}
				} catch (java.io.IOException | RuntimeException e) {
					// the thread ended meanwhile
				}
			}
		} catch (java.io.IOException | RuntimeException e) {
			return null;
		}
		return byThread.isEmpty() ? null : byThread;
	}

	/**
	 * The CPU ms the JIT's compiler threads used between two {@link #jitCpuNanos} readings; {@code NaN}
	 * if either is missing. The JVM adds and ends compiler threads as its queue of methods grows and
	 * shrinks: a thread that ended in between is not counted (its time is gone from {@code /proc}); and
	 * each reading is as of the kernel's last accounting, so each end may be off by up to a scheduler
	 * tick (4 ms at 250 Hz) for a compiler thread that was on a CPU then.
	 */
	static double jitCpuMs(Map<String, Long> before, Map<String, Long> after) {
		if (before == null || after == null) {
			return Double.NaN;
		}
		long ns = 0;
		for (Map.Entry<String, Long> e : after.entrySet()) {
			ns += e.getValue() - before.getOrDefault(e.getKey(), 0L);
		}
		return ns / 1e6;
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
		// Unmeasured rounds at each size (true: one; false: none), for every subject alike: the first
		// bursts of a size run code the JIT has not compiled for that load yet (a scheduler that lives
		// for days has).
		String warmup = settings.get("lateness.warmup");
		int warmups = warmup.equals("true") ? 1 : warmup.equals("false") ? 0 : Integer.parseInt(warmup);
		for (int w = 0; w < warmups; w++) {
			for (int m : sizes) {
				latenessRound(m, "latewarm-");
			}
		}
		int rounds = settings.integer("lateness.rounds");
		for (int m : sizes) {
			// Each statistic is the median of the rounds' (one round: its own); the rounds' values are kept.
			Map<String, List<Double>> perRound = new java.util.LinkedHashMap<>();
			for (int r = 0; r < rounds; r++) {
				Round round = latenessRound(m, "late" + m + "-" + r + "-");
				perRound.computeIfAbsent("p50", k -> new ArrayList<>()).add(Stats.percentile(round.lateness, 50));
				perRound.computeIfAbsent("p99", k -> new ArrayList<>()).add(Stats.percentile(round.lateness, 99));
				perRound.computeIfAbsent("max", k -> new ArrayList<>()).add(Stats.percentile(round.lateness, 100));
				perRound.computeIfAbsent("min", k -> new ArrayList<>()).add(java.util.Arrays.stream(round.lateness).min().orElse(0));
				perRound.computeIfAbsent("fired", k -> new ArrayList<>()).add((double) round.fired);
				perRound.computeIfAbsent("cpu", k -> new ArrayList<>()).add(round.schedulerCpuMs);
				if (!Double.isNaN(round.toLastStartMs)) {
					perRound.computeIfAbsent("cpu.tolast", k -> new ArrayList<>()).add(round.toLastStartMs);
				}
				perRound.computeIfAbsent("process.cpu", k -> new ArrayList<>()).add(round.processCpuMs);
				if (!Double.isNaN(round.jitToLastStartMs)) {
					perRound.computeIfAbsent("jit.tolast", k -> new ArrayList<>()).add(round.jitToLastStartMs);
				}
			}
			perRound.forEach((stat, values) -> {
				String key = "lateness." + m + "." + stat + (stat.equals("fired") ? "" : ".ms");
				put(key, stat.equals("fired") ? Collections.min(values) : Stats.median(values));
				if (rounds > 1) {
					List<String> text = new ArrayList<>();
					values.forEach(v -> text.add(String.format(Locale.ROOT, "%.2f", v)));
					results.put(key + ".rounds", String.join(" ", text));
				}
			});
		}
		Span span = Span.begin("hung");
		hung();
		span.commit();
	}

	/**
	 * One lateness round: the lateness of each job in ms (a job that never started counts as the
	 * wait's length), how many started, and the CPU time used from the moment all were scheduled until
	 * all had started and {@link #SETTLE_MS} more (their commits and events): by the scheduler's own
	 * threads (ns resolution) and by the process (10 ms ticks); and by the scheduler's own threads until
	 * the last job started (read on that job's thread, right after its start was recorded): the CPU
	 * that competed with the runs' start ({@code NaN} if not all started); and the CPU of the JVM's JIT
	 * compiler threads from 50 ms before the fire time until the last job started, which competes
	 * with the runs' start on the same cores ({@code NaN} if not all started, or where there is no
	 * {@code /proc}).
	 */
	private record Round(double[] lateness, int fired, double schedulerCpuMs, double toLastStartMs, double processCpuMs,
			double jitToLastStartMs) {
	}

	private Round latenessRound(int m, String prefix) throws InterruptedException {
		long margin = settings.longValue("lateness.margin.ms");
		ThreadMXBean threads = ManagementFactory.getThreadMXBean();
		com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
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
			Map<String, Long> schedulerCpu0 = schedulerCpuByKind(threads);
			java.util.concurrent.atomic.AtomicReference<Map<String, Long>> atLastStart = new java.util.concurrent.atomic.AtomicReference<>();
			java.util.concurrent.atomic.AtomicReference<Map<String, Long>> jitAtLastStart = new java.util.concurrent.atomic.AtomicReference<>();
			// The harness's own readings on the last job's thread, a scheduler thread: not the scheduler's CPU.
			java.util.concurrent.atomic.AtomicLong readingNs = new java.util.concurrent.atomic.AtomicLong();
			java.util.concurrent.atomic.AtomicReference<String> readingKind = new java.util.concurrent.atomic.AtomicReference<>();
			Recorder.onAllStarted(() -> {
				long before = threads.getCurrentThreadCpuTime();
				atLastStart.set(schedulerCpuByKind(threads));
				jitAtLastStart.set(jitCpuNanos());
				readingKind.set(kind(Thread.currentThread().getName()));
				readingNs.set(threads.getCurrentThreadCpuTime() - before);
			});
			Map<String, Long> jit0 = null;
			long processCpu0 = os.getProcessCpuTime();
			long due = target * 1000;
			long deadline = due + timeoutMs;
			Span span = null;
			while (System.currentTimeMillis() < deadline && fired(m) < m) {
				if (span == null && System.currentTimeMillis() >= due - 50) {
					span = Span.begin(prefix.startsWith("latewarm") ? "lateness-warmup" : "lateness-" + m);
					// From 50 ms before the fire time: the compiler's share of the burst. This thread may come
					// late on a loaded machine (the smoke run's subjects run side by side): then none is given.
					jit0 = fired(m) == 0 ? jitCpuNanos() : null;
				}
				Thread.sleep(span == null ? Math.max(1, Math.min(20, due - 50 - System.currentTimeMillis())) : 20);
			}
			Thread.sleep(SETTLE_MS);
			if (span != null) {
				span.commit();
			}
			Map<String, Long> schedulerCpu1 = schedulerCpuByKind(threads);
			if (readingKind.get() != null && schedulerCpu1.containsKey(readingKind.get())) {
				schedulerCpu1.merge(readingKind.get(), -readingNs.get(), Long::sum);
			}
			long schedulerCpuNs = 0;
			List<String> byKind = new ArrayList<>();
			for (Map.Entry<String, Long> e : schedulerCpu1.entrySet()) {
				long used = e.getValue() - schedulerCpu0.getOrDefault(e.getKey(), 0L);
				schedulerCpuNs += used;
				if (used > 0) {
					byKind.add(String.format(Locale.ROOT, "%s %.2f", e.getKey(), used / 1e6));
				}
			}
			double schedulerCpuMs = schedulerCpuNs / 1e6;
			// The same, until the last job started: the CPU that competed with the runs' start.
			Map<String, Long> atLast = atLastStart.get();
			double toLastStartMs = Double.NaN;
			List<String> toLastByKind = new ArrayList<>();
			if (atLast != null) {
				long ns = 0;
				for (Map.Entry<String, Long> e : atLast.entrySet()) {
					long used = e.getValue() - schedulerCpu0.getOrDefault(e.getKey(), 0L);
					ns += used;
					if (used > 0) {
						toLastByKind.add(String.format(Locale.ROOT, "%s %.2f", e.getKey(), used / 1e6));
					}
				}
				toLastStartMs = ns / 1e6;
			}
			if (!prefix.startsWith("latewarm")) {
				results.merge("lateness." + m + ".cpu.threads", String.join("; ", byKind), (a, b) -> a + " | " + b);
				results.merge("lateness." + m + ".cpu.tolast.threads", String.join("; ", toLastByKind),
						(a, b) -> a + " | " + b);
			}
			double processCpuMs = (os.getProcessCpuTime() - processCpu0) / 1e6;
			double jitToLastStartMs = jitCpuMs(jit0, jitAtLastStart.get());
			double[] lateness = new double[m];
			int fired = 0;
			long dueMicros = due * 1000;
			for (int i = 0; i < m; i++) {
				long start = Recorder.firstStart(i);
				lateness[i] = start == 0 ? deadline - due : (start - dueMicros) / 1000.0;
				fired += start == 0 ? 0 : 1;
			}
			unregisterAndAwait(jobs);
			return new Round(lateness, fired, schedulerCpuMs, toLastStartMs, processCpuMs, jitToLastStartMs);
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
		long start = System.nanoTime();
		long deadline = start + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
		// Watched without sleeping for SINGLE_SPIN_NS (the same for every subject), then polled.
		long check = start;
		while (check - start < SINGLE_SPIN_NS) {
			if (condition.test(name)) {
				return;
			}
			long next = check + SINGLE_CHECK_NS;
			while ((check = System.nanoTime()) < next) {
				// Yields the core rather than spinning on it: on 2 cores a spinning watcher kept a
				// subject's own thread, woken on this core, waiting (Crontainer's arrival p99 1.9-2.5 ms
				// spinning, 0.25-0.8 ms yielding, at load 0.2-1.5; Sling's the same either way).
				Thread.yield();
			}
		}
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
