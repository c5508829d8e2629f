package io.crontainer.api.runtime;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The runtime view of the Crontainer scheduler: the cron plugins it knows, their runs, and the
 * operations an operator may apply to them.
 *
 * <p>
 * The scheduler registers one service of this type. Management agents (the Gogo shell, a web console,
 * JMX) read and act through it only; they hold no scheduling logic of their own. Jobs are identified
 * by their name ({@code cron.name}).
 *
 * <p>
 * The service is thread-safe. The DTOs it returns are snapshots.
 *
 * @since 1.0
 */
@ProviderType
public interface CronRuntime {

	/**
	 * Returns every cron plugin known to the scheduler, whatever its state.
	 *
	 * @return The jobs, sorted by name. Never {@code null}; empty if there are none.
	 */
	List<CronJobDTO> getJobs();

	/**
	 * Returns one cron plugin.
	 *
	 * @param name The plugin's name. Must not be {@code null}.
	 * @return The job, or {@code null} if no live plugin has that name.
	 */
	CronJobDTO getJob(String name);

	/**
	 * Returns the most recent runs, newest first, including one in progress and skipped fires.
	 *
	 * <p>
	 * The scheduler keeps a bounded number of runs per plugin: its state store keeps the newest 100 of each
	 * (local and PostgreSQL alike), of which the newest {@code history.size} (a configuration) are also
	 * held in memory; all that the store keeps are returned. The runs of a plugin that has left (its bundle
	 * stopped or was updated) are kept too, for the most recently departed names, and can be asked for by
	 * name.
	 *
	 * @param name The plugin's name, or {@code null} for the runs of every plugin. It need not belong to
	 *        a live plugin: a name that left and whose runs are still kept is accepted.
	 * @param limit The greatest number of runs to return; must be greater than zero.
	 * @return The runs, newest first. Never {@code null}.
	 * @throws IllegalArgumentException If {@code name} is not {@code null} and is neither the name of a
	 *         live plugin nor one whose runs are kept, or {@code limit} is not positive.
	 */
	List<CronRunDTO> getHistory(String name, int limit);

	/**
	 * Returns the most recent runs of several plugins at once: for each name, what
	 * {@link #getHistory(String, int) getHistory(name, limit)} returns, read in one go. A page or report that
	 * shows many plugins' runs asks once, not once per plugin: where the history lives in a database (a
	 * cluster's), the scheduler answers with one query.
	 *
	 * <p>
	 * The default implementation calls {@link #getHistory(String, int)} for each name; the scheduler
	 * overrides it.
	 *
	 * @param names The plugins' names. Must not be {@code null} nor hold {@code null}. A name that is neither
	 *        live nor kept (it may have left meanwhile) maps to an empty list; it is not an error.
	 * @param limit The greatest number of runs to return per name; must be greater than zero.
	 * @return Each distinct name of {@code names} to its runs, newest first, in the order of {@code names}.
	 *         Never {@code null}; the lists are never {@code null}.
	 * @throws IllegalArgumentException If {@code limit} is not positive.
	 * @since 1.4
	 */
	default Map<String, List<CronRunDTO>> getHistories(Collection<String> names, int limit) {
		if (limit <= 0) {
			throw new IllegalArgumentException("limit " + limit + " is not greater than 0");
		}
		Map<String, List<CronRunDTO>> histories = new LinkedHashMap<>();
		for (String name : names) {
			if (!histories.containsKey(name)) {
				List<CronRunDTO> runs;
				try {
					runs = getHistory(name, limit);
				} catch (IllegalArgumentException e) { // left meanwhile, its runs not kept
					runs = List.of();
				}
				histories.put(name, runs);
			}
		}
		return histories;
	}

	/**
	 * Runs a plugin now, with the same window rules as a scheduled run: the window starts at the end
	 * of its last successful run and ends now, and it is committed only if the run succeeds.
	 *
	 * <p>
	 * Works on a {@link JobState#SCHEDULED}, {@link JobState#PAUSED} or {@link JobState#DISABLED}
	 * plugin; the run is done on a thread of the scheduler's, never the caller's.
	 *
	 * @param name The plugin's name. Must not be {@code null}.
	 * @return A stage that completes with the finished run ({@link CronRunDTO#outcome} says how it
	 *         ended; a failed run completes the stage normally). It completes whenever the run ends,
	 *         also when a run that ignored its interrupt (after its {@code cron.timeout}, its plugin's
	 *         departure or the scheduler's stop) is abandoned: then with {@link Outcome#TIMED_OUT} or
	 *         {@link Outcome#INTERRUPTED}, although the plugin's thread may still be inside
	 *         {@code run}. Callers cannot complete it; its dependent actions do not run on the
	 *         scheduler's own threads unless asynchronous.
	 * @throws IllegalArgumentException If no live plugin has that name.
	 * @throws IllegalStateException If the plugin is running already, or is {@link JobState#PENDING},
	 *         {@link JobState#INVALID}, {@link JobState#DUPLICATE} or {@link JobState#BLOCKED}; the
	 *         message says why.
	 */
	CompletionStage<CronRunDTO> fire(String name);

