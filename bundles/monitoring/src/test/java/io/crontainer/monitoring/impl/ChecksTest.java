package io.crontainer.monitoring.impl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.felix.hc.api.Result;
import org.junit.jupiter.api.Test;

import io.crontainer.api.runtime.CronJobDTO;
import io.crontainer.api.runtime.CronRunDTO;
import io.crontainer.api.runtime.CronRuntime;
import io.crontainer.api.runtime.JobState;
import io.crontainer.api.runtime.Outcome;
import io.crontainer.api.runtime.Trigger;

class ChecksTest {
	static final long NOW = 1_800_000_000_000L;
	static final Thresholds LIMITS = new Thresholds(3, 10, 60_000, 600_000);

	static CronJobDTO job(String name, JobState state) {
		CronJobDTO job = new CronJobDTO();
		job.name = name;
		job.state = state;
		job.zone = "UTC";
		return job;
	}

	static CronRunDTO run(String name, Outcome outcome, long started, Long finished, Long scheduledFire) {
		CronRunDTO run = new CronRunDTO();
		run.name = name;
		run.trigger = scheduledFire == null ? Trigger.MANUAL : Trigger.SCHEDULE;
		run.outcome = outcome;
		run.started = started;
		run.finished = finished;
		run.scheduledFire = scheduledFire;
		return run;
	}

	private static Result plugins(List<CronJobDTO> jobs) {
		return Checks.plugins(jobs, LIMITS, name -> {
			throw new AssertionError("history asked of " + name);
		});
	}

	@Test
	void schedulerMissingIsCritical() {
		Result result = Checks.scheduler(null);
		assertThat(result.getStatus()).isEqualTo(Result.Status.CRITICAL);
		assertThat(result.toString()).contains("not running: no CronRuntime service");
	}

	@Test
	void schedulerUpCountsPluginsByState() {
		FakeRuntime rt = new FakeRuntime();
		rt.jobs.add(job("a", JobState.SCHEDULED));
		rt.jobs.add(job("b", JobState.SCHEDULED));
		rt.jobs.add(job("c", JobState.PAUSED));
		Result result = Checks.scheduler(rt);
		assertThat(result.getStatus()).isEqualTo(Result.Status.OK);
		assertThat(result.toString()).contains("3 cron plugins (2 SCHEDULED, 1 PAUSED)");
	}

	@Test
	void schedulerThatThrowsIsCritical() {
		FakeRuntime rt = new FakeRuntime() {
			@Override
			public List<CronJobDTO> getJobs() {
				throw new IllegalStateException("deactivated");
			}
		};
		assertThat(Checks.scheduler(rt).getStatus()).isEqualTo(Result.Status.CRITICAL);
	}

	@Test
	void blockedAndStuckAreCriticalInvalidAndDuplicateWarn() {
		CronJobDTO blocked = job("blocked", JobState.BLOCKED);
		blocked.reason = "state record unreadable:\n bad JSON";
		CronJobDTO stuck = job("stuck", JobState.STUCK);
		stuck.runningSince = NOW - 5_000;
		Result result = plugins(List.of(blocked, stuck));
		assertThat(result.getStatus()).isEqualTo(Result.Status.CRITICAL);
		assertThat(result.toString()).contains("blocked is BLOCKED: state record unreadable: bad JSON")
				.contains("stuck is STUCK: its run started at 2027-01-15T07:59:55Z was interrupted");

		Result warn = plugins(List.of(job("x", JobState.INVALID), job("y", JobState.DUPLICATE),
				job("ok", JobState.SCHEDULED), job("off", JobState.DISABLED), job("p", JobState.PAUSED)));
		assertThat(warn.getStatus()).isEqualTo(Result.Status.WARN);
		assertThat(warn.toString()).contains("x is INVALID").contains("y is DUPLICATE").doesNotContain("ok is");
	}

	@Test
	void aPluginWhoseStateStoreIsUnreachableIsCritical() {
		CronJobDTO unavailable = job("report", JobState.UNAVAILABLE);
		unavailable.reason = "state store postgresql is unavailable: connection refused";
		Result result = plugins(List.of(unavailable, job("ok", JobState.SCHEDULED)));
		assertThat(result.getStatus()).isEqualTo(Result.Status.CRITICAL);
		assertThat(result.toString()).contains("report is UNAVAILABLE: state store postgresql is unavailable")
				.doesNotContain("ok is");
	}

	@Test
	void failuresInARowWarnThenCritical() {
		CronJobDTO job = job("flaky", JobState.SCHEDULED);
		job.consecutiveFailures = 2;
		assertThat(plugins(List.of(job)).getStatus()).isEqualTo(Result.Status.OK);
		job.consecutiveFailures = 3;
		job.lastRun = run("flaky", Outcome.FAILED, NOW, NOW + 5, null);
		job.lastRun.error = "java.io.IOException: disk\nfull";
		Result warn = plugins(List.of(job));
		assertThat(warn.getStatus()).isEqualTo(Result.Status.WARN);
		assertThat(warn.toString()).contains("flaky failed its last 3 runs in a row (WARN from 3). Last error:"
				+ " java.io.IOException: disk full");
		job.consecutiveFailures = 10;
		assertThat(plugins(List.of(job)).getStatus()).isEqualTo(Result.Status.CRITICAL);
		// 0 turns a threshold off
		Result off = Checks.plugins(List.of(job), new Thresholds(0, 0, 0, 0), n -> List.of());
		assertThat(off.getStatus()).isEqualTo(Result.Status.OK);
	}

