package io.crontainer.api.runtime;

import java.util.Map;

import org.osgi.dto.DTO;

/**
 * A data transfer object for one cron plugin known to the scheduler (a <em>job</em>).
 *
 * <p>
 * Instants are UTC milliseconds since the epoch (1970-01-01T00:00:00Z); {@link #zone} says in which
 * zone the interval is evaluated, for display. Like every DTO this object is a snapshot, not
 * thread-safe, and not updated after it is returned.
 *
 * @since 1.0
 */
public class CronJobDTO extends DTO {
	/** The plugin's name ({@code cron.name}), unique among the jobs. Never {@code null}. */
	public String name;

	/** The plugin's state. Never {@code null}. */
	public JobState state;

	/**
	 * Why the plugin is not {@link JobState#SCHEDULED}, in one line; {@code null} when it is.
	 */
	public String reason;

	/** Whether a run of this plugin service is in progress (or fired and about to start). */
	public boolean running;

	/**
	 * When the run in progress started, in UTC epoch milliseconds; {@code null} if none is. Its age is
	 * the current time minus this. A run that ignored its interrupt keeps its start here while its
	 * plugin is {@link JobState#STUCK}.
	 *
	 * @since 1.1
	 */
	public Long runningSince;

	/**
	 * How many runs of this plugin name ended (any outcome but {@link Outcome#SKIPPED}) since the
	 * scheduler started. Not persisted.
	 *
	 * @since 1.1
	 */
	public long runCount;

	/**
	 * How many runs of this plugin name ended {@link Outcome#FAILED} since the scheduler started.
	 *
	 * @since 1.1
	 */
	public long failureCount;

	/**
	 * How many runs of this plugin name ended {@link Outcome#TIMED_OUT} since the scheduler started.
	 *
	 * @since 1.1
	 */
	public long timeoutCount;

	/**
	 * How many runs in a row, up to the latest finished one, did not succeed ({@link Outcome#FAILED},
	 * {@link Outcome#TIMED_OUT} or {@link Outcome#INTERRUPTED}); 0 after a success.
	 *
	 * @since 1.1
	 */
	public long consecutiveFailures;

	/**
	 * How many fire times of this plugin name were missed since the scheduler started: their run did not
	 * start within the misfire grace of 60 s after them. Counted: a fire time the timer reached more
	 * than 60 s late (the machine was suspended, the clock jumped; also with
	 * {@code cron.misfire=run-once}, whose catch-up run covers the gap); a fire time skipped because the
	 * previous run was still going or its window could not be claimed (the state store was away); and,
	 * when a plugin's schedule starts after its state is loaded (the runtime or the plugin was down), the
	 * fire times between its last run and now, at most 100 for one start. A fire time another runtime of
	 * the cluster ran is not missed. Catching up is unchanged: the next window still covers the gap.
	 *
	 * @since 1.3
	 */
	public long missedFires;

	/**
	 * The latest fire time counted in {@link #missedFires}, UTC epoch milliseconds; {@code null} if none
	 * was missed since the scheduler started.
	 *
	 * @since 1.3
	 */
	public Long lastMissedFire;

	/**
	 * The runtime (cluster node) that holds this plugin's claim now, or else ran it last;
	 * {@code null} when the scheduler keeps its state locally (no cluster).
	 *
	 * @since 1.1
	 */
	public String node;

	/**
	 * Who paused the plugin, as the operator's tool told the scheduler: for example
	 * {@code "console (user crontainer)"}, {@code "bin/client session 7 (user alice)"},
	 * {@code "web console (user admin)"}, {@code "JMX"}. {@code null} when the plugin is not paused, or
	 * was paused by a runtime older than package version 1.4 (which kept no note). Cluster-wide: read
	 * from the state store. Text an operator typed: escape it where it is shown.
	 *
	 * @since 1.4
	 */
	public String pausedBy;

	/**
	 * When the plugin was paused, in UTC epoch milliseconds; {@code null} as for {@link #pausedBy}.
	 *
	 * @since 1.4
	 */
	public Long pausedAt;

