package io.crontainer.monitoring.impl;

import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.crontainer.api.CronPlugin;
import io.crontainer.api.runtime.CronJobDTO;
import io.crontainer.api.runtime.CronRuntime;

/**
 * Registers the standard MBeans of Crontainer on the platform MBean server: {@value #SCHEDULER} and, per
 * cron plugin, {@code io.crontainer:type=CronPlugin,name="NAME"}. JConsole, VisualVM and {@code jcmd PID
 * VM.…} see them with no extra library or port.
 *
 * <p>
 * The scheduler offers no events, so the set of plugin MBeans is brought in line with
 * {@link CronRuntime#getJobs()} on one thread ({@code crontainer-jmx}) every {@code jmx.refresh.seconds}
 * (PID {@value MonitoringConfiguration#PID}) and at once when the scheduler arrives. Attribute values are
 * always read live. The map of registered names is confined to that thread; activation, modification and
 * deactivation only submit work to it or stop it.
 */
@Component(immediate = true, service = {}, configurationPid = MonitoringConfiguration.PID)
public class JmxExporter {
	/** The scheduler's MBean name. */
	public static final String SCHEDULER = "io.crontainer:type=Scheduler";
	/** The domain and type of the plugins' MBeans; {@code name} is the quoted plugin name. */
	public static final String PLUGIN_PREFIX = "io.crontainer:type=" + "CronPlugin" + ",name=";

	private static final Logger LOG = LoggerFactory.getLogger(JmxExporter.class);

	private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
	private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
		Thread t = new Thread(r, "crontainer-jmx");
		t.setDaemon(true);
		return t;
	});
	/** Plugin name to its registered MBean name; used on {@link #thread} only. */
	private final Map<String, ObjectName> registered = new HashMap<>();
	private volatile CronRuntime runtime;
	private ScheduledFuture<?> refresh; // guarded by this
	private ObjectName scheduler; // set on activation, read at deactivation (SCR orders them)

	@Activate
	public JmxExporter(MonitoringConfiguration config) {
		try {
			ObjectName name = new ObjectName(SCHEDULER);
			server.registerMBean(new SchedulerView(() -> runtime), name);
			scheduler = name;
		} catch (InstanceAlreadyExistsException e) {
			LOG.warn("JMX: {} is registered already (another Crontainer in this JVM?); not registering it again", SCHEDULER);
		} catch (JMException e) {
			LOG.warn("JMX: cannot register {}", SCHEDULER, e);
		}
		schedule(config);
		LOG.info("JMX: MBeans {} and {}\"NAME\" per cron plugin, refreshed every {} s", SCHEDULER, PLUGIN_PREFIX,
				config.jmx_refresh_seconds());
	}

	@Modified
	void modified(MonitoringConfiguration config) {
		schedule(config);
	}

	private synchronized void schedule(MonitoringConfiguration config) {
		if (refresh != null) {
			refresh.cancel(false);
		}
		long seconds = Math.max(1, config.jmx_refresh_seconds());
		refresh = thread.scheduleWithFixedDelay(this::sync, 0, seconds, TimeUnit.SECONDS);
	}

	@Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
			policyOption = ReferencePolicyOption.GREEDY, unbind = "unbindRuntime")
	void bindRuntime(CronRuntime rt) {
		runtime = rt;
		requestSync();
	}

	void unbindRuntime(CronRuntime rt) {
		if (runtime == rt) {
			runtime = null;
			requestSync();
		}
	}

	/** Brings the MBeans in line soon, unless the component is deactivated (SCR unbinds after that). */
	private void requestSync() {
		try {
			thread.execute(this::sync);
		} catch (RejectedExecutionException e) {
			// deactivated: deactivate() has unregistered everything
		}
	}

	@Deactivate
	void deactivate() throws InterruptedException {
		thread.shutdownNow();
		if (!thread.awaitTermination(10, TimeUnit.SECONDS)) {
			LOG.warn("JMX: the thread crontainer-jmx did not stop within 10 s");
		}
		// The thread has stopped: the map is ours now.
		for (ObjectName name : registered.values()) {
			unregister(name);
		}
		registered.clear();
		if (scheduler != null) {
			unregister(scheduler);
		}
	}

	/** Registers the MBeans of new plugins and unregisters those of departed ones. On {@link #thread}. */
	private void sync() {
		try {
			CronRuntime rt = runtime;
			Set<String> names = new TreeSet<>();
			if (rt != null) {
				for (CronJobDTO job : rt.getJobs()) {
					names.add(job.name);
				}
			}
			registered.entrySet().removeIf(e -> {
				if (names.contains(e.getKey())) {
					return false;
				}
				unregister(e.getValue());
				return true;
			});
			for (String plugin : names) {
				if (!registered.containsKey(plugin)) {
					ObjectName name = objectName(plugin);
					try {
						server.registerMBean(new CronPluginView(plugin, () -> runtime), name);
						registered.put(plugin, name);
					} catch (InstanceAlreadyExistsException e) {
						LOG.warn("JMX: {} is registered already (another Crontainer in this JVM?)", name);
						registered.put(plugin, null);
					}
				}
			}
		} catch (JMException | RuntimeException e) {
			LOG.warn("JMX: refreshing the cron plugin MBeans failed; trying again at the next refresh", e);
		}
	}

	/**
	 * The MBean name of a plugin.
	 *
	 * @param plugin A {@link CronPlugin#NAME cron.name}. Must not be {@code null}.
	 * @return {@code io.crontainer:type=CronPlugin,name="PLUGIN"}, the name quoted as JMX requires.
	 */
	static ObjectName objectName(String plugin) {
		try {
			return new ObjectName(PLUGIN_PREFIX + ObjectName.quote(plugin));
		} catch (JMException e) {
			throw new IllegalArgumentException("No MBean name for cron plugin \"" + plugin + "\"", e);
		}
	}

	private void unregister(ObjectName name) {
		if (name == null) {
			return;
		}
		try {
			server.unregisterMBean(name);
		} catch (InstanceNotFoundException e) {
			// gone already
		} catch (JMException e) {
			LOG.warn("JMX: cannot unregister {}", name, e);
		}
	}
}
