package io.crontainer.api;

import java.time.Instant;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A convenient base class for cron plugins, as in OpenStack StoryBoard's {@code CronPluginBase}.
 *
 * <p>
 * Subclasses implement {@link #interval()} and {@link #run(Instant, Instant)}, and may override
 * {@link #enabled()}, which returns {@code true} here. {@link #toString()} names the plugin's class,
 * which is how the plugin appears in log messages unless it has a {@link CronPlugin#NAME}.
 *
 * <pre>
 * &#64;Component(service = CronPlugin.class, property = CronPlugin.NAME + "=heartbeat")
 * public class Heartbeat extends CronPluginBase {
 *     public String interval() {
 *         return "* * * * *";
 *     }
 *
 *     public void run(Instant start, Instant end) {
 *         System.out.println("window " + start + " - " + end);
 *     }
 * }
 * </pre>
 *
 * <p>
 * This class holds no state and is thread-safe; subclasses must keep the thread-safety promises of
 * {@link CronPlugin}.
 *
 * @since 1.0
 */
@ConsumerType
public abstract class CronPluginBase implements CronPlugin {

	/**
	 * Creates a cron plugin.
	 */
	protected CronPluginBase() {
	}

	/**
	 * {@inheritDoc}
	 *
	 * <p>
	 * This implementation returns {@code true}.
	 */
	@Override
	public boolean enabled() {
		return true;
	}

	@Override
	public abstract String interval();

	@Override
	public abstract void run(Instant start, Instant end) throws Exception;

	/**
	 * Returns the simple name of the implementation class, for log messages.
	 */
	@Override
	public String toString() {
		return getClass().getSimpleName();
	}
}
