package io.crontainer.scheduler.impl;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The configuration of the scheduler, ConfigAdmin PID {@value SchedulerComponent#PID}. Every
 * attribute has a default, so no configuration is needed. Durations are in seconds.
 */
@ObjectClassDefinition(id = SchedulerComponent.PID, name = "Crontainer Scheduler",
		description = "Runs cron plugin services (io.crontainer.api.CronPlugin) on their intervals.")
@interface SchedulerConfiguration {

	@AttributeDefinition(name = "Default time zone",
			description = "IANA id of the zone in which intervals are evaluated when a plugin has no cron.timezone, "
					+ "such as Europe/Berlin or UTC. Empty: the zone of the JVM.")
	String timezone() default "";

	@AttributeDefinition(name = "Re-check interval",
			description = "Seconds between two re-checks, in which every plugin is asked again for enabled() and "
					+ "interval() and changes are applied. Default 300 (5 minutes).", min = "1")
	long recheck_interval() default 300;

	@AttributeDefinition(name = "Shutdown grace",
			description = "Seconds that a run may go on after its plugin left before it is interrupted; seconds "
					+ "that an interrupted run (timed out, plugin left) may take to return before it is reported as "
					+ "stuck and abandoned; seconds that the stopping scheduler awaits its runs. Default 10.", min = "0")
	long shutdown_grace() default 10;

	@AttributeDefinition(name = "Plugin call time limit",
			description = "Seconds that a call of a plugin's enabled() or interval() may take; a plugin that takes "
					+ "longer is INVALID until it answers. Default 10.", min = "1")
	long call_timeout() default 10;

	@AttributeDefinition(name = "State directory",
			description = "Directory of the persisted run state (one journal file, runs.journal). Empty: "
					+ "${crontainer.data.dir}/state, else the scheduler bundle's persistent storage area.")
	String state_dir() default "";

	@AttributeDefinition(name = "History length",
			description = "Number of runs kept in memory per plugin, for the shell. Default 20.", min = "1")
	int history_size() default 20;
}
