package io.crontainer.scheduler.impl.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import io.crontainer.api.runtime.Outcome;
import io.crontainer.api.runtime.Trigger;

class HistoryTest {
	private static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");
	private final History history = new History(3);

	private RunRecord run(String name, int second, Outcome outcome) {
		RunRecord record = new RunRecord(name, Trigger.SCHEDULE, T0.plusSeconds(second), T0.plusSeconds(second), null);
		record.outcome = outcome;
		history.add(record);
		history.ended(name, outcome);
		return record;
	}

	@Test
	void countsRunsFailuresTimeoutsAndFailuresInARow() {
		run("p", 1, Outcome.SUCCEEDED);
		run("p", 2, Outcome.FAILED);
		run("p", 3, Outcome.TIMED_OUT);
		run("p", 4, Outcome.INTERRUPTED);
		run("p", 5, Outcome.SKIPPED);
		History.Runs runs = history.of("p");
		assertThat(runs.runs).isEqualTo(4);
		assertThat(runs.failures).isEqualTo(1);
		assertThat(runs.timeouts).isEqualTo(1);
		assertThat(runs.consecutiveFailures).isEqualTo(3);
		run("p", 6, Outcome.SUCCEEDED);
		assertThat(runs.consecutiveFailures).isZero();
	}

	@Test
	void keepsTheNewestRunsPerNameAndASkippedFireNeverHidesTheLastRun() {
		RunRecord failed = run("p", 1, Outcome.FAILED);
		run("p", 2, Outcome.SKIPPED);
		assertThat(history.of("p").last()).isSameAs(failed);
		run("p", 3, Outcome.SKIPPED);
		run("p", 4, Outcome.SKIPPED);
		assertThat(history.recent("p", 10)).hasSize(3).allMatch(r -> r.outcome == Outcome.SKIPPED);
		assertThat(history.of("p").last().outcome).as("only skipped fires are kept").isEqualTo(Outcome.SKIPPED);
		run("q", 5, Outcome.SUCCEEDED);
		assertThat(history.recent(2)).extracting(r -> r.name).containsExactly("q", "p");
	}

	@Test
	void theHistoryOfADepartedNameIsKeptForTheMostRecentlyDeparted() {
		for (int i = 0; i < History.DEPARTED + 1; i++) {
			run("gone-" + i, i, Outcome.SUCCEEDED);
			history.departed("gone-" + i);
		}
		assertThat(history.has("gone-0")).isFalse();
		assertThat(history.has("gone-1")).isTrue();
		history.arrived("gone-1"); // back: no longer a departed name
		run("late", 1000, Outcome.SUCCEEDED);
		history.departed("late");
		assertThat(history.has("gone-2")).as("256 departed names: none dropped").isTrue();
		run("later", 1001, Outcome.SUCCEEDED);
		history.departed("later");
		assertThat(history.has("gone-1")).as("live again: kept").isTrue();
		assertThat(history.has("gone-2")).as("the longest departed is dropped").isFalse();
	}
}
