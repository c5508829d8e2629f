package io.crontainer.store.postgresql.impl;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.crontainer.api.runtime.CronLogDTO;
import io.crontainer.api.runtime.CronRunDTO;
import io.crontainer.api.runtime.Outcome;
import io.crontainer.api.runtime.RerunSplit;
import io.crontainer.api.runtime.Trigger;
import io.crontainer.store.api.PauseNote;
import io.crontainer.store.api.PendingRetry;
import io.crontainer.store.api.Rerun;
import io.crontainer.store.api.RunLogText;
import io.crontainer.store.api.RunState;
import io.crontainer.store.api.StoreUnavailableException;

/**
 * The SQL of the PostgreSQL store and its row mapping: one method per statement (or transaction),
 * each on a connection of the pool, with nothing of its own but the settings. It holds no thread and
 * no state between calls; the loops that renew, poll and commit are the {@link LeaseKeeper}'s and the
 * {@link GroupCommitter}'s. The tables are described by {@link PostgreSQLSchema}.
 *
 * <p>
 * A failed statement or connection is reported to {@link Availability} (the store counts as lost
 * until the lease keeper connects again, within one poll) and thrown as
 * {@link StoreUnavailableException}.
 *
 * <p>
 * <b>Threads.</b> Thread-safe: called on the callers' threads (claims, operators' changes, history
 * reads), the lease keeper's and the group committer's, each call on a connection of its own.
 */
final class Repository {
	private static final Logger LOG = LoggerFactory.getLogger(PostgreSQLStateStore.class);
	/** How far back a poll re-reads: longer than any transaction of ours may take. */
	private static final Duration POLL_OVERLAP = Duration.ofSeconds(30);
	/**
	 * How early, on the database's clock, a scheduled fire time may be claimed: a node whose clock is
	 * ahead by more is sent back until the fire time is due (one more claim per fire time); one ahead
	 * by less claims as if its clock were right (its window then ends up to this much before the fire
	 * time, as on a single runtime whose clock is that far ahead).
	 */
	static final Duration DUE_TOLERANCE = Duration.ofMillis(100);
	/** The database's clock in nanoseconds since the epoch (microsecond precision), in SQL. */
	private static final String NOW_NS = "(EXTRACT(EPOCH FROM now()) * 1000000000)::bigint";

	private final DataSource pool;
	private final Availability availability;
	private final String description;
	private final String node;
	private final Duration lease;
	private final int queryTimeoutSeconds;
	private final int historyKept;

	Repository(DataSource pool, Availability availability, String description, String node, Duration lease,
			Duration queryTimeout, int historyKept) {
		this.pool = pool;
		this.availability = availability;
		this.description = description;
		this.node = node;
		this.lease = lease;
		this.queryTimeoutSeconds = (int) Math.max(1, queryTimeout.toSeconds());
		this.historyKept = historyKept;
	}

	String node() {
		return node;
	}

	// ------------------------------------------------------------------ connecting and polling

	/** Creates or checks the tables. */
	void ensureSchema() throws StoreUnavailableException {
		withConnection(connection -> {
			PostgreSQLSchema.ensure(connection);
			return null;
		}, "cannot create or check the tables");
	}

