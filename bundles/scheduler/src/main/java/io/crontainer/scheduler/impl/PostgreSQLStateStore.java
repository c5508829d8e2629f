package io.crontainer.scheduler.impl;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.crontainer.api.runtime.CronRunDTO;
import io.crontainer.api.runtime.Outcome;
import io.crontainer.api.runtime.Trigger;

/**
 * The run state of cron plugins in a PostgreSQL database shared by the runtimes (nodes) of a cluster:
 * claims with leases on the database clock, fenced commits of window ends, cluster-wide pause, reset
 * and {@code ?} anchors, and the run history with the node of each run. The tables are described by
 * {@link PostgreSQLSchema}.
 *
 * <p>
 * <b>Claim.</b> Before a run, a node claims the plugin's name: one {@code UPDATE} that succeeds only
 * if no other claim holds a live lease ({@code lease_until > now()}, the database's clock, never a
 * node's), and, for a scheduled fire time, only if that fire time (or a later one) has not been run
 * already on some node ({@code fire_done}) and the plugin is not paused. The claim records a random
 * token, the node, the fire time and the window start ({@code last_end}) it was given; its lease is
 * {@link Options#lease} long and is renewed every {@link Options#renewEvery} while the run lasts.
 *
 * <p>
 * <b>Commit.</b> {@code last_end} moves to the window end only by a compare-and-set on the claim token
 * <em>and</em> the window start: a node that lost its lease (paused by GC, partitioned, too slow) and
 * whose window was taken over finds another token, or another start, and its commit changes nothing.
 * Commits, releases and history rows of many runs are written in one transaction by one thread
 * ({@code crontainer-store-commit}), so no run waits for another's round trip.
 *
 * <p>
 * <b>Fire times.</b> {@code fire_done} moves forward when a claimed run is over (committed, failed or
 * released), never when a lease merely expires: the fire time of a node killed mid-run stays
 * claimable, and the first node to claim it after the lease expired runs that window again.
 *
 * <p>
 * <b>Failures.</b> Every database failure is a {@link StoreUnavailableException} naming the cause;
 * nothing is guessed and no run proceeds without a claim. The connections are re-opened on the next
 * call, so the store recovers by itself when the database is back.
 *
 * <p>
 * Thread-safe. Claims, reads and read-modify-writes run on the caller's thread, on a connection of
 * their own; commits and releases on the commit thread; lease renewals on the lease thread. No lock of
 * this class is held during I/O.
 */
final class PostgreSQLStateStore implements AutoCloseable {

	/**
	 * The timing of claims.
	 *
	 * @param lease How long a claim holds without renewal, on the database clock. A node killed with
	 *        {@code kill -9} leaves its window to another node after at most this.
	 * @param renewEvery How often the leases of running runs are renewed; a quarter of the lease lets
	 *        three renewals in a row fail (a database fail-over, a long GC pause) before a run loses
	 *        its claim.
	 * @param queryTimeout The time limit of each statement, and of a wait for a free connection.
	 * @param historyKept Runs kept in the database per plugin name; older ones are deleted.
	 */
	record Options(Duration lease, Duration renewEvery, Duration queryTimeout, int historyKept) {
		static final Options DEFAULT = new Options(Duration.ofSeconds(20), Duration.ofSeconds(5), Duration.ofSeconds(10),
				1000);

		Options {
			if (lease.compareTo(Duration.ofSeconds(2)) < 0) {
				throw new IllegalArgumentException("lease must be at least 2 s: " + lease);
			}
			if (renewEvery.isNegative() || renewEvery.isZero() || renewEvery.compareTo(lease.dividedBy(2)) > 0) {
				throw new IllegalArgumentException("renewEvery must be positive and at most half the lease ("
						+ lease.dividedBy(2) + "): " + renewEvery);
			}
		}
	}

	/**
	 * A claim held by this node: the right to run {@code name} over the window starting at
	 * {@code start} and to commit its end.
	 *
	 * @param name The plugin name.
	 * @param token The random token that fences the commit.
	 * @param start The window start the claim was given ({@code last_end}); {@code null}: the plugin
	 *        never succeeded, its window starts at the epoch.
	 * @param fire The scheduled fire time claimed; {@code null} for a manual fire.
	 * @param node The node that holds it.
	 */
	record Claim(String name, UUID token, Instant start, Instant fire, String node) {
	}

