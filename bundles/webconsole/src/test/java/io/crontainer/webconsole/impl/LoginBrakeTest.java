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

	@Test
	void everyLoopbackAddressIsOneSourceAndIpv6CountsByItsSlash64() {
		for (String a : new String[] { "127.0.0.1", "127.0.3.250", "127.255.255.254", "::1", "0:0:0:0:0:0:0:1",
				"[::1]", "::ffff:127.0.0.9" }) {
			assertThat(LoginBrake.sourceOf(a)).as(a).isEqualTo(LoginBrake.LOOPBACK);
		}
		assertThat(LoginBrake.sourceOf("2001:db8:0:1::5")).isEqualTo(LoginBrake.sourceOf("2001:db8:0:1:ffff:1:2:3"))
				.isEqualTo("2001:db8:0:1::/64").isNotEqualTo(LoginBrake.sourceOf("2001:db8:0:2::5"));
		assertThat(LoginBrake.sourceOf("fe80::1%eth0")).isEqualTo("fe80:0:0:0::/64");
		assertThat(LoginBrake.sourceOf("192.0.2.1")).isEqualTo("192.0.2.1").isNotEqualTo(LoginBrake.sourceOf("192.0.2.2"));
		assertThat(LoginBrake.sourceOf("localhost")).as("a name is never looked up").isEqualTo("localhost");
		assertThat(LoginBrake.sourceOf(null)).isEqualTo("unknown");
	}

	@Test
	void theDeviceHasAHashCheckSlotOfItsOwnAndWaitsForIt() throws Exception {
		LoginBrake brake = new LoginBrake(5, 60_000);
		assertThat(brake.reserve("192.0.2.1", T)).isZero();
		assertThat(brake.reserve("192.0.2.2", T)).isZero();
		assertThat(brake.reserve(LoginBrake.LOOPBACK, T)).as("both shared slots are busy: refused at once").isEqualTo(1);
		assertThat(brake.reserve(LoginBrake.DEVICE, T)).as("the device's own slot").isZero();
		java.util.concurrent.ExecutorService other = java.util.concurrent.Executors.newSingleThreadExecutor();
		try {
			java.util.concurrent.Future<Long> second = other.submit(() -> brake.reserve(LoginBrake.DEVICE, T));
			long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
			while (brake.deviceWaiters() == 0 && System.nanoTime() < deadline) {
				Thread.onSpinWait();
			}
			assertThat(brake.deviceWaiters()).as("a second device attempt waits rather than being refused").isEqualTo(1);
			assertThat(second).isNotDone();
			assertThat(brake.failed(LoginBrake.DEVICE, T)).isZero();
			assertThat(second.get(10, java.util.concurrent.TimeUnit.SECONDS)).isZero();
			brake.succeeded(LoginBrake.DEVICE);
		} finally {
			other.shutdownNow();
		}
		assertThat(brake.freeDeviceChecks()).isEqualTo(LoginBrake.DEVICE_CHECKS);
		assertThat(brake.freeChecks()).isZero();
	}

	@Test
	void aDeviceAttemptPastItsDeadlineIsRefusedAndReservesNothing() {
		LoginBrake brake = new LoginBrake(1, 0);
		assertThat(brake.reserve(LoginBrake.DEVICE, T)).isZero();
		assertThat(brake.reserve(LoginBrake.DEVICE, T)).as("limit 1 with one attempt in flight").isEqualTo(1);
		brake.succeeded(LoginBrake.DEVICE);
		assertThat(brake.reserve(LoginBrake.DEVICE, T)).isZero();
		assertThat(brake.failed(LoginBrake.DEVICE, T)).as("the device has a brake of its own").isEqualTo(1);
		assertThat(brake.waitSeconds(LoginBrake.DEVICE, T)).isEqualTo(1);
		assertThat(brake.waitSeconds(LoginBrake.LOOPBACK, T)).isZero();
		assertThat(brake.freeDeviceChecks()).isEqualTo(LoginBrake.DEVICE_CHECKS);
	}
}
