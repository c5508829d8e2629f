package io.crontainer.store.postgresql.impl;

import java.time.Clock;
import java.util.Map;
import java.util.function.Supplier;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

import io.crontainer.store.api.RunState;
import io.crontainer.store.api.StateStore;
import io.crontainer.store.api.StateStoreProvider;

/**
 * The PostgreSQL store as a service: the scheduler opens one when its configuration says
 * {@code state.store = postgresql}. The database is reached through the OSGi JDBC service (the
 * {@code DataSourceFactory} the PostgreSQL driver bundle registers), pooled by HikariCP.
 *
 * <p>
 * <b>Threads.</b> Stateless but for the bundle context; {@link #open} is called by the scheduler's
 * configuring thread. Each store opened has its own threads and pool, closed by the scheduler.
 */
@Component(property = StateStoreProvider.STORE + "=" + PostgreSQLStoreProvider.STORE)
public final class PostgreSQLStoreProvider implements StateStoreProvider {
	/** The {@code state.store} value served. */
	static final String STORE = "postgresql";
	/** The PostgreSQL driver's class, as its bundle registers its {@code DataSourceFactory}. */
	static final String DRIVER = "org.postgresql.Driver";

	private final BundleContext context;

	@Activate
	public PostgreSQLStoreProvider(BundleContext context) {
		this.context = context;
	}

	@Override
	public StateStore open(Map<String, ?> configuration, Clock clock, Supplier<Map<String, RunState>> imports) {
		PostgreSQLSettings settings = PostgreSQLSettings.of(configuration);
		OsgiDataSource dataSource = new OsgiDataSource(context, DRIVER, settings.dataSourceProperties());
		return new PostgreSQLStateStore(dataSource, settings.urlWithoutParameters(), settings.node(), settings.options(),
				clock, imports);
	}
}