	/**
	 * The answer to a claim: either {@link #claim} is set, or the reason why not.
	 *
	 * @param claim The claim; {@code null} if not claimed.
	 * @param reason Why not claimed, for the log and the history; {@code null} if claimed.
	 * @param holder The node that holds the live claim; {@code null} if none holds it.
	 * @param holderFire The fire time that the live claim is for; {@code null} if none or manual.
	 * @param leaseLeft How long the live claim holds at least, on the database clock; {@code null} if
	 *        none holds it.
	 * @param state The stored state of the name, as the claim found it.
	 */
	record ClaimResult(Claim claim, String reason, String holder, Instant holderFire, Duration leaseLeft,
			RunState state) {
		boolean claimed() {
			return claim != null;
		}
	}

	/**
	 * A row of the job table, as another node may have changed it.
	 *
	 * @param name The plugin name.
	 * @param state Window end, pause and anchor.
	 * @param node The node holding a live claim, else the node that committed the last window; may be
	 *        {@code null}.
	 * @param running Whether some node holds a live claim.
	 */
	record Row(String name, RunState state, String node, boolean running) {
	}

	private static final Logger LOG = LoggerFactory.getLogger(PostgreSQLStateStore.class);
	private static final int MAX_GROUP = 256;

	private final Connections connections;
	private final String node;
	private final Options options;
	private final BlockingQueue<Write> writes = new LinkedBlockingQueue<>();
	/** Claims held by this node now, renewed by the lease thread. */
	private final Map<UUID, Claim> held = new ConcurrentHashMap<>();
	/** Claims whose renewal found them taken over: their commits will be refused. */
	private final Set<UUID> lost = ConcurrentHashMap.newKeySet();
	private final Thread committer;
	private final Thread renewer;
	private volatile boolean closed;

	/**
	 * Connects to the database, creates or checks the tables, and starts the commit and lease threads.
	 *
	 * @param dataSource The database, from the OSGi JDBC service ({@code DataSourceFactory}).
	 * @param node This runtime's node id, recorded with each claim and run. Must not be {@code null}.
	 * @param options The lease timing.
	 * @throws StoreUnavailableException If the database cannot be reached, or refuses the tables.
	 * @throws PostgreSQLSchema.IncompatibleSchemaException If the tables are of a newer version.
	 */
	PostgreSQLStateStore(DataSource dataSource, String node, Options options)
			throws StoreUnavailableException, PostgreSQLSchema.IncompatibleSchemaException {
		this.connections = new Connections(dataSource, 4, options.queryTimeout().toMillis());
		this.node = node;
		this.options = options;
		try {
			Connection connection = connections.borrow();
			try {
				PostgreSQLSchema.ensure(connection);
				connections.giveBack(connection);
			} catch (SQLException | PostgreSQLSchema.IncompatibleSchemaException | RuntimeException e) {
				connections.discard(connection);
				throw e;
			}
		} catch (SQLException e) {
			connections.close();
			throw unavailable("cannot create or check the tables", e);
		} catch (PostgreSQLSchema.IncompatibleSchemaException | RuntimeException e) {
			connections.close();
			throw e;
		}
		this.committer = new Thread(this::commitLoop, "crontainer-store-commit");
		this.committer.setDaemon(true);
		this.renewer = new Thread(this::renewLoop, "crontainer-store-lease");
		this.renewer.setDaemon(true);
		committer.start();
		renewer.start();
	}

	/** This runtime's node id. */
	String node() {
		return node;
	}

	Options options() {
		return options;
	}

	// ------------------------------------------------------------------ reads

	/**
	 * Reads every row of the job table (at start: one query for all plugins).
	 *
	 * @throws StoreUnavailableException If the database cannot be reached.
	 */
	Map<String, Row> loadAll() throws StoreUnavailableException {
		return query("SELECT name, last_end, paused, anchor, anchor_for, "
				+ "CASE WHEN lease_until > now() THEN claim_node ELSE last_node END, lease_until > now() "
				+ "FROM crontainer_job", statement -> {
				}, PostgreSQLStateStore::rows, "cannot read the run states");
	}