	/** Copies the records of a local store where the database has no row for the name; returns how many. */
	int importLocal(Map<String, RunState> local) throws StoreUnavailableException {
		if (local == null || local.isEmpty()) {
			return 0;
		}
		return withConnection(connection -> {
			try (PreparedStatement statement = connection.prepareStatement("INSERT INTO crontainer_job "
					+ "(name, last_end, paused, anchor, anchor_for, last_node) VALUES (?, ?, ?, ?, ?, ?) "
					+ "ON CONFLICT (name) DO NOTHING")) {
				statement.setQueryTimeout(queryTimeoutSeconds);
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

	/**
	 * A row of the job table: its record, who holds or last ran it, and its newest run: the one in
	 * progress (outcome {@code RUNNING}) while a live lease holds the name, else the newest history
	 * row; {@code null} if none.
	 */
	record Row(RunState state, String node, boolean running, CronRunDTO lastRun, Instant claimFire, Instant fireDone) {

		/**
		 * Whether this row shows a scheduled fire time claimed (live, committed or released) or over:
		 * the claim statement would refuse it.
		 */
		boolean taken(Instant fire) {
			return claimFire != null && !claimFire.isBefore(fire) || fireDone != null && !fireDone.isBefore(fire);
		}
	}

	/**
	 * Reads the rows written since {@code since} (database clock; {@code null} for all) minus an
	 * overlap, so that a transaction that committed after the previous poll but began before it is not
	 * missed; rows may thus come twice.
	 */
	Changes changesSince(Instant since) throws StoreUnavailableException {
		return withConnection(connection -> {
			try (PreparedStatement statement = connection.prepareStatement(CHANGES)) {
				statement.setQueryTimeout(queryTimeoutSeconds);
				Timestamp from = since == null ? null : Timestamp.from(since.minus(POLL_OVERLAP));
				statement.setTimestamp(1, from);
				statement.setTimestamp(2, from);
				Map<String, Row> rows = new HashMap<>();
				Instant now = null;
				try (ResultSet result = statement.executeQuery()) {
					while (result.next()) {
						String name = result.getString(1);
						boolean running = result.getBoolean(8);
						rows.put(name, new Row(state(result, 2), result.getString(7), running, lastRun(name, running, result),
								instant(nanosOrNull(result, 12)), instant(nanosOrNull(result, 23))));
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

	/**
	 * The rows changed since a time (all for {@code NULL}), each with who holds or last ran it, the
	 * claim in progress, and its newest history row (one index lookup per changed row).
	 */
	static final String CHANGES = """
			SELECT j.name, j.last_end, j.paused, j.anchor, j.anchor_for, j.version,
			       CASE WHEN j.lease_until > now() THEN j.claim_node ELSE j.last_node END,
			       COALESCE(j.lease_until > now(), false), now(), j.claim_node, j.claimed_at, j.claim_fire, j.last_end,
			       r.node, r.trigger, r.outcome, r.scheduled_fire, r.window_start, r.window_end, r.started, r.finished,
			       r.error, j.fire_done, j.paused_by, j.paused_at, j.pause_reason, j.retry_attempt, j.retry_attempts, j.retry_at, j.retry_until
			FROM crontainer_job j
			LEFT JOIN LATERAL (SELECT * FROM crontainer_run k WHERE k.name = j.name ORDER BY k.id DESC LIMIT 1) r ON true
			WHERE ?::timestamptz IS NULL OR j.changed_at > ?""";

	/** The newest run of a row of {@link #CHANGES}: the one in progress, else the newest history row. */
	private static CronRunDTO lastRun(String name, boolean running, ResultSet result) throws SQLException {
		CronRunDTO dto = new CronRunDTO();
		dto.name = name;
		if (running) {
			Timestamp claimed = result.getTimestamp(11);
			if (claimed == null) {
				return null;
			}
			dto.node = result.getString(10);
			dto.outcome = Outcome.RUNNING;
			dto.scheduledFire = millis(nanosOrNull(result, 12));
			dto.trigger = dto.scheduledFire == null ? Trigger.MANUAL : Trigger.SCHEDULE;
			dto.windowStart = millis(nanosOrNull(result, 13));
			dto.started = claimed.getTime();
			return dto;
		}
		Timestamp started = result.getTimestamp(20);
		if (started == null) {
			return null; // no history row
		}
		dto.node = result.getString(14);
		dto.trigger = Trigger.valueOf(result.getString(15));
		dto.outcome = Outcome.valueOf(result.getString(16));
		dto.scheduledFire = millis(nanosOrNull(result, 17));
		dto.windowStart = millis(nanosOrNull(result, 18));
		dto.windowEnd = millis(nanosOrNull(result, 19));
		dto.started = started.getTime();
		Timestamp finished = result.getTimestamp(21);
		dto.finished = finished == null ? null : finished.getTime();
		dto.error = result.getString(22);
		return dto;
	}

	/**
	 * One reading of the database's clock against this node's.
	 *
	 * @param database The database's {@code clock_timestamp()}.
	 * @param sent This node's clock when the statement was sent.
	 * @param roundTripNanos How long the statement took, sent to answered.
	 */
	record ClockReading(Instant database, Instant sent, long roundTripNanos) {

		/** The database's time minus this node's, taking the database's reading at half the round trip. */
		Duration skew() {
			return Duration.between(sent.plusNanos(roundTripNanos / 2), database);
		}
	}

	/** Reads the database's clock, timed against {@code local}: one short statement. */
	ClockReading readClock(Clock local) throws StoreUnavailableException {
		return withConnection(connection -> {
			try (Statement statement = connection.createStatement()) {
				statement.setQueryTimeout(queryTimeoutSeconds);
				Instant sent = local.instant();
				long start = System.nanoTime();
				try (ResultSet result = statement.executeQuery(
						"SELECT (EXTRACT(EPOCH FROM clock_timestamp()) * 1000000000)::bigint")) {
					result.next();
					long roundTrip = System.nanoTime() - start;
					return new ClockReading(instant(result.getLong(1)), sent, roundTrip);
				}
			}
		}, "cannot read the database's clock");
	}

	// ------------------------------------------------------------------ claims

	/**
	 * The claim: an {@code UPDATE} in a CTE, so that one round trip both claims and, when it does not,
	 * says why (the outer {@code SELECT} sees the row as it was before the statement). Every time in it
	 * is the database's {@code now()}, which is also returned: the claim's time, its window's end. A
	 * scheduled fire time is claimed only once it is due on that clock ({@link #DUE_TOLERANCE}).
	 */
	static final String CLAIM = """
			WITH c AS (
			  UPDATE crontainer_job SET claim_token = ?, lease_until = now() + ? * interval '1 millisecond',
			         claim_node = ?, claim_fire = ?, claimed_at = now(), changed_at = now()
			  WHERE name = ?
			    AND (claim_token IS NULL OR lease_until <= now())
			    AND COALESCE(last_end, 0) = ?
			    AND (?::bigint IS NULL OR (NOT paused AND (fire_done IS NULL OR fire_done < ?)
			                               AND ? <= NOW_NS + ?))
			    AND (NOT ? OR claim_token IS NOT NULL)
			  RETURNING lease_until)
			SELECT (SELECT lease_until FROM c), j.last_end, j.paused, j.anchor, j.anchor_for, j.version,
			       j.claim_node, j.claim_fire,
			       CASE WHEN j.lease_until > now()
			            THEN CEIL(EXTRACT(EPOCH FROM (j.lease_until - now())) * 1000)::bigint END,
			       j.fire_done, j.last_node, j.claim_token IS NOT NULL, NOW_NS, j.paused_by, j.paused_at, j.pause_reason, j.retry_attempt, j.retry_attempts, j.retry_at, j.retry_until
			FROM crontainer_job j WHERE j.name = ?""".replace("NOW_NS", NOW_NS);

	/**
	 * The row of a name as a claim statement found it.
	 *
	 * @param granted The new lease's end (database clock) if the claim was granted, else {@code null}.
	 * @param state The record.
	 * @param holder The node of the latest claim.
	 * @param holderFire The fire time of the latest claim; {@code null} for a manual one.
	 * @param leftMillis How long the holder's live lease holds, ms; {@code null} if none is live.
	 * @param fireDone The latest scheduled fire time whose run is over.
	 * @param claimed Whether a claim (live or expired) holds the row.
	 * @param skipped Whether a batch claim skipped the row because another statement held its lock
	 *        ({@link #CLAIM_ALL}); {@code state} may then be older than that statement's outcome.
	 * @param grantedStart The window start of the claim granted by a batch, as the row had it; else
	 *        {@code null}.
	 * @param now The database's {@code now()} at the statement: the time of the claim if granted.
	 */
	record Claimed(Instant granted, RunState state, String holder, Instant holderFire, Long leftMillis,
			Instant fireDone, boolean claimed, boolean skipped, Instant grantedStart, Instant now) {
	}

	/** @return The row as the claim found it; {@code null} if the name has no row. */
	Claimed claim(String name, Instant windowStart, Instant fire, long token, boolean takeOver)
			throws StoreUnavailableException {
		return withConnection(connection -> {
			try (PreparedStatement statement = connection.prepareStatement(CLAIM)) {
				statement.setQueryTimeout(queryTimeoutSeconds);
				statement.setLong(1, token);
				statement.setLong(2, lease.toMillis());
				statement.setString(3, node);
				setNanos(statement, 4, fire);
				statement.setString(5, name);
				statement.setLong(6, nanos(windowStart));
				setNanos(statement, 7, fire);
				setNanos(statement, 8, fire);
				setNanos(statement, 9, fire);
				statement.setLong(10, DUE_TOLERANCE.toNanos());
				statement.setBoolean(11, takeOver);
				statement.setString(12, name);
				try (ResultSet result = statement.executeQuery()) {
					if (!result.next()) {
						return null;
					}
					Timestamp leaseUntil = result.getTimestamp(1);
					Object left = result.getObject(9);
					return new Claimed(leaseUntil == null ? null : leaseUntil.toInstant(), state(result, 2),
							result.getString(7), instant(nanosOrNull(result, 8)),
							left == null ? null : ((Number) left).longValue(), instant(nanosOrNull(result, 10)),
							result.getBoolean(12), false, null, instant(result.getLong(13)));
				}
			}
		}, "cannot claim " + name);
	}

	/**
	 * The claim of many names in one statement: the rows are locked in the order of their names
	 * ({@code FOR UPDATE SKIP LOCKED}: a row that another runtime's statement holds now is skipped, not
	 * waited for, and answered as such), then each locked one is updated under the conditions of
	 * {@link #CLAIM}; the outer {@code SELECT} says, per request, whether it was granted, whether its row
	 * was locked (column 15; {@code false}: skipped), the window start granted (column 16), and how the
	 * row was before (a name without a row has no {@code j.name}). A request without a window start
	 * ({@code NULL}) is claimed at whatever start the row has.
	 */
	static final String CLAIM_ALL = """
			WITH req AS (
			  SELECT * FROM unnest(?::text[], ?::bigint[], ?::bigint[], ?::bigint[]) AS r(name, token, start_ns, fire_ns)),
			locked AS (
			  SELECT j.name FROM crontainer_job j WHERE j.name IN (SELECT name FROM req)
			  ORDER BY j.name FOR UPDATE SKIP LOCKED),
			c AS (
			  UPDATE crontainer_job j SET claim_token = req.token, lease_until = now() + ? * interval '1 millisecond',
			         claim_node = ?, claim_fire = req.fire_ns, claimed_at = now(), changed_at = now()
			  FROM req
			  WHERE j.name = req.name AND j.name IN (SELECT name FROM locked)
			    AND (j.claim_token IS NULL OR j.lease_until <= now())
			    AND (req.start_ns IS NULL OR COALESCE(j.last_end, 0) = req.start_ns)
			    AND (req.fire_ns IS NULL OR (NOT j.paused AND (j.fire_done IS NULL OR j.fire_done < req.fire_ns)
			                                 AND req.fire_ns <= NOW_NS + ?))
			  RETURNING j.name, j.lease_until, COALESCE(j.last_end, 0) AS start_ns)
			SELECT req.name, c.lease_until, j.last_end, j.paused, j.anchor, j.anchor_for, j.version,
			       j.claim_node, j.claim_fire,
			       CASE WHEN j.lease_until > now()
			            THEN CEIL(EXTRACT(EPOCH FROM (j.lease_until - now())) * 1000)::bigint END,
			       j.fire_done, j.last_node, j.claim_token IS NOT NULL, j.name IS NOT NULL,
			       req.name IN (SELECT name FROM locked), c.start_ns, NOW_NS, j.paused_by, j.paused_at, j.pause_reason, j.retry_attempt, j.retry_attempts, j.retry_at, j.retry_until
			FROM req LEFT JOIN crontainer_job j ON j.name = req.name LEFT JOIN c ON c.name = req.name""".replace("NOW_NS", NOW_NS);

	/** One claim of a batch: the name, its token, the window start expected ({@code null}: any), the fire time. */
	record ClaimOne(String name, long token, Instant windowStart, Instant fire) {
	}

	/**
	 * Claims many names in one round trip ({@link #CLAIM_ALL}).
	 *
	 * @return The row of each name as the claim found it, by name; {@code null} for a name without a row.
	 */
	Map<String, Claimed> claimAll(List<ClaimOne> claims) throws StoreUnavailableException {
		return withConnection(connection -> {
			int n = claims.size();
			String[] names = new String[n];
			Long[] tokens = new Long[n];
			Long[] starts = new Long[n];
			Long[] fires = new Long[n];
			for (int i = 0; i < n; i++) {
				ClaimOne claim = claims.get(i);
				names[i] = claim.name();
				tokens[i] = claim.token();
				starts[i] = claim.windowStart() == null ? null : nanos(claim.windowStart());
				fires[i] = claim.fire() == null ? null : nanos(claim.fire());
			}
			try (PreparedStatement statement = connection.prepareStatement(CLAIM_ALL)) {
				statement.setQueryTimeout(queryTimeoutSeconds);
				statement.setArray(1, connection.createArrayOf("text", names));
				statement.setArray(2, connection.createArrayOf("bigint", tokens));
				statement.setArray(3, connection.createArrayOf("bigint", starts));
				statement.setArray(4, connection.createArrayOf("bigint", fires));
				statement.setLong(5, lease.toMillis());
				statement.setString(6, node);
				statement.setLong(7, DUE_TOLERANCE.toNanos());
				Map<String, Claimed> found = new HashMap<>();
				try (ResultSet result = statement.executeQuery()) {
					while (result.next()) {
						String name = result.getString(1);
						if (!result.getBoolean(14)) {
							found.put(name, null);
							continue;
						}
						Timestamp leaseUntil = result.getTimestamp(2);
						Object left = result.getObject(10);
						found.put(name, new Claimed(leaseUntil == null ? null : leaseUntil.toInstant(), state(result, 3),
								result.getString(8), instant(nanosOrNull(result, 9)),
								left == null ? null : ((Number) left).longValue(), instant(nanosOrNull(result, 11)),
								result.getBoolean(13), !result.getBoolean(15), instant(nanosOrNull(result, 16)),
								instant(result.getLong(17))));
					}
				}
				return found;
			}
		}, "cannot claim " + claims.size() + " names");
	}

	/** Creates the rows of names that have none, in one statement. */
	void insertAll(Collection<String> names) throws StoreUnavailableException {
		withConnection(connection -> {
			try (PreparedStatement insert = connection.prepareStatement(
					"INSERT INTO crontainer_job (name) SELECT unnest(?::text[]) ON CONFLICT (name) DO NOTHING")) {
				insert.setQueryTimeout(queryTimeoutSeconds);
				insert.setArray(1, connection.createArrayOf("text", names.toArray()));
				return insert.executeUpdate();
			}
		}, "cannot create the records of " + names.size() + " names");
	}

	/**
	 * The heartbeat of a node: records that it is alive now (database clock) and reads the nodes seen
	 * within {@code live} (itself included), in one statement; rows of nodes unseen for a week go.
	 */
	static final String HEARTBEAT = """
			WITH beat AS (
			  INSERT INTO crontainer_node (node, seen_at) VALUES (?, now())
			  ON CONFLICT (node) DO UPDATE SET seen_at = now()
			  RETURNING node),
			gone AS (DELETE FROM crontainer_node WHERE seen_at < now() - interval '7 days')
			SELECT node FROM crontainer_node WHERE seen_at > now() - ? * interval '1 millisecond'
			UNION SELECT node FROM beat""";

	/**
	 * Records this node's heartbeat.
	 *
	 * @param live How recently a node must have been seen to count as live.
	 * @return The live nodes, this one included. Never empty.
	 */
	Set<String> heartbeat(Duration live) throws StoreUnavailableException {
		return withConnection(connection -> {
			try (PreparedStatement statement = connection.prepareStatement(HEARTBEAT)) {
				statement.setQueryTimeout(queryTimeoutSeconds);
				statement.setString(1, node);
				statement.setLong(2, live.toMillis());
				Set<String> nodes = new HashSet<>();
				try (ResultSet result = statement.executeQuery()) {
					while (result.next()) {
						nodes.add(result.getString(1));
					}
				}
				return nodes;
			}
		}, "cannot record the heartbeat");
	}

	/** Removes this node's heartbeat (it stops): the others stop counting it at once. */
	void leave() throws StoreUnavailableException {
		withConnection(connection -> {
			try (PreparedStatement statement = connection.prepareStatement("DELETE FROM crontainer_node WHERE node = ?")) {
				statement.setQueryTimeout(queryTimeoutSeconds);
				statement.setString(1, node);
				return statement.executeUpdate();
			}
		}, "cannot remove the heartbeat");
	}

	/** Creates the row of a name if it has none. */
	void insert(String name) throws StoreUnavailableException {
		withConnection(connection -> {
			try (PreparedStatement insert = connection.prepareStatement(
					"INSERT INTO crontainer_job (name) VALUES (?) ON CONFLICT (name) DO NOTHING")) {
				insert.setQueryTimeout(queryTimeoutSeconds);
				insert.setString(1, name);
				return insert.executeUpdate();
			}
		}, "cannot create the record of " + name);
	}

	/**
	 * Renews the leases of the given claims, in one statement.
	 *
	 * @return The tokens still held (the others were taken over or fenced).
	 */
	Set<Long> renew(Collection<Long> tokens) throws StoreUnavailableException {
		return withConnection(connection -> {
			try (PreparedStatement statement = connection.prepareStatement("UPDATE crontainer_job SET lease_until = now() "
					+ "+ ? * interval '1 millisecond' WHERE claim_token = ANY (?) RETURNING claim_token")) {
				statement.setQueryTimeout(queryTimeoutSeconds);
				statement.setLong(1, lease.toMillis());
				statement.setArray(2, connection.createArrayOf("bigint", tokens.toArray()));
				Set<Long> found = new HashSet<>();
				try (ResultSet result = statement.executeQuery()) {
					while (result.next()) {
						found.add(result.getLong(1));
					}
				}
				return found;
			}
		}, "cannot renew leases");
	}

	/** Gives a claim up: its fire time is done, its window is left to the next run. */
	static final String RELEASE = """
			UPDATE crontainer_job SET fire_done = GREATEST(fire_done, claim_fire), claim_token = NULL,
			       lease_until = NULL, changed_at = now()
			WHERE name = ? AND claim_token = ?""";

	void release(String name, long token) throws StoreUnavailableException {
		withConnection(connection -> {
			try (PreparedStatement statement = connection.prepareStatement(RELEASE)) {
				statement.setQueryTimeout(queryTimeoutSeconds);
				statement.setString(1, name);
				statement.setLong(2, token);
				return statement.executeUpdate();
			}
		}, "cannot release the claim of " + name);
	}

	// ------------------------------------------------------------------ a group of commits and history rows

	/** A window end to commit: the claim's name, token and window start, and the end. */
	record Commit(String name, long token, Instant windowStart, Instant end) {
	}

	/** A committed window: the new record, and the id of the history row its commit inserted. */
	record Committed(RunState state, long historyId) {
	}

	/**
	 * A history row to write: {@code id} is the row a commit inserted already (completed with the run's
	 * trigger, start, end and log), or {@code null} to insert the run; {@code log} is the run's log, or
	 * {@code null} for none.
	 */
	record HistoryRow(CronRunDTO run, Long id, CronLogDTO log) {
		HistoryRow(CronRunDTO run, Long id) {
			this(run, id, null);
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
			         claim_token = NULL, lease_until = NULL, changed_at = now(),
			         retry_attempt = NULL, retry_attempts = NULL, retry_at = NULL, retry_until = NULL
			  FROM c WHERE j.name = c.name AND j.claim_token = c.token AND COALESCE(j.last_end, 0) = c.start_ns
			  RETURNING j.name, c.token, c.start_ns, j.last_end, j.paused, j.anchor, j.anchor_for, j.version,
			            j.claim_node, j.claim_fire, j.claimed_at, j.paused_by, j.paused_at, j.pause_reason, j.retry_attempt, j.retry_attempts, j.retry_at, j.retry_until),
			h AS (
			  INSERT INTO crontainer_run (name, node, trigger, outcome, scheduled_fire, window_start, window_end, started, finished)
			  SELECT name, claim_node, CASE WHEN claim_fire IS NULL THEN 'MANUAL' ELSE 'SCHEDULE' END, 'SUCCEEDED',
			         claim_fire, start_ns, last_end, claimed_at, now() FROM u
			  RETURNING id, name, window_end)
			SELECT u.token, u.last_end, u.paused, u.anchor, u.anchor_for, u.version, h.id, u.paused_by, u.paused_at, u.pause_reason, u.retry_attempt, u.retry_attempts, u.retry_at, u.retry_until
			FROM u JOIN h ON h.name = u.name AND h.window_end = u.last_end""";

	/**
	 * Writes a group in one durable transaction: all commits in one statement (which also inserts
	 * their history rows), then the other history rows, then trims the history of the names written.
	 *
	 * @return The commits that went through, by token; a commit missing here was fenced.
	 */
	Map<Long, Committed> write(List<Commit> commits, List<HistoryRow> history, int groupSize)
			throws StoreUnavailableException {
		return withConnection(connection -> {
			connection.setAutoCommit(false);
			try {
				durable(connection);
				Map<String, Integer> touched = new HashMap<>();
				Map<Long, Committed> committed = commitAll(connection, commits, touched);
				historyAll(connection, history, touched);
				trimHistory(connection, touched);
				connection.commit();
				return committed;
			} catch (SQLException | RuntimeException e) {
				rollback(connection, e);
				throw e;
			} finally {
				connection.setAutoCommit(true);
			}
		}, "cannot commit " + groupSize + " change(s)");
	}

	private Map<Long, Committed> commitAll(Connection connection, List<Commit> commits, Map<String, Integer> touched)
			throws SQLException {
		Map<Long, Committed> committed = new HashMap<>();
		if (commits.isEmpty()) {
			return committed;
		}
		int n = commits.size();
		String[] names = new String[n];
		Long[] tokens = new Long[n];
		Long[] starts = new Long[n];
		Long[] ends = new Long[n];
		Map<Long, Commit> byToken = new HashMap<>();
		for (int i = 0; i < n; i++) {
			Commit commit = commits.get(i);
			names[i] = commit.name();
			tokens[i] = commit.token();
			starts[i] = nanos(commit.windowStart());
			ends[i] = nanos(commit.end());
			byToken.put(commit.token(), commit);
		}
		try (PreparedStatement statement = connection.prepareStatement(COMMIT)) {
			statement.setQueryTimeout(queryTimeoutSeconds);
			statement.setArray(1, connection.createArrayOf("text", names));
			statement.setArray(2, connection.createArrayOf("bigint", tokens));
			statement.setArray(3, connection.createArrayOf("bigint", starts));
			statement.setArray(4, connection.createArrayOf("bigint", ends));
			try (ResultSet result = statement.executeQuery()) {
				while (result.next()) {
					long token = result.getLong(1);
					committed.put(token, new Committed(state(result, 2), result.getLong(7)));
					touched.merge(byToken.get(token).name(), 1, Integer::sum);
				}
			}
		}
		return committed;
	}

	/**
	 * Completes the history rows that commits inserted ({@link HistoryRow#id()}): trigger, times and
	 * log, in one statement over arrays. The ids are distinct: a commit inserts one row.
	 */
	static final String HISTORY_UPDATE = """
			UPDATE crontainer_run r SET trigger = u.trigger,
			       started = timestamptz 'epoch' + u.started_ms * interval '1 millisecond',
			       finished = timestamptz 'epoch' + u.finished_ms * interval '1 millisecond',
			       scheduled_fire = u.fire_ns, log = u.log
			FROM unnest(?::bigint[], ?::text[], ?::bigint[], ?::bigint[], ?::bigint[], ?::text[])
			     AS u(id, trigger, started_ms, finished_ms, fire_ns, log)
			WHERE r.id = u.id""";

	/** Inserts the other history rows (skipped fires, failures), in one statement over arrays, in order. */
	static final String HISTORY_INSERT = """
			INSERT INTO crontainer_run (name, node, trigger, outcome, scheduled_fire, window_start, window_end,
			                            started, finished, error, log, requested_by)
			SELECT u.name, ?, u.trigger, u.outcome, u.fire_ns, u.start_ns, u.end_ns,
			       timestamptz 'epoch' + u.started_ms * interval '1 millisecond',
			       timestamptz 'epoch' + u.finished_ms * interval '1 millisecond', u.error, u.log, u.requested_by
			FROM unnest(?::text[], ?::text[], ?::text[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[],
			            ?::text[], ?::text[], ?::text[])
			     WITH ORDINALITY AS u(name, trigger, outcome, fire_ns, start_ns, end_ns, started_ms, finished_ms, error, log,
			                          requested_by, i)
			ORDER BY u.i""";

	/** The history rows of a group: at most one statement that updates and one that inserts, each over arrays. */
	private void historyAll(Connection connection, List<HistoryRow> rows, Map<String, Integer> touched) throws SQLException {
		List<HistoryRow> updates = new ArrayList<>();
		List<HistoryRow> inserts = new ArrayList<>();
		for (HistoryRow row : rows) {
			(row.id() != null ? updates : inserts).add(row);
		}
		if (!updates.isEmpty()) {
			int n = updates.size();
			Long[] ids = new Long[n];
			String[] triggers = new String[n];
			Long[] started = new Long[n];
			Long[] finished = new Long[n];
			Long[] fires = new Long[n];
			String[] logs = new String[n];
			for (int i = 0; i < n; i++) {
				HistoryRow row = updates.get(i);
				CronRunDTO run = row.run();
				ids[i] = row.id();
				triggers[i] = run.trigger.name();
				started[i] = run.started;
				finished[i] = run.finished;
				fires[i] = fireNanos(run);
				logs[i] = row.log() == null ? null : RunLogText.write(row.log());
			}
			try (PreparedStatement update = connection.prepareStatement(HISTORY_UPDATE)) {
				update.setQueryTimeout(queryTimeoutSeconds);
				update.setArray(1, connection.createArrayOf("bigint", ids));
				update.setArray(2, connection.createArrayOf("text", triggers));
				update.setArray(3, connection.createArrayOf("bigint", started));
				update.setArray(4, connection.createArrayOf("bigint", finished));
				update.setArray(5, connection.createArrayOf("bigint", fires));
				update.setArray(6, connection.createArrayOf("text", logs));
				update.executeUpdate();
			}
		}
		if (!inserts.isEmpty()) {
			int n = inserts.size();
			String[] names = new String[n];
			String[] triggers = new String[n];
			String[] outcomes = new String[n];
			Long[] fires = new Long[n];
			Long[] starts = new Long[n];
			Long[] ends = new Long[n];
			Long[] started = new Long[n];
			Long[] finished = new Long[n];
			String[] errors = new String[n];
			String[] logs = new String[n];
			String[] requestedBy = new String[n];
			for (int i = 0; i < n; i++) {
				HistoryRow row = inserts.get(i);
				CronRunDTO run = row.run();
				names[i] = run.name;
				triggers[i] = run.trigger.name();
				outcomes[i] = run.outcome.name();
				fires[i] = fireNanos(run);
				starts[i] = run.windowStart == null ? null : nanos(Instant.ofEpochMilli(run.windowStart));
				ends[i] = run.windowEnd == null ? null : nanos(Instant.ofEpochMilli(run.windowEnd));
				started[i] = run.started;
				finished[i] = run.finished;
				errors[i] = run.error;
				logs[i] = row.log() == null ? null : RunLogText.write(row.log());
				requestedBy[i] = run.requestedBy;
				touched.merge(run.name, 1, Integer::sum);
			}
			try (PreparedStatement insert = connection.prepareStatement(HISTORY_INSERT)) {
				insert.setQueryTimeout(queryTimeoutSeconds);
				insert.setString(1, node);
				insert.setArray(2, connection.createArrayOf("text", names));
				insert.setArray(3, connection.createArrayOf("text", triggers));
				insert.setArray(4, connection.createArrayOf("text", outcomes));
				insert.setArray(5, connection.createArrayOf("bigint", fires));
				insert.setArray(6, connection.createArrayOf("bigint", starts));
				insert.setArray(7, connection.createArrayOf("bigint", ends));
				insert.setArray(8, connection.createArrayOf("bigint", started));
				insert.setArray(9, connection.createArrayOf("bigint", finished));
				insert.setArray(10, connection.createArrayOf("text", errors));
				insert.setArray(11, connection.createArrayOf("text", logs));
				insert.setArray(12, connection.createArrayOf("text", requestedBy));
				insert.executeUpdate();
			}
		}
	}

	private static Long fireNanos(CronRunDTO run) {
		return run.scheduledFire == null ? null : nanos(Instant.ofEpochMilli(run.scheduledFire));
	}

	/**
	 * The most rows of one name a commit's trim deletes beyond the rows it wrote for that name, so that
	 * a long history (kept with a larger {@code cluster.history.kept}, or by an earlier release that
	 * kept 1,000) shrinks over the name's next commits instead of in one statement that could outlast
	 * the query timeout and roll the whole group back.
	 */
	static final int TRIM_STEP = 16;

	/**
	 * Trims the history of each name just written to towards its newest {@code historyKept} runs,
	 * deleting its oldest rows beyond them, at most {@link #TRIM_STEP} more than the rows written for
	 * the name in this transaction (so each commit shrinks an excess by at least {@code TRIM_STEP}).
	 *
	 * @param written The rows written in this transaction, by name.
	 */
	private void trimHistory(Connection connection, Map<String, Integer> written) throws SQLException {
		if (written.isEmpty()) {
			return;
		}
		String[] names = new String[written.size()];
		Integer[] limits = new Integer[written.size()];
		int i = 0;
		for (Map.Entry<String, Integer> entry : written.entrySet()) {
			names[i] = entry.getKey();
			limits[i++] = entry.getValue() + TRIM_STEP;
		}
		try (PreparedStatement trim = connection.prepareStatement("""
				DELETE FROM crontainer_run r USING (
				  SELECT old.id FROM unnest(?::text[], ?::int[]) AS n(name, most)
				  CROSS JOIN LATERAL (SELECT id FROM crontainer_run k WHERE k.name = n.name ORDER BY id DESC OFFSET ? LIMIT 1) AS cut
				  CROSS JOIN LATERAL (SELECT id FROM crontainer_run o WHERE o.name = n.name AND o.id <= cut.id
				                      ORDER BY id LIMIT n.most) AS old) t
				WHERE r.id = t.id""")) {
			trim.setQueryTimeout(queryTimeoutSeconds);
			trim.setArray(1, connection.createArrayOf("text", names));
			trim.setArray(2, connection.createArrayOf("integer", limits));
			trim.setInt(3, historyKept);
			trim.executeUpdate();
		}
	}

	// ------------------------------------------------------------------ history and operators' changes

	/** The columns of a run, as {@link #run(ResultSet)} reads them. */
	private static final String RUN_COLUMNS = "name, node, trigger, outcome, scheduled_fire, window_start, window_end, "
			+ "started, finished, error, requested_by";

	/** The history, newest first: of a name, or of all ({@code name == null}). */
	List<CronRunDTO> history(String name, int limit) throws StoreUnavailableException {
		String sql = "SELECT " + RUN_COLUMNS + " FROM crontainer_run " + (name == null ? "" : "WHERE name = ? ")
				+ "ORDER BY id DESC LIMIT ?";
		return withConnection(connection -> {
			try (PreparedStatement statement = connection.prepareStatement(sql)) {
				statement.setQueryTimeout(queryTimeoutSeconds);
				int i = 1;
				if (name != null) {
					statement.setString(i++, name);
				}
				statement.setInt(i, limit);
				List<CronRunDTO> runs = new ArrayList<>();
				try (ResultSet result = statement.executeQuery()) {
					while (result.next()) {
						runs.add(run(result));
					}
				}
				return runs;
			}
		}, "cannot read the run history");
	}

	/**
	 * The log kept with a run: of the newest history row of the name that started at {@code started}
	 * (ms) and has one; {@code null} if none.
	 */
	CronLogDTO log(String name, long started) throws StoreUnavailableException {
		return withConnection(connection -> {
			try (PreparedStatement statement = connection.prepareStatement("SELECT log FROM crontainer_run "
					+ "WHERE name = ? AND started = ? AND log IS NOT NULL ORDER BY id DESC LIMIT 1")) {
				statement.setQueryTimeout(queryTimeoutSeconds);
				statement.setString(1, name);
				statement.setTimestamp(2, new Timestamp(started));
				try (ResultSet result = statement.executeQuery()) {
					if (!result.next()) {
						return null;
					}
					try {
						return RunLogText.read(name, started, result.getString(1));
					} catch (IllegalArgumentException e) {
						LOG.warn("The log of the run of {} started at {} cannot be read: {}", name,
								Instant.ofEpochMilli(started), e.getMessage());
						return null;
					}
				}
			}
		}, "cannot read the log of a run of " + name);
	}

	/**
	 * The newest {@code limit} runs of each of {@code names}, newest first per name, in one query (each name's
	 * runs read through the index on {@code (name, id)}).
	 */
	Map<String, List<CronRunDTO>> histories(Collection<String> names, int limit) throws StoreUnavailableException {
		Map<String, List<CronRunDTO>> all = new LinkedHashMap<>();
		for (String name : names) {
			all.put(name, new ArrayList<>());
		}
		if (all.isEmpty()) {
			return all;
		}
		String sql = "SELECT " + RUN_COLUMNS + " FROM unnest(?::text[]) AS n(name) CROSS JOIN LATERAL ("
				+ "SELECT node, trigger, outcome, scheduled_fire, window_start, window_end, started, finished, error, "
				+ "requested_by, id "
				+ "FROM crontainer_run r WHERE r.name = n.name ORDER BY r.id DESC LIMIT ?) AS t ORDER BY name, id DESC";
		return withConnection(connection -> {
			try (PreparedStatement statement = connection.prepareStatement(sql)) {
				statement.setQueryTimeout(queryTimeoutSeconds);
				statement.setArray(1, connection.createArrayOf("text", all.keySet().toArray()));
				statement.setInt(2, limit);
				try (ResultSet result = statement.executeQuery()) {
					while (result.next()) {
						CronRunDTO run = run(result);
						all.get(run.name).add(run);
					}
				}
				return all;
			}
		}, "cannot read the run history");
	}

	/** A run from the columns {@link #RUN_COLUMNS} of the current row. */
	private static CronRunDTO run(ResultSet result) throws SQLException {
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
		dto.requestedBy = result.getString(11);
		return dto;
	}

	/**
	 * Changes the record of a name atomically across the cluster: the row is locked
	 * ({@code SELECT ... FOR UPDATE}), {@code change} computes the new record, which is written in the
	 * same durable transaction. With {@code fence}, it also ends every claim of the name (fencing its
	 * commit). {@code change} is given the record and the database's {@code now()}.
	 */
	RunState update(String name, boolean fence, BiFunction<RunState, Instant, RunState> change)
			throws StoreUnavailableException {
		return withConnection(connection -> {
			connection.setAutoCommit(false);
			try {
				durable(connection);
				try (PreparedStatement insert = connection.prepareStatement(
						"INSERT INTO crontainer_job (name) VALUES (?) ON CONFLICT (name) DO NOTHING")) {
					insert.setQueryTimeout(queryTimeoutSeconds);
					insert.setString(1, name);
					insert.executeUpdate();
				}
				RunState current;
				Instant now;
				try (PreparedStatement select = connection.prepareStatement("SELECT last_end, paused, anchor, anchor_for, "
						+ "version, " + NOW_NS + ", paused_by, paused_at, pause_reason, retry_attempt, retry_attempts, retry_at, "
						+ "retry_until FROM crontainer_job WHERE name = ? FOR UPDATE")) {
					select.setQueryTimeout(queryTimeoutSeconds);
					select.setString(1, name);
					try (ResultSet result = select.executeQuery()) {
						result.next();
						current = state(result, 1);
						now = instant(result.getLong(6));
					}
				}
				RunState next = change.apply(current, now);
				if (next != current || fence) {
					next = next.atVersion(current.version() + 1);
					try (PreparedStatement write = connection.prepareStatement("UPDATE crontainer_job SET last_end = ?, "
							+ "paused = ?, anchor = ?, anchor_for = ?, version = ?, changed_at = now(), paused_by = ?, "
							+ "paused_at = ?, pause_reason = ?, retry_attempt = ?, retry_attempts = ?, retry_at = ?, "
							+ "retry_until = ?" + (fence ? ", claim_token = NULL, lease_until = NULL" : "") + " WHERE name = ?")) {
						write.setQueryTimeout(queryTimeoutSeconds);
						setNanos(write, 1, next.lastEnd());
						write.setBoolean(2, next.paused());
						setNanos(write, 3, next.anchor());
						write.setString(4, next.anchorFor());
						write.setLong(5, next.version());
						PauseNote pause = next.pause();
						write.setString(6, pause == null ? null : pause.by());
						setNanos(write, 7, pause == null ? null : pause.at());
						write.setString(8, pause == null ? null : pause.reason());
						PendingRetry retry = next.retry();
						setInt(write, 9, retry == null ? null : retry.attempt());
						setInt(write, 10, retry == null ? null : retry.attempts());
						setNanos(write, 11, retry == null ? null : retry.at());
						setNanos(write, 12, retry == null ? null : retry.until());
						write.setString(13, name);
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
	}

	// ------------------------------------------------------------------ re-runs

	private static final String RERUN_COLUMNS = "id, name, range_from, range_to, split, interval_expr, zone, anchor, "
			+ "requested_by, requested, next, done, failed, cancelled, node, ended";

	/**
	 * Starts a re-run held by this node: deletes the name's ended re-runs and inserts the new one, in one
	 * durable transaction; the partial unique index keeps one in progress per name.
	 *
	 * @return The re-run kept; {@code null} if the name has one in progress.
	 */
	Rerun startRerun(Rerun request) throws StoreUnavailableException {
		return withConnection(connection -> {
			connection.setAutoCommit(false);
			try {
				durable(connection);
				try (PreparedStatement delete = connection
						.prepareStatement("DELETE FROM crontainer_rerun WHERE name = ? AND ended IS NOT NULL");
						PreparedStatement insert = connection.prepareStatement("INSERT INTO crontainer_rerun (name, "
								+ "range_from, range_to, split, interval_expr, zone, anchor, requested_by, requested, next, "
								+ "node, lease_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now() + ? * interval '1 millisecond') "
								+ "ON CONFLICT (name) WHERE ended IS NULL DO NOTHING RETURNING " + RERUN_COLUMNS)) {
					delete.setQueryTimeout(queryTimeoutSeconds);
					insert.setQueryTimeout(queryTimeoutSeconds);
					insert.setString(1, request.name());
					insert.setLong(2, nanos(request.from()));
					insert.setLong(3, nanos(request.to()));
					insert.setString(4, request.split().name());
					insert.setString(5, request.interval());
					insert.setString(6, request.zone());
					setNanos(insert, 7, request.anchor());
					insert.setString(8, request.requestedBy());
					insert.setLong(9, nanos(request.requested()));
					insert.setLong(10, nanos(request.from()));
					insert.setString(11, node);
					insert.setLong(12, lease.toMillis());
					Rerun started = null;
					try (ResultSet result = insert.executeQuery()) {
						if (result.next()) {
							started = rerun(result);
						}
					}
					if (started == null) {
						connection.rollback();
						return null;
					}
					delete.setString(1, request.name());
					delete.executeUpdate();
					connection.commit();
					return started;
				}
			} catch (SQLException | RuntimeException e) {
				rollback(connection, e);
				throw e;
			} finally {
				connection.setAutoCommit(true);
			}
		}, "cannot start a re-run of " + request.name());
	}

	/** Every re-run kept. */
	List<Rerun> reruns() throws StoreUnavailableException {
		return withConnection(connection -> {
			try (PreparedStatement statement = connection.prepareStatement("SELECT " + RERUN_COLUMNS
					+ " FROM crontainer_rerun ORDER BY id")) {
				statement.setQueryTimeout(queryTimeoutSeconds);
				List<Rerun> all = new ArrayList<>();
				try (ResultSet result = statement.executeQuery()) {
					while (result.next()) {
						all.add(rerun(result));
					}
				}
				return all;
			}
		}, "cannot read the re-runs");
	}

	/**
	 * Runs one durable statement that changes a re-run and returns it ({@code RETURNING}).
	 *
	 * @return The re-run after the change; {@code null} if the statement changed no row.
	 */
	private Rerun changeRerun(String sql, String what, SqlBinder binder) throws StoreUnavailableException {
		return changeRerun(sql, what, binder, null);
	}

	/**
	 * Runs one durable statement that changes a re-run and returns it, and then {@code also}, if not
	 * {@code null}, in the same transaction: both are committed or neither.
	 */
	private Rerun changeRerun(String sql, String what, SqlBinder binder, SqlStep also) throws StoreUnavailableException {
		return withConnection(connection -> {
			connection.setAutoCommit(false);
			boolean committed = false;
			try {
				durable(connection);
				Rerun changed = null;
				try (PreparedStatement statement = connection.prepareStatement(sql + " RETURNING " + RERUN_COLUMNS)) {
					statement.setQueryTimeout(queryTimeoutSeconds);
					binder.bind(statement);
					try (ResultSet result = statement.executeQuery()) {
						if (result.next()) {
							changed = rerun(result);
						}
					}
				}
				if (also != null) {
					also.run(connection);
				}
				connection.commit();
				committed = true;
				return changed;
			} catch (SQLException | RuntimeException e) {
				rollback(connection, e);
				throw e;
			} finally {
				try {
					connection.setAutoCommit(true);
				} catch (SQLException e) {
					if (!committed) {
						throw e;
					}
					// Committed: the change holds. The connection is broken, and the pool drops it.
				}
			}
		}, what);
	}

	@FunctionalInterface
	private interface SqlBinder {
		void bind(PreparedStatement statement) throws SQLException;
	}

	/** More work in a transaction already open. */
	@FunctionalInterface
	private interface SqlStep {
		void run(Connection connection) throws SQLException;
	}

	/** Takes (or keeps) a re-run for this node: granted unless another node holds it with a live lease. */
	Rerun claimRerun(String name, long id) throws StoreUnavailableException {
		return changeRerun("UPDATE crontainer_rerun SET node = ?, lease_until = now() + ? * interval '1 millisecond' "
				+ "WHERE name = ? AND id = ? AND ended IS NULL "
				+ "AND (node IS NULL OR node = ? OR lease_until IS NULL OR lease_until <= now())", "cannot claim the re-run of "
				+ name, statement -> {
					statement.setString(1, node);
					statement.setLong(2, lease.toMillis());
					statement.setString(3, name);
					statement.setLong(4, id);
					statement.setString(5, node);
				});
	}

	/**
	 * Moves a re-run held by this node past a window (compare-and-set on {@code next}); ends it at its
	 * end or if cancelled. With a history row, in the same transaction: inserts the window's run (whether
	 * or not the re-run moved: the window ran) and trims the name's history as a commit does.
	 *
	 * @param row The window's run to insert ({@link HistoryRow#id()} {@code null}), or {@code null} for none.
	 */
	Rerun advanceRerun(String name, long id, Instant windowStart, Instant windowEnd, boolean succeeded, HistoryRow row)
			throws StoreUnavailableException {
		SqlStep history = row == null ? null : connection -> {
			Map<String, Integer> written = new HashMap<>();
			historyAll(connection, List.of(row), written);
			trimHistory(connection, written);
		};
		return changeRerun("UPDATE crontainer_rerun SET next = ?, done = done + ?, failed = failed + ?, "
				+ "ended = CASE WHEN ? = range_to OR cancelled THEN now() END, "
				+ "lease_until = CASE WHEN ? = range_to OR cancelled THEN NULL ELSE lease_until END "
				+ "WHERE name = ? AND id = ? AND ended IS NULL AND node = ? AND lease_until IS NOT NULL AND next = ? "
				+ "AND ? > next AND ? <= range_to", "cannot record the window of the re-run of " + name, statement -> {
					long end = nanos(windowEnd);
					statement.setLong(1, end);
					statement.setInt(2, succeeded ? 1 : 0);
					statement.setInt(3, succeeded ? 0 : 1);
					statement.setLong(4, end);
					statement.setLong(5, end);
					statement.setString(6, name);
					statement.setLong(7, id);
					statement.setString(8, node);
					statement.setLong(9, nanos(windowStart));
					statement.setLong(10, end);
					statement.setLong(11, end);
				}, history);
	}

	/** Cancels the re-run in progress of a name: ended at once unless a node holds it with a live lease. */
	Rerun cancelRerun(String name) throws StoreUnavailableException {
		return changeRerun("UPDATE crontainer_rerun SET cancelled = true, "
				+ "ended = CASE WHEN node IS NULL OR lease_until IS NULL OR lease_until <= now() THEN now() END "
				+ "WHERE name = ? AND ended IS NULL", "cannot cancel the re-run of " + name,
				statement -> statement.setString(1, name));
	}

	/** Ends a cancelled re-run held by this node. */
	Rerun endRerun(String name, long id) throws StoreUnavailableException {
		return changeRerun("UPDATE crontainer_rerun SET ended = now(), lease_until = NULL "
				+ "WHERE name = ? AND id = ? AND ended IS NULL AND cancelled AND node = ? AND lease_until IS NOT NULL",
				"cannot end the re-run of " + name, statement -> {
					statement.setString(1, name);
					statement.setLong(2, id);
					statement.setString(3, node);
				});
	}

	/** Gives a re-run up: its lease ends now, so any node may take it. */
	void releaseRerun(String name, long id) throws StoreUnavailableException {
		withConnection(connection -> {
			try (PreparedStatement statement = connection.prepareStatement("UPDATE crontainer_rerun SET lease_until = NULL "
					+ "WHERE name = ? AND id = ? AND node = ? AND ended IS NULL")) {
				statement.setQueryTimeout(queryTimeoutSeconds);
				statement.setString(1, name);
				statement.setLong(2, id);
				statement.setString(3, node);
				return statement.executeUpdate();
			}
		}, "cannot release the re-run of " + name);
	}

	/**
	 * Renews the leases of the re-runs this node holds, in one statement.
	 *
	 * @return The ids still held (the others were taken over, or ended).
	 */
	Set<Long> renewReruns(Collection<Long> ids) throws StoreUnavailableException {
		return withConnection(connection -> {
			try (PreparedStatement statement = connection.prepareStatement("UPDATE crontainer_rerun SET lease_until = now() "
					+ "+ ? * interval '1 millisecond' WHERE id = ANY (?) AND node = ? AND ended IS NULL "
					+ "AND lease_until IS NOT NULL RETURNING id")) {
				statement.setQueryTimeout(queryTimeoutSeconds);
				statement.setLong(1, lease.toMillis());
				statement.setArray(2, connection.createArrayOf("bigint", ids.toArray()));
				statement.setString(3, node);
				Set<Long> found = new HashSet<>();
				try (ResultSet result = statement.executeQuery()) {
					while (result.next()) {
						found.add(result.getLong(1));
					}
				}
				return found;
			}
		}, "cannot renew the leases of re-runs");
	}

	private static Rerun rerun(ResultSet r) throws SQLException {
		Timestamp ended = r.getTimestamp(16);
		return new Rerun(r.getString(2), r.getLong(1), instant(r.getLong(3)), instant(r.getLong(4)),
				RerunSplit.valueOf(r.getString(5)), r.getString(6), r.getString(7), instant(nanosOrNull(r, 8)),
				r.getString(9), instant(r.getLong(10)), instant(r.getLong(11)), r.getInt(12), r.getInt(13),
				r.getBoolean(14), r.getString(15), ended == null ? null : ended.toInstant());
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
	 * {@code synchronous_commit = off} (the pool's connection init): claims, renewals and releases need
	 * not survive a crash of the database server (a claim lost that way at worst lets another node run
	 * the same fire time too, and the commit's compare-and-set still lets only one window end through),
	 * and a flush per claim would make 1,000 claims take a second. Window commits and operators' changes
	 * are durable when they return: they call this first.
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
		Connection pooled;
		try {
			pooled = pool.getConnection();
		} catch (java.sql.SQLTransientConnectionException e) {
			if (e.getCause() == null) {
				// Every connection of the pool was busy for the whole wait, and none failed: the database
				// is there, this node is congested. This call fails; the store stays available.
				throw new StoreUnavailableException(description + ": " + what + ": every database connection of this "
						+ "runtime stayed busy for " + queryTimeoutSeconds + " s", e);
			}
			throw unavailable(what, e);
		} catch (SQLException e) {
			throw unavailable(what, e);
		}
		try (Connection connection = pooled) {
			return work.apply(connection);
		} catch (SQLException e) {
			throw unavailable(what, e);
		} catch (PostgreSQLSchema.IncompatibleSchemaException e) {
			availability.lost(e.getMessage());
			throw new StoreUnavailableException(description + ": " + e.getMessage(), e);
		}
	}

	/**
	 * The exception for a failed statement or connection. The store counts as lost until the lease
	 * keeper connects again (within one poll): claims fail fast meanwhile instead of each waiting for
	 * a connection time-out.
	 */
	private StoreUnavailableException unavailable(String what, SQLException e) {
		String message = e.getMessage() == null ? e.toString() : e.getMessage().replaceAll("\\s+", " ").trim();
		String state = e.getSQLState() == null ? "" : " [SQLState " + e.getSQLState() + "]";
		String reason = what + ": " + message + state;
		availability.lost(reason);
		return new StoreUnavailableException(description + ": " + reason, e);
	}

	/**
	 * Reads last_end, paused, anchor, anchor_for, version from five columns starting at {@code first},
	 * and the pause's note and the pending retry from the columns named {@code paused_by} ...
	 * {@code retry_until}, which every statement that reads a record selects too.
	 */
	private static RunState state(ResultSet result, int first) throws SQLException {
		boolean paused = result.getBoolean(first + 1);
		Long pausedAt = nanosOrNull(result, result.findColumn("paused_at"));
		PauseNote pause = paused && pausedAt != null
				? new PauseNote(result.getString("paused_by"), instant(pausedAt), result.getString("pause_reason"))
				: null;
		Long retryAt = nanosOrNull(result, result.findColumn("retry_at"));
		Long retryUntil = nanosOrNull(result, result.findColumn("retry_until"));
		PendingRetry retry = null;
		if (retryAt != null && retryUntil != null && retryUntil > retryAt) {
			int attempt = result.getInt("retry_attempt");
			int attempts = result.getInt("retry_attempts");
			if (attempt >= 1 && attempt <= attempts) {
				retry = new PendingRetry(attempt, attempts, instant(retryAt), instant(retryUntil));
			}
		}
		return new RunState(instant(nanosOrNull(result, first)), paused, instant(nanosOrNull(result, first + 2)),
				result.getString(first + 3), result.getLong(first + 4), pause, retry);
	}

	private static void setInt(PreparedStatement statement, int index, Integer value) throws SQLException {
		if (value == null) {
			statement.setNull(index, Types.INTEGER);
		} else {
			statement.setInt(index, value);
		}
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
