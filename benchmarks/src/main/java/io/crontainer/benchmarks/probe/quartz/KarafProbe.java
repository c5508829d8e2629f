package io.crontainer.benchmarks.probe.quartz;

import java.util.Dictionary;
import java.util.Hashtable;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * The probe for Apache Karaf Scheduler: the Quartz scheduler behind its {@code Scheduler} service,
 * reached through {@code QuartzScheduler.getScheduler()}. A job's Quartz name is its
 * {@code scheduler.name} followed by {@code .} and its {@code service.id}.
 *
 * <p>
 * Karaf's scheduler registers nothing until its configuration exists, so this probe first gives it
 * the configuration that Karaf's own {@code scheduler} feature ships (PID
 * {@code org.apache.karaf.scheduler.quartz}, 3 threads, RAMJobStore).
 */
public final class KarafProbe extends QuartzProbe {

	/** The PID of Karaf's Quartz configuration. */
	static final String PID = "org.apache.karaf.scheduler.quartz";

	@Override
	public void start(BundleContext ctx) throws Exception {
		ServiceReference<ConfigurationAdmin> ref = ctx.getServiceReference(ConfigurationAdmin.class);
		if (ref == null) {
			throw new IllegalStateException("Karaf's scheduler needs ConfigurationAdmin, which is not active");
		}
		ConfigurationAdmin cm = ctx.getService(ref);
		try {
			Configuration config = cm.getConfiguration(PID, null);
			Dictionary<String, Object> props = new Hashtable<>();
			// As in Karaf 4.4's standard feature "scheduler".
			props.put("org.quartz.scheduler.instanceName", "Karaf");
			props.put("org.quartz.scheduler.instanceId", "AUTO");
			props.put("org.quartz.threadPool.class", "org.quartz.simpl.SimpleThreadPool");
			props.put("org.quartz.threadPool.threadCount", "3");
			props.put("org.quartz.threadPool.threadPriority", "5");
			props.put("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
			config.update(props);
		} finally {
			ctx.ungetService(ref);
		}
		super.start(ctx);
	}

	@Override
	protected String schedulerServiceClass() {
		return "org.apache.karaf.scheduler.Scheduler";
	}

	@Override
	protected Object quartzOf(Object schedulerService) throws ReflectiveOperationException {
		return call(schedulerService, "getScheduler");
	}

	@Override
	protected String jobName(String name, long serviceId) {
		return name + "." + serviceId;
	}

	@Override
	public String schedulerThreads() {
		return "Karaf_.*";
	}

	@Override
	public String schedulerBundle() {
		return "org.apache.karaf.scheduler.core";
	}
}