	/**
	 * Reads the rows written since {@code since} (database clock), and the database's time now, so that
	 * a node notices what other nodes did (pause, resume, reset, commits). A row is returned if its
	 * last write began less than {@code overlap} before {@code since}, so a transaction that committed
	 * after the previous poll but began before it is not missed; rows may thus come twice.
	 *
	 * @param since The database time returned by the previous poll; {@code null} for all rows.
	 * @return The changed rows and the database time of this poll.
	 * @throws StoreUnavailableException If the database cannot be reached.
	 */
	Changes changesSince(Instant since, Duration overlap) throws StoreUnavailableException {
		return withConnection(connection -> {
			Instant now;
			try (Statement statement = connection.createStatement()) {
				statement.setQueryTimeout(queryTimeoutSeconds());
				try (ResultSet result = statement.executeQuery("SELECT now()")) {
					result.next();
					now = result.getTimestamp(1).toInstant();
				}
			}
			try (PreparedStatement statement = connection.prepareStatement("SELECT name, last_end, paused, anchor, "
					+ "anchor_for, CASE WHEN lease_until > now() THEN claim_node ELSE last_node END, "
					+ "lease_until > now() FROM crontainer_job WHERE ?::timestamptz IS NULL OR changed_at > ?")) {
				statement.setQueryTimeout(queryTimeoutSeconds());
				Timestamp from = since == null ? null : Timestamp.from(since.minus(overlap));
				statement.setTimestamp(1, from);
				statement.setTimestamp(2, from);
				try (ResultSet result = statement.executeQuery()) {
					return new Changes(rows(result), now);
				}
			}
		}, "cannot read the changed run states");
	}

	/** Rows changed since a poll, and the database time of the poll. */
	record Changes(Map<String, Row> rows, Instant now) {
	}

	/**
	 * Reads the state of one name.
	 *
	 * @return The state; {@link RunState#NEW} if the database has no row for it.
	 * @throws StoreUnavailableException If the database cannot be reached.
	 */
	RunState read(String name) throws StoreUnavailableException {
		Map<String, Row> rows = query("SELECT name, last_end, paused, anchor, anchor_for, "
				+ "CASE WHEN lease_until > now() THEN claim_node ELSE last_node END, lease_until > now() "
				+ "FROM crontainer_job WHERE name = ?", statement -> statement.setString(1, name),
				PostgreSQLStateStore::rows, "cannot read the run state of " + name);
		Row row = rows.get(name);
		return row == null ? RunState.NEW : row.state();
	}

	/**
	 * Reads the latest runs of a name, newest first, or of all names if {@code name} is {@code null}.
	 *
	 * @throws StoreUnavailableException If the database cannot be reached.
	 */
	List<CronRunDTO> history(String name, int limit) throws StoreUnavailableException {
		String sql = "SELECT name, node, trigger, outcome, scheduled_fire, window_start, window_end, started, finished, "
				+ "error FROM crontainer_run " + (name == null ? "" : "WHERE name = ? ") + "ORDER BY id DESC LIMIT ?";
		return query(sql, statement -> {
			int i = 1;
			if (name != null) {
				statement.setString(i++, name);
			}
			statement.setInt(i, limit);
		}, result -> {
			List<CronRunDTO> runs = new ArrayList<>();
			while (result.next()) {
				CronRunDTO dto = new CronRunDTO();
				dto.name = result.getString(1);
				dto.node = result.getString(2);
				dto.trigger = Trigger.valueOf(result.getString(3));
				dto.outcome = Outcome.valueOf(result.getString(4));
				dto.scheduledFire = millis(nanosOrNull(result, 5));
				dto.windowStart = millis(nanosOrNull(result, 6));
				dto.windowEnd = millis(nanosOrNull(result, 7));
				dto.started = result.getTimestamp(8).getTime();
				Timestamp finished = result.getTimestamp(9);
				dto.finished = finished == null ? null : finished.getTime();
				dto.error = result.getString(10);
				runs.add(dto);
			}
			return runs;
		}, "cannot read the run history");
	}

	// ------------------------------------------------------------------ writes outside runs

	/**
	 * Creates the row of a name with the given state if the database has none: the import of a local
	 * record when a runtime is switched to PostgreSQL (its windows carry over), or an empty row for a
	 * new plugin. An existing row is left as it is (another node, or an earlier import, was first).
	 *
	 * @return Whether the row was created with this state.
	 * @throws StoreUnavailableException If the database cannot be reached.
	 */
	boolean importIfAbsent(String name, RunState state) throws StoreUnavailableException {
		return withConnection(connection -> {
			try (PreparedStatement statement = connection.prepareStatement("INSERT INTO crontainer_job "
					+ "(name, last_end, paused, anchor, anchor_for, last_node) VALUES (?, ?, ?, ?, ?, ?) "
					+ "ON CONFLICT (name) DO NOTHING")) {
				statement.setQueryTimeout(queryTimeoutSeconds());
				statement.setString(1, name);
				setNanos(statement, 2, state.lastEnd());
				statement.setBoolean(3, state.paused());
				setNanos(statement, 4, state.anchor());
				statement.setString(5, state.anchorFor());
				statement.setString(6, state.lastEnd() == null ? null : node);
				return statement.executeUpdate() == 1;
			}
		}, "cannot create the run state of " + name);
	}

