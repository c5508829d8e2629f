package io.crontainer.launcher.hung;

import java.time.Instant;
import java.util.Hashtable;
import java.util.concurrent.atomic.AtomicInteger;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

import io.crontainer.api.CronPlugin;

/**
 * A cron plugin, {@code retrier}, packed by {@code DistributionIT} into a bundle
 * ({@code io.crontainer.dist.retrying}): it fires every 30 s, asks for 3 retries 1 s apart at first
 * ({@code cron.retry = 3}, {@code cron.retry.delay = 1}), and fails its first three runs.
 */
public class RetryingPlugin implements BundleActivator {
	static final AtomicInteger CALLS = new AtomicInteger();

	@Override
	public void start(BundleContext context) {
		Hashtable<String, Object> properties = new Hashtable<>();
		properties.put(CronPlugin.NAME, "retrier");
		properties.put("cron.retry", 3);
		properties.put("cron.retry.delay", "PT1S");
		context.registerService(CronPlugin.class, new CronPlugin() {
			@Override
			public String interval() {
				return "@every 30s";
			}

			@Override
			public void run(Instant start, Instant end) {
				int call = CALLS.incrementAndGet();
				if (call <= 3) {
					throw new IllegalStateException("failure " + call + " of 3");
				}
			}
		}, properties);
	}

	@Override
	public void stop(BundleContext context) {
		// the service goes with the bundle
	}
}
