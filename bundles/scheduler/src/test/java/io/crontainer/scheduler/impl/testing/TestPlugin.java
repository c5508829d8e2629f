package io.crontainer.scheduler.impl.testing;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.crontainer.api.CronPlugin;

/** A cron plugin whose answers and runs a test controls. Thread-safe. */
public class TestPlugin implements CronPlugin {
	/** The windows of every call of run(), in order, whatever its outcome. */
	public final List<Instant[]> windows = new CopyOnWriteArrayList<>();
	public volatile Supplier<String> interval;
	public volatile Supplier<Boolean> enabled = () -> true;
	/** Thrown by the next runs while set. */
	public volatile RuntimeException failure;
	/** When set, run() waits for it (interruptibly) before returning. */
	public volatile CountDownLatch block;
	/** Counted down when run() starts. */
	public volatile CountDownLatch started = new CountDownLatch(1);
	public volatile boolean interrupted;
	/** When set, run() notes an interrupt but goes on waiting for {@link #block}, as a badly written plugin does. */
	public volatile boolean deaf;
	/** Called at the start of each run, on the run's thread. */
	public volatile Runnable onRun = () -> {
	};

	public TestPlugin(String interval) {
		this.interval = () -> interval;
	}

	@Override
	public boolean enabled() {
		return enabled.get();
	}

	@Override
	public String interval() {
		return interval.get();
	}

	@Override
	public void run(Instant start, Instant end) throws Exception {
		windows.add(new Instant[] { start, end });
		onRun.run();
		started.countDown();
		CountDownLatch b = block;
		if (b != null) {
			while (true) {
				try {
					if (!b.await(30, TimeUnit.SECONDS)) {
						throw new IllegalStateException("test plugin was never released");
					}
					break;
				} catch (InterruptedException e) {
					interrupted = true;
					if (!deaf) {
						throw e;
					}
				}
			}
		}
		RuntimeException f = failure;
		if (f != null) {
			throw f;
		}
	}
}
