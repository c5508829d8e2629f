package io.crontainer.benchmarks.spi;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Where benchmark jobs record when they started. One per subject JVM (static state); the class is
 * loaded once, from the class path, and exported to the probe bundles by the system bundle.
 *
 * <p>
 * Thread-safe: jobs record from scheduler threads while the harness reads.
 */
public final class Recorder {

	private static volatile AtomicLongArray firstStarts = new AtomicLongArray(0);
	private static final ConcurrentLinkedQueue<long[]> starts = new ConcurrentLinkedQueue<>();
	private static volatile CountDownLatch hang = new CountDownLatch(1);
	/** Jobs started at least once since the last reset. */
	private static final java.util.concurrent.atomic.AtomicInteger startedJobs = new java.util.concurrent.atomic.AtomicInteger();
	private static volatile Runnable onAllStarted;

	private Recorder() {
	}

	/**
	 * Forgets all recorded starts and prepares {@code slots} slots. Hung jobs of an earlier round stay
	 * hung until {@link #releaseHung()}.
	 *
	 * @param slots The number of recording slots, from 0.
	 */
	public static void reset(int slots) {
		onAllStarted = null;
		firstStarts = new AtomicLongArray(slots);
		startedJobs.set(0);
		starts.clear();
	}

	/**
	 * @param action Run once, on the thread of the job that started last, right after its start was
	 *        recorded, when every slot since the last {@link #reset(int)} has started; {@code null}: none.
	 */
	public static void onAllStarted(Runnable action) {
		onAllStarted = action;
	}

	static void fired(JobSpec job) {
		switch (job.behaviour()) {
			case NOOP:
				return;
			case RECORD:
				Instant now = Instant.now(); // microseconds on Linux; currentTimeMillis would round to the ms
				long micros = now.getEpochSecond() * 1_000_000 + now.getNano() / 1000;
				AtomicLongArray first = firstStarts;
				starts.add(new long[] {job.slot(), micros / 1000});
				if (job.slot() < first.length() && first.compareAndSet(job.slot(), 0L, micros)
						&& startedJobs.incrementAndGet() == first.length()) {
					Runnable action = onAllStarted;
					if (action != null) {
						action.run(); // after the start was recorded: it adds nothing to any lateness
					}
				}
				return;
			case HANG:
				try {
					hang.await();
				} catch (InterruptedException e) {
					Thread.currentThread().interrupt();
				}
				return;
			default:
				throw new AssertionError(job.behaviour());
		}
	}

	/**
	 * @param slot A slot.
	 * @return The first start of the job in that slot since the last {@link #reset(int)}, in UTC epoch
	 *         microseconds (the resolution of {@link Instant#now()}); 0 if it has not started.
	 */
	public static long firstStart(int slot) {
		return firstStarts.get(slot);
	}

	/** @return Every recorded start since the last {@link #reset(int)}: pairs {slot, UTC epoch ms}. */
	public static List<long[]> starts() {
		return new ArrayList<>(starts);
	}

	/** Lets every hung job return, and arms a new latch for later hung jobs. */
	public static void releaseHung() {
		CountDownLatch old = hang;
		hang = new CountDownLatch(1);
		old.countDown();
	}
}
