package io.crontainer.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The report of one benchmark run: a Markdown table (rows: scenario; columns: Crontainer, the two
 * peers, Crontainer against the best peer) of the medians over the repetitions with their spread
 * (min-max), the targets, the machine facts and the raw values.
 *
 * <p>
 * Immutable once built; not thread-safe.
 */
public final class Report {

	/** Marks the start of the generated section of a README. */
	public static final String README_START = "<!-- benchmark-results:start -->";
	/** Marks the end of the generated section of a README. */
	public static final String README_END = "<!-- benchmark-results:end -->";

	private static final Map<String, String> NAMES = Map.of("crontainer", "Crontainer", "sling", "Sling 2.7.14", "karaf", "Karaf 4.4.10");

	private enum Unit {
		MS, US, BYTES, PCT, COUNT
	}

	/**
	 * A row of the table. An optional one (a value not every platform gives) shows "n/a" where it is
	 * missing. {@code compared}: whether the last column compares Crontainer with the best peer;
	 * {@code false} for a row that shows the conditions of a measurement (the JIT's share of a burst),
	 * not a merit of the scheduler.
	 */
	private record Row(String label, String key, Unit unit, boolean lowerIsBetter, boolean optional, boolean compared) {
		Row(String label, String key, Unit unit, boolean lowerIsBetter) {
			this(label, key, unit, lowerIsBetter, false);
		}

		Row(String label, String key, Unit unit, boolean lowerIsBetter, boolean optional) {
			this(label, key, unit, lowerIsBetter, optional, true);
		}
	}

	private final Settings settings;
	private final Map<String, List<Map<String, String>>> runs;
	private final MachineFacts machine;
	private final List<Row> rows = new ArrayList<>();

	Report(Settings settings, Map<String, List<Map<String, String>>> runs, MachineFacts machine) {
		this.settings = settings;
		this.runs = runs;
		this.machine = machine;
		List<Integer> sizes = settings.integers("sizes");
		String held = String.format(Locale.ROOT, "%,d", Collections.max(sizes));
		for (int n : sizes) {
			rows.add(new Row(String.format(Locale.ROOT, "Registration: %,d services at once, ms until all scheduled", n), "registration." + n + ".ms", Unit.MS, true));
		}
		int largest = Collections.max(sizes);
		rows.add(new Row("Registration: " + held + " services at once, process CPU ms", "registration." + largest + ".cpu.ms", Unit.MS, true, true));
		rows.add(new Row("Arrival with " + held + " held: p50 ms until scheduled", "arrival.p50.ms", Unit.MS, true));
		rows.add(new Row("Arrival with " + held + " held: p99 ms until scheduled", "arrival.p99.ms", Unit.MS, true));
		rows.add(new Row("Departure with " + held + " held: p50 ms until unscheduled", "departure.p50.ms", Unit.MS, true));
		rows.add(new Row("Departure with " + held + " held: p99 ms until unscheduled", "departure.p99.ms", Unit.MS, true));
		rows.add(new Row("Arrival and departure with " + held + " held: CPU µs per pair (the registering thread inside register and unregister, and every other"
				+ " Java thread alive at the end; Crontainer's JVM also runs Felix Event Admin, which relays each service event, "
				+ (settings.bool("sling.eventadmin") ? "and so does Sling's here (sling.eventadmin=true))" : "Sling's has none)"),
				"arrival.cpu.us", Unit.US, true, true));
		rows.add(new Row("Arrival and departure with " + held + " held: CPU µs per pair of the process but the registering thread (threads that ended"
				+ " in between, the JIT and GC included)", "arrival.cpu.process.others.us", Unit.US, true, true));
		rows.add(new Row("Retained heap per scheduled job at N = " + held + ", bytes", "memory.bytes.per.job", Unit.BYTES, true));
		for (int m : settings.integers("lateness.sizes")) {
			String due = String.format(Locale.ROOT, "%,d", m);
			rows.add(new Row("Lateness, " + due + " jobs due in the same second: p50 ms", "lateness." + m + ".p50.ms", Unit.MS, true));
			rows.add(new Row("Lateness, " + due + " jobs due in the same second: p99 ms", "lateness." + m + ".p99.ms", Unit.MS, true));
			rows.add(new Row("Lateness, " + due + " jobs due in the same second: max ms", "lateness." + m + ".max.ms", Unit.MS, true));
			rows.add(new Row("Lateness, " + due + " jobs due in the same second: CPU ms of the scheduler's own threads, until all ran and 0.5 s more",
					"lateness." + m + ".cpu.ms", Unit.MS, true, true));
			rows.add(new Row("Lateness, " + due + " jobs due in the same second: CPU ms of the JVM's JIT compiler threads, from 50 ms before"
					+ " the fire time until the last start (they compete with the burst for the same cores)",
					"lateness." + m + ".jit.tolast.ms", Unit.MS, true, true, false));
		}
		rows.add(new Row("Idle CPU, " + held + " held, none due: ms CPU per minute (process)", "idle.cpu.ms.per.min", Unit.MS, true));
		rows.add(new Row("Idle CPU, " + held + " held, none due: ms CPU per minute (all Java threads)", "idle.java.cpu.ms.per.min", Unit.MS, true));
		rows.add(new Row("Idle CPU, " + held + " held, none due: ms CPU per minute (the scheduler's own threads)", "idle.scheduler.cpu.ms.per.min", Unit.MS, true));
		rows.add(new Row("Idle, " + held + " held, none due: wake-ups per minute of the scheduler's own threads", "idle.scheduler.wakeups.per.min", Unit.COUNT, true, true));
		int hung = settings.integer("hung.count");
		rows.add(new Row("Hung jobs: with " + hung + " that never return, % of the other jobs' due seconds fired on time", "hung.ontime.pct", Unit.PCT, false));
		rows.add(new Row("Hung jobs: longest gap between two fires of another job (due every 1 s), ms", "hung.maxgap.ms", Unit.MS, true));
	}