	/**
	 * Pauses a plugin: it is not fired on its interval until {@link #resume(String) resumed}. A run in
	 * progress is not interrupted. The pause is persisted with the plugin's state and survives
	 * restarts. Pausing a paused plugin does nothing. Since 1.4 the pause keeps when it was made
	 * ({@link CronJobDTO#pausedAt}), with no one named and no reason: see
	 * {@link #pause(String, String, String)}.
	 *
	 * @param name The plugin's name. Must not be {@code null}.
	 * @return The job after the change.
	 * @throws IllegalArgumentException If no live plugin has that name.
	 * @throws IllegalStateException If the plugin is {@link JobState#BLOCKED}, or its state cannot be
	 *         persisted.
	 */
	CronJobDTO pause(String name);

	/**
	 * The greatest length of a pause's reason, in characters: a longer one is refused.
	 *
	 * @since 1.4
	 */
	int MAX_PAUSE_REASON = 500;

	/**
	 * The greatest length of the text naming who paused a plugin, in characters: a longer one is cut.
	 *
	 * @since 1.4
	 */
	int MAX_PAUSED_BY = 200;

	/**
	 * Pauses a plugin as {@link #pause(String)} does, and keeps who paused it, when and why with its
	 * persisted state, cluster-wide ({@link CronJobDTO#pausedBy}, {@link CronJobDTO#pausedAt},
	 * {@link CronJobDTO#pauseReason}), until it is resumed. Pausing a paused plugin replaces the note
	 * (the pause itself stays as it was).
	 *
	 * <p>
	 * Both texts are kept as given (trimmed), control characters included: whoever shows them escapes
	 * them.
	 *
	 * @param name The plugin's name. Must not be {@code null}.
	 * @param reason Why, in the operator's words; {@code null} or blank for no reason. At most
	 *        {@link #MAX_PAUSE_REASON} characters.
	 * @param by Who pauses it, as the calling tool knows the operator (see {@link CronJobDTO#pausedBy});
	 *        {@code null} or blank if unknown. Cut to {@link #MAX_PAUSED_BY} characters.
	 * @return The job after the change.
	 * @throws IllegalArgumentException If no live plugin has that name, or the reason is longer than
	 *         {@link #MAX_PAUSE_REASON}.
	 * @throws IllegalStateException If the plugin is {@link JobState#BLOCKED}, or its state cannot be
	 *         persisted.
	 * @since 1.4
	 */
	CronJobDTO pause(String name, String reason, String by);

	/**
	 * Resumes a paused plugin: its next fire time is computed from now. Missed fire times are
	 * handled by its misfire policy. Resuming a plugin that is not paused does nothing. The pause's note
	 * (who, when, why) is dropped; a retry held while it was paused runs, at once if its time has passed,
	 * unless the next fire time came meanwhile.
	 *
	 * @param name The plugin's name. Must not be {@code null}.
	 * @return The job after the change.
	 * @throws IllegalArgumentException If no live plugin has that name.
	 * @throws IllegalStateException If the plugin is {@link JobState#BLOCKED}, or its state cannot be
	 *         persisted.
	 */
	CronJobDTO resume(String name);

	/**
	 * Resets a plugin's persisted state: replaces its record, clearing a {@link JobState#BLOCKED}
	 * state, and sets the start of its next window.
	 *
	 * @param name The name of the plugin. Must not be {@code null}. The plugin need not be live: the
	 *        state of a departed plugin can be reset too.
	 * @param since The start of the next window, a UTC instant; {@code null} for the epoch
	 *        (1970-01-01T00:00:00Z), as for a plugin that never ran.
	 * @return The job after the change, or {@code null} if no live plugin has that name.
	 * @throws IllegalArgumentException If {@code since} is in the future.
	 * @throws IllegalStateException If the plugin is running, or its state cannot be written.
	 */
	CronJobDTO reset(String name, Instant since);

