package io.crontainer.store.postgresql.impl;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;

import io.crontainer.store.api.StateStoreProvider;

/**
 * The settings of the PostgreSQL store, read from the scheduler's configuration (PID
 * {@code io.crontainer.scheduler}): {@code postgresql.url}, {@code postgresql.user},
 * {@code .postgresql.password}, {@code cluster.node} (resolved by the scheduler), {@code cluster.lease}
 * and {@code cluster.poll} (seconds), {@code cluster.history.kept} (runs). Immutable.
 *
 * @param url The JDBC URL ({@code jdbc:postgresql://host:5432/db}).
 * @param user The database user; may be empty.
 * @param password The user's password; may be empty.
 * @param node This runtime's node id.
 * @param lease The lease of a claim; renewed every quarter of it.
 * @param poll How often other runtimes' changes are read.
 * @param historyKept Runs kept in the database per plugin name, at least 1.
 */
record PostgreSQLSettings(String url, String user, String password, String node, Duration lease, Duration poll,
		int historyKept) {

	static final String URL = "postgresql.url";
	static final String USER = "postgresql.user";
	static final String PASSWORD = ".postgresql.password";
	static final String LEASE = "cluster.lease";
	static final String POLL = "cluster.poll";
	static final String HISTORY_KEPT = "cluster.history.kept";

	/**
	 * @throws IllegalArgumentException If the URL is missing or not PostgreSQL's, or a duration is out
	 *         of range; the message names the property.
	 */
	PostgreSQLSettings {
		url = url == null ? "" : url.trim();
		if (!url.startsWith("jdbc:postgresql:")) {
			throw new IllegalArgumentException("state.store = postgresql needs postgresql.url, a JDBC URL such as "
					+ "jdbc:postgresql://db.example.com:5432/crontainer; it is '" + url + "'");
		}
		user = user == null ? "" : user.trim();
		password = password == null ? "" : password;
		node = node == null ? "" : node.trim();
		if (node.isEmpty()) {
			throw new IllegalArgumentException("cluster.node is empty");
		}
		if (lease.compareTo(Duration.ofSeconds(2)) < 0) {
			throw new IllegalArgumentException("cluster.lease must be at least 2 s: " + lease.toSeconds());
		}
		if (poll.compareTo(Duration.ofMillis(100)) < 0) {
			throw new IllegalArgumentException("cluster.poll must be at least 0.1 s: " + poll.toMillis() + " ms");
		}
		if (historyKept < 1) {
			throw new IllegalArgumentException(HISTORY_KEPT + " must be at least 1: " + historyKept);
		}
	}

	/**
	 * Reads the settings from the scheduler's configuration properties (defaults: lease 20 s, poll 2 s, 100
	 * runs kept).
	 */
	static PostgreSQLSettings of(Map<String, ?> configuration) {
		return new PostgreSQLSettings(string(configuration, URL), string(configuration, USER),
				string(configuration, PASSWORD), string(configuration, StateStoreProvider.NODE),
				Duration.ofSeconds(seconds(configuration, LEASE, 20)), Duration.ofSeconds(seconds(configuration, POLL, 2)),
				Math.toIntExact(whole(configuration, HISTORY_KEPT, PostgreSQLStateStore.Options.DEFAULT.historyKept(),
						"a whole number of runs")));
	}

	private static String string(Map<String, ?> configuration, String key) {
		Object value = configuration.get(key);
		return value == null ? "" : value.toString();
	}

	private static long seconds(Map<String, ?> configuration, String key, long fallback) {
		return whole(configuration, key, fallback, "a whole number of seconds");
	}

	private static long whole(Map<String, ?> configuration, String key, long fallback, String what) {
		Object value = configuration.get(key);
		if (value == null || value.toString().isBlank()) {
			return fallback;
		}
		if (value instanceof Number number) {
			return number.longValue();
		}
		try {
			return Long.parseLong(value.toString().trim());
		} catch (NumberFormatException e) {
			throw new IllegalArgumentException(key + " must be " + what + ": '" + value + "'");
		}
	}

	/** The store's options: the default ones with this lease (renewed at a quarter of it), poll and history. */
	PostgreSQLStateStore.Options options() {
		return PostgreSQLStateStore.Options.DEFAULT.withLease(lease).withPoll(poll).withHistoryKept(historyKept);
	}

	/**
	 * The properties of {@code DataSourceFactory.createDataSource}: URL, user, password, and time
	 * limits unless the URL sets them (a lost database must fail calls, not hang them: 5 s to connect,
	 * 30 s for a reply, longer than any statement's own 10 s limit).
	 */
	Properties dataSourceProperties() {
		Properties properties = new Properties();
		properties.setProperty("url", url);
		if (!user.isEmpty()) {
			properties.setProperty("user", user);
		}
		if (!password.isEmpty()) {
			properties.setProperty("password", password);
		}
		if (!url.contains("connectTimeout=")) {
			properties.setProperty("connectTimeout", "5");
		}
		if (!url.contains("socketTimeout=")) {
			properties.setProperty("socketTimeout", "30");
		}
		if (!url.contains("ApplicationName=")) {
			properties.setProperty("ApplicationName", "crontainer " + node);
		}
		return properties;
	}

	/** The URL for log lines: without its parameters (which may hold a password). */
	String urlWithoutParameters() {
		int query = url.indexOf('?');
		return query < 0 ? url : url.substring(0, query);
	}

	/** Never shows the password. */
	@Override
	public String toString() {
		return "PostgreSQLSettings[url=" + urlWithoutParameters() + ", user=" + user + ", node=" + node + ", lease="
				+ lease + ", poll=" + poll + ", historyKept=" + historyKept + "]";
	}
}
