package io.crontainer.scheduler.impl.runlog;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import io.crontainer.api.runtime.CronLogDTO;
import io.crontainer.api.runtime.CronLogLineDTO;

class RunLogBufferTest {

	private static RunLogBuffer logged(int lines, String text) {
		RunLogBuffer buffer = new RunLogBuffer();
		for (int i = 0; i < lines; i++) {
			buffer.add(i, "INFO", "org.example.Plugin", text + i, null);
		}
		return buffer;
	}

	private static long bytes(CronLogDTO log) {
		long bytes = 0;
		for (CronLogLineDTO line : log.lines) {
			bytes += RunLogBuffer.LINE_OVERHEAD + RunLogBuffer.utf8(line.logger) + RunLogBuffer.utf8(line.message)
					+ (line.thrown == null ? 0 : RunLogBuffer.utf8(line.thrown));
		}
		return bytes;
	}

	@Test
	void aQuietRunKeepsEveryLineInOrder() {
		CronLogDTO log = logged(3, "line ").snapshot("p", 1_000, false);
		assertThat(log.name).isEqualTo("p");
		assertThat(log.started).isEqualTo(1_000);
		assertThat(log.lines).extracting(l -> l.message).containsExactly("line 0", "line 1", "line 2");
		assertThat(log.omitted).isZero();
		assertThat(log.omittedAt).isEqualTo(3);
	}

	@Test
	void aFloodKeepsTheFirstHundredAndTheLastFourHundredLinesAndCountsTheRest() {
		CronLogDTO log = logged(1_000_000, "line ").snapshot("p", 1_000, false);
		assertThat(log.lines).hasSize(RunLogBuffer.HEAD_LINES + RunLogBuffer.TAIL_LINES);
		assertThat(log.omittedAt).isEqualTo(100);
		assertThat(log.omitted).isEqualTo(1_000_000 - 500);
		assertThat(log.lines.get(0).message).isEqualTo("line 0");
		assertThat(log.lines.get(99).message).isEqualTo("line 99");
		assertThat(log.lines.get(100).message).isEqualTo("line 999600");
		assertThat(log.lines.get(499).message).isEqualTo("line 999999");
	}

	@Test
	void longLinesKeepTheLogUnder256KBWithHeadAndTail() {
		String kb = "x".repeat(1024);
		CronLogDTO log = logged(10_000, kb).snapshot("p", 1_000, false);
		assertThat(bytes(log)).isLessThanOrEqualTo(RunLogBuffer.MAX_BYTES);
		assertThat(log.omittedAt).isBetween(1, 99);
		assertThat(log.lines.get(log.lines.size() - 1).message).endsWith("9999");
		assertThat(log.omitted + log.lines.size()).isEqualTo(10_000);
	}

	@Test
	void aHugeMessageAndStackTraceAreCutAndSaySo() {
		RunLogBuffer buffer = new RunLogBuffer();
		buffer.add(1, "ERROR", "L", "m".repeat(100_000), "t".repeat(100_000));
		CronLogLineDTO line = buffer.snapshot("p", 0, false).lines.get(0);
		assertThat(line.message).startsWith("m".repeat(RunLogBuffer.MAX_MESSAGE))
				.endsWith(" [" + (100_000 - RunLogBuffer.MAX_MESSAGE) + " more characters cut]");
		assertThat(line.thrown).hasSize(RunLogBuffer.MAX_THROWN + " [83616 more characters cut]".length());
	}

	@Test
	void nonAsciiCountsAsItsUtf8Bytes() {
		assertThat(RunLogBuffer.utf8("a\u00e9\u20ac\ud83d\ude00")).isEqualTo(1 + 2 + 3 + 4);
		String euros = "\u20ac".repeat(1000); // 3,000 bytes a line
		CronLogDTO log = logged(1_000, euros).snapshot("p", 0, false);
		assertThat(bytes(log)).isLessThanOrEqualTo(RunLogBuffer.MAX_BYTES).isGreaterThan(RunLogBuffer.MAX_BYTES - 4_000);
	}

	@Test
	void nullTextsAreKeptEmpty() {
		RunLogBuffer buffer = new RunLogBuffer();
		buffer.add(1, "WARN", null, null, null);
		CronLogLineDTO line = buffer.snapshot("p", 0, false).lines.get(0);
		assertThat(line.logger).isEmpty();
		assertThat(line.message).isEmpty();
		assertThat(line.thrown).isNull();
	}

	@Test
	void aSnapshotIsNotChangedByLaterLines() {
		RunLogBuffer buffer = logged(5, "a");
		CronLogDTO before = buffer.snapshot("p", 0, true);
		buffer.add(9, "INFO", "L", "later", null);
		assertThat(before.lines).hasSize(5);
		assertThat(before.running).isTrue();
		assertThat(buffer.snapshot("p", 0, false).lines).hasSize(6);
	}

	@Test
	void onlyTheMarkedThreadHasABuffer() throws Exception {
		RunLogBuffer mine = RunLogCapture.begin();
		try {
			assertThat(RunLogCapture.current()).isSameAs(mine);
			AtomicReference<RunLogBuffer> seen = new AtomicReference<>(mine);
			CountDownLatch done = new CountDownLatch(1);
			Thread child = new Thread(() -> { // a thread the plugin starts: not attributed (see RunLogCapture)
				seen.set(RunLogCapture.current());
				done.countDown();
			});
			child.start();
			done.await();
			assertThat(seen.get()).isNull();
		} finally {
			RunLogCapture.end();
		}
		assertThat(RunLogCapture.current()).isNull();
	}
}