	/**
	 * Computes the next fire times of a plugin's schedule as the scheduler holds it: the same zone, the
	 * same {@code H} values and the same instant for {@code ?} fields (the creation of the schedule,
	 * which {@link #preview(String, String, ZoneId, Instant, int)} cannot know), starting with
	 * {@link CronJobDTO#nextFire}.
	 *
	 * @param name The plugin's name. Must not be {@code null}.
	 * @param count The greatest number of fire times to return, from 1 to 1000.
	 * @return The fire times in the plugin's zone, ascending; empty if the plugin has no valid interval
	 *         (for example {@link JobState#INVALID}, {@link JobState#DISABLED} or {@link JobState#PENDING})
	 *         or it fires no more. For a {@link JobState#PAUSED} plugin, the times it would fire at if it
	 *         were resumed. Never {@code null}.
	 * @throws IllegalArgumentException If no live plugin has that name, or {@code count} is out of range.
	 */
	List<ZonedDateTime> getNextFireTimes(String name, int count);

	/**
	 * Computes the fire times of any interval, with the same rules as for a scheduled plugin.
	 *
	 * @param interval A crontab expression, as returned by {@code CronPlugin.interval()}. Must not be
	 *        {@code null}.
	 * @param name The plugin name that {@code H} fields are hashed from; {@code null} for the empty
	 *        name.
	 * @param zone The zone the interval is evaluated in; {@code null} for the scheduler's default zone.
	 * @param from The instant after which fire times are computed, exclusive; it is also the creation
	 *        time that {@code ?} fields take their value from. Must not be {@code null}.
	 * @param count The greatest number of fire times to return, from 1 to 1000.
	 * @return The fire times in {@code zone}, ascending; fewer than {@code count} if the interval stops
	 *         firing, and none for {@code @reboot}, which fires only when a schedule starts, not at a
	 *         time of day. Never {@code null}.
	 * @throws IllegalArgumentException If the interval cannot be parsed or can never fire, or
	 *         {@code count} is out of range; the message says why.
	 */
	List<ZonedDateTime> preview(String interval, String name, ZoneId zone, Instant from, int count);

	/**
	 * Describes an interval in English, in a way that does not mislead: every day of the week and every
	 * rule (such as the day-of-month OR day-of-week rule of Vixie cron) is spelled out, and the zone is
	 * named.
	 *
	 * @param interval A crontab expression. Must not be {@code null}.
	 * @param name The plugin name that {@code H} fields are hashed from; {@code null} for the empty
	 *        name, as in {@link #preview(String, String, ZoneId, Instant, int)}.
	 * @param zone The zone the interval is evaluated in; {@code null} for the scheduler's default zone.
	 * @return The description. Never {@code null}.
	 * @throws IllegalArgumentException If the interval cannot be parsed or can never fire; the message
	 *         says why.
	 */
	String describe(String interval, String name, ZoneId zone);

	/**
	 * Returns the zone in which intervals are evaluated when a plugin names none: the
	 * {@code timezone} of the scheduler's configuration (PID {@code io.crontainer.scheduler}), by
	 * default the JVM's default zone.
	 *
	 * @return The default zone. Never {@code null}.
	 */
	ZoneId getDefaultZone();

	/**
	 * Returns the state store in use and whether it can be reached. Answered from what the store knows
	 * without a round trip: a cluster's store checks its database every {@code cluster.poll}, so a lost
	 * database shows here within that time.
	 *
	 * @return The store. Never {@code null}.
	 * @since 1.3
	 */
	StoreDTO getStore();

	/**
	 * Lists the windows that {@link #rerun(String, Instant, Instant, RerunSplit, String)} would run with
	 * the same arguments, and checks them the same way, without running anything (a dry run).
	 *
	 * @param name The plugin's name. Must not be {@code null}.
	 * @param from Start of the range, inclusive, a UTC instant. Must not be {@code null}.
	 * @param to End of the range, exclusive, a UTC instant, after {@code from} and not after the plugin's
	 *        committed window end ({@link CronJobDTO#lastEnd}). Must not be {@code null}.
	 * @param split How the range is cut; {@code null} for {@link RerunSplit#INTERVAL}.
	 * @return The windows, in order; they tile {@code [from, to)}. Never {@code null} nor empty.
	 * @throws IllegalArgumentException If no live plugin has that name; {@code from} is not before
	 *         {@code to}, or before the epoch; {@code to} is after the plugin's committed window end (or
	 *         it never succeeded); or the range is cut into more than 10,000 windows. The message says
	 *         which, in one line.
	 * @throws IllegalStateException If the plugin has no valid interval to cut at (use
	 *         {@link RerunSplit#ONCE}) or its state record cannot be read ({@link JobState#BLOCKED}).
	 * @since 1.4
	 */
	List<RunWindowDTO> planRerun(String name, Instant from, Instant to, RerunSplit split);

