package io.crontainer.api.runtime;

/**
 * The topics and property names of the events the scheduler posts through the OSGi Event Admin
 * (OSGi Compendium 113), so that other bundles can notify on a failure, count runs or follow state
 * changes without polling {@link CronRuntime}.
 *
 * <p>
 * The scheduler posts asynchronously ({@code EventAdmin.postEvent}), from a thread of its own, in the
 * order things happened to one plugin: a run's {@link #RUN_STARTED} before its {@link #RUN_ENDED}. It
 * never waits for a handler, and it posts nothing while no Event Admin service is registered (events
 * are not kept for later). Under a flood of events that Event Admin cannot take in (at most some
 * thousands queued), further events are dropped and the drop is logged: an event is a notice, the run
 * history ({@link CronRuntime#getHistory}) is the record. In a cluster, each runtime posts the events
 * of the runs it ran and of the state changes it saw.
 *
 * <p>
 * Property values are of the types stated below: instants are {@code Long} UTC milliseconds since
 * the epoch (as in {@link CronRunDTO}; format them with {@code Instant.ofEpochMilli}), enumerations are
 * the {@code String} names of their constants, so that they can be matched by an
 * {@code event.filter} such as {@code (cron.outcome=FAILED)}. A property whose value would be
 * {@code null} is absent. Every event also carries Event Admin's {@code timestamp} ({@code Long}, UTC
 * epoch ms: when the scheduler saw it happen).
 *
 * <p>
 * A handler that notifies on every failed run:
 *
 * <pre>
 * &#64;Component(property = { EventConstants.EVENT_TOPIC + "=" + CronEvents.RUN_ENDED,
 * 		EventConstants.EVENT_FILTER + "=(" + CronEvents.OUTCOME + "=FAILED)" })
 * public class FailureMail implements EventHandler {
 * 	&#64;Override
 * 	public void handleEvent(Event event) {
 * 		String name = (String) event.getProperty(CronEvents.NAME);
 * 		String error = (String) event.getProperty(CronEvents.ERROR); // untrusted: the plugin wrote it
 * 		mail("Cron plugin " + name + " failed", error);
 * 	}
 * }
 * </pre>
 *
 * <p>
 * Not instantiable; the constants are thread-safe.
 *
 * @since 1.3
 */
public final class CronEvents {
	private CronEvents() {
	}

	/** The prefix of every topic the scheduler posts: {@value}. Subscribe to {@code io/crontainer/*} for all. */
	public static final String TOPIC_PREFIX = "io/crontainer/";

	/**
	 * Topic {@value}: a run calls its plugin now, for the window it claimed. Properties: {@link #NAME},
	 * {@link #TRIGGER}, {@link #OUTCOME} ({@code RUNNING}), {@link #WINDOW_START}, {@link #WINDOW_END},
	 * {@link #SCHEDULED_FIRE}, {@link #STARTED}, {@link #NODE}.
	 */
	public static final String RUN_STARTED = TOPIC_PREFIX + "run/STARTED";

	/**
	 * Topic {@value}: a run reached its outcome: {@code SUCCEEDED} (and its window is committed),
	 * {@code FAILED}, {@code TIMED_OUT}, {@code INTERRUPTED} or {@code SKIPPED}. Posted for every
	 * recorded run, also for a fire time that never called its plugin (skipped because the previous run
	 * was still going or its window could not be claimed, or interrupted before it started because its
	 * plugin left or the scheduler stopped): then no {@link #RUN_STARTED} preceded it and it has no
	 * window. A run abandoned as stuck ends here when it is abandoned. Properties: those of
	 * {@link #RUN_STARTED}, with its final {@link #OUTCOME}, and {@link #FINISHED}, {@link #ERROR}.
	 */
	public static final String RUN_ENDED = TOPIC_PREFIX + "run/ENDED";

	/**
	 * Topic {@value}: a plugin's {@link JobState} changed (for example from {@code SCHEDULED} to
	 * {@code STUCK}, or {@code UNAVAILABLE} when the state store cannot be reached). Not posted when
	 * only the reason changed, nor when a plugin leaves. Properties: {@link #NAME}, {@link #STATE},
	 * {@link #PREVIOUS_STATE} (absent for a plugin that just arrived), {@link #REASON}.
	 */
	public static final String STATE_CHANGED = TOPIC_PREFIX + "plugin/STATE_CHANGED";

	/** Property {@value} ({@code String}): the plugin's name, its {@code cron.name}. Always present. */
	public static final String NAME = "cron.name";

	/** Property {@value} ({@code String}): the {@link Trigger} of the run, e.g. {@code SCHEDULE} or {@code MANUAL}. */
	public static final String TRIGGER = "cron.trigger";

	/** Property {@value} ({@code String}): the {@link Outcome} of the run, e.g. {@code FAILED}. */
	public static final String OUTCOME = "cron.outcome";

	/** Property {@value} ({@code Long}, UTC epoch ms): the start of the run window, inclusive. */
	public static final String WINDOW_START = "cron.window.start";

	/** Property {@value} ({@code Long}, UTC epoch ms): the end of the run window, exclusive. */
	public static final String WINDOW_END = "cron.window.end";

	/** Property {@value} ({@code Long}, UTC epoch ms): the fire time the run was for; absent when fired by hand. */
	public static final String SCHEDULED_FIRE = "cron.scheduled.fire";

	/** Property {@value} ({@code Long}, UTC epoch ms): when the run started, or was skipped. */
	public static final String STARTED = "cron.started";

	/** Property {@value} ({@code Long}, UTC epoch ms): when the run ended. */
	public static final String FINISHED = "cron.finished";

	/**
	 * Property {@value} ({@code String}): why the run did not succeed, in one line; absent when it
	 * succeeded. <strong>Untrusted text</strong>: it holds the class and message of what the plugin threw,
	 * as the plugin wrote it. Escape it before putting it in HTML, a shell command, a log line or a chat
	 * message, and do not follow links in it.
	 */
	public static final String ERROR = "cron.error";

	/** Property {@value} ({@code String}): the runtime of the cluster that ran it; absent without a cluster. */
	public static final String NODE = "cron.node";

	/** Property {@value} ({@code String}): the plugin's new {@link JobState}. */
	public static final String STATE = "cron.state";

	/** Property {@value} ({@code String}): the plugin's {@link JobState} before the change. */
	public static final String PREVIOUS_STATE = "cron.state.previous";

	/**
	 * Property {@value} ({@code String}): why the plugin is in its new state, as {@link CronJobDTO#reason};
	 * absent when {@code SCHEDULED}. May quote what a plugin threw or returned: untrusted text, as
	 * {@link #ERROR}.
	 */
	public static final String REASON = "cron.reason";
}
