package io.crontainer.benchmarks.probe.quartz;

import io.crontainer.benchmarks.spi.JobSpec;

/** A benchmark job as a whiteboard {@code Runnable}, the form both peers schedule. */
final class BenchRunnable implements Runnable {

	private final JobSpec spec;

	BenchRunnable(JobSpec spec) {
		this.spec = spec;
	}

	@Override
	public void run() {
		spec.run();
	}

	@Override
	public String toString() {
		return spec.toString();
	}
}
