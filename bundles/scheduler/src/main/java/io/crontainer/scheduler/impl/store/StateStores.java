package io.crontainer.scheduler.impl.store;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.function.Supplier;

import org.osgi.framework.BundleContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the state store that the scheduler's configuration names: the local journal (the default), or
 * the PostgreSQL store of a cluster, reached through the OSGi JDBC service.
 *
 * <p>
 * Stateless; called by the scheduler component's activation and modification (one thread at a time).
 */
public final class StateStores {
	/** {@code state.store} value of the local store. */
	public static final String LOCAL = "local";
	/** {@code state.store} value of the PostgreSQL store. */
	public static final String POSTGRESQL = "postgresql";
	/** The PostgreSQL driver's class, as its bundle registers its {@code DataSourceFactory}. */
	static final String POSTGRESQL_DRIVER = "org.postgresql.Driver";

	private static final Logger LOG = LoggerFactory.getLogger(StateStores.class);

	private StateStores() {
	}

	/**
	 * The store settings of the scheduler's configuration.
	 *
	 * @param store {@link #LOCAL} or {@link #POSTGRESQL}.
	 * @param url The PostgreSQL JDBC URL ({@code jdbc:postgresql://host:5432/db}); required for
	 *        PostgreSQL.
	 * @param user The database user; may be empty.
	 * @param password The user's password; may be empty.
	 * @param node This runtime's node id; empty for the default ({@link #defaultNode}).
	 * @param lease The lease of a claim; renewed every quarter of it.
	 * @param poll How often other runtimes' changes are read.
	 */
	public record Settings(String store, String url, String user, String password, String node, Duration lease,
			Duration poll) {

		/**
		 * @throws IllegalArgumentException If the store is unknown, PostgreSQL has no URL, or a
		 *         duration is out of range; the message names the property.
		 */
		public Settings {
			store = store == null || store.isBlank() ? LOCAL : store.trim().toLowerCase(Locale.ROOT);
			if (!store.equals(LOCAL) && !store.equals(POSTGRESQL)) {
				throw new IllegalArgumentException("state.store = '" + store + "' is neither " + LOCAL + " nor " + POSTGRESQL);
			}
			url = url == null ? "" : url.trim();
			if (store.equals(POSTGRESQL) && !url.startsWith("jdbc:postgresql:")) {
				throw new IllegalArgumentException("state.store = postgresql needs postgresql.url, a JDBC URL such as "
						+ "jdbc:postgresql://db.example.com:5432/crontainer; it is '" + url + "'");
			}
			user = user == null ? "" : user.trim();
			password = password == null ? "" : password;
			node = node == null ? "" : node.trim();
			if (lease.compareTo(Duration.ofSeconds(2)) < 0) {
				throw new IllegalArgumentException("cluster.lease must be at least 2 s: " + lease.toSeconds());
			}
			if (poll.compareTo(Duration.ofMillis(100)) < 0) {
				throw new IllegalArgumentException("cluster.poll must be at least 0.1 s: " + poll.toMillis() + " ms");
			}
		}

		/** Whether this names the PostgreSQL store. */
		public boolean postgresql() {
			return store.equals(POSTGRESQL);
		}
	}

