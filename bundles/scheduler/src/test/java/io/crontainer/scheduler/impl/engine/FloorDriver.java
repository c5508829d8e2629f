package io.crontainer.scheduler.impl.engine;

import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * Not a test: the floor under {@link BurstDriver}'s lateness on this machine. No scheduler at all: a
 * thread parks until a whole second, as a timer would, and hands M tasks that only record when they
 * started to a {@code newFixedThreadPool(2)} (the JDK's, two threads as the run pool's core); 2
 * warm-up rounds at M = 100, then ROUNDS rounds at M. Prints per round how late the handing thread
 * woke and the tasks' lateness (min, p50, p99, max, ms), in {@link BurstDriver}'s terms: the wake-up
 * latencies of the machine and the JIT's first rounds, with nothing of ours in between. Run with
 * {@code java -cp ... io.crontainer.scheduler.impl.engine.FloorDriver M ROUNDS}.
 */
public final class FloorDriver {

	public static void main(String[] args) throws Exception {
		int m = Integer.parseInt(args[0]);
		int rounds = Integer.parseInt(args[1]);
		ExecutorService pool = Executors.newFixedThreadPool(2);
		for (int r = -2; r < rounds; r++) {
			int size = r < 0 ? 100 : m;
			AtomicLongArray starts = new AtomicLongArray(size);
			AtomicLong woke = new AtomicLong();
			long target = (System.currentTimeMillis() + 1500) / 1000 + 1;
			long targetMicros = target * 1_000_000;
			Thread timer = new Thread(() -> {
				while (true) {
					Instant now = Instant.now();
					long left = targetMicros - micros(now);
					if (left <= 0) {
						woke.set(micros(now));
						break;
					}
					LockSupport.parkNanos(left * 1000);
				}
				for (int i = 0; i < size; i++) {
					int slot = i;
					pool.execute(() -> starts.set(slot, micros(Instant.now())));
				}
			}, "floor-timer");
			timer.start();
			timer.join();
			Thread.sleep(Math.max(0, target * 1000 + 1000 - System.currentTimeMillis()));
			double[] late = new double[size];
			for (int i = 0; i < size; i++) {
				long s = starts.get(i);
				late[i] = s == 0 ? 9999 : (s - targetMicros) / 1000.0;
			}
			Arrays.sort(late);
			System.out.printf("floor round %d M=%d woke %.2f min %.2f p50 %.2f p99 %.2f max %.2f ms%n", r, size,
					(woke.get() - targetMicros) / 1000.0, late[0], late[size / 2], late[(int) Math.ceil(size * 0.99) - 1],
					late[size - 1]);
		}
		pool.shutdown();
	}

	private static long micros(Instant i) {
		return i.getEpochSecond() * 1_000_000 + i.getNano() / 1000;
	}
}
