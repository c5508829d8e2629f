package io.crontainer.store.postgresql.impl;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Set;

/**
 * The tables of the PostgreSQL state store, created if missing and versioned.
 *
 * <p>
 * Version {@value #VERSION}:
 *
 * <pre>
 * crontainer_schema_version (version integer)      -- one row: the version of these tables
 * crontainer_job (                                 -- one row per cron plugin name
 *   name        text PRIMARY KEY,
 *   last_end    bigint,          -- end of the last committed window, ns since the epoch; NULL: never
 *   paused      boolean,
 *   anchor      bigint,          -- instant the '?' fields of anchor_for take their value from, ns
 *   anchor_for  text,
 *   version     bigint,          -- grows at every change of last_end, paused or the anchor
 *   last_node   text,            -- node that committed last_end
 *   fire_done   bigint,          -- latest scheduled fire time (ns) whose run is over, on any node
 *   claim_token bigint,          -- the live (or expired) claim; NULL: none
 *   lease_until timestamptz,     -- database clock; the claim is lost after it
 *   claim_node  text, claim_fire bigint, claimed_at timestamptz,  -- the latest claim
 *   changed_at  timestamptz,     -- database clock of the last write, for the other nodes' polls
 *   paused_by text, paused_at bigint, pause_reason text,           -- the pause's note (added later)
 *   retry_attempt integer, retry_attempts integer, retry_at bigint, retry_until bigint)  -- a pending retry
 * crontainer_node (                                -- the heartbeats of the cluster's runtimes
 *   node text PRIMARY KEY, seen_at timestamptz)    -- database clock of the node's last poll
 * crontainer_run (                                 -- run history
 *   id bigserial, name, node, trigger, outcome, scheduled_fire, window_start, window_end (ns),
 *   started, finished (timestamptz), error,
 *   log text,                                      -- the run's log (RunLogText), NULL: none; added
 *                                                  -- after version 1 first shipped, see below
 *   requested_by text)                             -- added later too: who asked for a re-run window
 * crontainer_rerun (                               -- added later too: re-runs of past windows
 *   id bigserial PRIMARY KEY, name,
 *   range_from, range_to, next (ns),               -- the range; start of the first window not done
 *   split, interval_expr, zone, anchor (ns), requested_by, requested (ns),
 *   done, failed integer, cancelled boolean,
 *   node text, lease_until timestamptz,            -- the runtime holding it, and its lease
 *   ended timestamptz)                             -- NULL while in progress; one per name (partial unique index)
 * </pre>
 *
 * <p>
 * <b>Additions.</b> A change that runtimes of the previous release can ignore (a nullable column they
 * never name: {@code crontainer_run.log}, {@code crontainer_run.requested_by}; the table
 * {@code crontainer_node}, where a runtime that does not know it simply does not show up; a table they
 * never read: {@code crontainer_rerun}, {@link #RERUNS}) does not change the version: it is made, if missing, by
 * every runtime that starts, under the same lock, so that runtimes of both releases can share the
 * database during a rolling upgrade (an older one keeps no re-runs, and shows a history row of a
 * re-run window only once it knows its trigger). Only a change they cannot ignore raises the version.
 *
 * Window bounds are kept in nanoseconds since the epoch, not {@code timestamptz}: PostgreSQL keeps
 * microseconds, and consecutive windows must tile to the nanosecond that the scheduler gave (in a
 * cluster the database's {@code now()} at the claim, with microseconds; a local store's records
 * imported, or a reset, may have nanoseconds).
 * Leases and change times are {@code timestamptz} on the database's clock ({@code now()}).
 *
 * <p>
 * Created in one transaction under a transaction-level advisory lock, so that nodes starting at once
 * do not race. A database whose version row is newer than {@value #VERSION} was written by a later
 * Crontainer and is refused, never downgraded.
 *
 * <p>
 * Stateless; called by one thread at a time per connection.
 */
final class PostgreSQLSchema {
	/** The schema version this code reads and writes. */
	static final int VERSION = 1;

	/** Key of the advisory lock that serializes schema creation (any fixed 64-bit value). */
	private static final long LOCK_KEY = 0x63726f6e7461696eL; // "crontain"

