package io.crontainer.benchmarks.probe.quartz;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Date;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.util.tracker.ServiceTracker;

import io.crontainer.benchmarks.spi.JobSpec;
import io.crontainer.benchmarks.spi.Probe;

/**
 * The probe for the two peers, both whiteboard schedulers over a private Quartz 2.3.2: registers
 * {@code Runnable} services with {@code scheduler.expression}, {@code scheduler.name} and
 * {@code scheduler.concurrent=false} (Crontainer never runs a plugin twice at once), and observes
 * "scheduled" in the peer's own Quartz scheduler, reached by reflection because neither peer has a
 * query API for whiteboard jobs: {@code getTriggersOfJob(jobKey)} holds a trigger whose
 * {@code getNextFireTime()} is not {@code null}.
 */
public abstract class QuartzProbe implements Probe, BundleActivator {

	private final Map<String, ServiceRegistration<Runnable>> registrations = new ConcurrentHashMap<>();
	private final Map<String, String> jobNames = new ConcurrentHashMap<>();
	private volatile BundleContext context;
	private volatile ServiceTracker<Object, Object> scheduler;
	private volatile Access access;

	/** @return The class name under which the peer registers its scheduler service. */
	protected abstract String schedulerServiceClass();

	/**
	 * @param schedulerService The peer's scheduler service object.
	 * @return The peer's {@code org.quartz.Scheduler}, or {@code null} if it has none yet.
	 * @throws ReflectiveOperationException If the peer's internals are not as expected.
	 */
	protected abstract Object quartzOf(Object schedulerService) throws ReflectiveOperationException;

	/**
	 * @param name The {@code scheduler.name} of a job.
	 * @param serviceId The job's {@code service.id}.
	 * @return The Quartz job name the peer gives the job.
	 */
	protected abstract String jobName(String name, long serviceId);

	@Override
	public void start(BundleContext ctx) throws Exception {
		this.context = ctx;
		this.scheduler = new ServiceTracker<>(ctx, schedulerServiceClass(), null);
		scheduler.open(true);
		ctx.registerService(Probe.class, this, null);
	}

	@Override
	public void stop(BundleContext ctx) {
		scheduler.close();
	}

	@Override
	public boolean ready() {
		return scheduler.getService() != null;
	}

	@Override
	public void register(List<JobSpec> jobs) {
		BundleContext ctx = context;
		for (JobSpec job : jobs) {
			Dictionary<String, Object> props = new Hashtable<>();
			props.put("scheduler.expression", job.expression());
			props.put("scheduler.name", job.name());
			props.put("scheduler.concurrent", Boolean.FALSE);
			ServiceRegistration<Runnable> reg = ctx.registerService(Runnable.class, new BenchRunnable(job), props);
			// Both peers schedule synchronously in the service event; the name is known after it.
			jobNames.put(job.name(), jobName(job.name(), (Long) reg.getReference().getProperty("service.id")));
			registrations.put(job.name(), reg);
		}
	}

	@Override
	public void unregister(String name) {
		ServiceRegistration<Runnable> reg = registrations.remove(name);
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
		List<?> triggers = triggersOf(name);
		if (triggers == null || triggers.isEmpty()) {
			return false;
		}
		Access a = access;
		try {
			return a.nextFireTime.invoke(triggers.get(0)) instanceof Date;
		} catch (ReflectiveOperationException e) {
			throw new IllegalStateException("Cannot read the trigger of " + name, e);
		}
	}

	@Override
	public boolean isUnscheduled(String name) {
		List<?> triggers = triggersOf(name);
		return triggers == null || triggers.isEmpty();
	}

	@Override
	public String observation() {
		return "Quartz getTriggersOfJob(JobKey) of the peer's private scheduler (by reflection): a trigger with getNextFireTime() != null";
	}

	/** @return The triggers of the job, or {@code null} when the peer has no Quartz scheduler. */
	private List<?> triggersOf(String name) {
		String jobName = jobNames.get(name);
		if (jobName == null) {
			return null;
		}
		Access a = access();
		if (a == null) {
			return null;
		}
		try {
			Object key = a.jobKey.invoke(null, jobName);
			return (List<?>) a.triggersOfJob.invoke(a.quartz, key);
		} catch (InvocationTargetException e) {
			throw new IllegalStateException("Quartz failed to answer for " + jobName, e.getCause());
		} catch (ReflectiveOperationException e) {
			throw new IllegalStateException("Cannot query Quartz for " + jobName, e);
		}
	}

	private Access access() {
		Object service = scheduler.getService();
		if (service == null) {
			return null;
		}
		Access a = access;
		if (a != null && a.service == service) {
			return a;
		}
		try {
			Object quartz = quartzOf(service);
			if (quartz == null) {
				return null;
			}
			a = new Access(service, quartz);
			access = a;
			return a;
		} catch (ReflectiveOperationException e) {
			throw new IllegalStateException("Cannot reach the Quartz scheduler of " + service.getClass().getName(), e);
		}
	}

	/** Calls a no-argument method that may be package-private. */
	protected static Object call(Object target, String method) throws ReflectiveOperationException {
		Method m = target.getClass().getDeclaredMethod(method);
		m.setAccessible(true);
		return m.invoke(target);
	}

	/** The peer's Quartz scheduler and the reflective handles to query it. */
	private static final class Access {
		final Object service;
		final Object quartz;
		final Method jobKey;
		final Method triggersOfJob;
		final Method nextFireTime;

		Access(Object service, Object quartz) throws ReflectiveOperationException {
			this.service = service;
			this.quartz = quartz;
			ClassLoader loader = quartz.getClass().getClassLoader();
			Class<?> keyClass = Class.forName("org.quartz.JobKey", false, loader);
			this.jobKey = keyClass.getMethod("jobKey", String.class);
			this.triggersOfJob = Class.forName("org.quartz.Scheduler", false, loader).getMethod("getTriggersOfJob", keyClass);
			this.nextFireTime = Class.forName("org.quartz.Trigger", false, loader).getMethod("getNextFireTime");
		}
	}
}
