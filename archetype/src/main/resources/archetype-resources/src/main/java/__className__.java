package ${package};

import java.time.Duration;
import java.time.Instant;

import org.osgi.service.component.annotations.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.crontainer.api.CronPlugin;
import io.crontainer.api.CronPluginBase;

/**
 * The {@code ${pluginName}} cron plugin.
 *
 * <p>
 * A Declarative Services component that registers a {@link CronPlugin} service: the Crontainer
 * scheduler finds it as soon as the bundle starts and runs it on its interval. Operators override the
 * interval or disable the plugin without a rebuild, with a file
 * {@code etc/${package}.${className}.cfg} in the runtime (the component's name is its configuration
 * PID):
 *
 * <pre>
 * cron.interval = 0 * * * *
 * cron.enabled = false
 * </pre>
 */
@Component(service = CronPlugin.class, property = CronPlugin.NAME + "=${pluginName}")
public class ${className} extends CronPluginBase {

	private static final Logger LOG = LoggerFactory.getLogger(${className}.class);

	/**
	 * Every five minutes. Five fields (minute hour day-of-month month day-of-week) as in crontab, a
	 * macro such as {@code @hourly}, or six or seven Quartz fields.
	 */
	@Override
	public String interval() {
		return "*/5 * * * *";
	}

	/**
	 * Does the work for the window {@code [start, end)}. {@code start} is where the last successful run
	 * ended ({@link CronPlugin#EPOCH} on the first run), {@code end} is now. Throw to fail the run: the
	 * next run is handed this window again.
	 */
	@Override
	public void run(Instant start, Instant end) throws Exception {
		LOG.info("${pluginName}: {}", describe(start, end));
	}

	/** Describes a window: {@code [start, end), duration}, or {@code [start, end), the first run}. */
	static String describe(Instant start, Instant end) {
		String window = "[" + start + ", " + end + "), ";
		return start.equals(EPOCH) ? window + "the first run" : window + Duration.between(start, end);
	}
}
