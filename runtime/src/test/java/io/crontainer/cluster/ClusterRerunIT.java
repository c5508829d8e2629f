package io.crontainer.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * A re-run across a {@code kill -9}: two real distributions share one PostgreSQL database; a re-run of
 * eight past one-second windows of a plugin that fires every second is asked for on node-a with
 * {@code bin/client}; node-a is killed with {@code kill -9} once it has run some of them; node-b takes
 * the re-run over once node-a's lease (3 s here) has expired, and runs the windows not done. Every
 * window of the range is then run to success at least once (the one cut off by the kill may be run
 * twice), the re-run ends with all eight windows counted, and the plugin's committed windows still
 * tile time: the re-run never moved them. Every window has its history row, the one node-a counted
 * just before the kill too: the row is written in the transaction that counts the window.
 */
class ClusterRerunIT {
	private static final String PROBE = "rerun-probe";
	private static final Duration TIMEOUT = Duration.ofSeconds(90);
	private static final List<String> NODES = List.of("node-a", "node-b");
	private static final int WINDOWS = 8;

	private EmbeddedPostgres server;
	private String url;
	private Path work;
	private final Map<String, Process> processes = new HashMap<>();

	@BeforeEach
	void startDatabase() throws IOException, SQLException {
		server = EmbeddedPostgres.builder().start();
		try (Connection connection = server.getPostgresDatabase().getConnection();
				Statement statement = connection.createStatement()) {
			statement.execute("CREATE DATABASE cluster");
		}
		url = "jdbc:postgresql://localhost:" + server.getPort() + "/cluster";
		work = Path.of(System.getProperty("crontainer.dist")).resolveSibling("cluster-rerun-it");
		deleteTree(work);
		Files.createDirectories(work);
	}