	/**
	 * Changes the state of a name atomically across the cluster: the row is locked
	 * ({@code SELECT ... FOR UPDATE}), {@code change} computes the new state from the current one, and
	 * the row is written in the same transaction. Used for pause, resume, reset and the {@code ?}
	 * anchor, so two nodes' changes never overwrite each other. A reset (a changed {@code lastEnd})
	 * also drops a live claim: the run holding it can no longer commit.
	 *
	 * @param change Computes the new state; called once, on this thread, with the row locked: it must
	 *        be quick and must not call the store.
	 * @return The state written (or the current one, if {@code change} returned it unchanged).
	 * @throws StoreUnavailableException If the database cannot be reached.
	 */
	RunState update(String name, UnaryOperator<RunState> change) throws StoreUnavailableException {
		return withConnection(connection -> {
			connection.setAutoCommit(false);
			try {
				try (PreparedStatement insert = connection.prepareStatement(
						"INSERT INTO crontainer_job (name) VALUES (?) ON CONFLICT (name) DO NOTHING")) {
					insert.setQueryTimeout(queryTimeoutSeconds());
					insert.setString(1, name);
					insert.executeUpdate();
				}
				RunState current;
				try (PreparedStatement select = connection.prepareStatement("SELECT name, last_end, paused, anchor, "
						+ "anchor_for, NULL, false FROM crontainer_job WHERE name = ? FOR UPDATE")) {
					select.setQueryTimeout(queryTimeoutSeconds());
					select.setString(1, name);
					try (ResultSet result = select.executeQuery()) {
						current = rows(result).get(name).state();
					}
				}
				RunState next = change.apply(current);
				if (!next.equals(current)) {
					boolean reset = !java.util.Objects.equals(next.lastEnd(), current.lastEnd());
					try (PreparedStatement write = connection.prepareStatement("UPDATE crontainer_job SET last_end = ?, "
							+ "paused = ?, anchor = ?, anchor_for = ?, changed_at = now()"
							+ (reset ? ", claim_token = NULL, claim_node = NULL, claim_start = NULL, claim_fire = NULL, "
									+ "lease_until = NULL" : "")
							+ " WHERE name = ?")) {
						write.setQueryTimeout(queryTimeoutSeconds());
						setNanos(write, 1, next.lastEnd());
						write.setBoolean(2, next.paused());
						setNanos(write, 3, next.anchor());
						write.setString(4, next.anchorFor());
						write.setString(5, name);
						write.executeUpdate();
					}
				}
				connection.commit();
				return next;
			} catch (SQLException | RuntimeException e) {
				connection.rollback();
				throw e;
			} finally {
				connection.setAutoCommit(true);
			}
		}, "cannot change the run state of " + name);
	}

	// ------------------------------------------------------------------ claims

	/**
	 * Claims a name for a run on this node.
	 *
	 * @param name The plugin name.
	 * @param expectedStart The window start the caller believes in, or {@code null} to take whatever
	 *        the database holds. When given and different, the claim is refused ("stale").
	 * @param fire The scheduled fire time, or {@code null} for a manual fire (which may run a paused
	 *        plugin and repeats no fire time).
	 * @return The claim, or why not.
	 * @throws StoreUnavailableException If the database cannot be reached.
	 */
	ClaimResult claim(String name, Instant expectedStart, boolean anyStart, Instant fire) throws StoreUnavailableException {
		UUID token = UUID.randomUUID();
		ClaimResult result = tryClaim(name, expectedStart, anyStart, fire, token);
		if (result == null) {
			importIfAbsent(name, RunState.NEW);
			result = tryClaim(name, expectedStart, anyStart, fire, token);
			if (result == null) {
				throw new StoreUnavailableException("the row of " + name + " vanished while it was being claimed");
			}
		}
		if (result.claimed()) {
			held.put(token, result.claim());
		}
		return result;
	}

