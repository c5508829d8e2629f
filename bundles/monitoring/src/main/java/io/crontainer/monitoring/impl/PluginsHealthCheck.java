package io.crontainer.monitoring.impl;

import java.time.Clock;
import java.util.List;

import org.apache.felix.hc.api.HealthCheck;
import org.apache.felix.hc.api.Result;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;

import io.crontainer.api.runtime.CronRuntime;

/**
 * Health check "Crontainer plugins" (tag {@code crontainer}): CRITICAL for a {@code BLOCKED} or
 * {@code STUCK} plugin, WARN for an {@code INVALID} or {@code DUPLICATE} one, WARN or CRITICAL for a
 * plugin whose runs failed several times in a row, WARN for a plugin that missed a fire time lately (thresholds: PID {@value MonitoringConfiguration#PID}).
 * Registered while the scheduler's {@link CronRuntime} is; "Crontainer scheduler" reports its absence.
 * Called by the health-check executor's threads; thread-safe.
 */
@Component(service = HealthCheck.class, configurationPid = MonitoringConfiguration.PID, property = {
		HealthCheck.NAME + "=Crontainer plugins", HealthCheck.TAGS + "=crontainer",
		HealthCheck.TAGS + "=crontainer-plugins" })
@Designate(ocd = MonitoringConfiguration.class)
public class PluginsHealthCheck implements HealthCheck {

	private final CronRuntime runtime;
	private volatile Thresholds limits;
	private volatile long missedWarnMillis;
	private final Clock clock = Clock.systemUTC();

	@Activate
	public PluginsHealthCheck(@Reference CronRuntime runtime, MonitoringConfiguration config) {
		this.runtime = runtime;
		this.limits = Thresholds.of(config);
		this.missedWarnMillis = missedWarnMillis(config);
	}

	private static long missedWarnMillis(MonitoringConfiguration config) {
		return Math.max(0, Math.min(config.missed_warn_minutes(), Long.MAX_VALUE / 60_000)) * 60_000;
	}

	@Modified
	void modified(MonitoringConfiguration config) {
		limits = Thresholds.of(config);
		missedWarnMillis = missedWarnMillis(config);
	}

	@Override
	public Result execute() {
		Thresholds t = limits;
		int depth = (int) Math.min(1000, Math.max(t.failuresWarn(), t.failuresCritical()) + 5);
		return Checks.plugins(runtime.getJobs(), t, name -> {
			try {
				return runtime.getHistory(name, depth);
			} catch (IllegalArgumentException e) { // left meanwhile
				return List.of();
			}
		}, clock.millis(), missedWarnMillis);
	}
}
