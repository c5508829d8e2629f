package io.crontainer.scheduler.impl.engine;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLongArray;

import io.crontainer.api.CronPlugin;
import io.crontainer.scheduler.impl.whiteboard.Plugin;

/**
 * Not a test: a driver that measures the engine alone (no OSGi) on a burst of M plugins due in the same
 * second, with the production threads (timer, run pool, local store's committer). Run with
 * {@code java -cp ... io.crontainer.scheduler.impl.engine.BurstDriver M ROUNDS}.
 */
public final class BurstDriver {
	static AtomicLongArray starts;
	static final java.util.concurrent.atomic.AtomicInteger started = new java.util.concurrent.atomic.AtomicInteger();
	static volatile Map<String, Long> atLast;
	static volatile Map<String, Long> switchesAtLast;
	static volatile int size;
	static volatile Map<String, Long> jitAtLast;

	public static void main(String[] args) throws Exception {
		int m = Integer.parseInt(args[0]);
		int rounds = Integer.parseInt(args[1]);
		DriverEngine engine = new DriverEngine("burst");
		RunPool runs = engine.runs;
		Scheduler scheduler = engine.scheduler;
		Timer timer = engine.timer;
		ThreadMXBean threads = ManagementFactory.getThreadMXBean();
		long id = 0;
		for (int r = -2; r < rounds; r++) {
			int size = r < 0 ? 100 : m;
			starts = new AtomicLongArray(size);
			BurstDriver.size = size;
			started.set(0);
			atLast = null;
			jitAtLast = null;
			switchesAtLast = null;
			long target = (System.currentTimeMillis() + 1500) / 1000 + 1;
			ZonedDateTime at = Instant.ofEpochSecond(target).atZone(ZoneId.of("UTC"));
			String expr = at.getSecond() + " " + at.getMinute() + " " + at.getHour() + " * * ?"; // daily, as the harness
			long[] ids = new long[size];
			for (int i = 0; i < size; i++) {
				int slot = i;
				Map<String, Object> props = new HashMap<>();
				props.put(CronPlugin.NAME, "r" + r + "-" + i);
				props.put(CronPlugin.INTERVAL, expr);
				ids[i] = ++id;
				scheduler.add(new Plugin(ids[i], 7, "b", props, new CronPlugin() {
					@Override
					public String interval() {
						return expr;
					}

					@Override
					public void run(Instant s, Instant e) {
						Instant now = Instant.now();
						starts.compareAndSet(slot, 0, now.getEpochSecond() * 1_000_000 + now.getNano() / 1000);
						if (started.incrementAndGet() == BurstDriver.size) {
							atLast = cpu(ManagementFactory.getThreadMXBean());
							switchesAtLast = switches();
							jitAtLast = jitCpuNanos(); // last: its own scan widens no other window
						}
					}
				}));
			}
			Thread.sleep(Math.max(0, target * 1000 - 100 - System.currentTimeMillis())); // to 0.1 s before the fire second
			Map<String, Long> cpu0 = cpu(threads);
			Map<String, Long> jit0 = jitCpuNanos();
			Map<String, Long> switches0 = switches();
			Thread.sleep(Math.max(0, target * 1000 + 1000 - System.currentTimeMillis())); // the burst and 1 s more
			Map<String, Long> cpu1 = cpu(threads);
			double[] late = new double[size];
			for (int i = 0; i < size; i++) {
				long s = starts.get(i);
				late[i] = s == 0 ? 9999 : (s - target * 1_000_000) / 1000.0;
			}
			Arrays.sort(late);
			StringBuilder b = new StringBuilder();
			cpu1.forEach((k, v) -> {
				long used = v - cpu0.getOrDefault(k, 0L);
				if (used > 0) {
					b.append(String.format(" %s %.2f", k, used / 1e6));
				}
			});
			StringBuilder c = new StringBuilder();
			long[] total = {0};
			if (atLast != null) {
				atLast.forEach((k, v) -> {
					long used = v - cpu0.getOrDefault(k, 0L);
					total[0] += used;
					if (used > 0) {
						c.append(String.format(" %s %.2f", k.replace("crontainer-", ""), used / 1e6));
					}
				});
			}
			StringBuilder w = new StringBuilder();
			if (switchesAtLast != null) {
				switchesAtLast.forEach((k, v) -> {
					long n = v - switches0.getOrDefault(k, 0L);
					if (n > 0) {
						w.append(' ').append(k).append(' ').append(n);
					}
				});
			}
			System.out.printf("round %d M=%d min %.2f p50 %.2f p99 %.2f max %.2f ms; until the last start %.2f ms cpu:%s; jit %.2f; switches:%s; run threads %d; all cpu:%s%n", r, size, late[0],
					late[size / 2], late[(int) Math.ceil(size * 0.99) - 1], late[size - 1], total[0] / 1e6, c,
					atLast == null ? Double.NaN : jitMs(jit0, jitAtLast), w, runs.threads(), b.toString().replace("crontainer-", ""));
			for (long x : ids) {
				scheduler.remove(x);
			}
		}
		engine.close();
	}

