package io.crontainer.store.postgresql.impl;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;

import javax.sql.DataSource;

/**
 * A database that a test can make unreachable and bring back: while {@link #down}, new connections
 * are refused and every call on an open one fails, as after a network partition. A test can also
 * make it go down at a commit ({@link #atCommit}).
 */
final class Outage implements DataSource {
	/** What happens at the next {@link Connection#commit()} on one of this database's connections. */
	enum AtCommit {
		/** The database goes down just before it: the transaction is not committed. */
		DOWN_BEFORE,
		/**
		 * The database goes down just after it went through, for every thread but the committing one:
		 * the call in flight returns, and nothing else this runtime does reaches the database, as if it
		 * had been killed then.
		 */
		DOWN_AFTER
	}

	private final DataSource database;
	volatile boolean down;
	/** The one thread whose calls still go through while {@link #down}; {@code null} for none. */
	volatile Thread spared;
	/** What the next commit does (then cleared); {@code null} for nothing. */
	volatile AtCommit atCommit;

	Outage(DataSource database) {
		this.database = database;
	}

	private void check() throws SQLException {
		if (down && spared != Thread.currentThread()) {
			throw new SQLException("Connection refused (a test outage)", "08001");
		}
	}

	@Override
	public Connection getConnection() throws SQLException {
		check();
		return wrap(database.getConnection());
	}

	@Override
	public Connection getConnection(String user, String password) throws SQLException {
		check();
		return wrap(database.getConnection(user, password));
	}

	private Connection wrap(Connection connection) {
		return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] { Connection.class },
				(proxy, method, args) -> {
					AtCommit at = null;
					if (method.getName().equals("commit")) {
						synchronized (this) {
							at = atCommit;
							atCommit = null;
						}
					}
					if (at == AtCommit.DOWN_BEFORE) {
						down = true;
					}
					if (!method.getName().equals("close")) {
						check();
					}
					try {
						Object result = method.invoke(connection, args);
						if (at == AtCommit.DOWN_AFTER) {
							spared = Thread.currentThread();
							down = true;
						}
						return result;
					} catch (InvocationTargetException e) {
						throw e.getCause();
					}
				});
	}

	@Override
	public PrintWriter getLogWriter() throws SQLException {
		return database.getLogWriter();
	}

	@Override
	public void setLogWriter(PrintWriter out) throws SQLException {
		database.setLogWriter(out);
	}

	@Override
	public void setLoginTimeout(int seconds) throws SQLException {
		database.setLoginTimeout(seconds);
	}

	@Override
	public int getLoginTimeout() throws SQLException {
		return database.getLoginTimeout();
	}

	@Override
	public Logger getParentLogger() throws SQLFeatureNotSupportedException {
		return database.getParentLogger();
	}

	@Override
	public <T> T unwrap(Class<T> type) throws SQLException {
		return database.unwrap(type);
	}

	@Override
	public boolean isWrapperFor(Class<?> type) throws SQLException {
		return database.isWrapperFor(type);
	}
}
