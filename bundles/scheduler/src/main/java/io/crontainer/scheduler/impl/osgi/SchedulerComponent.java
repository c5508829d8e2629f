package io.crontainer.scheduler.impl.osgi;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.event.EventAdmin;
import org.osgi.service.event.EventHandler;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.crontainer.api.CronPlugin;
import io.crontainer.api.runtime.CronRuntime;
import io.crontainer.scheduler.impl.engine.CallPool;
import io.crontainer.scheduler.impl.engine.RunPool;
import io.crontainer.scheduler.impl.engine.Scheduler;
import io.crontainer.scheduler.impl.engine.Timer;
import io.crontainer.scheduler.impl.store.LocalStateStore;
import io.crontainer.scheduler.impl.store.StateStores;
import io.crontainer.scheduler.impl.view.RuntimeView;
import io.crontainer.scheduler.impl.whiteboard.Plugin;
import io.crontainer.scheduler.impl.whiteboard.RunnableJob;
import io.crontainer.scheduler.impl.whiteboard.SchedulerProperties;
import io.crontainer.store.api.RunState;
import io.crontainer.store.api.StateStore;
import io.crontainer.store.api.StateStoreProvider;

/**
 * The scheduler as a Declarative Services component: the whiteboard of {@link CronPlugin} services
 * and of Sling/Karaf-style {@code Runnable} services ({@link SchedulerProperties}), and the
 * {@link CronRuntime} service.
 *
 * <p>
 * Whiteboard callbacks never call plugin code, never throw and never wait for a run: they hand the
 * plugin to the engine ({@link Scheduler}), which asks {@code enabled()} and {@code interval()} on its
 * call pool. A departing plugin's run in progress gets the shutdown grace to finish, then is
 * interrupted, and abandoned if it ignores that; the engine's timer handles those deadlines, so the
 * unbind callback returns at once. While the framework stops, such a run is interrupted at once, and
 * {@link #deactivate} awaits every run within one grace.
 *
 * <p>
 * Threads: the DS thread that activates, modifies and deactivates the component and calls the
 * bind, update and unbind methods (a bundle's stopping thread, FileInstall's, ConfigAdmin's); the
 * component's own threads are the engine's timer, the run pool, the call pool, the store's, the
 * {@link EventPoster}'s, which posts run and state events to Event Admin if one is registered and a
 * handler subscribes to them, and the {@link ChangeCount}'s, which publishes
 * {@code service.changecount}.
 *
 * <p>
 * The {@link CronRuntime} service is registered by this component itself (not declared to DS), so
 * that it carries {@code service.changecount}, updated when the jobs change, as SCR does on
 * {@code ServiceComponentRuntime}.
 */
@Component(name = SchedulerComponent.NAME, service = {}, configurationPid = SchedulerComponent.PID, immediate = true)
@Designate(ocd = SchedulerConfiguration.class)
public final class SchedulerComponent {

	/**
	 * The component's name, as {@code scr:list}, {@code scr:info} and the messages of the shell and the
	 * readiness check show it: the class's name before the implementation was split into packages,
	 * kept so that what users type and read stays the same.
	 */
	public static final String NAME = "io.crontainer.scheduler.impl.SchedulerComponent";

	/** The configuration PID. */
	public static final String PID = "io.crontainer.scheduler";

	/** Framework property: the runtime's data directory, set by the launcher. */
	public static final String DATA_DIR = "crontainer.data.dir";

	/**
	 * Framework or system property, for tests only: an ISO-8601 duration ({@code PT5S}, {@code -PT2M})
	 * by which the scheduler's clock (and the clock it gives its state store) is moved from the system
	 * clock, as if this runtime's clock were that far off. It moves nothing else of the JVM (log lines
	 * keep the system clock). Never set in production.
	 */
	public static final String CLOCK_OFFSET = "crontainer.clock.offset";

	private static final Logger LOG = LoggerFactory.getLogger(SchedulerComponent.class);
	private static final int CALL_THREADS = 2;
	/** How long a stopping scheduler lets its queued events reach Event Admin. */
	private static final long EVENTS_WAIT_MILLIS = 1000;

