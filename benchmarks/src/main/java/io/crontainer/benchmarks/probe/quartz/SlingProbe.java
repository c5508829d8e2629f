package io.crontainer.benchmarks.probe.quartz;

import java.util.Map;

/**
 * The probe for Apache Sling Commons Scheduler: the Quartz scheduler of its default thread pool,
 * reached through {@code QuartzScheduler.getSchedulers()} (what its web console printer uses). A job's
 * Quartz name is its {@code scheduler.name}.
 */
public final class SlingProbe extends QuartzProbe {

	@Override
	protected String schedulerServiceClass() {
		return "org.apache.sling.commons.scheduler.impl.QuartzScheduler";
	}

	@Override
	protected Object quartzOf(Object schedulerService) throws ReflectiveOperationException {
		Map<?, ?> proxies = (Map<?, ?>) call(schedulerService, "getSchedulers");
		if (proxies.isEmpty()) {
			return null; // Sling creates its Quartz scheduler with the first job
		}
		return call(proxies.values().iterator().next(), "getScheduler");
	}

	@Override
	protected String jobName(String name, long serviceId) {
		return name;
	}

	@Override
	public String schedulerThreads() {
		return "ApacheSling.*|sling-.*";
	}

	@Override
	public String schedulerBundle() {
		return "org.apache.sling.commons.scheduler";
	}
}