	/** @return The runs: per subject, one map of results per repetition. */
	public Map<String, List<Map<String, String>>> runs() {
		return runs;
	}

	/** @return The errors of the subject JVMs that failed, empty if none did. */
	public List<String> errors() {
		List<String> errors = new ArrayList<>();
		runs.forEach((subject, reps) -> reps.forEach(r -> {
			if (r.containsKey("error")) {
				errors.add(subject + ": " + r.get("error"));
			}
		}));
		return errors;
	}

	/**
	 * @param subject A subject.
	 * @param key A result key.
	 * @return The values over the repetitions that have it, in repetition order.
	 */
	public List<Double> values(String subject, String key) {
		List<Double> values = new ArrayList<>();
		for (Map<String, String> rep : runs.getOrDefault(subject, List.of())) {
			String v = rep.get(key);
			if (v != null) {
				values.add(Double.valueOf(v));
			}
		}
		return values;
	}

	private Double median(String subject, String key) {
		List<Double> v = values(subject, key);
		return v.isEmpty() ? null : Stats.median(v);
	}

	/** @return The results table in Markdown. */
	public String table() {
		List<String> subjects = new ArrayList<>(runs.keySet());
		StringBuilder sb = new StringBuilder();
		sb.append("| Scenario |");
		for (String s : subjects) {
			sb.append(' ').append(name(s)).append(" |");
		}
		sb.append(" Crontainer vs best peer |\n|---|");
		sb.append("---:|".repeat(subjects.size())).append("---|\n");
		for (Row row : rows) {
			sb.append("| ").append(row.label).append(" |");
			for (String s : subjects) {
				sb.append(' ').append(cell(s, row)).append(" |");
			}
			sb.append(' ').append(ratio(row)).append(" |\n");
		}
		return sb.toString();
	}

