package io.crontainer.monitoring.impl;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
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
	static final Thresholds LIMITS = new Thresholds(3, 10, 100, 0, 60_000, 600_000);

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
	void aMissedFireTimeWarnsForAWhile() {
		CronJobDTO job = job("late", JobState.SCHEDULED);
		job.missedFires = 4;
		job.lastMissedFire = NOW - 10 * 60_000;
		Result warn = Checks.plugins(List.of(job), LIMITS, n -> List.of(), NOW, 60 * 60_000);
		assertThat(warn.getStatus()).isEqualTo(Result.Status.WARN);
		assertThat(warn.toString()).contains("late missed 4 fire times since the scheduler started")
				.contains("(10 min ago)");

		assertThat(Checks.plugins(List.of(job), LIMITS, n -> List.of(), NOW + 50 * 60_000, 60 * 60_000).getStatus())
				.as("an hour after it").isEqualTo(Result.Status.OK);
		assertThat(Checks.plugins(List.of(job), LIMITS, n -> List.of(), NOW, 0).getStatus()).as("off")
				.isEqualTo(Result.Status.OK);
		job.lastMissedFire = null;
		job.missedFires = 0;
		assertThat(Checks.plugins(List.of(job), LIMITS, n -> List.of(), NOW, 60 * 60_000).getStatus())
				.isEqualTo(Result.Status.OK);
	}

	@Test
	void aPluginsNameAndAStoresReasonAreShownWithTheirControlCharactersEscaped() {
		Result blocked = Checks.plugins(List.of(job("evil\u202egpj.exe\u001b[2J", JobState.BLOCKED)), LIMITS,
				n -> List.of());
		assertThat(blocked.toString()).contains("evil\\u202egpj.exe\\e[2J is BLOCKED")
				.doesNotContainPattern("[\\x00-\\x1f\\u202e]");
		FakeRuntime rt = new FakeRuntime();
		rt.storeDown = "unavailable:\u001b]0;owned\u0007\n  again";
		assertThat(Checks.scheduler(rt).toString()).contains("unavailable:\\e]0;owned\\x07 again")
				.doesNotContainPattern("[\\x00-\\x1f]");
	}

	@Test
	void schedulerMissingIsCritical() {
		Result result = Checks.scheduler(null);
		assertThat(result.getStatus()).isEqualTo(Result.Status.CRITICAL);
		assertThat(result.toString()).contains("not running: no CronRuntime service");
	}

	@Test
	void aStoreThatCannotBeReachedIsCriticalAtOnceWhateverThePluginsShow() {
		FakeRuntime rt = new FakeRuntime();
		rt.jobs.add(job("hourly", JobState.SCHEDULED)); // its next fire time may be an hour away
		assertThat(Checks.scheduler(rt).getStatus()).isEqualTo(Result.Status.OK);
		rt.storeDown = "PostgreSQL jdbc:postgresql://db/x (node a) is unavailable: cannot connect: Connection refused";
		Result result = Checks.scheduler(rt);
		assertThat(result.getStatus()).isEqualTo(Result.Status.CRITICAL);
		assertThat(result.toString()).contains("state store cannot be reached").contains("Connection refused");
	}

	@Test
	void aClockMoreThanASecondOffTheClustersDatabaseIsAWarning() {
		FakeRuntime rt = new FakeRuntime();
		rt.jobs.add(job("hourly", JobState.SCHEDULED));
		rt.clockWarning = "the clock of node a is 3 min behind the database's (more than 1.0 s): windows still tile";
		Result result = Checks.scheduler(rt);
		assertThat(result.getStatus()).isEqualTo(Result.Status.WARN);
		assertThat(result.toString()).contains("Clock skew", "3 min behind the database's");
		rt.clockWarning = null;
		assertThat(Checks.scheduler(rt).getStatus()).as("set right").isEqualTo(Result.Status.OK);
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
		assertThat(result.toString()).contains("blocked is BLOCKED: it is not fired until it is reset (cron:reset"
				+ " blocked, or the Cron jobs page) once its state is checked; cron:info blocked says why.")
				.contains("stuck is STUCK: its run started at 2027-01-15T07:59:55Z was interrupted")
				.as("no error texts: /system/health may answer without a login").doesNotContain("bad JSON");

		Result warn = plugins(List.of(job("x", JobState.INVALID), job("y", JobState.DUPLICATE),
				job("ok", JobState.SCHEDULED), job("off", JobState.DISABLED), job("p", JobState.PAUSED)));
		assertThat(warn.getStatus()).isEqualTo(Result.Status.WARN);
		assertThat(warn.toString()).contains("x is INVALID").contains("y is DUPLICATE").doesNotContain("ok is");
	}

	@Test
	void eachMessageSaysItsThingOnce() {
		// The scheduler's reasons already say "reset it (cron:reset ...)" and "it is not fired until that
		// thread returns"; the check used to add its own sentence to them.
		CronJobDTO blocked = job("b", JobState.BLOCKED);
		blocked.reason = "window commit failed; reset it (cron:reset b --since DATE-TIME) to set the start of its"
				+ " next window, which is the epoch without --since";
		CronJobDTO stuck = job("s", JobState.STUCK);
		stuck.reason = "its run since 2027-01-15T07:59:55Z ignored its interrupt; it is not fired until that thread"
				+ " returns";
		CronJobDTO gone = job("u", JobState.UNAVAILABLE);
		gone.reason = "the state store is unavailable: down; retrying every 5 s";
		for (CronJobDTO job : List.of(blocked, stuck, gone)) {
			String text = plugins(List.of(job)).toString().toLowerCase(java.util.Locale.ROOT);
			for (String phrase : new String[] { "cron:reset", "until that thread returns", "state store", "retrying" }) {
				int first = text.indexOf(phrase);
				assertThat(first == -1 || text.indexOf(phrase, first + 1) == -1).as(job.name + ": " + phrase + " in "
						+ text).isTrue();
			}
		}
	}

	@Test
	void aPluginWhoseStateStoreIsUnreachableIsCritical() {
		CronJobDTO unavailable = job("report", JobState.UNAVAILABLE);
		unavailable.reason = "state store postgresql is unavailable: connection refused";
		Result result = plugins(List.of(unavailable, job("ok", JobState.SCHEDULED)));
		assertThat(result.getStatus()).isEqualTo(Result.Status.CRITICAL);
		assertThat(result.toString()).contains("report is UNAVAILABLE: the scheduler cannot reach its state store")
				.doesNotContain("connection refused").doesNotContain("ok is");
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
		assertThat(warn.toString()).contains("flaky failed its last 3 runs in a row (WARN from 3); cron:history flaky"
				+ " gives the errors.").doesNotContain("disk");
		job.consecutiveFailures = 10;
		assertThat(plugins(List.of(job)).getStatus()).isEqualTo(Result.Status.CRITICAL);
		// 0 turns a threshold off
		Result off = Checks.plugins(List.of(job), new Thresholds(0, 0, 0, 0, 0, 0), n -> List.of());
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
	void defaultsAreTheConfigurationsDefaults() {
		// the annotation's own defaults, as SCR hands them over without a configuration
		MonitoringConfiguration defaults = (MonitoringConfiguration) Proxy.newProxyInstance(
				MonitoringConfiguration.class.getClassLoader(), new Class<?>[] { MonitoringConfiguration.class },
				(proxy, method, args) -> method.getDefaultValue());
		assertThat(Thresholds.of(defaults)).isEqualTo(Thresholds.DEFAULTS).isEqualTo(LIMITS);
	}

	@Test
	void saturationByTheLongestWaitForAThread() {
		CronJobDTO running = running("busy", NOW - 500_000);
		CronJobDTO queued = job("waiting", JobState.SCHEDULED);
		queued.running = true;
		queued.lastRun = run("waiting", Outcome.QUEUED, NOW - 59_000, null, NOW - 59_000);
		Result ok = Checks.saturation(List.of(running, queued), LIMITS, NOW);
		assertThat(ok.getStatus()).isEqualTo(Result.Status.OK);
		assertThat(ok.toString()).contains("1 run in progress (WARN from 100), 1 waiting for a thread (the longest for 59.0 s)");

		Result warn = Checks.saturation(List.of(running, queued), LIMITS, NOW + 1_000);
		assertThat(warn.getStatus()).isEqualTo(Result.Status.WARN);
		assertThat(warn.toString()).contains("1 run waiting for a thread, waiting for 1 min (WARN from 1 min); 1 in progress."
				+ " The scheduler starts a thread for each run at once, so the JVM cannot start threads")
				.contains("ulimit -u").doesNotContain("pool.size");
		assertThat(Checks.saturation(List.of(running, queued), LIMITS, NOW + 540_999).getStatus())
				.isEqualTo(Result.Status.WARN);
		Result critical = Checks.saturation(List.of(running, queued), LIMITS, NOW + 541_000);
		assertThat(critical.getStatus()).isEqualTo(Result.Status.CRITICAL);
		assertThat(critical.toString()).contains("waiting for 10 min (CRITICAL from 10 min)");
		assertThat(Checks.saturation(List.of(running), LIMITS, NOW + 541_000).getStatus()).isEqualTo(Result.Status.OK);
		// both off: a run may wait for ever
		assertThat(Checks.saturation(List.of(running, queued), new Thresholds(3, 10, 100, 0, 0, 0), NOW + 3_600_000)
				.getStatus()).isEqualTo(Result.Status.OK);
	}

	@Test
	void saturationByRunsInProgressAtOnce() {
		Thresholds limits = new Thresholds(3, 10, 3, 5, 60_000, 600_000);
		List<CronJobDTO> jobs = new ArrayList<>();
		jobs.add(running("a", NOW - 1_000));
		jobs.add(running("b", NOW - 90_000));
		CronJobDTO idle = job("idle", JobState.SCHEDULED); // not running: not counted
		idle.lastRun = run("idle", Outcome.RUNNING, NOW - 5_000, null, null);
		jobs.add(idle);
		CronJobDTO paused = job("paused", JobState.PAUSED); // never ran
		jobs.add(paused);
		Result ok = Checks.saturation(jobs, limits, NOW);
		assertThat(ok.getStatus()).isEqualTo(Result.Status.OK);
		assertThat(ok.toString()).contains("2 runs in progress (WARN from 3), 0 waiting for a thread.");

		jobs.add(running("c", NOW - 30_000)); // 3: WARN
		Result warn = Checks.saturation(jobs, limits, NOW);
		assertThat(warn.getStatus()).isEqualTo(Result.Status.WARN);
		assertThat(warn.toString()).contains("3 runs in progress at once, each on a thread of its own (WARN from 3):"
				+ " b for 1 min 30 s, c for 30.0 s, a for 1.0 s. Look for plugins that hang").contains("raise running.warn");

		jobs.add(running("d", NOW - 2_000)); // 4: still WARN
		assertThat(Checks.saturation(jobs, limits, NOW).getStatus()).isEqualTo(Result.Status.WARN);
		jobs.add(running("e", NOW - 2_000)); // 5: CRITICAL
		Result critical = Checks.saturation(jobs, limits, NOW);
		assertThat(critical.getStatus()).isEqualTo(Result.Status.CRITICAL);
		assertThat(critical.toString()).contains("5 runs in progress at once, each on a thread of its own (CRITICAL from 5):"
				+ " b for 1 min 30 s, c for 30.0 s, d for 2.0 s, e for 2.0 s, a for 1.0 s.");
		jobs.add(running("f", NOW - 200_000)); // more than are named
		assertThat(Checks.saturation(jobs, limits, NOW).toString()).contains(": f for 3 min 20 s, b for 1 min 30 s, c for 30.0 s,"
				+ " d for 2.0 s, e for 2.0 s and 1 more.");

		// off: 0 is never, however many run
		assertThat(Checks.saturation(jobs, new Thresholds(3, 10, 0, 0, 60_000, 600_000), NOW).getStatus())
				.isEqualTo(Result.Status.OK);
		// CRITICAL alone, without a WARN threshold
		assertThat(Checks.saturation(jobs, new Thresholds(3, 10, 0, 6, 60_000, 600_000), NOW).getStatus())
				.isEqualTo(Result.Status.CRITICAL);
		assertThat(Checks.saturation(jobs, new Thresholds(3, 10, 0, 7, 60_000, 600_000), NOW).getStatus())
				.isEqualTo(Result.Status.OK);
	}

	@Test
	void saturationReportsBothCausesAtOnce() {
		Thresholds limits = new Thresholds(3, 10, 1, 0, 60_000, 600_000);
		CronJobDTO queued = job("waiting", JobState.SCHEDULED);
		queued.running = true;
		queued.lastRun = run("waiting", Outcome.QUEUED, NOW - 61_000, null, NOW - 61_000);
		Result both = Checks.saturation(List.of(running("busy", NOW - 10_000), queued), limits, NOW);
		assertThat(both.getStatus()).isEqualTo(Result.Status.WARN);
		assertThat(both.toString()).contains("1 run in progress at once").contains("busy for 10.0 s")
				.contains("1 run waiting for a thread, waiting for 1 min 1 s (WARN from 1 min); 1 in progress.");
	}

	private static CronJobDTO running(String name, long started) {
		CronJobDTO job = job(name, JobState.SCHEDULED);
		job.running = true;
		job.lastRun = run(name, Outcome.RUNNING, started, null, null);
		return job;
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
		/** How often {@link #getHistory} was called. */
		volatile int historyReads;

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
			historyReads++;
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
		public CronJobDTO pause(String name, String reason, String by) {
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

		/** The store: available unless a test sets a reason. */
		String storeDown;
		/** The store's clock warning, if a test sets one. */
		String clockWarning;

		@Override
		public java.util.List<io.crontainer.api.runtime.RunWindowDTO> planRerun(String name, java.time.Instant from,
				java.time.Instant to, io.crontainer.api.runtime.RerunSplit split) {
			throw new UnsupportedOperationException();
		}

		@Override
		public io.crontainer.api.runtime.RerunDTO rerun(String name, java.time.Instant from, java.time.Instant to,
				io.crontainer.api.runtime.RerunSplit split, String requestedBy) {
			throw new UnsupportedOperationException();
		}

		@Override
		public io.crontainer.api.runtime.RerunDTO cancelRerun(String name) {
			throw new UnsupportedOperationException();
		}

		@Override
		public io.crontainer.api.runtime.RerunDTO getRerun(String name) {
			return null;
		}

		@Override
		public io.crontainer.api.runtime.EngineDTO getEngine() {
			return engine;
		}

		/** What {@link #getEngine()} returns. */
		io.crontainer.api.runtime.EngineDTO engine = new io.crontainer.api.runtime.EngineDTO();
		{
			engine.commitBuckets = new double[0];
			engine.commitCounts = new long[0];
		}

		@Override
		public io.crontainer.api.runtime.StoreDTO getStore() {
			io.crontainer.api.runtime.StoreDTO store = new io.crontainer.api.runtime.StoreDTO();
			store.description = "PostgreSQL jdbc:postgresql://db/x (node a)";
			store.node = "a";
			store.reason = storeDown;
			store.available = storeDown == null;
			store.clockWarning = clockWarning;
			return store;
		}
	}
}
