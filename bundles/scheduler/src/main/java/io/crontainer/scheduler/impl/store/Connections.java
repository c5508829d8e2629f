package io.crontainer.scheduler.impl.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

/**
 * A small, bounded set of long-lived connections to one database, for the PostgreSQL state store.
 *
 * <p>
 * The OSGi JDBC service ({@code DataSourceFactory.createDataSource}, OSGi Compendium 125) hands out
 * an unpooled {@link DataSource}: each {@code getConnection()} is a new TCP connection and
 * authentication (several milliseconds), too slow for a claim per run. This keeps up to {@code max}
 * connections open and lends them out one caller at a time. A connection on which a statement failed
 * is closed, not returned ({@link #discard}), so a database restart costs one failed call per
 * connection and nothing else; there is no validation query.
 *
 * <p>
 * Thread-safe: callers on any thread; the monitor of this object guards the idle list and the count,
 * and no I/O happens under it.
 */
final class Connections implements AutoCloseable {
	private final DataSource dataSource;
	private final String initSql;
	private final int max;
	private final long waitNanos;
	// Guarded by this.
	private final Deque<Connection> idle = new ArrayDeque<>();
	private int open;
	private boolean closed;

	/**
	 * @param dataSource Where connections come from.
	 * @param initSql A statement run on each new connection (a session setting); {@code null} for none.
	 * @param max The most connections open at once, at least 1.
	 * @param waitMillis How long {@link #borrow()} waits for a connection when all are lent out, in ms.
	 */
	Connections(DataSource dataSource, String initSql, int max, long waitMillis) {
		if (max < 1) {
			throw new IllegalArgumentException("max must be at least 1: " + max);
		}
		this.dataSource = dataSource;
		this.initSql = initSql;
		this.max = max;
		this.waitNanos = TimeUnit.MILLISECONDS.toNanos(waitMillis);
	}

	/**
	 * Lends a connection, in auto-commit mode. Give it back with {@link #giveBack} or, after a failed
	 * statement, {@link #discard}.
	 *
	 * @throws SQLException If no connection can be opened, or none is given back in time.
	 */
	Connection borrow() throws SQLException {
		long deadline = System.nanoTime() + waitNanos;
		synchronized (this) {
			while (true) {
				if (closed) {
					throw new SQLException("the state store is closed", "08003");
				}
				Connection connection = idle.pollFirst();
				if (connection != null) {
					return connection;
				}
				if (open < max) {
					open++;
					break;
				}
				long left = deadline - System.nanoTime();
				if (left <= 0) {
					throw new SQLException("all " + max + " database connections are busy", "08001");
				}
				try {
					TimeUnit.NANOSECONDS.timedWait(this, left);
				} catch (InterruptedException e) {
					Thread.currentThread().interrupt();
					throw new SQLException("interrupted while waiting for a database connection", "08001", e);
				}
			}
		}
		try {
			Connection connection = dataSource.getConnection();
			try {
				connection.setAutoCommit(true);
				if (initSql != null) {
					try (java.sql.Statement statement = connection.createStatement()) {
						statement.execute(initSql);
					}
				}
			} catch (SQLException | RuntimeException e) {
				closeQuietly(connection);
				throw e;
			}
			return connection;
		} catch (SQLException | RuntimeException e) {
			synchronized (this) {
				open--;
				notifyAll();
			}
			throw e;
		}
	}

	/** Takes back a healthy connection, in auto-commit mode. */
	void giveBack(Connection connection) {
		synchronized (this) {
			if (!closed) {
				idle.addFirst(connection);
				notifyAll();
				return;
			}
		}
		discard(connection);
	}

	/** Closes a connection that failed (or may be in an unknown state) instead of taking it back. */
	void discard(Connection connection) {
		synchronized (this) {
			open--;
			notifyAll();
		}
		closeQuietly(connection);
	}

	/** Closes the idle connections; connections lent out are closed when they come back. */
	@Override
	public void close() {
		Deque<Connection> toClose;
		synchronized (this) {
			closed = true;
			toClose = new ArrayDeque<>(idle);
			open -= idle.size();
			idle.clear();
			notifyAll();
		}
		toClose.forEach(Connections::closeQuietly);
	}

	private static void closeQuietly(Connection connection) {
		try {
			connection.close();
		} catch (SQLException | RuntimeException e) {
			// It is being thrown away; a failure to close it changes nothing.
		}
	}
}