	private String cell(String subject, Row row) {
		List<Double> v = values(subject, row.key);
		if (v.isEmpty()) {
			return row.optional ? "n/a" : "failed";
		}
		String median = format(Stats.median(v), row.unit);
		double min = Collections.min(v);
		double max = Collections.max(v);
		if (v.size() == 1 || format(min, row.unit).equals(format(max, row.unit))) {
			return median;
		}
		return median + " (" + format(min, row.unit) + "–" + format(max, row.unit) + ")";
	}

	private String ratio(Row row) {
		if (!row.compared) {
			return "(the conditions, not compared)";
		}
		Double ours = median("crontainer", row.key);
		Double best = null;
		for (String peer : runs.keySet()) {
			if (peer.equals("crontainer")) {
				continue;
			}
			Double v = median(peer, row.key);
			if (v != null && (best == null || (row.lowerIsBetter ? v < best : v > best))) {
				best = v;
			}
		}
		if (ours == null || best == null) {
			return "n/a";
		}
		if (format(ours, row.unit).equals(format(best, row.unit))) {
			return "same";
		}
		boolean weWin = row.lowerIsBetter ? ours < best : ours > best;
		if (ours <= 0 || best <= 0) {
			return weWin ? "better" : "worse";
		}
		double factor = Math.max(ours, best) / Math.min(ours, best);
		return String.format(Locale.ROOT, "%s× %s", factor >= 10 ? String.format(Locale.ROOT, "%,.0f", factor) : String.format(Locale.ROOT, "%.1f", factor),
				weWin ? "better" : "worse");
	}

	/** A subject's name in the tables: Sling's says so when it runs Felix Event Admin ({@code sling.eventadmin}). */
	private String name(String subject) {
		String name = NAMES.getOrDefault(subject, subject);
		return subject.equals("sling") && settings.bool("sling.eventadmin") ? name + " + Event Admin" : name;
	}

	private static String format(double v, Unit unit) {
		return switch (unit) {
			case BYTES -> String.format(Locale.ROOT, "%,.0f", v);
			case PCT -> String.format(Locale.ROOT, "%.0f %%", v);
			case COUNT -> Math.abs(v) >= 10 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.1f", v);
			case MS, US -> Math.abs(v) >= 100 ? String.format(Locale.ROOT, "%,.0f", v) : Math.abs(v) >= 10 ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%.2f", v);
		};
	}

	/** @return The targets of issues 7 and 19 and whether the medians meet them; empty for a smoke run. */
	public List<String> targets() {
		List<String> lines = new ArrayList<>();
		if (!settings.integers("sizes").contains(10000)) {
			return lines;
		}
		Double reg = median("crontainer", "registration.10000.ms");
		Double bestPeer = bestPeer("registration.10000.ms");
		if (reg != null) {
			lines.add(verdict(reg <= 2000, String.format(Locale.ROOT, "10,000 registrations scheduled in ≤ 2 s: %,.0f ms", reg)));
			if (bestPeer != null) {
				lines.add(verdict(bestPeer / reg >= 5, String.format(Locale.ROOT, "≥ 5× faster than the best peer: %.1f× (best peer %,.0f ms)", bestPeer / reg, bestPeer)));
			}
		}
		Double heap = median("crontainer", "memory.bytes.per.job");
		if (heap != null) {
			lines.add(verdict(heap <= 2048, String.format(Locale.ROOT, "Retained heap per job ≤ 2 KB: %,.0f bytes", heap)));
		}
		Double arrival = median("crontainer", "arrival.p99.ms");
		if (arrival != null) {
			lines.add(verdict(arrival <= 10, String.format(Locale.ROOT, "Arrival p99 ≤ 10 ms: %.2f ms", arrival)));
		}
		Double late = median("crontainer", "lateness.1000.p99.ms");
		if (late != null) {
			lines.add(verdict(late <= 5, String.format(Locale.ROOT, "Lateness p99 ≤ 5 ms at M = 1,000: %.1f ms", late)));
		}
		Double idle = median("crontainer", "idle.scheduler.cpu.ms.per.min");
		if (idle != null) {
			lines.add(verdict(idle <= 60, String.format(Locale.ROOT,
					"Idle CPU ≈ 0 (no polling; taken as ≤ 60 ms per minute, 0.1 %% of a core, on the scheduler's threads): %.1f ms per minute", idle)));
		}
		// Issue 19: at or below the best peer of the same run.
		for (String[] t : new String[][] {{"registration.10000.ms", "Registration of 10,000"}, {"arrival.p50.ms", "Arrival p50"},
				{"arrival.p99.ms", "Arrival p99"}, {"departure.p50.ms", "Departure p50"}, {"departure.p99.ms", "Departure p99"}}) {
			Double ours = median("crontainer", t[0]);
			Double best = bestPeer(t[0]);
			if (ours != null && best != null) {
				lines.add(verdict(ours <= best, String.format(Locale.ROOT, "%s at or below the best peer: %s ms against %s ms", t[1],
						format(ours, Unit.MS), format(best, Unit.MS))));
			}
		}
		Double sling = median("sling", "idle.scheduler.cpu.ms.per.min");
		if (idle != null && sling != null) {
			lines.add(verdict(idle <= sling, String.format(Locale.ROOT,
					"Idle CPU of the scheduler's own threads at most Sling's: %.2f against %.2f ms per minute", idle, sling)));
		}
		return lines;
	}

