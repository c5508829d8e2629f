package io.crontainer.monitoring.impl;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The thresholds of the Crontainer health checks and the refresh period of its MBeans: ConfigAdmin PID
 * {@value MonitoringConfiguration#PID} ({@code etc/io.crontainer.monitoring.cfg}). Every component of
 * this bundle reads the same configuration and applies a change at once.
 */
@ObjectClassDefinition(name = "Crontainer monitoring",
		description = "Thresholds of the health checks (tag crontainer) and the refresh period of the JMX MBeans.")
@interface MonitoringConfiguration {
	/** The configuration PID. */
	String PID = "io.crontainer.monitoring";

	@AttributeDefinition(name = "Failures in a row: WARN",
			description = "A plugin whose latest runs failed, timed out or were interrupted this many times in a row"
					+ " makes the health check WARN. 0 turns the warning off. Default 3.", min = "0")
	int consecutive_failures_warn() default 3;

	@AttributeDefinition(name = "Failures in a row: CRITICAL",
			description = "A plugin whose latest runs failed this many times in a row makes the health check"
					+ " CRITICAL. 0 turns it off. Default 10.", min = "0")
	int consecutive_failures_critical() default 10;

	@AttributeDefinition(name = "Runs at once: WARN",
			description = "This many runs in progress at once makes the saturation check WARN. The scheduler has"
					+ " no pool to fill: each run has a thread of its own, so many at once usually means plugins that"
					+ " hang or outlast their interval. 0 turns the warning off. Default 100.", min = "0")
	int running_warn() default 100;

	@AttributeDefinition(name = "Runs at once: CRITICAL",
			description = "This many runs in progress at once makes the saturation check CRITICAL. 0 turns it off."
					+ " Default 0 (off).", min = "0")
	int running_critical() default 0;

	@AttributeDefinition(name = "Run waiting for a thread: WARN after (s)",
			description = "A run that has waited this many seconds for its thread makes the saturation check WARN."
					+ " The scheduler starts a thread for a run at once, so such a wait means the JVM cannot start"
					+ " threads (process or container thread limit, or memory). 0 turns it off. Default 60.",
			min = "0")
	long queued_warn_seconds() default 60;

	@AttributeDefinition(name = "Run waiting for a thread: CRITICAL after (s)",
			description = "A run that has waited this many seconds for its thread makes the saturation check"
					+ " CRITICAL. 0 turns it off. Default 600.", min = "0")
	long queued_critical_seconds() default 600;

	@AttributeDefinition(name = "Missed fire times: WARN for (min)",
			description = "A plugin that missed a fire time (its run did not start within 60 s of it: the runtime"
					+ " was down, the state store away, the plugin busy) makes the health check WARN for this many"
					+ " minutes after that fire time. 0 turns the warning off. Default 60.", min = "0")
	long missed_warn_minutes() default 60;

	@AttributeDefinition(name = "MBean refresh (s)",
			description = "How often the set of plugin MBeans is brought in line with the scheduler's plugins:"
					+ " a new plugin's MBean appears, a departed plugin's goes, within this many seconds. Attribute"
					+ " values are always read live. Default 5.", min = "1")
	long jmx_refresh_seconds() default 5;
}
