package io.crontainer.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {

	private static Map<String, String> rep(String... keyValues) {
		Map<String, String> m = new LinkedHashMap<>();
		for (int i = 0; i < keyValues.length; i += 2) {
			m.put(keyValues[i], keyValues[i + 1]);
		}
		return m;
	}

	private static Report report() {
		Settings settings = Settings.smoke().set("reps", "3").set("sizes", "100,10000").set("lateness.sizes", "1000");
		Map<String, List<Map<String, String>>> runs = new LinkedHashMap<>();
		runs.put("crontainer", List.of(
				rep("registration.10000.ms", "400", "memory.bytes.per.job", "900", "hung.ontime.pct", "100", "lateness.1000.p99.ms", "8"),
				rep("registration.10000.ms", "500", "memory.bytes.per.job", "950", "hung.ontime.pct", "100", "lateness.1000.p99.ms", "4"),
				rep("registration.10000.ms", "600", "memory.bytes.per.job", "1000", "hung.ontime.pct", "90", "lateness.1000.p99.ms", "5",
						"lateness.1000.cpu.ms", "12.5", "lateness.1000.jit.tolast.ms", "30")));
		runs.put("sling", List.of(rep("registration.10000.ms", "3000", "memory.bytes.per.job", "11000", "hung.ontime.pct", "0", "lateness.1000.p99.ms", "200",
				"lateness.1000.cpu.ms", "50", "lateness.1000.jit.tolast.ms", "2")));
		runs.put("karaf", List.of(rep("registration.10000.ms", "2500", "memory.bytes.per.job", "10500", "hung.ontime.pct", "50"),
				rep("error", "boom")));
		return new Report(settings, runs, new MachineFacts("2026-11-29T17:05:00Z", "1.00 1.00 1.00", "2.00 2.00 2.00"));
	}

	@Test
	void cellsAreMediansWithTheirSpreadAndTheRatioIsAgainstTheBestPeer() {
		String table = report().table();
		assertThat(table).contains("| Scenario | Crontainer | Sling 2.7.14 | Karaf 4.4.10 | Crontainer vs best peer |");
		// median 500 of 400..600; best peer Karaf 2,500: 5.0x better
		assertThat(table).contains("| Registration: 10,000 services at once, ms until all scheduled | 500 (400–600) | 3,000 | 2,500 | 5.0× better |");
		// higher is better: 100 % against Karaf's 50 %
		assertThat(table).contains("| 100 % (90 %–100 %) | 0 % | 50 % | 2.0× better |");
		// one repetition of three has it: that one is the cell
		assertThat(table).contains("CPU ms of the scheduler's own threads, until all ran and 0.5 s more | 12.5 | 50.0 | n/a | 4.0× better |");
		assertThat(table).contains("| Retained heap per scheduled job at N = 10,000, bytes | 950 (900–1,000) | 11,000 | 10,500 | 11× better |");
		// the JIT's share of a burst is a condition of the measurement, not a merit: not compared
		assertThat(table).contains("from 50 ms before the fire time until the last start (they compete with the burst for the same cores) | 30.0 "
				+ "| 2.00 | n/a | (the conditions, not compared) |");
		// a scenario nobody measured
		assertThat(table).contains("| Registration: 100 services at once, ms until all scheduled | failed | failed | failed | n/a |");
		// a value not every platform gives (wake-ups are read from /proc): not a failure
		assertThat(table).contains("| Idle, 10,000 held, none due: wake-ups per minute of the scheduler's own threads | n/a | n/a | n/a | n/a |");
	}

	@Test
	void slingWithEventAdminIsNamedSoInTheTables() {
		Settings settings = Settings.smoke().set("sling.eventadmin", "true");
		Map<String, List<Map<String, String>>> runs = new LinkedHashMap<>();
		runs.put("crontainer", List.of(rep("arrival.cpu.us", "300")));
		runs.put("sling", List.of(rep("arrival.cpu.us", "400")));
		String table = new Report(settings, runs, new MachineFacts("2026-12-07T17:00:00Z", "1.00 1.00 1.00", "1.00 1.00 1.00"))
				.table();
		assertThat(table).contains("| Scenario | Crontainer | Sling 2.7.14 + Event Admin | Crontainer vs best peer |");
		assertThat(table).contains("which relays each service event, and so does Sling's here (sling.eventadmin=true))");
		assertThat(report().table()).contains("Sling's has none)").doesNotContain("+ Event Admin");
	}

	@Test
	void targetsAreJudgedOnTheMedians() {
		assertThat(report().targets()).contains(
				"- **met**: 10,000 registrations scheduled in ≤ 2 s: 500 ms",
				"- **met**: ≥ 5× faster than the best peer: 5.0× (best peer 2,500 ms)",
				"- **met**: Retained heap per job ≤ 2 KB: 950 bytes",
				"- **met**: Lateness p99 ≤ 5 ms at M = 1,000: 5.0 ms",
				"- **met**: Registration of 10,000 at or below the best peer: 500 ms against 2,500 ms");
	}

	@Test
	void theReportNamesItsFailuresAndTheReadmeSectionIsReplaced(@TempDir Path dir) throws Exception {
		Report report = report();
		assertThat(report.errors()).containsExactly("karaf: boom");
		Path dated = report.write(dir, "mvn -B verify -Pbenchmarks -pl benchmarks -am");
		assertThat(dated.getFileName().toString()).isEqualTo("2026-11-29.md");
		assertThat(Files.readString(dated)).contains("## Failures", "boom", "## Machine", "1.00 1.00 1.00");

		Path readme = dir.resolve("README.md");
		Files.writeString(readme, "intro\n" + Report.README_START + "\nold\n" + Report.README_END + "\nrest\n");
		report.updateReadme(readme, "the command");
		String text = Files.readString(readme);
		assertThat(text).startsWith("intro\n" + Report.README_START).endsWith(Report.README_END + "\nrest\n")
				.doesNotContain("old").contains("Latest run: 2026-11-29T17:05:00Z, `the command`", "| Scenario |");
	}

	@Test
	void aNamedRunWritesItsOwnFileAndLeavesTheLatestRunOfRecordAlone(@TempDir Path dir) throws Exception {
		Files.writeString(dir.resolve("latest.md"), "the run of record");
		Path named = report().write(dir, "mvn ... -Dbenchmark.lateness.warmup=25", "steady");

		assertThat(named.getFileName().toString()).isEqualTo("2026-11-29-steady.md");
		assertThat(Files.readString(named)).contains("Command: `mvn ... -Dbenchmark.lateness.warmup=25`");
		assertThat(Files.readString(dir.resolve("latest.md"))).isEqualTo("the run of record");
		assertThat(dir.resolve("2026-11-29.md")).doesNotExist();
	}
}
