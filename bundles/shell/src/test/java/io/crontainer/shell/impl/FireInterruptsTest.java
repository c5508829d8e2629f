package io.crontainer.shell.impl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.ExecutionException;

import org.junit.jupiter.api.Test;

class FireInterruptsTest {

	@Test
	void namesThePluginOfAnInterruptedFire() {
		InterruptedException interrupted = new InterruptedException();
		assertThat(FireInterrupts.interruptedFire("cron:fire hung", interrupted)).isEqualTo("hung");
		assertThat(FireInterrupts.interruptedFire("  fire 'hung' ", interrupted)).isEqualTo("hung");
		assertThat(FireInterrupts.interruptedFire("cron:fire hung", new ExecutionException(interrupted)))
				.isEqualTo("hung");
	}

	@Test
	void saysNothingForOtherCommandsAndFailures() {
		InterruptedException interrupted = new InterruptedException();
		assertThat(FireInterrupts.interruptedFire("cron:fire --async hung", interrupted)).isNull();
		assertThat(FireInterrupts.interruptedFire("cron:list", interrupted)).isNull();
		assertThat(FireInterrupts.interruptedFire("cron:fire hung; cron:list", interrupted)).isNull();
		assertThat(FireInterrupts.interruptedFire("cron:fire hung", new IllegalStateException("Refused"))).isNull();
		assertThat(FireInterrupts.interruptedFire("cron:fire hung", null)).isNull();
	}

	@Test
	void theNoteIsOneEscapedLine() {
		assertThat(FireInterrupts.note("a\u001b]0;x\u0007")).isEqualTo("Stopped waiting for a\\e]0;x\\x07 (Ctrl-C); its"
				+ " run goes on: cron:list shows it running, cron:history a\\e]0;x\\x07 shows how it ends.")
				.doesNotContain("\n");
	}
}
