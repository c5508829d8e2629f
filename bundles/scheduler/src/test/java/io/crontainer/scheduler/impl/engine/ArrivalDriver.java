package io.crontainer.scheduler.impl.engine;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

import io.crontainer.api.CronPlugin;
import io.crontainer.api.runtime.JobState;
import io.crontainer.scheduler.impl.whiteboard.Plugin;

/**
 * Not a test: a driver that measures an arrival and a departure in the engine alone (no OSGi, no
 * Event Admin), with N plugins held, as the benchmark's arrival rows do: PAIRS times, one more plugin
 * (its interval from code, so a call thread asks it) is added and watched until scheduled, then
 * removed and watched until unscheduled, the watching thread yielding its core between checks. Prints
 * the p50 and p99 of each, and the CPU per pair of the adding thread inside {@code add} and
 * {@code remove}, and of the engine's other threads by kind. Run with
 * {@code java -cp ... io.crontainer.scheduler.impl.engine.ArrivalDriver N PAIRS ROUNDS}.
 */
public final class ArrivalDriver {
	private static final String HELD = "0 0 0 1 6 ?"; // none due while measured

	public static void main(String[] args) throws Exception {
		int n = Integer.parseInt(args[0]);
		int pairs = Integer.parseInt(args[1]);
		int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
		try (DriverEngine engine = new DriverEngine("arrival")) {
			for (int i = 0; i < n; i++) {
				engine.scheduler.add(plugin(i + 1, "held-" + i));
			}
			awaitScheduled(engine.scheduler.operations(), "held-" + (n - 1));
			ThreadMXBean threads = ManagementFactory.getThreadMXBean();
			for (int round = 0; round <= rounds; round++) { // round 0 warms up
				long[] arrival = new long[pairs];
				long[] departure = new long[pairs];
				long registering = 0;
				Map<String, Long> before = cpuByKind(threads);
				for (int i = 0; i < pairs; i++) {
					long id = 1_000_000L + round * (long) pairs + i;
					String name = "one-" + id;
					Plugin plugin = plugin(id, name);
					long cpu = threads.getCurrentThreadCpuTime();
					long t0 = System.nanoTime();
					engine.scheduler.add(plugin);
					registering += threads.getCurrentThreadCpuTime() - cpu;
					awaitScheduled(engine.scheduler.operations(), name);
					long t1 = System.nanoTime();
					cpu = threads.getCurrentThreadCpuTime();
					engine.scheduler.remove(id);
					registering += threads.getCurrentThreadCpuTime() - cpu;
					while (engine.scheduler.operations().job(name) != null) {
						Thread.yield();
					}
					long t2 = System.nanoTime();
					arrival[i] = t1 - t0;
					departure[i] = t2 - t1;
				}
				Map<String, Long> after = cpuByKind(threads);
				StringBuilder others = new StringBuilder();
				after.forEach((kind, ns) -> {
					long used = ns - before.getOrDefault(kind, 0L);
					if (used > 0 && !kind.equals("main")) {
						others.append(String.format(" %s %.1f", kind, used / 1e3 / pairs));
					}
				});
				System.out.printf("round %d N=%d: arrival p50 %.3f p99 %.3f ms, departure p50 %.3f p99 %.3f ms;"
						+ " CPU us per pair: adding thread %.1f, others:%s%n", round, n, pct(arrival, 50), pct(arrival, 99),
						pct(departure, 50), pct(departure, 99), registering / 1e3 / pairs, others);
			}
		}
	}

	private static CronPlugin service() {
		return new CronPlugin() {
			@Override
			public String interval() {
				return HELD;
			}

			@Override
			public void run(Instant start, Instant end) {
			}
		};
	}

	private static Plugin plugin(long id, String name) {
		Map<String, Object> props = new HashMap<>();
		props.put(CronPlugin.NAME, name);
		return new Plugin(id, 7, "b", props, service());
	}

	private static void awaitScheduled(Operations operations, String name) {
		while (true) {
			JobView job = operations.job(name);
			if (job != null && job.state() == JobState.SCHEDULED && job.nextFire() != null) {
				return;
			}
			Thread.yield();
		}
	}

	/** Live threads' CPU, ns, by name with digits cut ({@code crontainer-call-N}). */
	private static Map<String, Long> cpuByKind(ThreadMXBean threads) {
		Map<String, Long> kinds = new TreeMap<>();
		for (Thread t : Thread.getAllStackTraces().keySet()) {
			long ns = threads.getThreadCpuTime(t.getId());
			if (ns > 0) {
				kinds.merge(t.getName().replaceAll("\\d+", "N").replaceAll(" \\[.*", ""), ns, Long::sum);
			}
		}
		return kinds;
	}

	private static double pct(long[] nanos, int p) {
		long[] sorted = nanos.clone();
		Arrays.sort(sorted);
		return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)] / 1e6;
	}
}
