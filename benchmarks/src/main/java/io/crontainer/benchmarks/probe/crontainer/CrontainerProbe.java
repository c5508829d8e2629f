package io.crontainer.benchmarks.probe.crontainer;

import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.util.tracker.ServiceTracker;

import io.crontainer.api.CronPlugin;
import io.crontainer.api.runtime.CronJobDTO;
import io.crontainer.api.runtime.CronRuntime;
import io.crontainer.api.runtime.JobState;
import io.crontainer.benchmarks.spi.JobSpec;
import io.crontainer.benchmarks.spi.Probe;

/**
 * The probe for Crontainer: registers {@link CronPlugin} services with {@code cron.name}, and observes
 * the scheduler through {@link CronRuntime#getJob(String)}.
 */
public final class CrontainerProbe implements Probe, BundleActivator {

	private final Map<String, ServiceRegistration<CronPlugin>> registrations = new ConcurrentHashMap<>();
	private volatile BundleContext context;
	private volatile ServiceTracker<CronRuntime, CronRuntime> runtime;

	@Override
	public void start(BundleContext ctx) {
		this.context = ctx;
		this.runtime = new ServiceTracker<>(ctx, CronRuntime.class, null);
		runtime.open();
		ctx.registerService(Probe.class, this, null);
	}

	@Override
	public void stop(BundleContext ctx) {
		runtime.close();
	}

	@Override
	public boolean ready() {
		return runtime.getService() != null;
	}

	@Override
	public void register(List<JobSpec> jobs) {
		BundleContext ctx = context;
		// -Dbenchmark.crontainer.interval=property: the interval as a service property, as the peers' jobs
		// carry scheduler.expression; by default the plugin answers interval() from code (a call thread asks it).
		boolean property = "property".equals(ctx.getProperty("benchmark.crontainer.interval"));
		for (JobSpec job : jobs) {
			Dictionary<String, Object> props = new Hashtable<>();
			props.put(CronPlugin.NAME, job.name());
			if (property) {
				props.put(CronPlugin.INTERVAL, job.expression());
			}
			registrations.put(job.name(), ctx.registerService(CronPlugin.class, new BenchPlugin(job), props));
		}
	}

	@Override
	public void unregister(String name) {
		ServiceRegistration<CronPlugin> reg = registrations.remove(name);
		if (reg == null) {
			throw new IllegalArgumentException("No job named '" + name + "' is registered");
		}
		reg.unregister();
	}

	@Override
	public void unregisterAll() {
		for (String name : new ArrayList<>(registrations.keySet())) {
			unregister(name);
		}
	}

	@Override
	public boolean isScheduled(String name) {
		CronRuntime rt = runtime.getService();
		if (rt == null) {
			return false;
		}
		CronJobDTO job = rt.getJob(name);
		return job != null && job.state == JobState.SCHEDULED && job.nextFire != null;
	}

	@Override
	public boolean isUnscheduled(String name) {
		CronRuntime rt = runtime.getService();
		return rt == null || rt.getJob(name) == null;
	}

	@Override
	public String schedulerBundle() {
		return "io.crontainer.scheduler";
	}

	@Override
	public String schedulerThreads() {
		return "crontainer-.*";
	}

	@Override
	public String observation() {
		return "CronRuntime.getJob(name): state == SCHEDULED and nextFire != null";
	}
}