	/** The lowest median of the peers for a key; {@code null} if no peer has it. */
	private Double bestPeer(String key) {
		Double best = null;
		for (String peer : runs.keySet()) {
			Double v = peer.equals("crontainer") ? null : median(peer, key);
			if (v != null && (best == null || v < best)) {
				best = v;
			}
		}
		return best;
	}

	private static String verdict(boolean met, String text) {
		return "- " + (met ? "**met**" : "**not met**") + ": " + text;
	}

	/**
	 * @param command The command that produced the run.
	 * @return The whole report in Markdown.
	 */
	public String markdown(String command) {
		StringBuilder sb = new StringBuilder();
		String date = machine.facts().get("Run started (UTC)");
		sb.append("# Crontainer benchmark, ").append(date).append("\n\n");
		sb.append("Command: `").append(command).append("` (").append(settings.get("mode")).append(" run, ")
				.append(settings.get("reps")).append(" repetitions, ").append(settings.get("lateness.rounds"))
				.append(" lateness round(s) per repetition; each cell is the median of the repetitions, with the spread min–max in brackets ")
				.append("when they differ). Idle CPU window: ").append(settings.get("idle.seconds")).append(" s. Method: `benchmarks/README.md`.\n\n");
		sb.append(table()).append('\n');
		List<String> targets = targets();
		if (!targets.isEmpty()) {
			sb.append("## Targets (issues 7 and 19)\n\n");
			targets.forEach(t -> sb.append(t).append('\n'));
			sb.append('\n');
		}
		sb.append("## Machine\n\n");
		machine.facts().forEach((k, v) -> sb.append("- ").append(k).append(": ").append(v).append('\n'));
		sb.append("- Load average (1 min) when each subject JVM started and ended: ");
		List<String> loads = new ArrayList<>();
		runs.forEach((subject, reps) -> {
			List<String> l = new ArrayList<>();
			reps.forEach(r -> l.add(r.getOrDefault("scale.load.before", "?") + " → " + r.getOrDefault("timing.load.after", "?")));
			loads.add(name(subject) + " " + String.join(", ", l));
		});
		sb.append(String.join("; ", loads)).append('\n');
		sb.append("- Subject JVMs: `").append(settings.get("jvm.args")).append(" -Duser.timezone=UTC`, one per subject, phase and repetition\n\n");
		sb.append("## Per subject\n\n");
		runs.forEach((subject, reps) -> {
			if (reps.isEmpty()) {
				return;
			}
			Map<String, String> first = reps.get(0);
			sb.append("- ").append(name(subject)).append(": ").append(first.getOrDefault("bundles", "?"))
					.append(" bundles; boot ").append(first.getOrDefault("scale.boot.ms", "?")).append(" ms; observed by ")
					.append(first.getOrDefault("observation", "?")).append("; one check costs ")
					.append(first.containsKey("observation.us") ? String.format(Locale.ROOT, "%.1f µs", Double.parseDouble(first.get("observation.us"))) : "?")
					.append(" at N held; busiest threads when idle: ").append(first.getOrDefault("idle.top.threads", "?"))
					.append("; the scheduler's threads' idle CPU per minute: ").append(first.getOrDefault("idle.scheduler.threads", "?"))
					.append("; their wake-ups per minute: ").append(first.getOrDefault("idle.scheduler.wakeups", "?")).append('\n');
		});
		List<String> errors = errors();
		if (!errors.isEmpty()) {
			sb.append("\n## Failures\n\n");
			errors.forEach(e -> sb.append("```\n").append(e).append("\n```\n"));
		}
		sb.append("\n## Raw values per repetition\n\n<details>\n\n```\n");
		runs.forEach((subject, reps) -> {
			for (int i = 0; i < reps.size(); i++) {
				Map<String, String> sorted = new LinkedHashMap<>();
				reps.get(i).entrySet().stream().filter(e -> !e.getKey().equals("error") && !e.getKey().equals("observation"))
						.sorted(Map.Entry.comparingByKey()).forEach(e -> sorted.put(e.getKey(), e.getValue()));
				sb.append(subject).append(" #").append(i + 1).append(": ").append(sorted).append('\n');
			}
		});
		sb.append("```\n\n</details>\n");
		return sb.toString();
	}

