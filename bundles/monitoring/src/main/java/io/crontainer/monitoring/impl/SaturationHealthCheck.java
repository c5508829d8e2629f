package io.crontainer.monitoring.impl;

import java.time.Clock;

import org.apache.felix.hc.api.HealthCheck;
import org.apache.felix.hc.api.Result;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;

import io.crontainer.api.runtime.CronRuntime;

/**
 * Health check "Crontainer saturation" (tag {@code crontainer}): the scheduler runs each plugin's run on
 * a thread of its own (no fixed pool); too many runs in progress at once ({@code running.warn},
 * {@code running.critical}), or a run that waits for its thread to be started longer than
 * {@code queued.warn.seconds} / {@code queued.critical.seconds} (the JVM cannot start threads), make it
 * WARN or CRITICAL (PID {@value MonitoringConfiguration#PID}; {@link Checks#saturation}). Called by the health-check executor's threads; thread-safe.
 */
@Component(service = HealthCheck.class, configurationPid = MonitoringConfiguration.PID, property = {
		HealthCheck.NAME + "=Crontainer saturation", HealthCheck.TAGS + "=crontainer",
		HealthCheck.TAGS + "=crontainer-saturation" })
public class SaturationHealthCheck implements HealthCheck {

	private final CronRuntime runtime;
	private final Clock clock = Clock.systemUTC();
	private volatile Thresholds limits;

	@Activate
	public SaturationHealthCheck(@Reference CronRuntime runtime, MonitoringConfiguration config) {
		this.runtime = runtime;
		this.limits = Thresholds.of(config);
	}

	@Modified
	void modified(MonitoringConfiguration config) {
		limits = Thresholds.of(config);
	}

	@Override
	public Result execute() {
		return Checks.saturation(runtime.getJobs(), limits, clock.millis());
	}
}
