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
 * are refused and every call on an open one fails, as after a network partition.
 */
final class Outage implements DataSource {
	private final DataSource database;
	volatile boolean down;

	Outage(DataSource database) {
		this.database = database;
	}

	private void check() throws SQLException {
		if (down) {
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
					if (!method.getName().equals("close")) {
						check();
					}
					try {
						return method.invoke(connection, args);
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
