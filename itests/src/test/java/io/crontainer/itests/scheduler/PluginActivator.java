package io.crontainer.itests.scheduler;

import java.util.Hashtable;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

import io.crontainer.api.CronPlugin;

/**
 * The activator of the plugin bundles that {@link PluginBundles} writes: registers one
 * {@link ItPlugin} described by the bundle's {@code Cron-*} headers. Its service leaves when the
 * bundle stops.
 */
public class PluginActivator implements BundleActivator {
	@Override
	public void start(BundleContext context) {
		ItPlugin plugin = new ItPlugin(context.getBundle().getHeaders().get("Cron-Interval"));
		String block = context.getBundle().getHeaders().get("Cron-Block-Millis");
		plugin.blockMillis = block == null ? 0 : Long.parseLong(block);
		Hashtable<String, Object> properties = new Hashtable<>();
		properties.put(CronPlugin.NAME, context.getBundle().getHeaders().get("Cron-Name"));
		context.registerService(CronPlugin.class, plugin, properties);
	}

	@Override
	public void stop(BundleContext context) {
		// the framework unregisters the service
	}
}
