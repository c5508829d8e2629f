package io.crontainer.monitoring.impl;

import org.apache.felix.hc.api.HealthCheck;
import org.apache.felix.hc.api.Result;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import io.crontainer.api.runtime.CronRuntime;

/**
 * Health check "Crontainer scheduler" (tag {@code crontainer}): CRITICAL while the scheduler's
 * {@link CronRuntime} service is missing or does not answer. The reference is optional, so the check
 * stays registered, and says so, while the scheduler is away. Called by the health-check executor's
 * threads; thread-safe.
 */
@Component(service = HealthCheck.class, property = { HealthCheck.NAME + "=Crontainer scheduler",
		HealthCheck.TAGS + "=crontainer", HealthCheck.TAGS + "=crontainer-scheduler" })
public class SchedulerHealthCheck implements HealthCheck {

	@Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
			policyOption = ReferencePolicyOption.GREEDY)
	volatile CronRuntime runtime;

	@Override
	public Result execute() {
		return Checks.scheduler(runtime);
	}
}
