package io.crontainer.scheduler.impl.whiteboard;

import java.util.Map;

import io.crontainer.api.CronPlugin;

/**
 * A cron plugin service (or a whiteboard {@code Runnable}, wrapped in a {@link RunnableJob}) as the
 * whiteboard sees it: what the scheduler core needs from its
 * {@code ServiceReference} and the service object. Immutable.
 *
 * @param serviceId The {@code service.id}.
 * @param bundleId The id of the registering bundle.
 * @param bundleSymbolicName The symbolic name of the registering bundle; may be {@code null}.
 * @param properties The service properties, a copy.
 * @param service The plugin.
 */
public record Plugin(long serviceId, long bundleId, String bundleSymbolicName, Map<String, Object> properties,
		CronPlugin service) {

	public Plugin {
		properties = Map.copyOf(properties);
	}

	/**
	 * Reads the settings from the service properties: the {@code cron.*} properties of a cron plugin,
	 * or the {@code scheduler.*} properties of a whiteboard {@code Runnable} ({@link RunnableJob}).
	 */
	public Settings settings() {
		return service instanceof RunnableJob runnable
				? SchedulerProperties.settings(properties, runnable.className(), bundleSymbolicName)
				: Settings.of(properties, service.getClass().getName());
	}

	/** The plugin's display form for log messages. */
	@Override
	public String toString() {
		return "service.id=" + serviceId + " from bundle " + bundleSymbolicName + " [" + bundleId + "]";
	}
}
