package io.crontainer.benchmarks.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The execution counter of one scheduler instance, as every subject of {@link PeerBenchmark} keeps it:
 * its jobs add one at the end of each execution, and a daemon thread writes {@code "<epoch ms> <count>"}
 * to a file every 100 ms (atomically: written aside, then moved), which the harness reads at the start and
 * the end of its measure window. Used in the peers' JVMs ({@link PeerMain}) and in Crontainer's probe bundle
 * ({@link ProbePlugins}); {@link #increment()} is called by any job thread, lock-free.
 */
final class Counter {
	/** Written every 100 ms; the harness's resolution is this interval at each end of a 40 s window. */
	static final long PERIOD_MILLIS = 100;

	private final AtomicLong executions = new AtomicLong();

	private Counter() {
	}

	/** Starts the writer thread (a daemon named {@code benchmark-counter}) for {@code file}. */
	static Counter writingTo(Path file) {
		Counter counter = new Counter();
		Path temp = file.resolveSibling(file.getFileName() + ".part");
		Thread writer = new Thread(() -> {
			while (true) {
				try {
					Files.writeString(temp, System.currentTimeMillis() + " " + counter.executions.get() + "\n");
					Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
					Thread.sleep(PERIOD_MILLIS);
				} catch (IOException e) {
					throw new UncheckedIOException(e);
				} catch (InterruptedException e) {
					return;
				}
			}
		}, "benchmark-counter");
		writer.setDaemon(true);
		writer.start();
		return counter;
	}

	void increment() {
		executions.incrementAndGet();
	}

	/** Reads a counter file: {@code {epoch ms, count}}, or {@code null} while there is none. */
	static long[] read(Path file) throws IOException {
		if (!Files.exists(file)) {
			return null;
		}
		String[] fields = Files.readString(file).trim().split(" ");
		return new long[] { Long.parseLong(fields[0]), Long.parseLong(fields[1]) };
	}
}