	/** The claim statement: one round trip; {@code null} if the name has no row. */
	private ClaimResult tryClaim(String name, Instant expectedStart, boolean anyStart, Instant fire, UUID token)
			throws StoreUnavailableException {
		return withConnection(connection -> {
			try (PreparedStatement statement = connection.prepareStatement(CLAIM)) {
				statement.setQueryTimeout(queryTimeoutSeconds());
				statement.setObject(1, token);
				statement.setString(2, node);
				setNanos(statement, 3, fire);
				statement.setLong(4, options.lease().toMillis());
				statement.setString(5, name);
				statement.setBoolean(6, anyStart);
				setNanos(statement, 7, expectedStart);
				setNanos(statement, 8, fire);
				setNanos(statement, 9, fire);
				statement.setString(10, name);
				try (ResultSet result = statement.executeQuery()) {
					if (!result.next()) {
						return null;
					}
					RunState state = new RunState(instant(nanosOrNull(result, 2)), result.getBoolean(3),
							instant(nanosOrNull(result, 4)), result.getString(5));
					if (result.getBoolean(1)) {
						Instant start = instant(nanosOrNull(result, 11));
						return new ClaimResult(new Claim(name, token, start, fire, node), null, null, null, null,
								state.withLastEnd(start));
					}
					String holder = result.getString(6);
					Instant holderFire = instant(nanosOrNull(result, 7));
					Long leftMillis = (Long) result.getObject(8);
					Instant fireDone = instant(nanosOrNull(result, 9));
					String reason;
					Duration left = leftMillis == null ? null : Duration.ofMillis(Math.max(0, leftMillis));
					if (left != null) {
						reason = "running on " + holder + (holderFire == null ? " (fired by hand)" : " (fire time " + holderFire + ")")
								+ ", lease for " + left.toMillis() + " ms more";
					} else if (fire != null && state.paused()) {
						reason = "paused";
					} else if (fire != null && fireDone != null && !fireDone.isBefore(fire)) {
						reason = "fire time " + fire + " already ran" + (fireDone.equals(fire) ? "" : " (or a later one, "
								+ fireDone + ")") + " on " + result.getString(10);
					} else {
						reason = "stale: the window now starts at " + (state.lastEnd() == null ? "the epoch" : state.lastEnd());
						holder = null;
					}
					return new ClaimResult(null, reason, left == null ? null : holder, left == null ? null : holderFire,
							left, state);
				}
			}
		}, "cannot claim " + name);
	}

	/**
	 * The claim: an {@code UPDATE} in a CTE, so that one round trip both claims and, when it does
	 * not, says why (the outer {@code SELECT} sees the row as it was before the statement).
	 */
	private static final String CLAIM = """
			WITH c AS (
			  UPDATE crontainer_job SET claim_token = ?, claim_node = ?, claim_start = last_end, claim_fire = ?,
			         lease_until = now() + ? * interval '1 millisecond', changed_at = now()
			  WHERE name = ?
			    AND (claim_token IS NULL OR lease_until <= now())
			    AND (? OR last_end IS NOT DISTINCT FROM ?)
			    AND (?::bigint IS NULL OR (NOT paused AND (fire_done IS NULL OR fire_done < ?)))
			  RETURNING last_end)
			SELECT EXISTS (SELECT 1 FROM c), j.last_end, j.paused, j.anchor, j.anchor_for,
			       j.claim_node, j.claim_fire,
			       CASE WHEN j.lease_until > now()
			            THEN CEIL(EXTRACT(EPOCH FROM (j.lease_until - now())) * 1000)::bigint END,
			       j.fire_done, j.last_node, (SELECT last_end FROM c)
			FROM crontainer_job j WHERE j.name = ?""";

	/**
	 * Commits the end of a claimed run's window and records the run, in the next group transaction.
	 * The compare-and-set: {@code last_end} becomes {@code end} only if the row still holds this
	 * claim's token and window start.
	 *
	 * @param claim A claim of this store, not committed or released yet.
	 * @param end The window end, after the claim's start.
	 * @param run The run for the history (its outcome as it will be if the commit succeeds).
	 * @return Completes with {@code true} once the window end is durable, {@code false} if the claim
	 *         was lost (the window is not committed, and the history records that); exceptionally with
	 *         a {@link StoreUnavailableException} if the transaction failed.
	 */
	CompletionStage<Boolean> commit(Claim claim, Instant end, CronRunDTO run) {
		held.remove(claim.token());
		return enqueue(new Write(claim, end, run));
	}

	/**
	 * Gives a claim up without committing (the run failed, was skipped or interrupted): its fire time
	 * counts as done, and the window stays for the next run, on any node.
	 *
	 * @param run The run for the history; {@code null} to record none.
	 * @return Completes once the release is durable; exceptionally with a
	 *         {@link StoreUnavailableException} (the lease then simply expires).
	 */
	CompletionStage<Boolean> release(Claim claim, CronRunDTO run) {
		held.remove(claim.token());
		return enqueue(new Write(claim, null, run));
	}

