package io.crontainer.store.postgresql.impl;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Properties;
import java.util.logging.Logger;

import javax.sql.DataSource;

import org.osgi.framework.BundleContext;
import org.osgi.framework.Filter;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.jdbc.DataSourceFactory;
import org.osgi.util.tracker.ServiceTracker;

/**
 * A {@link DataSource} backed by the OSGi JDBC service (OSGi Compendium 125): the
 * {@link DataSourceFactory} that a driver bundle registers for a driver class, tracked, so that the
 * store works whenever the driver is there and says why not when it is not. The data source is created
 * from the factory that is registered at the time of a {@link #getConnection()}, and made again when
 * the factory changes (the driver bundle was updated or restarted).
 *
 * <p>
 * Unpooled, as the OSGi JDBC service is: {@link PostgreSQLStateStore} pools it (HikariCP).
 *
 * <p>
 * Thread-safe: {@link #getConnection()} is called from any thread; the monitor of this object guards
 * the cached data source, and no connection is opened under it.
 */
final class OsgiDataSource implements DataSource, AutoCloseable {
	private final ServiceTracker<DataSourceFactory, DataSourceFactory> tracker;
	private final String driverClass;
	private final Properties properties;
	// Guarded by this.
	private DataSourceFactory factory;
	private DataSource dataSource;

	/**
	 * Starts tracking the factory of a driver.
	 *
	 * @param context The store bundle's context.
	 * @param driverClass The driver's class name ({@code osgi.jdbc.driver.class}), e.g.
	 *        {@code org.postgresql.Driver}.
	 * @param properties The properties of {@link DataSourceFactory#createDataSource} (URL, user,
	 *        password, driver options); copied.
	 */
	OsgiDataSource(BundleContext context, String driverClass, Properties properties) {
		this.driverClass = driverClass;
		this.properties = new Properties();
		this.properties.putAll(properties);
		Filter filter;
		try {
			filter = FrameworkUtil.createFilter("(&(objectClass=" + DataSourceFactory.class.getName() + ")("
					+ DataSourceFactory.OSGI_JDBC_DRIVER_CLASS + "=" + driverClass + "))");
		} catch (InvalidSyntaxException e) {
			throw new IllegalArgumentException("driver class '" + driverClass + "' cannot be used in a filter", e);
		}
		this.tracker = new ServiceTracker<>(context, filter, null);
		tracker.open();
	}

	@Override
	public Connection getConnection() throws SQLException {
		DataSourceFactory current = tracker.getService();
		if (current == null) {
			throw new SQLException("no OSGi JDBC DataSourceFactory is registered for " + driverClass
					+ " (is the postgresql feature, org.osgi.service.jdbc and the driver bundle, installed and active?)",
					"08001");
		}
		DataSource source;
		synchronized (this) {
			if (current != factory) {
				dataSource = null;
				factory = current;
			}
			source = dataSource;
		}
		if (source == null) {
			source = current.createDataSource(properties);
			synchronized (this) {
				if (factory == current) {
					dataSource = source;
				}
			}
		}
		return source.getConnection();
	}

	@Override
	public Connection getConnection(String username, String password) throws SQLException {
		throw new SQLFeatureNotSupportedException("the user is configured");
	}

	@Override
	public PrintWriter getLogWriter() {
		return null;
	}

	@Override
	public void setLogWriter(PrintWriter out) {
		// not used
	}

	@Override
	public void setLoginTimeout(int seconds) {
		// set by the driver's properties (connectTimeout)
	}

	@Override
	public int getLoginTimeout() {
		return 0;
	}

	@Override
	public Logger getParentLogger() throws SQLFeatureNotSupportedException {
		throw new SQLFeatureNotSupportedException();
	}

	@Override
	public <T> T unwrap(Class<T> iface) throws SQLException {
		throw new SQLException("not a wrapper");
	}

	@Override
	public boolean isWrapperFor(Class<?> iface) {
		return false;
	}

	/** Stops tracking the factory. */
	@Override
	public void close() {
		tracker.close();
	}
}
