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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * Three real distributions (copies of {@code target/crontainer}, each its own JVM) share one
 * PostgreSQL database, with {@code state.store = postgresql}, while a plugin fires every second and
 * works up to 1.2 s. The clock of {@code node-c} is {@value #SKEW_SECONDS} s ahead, so that its windows
 * must come from the database's clock too.
 *
 * <p>
 * First the node that holds the claim is paused ({@code SIGSTOP}) mid-run, past its lease, and resumed:
 * another node must run its window again, and its late commit must be refused, with the reason in the
 * history. Then for about 30 s a node is killed with {@code kill -9} at a random moment every 1-4 s and
 * restarted a moment later: alternately any node, and the node that holds the claim (or committed
 * last), kept down past its lease so that another node must take its work over. Then the committed
 * windows in the database must tile time: from the epoch to the last window end, each window starting
 * where the previous one ended, none committed twice, no fire time run to success twice, no run
 * skipped because a clock went backwards, runs committed by more than one node. Last, the other nodes
 * stop and the node whose clock is off must commit windows alone: while the others run, its claims
 * (sent back as early, then made when due) come a round trip after theirs.
 *
 * <p>
 * The lease is 3 s here (not the default 20 s), so that killed nodes' windows are taken over quickly.
 * The seed of the random kills is printed; {@code -Dcluster.seed=N} repeats a schedule of kills.
 *
 * <p>
 * The clock is moved inside the JVM ({@code -Dcrontainer.clock.offset=PT5S}: the one {@code Clock} the
 * scheduler and its store take every instant from), not by {@code faketime}: libfaketime intercepts
 * every clock call of the JVM, and a distribution took about 190 s to start under it against 10 s
 * without, on the 2 cores this build runs on, which a test that restarts nodes cannot afford.
 */
class ClusterIT {
	private static final String PROBE = "cluster-probe";
	private static final Duration CHAOS = Duration.ofSeconds(30);
	private static final Duration TIMEOUT = Duration.ofSeconds(60);
	/** How long three distributions may take to start and commit a first window on a loaded machine. */
	private static final Duration STARTUP = Duration.ofSeconds(180);
	private static final List<String> NODES = List.of("node-a", "node-b", "node-c");
	/** The node whose clock is off, and by how much (ahead). */
	private static final String SKEWED = "node-c";
	private static final int SKEW_SECONDS = 5;

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
		work = Path.of(System.getProperty("crontainer.dist")).resolveSibling("cluster-it");
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
	void windowsTileAcrossThreeRuntimesKilledAtRandom() throws Exception {
		Path dist = Path.of(System.getProperty("crontainer.dist"));
		for (String node : NODES) {
			Path home = work.resolve(node);
			copyTree(dist, home);
			deleteTree(home.resolve("data"));
			Files.createDirectories(home.resolve("data"));
			Files.writeString(home.resolve("etc/io.crontainer.scheduler.cfg"), String.join("\n",
					"state.store = postgresql",
					"postgresql.url = " + url,
					"postgresql.user = postgres",
					"cluster.node = " + node,
					"cluster.lease = 3",
					"cluster.poll = 1",
					"cluster.history.kept = 1000", "")); // every window, for the check that they tile
			Files.writeString(home.resolve("etc/io.crontainer.examples.heartbeat.cfg"), "enabled = false\n");
			Files.writeString(home.resolve("etc/io.crontainer.examples.tokencleaner.cfg"), "enabled = false\n");
			ProbeBundle.write(home.resolve("deploy/probe.jar"), PROBE, "* * * * * ?", 1200);
		}
		for (String node : NODES) {
			start(node);
		}
		awaitCommits(1, "the first window", STARTUP);
		String paused = pauseTheHolderPastItsLease();

		long seed = Long.getLong("cluster.seed", System.nanoTime());
		System.out.println("ClusterIT: kill schedule seed " + seed);
		Random random = new Random(seed);
		List<String> log = new ArrayList<>();
		long end = System.nanoTime() + CHAOS.toNanos();
		int kills = 0;
		while (System.nanoTime() < end) {
			Thread.sleep(1000 + random.nextInt(3000));
			// Every other kill hits the node that holds the claim or committed last, and keeps it down past
			// the lease, so that another node must take its work over; the others hit any node.
			boolean takeOver = kills % 2 == 1;
			String holder = holder();
			String victim = takeOver ? (holder != null ? holder : lastCommitter()) : NODES.get(random.nextInt(NODES.size()));
			processes.get(victim).destroyForcibly().waitFor(10, TimeUnit.SECONDS); // SIGKILL: no shutdown hook runs
			kills++;
			log.add("killed " + victim + (victim.equals(holder) ? " while it held the claim" : ""));
			Thread.sleep(takeOver ? 4000 + random.nextInt(1000) : 500 + random.nextInt(2500));
			start(victim);
		}
		long before = commits();
		awaitCommits(before + 3, "windows committed after the last kill", TIMEOUT);
		// Last, the node whose clock is ahead alone: it wins no race at a fire time against nodes whose
		// clocks are right (the database sends its early claim back, and it claims again when the fire
		// time is due, a round trip after them), so only alone must it run, at the database's time.
		for (String node : NODES) {
			if (!SKEWED.equals(node)) {
				stop(node);
			}
		}
		long alone = count("node = '" + SKEWED + "' AND outcome = 'SUCCEEDED'");
		awaitRows(alone + 2, "windows committed by " + SKEWED + " alone", "node = '" + SKEWED + "' AND outcome = 'SUCCEEDED'");
		stop(SKEWED);

		List<Window> windows = committedWindows();
		Set<String> committers = new HashSet<>();
		Set<Long> fires = new HashSet<>();
		long expectedStart = 0;
		for (Window window : windows) {
			assertThat(window.start).as("window %s starts where the previous one ended: no gap, no overlap", window)
					.isEqualTo(expectedStart);
			assertThat(window.end).as("window %s", window).isGreaterThan(window.start);
			if (window.fire != null) {
				assertThat(fires.add(window.fire)).as("fire time of %s succeeded once only", window).isTrue();
			}
			committers.add(window.node);
			expectedStart = window.end;
		}
		assertThat(expectedStart).as("the last window ends at the committed lastEnd").isEqualTo(lastEnd());
		assertThat(committers).as("nodes that committed windows").hasSizeGreaterThan(1);
		assertThat(count("error LIKE '%clock went backwards%'")).as("runs skipped because a window end went backwards")
				.isZero();
		assertThat(committers).as("the node whose clock is %d s ahead took part", SKEW_SECONDS).contains(SKEWED);
		String output = Files.readString(work.resolve(SKEWED).resolve("output.txt"));
		assertThat(output).as("its skew is logged").contains("the clock of node " + SKEWED + " is",
				"ahead of the database's");
		Map<String, Long> byNode = new HashMap<>();
		windows.forEach(w -> byNode.merge(w.node, 1L, Long::sum));
		System.out.println("ClusterIT: " + kills + " kills (" + log + "), " + windows.size() + " windows committed by "
				+ byNode + "; " + paused + "; " + SKEWED + "'s clock " + SKEW_SECONDS + " s ahead");
	}

	/**
	 * Pauses ({@code SIGSTOP}) the node that holds the probe's claim mid-run, for longer than its lease,
	 * then resumes it ({@code SIGCONT}): another node runs the window again, and the paused node's late
	 * commit is refused, with the reason in the history.
	 *
	 * @return What happened, for the summary line.
	 */
	private String pauseTheHolderPastItsLease() throws Exception {
		long deadline = System.nanoTime() + TIMEOUT.toNanos();
		while (System.nanoTime() < deadline) {
			String holder = holder();
			if (holder == null) {
				Thread.sleep(20); // between two runs of the probe
				continue;
			}
			Process process = processes.get(holder);
			signal(process, "STOP");
			Long start = heldWindowStart(holder); // still held once stopped: its run is paused mid-way
			if (start == null) {
				signal(process, "CONT"); // it ended its run just before the stop: try again
				continue;
			}
			// Once its lease (3 s) has expired, another node claims the window and commits it.
			awaitRow("another node runs the paused node's window " + start,
					"node <> '" + holder + "' AND outcome = 'SUCCEEDED' AND window_start = " + start);
			signal(process, "CONT");
			// The scheduler's own history rows keep instants to the millisecond.
			awaitRow("the paused node's late commit refused, in the history with its reason", "node = '" + holder
					+ "' AND outcome = 'FAILED' AND window_start / 1000000 = " + start / 1_000_000
					+ " AND error LIKE 'its window was not committed: the claim of " + PROBE + " on node " + holder
					+ " was lost%'");
			return holder + " paused past its lease: its window " + start + " re-run elsewhere, its commit refused";
		}
		throw new AssertionError("no node held the probe's claim when it was paused, within " + TIMEOUT.toSeconds() + " s");
	}

	private void stop(String node) throws InterruptedException {
		Process process = processes.get(node);
		process.destroy(); // SIGTERM: a clean stop
		assertThat(process.waitFor(30, TimeUnit.SECONDS)).as(node + " stops on SIGTERM").isTrue();
	}

	/** The window start of the probe's claim held by {@code node} now, or null. */
	private Long heldWindowStart(String node) throws SQLException {
		try (Connection connection = connect();
				PreparedStatement statement = connection.prepareStatement("SELECT COALESCE(last_end, 0) FROM crontainer_job"
						+ " WHERE name = ? AND claim_node = ? AND claim_token IS NOT NULL AND lease_until > now()")) {
			statement.setString(1, PROBE);
			statement.setString(2, node);
			try (ResultSet result = statement.executeQuery()) {
				return result.next() ? result.getLong(1) : null;
			}
		}
	}

	private static void signal(Process process, String signal) throws IOException, InterruptedException {
		Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start();
		assertThat(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0).as("kill -" + signal).isTrue();
	}

	// ------------------------------------------------------------------ nodes

	private void start(String node) throws IOException {
		Path home = work.resolve(node);
		ProcessBuilder builder = new ProcessBuilder(home.resolve("bin/crontainer").toString())
				.redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("output.txt").toFile()))
				.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
		builder.environment().put("JAVA_OPTS", "-Xmx128m -XX:TieredStopAtLevel=1 -Dcrontainer.console=false"
				+ " -Dorg.osgi.service.http.port=0" + (SKEWED.equals(node) ? " -Dcrontainer.clock.offset=PT" + SKEW_SECONDS + "S" : ""));
		processes.put(node, builder.start());
	}

	// ------------------------------------------------------------------ the database

	private record Window(long start, long end, Long fire, String node) {
	}

	private Connection connect() throws SQLException {
		return DriverManager.getConnection(url, "postgres", "");
	}

	private List<Window> committedWindows() throws SQLException {
		List<Window> windows = new ArrayList<>();
		try (Connection connection = connect();
				PreparedStatement statement = connection.prepareStatement("SELECT window_start, window_end, scheduled_fire, "
						+ "node FROM crontainer_run WHERE name = ? AND outcome = 'SUCCEEDED'")) {
			statement.setString(1, PROBE);
			try (ResultSet result = statement.executeQuery()) {
				while (result.next()) {
					long fire = result.getLong(3);
					Long scheduled = result.wasNull() ? null : fire;
					windows.add(new Window(result.getLong(1), result.getLong(2), scheduled, result.getString(4)));
				}
			}
		}
		windows.sort(Comparator.comparingLong(Window::start).thenComparingLong(Window::end));
		return windows;
	}

	private long commits() throws SQLException {
		try (Connection connection = connect();
				PreparedStatement statement = connection.prepareStatement(
						"SELECT count(*) FROM crontainer_run WHERE name = ? AND outcome = 'SUCCEEDED'")) {
			statement.setString(1, PROBE);
			try (ResultSet result = statement.executeQuery()) {
				result.next();
				return result.getLong(1);
			}
		} catch (SQLException e) {
			return 0; // the tables are not there yet
		}
	}

	/** How many history rows of the probe match a condition. */
	private long count(String condition) throws SQLException {
		try (Connection connection = connect();
				PreparedStatement statement = connection.prepareStatement(
						"SELECT count(*) FROM crontainer_run WHERE name = ? AND " + condition)) {
			statement.setString(1, PROBE);
			try (ResultSet result = statement.executeQuery()) {
				result.next();
				return result.getLong(1);
			}
		}
	}

	private void awaitRow(String what, String condition) throws Exception {
		awaitRows(1, what, condition);
	}

	private void awaitRows(long atLeast, String what, String condition) throws Exception {
		long deadline = System.nanoTime() + TIMEOUT.toNanos();
		while (count(condition) < atLeast) {
			if (System.nanoTime() > deadline) {
				throw new AssertionError("no " + what + " within " + TIMEOUT.toSeconds() + " s (history: " + history()
						+ ")" + outputs());
			}
			Thread.sleep(100);
		}
	}

	/** The probe's newest history rows, for a failure message. */
	private List<String> history() throws SQLException {
		List<String> rows = new ArrayList<>();
		try (Connection connection = connect();
				PreparedStatement statement = connection.prepareStatement("SELECT node, outcome, window_start, window_end,"
						+ " error FROM crontainer_run WHERE name = ? ORDER BY id DESC LIMIT 20")) {
			statement.setString(1, PROBE);
			try (ResultSet result = statement.executeQuery()) {
				while (result.next()) {
					rows.add(result.getString(1) + " " + result.getString(2) + " [" + result.getLong(3) + ", "
							+ result.getLong(4) + ") " + result.getString(5));
				}
			}
		}
		return rows;
	}

	private long lastEnd() throws SQLException {
		try (Connection connection = connect();
				PreparedStatement statement = connection.prepareStatement("SELECT last_end FROM crontainer_job WHERE name = ?")) {
			statement.setString(1, PROBE);
			try (ResultSet result = statement.executeQuery()) {
				assertThat(result.next()).isTrue();
				return result.getLong(1);
			}
		}
	}

	/** The node that committed the probe's last window. */
	private String lastCommitter() throws SQLException {
		try (Connection connection = connect();
				PreparedStatement statement = connection.prepareStatement("SELECT last_node FROM crontainer_job WHERE name = ?")) {
			statement.setString(1, PROBE);
			try (ResultSet result = statement.executeQuery()) {
				return result.next() && result.getString(1) != null ? result.getString(1) : NODES.get(0);
			}
		}
	}

	/** The node holding a live claim of the probe now, or null. */
	private String holder() throws SQLException {
		try (Connection connection = connect();
				PreparedStatement statement = connection.prepareStatement(
						"SELECT claim_node FROM crontainer_job WHERE name = ? AND lease_until > now()")) {
			statement.setString(1, PROBE);
			try (ResultSet result = statement.executeQuery()) {
				return result.next() ? result.getString(1) : null;
			}
		}
	}

	private void awaitCommits(long count, String what, Duration timeout) throws Exception {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (commits() < count) {
			if (System.nanoTime() > deadline) {
				throw new AssertionError("no " + what + " within " + timeout.toSeconds() + " s; outputs:" + outputs());
			}
			Thread.sleep(200);
		}
	}

	private String outputs() throws IOException {
		StringBuilder outputs = new StringBuilder();
		for (String node : NODES) {
			Path output = work.resolve(node).resolve("output.txt");
			outputs.append("\n--- ").append(node).append('\n')
					.append(Files.exists(output) ? Files.readString(output) : "(none)");
		}
		return outputs.toString();
	}

	// ------------------------------------------------------------------ files

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