	/** Records a run that held no claim (a fire time skipped on this node, say). */
	CompletionStage<Boolean> record(CronRunDTO run) {
		return enqueue(new Write(null, null, run));
	}

	/** Whether the lease thread found this claim taken over; its commit will be refused. */
	boolean isLost(Claim claim) {
		return lost.contains(claim.token());
	}

	private CompletionStage<Boolean> enqueue(Write write) {
		if (closed) {
			write.result.completeExceptionally(new StoreUnavailableException("the state store is closed"));
		} else {
			writes.add(write);
		}
		return write.result;
	}

	/** A commit ({@code end} set), a release ({@code end} null), or a history row only ({@code claim} null). */
	private static final class Write {
		final Claim claim;
		final Instant end;
		final CronRunDTO run;
		final CompletableFuture<Boolean> result = new CompletableFuture<>();

		Write(Claim claim, Instant end, CronRunDTO run) {
			this.claim = claim;
			this.end = end;
			this.run = run;
		}
	}

	private void commitLoop() {
		List<Write> group = new ArrayList<>();
		while (!closed || !writes.isEmpty()) {
			try {
				Write first = writes.poll(1, TimeUnit.SECONDS);
				if (first == null) {
					continue;
				}
				group.add(first);
				writes.drainTo(group, MAX_GROUP - 1);
				writeGroup(group);
			} catch (InterruptedException e) {
				if (closed) {
					break;
				}
			} catch (RuntimeException | Error e) {
				for (Write write : group) {
					write.result.completeExceptionally(e);
				}
				LOG.error("The commit thread of the PostgreSQL state store failed", e);
			} finally {
				group.clear();
			}
		}
		List<Write> left = new ArrayList<>();
		writes.drainTo(left);
		for (Write write : left) {
			write.result.completeExceptionally(new StoreUnavailableException("the state store is closed"));
		}
	}

	/** Writes a group in one transaction: the commits and releases (one batch), then the history rows. */
	private void writeGroup(List<Write> group) {
		boolean[] done = new boolean[group.size()];
		try {
			withConnection(connection -> {
				connection.setAutoCommit(false);
				try {
					List<Integer> claimed = new ArrayList<>();
					try (PreparedStatement commit = connection.prepareStatement(COMMIT);
							PreparedStatement release = connection.prepareStatement(RELEASE)) {
						commit.setQueryTimeout(queryTimeoutSeconds());
						release.setQueryTimeout(queryTimeoutSeconds());
						List<Integer> commits = new ArrayList<>();
						List<Integer> releases = new ArrayList<>();
						for (int i = 0; i < group.size(); i++) {
							Write write = group.get(i);
							if (write.claim == null) {
								continue;
							}
							claimed.add(i);
							if (write.end != null) {
								setNanos(commit, 1, write.end);
								commit.setString(2, write.claim.name());
								commit.setObject(3, write.claim.token());
								setNanos(commit, 4, write.claim.start());
								commit.addBatch();
								commits.add(i);
							} else {
								release.setString(1, write.claim.name());
								release.setObject(2, write.claim.token());
								release.addBatch();
								releases.add(i);
							}
						}
						apply(commits.isEmpty() ? new int[0] : commit.executeBatch(), commits, done);
						apply(releases.isEmpty() ? new int[0] : release.executeBatch(), releases, done);
					}
					Set<String> names = new HashSet<>();
					try (PreparedStatement insert = connection.prepareStatement(INSERT_RUN)) {
						insert.setQueryTimeout(queryTimeoutSeconds());
						boolean any = false;
						for (int i = 0; i < group.size(); i++) {
							Write write = group.get(i);
							if (write.run == null) {
								continue;
							}
							CronRunDTO run = write.run;
							Outcome outcome = run.outcome;
							String error = run.error;
							if (write.end != null && !done[i]) {
								outcome = Outcome.FAILED;
								error = "window not committed: the claim was lost (its lease expired and another node "
										+ "took the window over, or the plugin was reset)" + (error == null ? "" : "; " + error);
							}
							insert.setString(1, run.name);
							insert.setString(2, node);
							insert.setString(3, run.trigger.name());
							insert.setString(4, outcome.name());
							setNanos(insert, 5, run.scheduledFire == null ? null : Instant.ofEpochMilli(run.scheduledFire));
							setNanos(insert, 6, write.claim != null ? write.claim.start() == null ? Instant.EPOCH
									: write.claim.start() : run.windowStart == null ? null : Instant.ofEpochMilli(run.windowStart));
							setNanos(insert, 7, write.end != null ? write.end
									: run.windowEnd == null ? null : Instant.ofEpochMilli(run.windowEnd));
							insert.setTimestamp(8, new Timestamp(run.started));
							insert.setTimestamp(9, run.finished == null ? null : new Timestamp(run.finished));
							insert.setString(10, error);
							insert.addBatch();
							names.add(run.name);
							any = true;
						}
						if (any) {
							insert.executeBatch();
						}
					}
					trimHistory(connection, names);
					connection.commit();
					return null;
				} catch (SQLException | RuntimeException e) {
					connection.rollback();
					throw e;
				} finally {
					connection.setAutoCommit(true);
				}
			}, "cannot commit " + group.size() + " run(s)");
		} catch (StoreUnavailableException e) {
			for (Write write : group) {
				write.result.completeExceptionally(e);
			}
			return;
		}
		for (int i = 0; i < group.size(); i++) {
			Write write = group.get(i);
			if (write.claim != null) {
				lost.remove(write.claim.token());
			}
			write.result.complete(write.claim == null || done[i]);
		}
	}

