package io.crontainer.format;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.crontainer.api.runtime.CronJobDTO;
import io.crontainer.api.runtime.CronRunDTO;
import io.crontainer.api.runtime.JobState;
import io.crontainer.api.runtime.Outcome;

class JobsTest {
	static final long NOW = 1_700_000_000_000L;

	@Test
	void statesSayWhatTheRunIsDoingOnTheCallersClock() {
		CronJobDTO job = job(JobState.SCHEDULED);
		assertThat(Jobs.state(job, NOW)).isEqualTo("SCHEDULED");
		job.running = true;
		assertThat(Jobs.state(job, NOW)).isEqualTo("SCHEDULED (running)");
		job.lastRun = run(Outcome.QUEUED, NOW - 10, null);
		assertThat(Jobs.state(job, NOW)).isEqualTo("SCHEDULED (queued)");
		job.runningSince = NOW - 75_000;
		assertThat(Jobs.state(job, NOW)).isEqualTo("SCHEDULED (running 1 min 15 s)");
		assertThat(Jobs.state(job, NOW + 105_000)).isEqualTo("SCHEDULED (running 3 min)");
		job.runningSince = NOW + 2_000; // another node's clock ahead of ours
		assertThat(Jobs.state(job, NOW)).isEqualTo("SCHEDULED (running 0 ms)");
		CronJobDTO stuck = job(JobState.STUCK);
		stuck.runningSince = NOW - 3_600_000;
		assertThat(Jobs.state(stuck, NOW)).isEqualTo("STUCK (1 h)");
	}

	@Test
	void missedFireTimesWithTheLatestInThePluginsZone() {
		CronJobDTO job = job(JobState.SCHEDULED);
		assertThat(Jobs.missed(job, java.time.ZoneOffset.UTC, NOW)).isEqualTo("0");
		job.missedFires = 1234;
		job.lastMissedFire = NOW - 300_000;
		assertThat(Jobs.missed(job, java.time.ZoneId.of("Europe/Paris"), NOW))
				.isEqualTo("1,234, the latest 2023-11-14T23:08:20+01:00[Europe/Paris] (5 min ago)");
	}

	@Test
	void tookAndLate() {
		CronRunDTO done = run(Outcome.SUCCEEDED, NOW - 60_000, NOW - 60_000 + 59_960);
		assertThat(Jobs.took(done, NOW)).isEqualTo("1 min");
		CronRunDTO running = run(Outcome.RUNNING, NOW - 180_000, null);
		assertThat(Jobs.took(running, NOW)).isEqualTo("3 min");
		assertThat(Jobs.took(run(Outcome.SKIPPED, NOW, NOW), NOW)).isNull();
		assertThat(Jobs.late(done)).as("fired by hand").isNull();
		done.scheduledFire = done.started - 1_250;
		assertThat(Jobs.late(done)).isEqualTo("1.3 s");
		done.scheduledFire = done.started + 5; // started before its fire time on a clock behind
		assertThat(Jobs.late(done)).isEqualTo("0 ms");
		CronRunDTO queued = run(Outcome.QUEUED, NOW, null);
		queued.scheduledFire = NOW - 1;
		assertThat(Jobs.late(queued)).isNull();
	}

	@Test
	void reasonIsTheFirstLineOfAFailure() {
		CronJobDTO job = job(JobState.SCHEDULED);
		assertThat(Jobs.reason(job)).isNull();
		job.lastRun = run(Outcome.TIMED_OUT, NOW - 1000, NOW);
		job.lastRun.error = "  java.io.IOException: disk full\n\tat x.y(Z.java:1)";
		assertThat(Jobs.reason(job)).isEqualTo("last run: java.io.IOException: disk full");
		job.reason = "interval \"61 * * * *\": minute 61 out of range";
		assertThat(Jobs.reason(job)).isEqualTo(job.reason);
		assertThat(Jobs.bundle(job)).isEqualTo("com.example.plugins [7]");
		assertThat(Jobs.failed(Outcome.INTERRUPTED)).isTrue();
		assertThat(Jobs.failed(Outcome.SKIPPED)).isFalse();
	}

	static CronJobDTO job(JobState state) {
		CronJobDTO job = new CronJobDTO();
		job.name = "reports";
		job.state = state;
		job.bundleSymbolicName = "com.example.plugins";
		job.bundleId = 7;
		return job;
	}

	static CronRunDTO run(Outcome outcome, long started, Long finished) {
		CronRunDTO run = new CronRunDTO();
		run.name = "reports";
		run.outcome = outcome;
		run.started = started;
		run.finished = finished;
		return run;
	}
}