	private static final String[] CREATE_V1 = {
			"""
			CREATE TABLE crontainer_job (
			  name        text PRIMARY KEY,
			  last_end    bigint,
			  paused      boolean NOT NULL DEFAULT false,
			  anchor      bigint,
			  anchor_for  text,
			  version     bigint NOT NULL DEFAULT 1,
			  last_node   text,
			  fire_done   bigint,
			  claim_token bigint,
			  lease_until timestamptz,
			  claim_node  text,
			  claim_fire  bigint,
			  claimed_at  timestamptz,
			  changed_at  timestamptz NOT NULL DEFAULT now(),
			  CHECK ((anchor IS NULL) = (anchor_for IS NULL)),
			  CHECK ((claim_token IS NULL) = (lease_until IS NULL))
			)""",
			"CREATE INDEX crontainer_job_changed ON crontainer_job (changed_at)",
			"""
			CREATE TABLE crontainer_run (
			  id             bigserial PRIMARY KEY,
			  name           text NOT NULL,
			  node           text NOT NULL,
			  trigger        text NOT NULL,
			  outcome        text NOT NULL,
			  scheduled_fire bigint,
			  window_start   bigint,
			  window_end     bigint,
			  started        timestamptz NOT NULL,
			  finished       timestamptz,
			  error          text,
			  log            text
			)""",
			"CREATE INDEX crontainer_run_name ON crontainer_run (name, id)",
	};

	/**
	 * Columns added to version 1 without a new version: each is nullable and read only by the runtimes
	 * that know it, so runtimes of an earlier release keep working on the same tables (a rolling
	 * upgrade of a cluster); such a runtime keeps no pause note and no retry, and leaves those columns
	 * as they are. Added, if missing, at every start, under the same lock as the creation.
	 */
	private static final String[][] ADDED_COLUMNS = {
			{ "paused_by", "text" }, // who paused the plugin (the pause's note)
			{ "paused_at", "bigint" }, // when, ns since the epoch
			{ "pause_reason", "text" }, // why
			{ "retry_attempt", "integer" }, // the pending retry of the window starting at last_end: which
			{ "retry_attempts", "integer" }, // of how many
			{ "retry_at", "bigint" }, // due at, ns
			{ "retry_until", "bigint" }, // dropped at this fire time, ns
	};

	/** Additions to version 1, each created if missing. */
	private static final String[] ADDED_V1 = { """
			CREATE TABLE IF NOT EXISTS crontainer_node (
			  node    text PRIMARY KEY,
			  seen_at timestamptz NOT NULL
			)""" };

	/** Re-runs, added to version 1 in place: a table, its index and a nullable column, if missing. */
	private static final String[] RERUNS = {
			"ALTER TABLE crontainer_run ADD COLUMN IF NOT EXISTS requested_by text",
			"""
			CREATE TABLE IF NOT EXISTS crontainer_rerun (
			  id            bigserial PRIMARY KEY,
			  name          text NOT NULL,
			  range_from    bigint NOT NULL,
			  range_to      bigint NOT NULL,
			  split         text NOT NULL,
			  interval_expr text,
			  zone          text NOT NULL,
			  anchor        bigint,
			  requested_by  text NOT NULL,
			  requested     bigint NOT NULL,
			  next          bigint NOT NULL,
			  done          integer NOT NULL DEFAULT 0,
			  failed        integer NOT NULL DEFAULT 0,
			  cancelled     boolean NOT NULL DEFAULT false,
			  node          text,
			  lease_until   timestamptz,
			  ended         timestamptz,
			  CHECK (range_from < range_to AND next BETWEEN range_from AND range_to)
			)""",
			"CREATE UNIQUE INDEX IF NOT EXISTS crontainer_rerun_in_progress ON crontainer_rerun (name) WHERE ended IS NULL",
	};

	private PostgreSQLSchema() {
	}

