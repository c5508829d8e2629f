package io.crontainer.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.crontainer.launcher.hung.LogCostPlugin;

/**
 * What keeping each run's log costs a plugin that logs, in the real distribution (pax-logging, Log4j2,
 * the console and the rolling file as shipped): the time of one SLF4J INFO line on the run's thread
 * (kept in the run's log) and on another thread (not kept), with the run-log appender configured (as
 * shipped) and without it (the runtime as it was before run logs). Not part of the build (not an
 * {@code *IT}): run it with
 *
 * <pre>
 * mvn -B -pl runtime verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=RunLogBenchmark
 * </pre>
 *
 * It writes {@code benchmarks/results/runlog-latest.md}. The console's threshold is WARN in both (as a
 * service's would be), so each line costs the rolling file's write, as in production.
 */
class RunLogBenchmark {
	private static final int RUNS = 8;
	private static final int WARMUP = 2;

	@TempDir
	Path tmp;

	@Test
	void costOfARunsLog() throws Exception {
		double[] with = measure("with", false);
		double[] without = measure("without", true);
		String machine = Runtime.getRuntime().availableProcessors() + " cores, load average "
				+ Files.readString(Path.of("/proc/loadavg")).trim().split(" ", 4)[0] + ", Java " + System.getProperty("java.version");
		StringBuilder md = new StringBuilder();
		md.append("# Run logs: what keeping each run's log costs\n\n");
		md.append("Run: ").append(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)).append(", ").append(machine)
				.append(", `RunLogBenchmark` (runtime/src/test): ").append(RUNS - WARMUP).append(" measured runs of ")
				.append(LogCostPlugin.class.getSimpleName()).append(" after ").append(WARMUP).append(" warm-up runs, each logging ")
				.append(String.format(Locale.ROOT, "%,d", 20_000)).append(" SLF4J INFO lines on its run's thread and as many on another thread;"
						+ " median (min-max) of the runs' mean time per line.\n\n");
		md.append("| Line logged | without run logs (before) | with run logs (as shipped) | difference |\n|---|---:|---:|---:|\n");
		md.append(row("on a plugin's run thread (kept in its run's log)", without[0], without[1], without[2], with[0], with[1], with[2]));
		md.append(row("on any other thread (not kept)", without[3], without[4], without[5], with[3], with[4], with[5]));
		md.append("\nA flood keeps bounded memory: a run that logs 20,000 lines keeps its first 100 and last 400 (at most"
				+ " 256 KB); see `RunLogBufferTest`. The cost per run (a buffer, its snapshot and the store's write) is"
				+ " measured by `benchmarks/runlog/RunLogCost.java`.\n");
		Path out = Path.of(System.getProperty("crontainer.template")).resolve("../../../benchmarks/results/runlog-latest.md")
				.normalize();
		Files.writeString(out, md.toString(), StandardCharsets.UTF_8);
		System.out.println(md);
	}

	private static String row(String what, double b, double bMin, double bMax, double a, double aMin, double aMax) {
		return String.format(Locale.ROOT, "| %s | %.2f µs (%.2f-%.2f) | %.2f µs (%.2f-%.2f) | %+.2f µs |%n", what, b, bMin, bMax,
				a, aMin, aMax, a - b);
	}

	/** Medians and ranges of µs per line: run thread (3), other thread (3). */
	private double[] measure(String label, boolean withoutAppender) throws Exception {
		Path dir = Files.createDirectories(tmp.resolve(label));
		Path home = Distributions.unpack(dir);
		if (withoutAppender) {
			Path cfg = home.resolve("etc/org.ops4j.pax.logging.cfg");
			List<String> lines = new ArrayList<>(Files.readAllLines(cfg));
			assertThat(lines.removeIf(l -> l.startsWith("log4j2.rootLogger.appenderRef.RunLog"))).isTrue();
			Files.write(cfg, lines);
		}
		Files.write(home.resolve("deploy/logcost.jar"), DistributionIT.pluginJar("io.crontainer.bench.logcost",
				LogCostPlugin.class, "io.crontainer.api;version=\"[1.0,2)\",org.osgi.framework,org.slf4j", "$1"));
		Path output = dir.resolve("output.txt");
		ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/crontainer").toString()).directory(dir.toFile())
				.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).redirectErrorStream(true)
				.redirectOutput(output.toFile());
		pb.environment().put("JAVA_OPTS", DistributionIT.EPHEMERAL_HTTP_PORT + " -Dcrontainer.log.console.level=WARN");
		Process process = pb.start();
		try {
			Distributions.await(process, output, Duration.ofSeconds(60), "logcost deployed",
					() -> client(home, "cron:names").contains("logcost"));
			for (int i = 0; i < RUNS; i++) {
				assertThat(client(home, "cron:fire logcost")).contains("SUCCEEDED");
			}
		} finally {
			process.destroy();
			process.waitFor(20, TimeUnit.SECONDS);
		}
		List<String> results = Files.readAllLines(home.resolve("data/logcost.txt"));
		assertThat(results).hasSize(RUNS);
		double[] run = new double[RUNS - WARMUP];
		double[] other = new double[RUNS - WARMUP];
		for (int i = WARMUP; i < RUNS; i++) {
			String[] f = results.get(i).split(" ");
			run[i - WARMUP] = Long.parseLong(f[0]) / 1000.0 / Long.parseLong(f[2]);
			other[i - WARMUP] = Long.parseLong(f[1]) / 1000.0 / Long.parseLong(f[2]);
		}
		Arrays.sort(run);
		Arrays.sort(other);
		return new double[] { median(run), run[0], run[run.length - 1], median(other), other[0], other[other.length - 1] };
	}

	private static double median(double[] sorted) {
		int n = sorted.length;
		return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
	}

	private static String client(Path home, String command) {
		try {
			Process client = new ProcessBuilder(home.resolve("bin/client").toString(), command).redirectErrorStream(true).start();
			String out = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			client.waitFor(60, TimeUnit.SECONDS);
			return out;
		} catch (Exception e) {
			return e.toString();
		}
	}
}
