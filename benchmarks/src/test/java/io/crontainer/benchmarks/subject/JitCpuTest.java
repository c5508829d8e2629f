package io.crontainer.benchmarks.subject;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The JIT compiler threads' CPU that the lateness rounds report beside the scheduler's own. */
class JitCpuTest {

	@Test
	void theCompilersCpuBetweenTwoReadingsCountsThreadsStartedMeanwhileAndNotThoseThatEnded() {
		Map<String, Long> before = Map.of("101", 5_000_000L, "102", 1_000_000L);
		// 101 went on for 2 ms, 102 ended (its time is gone), 103 started and used 0.5 ms
		Map<String, Long> after = Map.of("101", 7_000_000L, "103", 500_000L);

		assertThat(Scenarios.jitCpuMs(before, after)).isEqualTo(2.5);
		assertThat(Scenarios.jitCpuMs(null, after)).isNaN();
		assertThat(Scenarios.jitCpuMs(before, null)).isNaN();
	}

	@Test
	void theCompilerThreadsOfThisJvmAreFoundWhereTheKernelListsThreads() {
		assumeThat(Files.isDirectory(Path.of("/proc/self/task"))).as("a kernel that lists threads in /proc").isTrue();
		Map<String, Long> threads = Scenarios.jitCpuNanos();

		// This JVM compiles with at least one compiler thread (C1 at least, with or without tiered C2),
		// and a test run has compiled something by now.
		assertThat(threads).isNotEmpty();
		assertThat(threads.values()).allSatisfy(ns -> assertThat(ns).isPositive());
	}
}