	private final BundleContext context;
	private final Clock clock;
	private final RunPool runs;
	private final CallPool calls;
	private final Timer timer;
	private final Scheduler scheduler;
	private final RuntimeView view;
	private final ChangeCount changeCount;
	private final EventPoster events;
	private final ServiceRegistration<CronRuntime> registration;

	/**
	 * The Event Admin that the run and state events go to ({@link io.crontainer.api.runtime.CronEvents});
	 * {@code null} while none is registered: the scheduler works without one. Set by DS on its thread,
	 * read by the {@link EventPoster} on any thread.
	 */
	@Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
			policyOption = ReferencePolicyOption.GREEDY)
	volatile EventAdmin eventAdmin;

	/**
	 * The Event Admin handlers registered now, as references: an event goes to Event Admin only if one
	 * of them subscribes to its topic ({@link EventPoster#subscribed}). The handlers themselves are
	 * never got. Replaced by DS on its thread, read on any thread.
	 */
	@Reference(service = EventHandler.class, cardinality = ReferenceCardinality.MULTIPLE,
			policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
	volatile List<ServiceReference<EventHandler>> eventHandlers;

	/**
	 * Activates the scheduler: opens the state store, starts the timer and registers the
	 * {@link CronRuntime} service. Plugins are bound after.
	 *
	 * @throws IOException If the state directory cannot be created or its journal read.
	 */
	@Activate
	public SchedulerComponent(BundleContext context, SchedulerConfiguration config, Map<String, Object> properties)
			throws IOException {
		this.context = context;
		Scheduler.Options options = options(config);
		this.clock = clock(context.getProperty(CLOCK_OFFSET));
		StateStore store;
		synchronized (storeSelection) {
			store = openStore(config, properties, null);
		}
		this.runs = new RunPool("crontainer-run");
		this.calls = new CallPool(CALL_THREADS, "crontainer-call");
		this.changeCount = new ChangeCount(Map.of(Constants.SERVICE_DESCRIPTION,
				"Crontainer scheduler: the runtime view of the scheduled cron plugins"));
		this.events = EventPoster.open(() -> eventAdmin, topic -> EventPoster.subscribed(eventHandlers, topic));
		this.scheduler = new Scheduler(clock, runs, calls, store, options, changeCount::changed, events);
		gatherDuringBursts(store);
		this.timer = new Timer(clock, scheduler::tick, "crontainer-timer");
		scheduler.timer(timer);
		timer.start();
		this.view = new RuntimeView(scheduler.operations());
		this.registration = context.registerService(CronRuntime.class, view, changeCount.properties());
		changeCount.registered(registration);
		LOG.info("Crontainer scheduler started: default zone {} ({}), re-check every {} s, state in {}", options.zone(),
				zoneOrigin(config), options.recheck().toSeconds(), store.describe());
	}

	/** Applies a changed configuration without a restart: no schedule or run is disturbed. */
	@Modified
	void modified(SchedulerConfiguration config, Map<String, Object> properties) {
		Scheduler.Options options = options(config);
		synchronized (storeSelection) {
			StateStore store = null;
			StateStore current = scheduler.store();
			if (!storeKey(config).equals(storeKey)) {
				try {
					store = openStore(config, properties, current);
				} catch (IOException | RuntimeException e) {
					LOG.error("Cannot open the state store that configuration {} names; keeping {}", PID, current.describe(),
							e);
				}
			}
			scheduler.configure(options, store);
		}
		LOG.info("Crontainer scheduler reconfigured: default zone {} ({}), re-check every {} s, state in {}",
				options.zone(), zoneOrigin(config), options.recheck().toSeconds(), scheduler.store().describe());
	}

	/** Stops everything: no schedule, no run and no thread of ours is left but abandoned ones. */
	@Deactivate
	void deactivate() {
		synchronized (storeSelection) {
			deactivated = true; // the providers unbound after this switch nothing
		}
		try {
			registration.unregister();
		} catch (IllegalStateException e) {
			// unregistered with the bundle already
		}
		changeCount.close();
		timer.stop();
		scheduler.stop();
		runs.shutdown();
		calls.shutdownNow();
		events.close(EVENTS_WAIT_MILLIS); // the runs' last events (interrupted by the stop) go out first
		scheduler.store().close();
		LOG.info("Crontainer scheduler stopped");
	}

	/** The runtime view, as registered. */
	CronRuntime runtime() {
		return view;
	}

	// ------------------------------------------------------------------ the state store

	/** Guards the selection of the store: the fields below, and each switch. */
	private final Object storeSelection = new Object();
	/** The store providers of other bundles, by the store name they serve. Guarded by storeSelection. */
	private final Map<String, StateStoreProvider> providers = new HashMap<>();
	/** What the store in use was opened from; another value at a modification opens another store. */
	private String storeKey;
	/** The configuration the store in use was opened from. Guarded by storeSelection. */
	private SchedulerConfiguration storeConfig;
	private Map<String, Object> storeProperties;
	/** The provider of the store in use; {@code null} for the local or a refusing store. */
	private StateStoreProvider storeProvider;
	/** Set once the component deactivates. Guarded by storeSelection. */
	private boolean deactivated;

	/**
	 * A store provider of another bundle arrived (the {@code postgresql} feature's): if the
	 * configuration names its store and waits for it, the store is opened and switched to at once.
	 * Called by DS after the constructor, before the plugins: DS binds in the order of the component
	 * description, where bnd writes references by name ({@code persistence} before {@code plugin}), so
	 * that plugins find their records in the configured store at start.
	 */
	@Reference(name = "persistence", service = StateStoreProvider.class, cardinality = ReferenceCardinality.MULTIPLE,
			policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY, unbind = "unbindStore")
	void bindStore(StateStoreProvider provider, Map<String, Object> properties) {
		String name = String.valueOf(properties.get(StateStoreProvider.STORE)).toLowerCase(java.util.Locale.ROOT);
		synchronized (storeSelection) {
			providers.putIfAbsent(name, provider);
			if (!deactivated && storeConfig != null && storeProvider == null && !StateStores.LOCAL.equals(name)
					&& name.equals(configuredStore(storeConfig))) {
				LOG.info("The {} state store is here: switching to it", name);
				storeKey = null;
				switchStore();
			}
		}
	}

	/** A store provider left: if the store in use is its, it is closed and nothing runs until it is back. */
	void unbindStore(StateStoreProvider provider, Map<String, Object> properties) {
		String name = String.valueOf(properties.get(StateStoreProvider.STORE)).toLowerCase(java.util.Locale.ROOT);
		synchronized (storeSelection) {
			providers.remove(name, provider);
			if (!deactivated && storeProvider == provider) {
				LOG.warn("The {} state store left (its bundle stopped); no plugin runs until it is back", name);
				storeKey = null;
				switchStore();
			}
		}
	}

	/** Opens the store the configuration names now, and switches to it. storeSelection held. */
	private void switchStore() {
		try {
			scheduler.configure(options(storeConfig), openStore(storeConfig, storeProperties, scheduler.store()));
		} catch (IOException | RuntimeException e) {
			LOG.error("Cannot open the state store that configuration {} names; keeping {}", PID,
					scheduler.store().describe(), e);
		}
	}

	private static String configuredStore(SchedulerConfiguration config) {
		try {
			return StateStores.storeName(config.state_store());
		} catch (IllegalArgumentException e) {
			return null;
		}
	}

	/**
	 * Opens the state store the configuration names: the local journal in {@code state.dir}, or the
	 * store of a bundle of its own (PostgreSQL, for a cluster; it imports the local records where the
	 * database has none). A configuration that names no usable store, or a store whose bundle is not
	 * there, gives a store that refuses everything with the reason, so that nothing runs on a guess
	 * (falling back to the local store would run every plugin on every runtime of a cluster).
	 * storeSelection held.
	 *
	 * @param current The store in use, or {@code null} at activation.
	 */
	private StateStore openStore(SchedulerConfiguration config, Map<String, Object> properties, StateStore current)
			throws IOException {
		Path dir = stateDir(config);
		String key = storeKey(config);
		storeConfig = config;
		storeProperties = properties;
		storeKey = key;
		storeProvider = null;
		String name;
		try {
			name = StateStores.storeName(config.state_store());
		} catch (IllegalArgumentException e) {
			LOG.error("Configuration {}: {}; no plugin runs until it is corrected", PID, e.getMessage());
			return StateStores.refusing("configuration " + PID + ": " + e.getMessage());
		}
		if (name.equals(StateStores.LOCAL)) {
			return gatherDuringBursts(StateStores.local(dir));
		}
		StateStoreProvider provider = providers.get(name);
		if (provider == null) {
			String reason = StateStores.missing(name);
			if (current != null) { // at activation, the provider is bound right after, if it is there
				LOG.warn("{}; no plugin runs until it is there", reason);
			}
			return StateStores.refusing(reason);
		}
		Supplier<Map<String, RunState>> local = current instanceof LocalStateStore open
				&& open.directory().equals(dir.toAbsolutePath()) ? open::records : null;
		StateStore store = StateStores.open(provider, storeProperties(config, properties), clock, dir, local);
		storeProvider = provider;
		return store;
	}

	/**
	 * Lets a local store's committer gather a burst's commits while the burst is still starting
	 * ({@link LocalStateStore#gatherWhile}): the timer hands its fires over or its runs wait for a run
	 * thread. Nothing for another store, or before the engine exists (at activation the constructor
	 * calls it again once it does).
	 *
	 * @return The store given.
	 */
	private StateStore gatherDuringBursts(StateStore store) {
		RunPool pool = runs;
		Scheduler engine = scheduler;
		if (store instanceof LocalStateStore local && pool != null && engine != null) {
			local.gatherWhile(() -> engine.handingOver() || pool.waiting());
		}
		return store;
	}

	/**
	 * What a store provider is given: the configuration's properties as ConfigAdmin has them (so that
	 * another database's bundle can read settings of its own), with the store settings of this
	 * component's metatype at their typed values and defaults.
	 */
	static Map<String, Object> storeProperties(SchedulerConfiguration config, Map<String, Object> properties) {
		Map<String, Object> all = new HashMap<>(properties);
		all.put("state.store", config.state_store());
		all.put("postgresql.url", config.postgresql_url());
		all.put("postgresql.user", config.postgresql_user());
		all.put(".postgresql.password", config._postgresql_password());
		all.put(StateStoreProvider.NODE, config.cluster_node());
		all.put("cluster.lease", config.cluster_lease());
		all.put("cluster.poll", config.cluster_poll());
		all.put("cluster.history.kept", config.cluster_history_kept());
		return all;
	}

	private String storeKey(SchedulerConfiguration config) {
		return String.join("\n", String.valueOf(stateDir(config).toAbsolutePath()), config.state_store(),
				config.postgresql_url(), config.postgresql_user(), config._postgresql_password(), config.cluster_node(),
				Long.toString(config.cluster_lease()), Long.toString(config.cluster_poll()),
				Integer.toString(config.cluster_history_kept()));
	}

	// ------------------------------------------------------------------ whiteboard

	@Reference(name = "plugin", service = CronPlugin.class, cardinality = ReferenceCardinality.MULTIPLE,
			policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY,
			updated = "updatedPlugin", unbind = "unbindPlugin")
	void bindPlugin(ServiceReference<CronPlugin> reference, CronPlugin plugin) {
		try {
			scheduler.add(plugin(reference, plugin));
		} catch (RuntimeException | LinkageError e) {
			LOG.warn("Cannot schedule the cron plugin {}", reference, e);
		}
	}

	void updatedPlugin(ServiceReference<CronPlugin> reference, CronPlugin plugin) {
		try {
			scheduler.update(plugin(reference, plugin));
		} catch (RuntimeException | LinkageError e) {
			LOG.warn("Cannot reschedule the cron plugin {}", reference, e);
		}
	}

	void unbindPlugin(ServiceReference<CronPlugin> reference) {
		try {
			scheduler.remove((Long) reference.getProperty(Constants.SERVICE_ID), frameworkStopping());
		} catch (RuntimeException | LinkageError e) {
			LOG.warn("Cannot unschedule the cron plugin {}", reference, e);
		}
	}

	// ------------------------------------------------------------------ the Sling and Karaf whiteboard

	/**
	 * A {@code java.lang.Runnable} service with {@code scheduler.expression} or {@code scheduler.period}
	 * (Apache Sling Commons Scheduler's and Apache Karaf Scheduler's whiteboard) is a job like a cron
	 * plugin, from the bundle that registered it. A service that is also a {@code CronPlugin} is bound
	 * as a cron plugin only, once.
	 */
	@Reference(name = "runnable", service = Runnable.class, target = SchedulerProperties.FILTER,
			cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
			policyOption = ReferencePolicyOption.GREEDY, updated = "updatedRunnable", unbind = "unbindRunnable")
	void bindRunnable(ServiceReference<Runnable> reference, Runnable task) {
		if (isCronPlugin(reference)) {
			return;
		}
		try {
			Plugin plugin = plugin(reference, new RunnableJob(task));
			String ignored = SchedulerProperties.ignored(plugin.properties());
			if (ignored != null) {
				LOG.info("Runnable {} ({}): {}", plugin.settings().name(), plugin, ignored);
			}
			scheduler.add(plugin);
		} catch (RuntimeException | LinkageError e) {
			LOG.warn("Cannot schedule the Runnable {}", reference, e);
		}
	}

	void updatedRunnable(ServiceReference<Runnable> reference, Runnable task) {
		if (isCronPlugin(reference)) {
			return;
		}
		try {
			scheduler.update(plugin(reference, new RunnableJob(task)));
		} catch (RuntimeException | LinkageError e) {
			LOG.warn("Cannot reschedule the Runnable {}", reference, e);
		}
	}

	void unbindRunnable(ServiceReference<Runnable> reference) {
		if (isCronPlugin(reference)) {
			return;
		}
		try {
			scheduler.remove((Long) reference.getProperty(Constants.SERVICE_ID), frameworkStopping());
		} catch (RuntimeException | LinkageError e) {
			LOG.warn("Cannot unschedule the Runnable {}", reference, e);
		}
	}

	/**
	 * Whether the framework is stopping (the system bundle is {@code STOPPING}): then a departing
	 * plugin's run is interrupted at once instead of getting the grace period to finish, so that the
	 * runtime stops within one grace period however many plugins run (OSGi Core 4.4.5, the stop
	 * order of bundles: plugin bundles stop before the scheduler's).
	 */
	private boolean frameworkStopping() {
		Bundle system = context.getBundle(Constants.SYSTEM_BUNDLE_ID);
		return system != null && system.getState() == Bundle.STOPPING;
	}

	/** Whether the service is registered as a {@code CronPlugin} too: then it is bound as one. */
	static boolean isCronPlugin(ServiceReference<?> reference) {
		Object classes = reference.getProperty(Constants.OBJECTCLASS);
		return classes instanceof String[] names && Arrays.asList(names).contains(CronPlugin.class.getName());
	}

	private static Plugin plugin(ServiceReference<?> reference, CronPlugin plugin) {
		// Copied once, into the immutable map the Plugin keeps (Map.copyOf takes it as it is): this runs
		// on the registering thread at every arrival. The framework's keys are unique (case-insensitive).
		String[] keys = reference.getPropertyKeys();
		@SuppressWarnings("unchecked")
		Map.Entry<String, Object>[] entries = new Map.Entry[keys.length];
		int n = 0;
		for (String key : keys) {
			Object value = reference.getProperty(key);
			if (value != null) {
				entries[n++] = Map.entry(key, value);
			}
		}
		Map<String, Object> properties = Map.ofEntries(n == entries.length ? entries : Arrays.copyOf(entries, n));
		Bundle bundle = reference.getBundle();
		return new Plugin((Long) reference.getProperty(Constants.SERVICE_ID), bundle == null ? -1 : bundle.getBundleId(),
				bundle == null ? null : bundle.getSymbolicName(), properties, plugin);
	}

	// ------------------------------------------------------------------ configuration

	private static Scheduler.Options options(SchedulerConfiguration config) {
		ZoneId zone = ZoneId.systemDefault();
		String id = config.timezone() == null ? "" : config.timezone().trim();
		if (!id.isEmpty()) {
			try {
				zone = ZoneId.of(id);
			} catch (DateTimeException e) {
				LOG.warn("Configuration {}: timezone '{}' is not a time zone id; using {}", PID, id, zone);
			}
		}
		return new Scheduler.Options(zone, Duration.ofSeconds(atLeast(config.recheck_interval(), 1, "recheck.interval")),
				Duration.ofSeconds(atLeast(config.call_timeout(), 1, "call.timeout")),
				Duration.ofSeconds(atLeast(config.shutdown_grace(), 0, "shutdown.grace")),
				(int) atLeast(config.history_size(), 1, "history.size"),
				(int) Math.min(Integer.MAX_VALUE, atLeast(config.cluster_max_running(), 0, "cluster.max.running")));
	}

	/** Where the default zone of a configuration comes from, in words, for the start log. */
	private static String zoneOrigin(SchedulerConfiguration config) {
		String id = config.timezone() == null ? "" : config.timezone().trim();
		boolean configured = false;
		if (!id.isEmpty()) {
			try {
				ZoneId.of(id);
				configured = true;
			} catch (DateTimeException e) {
				// the JVM's zone, as options() warned
			}
		}
		List<String> arguments;
		try {
			arguments = ManagementFactory.getRuntimeMXBean().getInputArguments();
		} catch (RuntimeException | LinkageError e) {
			arguments = List.of();
		}
		return zoneOrigin(configured, System.getenv("TZ"), arguments);
	}

	/**
	 * Where the default zone comes from: the configuration, else the JVM's default zone, which the JVM
	 * takes from {@code -Duser.timezone}, else from the {@code TZ} environment variable, else from the
	 * host's setting ({@code /etc/localtime}).
	 *
	 * @param configured Whether the configuration's {@code timezone} names a valid zone.
	 * @param tz The {@code TZ} environment variable; {@code null} if unset.
	 * @param jvmArguments The JVM's input arguments.
	 */
	static String zoneOrigin(boolean configured, String tz, List<String> jvmArguments) {
		if (configured) {
			return "timezone of configuration " + PID;
		}
		String origin;
		if (jvmArguments.stream().anyMatch(a -> a.startsWith("-Duser.timezone="))) {
			origin = "-Duser.timezone";
		} else if (tz != null && !tz.isBlank()) {
			origin = "the TZ environment variable";
		} else {
			origin = "the host's zone setting";
		}
		return "the JVM's zone, from " + origin + "; set timezone in etc/" + PID + ".cfg to keep it when the host "
				+ "changes";
	}

	private static long atLeast(long value, long min, String name) {
		if (value < min) {
			LOG.warn("Configuration {}: {} = {} is less than {}; using {}", PID, name, value, min, min);
			return min;
		}
		return value;
	}

	/** The system clock, moved by {@link #CLOCK_OFFSET} if it is set (tests). */
	static Clock clock(String offset) {
		if (offset == null || offset.isBlank()) {
			return Clock.systemUTC();
		}
		try {
			java.time.Duration by = java.time.Duration.parse(offset.trim());
			LOG.warn("The scheduler's clock is moved by {} from the system clock ({} = {}): for tests only", by,
					CLOCK_OFFSET, offset.trim());
			return Clock.offset(Clock.systemUTC(), by);
		} catch (java.time.format.DateTimeParseException e) {
			LOG.error("{} = '{}' is not an ISO-8601 duration (PT5S, -PT2M): ignored, the scheduler keeps the system clock",
					CLOCK_OFFSET, offset);
			return Clock.systemUTC();
		}
	}

	private Path stateDir(SchedulerConfiguration config) {
		String configured = config.state_dir() == null ? "" : config.state_dir().trim();
		String dataDir = context.getProperty(DATA_DIR);
		if (!configured.isEmpty()) {
			Path path = Path.of(configured);
			return path.isAbsolute() || dataDir == null ? path : Path.of(dataDir).resolve(path);
		}
		if (dataDir != null && !dataDir.isBlank()) {
			return Path.of(dataDir, "state");
		}
		File area = context.getDataFile("state");
		if (area == null) {
			throw new IllegalStateException("the framework has no persistent storage area for bundles; configure "
					+ "state.dir of " + PID);
		}
		return area.toPath();
	}
}
