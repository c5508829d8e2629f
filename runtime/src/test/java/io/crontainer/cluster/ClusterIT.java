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
 * works up to 1.2 s. For about 30 s a node is killed with {@code kill -9} at a random moment every 1-4
 * s and restarted a moment later: alternately any node, and the node that holds the claim (or committed
 * last), kept down past its lease so that another node must take its work over. Then the committed windows in the database must tile time: from the epoch
 * to the last window end, each window starting where the previous one ended, none committed twice, no
 * fire time run to success twice, and runs committed by more than one node.
 *
 * <p>
 * The lease is 3 s here (not the default 20 s), so that killed nodes' windows are taken over quickly.
 * The seed of the random kills is printed; {@code -Dcluster.seed=N} repeats a schedule of kills.
 */
class ClusterIT {
	private static final String PROBE = "cluster-probe";
	private static final Duration CHAOS = Duration.ofSeconds(30);
	private static final Duration TIMEOUT = Duration.ofSeconds(60);
	private static final List<String> NODES = List.of("node-a", "node-b", "node-c");

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
					"cluster.poll = 1", ""));
			Files.writeString(home.resolve("etc/io.crontainer.examples.heartbeat.cfg"), "enabled = false\n");
			Files.writeString(home.resolve("etc/io.crontainer.examples.tokencleaner.cfg"), "enabled = false\n");
			ProbeBundle.write(home.resolve("deploy/probe.jar"), PROBE, "* * * * * ?", 1200);
		}
		for (String node : NODES) {
			start(node);
		}
		awaitCommits(1, "the first window");

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
		awaitCommits(before + 3, "windows committed after the last kill");
		for (String node : NODES) {
			Process process = processes.get(node);
			process.destroy(); // SIGTERM: a clean stop
			assertThat(process.waitFor(30, TimeUnit.SECONDS)).as(node + " stops on SIGTERM").isTrue();
		}

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
		System.out.println("ClusterIT: " + kills + " kills (" + log + "), " + windows.size() + " windows committed by "
				+ committers);
	}

	// ------------------------------------------------------------------ nodes

	private void start(String node) throws IOException {
		Path home = work.resolve(node);
		ProcessBuilder builder = new ProcessBuilder(home.resolve("bin/crontainer").toString())
				.redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("output.txt").toFile()))
				.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
		builder.environment().put("JAVA_OPTS", "-Xmx128m -XX:TieredStopAtLevel=1 -Dcrontainer.console=false -Dorg.osgi.service.http.port=0");
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
					windows.add(new Window(result.getLong(1), result.getLong(2), result.wasNull() ? null : fire,
							result.getString(4)));
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

	private void awaitCommits(long count, String what) throws Exception {
		long deadline = System.nanoTime() + TIMEOUT.toNanos();
		while (commits() < count) {
			if (System.nanoTime() > deadline) {
				StringBuilder outputs = new StringBuilder();
				for (String node : NODES) {
					Path output = work.resolve(node).resolve("output.txt");
					outputs.append("\n--- ").append(node).append('\n')
							.append(Files.exists(output) ? Files.readString(output) : "(none)");
				}
				throw new AssertionError("no " + what + " within " + TIMEOUT.toSeconds() + " s; outputs:" + outputs);
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
