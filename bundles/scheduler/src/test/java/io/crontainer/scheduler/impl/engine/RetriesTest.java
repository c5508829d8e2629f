package io.crontainer.scheduler.impl.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import io.crontainer.api.runtime.Trigger;
import io.crontainer.scheduler.impl.whiteboard.RetryPolicy;
import io.crontainer.store.api.PendingRetry;

/** The rules of cron.retry, decided without an engine. */
class RetriesTest {
	static final Instant T = Instant.parse("2026-12-07T09:00:00Z");
	static final long NEXT = T.plus(Duration.ofHours(1)).toEpochMilli();
	static final RetryPolicy THREE = new RetryPolicy(3, Duration.ofSeconds(30), Duration.ofMinutes(5));

	@Test
	void aFailedScheduledRunLeavesTheFirstRetryAndEachRetryTheNextWithTwiceTheDelay() {
		Retries.Decision first = Retries.after(THREE, Trigger.SCHEDULE, null, T, NEXT);
		assertThat(first.retry()).isEqualTo(new PendingRetry(1, 3, T.plusSeconds(30), Instant.ofEpochMilli(NEXT)));
		Instant failedAgain = T.plusSeconds(31);
		Retries.Decision second = Retries.after(THREE, Trigger.RETRY, first.retry(), failedAgain, NEXT);
		assertThat(second.retry().attempt()).isEqualTo(2);
		assertThat(second.retry().at()).isEqualTo(failedAgain.plusSeconds(60));
		Retries.Decision third = Retries.after(THREE, Trigger.RETRY, second.retry(), failedAgain.plusSeconds(61), NEXT);
		assertThat(third.retry().attempt()).isEqualTo(3);
		assertThat(third.retry().at()).isEqualTo(failedAgain.plusSeconds(61 + 120));
		assertThat(Retries.after(THREE, Trigger.RETRY, third.retry(), T.plusSeconds(400), NEXT).retry())
				.as("all three spent").isNull();
		assertThat(Retries.after(THREE, Trigger.MISFIRE, null, T, NEXT).retry().attempt()).isEqualTo(1);
		assertThat(Retries.after(THREE, Trigger.SCHEDULE, third.retry(), T, NEXT).retry().attempt())
				.as("a scheduled run that took over starts again from the first").isEqualTo(1);
	}

	@Test
	void noRetryAtOrAfterTheNextFireTime() {
		long soon = T.plusSeconds(30).toEpochMilli();
		assertThat(Retries.after(THREE, Trigger.SCHEDULE, null, T, soon).retry()).isNull();
		assertThat(Retries.after(THREE, Trigger.SCHEDULE, null, T, soon + 1).retry()).isNotNull();
		assertThat(Retries.after(THREE, Trigger.SCHEDULE, null, T, Job.NONE).retry().until())
				.isEqualTo(T.plusSeconds(30).plus(Retries.NO_FIRE_TIME));
	}

	@Test
	void noRetriesAskedForNoneMade() {
		assertThat(Retries.after(RetryPolicy.NONE, Trigger.SCHEDULE, null, T, NEXT)).isEqualTo(new Retries.Decision(false, null));
	}

	@Test
	void aManualRunLeavesThePendingRetryAsItWas() {
		PendingRetry pending = new PendingRetry(2, 3, T.plusSeconds(60), Instant.ofEpochMilli(NEXT));
		assertThat(Retries.after(THREE, Trigger.MANUAL, pending, T, NEXT)).isEqualTo(new Retries.Decision(true, pending));
		assertThat(Retries.after(THREE, Trigger.MANUAL, null, T, NEXT)).isEqualTo(new Retries.Decision(true, null));
	}

	@Test
	void aRetryRunsAtItsTimeOrAtOnceAfterARestartButNeverOnceTheNextFireTimeCame() {
		PendingRetry retry = new PendingRetry(1, 3, T.plusSeconds(30), Instant.ofEpochMilli(NEXT));
		assertThat(Retries.when(retry, T, NEXT)).isEqualTo(T.plusSeconds(30));
		assertThat(Retries.when(retry, T.plusSeconds(600), NEXT)).as("its time passed while down").isEqualTo(
				T.plusSeconds(600));
		assertThat(Retries.when(retry, Instant.ofEpochMilli(NEXT), NEXT)).isNull();
		assertThat(Retries.when(retry, T.plusSeconds(600), T.plusSeconds(600).toEpochMilli()))
				.as("a fire time moved earlier (another interval)").isNull();
		assertThat(Retries.when(retry, T.plusSeconds(600), Job.NONE)).isEqualTo(T.plusSeconds(600));
		assertThat(Retries.when(retry, Instant.ofEpochMilli(NEXT + 1), Job.NONE)).as("past its until").isNull();
	}
}
