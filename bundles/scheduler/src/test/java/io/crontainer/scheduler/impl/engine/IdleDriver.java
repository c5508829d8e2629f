package io.crontainer.scheduler.impl.engine;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import io.crontainer.api.CronPlugin;
import io.crontainer.scheduler.impl.whiteboard.Plugin;

/**
 * Not a test: a driver that measures what an idle wake-up of the timer thread costs in the engine
 * alone (no OSGi), with N plugins held and none due: it wakes the timer as its bounded sleep
 * ({@link Timer#MAX_WAIT}) would, every PERIOD ms, WAKES times, and prints the timer thread's CPU per
 * wake-up. The timer's code runs as rarely as when idle (interpreted, or nearly), as in the benchmark's
 * idle window. Run with {@code java -cp ... io.crontainer.scheduler.impl.engine.IdleDriver N WAKES PERIOD}.
 */
public final class IdleDriver {

	public static void main(String[] args) throws Exception {
		int n = Integer.parseInt(args[0]);
		int wakes = Integer.parseInt(args[1]);
		long period = Long.parseLong(args[2]);
		DriverEngine engine = new DriverEngine("idle");
		Scheduler scheduler = engine.scheduler;
		Timer timer = engine.timer;
		for (int i = 0; i < n; i++) {
			Map<String, Object> props = new HashMap<>();
			props.put(CronPlugin.NAME, "idle-" + i);
			props.put(CronPlugin.INTERVAL, "0 0 1 1 *"); // yearly: none due
			scheduler.add(new Plugin(i + 1, 7, "b", props, new CronPlugin() {
				@Override
				public String interval() {
					return "0 0 1 1 *";
				}

				@Override
				public void run(Instant s, Instant e) {
				}
			}));
		}
		Thread.sleep(2000);
		ThreadMXBean threads = ManagementFactory.getThreadMXBean();
		long id = timer.thread().getId();
		long before = threads.getThreadCpuTime(id);
		for (int i = 0; i < wakes; i++) {
			Thread.sleep(period);
			java.util.concurrent.locks.LockSupport.unpark(timer.thread()); // as its bounded sleep ends
		}
		Thread.sleep(period);
		long used = threads.getThreadCpuTime(id) - before;
		System.out.printf("idle N=%d: %d wake-ups of the timer, %.1f us of its CPU each%n", n, wakes, used / 1e3 / wakes);
		engine.close();
	}
}