	/** As {@link #write(Path, String, String)} for a run of record: {@code <date>.md} and {@code latest.md}. */
	public Path write(Path dir, String command) throws IOException {
		return write(dir, command, null);
	}

	/**
	 * Writes the report as {@code <date>.md} and {@code latest.md} in a directory, or, for a named
	 * run, as {@code <date>-<name>.md} only (a narrowed run leaves the latest run of record alone).
	 *
	 * @param dir The directory, created if missing.
	 * @param command The command that produced the run.
	 * @param name The run's name; {@code null} for a run of record.
	 * @return The file written with the run's date.
	 */
	public Path write(Path dir, String command, String name) throws IOException {
		Files.createDirectories(dir);
		String md = markdown(command);
		String date = machine.facts().get("Run started (UTC)").substring(0, 10);
		Path dated = dir.resolve(name == null ? date + ".md" : date + "-" + name + ".md");
		Files.writeString(dated, md, StandardCharsets.UTF_8);
		if (name == null) {
			Files.writeString(dir.resolve("latest.md"), md, StandardCharsets.UTF_8);
		}
		return dated;
	}

	/**
	 * Replaces the section between {@link #README_START} and {@link #README_END} of a README with the
	 * table, its date and the command.
	 *
	 * @param readme The README. It must hold both markers.
	 * @param command The command that produced the run.
	 * @throws IllegalStateException If a marker is missing.
	 */
	public void updateReadme(Path readme, String command) throws IOException {
		String text = Files.readString(readme);
		int start = text.indexOf(README_START);
		int end = text.indexOf(README_END);
		if (start < 0 || end < start) {
			throw new IllegalStateException(readme + " has no " + README_START + " ... " + README_END + " section");
		}
		String section = README_START + "\n\nLatest run: " + machine.facts().get("Run started (UTC)") + ", `" + command + "`, "
				+ settings.get("reps") + " repetitions, idle window " + settings.get("idle.seconds") + " s (full report: `results/latest.md`).\n\n"
				+ table() + "\n" + String.join("\n", targets()) + (targets().isEmpty() ? "" : "\n") + "\n";
		Files.writeString(readme, text.substring(0, start) + section + text.substring(end), StandardCharsets.UTF_8);
	}
}
