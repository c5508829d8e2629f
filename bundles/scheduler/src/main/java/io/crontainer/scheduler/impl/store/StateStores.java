package io.crontainer.scheduler.impl.store;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.crontainer.store.api.RunState;
import io.crontainer.store.api.StateStore;
import io.crontainer.store.api.StateStoreProvider;

/**
 * Opens the state store that the scheduler's configuration names: the local journal (the default,
 * built in), or a store that a bundle of its own provides as a {@link StateStoreProvider} service
 * whose {@link StateStoreProvider#STORE} property is the configured name ({@code postgresql}: the
 * bundle {@code io.crontainer.store.postgresql}, in the {@code postgresql} feature). While the
 * configuration names a provider that is not (yet) there, the store is one that refuses everything
 * with the reason, so that nothing runs on a guess; the scheduler opens the real one when the
 * provider arrives.
 *
 * <p>
 * Stateless; called by the scheduler component's configuring thread (one call at a time).
 */
public final class StateStores {
	/** {@code state.store} value of the local store. */
	public static final String LOCAL = "local";
	/** {@code state.store} value of the PostgreSQL store. */
	public static final String POSTGRESQL = "postgresql";

	private static final Logger LOG = LoggerFactory.getLogger(StateStores.class);

	private StateStores() {
	}

	/**
	 * The store a configuration names: {@link #LOCAL} for blank, else the value trimmed, in lower case.
	 *
	 * @throws IllegalArgumentException If the value is not a plain name (letters, digits, '-', '_').
	 */
	public static String storeName(String configured) {
		String store = configured == null || configured.isBlank() ? LOCAL : configured.trim().toLowerCase(Locale.ROOT);
		if (!store.matches("[a-z0-9_-]+")) {
			throw new IllegalArgumentException("state.store = '" + store + "' is not a store name such as " + LOCAL
					+ " or " + POSTGRESQL);
		}
		return store;
	}

	/**
	 * The reason of the refusing store while the configuration names a store whose provider is not
	 * there: for PostgreSQL, which feature to install.
	 */
	public static String missing(String store) {
		if (store.equals(POSTGRESQL)) {
			return "state.store = postgresql needs the PostgreSQL store (bundle io.crontainer.store.postgresql, with "
					+ "HikariCP, the OSGi JDBC service and the PostgreSQL driver): install the postgresql feature";
		}
		return "state.store = " + store + " names a store that no installed bundle provides (no " + StateStoreProvider.class
				.getSimpleName() + " service with " + StateStoreProvider.STORE + "=" + store + ")";
	}

	/**
	 * Opens the local store.
	 *
	 * @param dir Its directory.
	 * @throws IOException If it cannot be opened.
	 */
	public static StateStore local(Path dir) throws IOException {
		return new LocalStateStore(dir);
	}

	/**
	 * Opens a provided store.
	 *
	 * @param provider The provider of the configured store.
	 * @param configuration The scheduler's configuration properties; {@link StateStoreProvider#NODE} is
	 *        set to the default node id if it is empty.
	 * @param clock The scheduler's clock.
	 * @param localDir The local store's directory: where the records to import come from (if it holds
	 *        any) and the default node id's hash.
	 * @param localRecords The records of the local store in use now (switched live), or {@code null} to
	 *        read them from {@code localDir} at the first connection.
	 * @return The store; a refusing one, with the reason, if the provider refuses the configuration.
	 *         Never {@code null}.
	 */
	public static StateStore open(StateStoreProvider provider, Map<String, ?> configuration, Clock clock, Path localDir,
			Supplier<Map<String, RunState>> localRecords) {
		Map<String, Object> properties = new HashMap<>(configuration);
		Object node = properties.get(StateStoreProvider.NODE);
		if (node == null || node.toString().isBlank()) {
			properties.put(StateStoreProvider.NODE, defaultNode(localDir));
		}
		try {
			return provider.open(Map.copyOf(properties), clock,
					localRecords != null ? localRecords : () -> localRecords(localDir));
		} catch (IllegalArgumentException e) {
			LOG.error("Configuration io.crontainer.scheduler: {}; no plugin runs until it is corrected", e.getMessage());
			return refusing("configuration io.crontainer.scheduler: " + e.getMessage());
		}
	}

	/**
	 * A store that refuses every read, claim and change with a reason (a configuration that names no
	 * usable store): nothing runs, and every plugin shows why.
	 */
	public static StateStore refusing(String reason) {
		return new RefusingStateStore(reason);
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

}