	private static void apply(int[] counts, List<Integer> indexes, boolean[] done) {
		for (int k = 0; k < indexes.size(); k++) {
			done[indexes.get(k)] = counts[k] == 1 || counts[k] == Statement.SUCCESS_NO_INFO;
		}
	}

	/** The fenced commit: a compare-and-set on the claim token and the window start. */
	private static final String COMMIT = """
			UPDATE crontainer_job SET last_end = ?, last_node = claim_node, fire_done = GREATEST(fire_done, claim_fire),
			       claim_token = NULL, claim_node = NULL, claim_start = NULL, claim_fire = NULL, lease_until = NULL,
			       changed_at = now()
			WHERE name = ? AND claim_token = ? AND last_end IS NOT DISTINCT FROM ?""";

	/** Gives a claim up: its fire time is done, its window is left to the next run. */
	private static final String RELEASE = """
			UPDATE crontainer_job SET fire_done = GREATEST(fire_done, claim_fire),
			       claim_token = NULL, claim_node = NULL, claim_start = NULL, claim_fire = NULL, lease_until = NULL,
			       changed_at = now()
			WHERE name = ? AND claim_token = ?""";

	private static final String INSERT_RUN = """
			INSERT INTO crontainer_run (name, node, trigger, outcome, scheduled_fire, window_start, window_end, started,
			                            finished, error)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""";

	/** Keeps the newest {@link Options#historyKept} runs of each name just written to. */
	private void trimHistory(Connection connection, Set<String> names) throws SQLException {
		if (names.isEmpty()) {
			return;
		}
		try (PreparedStatement trim = connection.prepareStatement("""
				DELETE FROM crontainer_run r USING (
				  SELECT name, (SELECT id FROM crontainer_run k WHERE k.name = n.name ORDER BY id DESC OFFSET ? LIMIT 1) AS cut
				  FROM unnest(?::text[]) AS n(name)) t
				WHERE r.name = t.name AND r.id <= t.cut""")) {
			trim.setQueryTimeout(queryTimeoutSeconds());
			trim.setInt(1, options.historyKept());
			Array array = connection.createArrayOf("text", names.toArray());
			trim.setArray(2, array);
			trim.executeUpdate();
		}
	}

	// ------------------------------------------------------------------ leases

	private void renewLoop() {
		long period = options.renewEvery().toNanos();
		while (!closed) {
			try {
				TimeUnit.NANOSECONDS.sleep(period);
			} catch (InterruptedException e) {
				if (closed) {
					return;
				}
			}
			try {
				renewNow();
			} catch (StoreUnavailableException e) {
				LOG.warn("Cannot renew the leases of {} running claim(s): {}", held.size(), e.getMessage());
			} catch (RuntimeException e) {
				LOG.error("The lease thread of the PostgreSQL state store failed", e);
			}
		}
	}

