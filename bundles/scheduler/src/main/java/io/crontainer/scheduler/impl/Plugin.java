package io.crontainer.scheduler.impl;

import java.util.Map;

import io.crontainer.api.CronPlugin;

/**
 * A cron plugin service as the whiteboard sees it: what the scheduler core needs from its
 * {@code ServiceReference} and the service object. Immutable.
 *
 * @param serviceId The {@code service.id}.
 * @param bundleId The id of the registering bundle.
 * @param bundleSymbolicName The symbolic name of the registering bundle; may be {@code null}.
 * @param properties The service properties, a copy.
 * @param service The plugin.
 */
record Plugin(long serviceId, long bundleId, String bundleSymbolicName, Map<String, Object> properties,
		CronPlugin service) {

	Plugin {
		properties = Map.copyOf(properties);
	}

	/** The plugin's display form for log messages. */
	@Override
	public String toString() {
		return "service.id=" + serviceId + " from bundle " + bundleSymbolicName + " [" + bundleId + "]";
	}
}