	/**
	 * Why the plugin was paused, as the operator wrote it (at most
	 * {@link CronRuntime#MAX_PAUSE_REASON} characters); {@code null} if no reason was given or the
	 * plugin is not paused. Text an operator typed: escape it where it is shown.
	 *
	 * @since 1.4
	 */
	public String pauseReason;

	/**
	 * How many times a failed or timed-out run is retried before the next fire time
	 * ({@code cron.retry}); 0 for no retry.
	 *
	 * @since 1.4
	 */
	public int retries;

	/**
	 * The delay before the first retry ({@code cron.retry.delay}), in milliseconds; {@code null} when
	 * {@link #retries} is 0.
	 *
	 * @since 1.4
	 */
	public Long retryDelay;

	/**
	 * The longest delay between two retries ({@code cron.retry.max.delay}): each retry waits twice as
	 * long as the one before, up to this, in milliseconds; {@code null} when {@link #retries} is 0.
	 *
	 * @since 1.4
	 */
	public Long retryMaxDelay;

	/**
	 * The retry the plugin waits for: 1 for the first retry of a failed window, up to {@link #retries};
	 * {@code null} when no retry is pending. Cluster-wide: read from the state store, so a retry pending
	 * before a restart is still pending after it.
	 *
	 * @since 1.4
	 */
	public Integer retryAttempt;

	/**
	 * How many retries the pending one is counted against (the {@link #retries} in force when the
	 * window failed); {@code null} when no retry is pending.
	 *
	 * @since 1.4
	 */
	public Integer retryAttempts;

	/**
	 * When the pending retry runs, in UTC epoch milliseconds: always before {@link #nextFire}.
	 * {@code null} when no retry is pending. A paused plugin keeps its pending retry but does not run it
	 * until resumed (then at once if its time has passed, unless the next fire time has come).
	 *
	 * @since 1.4
	 */
	public Long retryAt;

	/** The interval in effect, verbatim; {@code null} if {@code interval()} failed. */
	public String interval;

	/** A description of the interval in English; {@code null} if the interval is invalid. */
	public String description;

	/** The IANA id of the zone the interval is evaluated in. Never {@code null}. */
	public String zone;

	/** The run time limit in seconds ({@code cron.timeout}); {@code null} for none. */
	public Long timeout;

	/** The misfire policy ({@code cron.misfire}): {@code "skip"} or {@code "run-once"}. */
	public String misfire;

	/**
	 * Whether a fire time starts a run even while another run of this job is going. {@code false} for
	 * every cron plugin (never two runs at once); {@code true} only for a whiteboard
	 * {@code java.lang.Runnable} registered with {@code scheduler.concurrent = true} (the Apache Sling
	 * and Apache Karaf scheduler whiteboard).
	 *
	 * @since 1.2
	 */
	public boolean concurrent;

	/**
	 * The next fire time in UTC epoch milliseconds; {@code null} if the plugin is not scheduled or
	 * its interval never fires again (for example {@code @reboot} after its run).
	 */
	public Long nextFire;

	/**
	 * The end of the last successful run, in UTC epoch milliseconds: the start of the next window.
	 * {@code null} if the plugin has never run successfully (its next window starts at the epoch).
	 */
	public Long lastEnd;

	/**
	 * The latest run, finished or in progress; {@code null} if none since the scheduler started. A
	 * fire that was skipped ({@link Outcome#SKIPPED}) is shown here only if no run was made since
	 * the scheduler started (among the runs it keeps): a skipped fire never hides how the last run
	 * ended.
	 */
	public CronRunDTO lastRun;

	/**
	 * The plugin's re-run of past windows: the one in progress, else the last one that ended since it
	 * was asked for (kept by the state store); {@code null} if none is known.
	 *
	 * @since 1.4
	 */
	public RerunDTO rerun;

	/** The {@code service.id} of the plugin's service. */
	public long serviceId;

	/** The id of the bundle that registered the plugin's service. */
	public long bundleId;

	/** The symbolic name of the bundle that registered the plugin's service. */
	public String bundleSymbolicName;

	/** The service properties of the plugin's service, as registered. Never {@code null}. */
	public Map<String, Object> properties;
}
