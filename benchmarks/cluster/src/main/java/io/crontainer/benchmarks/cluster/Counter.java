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
	private Thread writer;

	private Counter() {
	}

	/**
	 * Starts the writer thread (a daemon named {@code benchmark-counter}) for {@code file}, counting on from the
	 * count the file holds (a probe bundle restarted in the same process must not make the count go back).
	 */
	static Counter writingTo(Path file) {
		Counter counter = new Counter();
		try {
			long[] previous = read(file);
			counter.executions.set(previous == null ? 0 : previous[1]);
		} catch (IOException | RuntimeException e) {
			// no count to go on from
		}
		Path temp = file.resolveSibling(file.getFileName() + ".part");
		counter.writer = new Thread(() -> {
			while (!Thread.currentThread().isInterrupted()) {
				try {
					write(file, temp, counter.executions.get());
					Thread.sleep(PERIOD_MILLIS);
				} catch (IOException e) {
					throw new UncheckedIOException(e);
				} catch (InterruptedException e) {
					break;
				}
			}
		}, "benchmark-counter");
		counter.writer.setDaemon(true);
		counter.writer.start();
		return counter;
	}

	private static void write(Path file, Path temp, long count) throws IOException {
		Files.writeString(temp, System.currentTimeMillis() + " " + count + "\n");
		Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
	}

	/** Stops the writer and waits for it (so that a successor's count is the last written). */
	void stop() throws InterruptedException {
		writer.interrupt();
		writer.join(5000);
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
