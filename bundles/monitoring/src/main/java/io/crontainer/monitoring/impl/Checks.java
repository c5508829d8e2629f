package io.crontainer.monitoring.impl;

import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.apache.felix.hc.api.FormattingResultLog;
import org.apache.felix.hc.api.Result;

import io.crontainer.api.runtime.CronJobDTO;
import io.crontainer.api.runtime.CronRunDTO;
import io.crontainer.api.runtime.CronRuntime;
import io.crontainer.api.runtime.StoreDTO;
import io.crontainer.api.runtime.JobState;
import io.crontainer.api.runtime.Outcome;
import io.crontainer.format.Formats;
import io.crontainer.format.Jobs;

/**
 * What the Crontainer health checks decide, from the scheduler's {@link CronRuntime} view alone: pure
 * functions of the jobs, the thresholds and the current time, so that they are tested without a
 * framework. Stateless and thread-safe.
 */
final class Checks {
	/** How many runs a saturation message names. */
	static final int NAMED = 5;

	private Checks() {
	}

	/**
	 * The scheduler is up: its {@code CronRuntime} service is there and answers, and its state store
	 * can be reached (a cluster's store checks its database every {@code cluster.poll}, so a lost
	 * database is CRITICAL here within that time, whatever the plugins' next fire times), and this
	 * runtime's clock agrees with a cluster's database (the store measures it every {@code cluster.poll}).
	 *
	 * @param runtime The service, or {@code null} if it is missing.
	 * @return CRITICAL if it is missing or throws, or its store cannot be reached; WARN if this
	 *         runtime's clock is more than 1 s off a cluster's database ({@link StoreDTO#clockWarning});
	 *         else OK with the plugins counted by state.
	 */
	static Result scheduler(CronRuntime runtime) {
		FormattingResultLog log = new FormattingResultLog();
		if (runtime == null) {
			log.critical("The Crontainer scheduler is not running: no CronRuntime service (bundle io.crontainer.scheduler"
					+ " stopped, or its component not active; see 'scr:list' and the log).");
			return new Result(log);
		}
		List<CronJobDTO> jobs;
		try {
			jobs = runtime.getJobs();
		} catch (RuntimeException e) {
			log.critical("The Crontainer scheduler does not answer: {}", e.toString());
			return new Result(log);
		}
		StoreDTO store = runtime.getStore();
		if (!store.available) {
			log.critical("The scheduler's state store cannot be reached, so no plugin runs: {}. It resumes by itself when"
					+ " the store is back.", oneLine(store.reason));
		}
		if (store.clockWarning != null) {
			log.warn("Clock skew against the cluster's database: {}.", oneLine(store.clockWarning));
		}
		log.info("The scheduler is running with {}.", describe(byState(jobs), jobs.size()));
		return new Result(log);
	}

	/**
	 * No plugin is {@code BLOCKED}, {@code STUCK} or {@code UNAVAILABLE} (CRITICAL), {@code INVALID} or
	 * {@code DUPLICATE} (WARN),
	 * and none failed too many runs in a row (WARN or CRITICAL by the thresholds).
	 *
	 * @param jobs The jobs, as {@link CronRuntime#getJobs()} returns them. Must not be {@code null}.
	 * @param limits The thresholds. Must not be {@code null}.
	 * @param history A plugin's recent runs, newest first ({@link CronRuntime#getHistory}); asked only of a
	 *        scheduler that does not count failures in a row itself.
	 * @return The result, one line per plugin that needs an operator, saying each thing once and never the
	 *         plugin's reason or error texts (which {@code cron:info} and the console show behind a login);
	 *         OK with a count if none does.
	 */
	static Result plugins(List<CronJobDTO> jobs, Thresholds limits, Function<String, List<CronRunDTO>> history) {
		return plugins(jobs, limits, history, 0, 0);
	}

