package io.crontainer.scheduler.impl;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.component.propertytypes.ServiceDescription;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.crontainer.api.CronPlugin;
import io.crontainer.api.runtime.CronJobDTO;
import io.crontainer.api.runtime.CronRunDTO;
import io.crontainer.api.runtime.CronRuntime;

/**
 * The scheduler as a Declarative Services component: the whiteboard of {@link CronPlugin} services
 * and of Sling/Karaf-style {@code Runnable} services ({@link SchedulerProperties}), and the
 * {@link CronRuntime} service.
 *
 * <p>
 * Whiteboard callbacks never call plugin code and never throw: they hand the plugin to the
 * {@link Scheduler} core, which asks {@code enabled()} and {@code interval()} on its call pool. Only
 * the unbind callback may wait, up to the shutdown grace, for a run of the departing plugin to end,
 * so that a stopping bundle's plugin is not left running.
 */
@Component(service = CronRuntime.class, configurationPid = SchedulerComponent.PID, immediate = true)
@Designate(ocd = SchedulerConfiguration.class)
@ServiceDescription("Crontainer scheduler: the runtime view of the scheduled cron plugins")
public final class SchedulerComponent implements CronRuntime {

	/** The configuration PID. */
	public static final String PID = "io.crontainer.scheduler";

	/** Framework property: the runtime's data directory, set by the launcher. */
	public static final String DATA_DIR = "crontainer.data.dir";

	private static final Logger LOG = LoggerFactory.getLogger(SchedulerComponent.class);
	private static final int CALL_THREADS = 2;

	private final BundleContext context;
	private final ThreadPoolExecutor workers;
	private final CallPool calls;
	private final Timer timer;
	private final Scheduler scheduler;

	/**
	 * Activates the scheduler: opens the state store and starts the timer. Plugins are bound after.
	 *
	 * @throws IOException If the state directory cannot be created.
	 */
	@Activate
	public SchedulerComponent(BundleContext context, SchedulerConfiguration config) throws IOException {
		this.context = context;
		Scheduler.Options options = options(config);
		StateStore store = new StateStore(stateDir(config));
		Clock clock = Clock.systemUTC();
		this.workers = new ThreadPoolExecutor(options.poolSize(), options.poolSize(), 60, TimeUnit.SECONDS,
				new LinkedBlockingQueue<>(), new NamedThreads("crontainer-worker"));
		this.workers.allowCoreThreadTimeOut(true);
		this.calls = new CallPool(CALL_THREADS, "crontainer-call");
		Timer[] holder = new Timer[1];
		this.scheduler = new Scheduler(clock, workers, calls, store, options, () -> {
			Timer t = holder[0];
			if (t != null) {
				t.wakeup();
			}
		});
		this.timer = new Timer(clock, scheduler::tick, "crontainer-timer");
		holder[0] = timer;
		timer.start();
		LOG.info("Crontainer scheduler started: zone {}, {} workers, re-check every {} s, state in {}",
				options.zone(), options.poolSize(), options.recheck().toSeconds(), store.directory());
	}

	/** Applies a changed configuration without a restart: no schedule or run is disturbed. */
	@Modified
	void modified(SchedulerConfiguration config) {
		Scheduler.Options options = options(config);
		StateStore store = null;
		Path dir = stateDir(config);
		if (!dir.toAbsolutePath().equals(scheduler.store().directory())) {
			try {
				store = new StateStore(dir);
			} catch (IOException e) {
				LOG.error("Cannot use the state directory {}; keeping {}", dir, scheduler.store().directory(), e);
			}
		}
		if (options.poolSize() > workers.getMaximumPoolSize()) {
			workers.setMaximumPoolSize(options.poolSize());
			workers.setCorePoolSize(options.poolSize());
		} else {
			workers.setCorePoolSize(options.poolSize());
			workers.setMaximumPoolSize(options.poolSize());
		}
		scheduler.configure(options, store);
		LOG.info("Crontainer scheduler reconfigured: zone {}, {} workers, re-check every {} s, state in {}",
				options.zone(), options.poolSize(), options.recheck().toSeconds(), scheduler.store().directory());
	}

	/** Stops everything: no schedule, no run and no thread of ours is left. */
	@Deactivate
	void deactivate() {
		timer.stop();
		scheduler.stop();
		workers.shutdownNow();
		calls.executor().shutdownNow();
		LOG.info("Crontainer scheduler stopped");
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
			scheduler.remove((Long) reference.getProperty(Constants.SERVICE_ID));
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
			scheduler.remove((Long) reference.getProperty(Constants.SERVICE_ID));
		} catch (RuntimeException | LinkageError e) {
			LOG.warn("Cannot unschedule the Runnable {}", reference, e);
		}
	}

	/** Whether the service is registered as a {@code CronPlugin} too: then it is bound as one. */
	static boolean isCronPlugin(ServiceReference<?> reference) {
		Object classes = reference.getProperty(Constants.OBJECTCLASS);
		return classes instanceof String[] names && Arrays.asList(names).contains(CronPlugin.class.getName());
	}

	private static Plugin plugin(ServiceReference<?> reference, CronPlugin plugin) {
		Map<String, Object> properties = new HashMap<>();
		for (String key : reference.getPropertyKeys()) {
			Object value = reference.getProperty(key);
			if (value != null) {
				properties.put(key, value);
			}
		}
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
				(int) atLeast(config.pool_size(), 1, "pool.size"));
	}

	private static long atLeast(long value, long min, String name) {
		if (value < min) {
			LOG.warn("Configuration {}: {} = {} is less than {}; using {}", PID, name, value, min, min);
			return min;
		}
		return value;
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

	// ------------------------------------------------------------------ CronRuntime

	@Override
	public List<CronJobDTO> getJobs() {
		return scheduler.getJobs();
	}

	@Override
	public CronJobDTO getJob(String name) {
		return scheduler.getJob(name);
	}

	@Override
	public List<CronRunDTO> getHistory(String name, int limit) {
		return scheduler.getHistory(name, limit);
	}

	@Override
	public CompletionStage<CronRunDTO> fire(String name) {
		return scheduler.fire(name);
	}

	@Override
	public CronJobDTO pause(String name) {
		return scheduler.pause(name);
	}

	@Override
	public CronJobDTO resume(String name) {
		return scheduler.resume(name);
	}

	@Override
	public CronJobDTO reset(String name, Instant since) {
		return scheduler.reset(name, since);
	}

	@Override
	public List<ZonedDateTime> preview(String interval, String name, ZoneId zone, Instant from, int count) {
		return scheduler.preview(interval, name, zone, from, count);
	}

	@Override
	public String describe(String interval, String name, ZoneId zone) {
		return scheduler.describe(interval, name, zone);
	}

	@Override
	public List<ZonedDateTime> getNextFireTimes(String name, int count) {
		return scheduler.getNextFireTimes(name, count);
	}

	@Override
	public ZoneId getDefaultZone() {
		return scheduler.getDefaultZone();
	}
}
