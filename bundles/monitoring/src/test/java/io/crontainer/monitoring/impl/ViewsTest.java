package io.crontainer.monitoring.impl;

import static io.crontainer.monitoring.impl.ChecksTest.NOW;
import static io.crontainer.monitoring.impl.ChecksTest.job;
import static io.crontainer.monitoring.impl.ChecksTest.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.crontainer.api.runtime.CronJobDTO;
import io.crontainer.api.runtime.JobState;
import io.crontainer.api.runtime.Outcome;

class ViewsTest {

	@Test
	void lastDurationIsOfTheNewestFinishedRun() {
		assertThat(CronPluginView.lastDuration(List.of())).isEqualTo(-1);
		assertThat(CronPluginView.lastDuration(List.of(run("a", Outcome.RUNNING, NOW, null, null),
				run("a", Outcome.SKIPPED, NOW - 10, NOW - 10, NOW - 10), run("a", Outcome.FAILED, NOW - 100, NOW - 58, null),
				run("a", Outcome.SUCCEEDED, NOW - 200, NOW - 100, null)))).isEqualTo(42);
	}

	@Test
	void lastLatenessIsOfTheNewestStartedScheduledRun() {
		assertThat(CronPluginView.lastLateness(List.of(run("a", Outcome.SUCCEEDED, NOW, NOW + 1, null))))
				.as("manual runs have no fire time").isEqualTo(-1);
		assertThat(CronPluginView.lastLateness(List.of(run("a", Outcome.QUEUED, NOW, null, NOW - 5),
				run("a", Outcome.SKIPPED, NOW - 1000, NOW - 1000, NOW - 1000),
				run("a", Outcome.SUCCEEDED, NOW - 59_750, NOW - 59_000, NOW - 60_000)))).isEqualTo(250);
	}

	@Test
	void pluginViewReadsLiveAndSaysWhenThePluginLeft() {
		ChecksTest.FakeRuntime rt = new ChecksTest.FakeRuntime();
		CronJobDTO job = job("a", JobState.SCHEDULED);
		job.runCount = 7;
		job.failureCount = 2;
		job.timeoutCount = 1;
		job.consecutiveFailures = 1;
		job.nextFire = 0L;
		job.bundleSymbolicName = "com.example";
		job.bundleId = 12;
		job.lastRun = run("a", Outcome.TIMED_OUT, NOW, NOW + 10, null);
		rt.jobs.add(job);
		rt.runs.add(job.lastRun);
		CronPluginView view = new CronPluginView("a", () -> rt);
		assertThat(view.getState()).isEqualTo("SCHEDULED");
		assertThat(view.getRunCount()).isEqualTo(7);
		assertThat(view.getFailureCount()).isEqualTo(2);
		assertThat(view.getTimeoutCount()).isEqualTo(1);
		assertThat(view.getConsecutiveFailures()).isEqualTo(1);
		assertThat(view.getLastOutcome()).isEqualTo("TIMED_OUT");
		assertThat(view.getLastDurationMillis()).isEqualTo(10);
		assertThat(view.getNextFire()).isEqualTo("1970-01-01T00:00:00Z");
		assertThat(view.getLastWindowEnd()).isNull();
		assertThat(view.getMissedFires()).isZero();
		assertThat(view.getLastMissedFire()).isNull();
		job.missedFires = 4;
		job.lastMissedFire = 60_000L;
		assertThat(view.getMissedFires()).isEqualTo(4);
		assertThat(view.getLastMissedFire()).isEqualTo("1970-01-01T00:01:00Z");
		assertThat(view.getBundle()).isEqualTo("com.example [12]");
		assertThat(view.getPausedBy()).isNull();
		assertThat(view.getRetryAttempt()).isZero();
		assertThat(view.getRetryAt()).isNull();
		job.retries = 3;
		job.retryAttempt = 2;
		job.retryAt = 120_000L;
		assertThat(view.getRetries()).isEqualTo(3);
		assertThat(view.getRetryAttempt()).isEqualTo(2);
		assertThat(view.getRetryAt()).isEqualTo("1970-01-01T00:02:00Z");
		job.state = JobState.PAUSED;
		job.pausedBy = "bin/client session 2 (user alice)\u001b[2J";
		job.pausedAt = 60_000L;
		job.pauseReason = "migration\nstep 2";
		assertThat(view.getState()).isEqualTo("PAUSED");
		assertThat(view.getPausedBy()).isEqualTo("bin/client session 2 (user alice)\\e[2J");
		assertThat(view.getPausedAt()).isEqualTo("1970-01-01T00:01:00Z");
		assertThat(view.getPauseReason()).isEqualTo("migration\\nstep 2");
		job.reason = "paused by x at 1970-01-01T00:01:00Z: migration\nstep 2";
		assertThat(view.getReason()).isEqualTo("paused by x at 1970-01-01T00:01:00Z: migration\\nstep 2");
		rt.jobs.clear();
		assertThatThrownBy(view::getState).isInstanceOf(IllegalStateException.class)
				.hasMessage("Cron plugin \"a\" is no longer deployed");
		assertThatThrownBy(new CronPluginView("a", () -> null)::getState)
				.hasMessage("The Crontainer scheduler is not running");
	}

	@Test
	void schedulerViewCountsStatesAndRuns() {
		ChecksTest.FakeRuntime rt = new ChecksTest.FakeRuntime();
		CronJobDTO a = job("a", JobState.SCHEDULED);
		a.running = true;
		a.lastRun = run("a", Outcome.RUNNING, NOW, null, null);
		a.runCount = 3;
		CronJobDTO b = job("b", JobState.PAUSED);
		b.running = true;
		b.lastRun = run("b", Outcome.QUEUED, NOW, null, NOW);
		b.runCount = 4;
		b.failureCount = 1;
		CronJobDTO c = job("c", JobState.BLOCKED);
		rt.jobs.addAll(List.of(a, b, c));
		SchedulerView view = new SchedulerView(() -> rt);
		assertThat(view.isAvailable()).isTrue();
		assertThat(view.getPlugins()).isEqualTo(3);
		assertThat(view.getScheduledPlugins()).isEqualTo(1);
		assertThat(view.getPausedPlugins()).isEqualTo(1);
		assertThat(view.getBlockedPlugins()).isEqualTo(1);
		assertThat(view.getStuckPlugins()).isZero();
		assertThat(view.getRunningRuns()).isEqualTo(1);
		assertThat(view.getQueuedRuns()).isEqualTo(1);
		assertThat(view.getRunCount()).isEqualTo(7);
		assertThat(view.getFailureCount()).isEqualTo(1);
		assertThat(view.getPluginsByState()).containsEntry("BLOCKED", 1).containsEntry("DISABLED", 0)
				.hasSize(JobState.values().length);
		SchedulerView down = new SchedulerView(() -> null);
		assertThat(down.isAvailable()).isFalse();
		assertThat(down.getPlugins()).isZero();
	}

	@Test
	void pluginNamesAreQuotedInMBeanNames() {
		assertThat(JmxExporter.objectName("token-cleaner").toString())
				.isEqualTo("io.crontainer:type=CronPlugin,name=\"token-cleaner\"");
		assertThat(JmxExporter.objectName("a,b=c:\"d\"*").getKeyProperty("name")).isEqualTo("\"a,b=c:\\\"d\\\"\\*\"");
	}
}