	@AfterEach
	void stopEverything() throws IOException, InterruptedException {
		for (Process process : processes.values()) {
			if (process.isAlive()) {
				process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
		}
		if (server != null) {
			server.close();
		}
	}

	@Test
	void aRerunIsTakenOverAfterKill9FromItsFirstWindowNotDone() throws Exception {
		Path dist = Path.of(System.getProperty("crontainer.dist"));
		for (String node : NODES) {
			Path home = work.resolve(node);
			copyTree(dist, home);
			deleteTree(home.resolve("data"));
			Files.createDirectories(home.resolve("data"));
			Files.writeString(home.resolve("etc/io.crontainer.scheduler.cfg"), String.join("\n",
					"state.store = postgresql", "postgresql.url = " + url, "postgresql.user = postgres",
					"cluster.node = " + node, "cluster.lease = 3", "cluster.poll = 1", "timezone = UTC",
					"cluster.history.kept = 1000", "")); // every window, for the checks that read them
			Files.writeString(home.resolve("etc/io.crontainer.examples.heartbeat.cfg"), "enabled = false\n");
			Files.writeString(home.resolve("etc/io.crontainer.examples.tokencleaner.cfg"), "enabled = false\n");
			ProbeBundle.write(home.resolve("deploy/probe.jar"), PROBE, "* * * * * ?", 400);
		}
		for (String node : NODES) {
			start(node);
		}
		await("a committed window of the probe", () -> lastEnd() != null);
		await("bin/client on node-a", () -> client("node-a", "cron:names").contains(PROBE));

		Instant to = Instant.ofEpochSecond(lastEnd() / 1_000_000_000L); // whole seconds, before the committed end
		Instant from = to.minusSeconds(WINDOWS);
		String dry = client("node-a", "cron:rerun --from " + from + " --to " + to + " --dry-run " + PROBE);
		assertThat(dry).startsWith("Dry run: " + PROBE + " would re-run " + WINDOWS + " windows");
		String started = client("node-a", "cron:rerun --from " + from + " --to " + to + " --by it " + PROBE);
		assertThat(started).startsWith("Re-running " + PROBE + ": " + WINDOWS + " windows");

		await("node-a ran two windows of the re-run", () -> rerunDone() >= 2);
		assertThat(rerunNode()).isEqualTo("node-a");
		processes.get("node-a").destroyForcibly().waitFor(10, TimeUnit.SECONDS); // SIGKILL: no shutdown hook runs
		long doneAtKill = rerunDone();

		await("the re-run ended on node-b", () -> rerunEnded());
		assertThat(rerunNode()).isEqualTo("node-b");
		assertThat(rerunDone() + rerunFailed()).as("every window counted once").isEqualTo(WINDOWS);
		assertThat(doneAtKill).isLessThan(WINDOWS);

		Map<Long, List<String>> runs = rerunWindows();
		// A window's history row is written in the transaction that counts it (StateStore.advanceRerun):
		// a window node-a counted just before the kill has its row, and one it did not count ran again.
		assertThat(runs).as("every window of the range ran, each with a history row (done at the kill: %d)", doneAtKill)
				.hasSize(WINDOWS);
		long start = from.toEpochMilli() * 1_000_000L;
		for (Map.Entry<Long, List<String>> window : runs.entrySet()) {
			assertThat(window.getKey()).isEqualTo(start);
			start += 1_000_000_000L;
		}
		assertThat(runs.values().stream().flatMap(List::stream)).contains("node-a", "node-b");
		String history = client("node-b", "cron:history -n 100 " + PROBE);
		assertThat(history).contains("RERUN").contains("it via bin/client");

		// The schedule's own windows still tile time: the re-run committed nothing.
		long expected = 0;
		for (long[] window : committedWindows()) {
			assertThat(window[0]).as("a scheduled window starts where the previous one ended").isEqualTo(expected);
			expected = window[1];
		}
		processes.get("node-b").destroy();
		assertThat(processes.get("node-b").waitFor(30, TimeUnit.SECONDS)).isTrue();
		System.out.println("ClusterRerunIT: node-a ran " + doneAtKill + " window(s) before kill -9; windows by node: " + runs);
	}

	// ------------------------------------------------------------------ nodes

	private void start(String node) throws IOException {
		Path home = work.resolve(node);
		ProcessBuilder builder = new ProcessBuilder(home.resolve("bin/crontainer").toString()).redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("output.txt").toFile()))
				.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
		builder.environment().put("JAVA_OPTS",
				"-Xmx128m -XX:TieredStopAtLevel=1 -Dcrontainer.console=false -Dorg.osgi.service.http.port=0");
		processes.put(node, builder.start());
	}

	/** bin/client of a node with one command line; its stdout and stderr. */
	private String client(String node, String line) throws IOException, InterruptedException {
		Path home = work.resolve(node);
		Process p = new ProcessBuilder(home.resolve("bin/client").toString(), line).redirectErrorStream(true)
				.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
		String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
		p.waitFor(60, TimeUnit.SECONDS);
		return out;
	}

	// ------------------------------------------------------------------ the database

	private Connection connect() throws SQLException {
		return DriverManager.getConnection(url, "postgres", "");
	}

	private Long lastEnd() throws SQLException {
		try (Connection connection = connect();
				PreparedStatement statement = connection.prepareStatement("SELECT last_end FROM crontainer_job WHERE name = ?")) {
			statement.setString(1, PROBE);
			try (ResultSet result = statement.executeQuery()) {
				if (!result.next()) {
					return null;
				}
				long end = result.getLong(1);
				return result.wasNull() ? null : end;
			}
		} catch (SQLException e) {
			return null; // the tables are not there yet
		}
	}

	private Object rerun(String column) throws SQLException {
		try (Connection connection = connect();
				PreparedStatement statement = connection.prepareStatement("SELECT " + column
						+ " FROM crontainer_rerun WHERE name = ? ORDER BY id DESC LIMIT 1")) {
			statement.setString(1, PROBE);
			try (ResultSet result = statement.executeQuery()) {
				return result.next() ? result.getObject(1) : null;
			}
		}
	}

	private long rerunDone() throws SQLException {
		Object done = rerun("done");
		return done == null ? 0 : ((Number) done).longValue();
	}

	private long rerunFailed() throws SQLException {
		return ((Number) rerun("failed")).longValue();
	}

	private String rerunNode() throws SQLException {
		return (String) rerun("node");
	}

	private boolean rerunEnded() throws SQLException {
		return rerun("ended") != null;
	}

	/** The re-run's successful windows in the history: each window start, with the nodes that ran it. */
	private Map<Long, List<String>> rerunWindows() throws SQLException {
		Map<Long, List<String>> windows = new TreeMap<>();
		try (Connection connection = connect();
				PreparedStatement statement = connection.prepareStatement("SELECT window_start, node FROM crontainer_run "
						+ "WHERE name = ? AND trigger = 'RERUN' AND outcome = 'SUCCEEDED'")) {
			statement.setString(1, PROBE);
			try (ResultSet result = statement.executeQuery()) {
				while (result.next()) {
					windows.computeIfAbsent(result.getLong(1), w -> new ArrayList<>()).add(result.getString(2));
				}
			}
		}
		return windows;
	}

	/** The scheduled windows committed, ordered: (start, end) in ns. */
	private List<long[]> committedWindows() throws SQLException {
		List<long[]> windows = new ArrayList<>();
		try (Connection connection = connect();
				PreparedStatement statement = connection.prepareStatement("SELECT window_start, window_end FROM "
						+ "crontainer_run WHERE name = ? AND outcome = 'SUCCEEDED' AND trigger <> 'RERUN'")) {
			statement.setString(1, PROBE);
			try (ResultSet result = statement.executeQuery()) {
				while (result.next()) {
					windows.add(new long[] { result.getLong(1), result.getLong(2) });
				}
			}
		}
		windows.sort(Comparator.comparingLong((long[] w) -> w[0]));
		return windows;
	}

	private interface Check {
		boolean ok() throws Exception;
	}

	private void await(String what, Check check) throws Exception {
		long deadline = System.nanoTime() + TIMEOUT.toNanos();
		while (!check.ok()) {
			if (System.nanoTime() > deadline) {
				StringBuilder outputs = new StringBuilder();
				for (String node : NODES) {
					Path output = work.resolve(node).resolve("output.txt");
					outputs.append("\n--- ").append(node).append('\n')
							.append(Files.exists(output) ? Files.readString(output) : "(none)");
				}
				throw new AssertionError("not " + what + " within " + TIMEOUT.toSeconds() + " s; outputs:" + outputs);
			}
			Thread.sleep(200);
		}
	}

	// ------------------------------------------------------------------ files

	private static void copyTree(Path from, Path to) throws IOException {
		try (Stream<Path> files = Files.walk(from)) {
			for (Path source : (Iterable<Path>) files::iterator) {
				Path target = to.resolve(from.relativize(source).toString());
				if (Files.isDirectory(source)) {
					Files.createDirectories(target);
				} else {
					Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
				}
			}
		}
	}

	private static void deleteTree(Path dir) throws IOException {
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
