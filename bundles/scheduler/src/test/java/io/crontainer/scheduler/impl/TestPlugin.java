package io.crontainer.scheduler.impl;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.crontainer.api.CronPlugin;

/** A cron plugin whose answers and runs a test controls. Thread-safe. */
class TestPlugin implements CronPlugin {
	/** The windows of every call of run(), in order, whatever its outcome. */
	final List<Instant[]> windows = new CopyOnWriteArrayList<>();
	volatile Supplier<String> interval;
	volatile Supplier<Boolean> enabled = () -> true;
	/** Thrown by the next runs while set. */
	volatile RuntimeException failure;
	/** When set, run() waits for it (interruptibly) before returning. */
	volatile CountDownLatch block;
	/** Counted down when run() starts. */
	volatile CountDownLatch started = new CountDownLatch(1);
	volatile boolean interrupted;
	/** When set, run() notes an interrupt but goes on waiting for {@link #block}, as a badly written plugin does. */
	volatile boolean deaf;
	/** Called at the start of each run, on the run's thread. */
	volatile Runnable onRun = () -> {
	};

	TestPlugin(String interval) {
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
