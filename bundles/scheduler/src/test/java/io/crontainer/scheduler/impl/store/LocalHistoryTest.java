package io.crontainer.scheduler.impl.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.crontainer.api.runtime.CronRunDTO;
import io.crontainer.api.runtime.Outcome;
import io.crontainer.api.runtime.Trigger;

class LocalHistoryTest {
	@TempDir
	Path dir;

	private static CronRunDTO run(String name, long started, Outcome outcome, String error) {
		CronRunDTO run = new CronRunDTO();
		run.name = name;
		run.trigger = Trigger.SCHEDULE;
		run.outcome = outcome;
		run.scheduledFire = started;
		run.windowStart = started - 60_000;
		run.windowEnd = started;
		run.started = started;
		run.finished = started + 12;
		run.error = error;
		return run;
	}

	@Test
	void runsSurviveARestartNewestFirst() {
		try (LocalHistory history = new LocalHistory(dir, 10)) {
			history.append(run("a", 1000, Outcome.SUCCEEDED, null));
			history.append(run("b", 2000, Outcome.FAILED, "line one\nline\ttwo \\ three"));
			history.append(run("a", 3000, Outcome.SUCCEEDED, null));
		}
		try (LocalHistory history = new LocalHistory(dir, 10)) {
			assertThat(history.history("a", 10)).extracting(r -> r.started).containsExactly(3000L, 1000L);
			assertThat(history.history(null, 2)).extracting(r -> r.started).containsExactly(3000L, 2000L);
			CronRunDTO failed = history.history("b", 1).get(0);
			assertThat(failed.error).isEqualTo("line one\nline\ttwo \\ three");
			assertThat(failed.windowStart).isEqualTo(2000L - 60_000);
			assertThat(failed.finished).isEqualTo(2012L);
			assertThat(failed.trigger).isEqualTo(Trigger.SCHEDULE);
		}
	}

	@Test
	void aTornLineIsSkippedAndTheFileStaysBounded() throws Exception {
		try (LocalHistory history = new LocalHistory(dir, 3)) {
			history.append(run("a", 1000, Outcome.SUCCEEDED, null));
		}
		Files.writeString(dir.resolve(LocalHistory.FILE), "a\tSCHEDULE\tSUCC", UTF_8, StandardOpenOption.APPEND);
		try (LocalHistory history = new LocalHistory(dir, 3)) {
			assertThat(history.history("a", 10)).hasSize(1);
			history.append(run("a", 1500, Outcome.SUCCEEDED, null));
			for (int i = 0; i < 30_000; i++) {
				history.append(run("p" + (i % 2), 10_000 + i, Outcome.SUCCEEDED, null));
			}
			assertThat(history.history("p1", 10)).extracting(r -> r.started).containsExactly(39_999L, 39_997L, 39_995L);
		}
		assertThat(Files.readAllLines(dir.resolve(LocalHistory.FILE)).size()).isLessThan(10_100);
		try (LocalHistory history = new LocalHistory(dir, 3)) {
			assertThat(history.history("a", 10)).extracting(r -> r.started).containsExactly(1500L, 1000L);
		}
	}
}
