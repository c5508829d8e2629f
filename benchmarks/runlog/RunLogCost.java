import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Locale;

import io.crontainer.api.runtime.CronLogDTO;
import io.crontainer.api.runtime.CronRunDTO;
import io.crontainer.api.runtime.Outcome;
import io.crontainer.api.runtime.Trigger;
import io.crontainer.scheduler.impl.runlog.RunLogBuffer;
import io.crontainer.scheduler.impl.runlog.RunLogCapture;
import io.crontainer.scheduler.impl.store.LocalStateStore;

/**
 * What keeping a run's log costs per run and per line, outside the logging framework: the capture's
 * buffer (RunLogBuffer.add, steady state of a flood), and per run the mark of the run's thread, the
 * snapshot and the local store's write of the log (a file per run, on its writer thread), against the
 * same runs appended without a log. A single-file program (see README.md next to it).
 */
public class RunLogCost {
	static final int REPS = 7;

	public static void main(String[] args) throws Exception {
		StringBuilder md = new StringBuilder();
		md.append("| Measure | median (min-max) |\n|---|---:|\n");
		md.append(row("RunLogBuffer.add, one line, steady state of a flood (ns)", perLine()));
		for (int lines : new int[] { 0, 10, 500, 100_000 }) {
			double[][] run = perRun(lines);
			md.append(row(String.format(Locale.ROOT, "a run that logs %,d lines, on its thread: mark, %s snapshot, hand-off to the"
					+ " store, beyond a run without a log (µs)", lines, lines == 0 ? "" : "capture of the lines,"), run[0]));
			md.append(row(String.format(Locale.ROOT, "a run that logs %,d lines, on the local store's writer thread: its log file"
					+ " written (and the oldest deleted), beyond a run without a log (µs)", lines), run[1]));
		}
		md.append(row("memory held by a full run log (500 lines of 60 characters) while its run runs (KB)", memory()));
		System.out.print(md);
	}

	static String row(String what, double[] values) {
		Arrays.sort(values);
		return String.format(Locale.ROOT, "| %s | %.2f (%.2f-%.2f) |%n", what, values[values.length / 2], values[0],
				values[values.length - 1]);
	}

	static double[] perLine() {
		double[] result = new double[REPS];
		int n = 2_000_000;
		for (int r = 0; r < REPS; r++) {
			RunLogBuffer buffer = new RunLogBuffer();
			long t0 = System.nanoTime();
			for (int i = 0; i < n; i++) {
				buffer.add(i, "INFO", "org.example.Plugin", "line of a run that logs a lot, with a parameter: value", null);
			}
			result[r] = (System.nanoTime() - t0) / (double) n;
		}
		return result;
	}

	/** µs per run beyond a run without a log: [0] on the run's thread, [1] on the store's writer. */
	static double[][] perRun(int lines) throws Exception {
		int runs = lines >= 100_000 ? 50 : 2_000;
		double[][] result = new double[2][REPS];
		for (int r = 0; r < REPS + 1; r++) { // the first is a warm-up
			long[] with = runs(runs, lines, true);
			long[] without = runs(runs, lines, false);
			if (r > 0) {
				result[0][r - 1] = (with[0] - without[0]) / 1000.0 / runs;
				result[1][r - 1] = ((with[1] - with[0]) - (without[1] - without[0])) / 1000.0 / runs;
			}
		}
		return result;
	}

	/**
	 * Nanoseconds for {@code runs} runs of {@code lines} lines appended to a fresh local store: [0] on
	 * the appending thread, [1] until the store closed (its writer wrote everything).
	 */
	static long[] runs(int runs, int lines, boolean keepLog) throws Exception {
		Path dir = Files.createTempDirectory("runlog-cost");
		LocalStateStore store = new LocalStateStore(dir);
		long caller = 0;
		long t0 = System.nanoTime();
		for (int i = 0; i < runs; i++) {
			long c0 = System.nanoTime();
			long started = 1_800_000_000_000L + i;
			RunLogBuffer buffer = keepLog ? RunLogCapture.begin() : null;
			for (int j = 0; j < lines; j++) {
				if (keepLog) {
					buffer.add(started, "INFO", "org.example.Plugin", "line of a run that logs a lot, with a parameter: value", null);
				}
			}
			if (keepLog) {
				RunLogCapture.end();
			}
			CronRunDTO run = new CronRunDTO();
			run.name = "plugin-" + (i % 20);
			run.trigger = Trigger.SCHEDULE;
			run.outcome = Outcome.SUCCEEDED;
			run.started = started;
			run.finished = started + 1;
			run.windowStart = started - 60_000;
			run.windowEnd = started;
			if (keepLog) {
				CronLogDTO log = buffer.snapshot(run.name, run.started, false);
				store.appendHistory(run, log);
			} else {
				store.appendHistory(run);
			}
			caller += System.nanoTime() - c0;
		}
		store.close();
		long elapsed = System.nanoTime() - t0;
		try (var files = Files.walk(dir)) {
			files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
		}
		return new long[] { caller, elapsed };
	}

	static double[] memory() {
		double[] result = new double[REPS];
		for (int r = 0; r < REPS; r++) {
			RunLogBuffer[] held = new RunLogBuffer[200];
			System.gc();
			long before = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
			for (int b = 0; b < held.length; b++) {
				held[b] = new RunLogBuffer();
				for (int i = 0; i < 10_000; i++) {
					held[b].add(i, "INFO", "org.example.Plugin", "line of a run that logs a lot: " + (1_000_000_000L + i) + " units", null);
				}
			}
			System.gc();
			long after = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
			result[r] = (after - before) / 1024.0 / held.length;
			if (held[held.length - 1].isEmpty()) {
				throw new AssertionError();
			}
		}
		return result;
	}
}
