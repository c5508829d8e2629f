package io.crontainer.benchmarks.probe.crontainer;

import java.time.Instant;

import io.crontainer.api.CronPlugin;
import io.crontainer.benchmarks.spi.JobSpec;

/** A benchmark job as a Crontainer cron plugin: the interval comes from {@link #interval()}. */
final class BenchPlugin implements CronPlugin {

	private final JobSpec spec;

	BenchPlugin(JobSpec spec) {
		this.spec = spec;
	}

	@Override
	public String interval() {
		return spec.expression();
	}

	@Override
	public void run(Instant start, Instant end) {
		spec.run();
	}

	@Override
	public String toString() {
		return spec.toString();
	}
}
