package io.crontainer.examples.heartbeat;

import java.time.Duration;
import java.time.Instant;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.crontainer.api.CronPlugin;
import io.crontainer.api.CronPluginBase;

/**
 * The {@code heartbeat} cron plugin: logs its run window at info level, every minute by default.
 *
 * <p>
 * It is enabled without any configuration, so a newcomer sees a plugin fire within a minute of
 * starting the runtime, and it shows the run window contract at work: each line's window starts where
 * the previous successful one ended. Configuration PID {@value #PID}, see {@link Config}.
 *
 * <p>
 * Thread-safe: the configuration is held in a volatile field and replaced as a whole.
 */
@Component(service = CronPlugin.class, configurationPid = Heartbeat.PID, property = CronPlugin.NAME + "=" + Heartbeat.NAME)
@Designate(ocd = Heartbeat.Config.class)
public class Heartbeat extends CronPluginBase {

	/** The ConfigAdmin PID of this plugin. */
	public static final String PID = "io.crontainer.examples.heartbeat";

	/** The plugin's {@link CronPlugin#NAME}. */
	public static final String NAME = "heartbeat";

	/** The configuration of the heartbeat; every attribute is optional. */
	@ObjectClassDefinition(name = "Crontainer heartbeat", description = "A cron plugin that logs its run window at info level, to show that the scheduler is alive.")
	public @interface Config {

		/** @return whether the plugin is scheduled. */
		@AttributeDefinition(name = "Enabled", description = "Whether the heartbeat is scheduled.")
		boolean enabled() default true;

		/** @return the crontab expression. */
		@AttributeDefinition(name = "Interval", description = "Crontab expression on which the heartbeat runs. Default: every minute.")
		String cron_interval() default "* * * * *";
	}

	private final Logger log;
	private volatile Config config;

	/**
	 * Creates the heartbeat. Called by Declarative Services.
	 *
	 * @param config The configuration; its defaults apply when there is none.
	 */
	@Activate
	public Heartbeat(Config config) {
		this(config, LoggerFactory.getLogger(Heartbeat.class));
	}

	Heartbeat(Config config, Logger log) {
		this.config = config;
		this.log = log;
		log.info("Heartbeat {}, interval '{}'", config.enabled() ? "enabled" : "disabled", config.cron_interval());
	}

	@Modified
	void modified(Config config) {
		this.config = config;
		log.info("Heartbeat reconfigured: {}, interval '{}'", config.enabled() ? "enabled" : "disabled", config.cron_interval());
	}

	@Deactivate
	void deactivate() {
		log.info("Heartbeat stopped");
	}

	@Override
	public boolean enabled() {
		return config.enabled();
	}

	@Override
	public String interval() {
		return config.cron_interval();
	}

	/**
	 * Logs the window at info level: {@code Heartbeat: window [start, end), PT1M}; on the first run
	 * ever, whose window starts at {@link CronPlugin#EPOCH}, it says so instead of printing a duration of
	 * decades.
	 */
	@Override
	public void run(Instant start, Instant end) {
		if (start.equals(EPOCH)) {
			log.info("Heartbeat: first run, window [{}, {})", start, end);
		} else {
			log.info("Heartbeat: window [{}, {}), {}", start, end, Duration.between(start, end));
		}
	}
}