	/**
	 * As {@link #plugins(List, Thresholds, Function)}, and WARN for a plugin that missed a fire time
	 * ({@link CronJobDTO#lastMissedFire}) less than {@code missedWarnMillis} before {@code now}.
	 *
	 * @param now The current time, UTC epoch milliseconds.
	 * @param missedWarnMillis How long a missed fire time WARNs, in milliseconds; 0 for never.
	 */
	static Result plugins(List<CronJobDTO> jobs, Thresholds limits, Function<String, List<CronRunDTO>> history,
			long now, long missedWarnMillis) {
		FormattingResultLog log = new FormattingResultLog();
		int flagged = 0;
		for (CronJobDTO job : jobs) {
			// The plugin's reason and errors are never part of the message: they may carry texts of plugins,
			// and /system/health may answer without a login. cron:info and the Cron jobs page give them.
			switch (job.state) {
			case BLOCKED:
				log.critical("{} is BLOCKED: it is not fired until it is reset (cron:reset {}, or the Cron jobs page)"
						+ " once its state is checked; cron:info {} says why.", name(job), name(job), name(job));
				flagged++;
				continue;
			case STUCK:
				log.critical("{} is STUCK: its run{} was interrupted, ignored it and still holds its thread; it is not"
						+ " fired again until that thread returns.", name(job),
						job.runningSince == null ? "" : " started at " + Formats.offset(job.runningSince, ZoneOffset.UTC));
				flagged++;
				continue;
			case UNAVAILABLE:
				log.critical("{} is UNAVAILABLE: the scheduler cannot reach its state store, so it is not run; it"
						+ " resumes by itself when the store is back (cron:info {} says why).", name(job), name(job));
				flagged++;
				continue;
			case INVALID:
			case DUPLICATE:
				log.warn("{} is {}: it is never fired; cron:info {} says why.", name(job), job.state, name(job));
				flagged++;
				continue;
			default:
				break;
			}
			long failures = consecutiveFailures(job, limits, history);
			if (limits.failuresCritical() > 0 && failures >= limits.failuresCritical()) {
				log.critical("{} failed its last {} runs in a row (CRITICAL from {}); cron:history {} gives the errors.",
						name(job), Formats.number(failures), Formats.number(limits.failuresCritical()), name(job));
				flagged++;
			} else if (limits.failuresWarn() > 0 && failures >= limits.failuresWarn()) {
				log.warn("{} failed its last {} runs in a row (WARN from {}); cron:history {} gives the errors.",
						name(job), Formats.number(failures), Formats.number(limits.failuresWarn()), name(job));
				flagged++;
			}
			if (missedWarnMillis > 0 && job.lastMissedFire != null && now - job.lastMissedFire < missedWarnMillis) {
				log.warn("{} missed {} since the scheduler started, the latest at {} ({} ago): the runtime was down, the"
						+ " state store away or the plugin busy; its next window covers the gap. WARN for {} after a"
						+ " missed fire time; cron:info {} says more.", name(job), count(job.missedFires, "fire time"),
						Formats.offset(job.lastMissedFire, ZoneOffset.UTC), Formats.age(job.lastMissedFire, now),
						Formats.duration(missedWarnMillis), name(job));
				flagged++;
			}
		}
		if (flagged == 0) {
			log.info("{}: none is BLOCKED, STUCK, UNAVAILABLE, INVALID or DUPLICATE, none failed {} runs in a row.",
					count(jobs.size(), "cron plugin"), limits.failuresWarn() > 0 ? limits.failuresWarn()
							: limits.failuresCritical() > 0 ? limits.failuresCritical() : "several");
		}
		return new Result(log);
	}

	/**
	 * How many runs in a row up to the latest finished one did not succeed: {@link CronJobDTO#consecutiveFailures}
	 * (runtime view 1.1). A scheduler that does not fill it (0 while the latest run failed) is read from
	 * the history instead, as far back as the thresholds need.
	 */
	static long consecutiveFailures(CronJobDTO job, Thresholds limits, Function<String, List<CronRunDTO>> history) {
		if (job.consecutiveFailures > 0 || job.lastRun == null || !failed(job.lastRun.outcome)) {
			return job.consecutiveFailures;
		}
		long needed = Math.max(limits.failuresWarn(), limits.failuresCritical());
		if (needed == 0) {
			return 0;
		}
		long count = 0;
		for (CronRunDTO run : history.apply(job.name)) {
			if (run.outcome == Outcome.SKIPPED || run.outcome == Outcome.QUEUED || run.outcome == Outcome.RUNNING) {
				continue;
			}
			if (!failed(run.outcome)) {
				break;
			}
			count++;
		}
		return count;
	}

	private static boolean failed(Outcome outcome) {
		return Jobs.failed(outcome);
	}