	/**
	 * Re-runs a range of past windows of a plugin (a backfill): runs the plugin for each window of
	 * {@link #planRerun(String, Instant, Instant, RerunSplit)}, in order, one at a time, each as a run of
	 * its own in the history ({@link Trigger#RERUN}, with {@code requestedBy}). A window never runs
	 * beside another run of the plugin: it waits for a run in progress, and a scheduled fire that comes
	 * while a window runs is run right after it. A window that fails is counted and the next one runs.
	 * The plugin's committed window end never moves, so the schedule runs what it would have run.
	 *
	 * <p>
	 * The re-run is kept by the state store before this method returns: it survives a restart and, in a
	 * cluster, is taken over by another runtime if the one running it dies, from its first window not
	 * done. Its windows wait while the plugin is paused, disabled or gone. A plugin has at most one
	 * re-run in progress. The windows run on threads of the scheduler's, never the caller's.
	 *
	 * @param name The plugin's name. Must not be {@code null}.
	 * @param from Start of the range, inclusive, a UTC instant. Must not be {@code null}.
	 * @param to End of the range, exclusive, a UTC instant. Must not be {@code null}.
	 * @param split How the range is cut; {@code null} for {@link RerunSplit#INTERVAL}.
	 * @param requestedBy Who asks, recorded with the re-run and each of its runs: one line of at most
	 *        200 characters. Must not be {@code null} nor blank.
	 * @return The re-run, as started. Never {@code null}.
	 * @throws IllegalArgumentException As {@link #planRerun(String, Instant, Instant, RerunSplit)}, or if
	 *         {@code requestedBy} is blank, too long or holds control characters.
	 * @throws IllegalStateException As {@link #planRerun(String, Instant, Instant, RerunSplit)}; if the
	 *         plugin has a re-run in progress already; or if the state store cannot keep it now (the
	 *         message says why).
	 * @since 1.4
	 */
	RerunDTO rerun(String name, Instant from, Instant to, RerunSplit split, String requestedBy);

	/**
	 * Cancels the re-run in progress of a plugin: it stops after the window in progress (if any), which
	 * is not interrupted; the windows left do not run. Cancelling a re-run that was cancelled already
	 * does nothing. Works cluster-wide: the runtime running it stops it.
	 *
	 * @param name The plugin's name. Must not be {@code null}. It need not belong to a live plugin.
	 * @return The re-run after the change. Never {@code null}.
	 * @throws IllegalArgumentException If the name has no re-run in progress.
	 * @throws IllegalStateException If the state store cannot keep the change now.
	 * @since 1.4
	 */
	RerunDTO cancelRerun(String name);

	/**
	 * Returns the re-run of a plugin: the one in progress, else the last one that ended.
	 *
	 * @param name The plugin's name. Must not be {@code null}. It need not belong to a live plugin.
	 * @return The re-run, or {@code null} if the name has none.
	 * @since 1.4
	 */
	RerunDTO getRerun(String name);
	/**
	 * Returns the log a run of a plugin kept: the lines the plugin logged while it ran
	 * ({@link CronLogDTO}). Logs are kept by the state store beside the run history, for as many runs
	 * as it keeps history; a run in progress shows the lines so far.
	 *
	 * @param name The plugin's name. Must not be {@code null}. It need not belong to a live plugin.
	 * @param started The run's {@link CronRunDTO#started}, UTC epoch milliseconds; {@code null} for the
	 *        latest run of the plugin that was not skipped (the one in progress, if any).
	 * @return The log; {@code null} if none is kept for that run (it was skipped, it is older than the
	 *         history kept, or the store keeps no logs). The default, for providers older than 1.4,
	 *         keeps none.
	 * @throws IllegalArgumentException If {@code name} is neither the name of a live plugin nor one
	 *         whose runs are kept.
	 * @throws IllegalStateException If the state store cannot be reached now.
	 * @since 1.4
	 */
	default CronLogDTO getLog(String name, Long started) {
		return null;
	}

	/**
	 * Returns the state of the scheduler's engine for monitoring: the size of its due queue and the times its
	 * state store took to commit run windows. Answered from memory, without a round trip to the store.
	 *
	 * @return A snapshot. Never {@code null}.
	 * @since 1.4
	 */
	EngineDTO getEngine();
}
