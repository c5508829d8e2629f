package io.crontainer.cluster;

import java.time.Instant;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.concurrent.ThreadLocalRandom;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

import io.crontainer.api.CronPlugin;

/**
 * The cron plugin of {@link ClusterIT}, packed into a bundle at test time ({@link ProbeBundle}): it
 * fires on the interval of its bundle's {@code Probe-Interval} header and works for a random time up
 * to {@code Probe-Work-Millis}, so that a node killed at a random moment is often killed mid-run. It
 * records nothing itself: the committed windows in the database are what the test checks.
 */
public final class ProbePlugin implements CronPlugin, BundleActivator {
	private String interval;
	private long workMillis;

	@Override
	public void start(BundleContext context) {
		interval = context.getBundle().getHeaders().get("Probe-Interval");
		workMillis = Long.parseLong(context.getBundle().getHeaders().get("Probe-Work-Millis"));
		Dictionary<String, Object> properties = new Hashtable<>();
		properties.put(CronPlugin.NAME, context.getBundle().getHeaders().get("Probe-Name"));
		context.registerService(CronPlugin.class, this, properties);
	}

	@Override
	public void stop(BundleContext context) {
		// the framework unregisters the service
	}

	@Override
	public String interval() {
		return interval;
	}

	@Override
	public void run(Instant start, Instant end) throws InterruptedException {
		Thread.sleep(ThreadLocalRandom.current().nextLong(workMillis + 1));
	}
}