	/**
	 * Saturation of the scheduler's run threads. The scheduler has no fixed pool: every run in progress has
	 * a thread of its own, started when a run is due and every thread is inside a plugin, so two things
	 * are worth an operator's attention:
	 * <ul>
	 * <li>too many runs in progress at once ({@link Outcome#RUNNING}; one thread each): WARN from
	 * {@link Thresholds#runningWarn()}, CRITICAL from {@link Thresholds#runningCritical()}. Usually plugins
	 * that hang or run longer than their interval;</li>
	 * <li>a run that waits ({@link Outcome#QUEUED}) for its thread to be started: normally an instant, so a
	 * wait of {@link Thresholds#queuedWarnMillis()} / {@link Thresholds#queuedCriticalMillis()} means
	 * that the JVM cannot start threads (process or container thread limit, or memory).</li>
	 * </ul>
	 * Runs are counted as the runtime view shows them: one per plugin, its latest
	 * ({@link CronJobDTO#lastRun}) while {@link CronJobDTO#running}; a second run of a
	 * {@code scheduler.concurrent} job is not counted.
	 *
	 * @param jobs The jobs. Must not be {@code null}.
	 * @param limits The thresholds. Must not be {@code null}.
	 * @param now The current time, UTC epoch milliseconds.
	 * @return The worse of both: WARN or CRITICAL with the count and the names of the longest running runs,
	 *         or naming the run that waited longest for a thread; else OK with the running and waiting
	 *         counts.
	 */
	static Result saturation(List<CronJobDTO> jobs, Thresholds limits, long now) {
		FormattingResultLog log = new FormattingResultLog();
		List<CronJobDTO> running = new ArrayList<>();
		int queued = 0;
		long longestWait = 0;
		String longest = null;
		for (CronJobDTO job : jobs) {
			if (job.lastRun == null || !job.running) {
				continue;
			}
			if (job.lastRun.outcome == Outcome.RUNNING) {
				running.add(job);
			} else if (job.lastRun.outcome == Outcome.QUEUED) {
				queued++;
				long waited = now - job.lastRun.started;
				if (longest == null || waited > longestWait) {
					longestWait = waited;
					longest = name(job);
				}
			}
		}
		boolean flagged = false;
		int n = running.size();
		boolean runningCritical = limits.runningCritical() > 0 && n >= limits.runningCritical();
		if (runningCritical || limits.runningWarn() > 0 && n >= limits.runningWarn()) {
			String text = "{} in progress at once, each on a thread of its own ({} from {}): {}. Look for plugins that"
					+ " hang or outlast their interval (cron:list, cron:history NAME): give them a cron.timeout, spread"
					+ " their intervals (H), or raise running.warn (PID " + MonitoringConfiguration.PID
					+ ") if this many is normal here.";
			String names = longestRunning(running, now);
			if (runningCritical) {
				log.critical(text, count(n, "run"), "CRITICAL", Formats.number(limits.runningCritical()), names);
			} else {
				log.warn(text, count(n, "run"), "WARN", Formats.number(limits.runningWarn()), names);
			}
			flagged = true;
		}
		boolean queuedCritical = queued > 0 && limits.queuedCriticalMillis() > 0
				&& longestWait >= limits.queuedCriticalMillis();
		if (queuedCritical || queued > 0 && limits.queuedWarnMillis() > 0 && longestWait >= limits.queuedWarnMillis()) {
			String text = "{} waiting for a thread, {} for {} ({} from {}); {} in progress. The scheduler starts a"
					+ " thread for each run at once, so the JVM cannot start threads: see the log ('Cannot start a"
					+ " thread for runs'), and raise the process's or container's thread limit (ulimit -u, pids limit)"
					+ " or its memory, or stop plugins that hold threads.";
			if (queuedCritical) {
				log.critical(text, count(queued, "run"), longest, Formats.duration(longestWait), "CRITICAL",
						Formats.duration(limits.queuedCriticalMillis()), Formats.number(n));
			} else {
				log.warn(text, count(queued, "run"), longest, Formats.duration(longestWait), "WARN",
						Formats.duration(limits.queuedWarnMillis()), Formats.number(n));
			}
			flagged = true;
		}
		if (!flagged) {
			log.info("{} in progress{}, {} waiting for a thread{}.", count(n, "run"),
					limits.runningWarn() > 0 ? " (WARN from " + Formats.number(limits.runningWarn()) + ")" : "",
					Formats.number(queued), queued == 0 ? "" : " (the longest for " + Formats.duration(longestWait) + ")");
		}
		return new Result(log);
	}

	/** The names of the runs, longest running first, with their age; at most {@value #NAMED}, then "and N more". */
	private static String longestRunning(List<CronJobDTO> running, long now) {
		List<CronJobDTO> sorted = running.stream().sorted(Comparator.comparingLong((CronJobDTO j) -> j.lastRun.started)
				.thenComparing(j -> j.name)).toList();
		String names = sorted.stream().limit(NAMED).map(j -> name(j) + " for " + Formats.age(j.lastRun.started, now))
				.collect(Collectors.joining(", "));
		return sorted.size() > NAMED ? names + " and " + Formats.number(sorted.size() - NAMED) + " more" : names;
	}

	/** The number of jobs in each state, every state present (0 for none), in declaration order. */
	static Map<JobState, Integer> byState(List<CronJobDTO> jobs) {
		Map<JobState, Integer> counts = new EnumMap<>(JobState.class);
		for (JobState s : JobState.values()) {
			counts.put(s, 0);
		}
		for (CronJobDTO job : jobs) {
			counts.merge(job.state, 1, Integer::sum);
		}
		return counts;
	}

	private static String describe(Map<JobState, Integer> counts, int total) {
		String states = counts.entrySet().stream().filter(e -> e.getValue() > 0)
				.map(e -> Formats.number(e.getValue()) + " " + e.getKey()).collect(Collectors.joining(", "));
		return count(total, "cron plugin") + (states.isEmpty() ? "" : " (" + states + ")");
	}

	static String count(long n, String noun) {
		return Formats.count(n, noun);
	}

	/** A store's reason on one line: its line breaks and the blanks around them as one space. */
	static String oneLine(String text) {
		return Formats.escaped(String.valueOf(text).replaceAll("\\s*[\\r\\n]+\\s*", " ").strip());
	}

	/** A plugin's name for a message: its control characters escaped ({@link Formats#escaped(String)}). */
	private static String name(CronJobDTO job) {
		return Formats.escaped(job.name);
	}
}
