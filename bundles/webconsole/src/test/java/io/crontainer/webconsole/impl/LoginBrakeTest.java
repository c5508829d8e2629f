package io.crontainer.webconsole.impl;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LoginBrakeTest {
	static final long T = 1_800_000_000_000L;

	@Test
	void anAttemptIsReservedBeforeItsHashIsChecked() {
		LoginBrake brake = new LoginBrake(2);
		assertThat(brake.reserve("a", T)).isZero();
		assertThat(brake.reserve("a", T)).isZero();
		// Two attempts in flight reach the limit: a third waits, and no third hash check starts.
		assertThat(brake.reserve("a", T)).isEqualTo(1);
		assertThat(brake.freeChecks()).isZero();
		assertThat(brake.reserve("b", T)).as("at most two hash checks at once, whatever the source").isEqualTo(1);
		assertThat(brake.failed("a", T)).isZero();
		assertThat(brake.failed("a", T)).isEqualTo(1);
		assertThat(brake.freeChecks()).isEqualTo(2);
		assertThat(brake.waitSeconds("a", T + 500)).isEqualTo(1);
		assertThat(brake.waitSeconds("b", T + 500)).isZero();
	}

	@Test
	void theWaitDoublesUpToAMinuteAndIsForgottenAfterQuietTime() {
		LoginBrake brake = new LoginBrake(1);
		long now = T;
		long[] expected = { 1, 2, 4, 8, 16, 32, 60, 60 };
		for (long e : expected) {
			assertThat(brake.reserve("a", now)).isZero();
			assertThat(brake.failed("a", now)).isEqualTo(e);
			assertThat(brake.reserve("a", now)).isEqualTo(e);
			now += e * 1000;
		}
		assertThat(brake.reserve("a", now)).as("its wait is over: one attempt").isZero();
		assertThat(brake.reserve("a", now)).as("but only one at a time").isEqualTo(1);
		assertThat(brake.failed("a", now)).isEqualTo(60);
		now += LoginBrake.FORGET_MS;
		assertThat(brake.reserve("a", now)).isZero();
		assertThat(brake.failed("a", now)).as("forgotten after a quiet quarter of an hour").isEqualTo(1);
	}

	@Test
	void aSuccessClearsTheSource() {
		LoginBrake brake = new LoginBrake(3);
		brake.reserve("a", T);
		brake.failed("a", T);
		brake.reserve("a", T);
		brake.succeeded("a");
		assertThat(brake.freeChecks()).isEqualTo(2);
		for (int i = 0; i < 2; i++) {
			brake.reserve("a", T);
			assertThat(brake.failed("a", T)).isZero();
		}
	}
}
