package io.crontainer.launcher.hung;

import java.time.Instant;
import java.util.Hashtable;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

import io.crontainer.api.CronPlugin;

/**
 * A cron plugin whose run never returns until interrupted: packed by {@code DistributionIT} into a bundle
 * ({@code io.crontainer.dist.hung}, registered by this activator as the cron plugins {@code hung} and
 * {@code stuck}) and
 * dropped into {@code deploy/}, so that {@code cron:fire hung} waits until the operator interrupts it.
 */
public class HungPlugin implements CronPlugin, BundleActivator {

	@Override
	public String interval() {
		return "0 0 1 1 *"; // never due during a test
	}

	@Override
	public void run(Instant start, Instant end) throws InterruptedException {
		Thread.sleep(Long.MAX_VALUE);
	}

	@Override
	public void start(BundleContext context) {
		for (String name : new String[] { "hung", "stuck" }) {
			Hashtable<String, Object> properties = new Hashtable<>();
			properties.put(CronPlugin.NAME, name);
			context.registerService(CronPlugin.class, new HungPlugin(), properties);
		}
	}

	@Override
	public void stop(BundleContext context) {
		// the framework unregisters the service
	}
}