	@Test
	void failuresInARowFromTheHistoryWhenTheSchedulerDoesNotCountThem() {
		CronJobDTO job = job("flaky", JobState.SCHEDULED);
		job.lastRun = run("flaky", Outcome.FAILED, NOW, NOW + 5, null);
		List<CronRunDTO> history = new ArrayList<>(List.of(run("flaky", Outcome.FAILED, NOW, NOW + 5, null),
				run("flaky", Outcome.SKIPPED, NOW - 1, NOW - 1, NOW - 1),
				run("flaky", Outcome.TIMED_OUT, NOW - 10, NOW - 5, null),
				run("flaky", Outcome.INTERRUPTED, NOW - 20, NOW - 15, null),
				run("flaky", Outcome.SUCCEEDED, NOW - 30, NOW - 25, null),
				run("flaky", Outcome.FAILED, NOW - 40, NOW - 35, null)));
		assertThat(Checks.consecutiveFailures(job, LIMITS, n -> history)).isEqualTo(3);
		Result warn = Checks.plugins(List.of(job), LIMITS, n -> history);
		assertThat(warn.getStatus()).isEqualTo(Result.Status.WARN);
		// a scheduler that counts: its count wins, no history asked
		job.consecutiveFailures = 1;
		assertThat(plugins(List.of(job)).getStatus()).isEqualTo(Result.Status.OK);
	}

	@Test
	void saturationByTheLongestWaitForAWorker() {
		CronJobDTO running = job("busy", JobState.SCHEDULED);
		running.running = true;
		running.lastRun = run("busy", Outcome.RUNNING, NOW - 500_000, null, null);
		CronJobDTO queued = job("waiting", JobState.SCHEDULED);
		queued.running = true;
		queued.lastRun = run("waiting", Outcome.QUEUED, NOW - 59_000, null, NOW - 59_000);
		Result ok = Checks.saturation(List.of(running, queued), LIMITS, NOW);
		assertThat(ok.getStatus()).isEqualTo(Result.Status.OK);
		assertThat(ok.toString()).contains("1 run in progress, 1 waiting for a free worker (the longest for 59 s)");

		Result warn = Checks.saturation(List.of(running, queued), LIMITS, NOW + 1_000);
		assertThat(warn.getStatus()).isEqualTo(Result.Status.WARN);
		assertThat(warn.toString()).contains("Saturated: 1 run waiting for a free worker, waiting for 60 s (WARN from 60 s); 1 running.");
		assertThat(Checks.saturation(List.of(running, queued), LIMITS, NOW + 541_000).getStatus())
				.isEqualTo(Result.Status.CRITICAL);
		assertThat(Checks.saturation(List.of(running), LIMITS, NOW + 541_000).getStatus()).isEqualTo(Result.Status.OK);
	}

	@Test
	void byStateHasEveryState() {
		Map<JobState, Integer> counts = Checks.byState(List.of(job("a", JobState.STUCK)));
		assertThat(counts).hasSize(JobState.values().length).containsEntry(JobState.STUCK, 1)
				.containsEntry(JobState.SCHEDULED, 0);
	}

	/** A runtime view that holds a list of jobs; only what the checks and views call. */
	static class FakeRuntime implements CronRuntime {
		final List<CronJobDTO> jobs = new ArrayList<>();
		final List<CronRunDTO> runs = new ArrayList<>();

		@Override
		public List<CronJobDTO> getJobs() {
			return new ArrayList<>(jobs);
		}

		@Override
		public CronJobDTO getJob(String name) {
			return jobs.stream().filter(j -> j.name.equals(name)).findFirst().orElse(null);
		}

		@Override
		public List<CronRunDTO> getHistory(String name, int limit) {
			if (name != null && getJob(name) == null) {
				throw new IllegalArgumentException("Unknown cron plugin \"" + name + "\"");
			}
			return runs.stream().filter(r -> name == null || r.name.equals(name)).limit(limit).toList();
		}

		@Override
		public java.util.concurrent.CompletionStage<CronRunDTO> fire(String name) {
			throw new UnsupportedOperationException();
		}

		@Override
		public CronJobDTO pause(String name) {
			throw new UnsupportedOperationException();
		}

		@Override
		public CronJobDTO resume(String name) {
			throw new UnsupportedOperationException();
		}

		@Override
		public CronJobDTO reset(String name, java.time.Instant since) {
			throw new UnsupportedOperationException();
		}

		@Override
		public List<java.time.ZonedDateTime> getNextFireTimes(String name, int count) {
			throw new UnsupportedOperationException();
		}

		@Override
		public List<java.time.ZonedDateTime> preview(String interval, String name, java.time.ZoneId zone,
				java.time.Instant from, int count) {
			throw new UnsupportedOperationException();
		}

		@Override
		public String describe(String interval, String name, java.time.ZoneId zone) {
			throw new UnsupportedOperationException();
		}

		@Override
		public java.time.ZoneId getDefaultZone() {
			return java.time.ZoneOffset.UTC;
		}
	}
}