	/**
	 * Opens the configured store.
	 *
	 * @param context The scheduler bundle's context (for the OSGi JDBC service).
	 * @param settings The store settings.
	 * @param localDir The local store's directory: the local store itself, or, for PostgreSQL, where
	 *        the records to import come from (if it holds any) and the default node id's hash.
	 * @param localRecords For PostgreSQL: the records of the local store in use now (switched live),
	 *        or {@code null} to read them from {@code localDir} at the first connection.
	 * @return The store. Never {@code null}. A PostgreSQL store opens even when its database is down.
	 * @throws IOException If the local store cannot be opened.
	 */
	public static StateStore open(BundleContext context, Settings settings, Path localDir,
			Supplier<Map<String, RunState>> localRecords) throws IOException {
		if (!settings.postgresql()) {
			return new LocalStateStore(localDir);
		}
		String node = settings.node().isEmpty() ? defaultNode(localDir) : settings.node();
		Properties properties = dataSourceProperties(settings, node);
		OsgiDataSource dataSource;
		try {
			dataSource = new OsgiDataSource(context, POSTGRESQL_DRIVER, properties);
		} catch (NoClassDefFoundError e) { // the optional import of org.osgi.service.jdbc is not wired
			String reason = "state.store = postgresql needs the OSGi JDBC service (package org.osgi.service.jdbc) and "
					+ "the PostgreSQL driver: install the postgresql feature and restart (" + e.getMessage() + ")";
			LOG.error("{}; no plugin runs until then", reason);
			return refusing(reason);
		}
		PostgreSQLStateStore.Options options = PostgreSQLStateStore.Options.DEFAULT.withLease(settings.lease());
		options = new PostgreSQLStateStore.Options(options.lease(), options.renewEvery(), settings.poll(),
				options.queryTimeout(), options.historyKept());
		return new PostgreSQLStateStore(dataSource, withoutParameters(settings.url()), node, options,
				localRecords != null ? localRecords : () -> localRecords(localDir));
	}

	/**
	 * A store that refuses every read, claim and change with a reason (a configuration that names no
	 * usable store): nothing runs, and every plugin shows why.
	 */
	public static StateStore refusing(String reason) {
		return new RefusingStateStore(reason);
	}

	/**
	 * The properties of {@code DataSourceFactory.createDataSource}: URL, user, password, and time
	 * limits unless the URL sets them (a lost database must fail calls, not hang them: 5 s to connect,
	 * 30 s for a reply, longer than any statement's own 10 s limit).
	 */
	static Properties dataSourceProperties(Settings settings, String node) {
		Properties properties = new Properties();
		properties.setProperty("url", settings.url());
		if (!settings.user().isEmpty()) {
			properties.setProperty("user", settings.user());
		}
		if (!settings.password().isEmpty()) {
			properties.setProperty("password", settings.password());
		}
		if (!settings.url().contains("connectTimeout=")) {
			properties.setProperty("connectTimeout", "5");
		}
		if (!settings.url().contains("socketTimeout=")) {
			properties.setProperty("socketTimeout", "30");
		}
		if (!settings.url().contains("ApplicationName=")) {
			properties.setProperty("ApplicationName", "crontainer " + node);
		}
		return properties;
	}

	/**
	 * The records of the local store under {@code dir}, if it holds any; read once, when a PostgreSQL
	 * store first connects, to import them.
	 */
	static Map<String, RunState> localRecords(Path dir) {
		if (!Files.isDirectory(dir)) {
			return Map.of();
		}
		try (LocalStateStore local = new LocalStateStore(dir)) {
			Map<String, RunState> records = local.records();
			if (!records.isEmpty()) {
				LOG.info("Importing the {} records of the local store {} where the database has none", records.size(),
						local.describe());
			}
			return records;
		} catch (IOException e) {
			LOG.warn("Cannot read the local store in {} to import its records; plugins without a record in the "
					+ "database start from the epoch", dir, e);
			return Map.of();
		}
	}

	/**
	 * The default node id: the host name and a short hash of the data directory, so that two runtimes
	 * on one host differ and a restart keeps the id: {@code build-7-3fa2c1}.
	 */
	public static String defaultNode(Path dataDir) {
		String host = System.getenv("HOSTNAME");
		if (host == null || host.isBlank()) {
			try {
				host = InetAddress.getLocalHost().getHostName();
			} catch (UnknownHostException e) {
				host = "localhost";
			}
		}
		try {
			byte[] digest = MessageDigest.getInstance("SHA-256")
					.digest(dataDir.toAbsolutePath().normalize().toString().getBytes(UTF_8));
			return host + "-" + HexFormat.of().formatHex(digest, 0, 3);
		} catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException("SHA-256 is required by every Java platform", e);
		}
	}

	/** A URL for log lines: without its parameters (which may hold a password). */
	static String withoutParameters(String url) {
		int query = url.indexOf('?');
		return query < 0 ? url : url.substring(0, query);
	}
}