	/** Adds the {@link #ADDED_COLUMNS} that are missing, in one statement; none if all are there. */
	private static void addColumns(Statement statement) throws SQLException {
		Set<String> present = new HashSet<>();
		try (ResultSet result = statement.executeQuery("SELECT column_name FROM information_schema.columns "
				+ "WHERE table_schema = current_schema() AND table_name = 'crontainer_job'")) {
			while (result.next()) {
				present.add(result.getString(1));
			}
		}
		StringBuilder alter = new StringBuilder();
		for (String[] column : ADDED_COLUMNS) {
			if (!present.contains(column[0])) {
				alter.append(alter.length() == 0 ? "ALTER TABLE crontainer_job " : ", ").append("ADD COLUMN ")
						.append(column[0]).append(' ').append(column[1]);
			}
		}
		if (alter.length() > 0) {
			statement.execute(alter.toString());
		}
	}

	/**
	 * Creates the tables if they are missing, or checks their version; adds the re-runs' if missing.
	 *
	 * @param connection A connection in auto-commit mode; left in auto-commit mode.
	 * @return The version found ({@code 0} if the tables were created now).
	 * @throws IncompatibleSchemaException If the database holds a newer (or unknown) version.
	 * @throws SQLException If the database cannot be reached or refuses a statement.
	 */
	static int ensure(Connection connection) throws SQLException, IncompatibleSchemaException {
		connection.setAutoCommit(false);
		try (Statement statement = connection.createStatement()) {
			statement.execute("SELECT pg_advisory_xact_lock(" + LOCK_KEY + ")");
			statement.execute("CREATE TABLE IF NOT EXISTS crontainer_schema_version (version integer NOT NULL)");
			Integer found = null;
			int rows = 0;
			try (ResultSet result = statement.executeQuery("SELECT version FROM crontainer_schema_version")) {
				while (result.next()) {
					found = result.getInt(1);
					rows++;
				}
			}
			if (rows > 1) {
				throw new IncompatibleSchemaException("the table crontainer_schema_version holds " + rows
						+ " rows; it must hold one, the version of the Crontainer tables");
			}
			if (found == null) {
				for (String sql : CREATE_V1) {
					statement.execute(sql);
				}
				for (String sql : RERUNS) {
					statement.execute(sql);
				}
				statement.execute("INSERT INTO crontainer_schema_version (version) VALUES (" + VERSION + ")");
				addColumns(statement);
				for (String sql : ADDED_V1) {
					statement.execute(sql);
				}
				connection.commit();
				return 0;
			}
			if (found > VERSION) {
				throw new IncompatibleSchemaException("the database holds the Crontainer tables of schema version "
						+ found + ", written by a later Crontainer; this one reads version " + VERSION
						+ " only. Upgrade this runtime, or point it at another database");
			}
			if (found < 1) {
				throw new IncompatibleSchemaException("the table crontainer_schema_version holds the unknown version "
						+ found);
			}
			for (String sql : RERUNS) {
				statement.execute(sql); // each a no-op once done
			}
			addMissing(statement);
			addColumns(statement);
			connection.commit();
			return found;
		} catch (SQLException | IncompatibleSchemaException | RuntimeException e) {
			try {
				connection.rollback();
			} catch (SQLException suppressed) {
				e.addSuppressed(suppressed);
			}
			throw e;
		} finally {
			connection.setAutoCommit(true);
		}
	}

	/** Makes the additions to version 1 that an older runtime created the tables without. */
	private static void addMissing(Statement statement) throws SQLException {
		boolean log;
		try (ResultSet result = statement.executeQuery("SELECT 1 FROM information_schema.columns WHERE table_schema = "
				+ "current_schema() AND table_name = 'crontainer_run' AND column_name = 'log'")) {
			log = result.next();
		}
		if (!log) {
			statement.execute("ALTER TABLE crontainer_run ADD COLUMN log text");
		}
		boolean nodes;
		try (ResultSet result = statement.executeQuery("SELECT to_regclass('crontainer_node') IS NOT NULL")) {
			result.next();
			nodes = result.getBoolean(1);
		}
		if (!nodes) { // (checked first: a user who may not create tables may use them once they exist)
			for (String sql : ADDED_V1) {
				statement.execute(sql);
			}
		}
	}

	/** The database holds tables this version of Crontainer cannot use. The message says why. */
	static final class IncompatibleSchemaException extends Exception {
		private static final long serialVersionUID = 1L;

		IncompatibleSchemaException(String message) {
			super(message);
		}
	}
}