	/**
	 * Context switches (voluntary and not) of the engine's threads, by kernel name (15 characters:
	 * {@code crontainer-run-} covers the run threads and their spawner), from {@code /proc/self/task};
	 * empty where there is none.
	 */
	private static Map<String, Long> switches() {
		Map<String, Long> byName = new TreeMap<>();
		try (java.nio.file.DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
			for (Path task : tasks) {
				try {
					String name = Files.readString(task.resolve("comm")).trim();
					if (!name.startsWith("crontainer-")) {
						continue;
					}
					long n = 0;
					for (String line : Files.readAllLines(task.resolve("status"))) {
						if (line.contains("ctxt_switches:")) {
							n += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
						}
					}
					byName.merge(name.replace("crontainer-", ""), n, Long::sum);
				} catch (java.io.IOException | RuntimeException e) {
					// ended meanwhile
				}
			}
		} catch (java.io.IOException e) {
			return byName;
		}
		return byName;
	}

	/**
	 * CPU ns each of the JIT's compiler threads alive now ({@code C1 CompilerThre}, {@code C2
	 * CompilerThre} to the kernel) has used so far, by thread id, from
	 * {@code /proc/self/task/N/schedstat} (as the kernel last accounted it: each reading may be a
	 * scheduler tick behind for a thread on a CPU); {@code null} where there is none, or no compiler
	 * thread.
	 */
	private static Map<String, Long> jitCpuNanos() {
		Map<String, Long> byThread = new HashMap<>();
		try (java.nio.file.DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
			for (Path task : tasks) {
				try {
					if (Files.readString(task.resolve("comm")).contains("CompilerThre")) {
						byThread.put(task.getFileName().toString(),
								Long.parseLong(Files.readString(task.resolve("schedstat")).trim().split(" ")[0]));
					}
				} catch (java.io.IOException | RuntimeException e) {
					// ended meanwhile
				}
			}
		} catch (java.io.IOException e) {
			return null;
		}
		return byThread.isEmpty() ? null : byThread;
	}

	/** The JIT's CPU ms between two readings; a compiler thread that ended in between is not counted. */
	private static double jitMs(Map<String, Long> before, Map<String, Long> after) {
		if (before == null || after == null) {
			return Double.NaN;
		}
		long ns = 0;
		for (Map.Entry<String, Long> e : after.entrySet()) {
			ns += e.getValue() - before.getOrDefault(e.getKey(), 0L);
		}
		return ns / 1e6;
	}

	private static Map<String, Long> cpu(ThreadMXBean threads) {
		Map<String, Long> byKind = new TreeMap<>();
		for (java.lang.management.ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
			if (info == null || !info.getThreadName().startsWith("crontainer-")) {
				continue;
			}
			String kind = info.getThreadName().replaceAll("-\\d+.*", "-N");
			long t = threads.getThreadCpuTime(info.getThreadId());
			if (t > 0) {
				byKind.merge(kind, t, Long::sum);
			}
		}
		return byKind;
	}
}
