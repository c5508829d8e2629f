package io.crontainer.itests.scheduler;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.crontainer.api.CronPluginBase;

/**
 * A cron plugin registered by the tests: records its windows and, on demand, fails, blocks until
 * interrupted, or blocks in {@code enabled()}. Thread-safe.
 */
public class ItPlugin extends CronPluginBase {
	/** The windows of successful runs: {start, end}. */
	public final List<Instant[]> succeeded = new CopyOnWriteArrayList<>();
	/** The windows of every call of run(). */
	public final List<Instant[]> calls = new CopyOnWriteArrayList<>();
	public volatile String interval;
	/** run() throws while this is greater than zero, counting down. */
	public volatile int failures;
	/** run() blocks (until interrupted, or at most this long) when greater than zero, in ms. */
	public volatile long blockMillis;
	/** enabled() blocks this long, in ms, when greater than zero. */
	public volatile long enabledMillis;
	public volatile boolean enabled = true;
	public volatile boolean interrupted;
	public final CountDownLatch started = new CountDownLatch(1);
	/** The most runs in progress at one time. */
	public final AtomicInteger maxConcurrent = new AtomicInteger();
	private final AtomicInteger active = new AtomicInteger();

	public ItPlugin(String interval) {
		this.interval = interval;
	}

	@Override
	public boolean enabled() {
		if (enabledMillis > 0) {
			try {
				Thread.sleep(enabledMillis); // a plugin that blocks: the behaviour under test
			} catch (InterruptedException e) {
				Thread.currentThread().interrupt();
			}
		}
		return enabled;
	}

	@Override
	public String interval() {
		return interval;
	}

	@Override
	public void run(Instant start, Instant end) throws Exception {
		maxConcurrent.accumulateAndGet(active.incrementAndGet(), Math::max);
		try {
			doRun(start, end);
		} finally {
			active.decrementAndGet();
		}
	}

	private void doRun(Instant start, Instant end) throws Exception {
		calls.add(new Instant[] { start, end });
		started.countDown();
		if (blockMillis > 0) {
			try {
				new CountDownLatch(1).await(blockMillis, TimeUnit.MILLISECONDS);
			} catch (InterruptedException e) {
				interrupted = true;
				throw e;
			}
		}
		if (failures > 0) {
			failures--;
			throw new IllegalStateException("planned failure");
		}
		succeeded.add(new Instant[] { start, end });
	}
}
