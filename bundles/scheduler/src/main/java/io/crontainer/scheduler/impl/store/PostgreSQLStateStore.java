package io.crontainer.scheduler.impl.store;

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
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
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
 * <b>Claim.</b> One {@code UPDATE} ({@link #CLAIM}) that succeeds only if the window start is the one
 * expected, no claim holds a live lease ({@code lease_until > now()}: the database's clock, never a
 * node's), and, for a scheduled fire time, that fire time (or a later one) has not run already on some
 * node ({@code fire_done}) and the plugin is not paused. It records a random token, the node and the
 * fire time; the lease is {@link Options#lease} long and renewed every {@link Options#renewEvery},
 * for all running claims of this node in one statement, while the runs last.
 *
 * <p>
 * <b>Commit.</b> {@code last_end} moves to the window end only by a compare-and-set on the claim token
 * <em>and</em> the window start ({@link #COMMIT}): a node that lost its lease (paused by GC,
 * partitioned, too slow) and whose window was taken over finds another token, and its commit changes
 * nothing ({@link FencedException}). Commits, releases and history rows of many runs are written in
 * one transaction, one statement each, by one thread ({@code crontainer-store-commit}), so no run
 * waits for another's round trip. The commit statement also inserts the run's history row, so that the
 * history of committed windows is complete even if the node dies right after its commit.
 *
 * <p>
 * <b>Fire times.</b> {@code fire_done} moves forward when a claimed run is over (committed or
 * released), never when a lease merely expires: the fire time of a node killed mid-run stays
 * claimable, and the first node to claim it after the lease expired runs that window again.
 *
 * <p>
 * <b>Other nodes' changes</b> are polled every {@link Options#poll} ({@code changed_at} on the
 * database clock, with an overlap that covers transactions in flight): the cache that {@link #read}
 * answers from is refreshed, and the listener ({@link #listen}) is told. Polling, not
 * {@code LISTEN/NOTIFY}: notifications are lost while a node's connection is down and would need a
 * poll to catch up anyway, they need the driver's own API ({@code PGConnection}) beyond the OSGi JDBC
 * service, and one indexed query every 2 s per node costs nothing the database notices.
 *
 * <p>
 * <b>Failures.</b> The store opens even when the database is down: {@link #read} and {@link #claim}
 * then throw {@link StoreUnavailableException} naming the cause, so nothing runs and nothing is
 * guessed, and the lease thread tries again every {@link Options#poll} until it connects. A loss and a
 * recovery are logged once each. A database whose tables are of a newer schema version is refused in
 * the same way, with the reason ({@link PostgreSQLSchema}).
 *
 * <p>
 * Thread-safe. Claims and operators' changes run on the caller's thread, on a pooled connection;
 * commits, releases and history on the commit thread; renewals, polls and reconnects on the lease
 * thread ({@code crontainer-store-lease}). No lock of this class is held during I/O, and the listener
 * and the commit stages are called with none held.
 */
public final class PostgreSQLStateStore implements StateStore {

	/**
	 * The timing of claims and polls.
	 *
	 * @param lease How long a claim holds without renewal, on the database clock: a node killed with
	 *        {@code kill -9} leaves its window to another node after at most this.
	 * @param renewEvery How often the leases of running runs are renewed.
	 * @param poll How often other nodes' changes are read, and a lost database is tried again.
	 * @param queryTimeout The time limit of each statement, and of a wait for a free connection.
	 * @param historyKept Runs kept in the database per plugin name; older ones are deleted.
	 */
	public record Options(Duration lease, Duration renewEvery, Duration poll, Duration queryTimeout, int historyKept) {

		/**
		 * A 20 s lease renewed every 5 s: a node may fail three renewals in a row (a database
		 * fail-over, a long GC pause) before its run loses the claim, and a killed node's window is run
		 * again elsewhere within 20 s plus one poll, inside the 30 s promised.
		 */
		public static final Options DEFAULT = new Options(Duration.ofSeconds(20), Duration.ofSeconds(5),
				Duration.ofSeconds(2), Duration.ofSeconds(10), 1000);

		/** @throws IllegalArgumentException If a value is out of range; the message says which. */
		public Options {
			if (lease.compareTo(Duration.ofSeconds(1)) < 0) {
				throw new IllegalArgumentException("the lease must be at least 1 s: " + lease);
			}
			if (renewEvery.isNegative() || renewEvery.isZero() || renewEvery.compareTo(lease.dividedBy(2)) > 0) {
				throw new IllegalArgumentException("the renewal period must be positive and at most half the lease ("
						+ lease.dividedBy(2).toMillis() + " ms): " + renewEvery.toMillis() + " ms");
			}
			if (poll.isNegative() || poll.isZero() || queryTimeout.isNegative() || queryTimeout.isZero()) {
				throw new IllegalArgumentException("poll and queryTimeout must be positive");
			}
			if (historyKept < 1) {
				throw new IllegalArgumentException("historyKept must be at least 1: " + historyKept);
			}
		}

		/** These options with another lease, renewed at a quarter of it. */
		public Options withLease(Duration newLease) {
			return new Options(newLease, newLease.dividedBy(4), poll, queryTimeout, historyKept);
		}
	}

	private static final Logger LOG = LoggerFactory.getLogger(PostgreSQLStateStore.class);
	private static final int MAX_GROUP = 512;
	/** How far back a poll re-reads: longer than any transaction of ours may take. */
	private static final Duration POLL_OVERLAP = Duration.ofSeconds(30);
	private static final String NOT_CONNECTED = "not connected yet";
	/** How long after opening a failure to connect is logged at info only. */
	private static final Duration STARTUP_GRACE = Duration.ofSeconds(10);
	/** A retry of a fire time held elsewhere comes this long after the holder's lease ends. */
	private static final long RETRY_MARGIN_MILLIS = 250;

	private final Connections connections;
	private final DataSource dataSource;
	private final String node;
	private final Options options;
	private final String description;
	private final Supplier<Map<String, RunState>> imports;
	private final BlockingQueue<Write> writes = new LinkedBlockingQueue<>();
	/** The records as last read or written, by name: what {@link #read} answers. */
	private final Map<String, RunState> cache = new ConcurrentHashMap<>();
	/** Claims held by this node now, renewed by the lease thread, with the last confirmed lease end (nanoTime). */
	private final Map<Long, Held> held = new ConcurrentHashMap<>();
	/** History rows inserted by commits, by name and window end (ms), for {@link #appendHistory} to complete. */
	private final Map<String, Long> committedRuns = new ConcurrentHashMap<>();
	private final Thread committer;
	private final Thread leaser;
	private final Object availability = new Object();
	// Guarded by availability.
	private String down = NOT_CONNECTED;
	private Instant lastPoll;
	private volatile boolean ready;
	private volatile boolean closed;
	private volatile BiConsumer<String, RunState> listener;
	private volatile Runnable available;
	private final long openedAt = System.nanoTime();
	// Guarded by availability.
	private boolean everConnected;
	private boolean warned;
	private boolean waitingLogged;

	private static final class Held {
		final Claim claim;
		volatile long confirmedUntilNanos;
		volatile boolean lost;

		Held(Claim claim, long confirmedUntilNanos) {
			this.claim = claim;
			this.confirmedUntilNanos = confirmedUntilNanos;
		}
	}

	/**
	 * Opens the store and starts its threads. Connecting (creating or checking the tables, loading the
	 * records, importing local ones) is tried at once and, until it succeeds, again every poll; until
	 * then reads and claims throw {@link StoreUnavailableException}. Never fails because of the
	 * database.
	 *
	 * @param dataSource The database, from the OSGi JDBC service ({@code DataSourceFactory}); closed
	 *        with the store if it is {@link AutoCloseable}.
	 * @param what Where the database is, for log lines (a URL without the password).
	 * @param node This runtime's node id, recorded with each claim and run. Must not be {@code null}.
	 * @param options The lease timing.
	 * @param imports The records of the local store this runtime used before; each one is copied into
	 *        the database if the database has no row for its name (so a runtime switched to PostgreSQL
	 *        keeps its windows). Called once, on the first successful connection. Must not be {@code null}.
	 */
	public PostgreSQLStateStore(DataSource dataSource, String what, String node, Options options,
			Supplier<Map<String, RunState>> imports) {
		this.connections = new Connections(dataSource, "SET synchronous_commit = off", 4,
				options.queryTimeout().toMillis());
		this.dataSource = dataSource;
		this.node = Objects.requireNonNull(node, "node");
		this.options = options;
		this.description = "PostgreSQL " + what + " (node " + node + ")";
		this.imports = imports;
		this.committer = new Thread(this::commitLoop, "crontainer-store-commit");
		this.committer.setDaemon(true);
		this.leaser = new Thread(this::leaseLoop, "crontainer-store-lease");
		this.leaser.setDaemon(true);
		connect();
		committer.start();
		leaser.start();
	}

	@Override
	public String describe() {
		return description;
	}

	@Override
	public String node() {
		return node;
	}

	/** Whether the database is reachable and the records are loaded. */
	public boolean isAvailable() {
		return ready;
	}

	/**
	 * Sets the listener told of every record that changed in the database (by another node, or by
	 * this one), on the lease thread, with no lock held. Replaces the previous one; {@code null} for
	 * none.
	 */
	@Override
	public void listen(BiConsumer<String, RunState> changed) {
		this.listener = changed;
	}

	@Override
	public void onAvailable(Runnable callback) {
		this.available = callback;
	}

	// ------------------------------------------------------------------ connecting and polling

	/** Creates or checks the tables, imports local records and loads all; logs a change of availability once. */
	private boolean connect() {
		try {
			withConnection(connection -> {
				PostgreSQLSchema.ensure(connection);
				return null;
			}, "cannot create or check the tables");
			int imported = importLocal();
			Changes all = changesSince(null);
			cache.clear();
			all.rows().forEach((name, row) -> {
				cache.put(name, row.state());
				nodes.put(name, row);
			});
			tellAll(all);
			boolean back;
			boolean announce;
			synchronized (availability) {
				lastPoll = all.now();
				back = down != null;
				announce = warned || waitingLogged;
				down = null;
				everConnected = true;
				warned = false;
				waitingLogged = false;
			}
			if (announce) {
				LOG.info("State store {} is available: {} plugin records{}", description, all.rows().size(),
						imported > 0 ? ", " + imported + " imported from the local store" : "");
			} else if (imported > 0) {
				LOG.info("State store {}: {} records imported from the local store", description, imported);
			}
			ready = true;
			Runnable callback = available;
			if (back && callback != null) {
				try {
					callback.run();
				} catch (RuntimeException e) {
					LOG.error("The availability callback of the state store failed", e);
				}
			}
			return true;
		} catch (StoreUnavailableException e) {
			return false; // logged by lost()
		}
	}

	/** After a (re)connection: the listener learns every record changed while the database was away. */
	private void tellAll(Changes all) {
		BiConsumer<String, RunState> l = listener;
		all.rows().forEach((name, row) -> {
			Long told = notified.put(name, row.state().version());
			if (l != null && told != null && told != row.state().version()) {
				try {
					l.accept(name, row.state());
				} catch (RuntimeException e) {
					LOG.error("The listener of the state store failed on {}", name, e);
				}
			}
		});
	}

	/**
	 * Marks the database lost; logs once per loss (not again while it stays down). Before the first
	 * connection, for up to {@link #STARTUP_GRACE}, only at info: the driver's {@code DataSourceFactory}
	 * may register a moment after the scheduler starts.
	 */
	private void lost(String reason) {
		ready = false;
		boolean info = false;
		boolean warn = false;
		synchronized (availability) {
			down = reason;
			if (!warned) {
				if (!everConnected && System.nanoTime() - openedAt < STARTUP_GRACE.toNanos()) {
					info = !waitingLogged;
					waitingLogged = true;
				} else {
					warn = true;
					warned = true;
				}
			}
		}
		if (info) {
			LOG.info("State store {} is not connected yet; no plugin runs until it is: {}", description, reason);
		}
		if (warn) {
			LOG.warn("State store {} is unavailable; no plugin runs until it is back (tried again every {} ms): {}",
					description, options.poll().toMillis(), reason);
		}
	}

	private StoreUnavailableException notReady() {
		String reason;
		synchronized (availability) {
			reason = down;
		}
		return new StoreUnavailableException(description + " is unavailable: " + reason, null);
	}

	private int importLocal() throws StoreUnavailableException {
		Map<String, RunState> local = imports.get();
		if (local == null || local.isEmpty()) {
			return 0;
		}
		return withConnection(connection -> {
			try (PreparedStatement statement = connection.prepareStatement("INSERT INTO crontainer_job "
					+ "(name, last_end, paused, anchor, anchor_for, last_node) VALUES (?, ?, ?, ?, ?, ?) "
					+ "ON CONFLICT (name) DO NOTHING")) {
				statement.setQueryTimeout(queryTimeoutSeconds());
				for (Map.Entry<String, RunState> entry : local.entrySet()) {
					RunState state = entry.getValue();
					statement.setString(1, entry.getKey());
					setNanos(statement, 2, state.lastEnd());
					statement.setBoolean(3, state.paused());
					setNanos(statement, 4, state.anchor());
					statement.setString(5, state.anchorFor());
					statement.setString(6, state.lastEnd() == null ? null : node + " (local)");
					statement.addBatch();
				}
				int imported = 0;
				for (int count : statement.executeBatch()) {
					imported += count > 0 ? 1 : 0;
				}
				return imported;
			}
		}, "cannot import the local records");
	}

	/** Rows changed since a poll, and the database time of the poll. */
	record Changes(Map<String, Row> rows, Instant now) {
	}

	/** A row of the job table: its record, and who holds or last ran it. */
	record Row(RunState state, String node, boolean running) {
	}

	/**
	 * Reads the rows written since {@code since} (database clock; {@code null} for all) minus an
	 * overlap, so that a transaction that committed after the previous poll but began before it is not
	 * missed; rows may thus come twice.
	 */
	Changes changesSince(Instant since) throws StoreUnavailableException {
		return withConnection(connection -> {
			try (PreparedStatement statement = connection.prepareStatement("SELECT name, last_end, paused, anchor, "
					+ "anchor_for, version, CASE WHEN lease_until > now() THEN claim_node ELSE last_node END, "
					+ "lease_until > now(), now() FROM crontainer_job WHERE ?::timestamptz IS NULL OR changed_at > ?")) {
				statement.setQueryTimeout(queryTimeoutSeconds());
				Timestamp from = since == null ? null : Timestamp.from(since.minus(POLL_OVERLAP));
				statement.setTimestamp(1, from);
				statement.setTimestamp(2, from);
				Map<String, Row> rows = new HashMap<>();
				Instant now = null;
				try (ResultSet result = statement.executeQuery()) {
					while (result.next()) {
						rows.put(result.getString(1), new Row(state(result, 2), result.getString(7), result.getBoolean(8)));
						now = result.getTimestamp(9).toInstant();
					}
				}
				if (now == null) {
					try (Statement clock = connection.createStatement(); ResultSet result = clock.executeQuery("SELECT now()")) {
						result.next();
						now = result.getTimestamp(1).toInstant();
					}
				}
				return new Changes(rows, now);
			}
		}, "cannot read the changed run states");
	}

	/** Reads the latest changes, refreshes the cache and tells the listener. */
	void poll() throws StoreUnavailableException {
		Instant since;
		synchronized (availability) {
			since = lastPoll;
		}
		Changes changes = changesSince(since);
		synchronized (availability) {
			lastPoll = changes.now();
		}
		BiConsumer<String, RunState> l = listener;
		changes.rows().forEach((name, row) -> {
			RunState fresh = row.state();
			remember(name, fresh);
			Long told = notified.put(name, fresh.version());
			if ((told == null || told < fresh.version()) && l != null) {
				try {
					l.accept(name, fresh);
				} catch (RuntimeException e) {
					LOG.error("The listener of the state store failed on {}", name, e);
				}
			}
		});
		nodes.putAll(changes.rows());
	}

	/** The version of each name's record last passed to the listener. Lease thread only. */
	private final Map<String, Long> notified = new HashMap<>();

	/** The latest row seen per name by a poll: who holds or last ran it. */
	private final Map<String, Row> nodes = new ConcurrentHashMap<>();

	/**
	 * The node that holds a live claim of the name, or else committed its last window, as of the last
	 * poll that saw the row change; {@code null} if unknown.
	 */
	@Override
	public String nodeOf(String name) {
		Row row = nodes.get(name);
		return row == null ? null : row.node();
	}

	private void leaseLoop() {
		long renewEvery = options.renewEvery().toNanos();
		long pollEvery = options.poll().toNanos();
		long nextRenew = System.nanoTime() + renewEvery;
		long nextPoll = System.nanoTime() + pollEvery;
		while (!closed) {
			long now = System.nanoTime();
			long wait = Math.min(nextRenew, nextPoll) - now;
			if (wait > 0) {
				try {
					TimeUnit.NANOSECONDS.sleep(wait);
				} catch (InterruptedException e) {
					if (closed) {
						return;
					}
				}
				continue;
			}
			try {
				if (now - nextRenew >= 0) {
					nextRenew = now + renewEvery;
					if (ready) {
						renewAll();
					}
				}
				if (now - nextPoll >= 0) {
					nextPoll = now + pollEvery;
					if (ready) {
						poll();
					} else {
						connect();
					}
				}
			} catch (StoreUnavailableException e) {
				// logged by lost(); connect() tries again at the next poll
			} catch (RuntimeException e) {
				LOG.error("The lease thread of the PostgreSQL state store failed", e);
			}
		}
	}

	/**
	 * Renews the leases of every claim held by this node, in one statement. A claim not found (taken
	 * over after its lease expired, or fenced by a reset) is lost: logged once; its commit will be
	 * refused.
	 */
	void renewAll() throws StoreUnavailableException {
		Map<Long, Held> claims = new LinkedHashMap<>(held);
		if (claims.isEmpty()) {
			return;
		}
		long sent = System.nanoTime();
		Set<Long> renewed = withConnection(connection -> {
			try (PreparedStatement statement = connection.prepareStatement("UPDATE crontainer_job SET lease_until = now() "
					+ "+ ? * interval '1 millisecond' WHERE claim_token = ANY (?) RETURNING claim_token")) {
				statement.setQueryTimeout(queryTimeoutSeconds());
				statement.setLong(1, options.lease().toMillis());
				statement.setArray(2, connection.createArrayOf("bigint", claims.keySet().toArray()));
				Set<Long> found = new HashSet<>();
				try (ResultSet result = statement.executeQuery()) {
					while (result.next()) {
						found.add(result.getLong(1));
					}
				}
				return found;
			}
		}, "cannot renew leases");
		long until = sent + options.lease().toNanos();
		for (Held claim : claims.values()) {
			if (renewed.contains(claim.claim.token())) {
				claim.confirmedUntilNanos = until;
			} else if (!claim.lost && held.containsKey(claim.claim.token())) {
				claim.lost = true; // the scheduler logs it, when it next renews the claim
				LOG.debug("Cron plugin {} lost its claim on node {}: its lease expired and another node took the window "
						+ "over, or an operator reset it", claim.claim.name(), node);
			}
		}
	}

	// ------------------------------------------------------------------ StateStore

	@Override
	public RunState read(String name) throws StoreUnavailableException {
		if (!ready) {
			throw notReady();
		}
		return cache.getOrDefault(name, RunState.NEW);
	}

	@Override
	public ClaimResult claim(String name, Instant windowStart, Instant fireTime) throws StoreUnavailableException {
		return claim(name, windowStart, fireTime, false);
	}

	/**
	 * {@inheritDoc}
	 *
	 * <p>
	 * The claim statement with one more condition: {@code claim_token IS NOT NULL}, an expired claim
	 * that was neither committed nor released.
	 */
	@Override
	public ClaimResult claimOver(String name, Instant windowStart, Instant fireTime) throws StoreUnavailableException {
		return claim(name, windowStart, fireTime, true);
	}

	private ClaimResult claim(String name, Instant windowStart, Instant fireTime, boolean takeOver)
			throws StoreUnavailableException {
		if (!ready) {
			throw notReady();
		}
		long token;
		do {
			token = ThreadLocalRandom.current().nextLong();
		} while (token == 0);
		ClaimResult result = tryClaim(name, windowStart, fireTime, token, takeOver);
		for (int again = 0; again < 3 && result != null && result.windowMoved()
				&& result.current().windowStart().equals(windowStart); again++) {
			// A concurrent claim won the row while this statement waited for its lock: the statement's
			// snapshot still shows the row before it. A new statement sees who holds it, and why.
			result = tryClaim(name, windowStart, fireTime, token, takeOver);
		}
		if (result == null) {
			withConnection(connection -> {
				try (PreparedStatement insert = connection.prepareStatement(
						"INSERT INTO crontainer_job (name) VALUES (?) ON CONFLICT (name) DO NOTHING")) {
					insert.setQueryTimeout(queryTimeoutSeconds());
					insert.setString(1, name);
					return insert.executeUpdate();
				}
			}, "cannot create the record of " + name);
			result = tryClaim(name, windowStart, fireTime, token, takeOver);
			if (result == null) {
				throw new StoreUnavailableException("the record of " + name + " vanished while it was claimed", null);
			}
		}
		remember(name, result.current());
		if (result.granted()) {
			held.put(token, new Held(result.claim(), System.nanoTime() + options.lease().toNanos()));
		}
		return result;
	}

	/**
	 * The claim: an {@code UPDATE} in a CTE, so that one round trip both claims and, when it does not,
	 * says why (the outer {@code SELECT} sees the row as it was before the statement).
	 */
	static final String CLAIM = """
			WITH c AS (
			  UPDATE crontainer_job SET claim_token = ?, lease_until = now() + ? * interval '1 millisecond',
			         claim_node = ?, claim_fire = ?, claimed_at = now(), changed_at = now()
			  WHERE name = ?
			    AND (claim_token IS NULL OR lease_until <= now())
			    AND COALESCE(last_end, 0) = ?
			    AND (?::bigint IS NULL OR (NOT paused AND (fire_done IS NULL OR fire_done < ?)))
			    AND (NOT ? OR claim_token IS NOT NULL)
			  RETURNING lease_until)
			SELECT (SELECT lease_until FROM c), j.last_end, j.paused, j.anchor, j.anchor_for, j.version,
			       j.claim_node, j.claim_fire,
			       CASE WHEN j.lease_until > now()
			            THEN CEIL(EXTRACT(EPOCH FROM (j.lease_until - now())) * 1000)::bigint END,
			       j.fire_done, j.last_node, j.claim_token IS NOT NULL
			FROM crontainer_job j WHERE j.name = ?""";

	/** @return The answer; {@code null} if the name has no row. */
	private ClaimResult tryClaim(String name, Instant windowStart, Instant fire, long token, boolean takeOver)
			throws StoreUnavailableException {
		return withConnection(connection -> {
			try (PreparedStatement statement = connection.prepareStatement(CLAIM)) {
				statement.setQueryTimeout(queryTimeoutSeconds());
				statement.setLong(1, token);
				statement.setLong(2, options.lease().toMillis());
				statement.setString(3, node);
				setNanos(statement, 4, fire);
				statement.setString(5, name);
				statement.setLong(6, nanos(windowStart));
				setNanos(statement, 7, fire);
				setNanos(statement, 8, fire);
				statement.setBoolean(9, takeOver);
				statement.setString(10, name);
				try (ResultSet result = statement.executeQuery()) {
					if (!result.next()) {
						return null;
					}
					RunState state = state(result, 2);
					Timestamp leaseUntil = result.getTimestamp(1);
					if (leaseUntil != null) {
						return ClaimResult.granted(new Claim(name, token, windowStart, fire, node, leaseUntil.toInstant()),
								state);
					}
					Object leftMillis = result.getObject(9);
					if (leftMillis != null) {
						String holder = result.getString(7);
						Instant holderFire = instant(nanosOrNull(result, 8));
						String refusal = "running on node " + holder
								+ (holderFire == null ? " (fired by hand)" : " (fire time " + holderFire + ")")
								+ ", its lease holds " + leftMillis + " ms more";
						if (fire == null) {
							return ClaimResult.refused(state, refusal, false);
						}
						// The holder may be dead: try to take over when its lease expires (granted only if it
						// did not finish by then, see claimOver).
						Instant retryAt = Instant.now().plusMillis(((Number) leftMillis).longValue() + RETRY_MARGIN_MILLIS);
						return ClaimResult.elsewhere(state, refusal, retryAt);
					}
					Instant fireDone = instant(nanosOrNull(result, 10));
					if (takeOver && !result.getBoolean(12)) {
						return ClaimResult.elsewhere(state, "the runtime that held it finished; nothing to take over", null);
					}
					if (fire != null && state.paused()) {
						return ClaimResult.refused(state, "paused (cluster-wide)", false);
					}
					if (fire != null && fireDone != null && !fireDone.isBefore(fire)) {
						return ClaimResult.elsewhere(state, "fire time " + fire + " ran already"
								+ (fireDone.equals(fire) ? "" : " (so did " + fireDone + ")"), null);
					}
					return ClaimResult.refused(state, "the window now starts at " + state.windowStart() + ", not at "
							+ windowStart, true);
				}
			}
		}, "cannot claim " + name);
	}

	@Override
	public Duration renewEvery() {
		return options.renewEvery();
	}

	/**
	 * Answers from what the lease thread last learned, without a round trip (the thread renews every
	 * claim of this node in one statement every {@link Options#renewEvery}): {@code false} once a
	 * renewal found the claim taken over or fenced, or once its lease has run out since the last
	 * renewal that reached the database.
	 */
	@Override
	public Lease renew(Claim claim) {
		Held h = held.get(claim.token());
		if (h == null || h.lost) {
			return Lease.LOST;
		}
		return h.confirmedUntilNanos - System.nanoTime() > 0 ? Lease.HELD : Lease.UNCONFIRMED;
	}

	@Override
	public CompletionStage<RunState> commit(Claim claim, Instant windowEnd) {
		held.remove(claim.token());
		Write write = new Write(Write.COMMIT, claim, windowEnd, null);
		enqueue(write);
		return write.result;
	}

	/**
	 * Releases at once, on the caller's thread (one round trip), so that the next claim of the name,
	 * on any node, finds it released. If the database cannot be reached the lease simply expires.
	 */
	@Override
	public void release(Claim claim) {
		held.remove(claim.token());
		try {
			withConnection(connection -> {
				try (PreparedStatement statement = connection.prepareStatement(RELEASE)) {
					statement.setQueryTimeout(queryTimeoutSeconds());
					statement.setString(1, claim.name());
					statement.setLong(2, claim.token());
					return statement.executeUpdate();
				}
			}, "cannot release the claim of " + claim.name());
		} catch (StoreUnavailableException e) {
			LOG.debug("The claim of {} is left to expire: {}", claim.name(), e.getMessage());
		}
	}

	@Override
	public boolean keepsHistory() {
		return true;
	}

	@Override
	public void appendHistory(CronRunDTO run) {
		enqueue(new Write(Write.HISTORY, null, null, run));
	}

	@Override
	public List<CronRunDTO> history(String name, int limit) throws StoreUnavailableException {
		String sql = "SELECT name, node, trigger, outcome, scheduled_fire, window_start, window_end, started, finished, "
				+ "error FROM crontainer_run " + (name == null ? "" : "WHERE name = ? ") + "ORDER BY id DESC LIMIT ?";
		return withConnection(connection -> {
			try (PreparedStatement statement = connection.prepareStatement(sql)) {
				statement.setQueryTimeout(queryTimeoutSeconds());
				int i = 1;
				if (name != null) {
					statement.setString(i++, name);
				}
				statement.setInt(i, limit);
				List<CronRunDTO> runs = new ArrayList<>();
				try (ResultSet result = statement.executeQuery()) {
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
				}
				return runs;
			}
		}, "cannot read the run history");
	}

	@Override
	public RunState setPaused(String name, boolean paused) throws StoreUnavailableException {
		return update(name, false, state -> state.paused() == paused ? state : state.withPaused(paused));
	}

	@Override
	public RunState setAnchor(String name, Instant anchor, String anchorFor) throws StoreUnavailableException {
		return update(name, false, state -> anchorFor.equals(state.anchorFor()) ? state : state.withAnchor(anchor, anchorFor));
	}

	@Override
	public RunState reset(String name, Instant since) throws StoreUnavailableException {
		return update(name, true, state -> state.withLastEnd(since));
	}

	/**
	 * Changes the record of a name atomically across the cluster: the row is locked
	 * ({@code SELECT ... FOR UPDATE}), {@code change} computes the new record, which is written in the
	 * same transaction. A reset also ends every claim of the name (fencing its commit).
	 */
	private RunState update(String name, boolean fence, UnaryOperator<RunState> change) throws StoreUnavailableException {
		if (!ready) {
			throw notReady();
		}
		RunState written = withConnection(connection -> {
			connection.setAutoCommit(false);
			try {
				durable(connection);
				try (PreparedStatement insert = connection.prepareStatement(
						"INSERT INTO crontainer_job (name) VALUES (?) ON CONFLICT (name) DO NOTHING")) {
					insert.setQueryTimeout(queryTimeoutSeconds());
					insert.setString(1, name);
					insert.executeUpdate();
				}
				RunState current;
				try (PreparedStatement select = connection.prepareStatement("SELECT last_end, paused, anchor, anchor_for, "
						+ "version FROM crontainer_job WHERE name = ? FOR UPDATE")) {
					select.setQueryTimeout(queryTimeoutSeconds());
					select.setString(1, name);
					try (ResultSet result = select.executeQuery()) {
						result.next();
						current = state(result, 1);
					}
				}
				RunState next = change.apply(current);
				if (next != current || fence) {
					next = next.atVersion(current.version() + 1);
					try (PreparedStatement write = connection.prepareStatement("UPDATE crontainer_job SET last_end = ?, "
							+ "paused = ?, anchor = ?, anchor_for = ?, version = ?, changed_at = now()"
							+ (fence ? ", claim_token = NULL, lease_until = NULL" : "") + " WHERE name = ?")) {
						write.setQueryTimeout(queryTimeoutSeconds());
						setNanos(write, 1, next.lastEnd());
						write.setBoolean(2, next.paused());
						setNanos(write, 3, next.anchor());
						write.setString(4, next.anchorFor());
						write.setLong(5, next.version());
						write.setString(6, name);
						write.executeUpdate();
					}
				}
				connection.commit();
				return next;
			} catch (SQLException | RuntimeException e) {
				rollback(connection, e);
				throw e;
			} finally {
				connection.setAutoCommit(true);
			}
		}, "cannot change the record of " + name);
		remember(name, written);
		return written;
	}

	private void remember(String name, RunState state) {
		cache.merge(name, state, (old, now) -> now.version() >= old.version() ? now : old);
	}

	// ------------------------------------------------------------------ the commit thread

	private static final class Write {
		static final int COMMIT = 0;
		static final int HISTORY = 1;
		final int kind;
		final Claim claim;
		final Instant end;
		final CronRunDTO run;
		final CompletableFuture<RunState> result = new CompletableFuture<>();

		Write(int kind, Claim claim, Instant end, CronRunDTO run) {
			this.kind = kind;
			this.claim = claim;
			this.end = end;
			this.run = run;
		}
	}

	private void enqueue(Write write) {
		if (closed) {
			write.result.completeExceptionally(new StoreUnavailableException(description + " is closed", null));
		} else {
			writes.add(write);
		}
	}

	/**
	 * The commit thread: takes what is queued (up to {@value #MAX_GROUP} writes) and writes it in one
	 * transaction. If the database cannot be reached, the group is tried again every 500 ms (with what
	 * was queued meanwhile) for up to one lease: a blip of the database (a restart, a fail-over) costs
	 * no run its window, and a claim whose lease ran out meanwhile is fenced by the compare-and-set
	 * anyway. After that, or when the store closes, the group fails.
	 */
	private void commitLoop() {
		List<Write> group = new ArrayList<>();
		long retryUntil = 0;
		boolean retrying = false;
		while (true) {
			try {
				if (group.isEmpty()) {
					Write first = writes.poll(200, TimeUnit.MILLISECONDS);
					if (first == null) {
						if (closed) {
							break;
						}
						continue;
					}
					group.add(first);
				}
				writes.drainTo(group, MAX_GROUP - group.size());
				try {
					writeGroup(group);
					group.clear();
					retrying = false;
				} catch (StoreUnavailableException e) {
					if (!retrying) {
						retrying = true;
						retryUntil = System.nanoTime() + options.lease().toNanos();
					}
					if (closed || System.nanoTime() - retryUntil > 0) {
						for (Write write : group) {
							write.result.completeExceptionally(e);
						}
						group.clear();
						retrying = false;
					} else {
						TimeUnit.MILLISECONDS.sleep(500);
					}
				}
			} catch (InterruptedException e) {
				// closing: write what is queued (or fail it), then stop
			} catch (RuntimeException | Error e) {
				for (Write write : group) {
					write.result.completeExceptionally(e);
				}
				group.clear();
				LOG.error("The commit thread of the PostgreSQL state store failed", e);
			}
		}
	}

	/**
	 * Writes a group in one transaction: all commits in one statement (which also inserts their
	 * history rows), all releases in one, then the other history rows; then completes the stages,
	 * outside any lock.
	 */
	private void writeGroup(List<Write> group) throws StoreUnavailableException {
		Map<Long, RunState> committed = new HashMap<>();
		withConnection(connection -> {
			connection.setAutoCommit(false);
			try {
				durable(connection);
				commitAll(connection, group, committed);
				historyAll(connection, group);
				connection.commit();
				return null;
			} catch (SQLException | RuntimeException e) {
				rollback(connection, e);
				throw e;
			} finally {
				connection.setAutoCommit(true);
			}
		}, "cannot commit " + group.size() + " change(s)");
		for (Write write : group) {
			if (write.kind != Write.COMMIT) {
				write.result.complete(null);
				continue;
			}
			RunState state = committed.get(write.claim.token());
			if (state != null) {
				remember(write.claim.name(), state);
				write.result.complete(state);
			} else {
				write.result.completeExceptionally(new FencedException("the claim of " + write.claim.name() + " on node "
						+ node + " was lost: its lease expired and another node took the window over, or an operator "
						+ "reset the plugin"));
			}
		}
	}

	/**
	 * The fenced commit of a group: a compare-and-set on the claim token and the window start, for
	 * every commit of the group in one statement, which also inserts the history row of each window
	 * committed.
	 */
	static final String COMMIT = """
			WITH c AS (SELECT * FROM unnest(?::text[], ?::bigint[], ?::bigint[], ?::bigint[]) AS c(name, token, start_ns, end_ns)),
			u AS (
			  UPDATE crontainer_job j SET last_end = c.end_ns, last_node = j.claim_node,
			         fire_done = GREATEST(j.fire_done, j.claim_fire), version = j.version + 1,
			         claim_token = NULL, lease_until = NULL, changed_at = now()
			  FROM c WHERE j.name = c.name AND j.claim_token = c.token AND COALESCE(j.last_end, 0) = c.start_ns
			  RETURNING j.name, c.token, c.start_ns, j.last_end, j.paused, j.anchor, j.anchor_for, j.version,
			            j.claim_node, j.claim_fire, j.claimed_at),
			h AS (
			  INSERT INTO crontainer_run (name, node, trigger, outcome, scheduled_fire, window_start, window_end, started, finished)
			  SELECT name, claim_node, CASE WHEN claim_fire IS NULL THEN 'MANUAL' ELSE 'SCHEDULE' END, 'SUCCEEDED',
			         claim_fire, start_ns, last_end, claimed_at, now() FROM u
			  RETURNING id, name, window_end)
			SELECT u.token, u.last_end, u.paused, u.anchor, u.anchor_for, u.version, h.id
			FROM u JOIN h ON h.name = u.name AND h.window_end = u.last_end""";

	private void commitAll(Connection connection, List<Write> group, Map<Long, RunState> committed) throws SQLException {
		List<Write> commits = group.stream().filter(w -> w.kind == Write.COMMIT).toList();
		if (commits.isEmpty()) {
			return;
		}
		int n = commits.size();
		String[] names = new String[n];
		Long[] tokens = new Long[n];
		Long[] starts = new Long[n];
		Long[] ends = new Long[n];
		for (int i = 0; i < n; i++) {
			Write write = commits.get(i);
			names[i] = write.claim.name();
			tokens[i] = write.claim.token();
			starts[i] = nanos(write.claim.windowStart());
			ends[i] = nanos(write.end);
		}
		try (PreparedStatement statement = connection.prepareStatement(COMMIT)) {
			statement.setQueryTimeout(queryTimeoutSeconds());
			statement.setArray(1, connection.createArrayOf("text", names));
			statement.setArray(2, connection.createArrayOf("bigint", tokens));
			statement.setArray(3, connection.createArrayOf("bigint", starts));
			statement.setArray(4, connection.createArrayOf("bigint", ends));
			Map<Long, Write> byToken = new HashMap<>();
			commits.forEach(write -> byToken.put(write.claim.token(), write));
			Set<String> touched = new HashSet<>();
			try (ResultSet result = statement.executeQuery()) {
				while (result.next()) {
					Write write = byToken.get(result.getLong(1));
					committed.put(write.claim.token(), state(result, 2));
					touched.add(write.claim.name());
					committedRuns.put(runKey(write.claim.name(), write.end), result.getLong(7));
				}
			}
			trimHistory(connection, touched);
		}
		if (committedRuns.size() > 100_000) {
			committedRuns.clear(); // appendHistory never came for these: keep memory bounded
		}
	}

	/** Gives a claim up: its fire time is done, its window is left to the next run. */
	static final String RELEASE = """
			UPDATE crontainer_job SET fire_done = GREATEST(fire_done, claim_fire), claim_token = NULL,
			       lease_until = NULL, changed_at = now()
			WHERE name = ? AND claim_token = ?""";

	/**
	 * Writes the history rows the scheduler appended: a succeeded run whose commit inserted its row
	 * already completes that row (trigger, start and end as the scheduler saw them); any other run is
	 * inserted.
	 */
	private void historyAll(Connection connection, List<Write> group) throws SQLException {
		Set<String> touched = new HashSet<>();
		try (PreparedStatement update = connection.prepareStatement("UPDATE crontainer_run SET trigger = ?, started = ?, "
				+ "finished = ?, scheduled_fire = ? WHERE id = ?");
				PreparedStatement insert = connection.prepareStatement("""
						INSERT INTO crontainer_run (name, node, trigger, outcome, scheduled_fire, window_start, window_end,
						                            started, finished, error)
						VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
			update.setQueryTimeout(queryTimeoutSeconds());
			insert.setQueryTimeout(queryTimeoutSeconds());
			boolean updates = false;
			boolean inserts = false;
			for (Write write : group) {
				if (write.kind != Write.HISTORY) {
					continue;
				}
				CronRunDTO run = write.run;
				Long id = run.outcome == Outcome.SUCCEEDED && run.windowEnd != null
						? committedRuns.remove(run.name + '\u0000' + run.windowEnd) : null;
				if (id != null) {
					update.setString(1, run.trigger.name());
					update.setTimestamp(2, new Timestamp(run.started));
					update.setTimestamp(3, run.finished == null ? null : new Timestamp(run.finished));
					setNanos(update, 4, run.scheduledFire == null ? null : Instant.ofEpochMilli(run.scheduledFire));
					update.setLong(5, id);
					update.addBatch();
					updates = true;
					continue;
				}
				insert.setString(1, run.name);
				insert.setString(2, node);
				insert.setString(3, run.trigger.name());
				insert.setString(4, run.outcome.name());
				setNanos(insert, 5, run.scheduledFire == null ? null : Instant.ofEpochMilli(run.scheduledFire));
				setNanos(insert, 6, run.windowStart == null ? null : Instant.ofEpochMilli(run.windowStart));
				setNanos(insert, 7, run.windowEnd == null ? null : Instant.ofEpochMilli(run.windowEnd));
				insert.setTimestamp(8, new Timestamp(run.started));
				insert.setTimestamp(9, run.finished == null ? null : new Timestamp(run.finished));
				insert.setString(10, run.error);
				insert.addBatch();
				inserts = true;
				touched.add(run.name);
			}
			if (updates) {
				update.executeBatch();
			}
			if (inserts) {
				insert.executeBatch();
			}
		}
		trimHistory(connection, touched);
	}

	private static String runKey(String name, Instant end) {
		return name + '\u0000' + end.toEpochMilli();
	}

	/** Keeps the newest {@link Options#historyKept} runs of each name just written to. */
	private void trimHistory(Connection connection, Set<String> names) throws SQLException {
		if (names.isEmpty()) {
			return;
		}
		try (PreparedStatement trim = connection.prepareStatement("""
				DELETE FROM crontainer_run r USING (
				  SELECT n.name, (SELECT id FROM crontainer_run k WHERE k.name = n.name ORDER BY id DESC OFFSET ? LIMIT 1) AS cut
				  FROM unnest(?::text[]) AS n(name)) t
				WHERE r.name = t.name AND r.id <= t.cut""")) {
			trim.setQueryTimeout(queryTimeoutSeconds());
			trim.setInt(1, options.historyKept());
			trim.setArray(2, connection.createArrayOf("text", names.toArray()));
			trim.executeUpdate();
		}
	}

	/** Writes what is queued, stops the threads and closes the connections. Never throws. */
	@Override
	public void close() {
		closed = true;
		leaser.interrupt();
		committer.interrupt();
		try {
			committer.join(options.queryTimeout().toMillis() + 2000);
			leaser.join(options.queryTimeout().toMillis() + 2000);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
		List<Write> left = new ArrayList<>();
		writes.drainTo(left);
		for (Write write : left) {
			write.result.completeExceptionally(new StoreUnavailableException(description + " is closed", null));
		}
		connections.close();
		if (dataSource instanceof AutoCloseable closeable) {
			try {
				closeable.close();
			} catch (Exception e) {
				LOG.debug("Cannot close the data source of {}", description, e);
			}
		}
	}

	// ------------------------------------------------------------------ JDBC plumbing

	/** Rolls back after a failure; a failure of the rollback itself is added to the first one. */
	private static void rollback(Connection connection, Exception failure) {
		try {
			connection.rollback();
		} catch (SQLException | RuntimeException e) {
			failure.addSuppressed(e);
		}
	}

	/**
	 * Makes the current transaction wait for its WAL flush at commit. Connections default to
	 * {@code synchronous_commit = off}: claims, renewals and releases need not survive a crash of the
	 * database server (a claim lost that way at worst lets another node run the same fire time too,
	 * and the commit's compare-and-set still lets only one window end through), and a flush per claim
	 * would make 1,000 claims take a second. Window commits and operators' changes are durable when
	 * they return: they call this first.
	 */
	private static void durable(Connection connection) throws SQLException {
		try (Statement statement = connection.createStatement()) {
			statement.execute("SET LOCAL synchronous_commit = on");
		}
	}

	@FunctionalInterface
	private interface Work<T> {
		T apply(Connection connection) throws SQLException, PostgreSQLSchema.IncompatibleSchemaException;
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
		} catch (PostgreSQLSchema.IncompatibleSchemaException e) {
			connections.giveBack(connection);
			lost(e.getMessage());
			throw new StoreUnavailableException(description + ": " + e.getMessage(), e);
		} catch (RuntimeException | Error e) {
			connections.discard(connection);
			throw e;
		}
	}

	/**
	 * The exception for a failed statement or connection. The store counts as lost until the lease
	 * thread connects again (within one poll): claims fail fast meanwhile instead of each waiting for
	 * a connection time-out on the timer thread.
	 */
	private StoreUnavailableException unavailable(String what, SQLException e) {
		String message = e.getMessage() == null ? e.toString() : e.getMessage().replaceAll("\\s+", " ").trim();
		String state = e.getSQLState() == null ? "" : " [SQLState " + e.getSQLState() + "]";
		String reason = what + ": " + message + state;
		lost(reason);
		return new StoreUnavailableException(description + ": " + reason, e);
	}

	private int queryTimeoutSeconds() {
		return (int) Math.max(1, options.queryTimeout().toSeconds());
	}

	/** Reads last_end, paused, anchor, anchor_for, version from five columns starting at {@code first}. */
	private static RunState state(ResultSet result, int first) throws SQLException {
		return new RunState(instant(nanosOrNull(result, first)), result.getBoolean(first + 1),
				instant(nanosOrNull(result, first + 2)), result.getString(first + 3), result.getLong(first + 4));
	}

	/** Nanoseconds since the epoch (UTC), exact for 1677-09-21 to 2262-04-11. */
	static long nanos(Instant instant) {
		return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000_000L), instant.getNano());
	}

	static Instant instant(Long nanos) {
		return nanos == null ? null
				: Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
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