	/**
	 * Renews the leases of all claims held by this node, in one statement. A claim not found (taken
	 * over after its lease expired, or dropped by a reset) is lost: logged once, and its commit will be
	 * refused.
	 *
	 * @throws StoreUnavailableException If the database cannot be reached.
	 */
	void renewNow() throws StoreUnavailableException {
		Map<UUID, Claim> claims = new LinkedHashMap<>(held);
		if (claims.isEmpty()) {
			return;
		}
		Set<UUID> renewed = withConnection(connection -> {
			try (PreparedStatement statement = connection.prepareStatement("UPDATE crontainer_job SET lease_until = now() "
					+ "+ ? * interval '1 millisecond' WHERE claim_token = ANY (?) RETURNING claim_token")) {
				statement.setQueryTimeout(queryTimeoutSeconds());
				statement.setLong(1, options.lease().toMillis());
				statement.setArray(2, connection.createArrayOf("uuid", claims.keySet().toArray()));
				Set<UUID> found = new HashSet<>();
				try (ResultSet result = statement.executeQuery()) {
					while (result.next()) {
						found.add((UUID) result.getObject(1));
					}
				}
				return found;
			}
		}, "cannot renew leases");
		for (Claim claim : claims.values()) {
			if (!renewed.contains(claim.token()) && held.remove(claim.token()) != null) {
				lost.add(claim.token());
				LOG.warn("Cron plugin {} lost its claim (node {}): its lease expired and another node took the window "
						+ "over, or the plugin was reset; this run's window will not be committed", claim.name(), node);
			}
		}
	}

	/** Stops the commit and lease threads (pending commits are written first) and closes the connections. */
	@Override
	public void close() {
		closed = true;
		committer.interrupt();
		try {
			committer.join(options.queryTimeout().toMillis() + 1000);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
		renewer.interrupt();
		connections.close();
	}

	// ------------------------------------------------------------------ JDBC plumbing

	@FunctionalInterface
	private interface Work<T> {
		T apply(Connection connection) throws SQLException;
	}

	@FunctionalInterface
	private interface Binder {
		void bind(PreparedStatement statement) throws SQLException;
	}

	@FunctionalInterface
	private interface Reader<T> {
		T read(ResultSet result) throws SQLException;
	}

	private <T> T query(String sql, Binder binder, Reader<T> reader, String what) throws StoreUnavailableException {
		return withConnection(connection -> {
			try (PreparedStatement statement = connection.prepareStatement(sql)) {
				statement.setQueryTimeout(queryTimeoutSeconds());
				binder.bind(statement);
				try (ResultSet result = statement.executeQuery()) {
					return reader.read(result);
				}
			}
		}, what);
	}

	private <T> T withConnection(Work<T> work, String what) throws StoreUnavailableException {
		Connection connection;
		try {
			connection = connections.borrow();
		} catch (SQLException e) {
			throw unavailable(what, e);
		}
		try {
			T result = work.apply(connection);
			connections.giveBack(connection);
			return result;
		} catch (SQLException e) {
			connections.discard(connection);
			throw unavailable(what, e);
		} catch (RuntimeException | Error e) {
			connections.discard(connection);
			throw e;
		}
	}

	private static StoreUnavailableException unavailable(String what, SQLException e) {
		String message = e.getMessage() == null ? e.toString() : e.getMessage().replaceAll("\\s+", " ").trim();
		String state = e.getSQLState() == null ? "" : " [SQLState " + e.getSQLState() + "]";
		return new StoreUnavailableException("PostgreSQL: " + what + ": " + message + state, e);
	}

	private int queryTimeoutSeconds() {
		return (int) Math.max(1, options.queryTimeout().toSeconds());
	}

	private static Map<String, Row> rows(ResultSet result) throws SQLException {
		Map<String, Row> rows = new HashMap<>();
		while (result.next()) {
			String name = result.getString(1);
			RunState state = new RunState(instant(nanosOrNull(result, 2)), result.getBoolean(3),
					instant(nanosOrNull(result, 4)), result.getString(5));
			rows.put(name, new Row(name, state, result.getString(6), result.getBoolean(7)));
		}
		return rows;
	}

	/** Nanoseconds since the epoch (UTC), exact for 1677-09-21 to 2262-04-11. */
	static long nanos(Instant instant) {
		return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000_000L), instant.getNano());
	}

	static Instant instant(Long nanos) {
		return nanos == null ? null : Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L),
				Math.floorMod(nanos, 1_000_000_000L));
	}

	private static Long millis(Long nanos) {
		return nanos == null ? null : Math.floorDiv(nanos, 1_000_000L);
	}

	private static Long nanosOrNull(ResultSet result, int column) throws SQLException {
		long value = result.getLong(column);
		return result.wasNull() ? null : value;
	}

	private static void setNanos(PreparedStatement statement, int index, Instant instant) throws SQLException {
		if (instant == null) {
			statement.setNull(index, Types.BIGINT);
		} else {
			statement.setLong(index, nanos(instant));
		}
	}
}
