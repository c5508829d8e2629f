package io.crontainer.webconsole.impl;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.junit.jupiter.api.Test;

import io.crontainer.api.runtime.CronJobDTO;
import io.crontainer.api.runtime.CronRunDTO;
import io.crontainer.api.runtime.CronRuntime;
import io.crontainer.api.runtime.JobState;
import io.crontainer.api.runtime.Outcome;
import io.crontainer.api.runtime.Trigger;

/** The page's answers to Fire, decided before and after it asks the runtime view. */
class CronJobsPageTest {

	final Fake rt = new Fake();
	final CronJobsPage page = new CronJobsPage();

	static CronJobDTO job(String name, JobState state) {
		CronJobDTO job = new CronJobDTO();
		job.name = name;
		job.state = state;
		job.zone = "UTC";
		return job;
	}

	static CronRunDTO run(String name, Outcome outcome, String error) {
		CronRunDTO run = new CronRunDTO();
		run.name = name;
		run.trigger = Trigger.MANUAL;
		run.outcome = outcome;
		run.started = 1000;
		run.finished = 1042L;
		run.error = error;
		return run;
	}

	@Test
	void aRunningPluginIsNeverFiredTwice() {
		CronJobDTO job = job("heartbeat", JobState.SCHEDULED);
		job.running = true;
		job.lastRun = run("heartbeat", Outcome.RUNNING, null);
		assertThat(page.fire(rt, job)).containsExactly("error",
				"Refused: heartbeat is running already; a plugin never runs twice at once.");
		job.lastRun.outcome = Outcome.QUEUED;
		assertThat(page.fire(rt, job)[1]).isEqualTo(
				"Refused: heartbeat is queued to run already; a plugin never runs twice at once.");
		assertThat(rt.fired).isEmpty();
	}

	@Test
	void pluginsThatAreNeverFiredAreRefusedWithTheirReason() {
		CronJobDTO invalid = job("x", JobState.INVALID);
		invalid.reason = "interval 'nonsense' cannot be parsed";
		assertThat(page.fire(rt, invalid)[1])
				.isEqualTo("Refused: x is INVALID (interval 'nonsense' cannot be parsed) and is never fired.");
		assertThat(page.fire(rt, job("b", JobState.BLOCKED))[1]).isEqualTo("Refused: b is BLOCKED; reset it to clear that.");
		assertThat(page.fire(rt, job("s", JobState.STUCK))[1]).startsWith("Refused: s is STUCK");
		assertThat(page.fire(rt, job("p", JobState.PENDING))[1]).startsWith("Refused: p is PENDING");
		assertThat(rt.fired).isEmpty();
	}

	@Test
	void aFiredRunReportsItsOutcome() {
		rt.next = CompletableFuture.completedFuture(run("a", Outcome.SUCCEEDED, null));
		assertThat(page.fire(rt, job("a", JobState.PAUSED))).containsExactly("info", "Fired a: SUCCEEDED in 42 ms.");
		rt.next = CompletableFuture.completedFuture(run("a", Outcome.FAILED, "java.io.IOException: disk full"));
		assertThat(page.fire(rt, job("a", JobState.DISABLED))).containsExactly("error",
				"Fired a: FAILED in 42 ms: java.io.IOException: disk full");
		rt.next = new CompletableFuture<>(); // still running after the page's wait
		assertThat(page.fire(rt, job("a", JobState.SCHEDULED))[1])
				.isEqualTo("Fired a; it is still running, on a thread of its own. Its run is in the history.");
		assertThat(rt.fired).containsExactly("a", "a", "a");
	}

	@Test
	void unknownNamesListTheKnownOnes() {
		assertThat(CronJobsPage.unknown(rt, "nope")).isEqualTo("Unknown cron plugin \"nope\": the scheduler knows none.");
		rt.jobs.add(job("b", JobState.SCHEDULED));
		rt.jobs.add(job("a", JobState.SCHEDULED));
		assertThat(CronJobsPage.unknown(rt, "nope")).isEqualTo("Unknown cron plugin \"nope\"; known: a, b.");
	}

	static final class Fake implements CronRuntime {
		final List<CronJobDTO> jobs = new ArrayList<>();
		final List<String> fired = new ArrayList<>();
		CompletionStage<CronRunDTO> next;

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
			return List.of();
		}

		@Override
		public CompletionStage<CronRunDTO> fire(String name) {
			fired.add(name);
			return next;
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
		public CronJobDTO reset(String name, Instant since) {
			throw new UnsupportedOperationException();
		}

		@Override
		public List<ZonedDateTime> getNextFireTimes(String name, int count) {
			return List.of();
		}

		@Override
		public List<ZonedDateTime> preview(String interval, String name, ZoneId zone, Instant from, int count) {
			return List.of();
		}

		@Override
		public String describe(String interval, String name, ZoneId zone) {
			return interval;
		}

		@Override
		public ZoneId getDefaultZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public io.crontainer.api.runtime.StoreDTO getStore() {
			io.crontainer.api.runtime.StoreDTO store = new io.crontainer.api.runtime.StoreDTO();
			store.description = "local journal";
			store.available = true;
			return store;
		}
	}
}
