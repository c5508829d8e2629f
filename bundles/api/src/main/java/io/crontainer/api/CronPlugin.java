package io.crontainer.api;

import java.time.Instant;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A cron plugin: a unit of work that the Crontainer scheduler runs on a crontab interval.
 *
 * <p>
 * A bundle makes a cron plugin available by registering a service of this type, normally as a
 * Declarative Services component. The scheduler tracks these services (the OSGi whiteboard pattern):
 * a plugin is scheduled as soon as its service is registered, rescheduled when its service properties
 * change, and unscheduled as soon as its service is unregistered. No other registration is needed.
 *
 * <pre>
 * &#64;Component(service = CronPlugin.class, property = CronPlugin.NAME + "=token-cleaner")
 * public class TokenCleaner extends CronPluginBase {
 *     public String interval() {
 *         return "0 * * * *";            // hourly, at minute 0
 *     }
 *
 *     public void run(Instant start, Instant end) throws Exception {
 *         // delete what expired in [start, end)
 *     }
 * }
 * </pre>
 *
 * <h2>Run windows</h2>
 * Each run is handed a half-open window {@code [start, end)} of UTC instants. {@code start} is the
 * {@code end} of the plugin's last <em>successful</em> run, or {@link #EPOCH} on its first run ever;
 * {@code end} is the instant the run started. The scheduler persists {@code end} only after
 * {@link #run(Instant, Instant)} returns normally, so a run that throws, times out or is interrupted
 * leaves its window to the next run: consecutive successful windows tile time with no gap and no
 * overlap. A plugin never runs twice at once.
 *
 * <h2>Service properties</h2>
 * The service properties named by the constants of this interface let configuration override what the
 * code returns, for instance from a ConfigAdmin {@code .cfg} file through Declarative Services. A
 * property of the wrong type or form puts that one plugin in an invalid state with a message saying
 * why; it never affects another plugin.
 *
 * <h2>Threading</h2>
 * The scheduler calls {@link #enabled()} and {@link #interval()} from its own threads with a time
 * limit, and {@link #run(Instant, Instant)} on a thread of its own while the run lasts (named after
 * the plugin, so that a thread dump names it), never concurrently with itself. Implementations must
 * be safe to call from threads other than the one that created them. A plugin that blocks, even one
 * that ignores interrupts, holds its own thread only: it cannot stall the scheduler or other plugins.
 *
 * @since 1.0
 */
@ConsumerType
public interface CronPlugin {

	/**
	 * Service property naming the plugin: the key of its persisted state and its name in the shell.
	 *
	 * <p>
	 * Type: {@code String}. Default: the service's {@code component.name} property, else the fully
	 * qualified name of the implementation class. The name must be unique among the plugins registered
	 * at one time: a second plugin with the name of one already scheduled is refused (state
	 * {@code DUPLICATE}) and never run until the first one leaves.
	 */
	String NAME = "cron.name";

	/**
	 * Service property overriding {@link #interval()}.
	 *
	 * <p>
	 * Type: {@code String}, a crontab expression with the same syntax as {@link #interval()}. Default:
	 * none, the value returned by {@link #interval()} is used.
	 */
	String INTERVAL = "cron.interval";

	/**
	 * Service property overriding {@link #enabled()}.
	 *
	 * <p>
	 * Type: {@code Boolean}, or a {@code String} that is {@code "true"} or {@code "false"} (case
	 * insensitive). Default: none, the value returned by {@link #enabled()} is used.
	 */
	String ENABLED = "cron.enabled";

	/**
	 * Service property naming the time zone in which the interval is evaluated.
	 *
	 * <p>
	 * Type: {@code String}, an IANA time zone id such as {@code "Europe/Berlin"} or {@code "UTC"}.
	 * Default: the scheduler's configured default zone.
	 */
	String TIMEZONE = "cron.timezone";

	/**
	 * Service property limiting how long one run may take.
	 *
	 * <p>
	 * Type: {@code Long} (or another integral {@code Number}, or a decimal {@code String}), in
	 * seconds, greater than zero. A run still going after this time is interrupted and counts as
	 * failed; its window is retried by the next run. Default: none, a run may take as long as it needs.
	 */
	String TIMEOUT = "cron.timeout";

	/**
	 * Service property choosing what happens when a fire time was missed, for example because the
	 * runtime was down.
	 *
	 * <p>
	 * Type: {@code String}, one of {@link #MISFIRE_SKIP} (the default) or {@link #MISFIRE_RUN_ONCE}.
	 */
	String MISFIRE = "cron.misfire";

	/**
	 * {@link #MISFIRE} value: missed fire times are skipped and the plugin waits for its next fire
	 * time. Nothing is lost: the window of that next run still starts at the end of the last
	 * successful run, so it covers the missed time. This is the default.
	 */
	String MISFIRE_SKIP = "skip";

	/**
	 * {@link #MISFIRE} value: if at least one fire time was missed since the last run, the plugin runs
	 * once as soon as it is scheduled, then follows its interval (like systemd's
	 * {@code Persistent=true}).
	 */
	String MISFIRE_RUN_ONCE = "run-once";

	/**
	 * Service property asking for a failed window to be retried soon, with backoff, instead of at the
	 * next fire time: the number of retries after a run that failed or timed out.
	 *
	 * <p>
	 * Type: {@code Integer} or {@code Long} (or a decimal {@code String}), from 0 to 100. Default: 0, no
	 * retry (the next fire time runs the window again). A retry keeps the window's start and ends at its
	 * own time, like any run; it never runs beside another run of the plugin, and never at or after the
	 * plugin's next fire time, which then takes over (with the window still starting at the end of the
	 * last successful run). The delays are {@link #RETRY_DELAY}, then twice that, and so on, up to
	 * {@link #RETRY_MAX_DELAY}.
	 *
	 * @since 1.1
	 */
	String RETRY = "cron.retry";

	/**
	 * Service property: the delay before the first retry ({@link #RETRY}), after the failed run ended;
	 * each further retry waits twice as long as the one before, up to {@link #RETRY_MAX_DELAY}.
	 *
	 * <p>
	 * Type: {@code String}, an ISO-8601 duration such as {@code "PT30S"} or {@code "PT5M"}, or a whole
	 * number of seconds ({@code Integer}, {@code Long} or a decimal {@code String}); at least 1 s and at
	 * most 1 day. Default: 60 s.
	 *
	 * @since 1.1
	 */
	String RETRY_DELAY = "cron.retry.delay";

	/**
	 * Service property: the longest delay between two retries ({@link #RETRY}), the cap of the doubling.
	 *
	 * <p>
	 * Type: as {@link #RETRY_DELAY}; at least {@link #RETRY_DELAY} and at most 1 day. Default: 1 hour,
	 * or {@link #RETRY_DELAY} if that is longer.
	 *
	 * @since 1.1
	 */
	String RETRY_MAX_DELAY = "cron.retry.max.delay";

	/**
	 * The start of the first window of a plugin that has never run successfully:
	 * {@code 1970-01-01T00:00:00Z}, as in OpenStack StoryBoard.
	 */
	Instant EPOCH = Instant.EPOCH;

	/**
	 * Tells whether this plugin is enabled and configured, and so should be scheduled.
	 *
	 * <p>
	 * Called when the plugin arrives and again at each re-check of the scheduler (every 5 minutes by
	 * default), from a scheduler thread with a time limit. The {@link #ENABLED} service property, when
	 * present, takes precedence. A method that throws or does not return in time makes the plugin
	 * invalid until the next re-check.
	 *
	 * @return {@code true} if the plugin should be scheduled. The default implementation returns
	 *         {@code true}.
	 */
	default boolean enabled() {
		return true;
	}

	/**
	 * Returns the interval on which this plugin runs: a crontab expression, used verbatim.
	 *
	 * <p>
	 * Accepted forms are: five fields ({@code minute hour day-of-month month day-of-week}) with Vixie
	 * cron semantics, where day-of-month and day-of-week are OR'ed when both are restricted; the
	 * macros {@code @yearly}, {@code @annually}, {@code @monthly}, {@code @weekly}, {@code @daily},
	 * {@code @midnight}, {@code @hourly} and {@code @reboot}; {@code ?} in a five-field expression,
	 * meaning the value of that field at the moment the plugin is scheduled; Jenkins' {@code H}
	 * (a value hashed from the plugin's name); and six or seven fields with Quartz semantics (seconds
	 * first, optional year).
	 *
	 * <p>
	 * Called when the plugin arrives and again at each re-check, from a scheduler thread with a time
	 * limit. The {@link #INTERVAL} service property, when present, takes precedence. An expression that
	 * cannot be parsed or never fires makes the plugin invalid, with the reason shown in the shell.
	 *
	 * @return The crontab expression. Must not be {@code null}.
	 */
	String interval();

	/**
	 * Does the plugin's work for the run window {@code [start, end)}.
	 *
	 * <p>
	 * Called on a thread of the scheduler, never concurrently with another run of the same plugin. A
	 * run that returns normally succeeds (once its window end is durable) and the next window starts
	 * at {@code end}. A run that throws fails and the next window starts at {@code start} again. When the plugin's
	 * {@link #TIMEOUT} expires, or the scheduler is stopping, or the plugin's service left and the
	 * run has not ended within the scheduler's grace period, the running thread is interrupted: a
	 * well-behaved plugin checks {@link Thread#interrupted()} in long loops and gives up. A run that
	 * ignores its interrupt for the grace period is abandoned and reported: its plugin is
	 * {@code STUCK} and not run again until the call returns.
	 *
	 * @param start The start of the window, inclusive: a UTC instant. Never {@code null}.
	 * @param end The end of the window, exclusive: a UTC instant after {@code start}, the time this
	 *        run started. Never {@code null}.
	 * @throws Exception If the run failed. The window is handed to the next run again.
	 */
	void run(Instant start, Instant end) throws Exception;
}
