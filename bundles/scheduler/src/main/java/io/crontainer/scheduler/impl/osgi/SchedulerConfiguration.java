package io.crontainer.scheduler.impl.osgi;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

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
			description = "Number of runs kept in memory per plugin (the state store keeps the newest 100, which"
					+ " cron:history reaches too). Default 20.", min = "1")
	int history_size() default 20;

	@AttributeDefinition(name = "State store",
			description = "Where run windows, pauses, anchors and the run history are kept: local (a journal in the "
					+ "state directory; the default) or postgresql (a database shared by the runtimes of a cluster, "
					+ "reached through the OSGi JDBC service; needs postgresql.url).",
			options = { @Option(label = "local", value = "local"), @Option(label = "postgresql", value = "postgresql") })
	String state_store() default "local";

	@AttributeDefinition(name = "PostgreSQL URL", required = false,
			description = "JDBC URL of the cluster's database, e.g. jdbc:postgresql://db.example.com:5432/crontainer. "
					+ "Used when state.store is postgresql.")
	String postgresql_url() default "";

	@AttributeDefinition(name = "PostgreSQL user", required = false, description = "The database user.")
	String postgresql_user() default "";

	@AttributeDefinition(name = "PostgreSQL password", required = false, type = AttributeType.PASSWORD,
			description = "The user's password (property .postgresql.password: the leading dot keeps it out of "
					+ "service properties).")
	String _postgresql_password() default "";

	@AttributeDefinition(name = "Node id", required = false,
			description = "This runtime's name in a cluster, recorded with each claim and run. Empty: the host name "
					+ "and a hash of the state directory.")
	String cluster_node() default "";

	@AttributeDefinition(name = "Lease", min = "2",
			description = "Seconds a claim holds without renewal (renewed every quarter of it while the run lasts): a "
					+ "runtime killed mid-run leaves its window to another runtime after at most this. Default 20.")
	long cluster_lease() default 20;

	@AttributeDefinition(name = "Poll", min = "1",
			description = "Seconds between two reads of the changes made by other runtimes (pause, resume, reset, "
					+ "windows), and between two attempts to reach a lost database. Default 2.")
	long cluster_poll() default 2;

	@AttributeDefinition(name = "Runs kept in the database", min = "1",
			description = "Runs of each plugin the PostgreSQL store keeps in the cluster's database, with their logs; "
					+ "older ones are deleted. Default 100, as many as the local store keeps.")
	int cluster_history_kept() default 100;

	@AttributeDefinition(name = "Most runs in progress", min = "0",
			description = "In a cluster: the most runs in progress on this runtime. Beyond it, due fire times are "
					+ "left to the other runtimes (each runtime claims about its share of the fire times due at once, "
					+ "and takes over, one poll later, what a dead, slow or busy one left); with no other runtime "
					+ "free, they are missed, and the next run's window covers them. 0: no limit (default). Not read "
					+ "with the local store.")
	long cluster_max_running() default 0;
}
