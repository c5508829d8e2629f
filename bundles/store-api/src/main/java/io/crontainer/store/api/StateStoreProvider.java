package io.crontainer.store.api;

import java.time.Clock;
import java.util.Map;
import java.util.function.Supplier;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A state store kept outside the scheduler bundle (a database shared by the runtimes of a cluster),
 * registered as an OSGi service by the store's own bundle: the scheduler opens one when its
 * configuration's {@code state.store} names the provider's {@link #STORE} property, and closes it
 * when the configuration names another store, or when the provider's service leaves.
 *
 * <p>
 * The configuration stays the scheduler's (PID {@code io.crontainer.scheduler}): the provider reads
 * the properties it knows from {@code configuration} ({@code postgresql.url}, {@code cluster.lease},
 * ...) and ignores the others, so that another database can follow as another bundle with settings of
 * its own prefix.
 *
 * <p>
 * <b>Threads.</b> Thread-safe; {@link #open} is called by the scheduler component's configuring
 * thread (activation, a configuration change, the provider's arrival), one call at a time, with no
 * lock of the scheduler held.
 */
@ProviderType
public interface StateStoreProvider {

	/**
	 * Service property: the {@code state.store} value this provider serves, in lower case, e.g.
	 * {@code postgresql}. Required; {@code local} is the scheduler's own.
	 */
	String STORE = "crontainer.state.store";

	/** Configuration property set by the scheduler: this runtime's node id, resolved (never empty). */
	String NODE = "cluster.node";

	/**
	 * Opens a store. It may do I/O (connect once), but must return even when its database cannot be
	 * reached: the store then answers {@link StoreUnavailableException} and connects by itself later.
	 *
	 * @param configuration The scheduler's configuration properties (as ConfigAdmin gives them, with
	 *        {@link #NODE} resolved); values are {@code String}, {@code Long}, {@code Integer} or
	 *        {@code Boolean}. Must not be {@code null}; not modified.
	 * @param clock The clock of every instant the store takes from this runtime (a retry time); the
	 *        store's leases are on the database's clock. Must not be {@code null}.
	 * @param imports The records of the local store this runtime used before, by plugin name: each is
	 *        copied where the store has none for its name, once, at its first connection. Must not be
	 *        {@code null}.
	 * @return The store, open. Never {@code null}.
	 * @throws IllegalArgumentException If the configuration is not usable (a missing or malformed
	 *         URL, a duration out of range); the message names the property.
	 */
	StateStore open(Map<String, ?> configuration, Clock clock, Supplier<Map<String, RunState>> imports);
}
