package io.crontainer.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmark at N = 10, in the default build: boots plain Felix with each subject's bundles, runs
 * every scenario and writes the report, so that the harness cannot rot. Its numbers mean nothing and
 * are not asserted; that every scenario produced them for every subject is.
 */
class BenchmarkSmokeIT {

	private static final List<String> KEYS = List.of("registration.10.ms", "arrival.p50.ms", "arrival.p99.ms", "departure.p50.ms",
			"departure.p99.ms", "observation.us", "memory.bytes.per.job", "idle.cpu.ms.per.min", "idle.java.cpu.ms.per.min", "idle.scheduler.cpu.ms.per.min",
			"lateness.10.p50.ms", "lateness.10.p99.ms", "lateness.10.max.ms", "lateness.10.fired", "lateness.10.cpu.ms", "registration.10.cpu.ms",
			"hung.ontime.pct", "hung.maxgap.ms", "arrival.cpu.us");

	@Test
	void everyScenarioRunsOnEverySubject(@TempDir Path dir) throws Exception {
		Report report = new Benchmark(Settings.smoke(), BundleSets.load(), dir.resolve("work")).run();

		assertThat(report.errors()).isEmpty();
		for (String subject : Settings.ALL_SUBJECTS) {
			for (String key : KEYS) {
				assertThat(report.values(subject, key)).as(subject + " " + key).hasSize(1);
			}
			// Every job due in the same second fired: the subjects evaluate the intervals in UTC.
			assertThat(report.values(subject, "lateness.10.fired")).as(subject).containsExactly(10.0);
			assertThat(report.values(subject, "registration.10.ms").get(0)).as(subject).isPositive();
			if (Files.isDirectory(Path.of("/proc/self/task"))) { // wake-ups are counted from the kernel's thread list
				assertThat(report.values(subject, "idle.scheduler.wakeups.per.min")).as(subject).hasSize(1);
			}
		}

		Path written = report.write(dir.resolve("results"), "smoke");
		String md = Files.readString(written);
		assertThat(md).contains("| Scenario | Crontainer | Sling 2.7.14 | Karaf 4.4.10 | Crontainer vs best peer |")
				.contains("Registration: 10 services at once").contains("## Machine").doesNotContain("failed");
		assertThat(dir.resolve("results/latest.md")).hasContent(md);
	}
}
