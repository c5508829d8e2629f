package io.crontainer.shell.impl;

import static java.util.Comparator.comparing;
import static java.util.Comparator.naturalOrder;
import static java.util.Comparator.nullsLast;

import java.lang.reflect.Array;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Formatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import io.crontainer.api.runtime.CronJobDTO;
import io.crontainer.api.runtime.CronLogDTO;
import io.crontainer.api.runtime.CronLogLineDTO;
import io.crontainer.api.runtime.CronRunDTO;
import io.crontainer.api.runtime.CronRuntime;
import io.crontainer.api.runtime.JobState;
import io.crontainer.api.runtime.Outcome;
import io.crontainer.api.runtime.RerunDTO;
import io.crontainer.api.runtime.RerunSplit;
import io.crontainer.api.runtime.RunWindowDTO;
import io.crontainer.api.runtime.StoreDTO;
import io.crontainer.format.Formats;
import io.crontainer.format.Jobs;

/**
 * The Gogo commands of scope {@code cron}: read and act on the scheduler's cron plugins through its
 * {@link CronRuntime} service, and nothing else. No scheduling logic lives here.
 *
 * <p>
 * Every command returns its output as one {@code String} (no trailing line break; Gogo adds one) and
 * never prints. A usage error (an unknown plugin, a bad interval, zone or date-time) throws an
 * {@link IllegalArgumentException}, and an operation the scheduler refuses (firing a running plugin)
 * an {@link IllegalStateException}, each with a one-line message; Gogo prints it as
 * {@code gogo: IllegalArgumentException: <message>} and keeps it in {@code $exception}. A run that
 * {@code cron:fire} waited for and that did not succeed throws a {@link RunNotSucceededException}
 * whose message is the run's description. Text that came from a plugin is printed with its control
 * characters escaped ({@link Text#printable(String)}).
 *
 * <p>
 * The {@code CronRuntime} reference is optional and dynamic: the commands stay registered while the
 * scheduler is away and then say so, rather than vanishing into "command not found".
 *
 * <p>
 * Thread-safe: Gogo may call the commands from several sessions at once.
 */
@Component(service = CronCommands.class)
@GogoCommand(scope = "cron", function = { "list", "info", "fire", "history", "log", "pause", "resume", "reset", "rerun",
		"next", "names" })
public class CronCommands {
	/** How many fire times {@code cron:info} shows. */
	static final int INFO_FIRE_TIMES = 5;
	/** How many runs {@code cron:info} shows. */
	static final int INFO_RUNS = 10;
	/** How many known names an unknown-name message lists at most. */
	static final int KNOWN_NAMES = 20;
	/** How many runs of a plugin {@code cron:log} looks through for a run named by its start. */
	static final int LOG_RUNS = 1000;
	/** The greatest count {@link CronRuntime#preview} accepts. */
	static final int MAX_PREVIEW = 1000;

	private static final String EPOCH = "1970-01-01T00:00Z";
	private static final String QUOTE_HINT = "quote the interval, as in cron:next \"0 9 * * MON-FRI\";"
			+ " unquoted, Gogo expands *, ? and ( to file names and takes a word that starts with # for a comment.";

	@Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
			policyOption = ReferencePolicyOption.GREEDY)
	volatile CronRuntime runtime;

	private final Clock clock;

	/** The constructor Declarative Services calls; the runtime arrives by field injection. */
	public CronCommands() {
		this(null, Clock.systemUTC());
	}

	/** For tests: a fixed runtime and a controllable clock. */
	CronCommands(CronRuntime runtime, Clock clock) {
		this.runtime = runtime;
		this.clock = clock;
	}

	// ---------------------------------------------------------------------------------------- list

	@Descriptor("Lists the cron plugins, one row each, sorted by next fire time: name, state (with the reason"
			+ " when a plugin is not scheduled), interval, zone, next fire time and time left, the end of the"
			+ " last successful run's window, the last run's outcome and duration, the bundle, and a reason:"
			+ " why a plugin is not scheduled, or the error of its last run when that failed. Disabled plugins are left out unless -a is given; invalid, duplicate and blocked ones are always"
			+ " listed, since they need an operator. Instants show the UTC offset of the plugin's zone.")
	public String list(
			@Descriptor("also list disabled plugins") @Parameter(names = { "-a", "--all" }, presentValue = "true",
					absentValue = "false") boolean all) {
		CronRuntime rt = runtime();
		List<CronJobDTO> jobs = rt.getJobs();
		String store = storeLine(rt);
		if (jobs.isEmpty()) {
			return store + "The scheduler knows no cron plugins: none is deployed, or none has registered its service yet.";
		}
		List<CronJobDTO> shown = jobs.stream().filter(j -> all || j.state != JobState.DISABLED)
				.sorted(byNextFire())
				.collect(Collectors.toList());
		int hidden = jobs.size() - shown.size();
		String hiddenNote = hidden == 0 ? ""
				: String.format("; %s not shown (cron:list -a lists %s)", count(hidden, "disabled plugin"),
						hidden == 1 ? "it" : "them");
		if (shown.isEmpty()) {
			return "No cron plugin listed" + hiddenNote + ".";
		}
		long now = clock.millis();
		Table table = new Table("NAME", "STATE", "INTERVAL", "ZONE", "NEXT FIRE", "LEFT", "LAST WINDOW END",
				"LAST RUN", "TOOK", "NODE", "BUNDLE", "REASON").right(5).right(8).optional(9).optional(11);
		for (CronJobDTO job : shown) {
			ZoneId zone = zoneOf(job);
			CronRunDTO last = job.lastRun;
			table.row(job.name, state(job), job.interval, job.zone, Formats.offset(job.nextFire, zone),
					job.nextFire == null ? null : Formats.left(job.nextFire, now), Formats.offset(job.lastEnd, zone),
					last == null ? null : last.outcome, last == null ? null : took(last, now), job.node, bundle(job),
					reason(job));
		}
		StringBuilder out = new StringBuilder(store);
		Formatter f = new Formatter(out);
		table.render(f);
		f.format("%s listed%s.", count(shown.size(), "cron plugin"), hiddenNote);
		return out.toString();
	}

	/**
	 * The lines above the list while the state store cannot be reached (a cluster's database gone: known
	 * within {@code cluster.poll}), and while this runtime's clock is more than 1 s off a cluster's
	 * database; empty while neither.
	 */
	static String storeLine(CronRuntime rt) {
		StoreDTO store = rt.getStore();
		return (store.available ? ""
				: "STATE STORE UNAVAILABLE: " + Text.escaped(String.valueOf(store.reason)) + "; no plugin runs until it is "
						+ "back.\n")
				+ (store.clockWarning == null ? "" : "CLOCK SKEW: " + Text.escaped(store.clockWarning) + ".\n");
	}

	/**
	 * The Clock row of cron:info: how far this runtime's clock is off a cluster's database, and what
	 * follows; {@code null} for a store that does not measure it (the local store).
	 */
	static String clockRow(StoreDTO store) {
		if (store.clockSkew == null) {
			return null;
		}
		if (store.clockWarning != null) {
			return "WARNING: " + Text.escaped(store.clockWarning);
		}
		long skew = store.clockSkew;
		return Formats.duration(Math.abs(skew)) + (skew >= 0 ? " behind" : " ahead of")
				+ " the cluster's database (within 1 s): window ends, '?' anchors and leases come from the database's clock";
	}

	/**
	 * The REASON column: why a plugin is not scheduled, else why its last run did not succeed (the error
	 * of a failed, timed-out or interrupted run: its first line; cron:info and cron:history give it all).
	 */
	static String reason(CronJobDTO job) {
		return Jobs.reason(job);
	}

	// --------------------------------------------------------------------------------------- names

	@Descriptor("Lists the names of the cron plugins the scheduler knows, sorted, one a line: for scripts,"
			+ " and for the console's Tab completion of plugin names.")
	public List<String> names() {
		return runtime().getJobs().stream().map(j -> Text.escaped(j.name)).sorted().distinct()
				.collect(Collectors.toList());
	}

	// ---------------------------------------------------------------------------------------- info

	@Descriptor("Shows everything about one cron plugin: state, who paused it and why, a pending retry, interval"
			+ " and what it means, zone, timeout, misfire policy, retries, whether runs may overlap, bundle, the persisted window, the next 5 fire times, the service properties"
			+ " and the last 10 runs.")
	public String info(@Descriptor("the plugin's name (cron.name), as cron:list shows it") String name) {
		CronRuntime rt = runtime();
		CronJobDTO job = job(rt, name);
		ZoneId zone = zoneOf(job);
		long now = clock.millis();

		StringBuilder out = new StringBuilder();
		Formatter f = new Formatter(out);
		Table fields = Table.fields();
		fields.row("Name:", job.name);
		fields.row("State:", state(job));
		if (job.reason != null) {
			fields.row("Reason:", job.reason);
		}
		if (job.pausedAt != null) {
			fields.row("Paused:", Jobs.pause(job, now) + " (at " + Formats.zoned(job.pausedAt, zone) + ")");
		}
		if (job.retryAt != null) {
			fields.row("Retry pending:", Jobs.retry(job, now) + " (at " + Formats.zoned(job.retryAt, zone)
					+ "), for the window from " + (job.lastEnd == null ? EPOCH : Formats.zoned(job.lastEnd, zone)));
		}
		fields.row("Interval:", job.interval);
		fields.row("Means:", job.description);
		fields.row("Zone:", job.zone);
		fields.row("Timeout:", job.timeout == null ? "none" : Formats.seconds(job.timeout));
		fields.row("Misfire:", job.misfire);
		fields.row("Retry:", Jobs.retryPolicy(job) + (job.retries > 0
				? " (cron.retry): a failed or timed-out window is retried before the next fire time" : ""));
		fields.row("Concurrent:", job.concurrent
				? "yes (scheduler.concurrent = true): a fire time starts a run even while another is going"
				: "no: never two runs at once");
		fields.row("Next fire:", job.nextFire == null ? "none" : Formats.zoned(job.nextFire, zone) + " ("
				+ (job.nextFire > now ? "in " + Formats.duration(job.nextFire - now) : "due") + ")");
		fields.row("Last window end:", job.lastEnd == null ? "none: the plugin has never run successfully"
				: Formats.zoned(job.lastEnd, zone));
		fields.row("Next window:", "[" + (job.lastEnd == null ? EPOCH : Formats.zoned(job.lastEnd, zone))
				+ ", the start of the next run)");
		if (job.runningSince != null) {
			fields.row("Running since:", Formats.zoned(job.runningSince, zone) + " (" + Formats.age(job.runningSince, now)
					+ ")");
		}
		fields.row("Runs:", Formats.number(job.runCount) + " since the scheduler started: "
				+ Formats.number(job.failureCount) + " failed, " + Formats.number(job.timeoutCount) + " timed out; "
				+ Formats.number(job.consecutiveFailures) + " in a row did not succeed");
		fields.row("Missed fires:", Jobs.missed(job, zone, now) + ": " + Jobs.MISSED_MEANS);
		if (job.node != null) {
			fields.row("Node:", job.node + (job.running ? " (running it now)" : " (ran it last)"));
		}
		String clock = clockRow(rt.getStore());
		if (clock != null) {
			fields.row("Clock:", clock);
		}
		if (job.rerun != null) {
			RerunDTO rerun = job.rerun;
			fields.row("Re-run:", (rerun.ended == null ? rerun.cancelled ? "cancelled, stopping: " : "in progress: "
					: rerun.cancelled ? "cancelled: " : "done: ") + progress(rerun) + " of [" + Formats.zoned(rerun.from, zone)
					+ ", " + Formats.zoned(rerun.to, zone) + "), asked by " + rerun.requestedBy
					+ (rerun.waiting == null ? "" : "; waiting: " + rerun.waiting) + " (cron:rerun " + name(job) + ")");
		}
		fields.row("Bundle:", bundle(job));
		fields.row("Service id:", job.serviceId);
		renderFields(f, fields);

		f.format("%n");
		fireTimes(f, rt, job, zone, now);

		f.format("%nService properties:%n");
		Map<String, Object> props = new TreeMap<>(job.properties == null ? Map.of() : job.properties);
		if (props.isEmpty()) {
			f.format("  none%n");
		}
		int width = props.keySet().stream().mapToInt(k -> Text.escaped(k).length()).max().orElse(0);
		props.forEach((k, v) -> f.format("  %-" + width + "s = %s%n", Text.escaped(k), Table.oneLine(value(v))));

		List<CronRunDTO> runs = rt.getHistory(job.name, INFO_RUNS);
		if (runs.isEmpty()) {
			f.format("%nLast runs: none since the scheduler started%n");
		} else {
			f.format("%nLast %s, newest first:%n", count(runs.size(), "run"));
			StringBuilder table = new StringBuilder();
			runTable(runs, Map.of(job.name, zone), now, false).render(new Formatter(table));
			f.format("%s", indent(table.toString()));
		}
		return trimEnd(out);
	}

	private void fireTimes(Formatter f, CronRuntime rt, CronJobDTO job, ZoneId zone, long now) {
		if (job.interval == null || job.state == JobState.INVALID) {
			f.format("Next fire times: none, the interval is invalid.%n");
			return;
		}
		String note = job.state == JobState.SCHEDULED ? "" : " of the interval (not fired while " + job.state + ")";
		try {
			// The schedule as the scheduler holds it ('?' fields keep the instant it was created).
			List<ZonedDateTime> times = rt.getNextFireTimes(job.name, INFO_FIRE_TIMES);
			if (times.isEmpty()) { // no schedule held (e.g. disabled): what the interval would do from now
				times = rt.preview(job.interval, job.name, zone, Instant.ofEpochMilli(now), INFO_FIRE_TIMES);
			}
			f.format("Next %d fire times%s:%n", INFO_FIRE_TIMES, note);
			if (times.isEmpty()) {
				f.format("  none: the interval fires no more%n");
			}
			for (ZonedDateTime t : times) {
				f.format("  %s%n", Formats.zoned(t));
			}
		} catch (IllegalArgumentException e) {
			f.format("Next fire times: none, %s%n", Table.oneLine(String.valueOf(e.getMessage())));
		}
	}

	// ---------------------------------------------------------------------------------------- fire

	@Descriptor("Runs a cron plugin now, with the same window rules as a scheduled run: its window starts at the"
			+ " end of its last successful run and ends now, and is committed only if the run succeeds. A plugin"
			+ " never runs twice at once: firing a running plugin is refused. Waits for the run and prints its"
			+ " window and outcome, unless --async is given.")
	public String fire(
			@Descriptor("return at once; cron:history shows how the run ends") @Parameter(names = { "--async" },
					presentValue = "true", absentValue = "false") boolean async,
			@Descriptor("the plugin's name (cron.name), as cron:list shows it") String name) {
		CronRuntime rt = runtime();
		CronJobDTO job = job(rt, name);
		ZoneId zone = zoneOf(job);
		if (job.state == JobState.STUCK) {
			throw new IllegalStateException("Refused: " + name(job) + " is STUCK: its abandoned run is still inside"
					+ " run() (it ignored its interrupt); it can be fired once that returns.");
		}
		if (job.running) {
			boolean queued = isQueued(job);
			String since = job.lastRun != null && !isOver(job.lastRun)
					? ", for " + Formats.age(job.lastRun.started, clock.millis()) + " now"
					: "";
			throw new IllegalStateException("Refused: " + name(job) + (queued ? " is about to start already"
					: " is running already") + since + "; a plugin never runs twice at once.");
		}
		switch (job.state) {
		case PENDING:
			throw new IllegalStateException("Refused: " + name(job)
					+ " is PENDING: the scheduler is still asking it for its interval. Try again in a moment.");
		case INVALID:
		case DUPLICATE:
			throw new IllegalStateException("Refused: " + name(job) + " is " + job.state
					+ (job.reason == null ? "" : " (" + Table.oneLine(job.reason) + ")") + " and is never fired.");
		case BLOCKED:
			throw new IllegalStateException("Refused: " + name(job) + " is BLOCKED"
					+ (job.reason == null ? "" : " (" + Table.oneLine(job.reason) + ")")
					+ "; cron:reset " + name(job) + " clears it.");
		default:
			break;
		}
		CompletionStage<CronRunDTO> stage = rt.fire(job.name);
		if (async) {
			return "Fired " + name(job) + "; it runs on a thread of its own. cron:history " + name(job)
					+ " shows how it ends.";
		}
		CompletableFuture<CronRunDTO> done = new CompletableFuture<>();
		stage.whenComplete((run, failure) -> {
			if (failure != null) {
				done.completeExceptionally(failure);
			} else {
				done.complete(run);
			}
		});
		CronRunDTO run;
		try {
			run = done.get(); // completes however the run ends, also when it is abandoned (CronRuntime.fire)
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			return FireInterrupts.note(job.name);
		} catch (ExecutionException e) {
			Throwable cause = e.getCause() == null ? e : e.getCause();
			throw new IllegalStateException("Firing " + name(job) + " failed: " + Table.oneLine(String.valueOf(cause)),
					cause);
		}
		String description = describeRun(run, zone, clock.millis());
		if (run.outcome != Outcome.SUCCEEDED) {
			throw new RunNotSucceededException(run.outcome, description);
		}
		return description;
	}

	private static String describeRun(CronRunDTO run, ZoneId zone, long now) {
		StringBuilder out = new StringBuilder();
		Formatter f = new Formatter(out);
		f.format("%s: %s", Text.escaped(run.name), run.outcome);
		String took = took(run, now);
		if (took != null) {
			f.format(isOver(run) ? " in %s" : " for %s so far", took);
		}
		f.format("%n");
		Table fields = Table.fields();
		if (run.windowStart != null && run.windowEnd != null) {
			fields.row("Window:", "[" + Formats.zoned(run.windowStart, zone) + ", " + Formats.zoned(run.windowEnd, zone) + ")");
		}
		fields.row("Started:", Formats.zoned(run.started, zone));
		if (run.finished != null) {
			fields.row("Finished:", Formats.zoned(run.finished, zone));
		}
		fields.row("Window committed:", run.outcome == Outcome.SUCCEEDED ? "yes"
				: !isOver(run) ? "not yet" : "no, the next run covers this window again");
		if (run.error != null) {
			fields.row("Error:", run.error);
		}
		renderFields(f, fields);
		return trimEnd(out);
	}

	// ------------------------------------------------------------------------------------- history

	@Descriptor("Lists the most recent runs of all cron plugins, newest first: name, trigger, window start and"
			+ " end, start time, duration, outcome and error. Instants show the UTC offset of each plugin's zone.")
	public String history(
			@Descriptor("the greatest number of runs to list (default 20)") @Parameter(names = { "-n", "--count" },
					absentValue = "20") int count) {
		return history(count, null);
	}

	@Descriptor("Lists the most recent runs of one cron plugin, newest first: trigger, window start and end, start"
			+ " time, duration, outcome and error. Instants show the UTC offset of the plugin's zone.")
	public String history(
			@Descriptor("the greatest number of runs to list (default 20)") @Parameter(names = { "-n", "--count" },
					absentValue = "20") int count,
			@Descriptor("the plugin's name (cron.name), as cron:list shows it") String name) {
		if (count < 1) {
			throw new IllegalArgumentException("-n must be at least 1, not " + count + ".");
		}
		CronRuntime rt = runtime();
		Map<String, ZoneId> zones = new HashMap<>();
		for (CronJobDTO job : rt.getJobs()) {
			zones.put(job.name, zoneOf(job));
		}
		if (name != null) {
			requireName(name);
		}
		List<CronRunDTO> runs;
		try {
			runs = rt.getHistory(name, count); // a plugin that left is known as long as its history is kept
		} catch (IllegalArgumentException e) {
			throw name == null ? e : unknown(rt, name);
		}
		if (runs.isEmpty()) {
			return name == null ? "No runs since the scheduler started."
					: Text.escaped(name) + " has not run since the scheduler started.";
		}
		StringBuilder out = new StringBuilder();
		runTable(runs, zones, clock.millis(), name == null).render(new Formatter(out));
		return trimEnd(out);
	}

	private static Table runTable(List<CronRunDTO> runs, Map<String, ZoneId> zones, long now, boolean withName) {
		Table table = new Table("NAME", "TRIGGER", "WINDOW START", "WINDOW END", "STARTED", "TOOK", "OUTCOME",
				"NODE", "ASKED BY", "ERROR").right(5).optional(7).optional(8).optional(9);
		if (!withName) {
			table.optional(0);
		}
		for (CronRunDTO run : runs) {
			ZoneId zone = zones.getOrDefault(run.name, ZoneOffset.UTC);
			table.row(withName ? run.name : null, run.trigger, Formats.offset(run.windowStart, zone),
					Formats.offset(run.windowEnd, zone), Formats.offset(run.started, zone), took(run, now), run.outcome,
					run.node, run.requestedBy, run.error);
		}
		return table;
	}

	// ----------------------------------------------------------------------------------------- log

	@Descriptor("Prints the log of the latest run of a cron plugin (the one in progress, if any): the lines the"
			+ " plugin logged on its run's thread while it ran, through SLF4J, the OSGi Log Service, Log4j, Commons"
			+ " Logging or java.util.logging, at the levels the log configuration lets through. A run keeps its"
			+ " first 100 and its last 400 lines, at most 256 KB, and says how many it left out. Control characters"
			+ " are escaped.")
	public String log(@Descriptor("the plugin's name (cron.name), as cron:list shows it") String name) {
		return log(name, null);
	}

	@Descriptor("Prints the log of one run of a cron plugin: RUN is its position in cron:history NAME (1 is the"
			+ " newest), or its start as cron:history shows it (2026-12-07T09:15:00+01:00; to the second, or to"
			+ " the millisecond). Control characters are escaped.")
	public String log(@Descriptor("the plugin's name (cron.name), as cron:list shows it") String name,
			@Descriptor("the run: its position in cron:history NAME (1 is the newest), or its start") String run) {
		requireName(name);
		CronRuntime rt = runtime();
		CronJobDTO job = rt.getJob(name);
		ZoneId zone = job == null ? ZoneOffset.UTC : zoneOf(job);
		List<CronRunDTO> runs;
		try {
			runs = rt.getHistory(name, LOG_RUNS);
		} catch (IllegalArgumentException e) {
			throw unknown(rt, name);
		}
		CronRunDTO chosen = run == null ? latestRun(runs) : run(runs, name, run.strip(), zone);
		if (chosen == null) {
			return Text.escaped(name) + " has not run since the scheduler started; it has no log yet.";
		}
		String which = Text.escaped(name) + "'s run started " + Formats.zoned(chosen.started, zone);
		if (chosen.outcome == Outcome.SKIPPED) {
			return "The fire of " + Text.escaped(name) + " at " + Formats.zoned(chosen.started, zone)
					+ " was skipped (" + Text.escaped(String.valueOf(chosen.error)) + "): it did not run, so it has no log.";
		}
		if (chosen.outcome == Outcome.QUEUED) {
			return which.replace("run started", "run fired") + " waits to start; it has logged nothing yet.";
		}
		CronLogDTO log;
		try {
			log = rt.getLog(name, chosen.started);
		} catch (IllegalStateException e) {
			throw new IllegalStateException("Cannot read the log of " + which + ": " + e.getMessage());
		}
		if (log == null) {
			return "No log is kept for " + which + " (" + chosen.outcome + "): the state store keeps none, or no"
					+ " longer keeps it (logs are kept as long as the run history).";
		}
		StringBuilder out = new StringBuilder();
		out.append("Log of ").append(which).append(" (").append(log.running ? "running: the lines so far" : chosen.outcome)
				.append(chosen.finished == null ? "" : ", took " + Formats.duration(chosen.finished - chosen.started))
				.append("): ");
		long total = log.lines.size() + log.omitted;
		if (total == 0) {
			return out.append("it logged nothing.").toString();
		}
		out.append(Formats.count(total, "line"));
		if (log.omitted > 0) {
			out.append(", of which ").append(Formats.number(log.omitted)).append(" left out");
		}
		out.append('.');
		for (int i = 0; i <= log.lines.size(); i++) {
			if (i == log.omittedAt && log.omitted > 0) {
				out.append("\n... ").append(Formats.count(log.omitted, "line")).append(" left out ...");
			}
			if (i == log.lines.size()) {
				break;
			}
			CronLogLineDTO line = log.lines.get(i);
			out.append('\n').append(Formats.offsetMillis(line.time, zone)).append(' ')
					.append(String.format("%-5s", Text.escaped(line.level))).append(' ')
					.append(Text.escaped(shortLogger(line.logger))).append(": ").append(Text.escaped(line.message));
			if (line.thrown != null) {
				for (String trace : line.thrown.split("\n", -1)) {
					out.append("\n\t").append(Text.escaped(trace.startsWith("\t") ? trace.substring(1) : trace));
				}
			}
		}
		return out.toString();
	}

	/** The newest run that started (or waits to), not a skipped fire; {@code null} if none. */
	private static CronRunDTO latestRun(List<CronRunDTO> runs) {
		return runs.stream().filter(r -> r.outcome != Outcome.SKIPPED).findFirst().orElse(null);
	}

	/** The run named by {@code cron:log}'s RUN: a position in the history, or a start. */
	private static CronRunDTO run(List<CronRunDTO> runs, String name, String run, ZoneId zone) {
		if (run.chars().allMatch(Character::isDigit) && !run.isEmpty()) {
			int n;
			try {
				n = Integer.parseInt(run);
			} catch (NumberFormatException e) {
				n = Integer.MAX_VALUE;
			}
			if (n < 1) {
				throw new IllegalArgumentException("RUN must be at least 1 (the newest run), not " + run + ".");
			}
			if (n > runs.size()) {
				throw new IllegalArgumentException("There is no run " + run + " of " + Text.escaped(name) + ": its history keeps "
						+ Formats.count(runs.size(), "run") + " (cron:history " + Text.escaped(name) + ").");
			}
			return runs.get(n - 1);
		}
		ZonedDateTime at;
		try {
			at = Text.dateTime(run, zone);
		} catch (IllegalArgumentException e) {
			throw new IllegalArgumentException("Cannot read \"" + Text.escaped(run) + "\" as a run: give its position in"
					+ " cron:history " + Text.escaped(name) + " (1 is the newest) or its start as cron:history prints it,"
					+ " such as 2024-10-27T00:30:00Z.");
		}
		long from = at.toInstant().toEpochMilli();
		boolean toTheSecond = at.getNano() == 0;
		long to = toTheSecond ? from + 1000 : from + 1;
		for (CronRunDTO candidate : runs) { // newest first
			if (candidate.started >= from && candidate.started < to) {
				return candidate;
			}
		}
		throw new IllegalArgumentException("No run of " + Text.escaped(name) + " started at " + Text.escaped(run)
				+ (toTheSecond ? " (within that second)" : "") + "; cron:history " + Text.escaped(name) + " lists its runs.");
	}

	/** A logger's name as the runtime's log shows it: its last part ({@code org.example.Cleaner}: {@code Cleaner}). */
	private static String shortLogger(String logger) {
		int dot = logger.lastIndexOf('.');
		return dot < 0 || dot == logger.length() - 1 ? logger : logger.substring(dot + 1);
	}

	// ------------------------------------------------------------------------------- pause, resume

	@Descriptor("Pauses a cron plugin: it is not fired on its interval, nor retried, until cron:resume. A run in"
			+ " progress goes on. The pause is persisted and survives restarts, cluster-wide, with who paused it,"
			+ " when and why (cron:list, cron:info); cron:fire still runs the plugin by hand. Pausing a paused"
			+ " plugin again replaces the reason.")
	public String pause(CommandSession session,
			@Descriptor("why, in a few words (quoted; at most 500 characters), shown with the pause")
			@Parameter(names = { "-r", "--reason" }, absentValue = "") String reason,
			@Descriptor("the plugin's name (cron.name), as cron:list shows it") String name) {
		return pause(name, reason, operator(session));
	}

	/** {@code cron:pause NAME}, for tests. */
	String pause(String name) {
		return pause(name, "", null);
	}

	String pause(String name, String reason, String by) {
		CronRuntime rt = runtime();
		CronJobDTO job = job(rt, name);
		boolean again = job.state == JobState.PAUSED;
		if (again && reason.isBlank()) {
			return name(job) + " is paused already" + pausedNote(job) + ".";
		}
		if (reason.strip().length() > CronRuntime.MAX_PAUSE_REASON) {
			throw new IllegalArgumentException("the reason is " + reason.strip().length() + " characters long; at most "
					+ CronRuntime.MAX_PAUSE_REASON + " are allowed");
		}
		CronJobDTO after = rt.pause(job.name, reason, by);
		if (again) {
			return name(after) + " stays paused, now" + pausedNote(after) + ".";
		}
		return "Paused " + name(after) + pausedNote(after) + ": it is not fired on its interval until cron:resume "
				+ name(after) + "; the pause survives restarts." + (after.running ? " The run in progress goes on." : "");
	}

	/** {@code " (by X, now: why)"}, escaped; empty if the pause has no note. */
	private String pausedNote(CronJobDTO job) {
		String note = Jobs.pause(job, clock.millis());
		return note == null ? "" : " (" + Text.escaped(note) + ")";
	}

	/**
	 * The session variable that names who uses a session, set by the tool that opened it:
	 * {@code bin/client}'s server sets {@code bin/client session N (user NAME)}, the user from the socket's
	 * peer credentials. A session without it is the runtime's own console, whose user is the runtime's.
	 * Not an authentication: whoever reaches a session is an administrator already.
	 */
	static final String OPERATOR = "crontainer.operator";

	/** Who uses a session, as {@link CronRuntime#pause(String, String, String)} records it. */
	static String operator(CommandSession session) {
		Object set = session == null ? null : session.get(OPERATOR);
		if (set instanceof String s && !s.isBlank()) {
			return s;
		}
		return "console (user " + System.getProperty("user.name", "unknown") + ")";
	}

	@Descriptor("Resumes a paused cron plugin: its next fire time is computed from now; fire times missed while"
			+ " it was paused are handled by its misfire policy (cron.misfire). The change is persisted.")
	public String resume(@Descriptor("the plugin's name (cron.name), as cron:list shows it") String name) {
		CronRuntime rt = runtime();
		CronJobDTO job = job(rt, name);
		if (job.state != JobState.PAUSED) {
			return name(job) + " is not paused (it is " + job.state + "); nothing to resume.";
		}
		CronJobDTO after = rt.resume(job.name);
		return "Resumed " + name(after) + ": " + after.state
				+ (after.nextFire == null ? "" : ", next fire " + Formats.zoned(after.nextFire, zoneOf(after))) + ".";
	}

	// ---------------------------------------------------------------------------------------- reset

	@Descriptor("Resets the persisted state of a cron plugin: clears a BLOCKED state (an unreadable state record)"
			+ " and sets the start of its next window, the epoch (1970-01-01T00:00Z) unless --since is given."
			+ " A plugin that is not BLOCKED is only reset with --since (the new start) or --force (back to the"
			+ " epoch: its next run covers everything since 1970). Refused while the plugin is running.")
	public String reset(
			@Descriptor("the start of the next window: an ISO-8601 date-time, not in the future, such as"
					+ " 2024-10-27T02:30+02:00 or 2024-10-27T00:30Z; without an offset it is read in the plugin's"
					+ " zone (the system default zone for a plugin that is not deployed)") @Parameter(names = {
							"-s", "--since" }, absentValue = "") String since,
			@Descriptor("reset the state of a plugin that is not deployed, or rewind one that is not BLOCKED to the"
					+ " epoch") @Parameter(names = { "-f",
					"--force" }, presentValue = "true", absentValue = "false") boolean force,
			@Descriptor("the plugin's name (cron.name)") String name) {
		CronRuntime rt = runtime();
		requireName(name);
		CronJobDTO job = rt.getJob(name);
		if (job == null && !force) {
			throw new IllegalArgumentException(unknown(rt, name).getMessage()
					+ " To reset the state of a plugin that is not deployed, add --force.");
		}
		ZoneId zone = job == null ? ZoneId.systemDefault() : zoneOf(job);
		boolean wasBlocked = job != null && job.state == JobState.BLOCKED;
		if (job != null && !wasBlocked && since.isBlank() && !force) {
			throw new IllegalArgumentException("Refused: " + name(job) + " is " + job.state + ", not BLOCKED: a reset"
					+ " would move the start of its next window"
					+ (job.lastEnd == null ? "" : " from " + Formats.zoned(job.lastEnd, zone)) + " back to " + EPOCH
					+ " (the epoch), and its next run would cover everything since. Give --since DATE-TIME for the new"
					+ " start, or --force to rewind it to the epoch.");
		}
		Instant start = since.isBlank() ? null : Text.dateTime(since, zone).toInstant();
		CronJobDTO after = rt.reset(name, start);
		String window = start == null ? EPOCH + " (the epoch)" : Formats.zoned(start.atZone(zone));
		if (after == null) {
			return "Reset the state of " + Text.escaped(name) + ", which is not deployed: when it is, its first window starts at "
					+ window + ".";
		}
		String cleared = wasBlocked ? " cleared its BLOCKED state;" : "";
		return "Reset " + name(after) + ":" + cleared + " its next window starts at " + window + ". It is "
				+ state(after) + ".";
	}

	// ---------------------------------------------------------------------------------------- rerun

	/** The session variable that tells a {@code bin/client} session (set by its server). */
	static final String VIA = "CRONTAINER_VIA";

	@Descriptor("Re-runs a range of past windows of a cron plugin (a backfill), after a bug was fixed or data"
			+ " arrived late: runs the plugin for each window inside [--from, --to), cut at its own fire times"
			+ " (--split interval, the default: the windows a schedule running then would have made) or as one"
			+ " window (--split once). The windows run one at a time, in order, never beside another run of the"
			+ " plugin; each is a run of its own in cron:history (trigger RERUN). The plugin's committed window end"
			+ " does not move, so the schedule runs what it would have run. A re-run survives restarts; in a"
			+ " cluster another runtime takes it over if the one running it dies. --dry-run lists the windows;"
			+ " --cancel stops the re-run in progress after its current window; with a name alone it shows the"
			+ " progress of the plugin's re-run.")
	public String rerun(CommandSession session,
			@Descriptor("start of the range, inclusive: an ISO-8601 date-time such as 2026-12-06T22:00+01:00 or"
					+ " 2026-12-06T21:00Z; without an offset it is read in the plugin's zone") @Parameter(names = {
							"-f", "--from" }, absentValue = "") String from,
			@Descriptor("end of the range, exclusive, not after the end of the plugin's last committed window"
					+ " (default: that end)") @Parameter(names = { "-t", "--to" }, absentValue = "") String to,
			@Descriptor("how to cut the range: interval (at the plugin's fire times, the default) or once (one"
					+ " window)") @Parameter(names = { "-s", "--split" }, absentValue = "interval") String split,
			@Descriptor("list the windows and run nothing") @Parameter(names = { "-n", "--dry-run" },
					presentValue = "true", absentValue = "false") boolean dryRun,
			@Descriptor("cancel the plugin's re-run in progress: it stops after the window it runs") @Parameter(names = {
					"--cancel" }, presentValue = "true", absentValue = "false") boolean cancel,
			@Descriptor("who asks, recorded with the re-run and its runs (default: the runtime's user, and the"
					+ " console or bin/client)") @Parameter(names = { "--by" }, absentValue = "") String by,
			@Descriptor("the plugin's name (cron.name), as cron:list shows it") String name) {
		CronRuntime rt = runtime();
		requireName(name);
		if (cancel) {
			if (!from.isEmpty() || !to.isEmpty() || dryRun) {
				throw new IllegalArgumentException("--cancel takes the plugin's name only.");
			}
			RerunDTO cancelled;
			try {
				cancelled = rt.cancelRerun(name);
			} catch (IllegalArgumentException e) {
				throw new IllegalArgumentException(Text.escaped(e.getMessage()) + ".", e);
			}
			return "Cancelled the re-run of " + Text.escaped(name) + " ("
					+ (cancelled.ended != null ? "it has stopped" : "it stops after the window in progress") + "): "
					+ progress(cancelled) + ".";
		}
		CronJobDTO job = job(rt, name);
		ZoneId zone = zoneOf(job);
		if (from.isBlank()) {
			if (!to.isEmpty() || dryRun) {
				throw new IllegalArgumentException("Give the start of the range: cron:rerun --from DATE-TIME [--to DATE-TIME]"
						+ " " + name(job) + ".");
			}
			RerunDTO rerun = rt.getRerun(job.name);
			if (rerun == null) {
				return name(job) + " has no re-run. cron:rerun --from DATE-TIME [--to DATE-TIME] [--dry-run] " + name(job)
						+ " starts one.";
			}
			return describeRerun(rerun, zone);
		}
		RerunSplit how = switch (split.strip().toLowerCase(java.util.Locale.ROOT)) {
		case "interval" -> RerunSplit.INTERVAL;
		case "once" -> RerunSplit.ONCE;
		default -> throw new IllegalArgumentException("--split must be interval or once, not \"" + Text.escaped(split)
				+ "\".");
		};
		Instant start = Text.dateTime(from, zone).toInstant();
		Instant end;
		if (to.isBlank()) {
			if (job.lastEnd == null) {
				throw new IllegalArgumentException("Refused: " + name(job) + " has no committed window yet: there is"
						+ " nothing to re-run.");
			}
			end = Instant.ofEpochMilli(job.lastEnd);
		} else {
			end = Text.dateTime(to, zone).toInstant();
		}
		String cut = how == RerunSplit.ONCE ? "as one window"
				: "cut at the fire times of " + Text.escaped(job.interval) + " (" + job.zone + ")";
		String range = "[" + Formats.zoned(start.atZone(zone)) + ", " + Formats.zoned(end.atZone(zone)) + ")";
		if (dryRun) {
			List<RunWindowDTO> windows = refusedAs(() -> rt.planRerun(job.name, start, end, how));
			StringBuilder out = new StringBuilder();
			Formatter f = new Formatter(out);
			f.format("Dry run: %s would re-run %s of %s, %s:%n", name(job), count(windows.size(), "window"), range, cut);
			Table table = new Table("#", "WINDOW START", "WINDOW END").right(0);
			int i = 1;
			for (RunWindowDTO window : windows) {
				table.row(i++, Formats.zoned(window.start, zone), Formats.zoned(window.end, zone));
			}
			table.render(f);
			f.format("Nothing was run. Without --dry-run they run one at a time, never beside another run of %s; its"
					+ " committed window end (%s) does not move.", name(job), Formats.zoned(job.lastEnd, zone));
			return out.toString();
		}
		String who = by.isBlank() ? System.getProperty("user.name", "someone") : by.strip();
		Object via = session == null ? null : session.get(VIA);
		String requestedBy = who + " via " + (via == null ? "the console" : via);
		RerunDTO started = refusedAs(() -> rt.rerun(job.name, start, end, how, requestedBy));
		return "Re-running " + name(job) + ": " + count(started.windows, "window") + " of " + range + ", " + cut
				+ ", asked by " + Text.escaped(started.requestedBy) + ". They run one at a time, never beside another run"
				+ " of it. cron:rerun " + name(job) + " shows the progress, cron:history " + name(job) + " the runs;"
				+ " cron:rerun --cancel " + name(job) + " stops it after the window in progress.";
	}

	/** Calls the runtime; a refusal keeps its type and gets a one-line message with control characters escaped. */
	private static <T> T refusedAs(java.util.function.Supplier<T> call) {
		try {
			return call.get();
		} catch (IllegalArgumentException e) {
			throw new IllegalArgumentException("Refused: " + Text.escaped(e.getMessage()) + ".", e);
		} catch (IllegalStateException e) {
			throw new IllegalStateException("Refused: " + Text.escaped(e.getMessage()) + ".", e);
		}
	}

	/** Windows done, failed, left: {@code 3 of 5 windows done, 1 failed, 1 left}. */
	static String progress(RerunDTO rerun) {
		return rerun.done + " of " + count(rerun.windows, "window") + " done, " + rerun.failed + " failed, " + rerun.left
				+ " left";
	}

	/** The lines {@code cron:rerun NAME} prints, and the value of {@code cron:info}'s "Re-run:" row. */
	static String describeRerun(RerunDTO rerun, ZoneId zone) {
		StringBuilder out = new StringBuilder();
		Formatter f = new Formatter(out);
		f.format("Re-run of %s%s:%n", Text.escaped(rerun.name), rerun.ended == null ? (rerun.cancelled ? " (cancelled,"
				+ " stopping after the window in progress)" : " (in progress)")
				: rerun.cancelled ? " (cancelled)" : " (done)");
		Table fields = Table.fields();
		fields.row("Range:", "[" + Formats.zoned(rerun.from, zone) + ", " + Formats.zoned(rerun.to, zone) + ")");
		fields.row("Cut:", rerun.split == RerunSplit.ONCE ? "as one window"
				: "at the fire times of " + rerun.interval + " (" + rerun.zone + ")");
		fields.row("Progress:", progress(rerun));
		if (rerun.next != null) {
			fields.row("Next window from:", Formats.zoned(rerun.next, zone));
		}
		if (rerun.waiting != null) {
			fields.row("Waiting:", rerun.waiting);
		}
		fields.row("Asked by:", rerun.requestedBy + ", " + Formats.zoned(rerun.requested, zone));
		if (rerun.node != null) {
			fields.row("Node:", rerun.node);
		}
		if (rerun.ended != null) {
			fields.row("Ended:", Formats.zoned(rerun.ended, zone));
		}
		fields.render(f);
		return trimEnd(out);
	}

	// ----------------------------------------------------------------------------------------- next

	@Descriptor("Previews the next fire times of any interval, with the scheduler's own rules: each on a line of"
			+ " its own in ISO-8601 with offset and zone id (e.g. 2024-10-27T02:30+02:00[Europe/Berlin]); no other"
			+ " line starts with a digit. Quote the interval: cron:next \"0 9 * * MON-FRI\". Unquoted, Gogo"
			+ " takes a word with *, ? or ( for a file-name pattern and a word that starts with # for a comment;"
			+ " unquoted words are joined with single spaces.")
	public String next(
			@Descriptor("how many fire times (1 to 1000, default 5)") @Parameter(names = { "-n", "--count" },
					absentValue = "5") int count,
			@Descriptor("the IANA zone the interval is evaluated and printed in (default: the scheduler's"
					+ " default zone)") @Parameter(names = { "-z", "--zone" }, absentValue = "") String zone,
			@Descriptor("list fire times after this ISO-8601 date-time, e.g. 2024-10-27T00:00 (default: now);"
					+ " without an offset it is read in the -z zone, else in the scheduler's default zone")
			@Parameter(names = { "-f", "--from" }, absentValue = "") String from,
			@Descriptor("the plugin name that H fields are hashed from (default: none)") @Parameter(names = {
					"--name" }, absentValue = "") String name,
			@Descriptor("the interval, quoted: \"*/5 * * * *\", \"@daily\", \"0 0 12 ? * 6#3\"") String... interval) {
		if (interval == null || interval.length == 0) {
			throw new IllegalArgumentException("Give an interval, quoted if it has spaces: cron:next \"0 9 * * MON-FRI\".");
		}
		if (count < 1 || count > MAX_PREVIEW) {
			throw new IllegalArgumentException("-n must be from 1 to " + MAX_PREVIEW + ", not " + count + ".");
		}
		for (String word : interval) {
			// Gogo hands the file names an unquoted pattern matched as one list, ["bin" "bundle" ...].
			if (word != null && word.startsWith("[\"") && word.endsWith("]")) {
				throw new IllegalArgumentException("Gogo replaced an unquoted * or ? with the file names " + word
						+ ": " + QUOTE_HINT);
			}
		}
		String expression = Arrays.stream(interval).map(String::valueOf).collect(Collectors.joining(" "));
		CronRuntime rt = runtime();
		String hashName = name.isEmpty() ? null : name;
		ZoneId z = zone.isBlank() ? null : Text.zone(zone);
		Instant start;
		if (from.isBlank()) {
			start = clock.instant();
		} else {
			ZoneId local = z != null ? z : rt.getDefaultZone();
			start = Text.dateTime(from, local).toInstant();
		}
		List<ZonedDateTime> times;
		String means;
		try {
			times = rt.preview(expression, hashName, z, start, count);
			means = rt.describe(expression, hashName, z);
		} catch (IllegalArgumentException e) {
			String why = Table.oneLine(String.valueOf(e.getMessage()));
			if (interval.length > 1) {
				why += " (" + QUOTE_HINT + ")";
			}
			throw new IllegalArgumentException(why, e);
		}
		ZoneId shownZone = z != null ? z : times.isEmpty() ? null : times.get(0).getZone();
		StringBuilder out = new StringBuilder();
		Formatter f = new Formatter(out);
		f.format("Interval: %s%n", expression);
		f.format("Means: %s%n", Table.oneLine(withoutZone(means)));
		if (shownZone != null) {
			f.format("Zone: %s%n", shownZone);
		}
		f.format("After: %s%n", shownZone == null ? start.toString() : Formats.zoned(start.atZone(shownZone)));
		if (times.isEmpty()) {
			f.format("No fire time after that: the interval never fires again, or fires only when a schedule starts (@reboot).");
			return trimEnd(out);
		}
		f.format("Next %s:%n", count(times.size(), "fire time"));
		for (ZonedDateTime t : times) {
			f.format("%s%n", Formats.zoned(t));
		}
		if (times.size() < count) {
			f.format("No more fire times: the interval stops firing.%n");
		}
		return trimEnd(out);
	}

	// -------------------------------------------------------------------------------------- helpers

	/**
	 * A description without a trailing zone id in parentheses, such as {@code " (Etc/UTC)"}:
	 * {@code cron:next} prints the zone on a line of its own.
	 */
	static String withoutZone(String description) {
		int open = description.lastIndexOf(" (");
		if (open < 0 || !description.endsWith(")")) {
			return description;
		}
		try {
			ZoneId.of(description.substring(open + 2, description.length() - 1));
			return description.substring(0, open);
		} catch (DateTimeException e) {
			return description;
		}
	}

	private CronRuntime runtime() {
		CronRuntime rt = runtime;
		if (rt == null) {
			throw new IllegalStateException(
					"The Crontainer scheduler is not running (no CronRuntime service): its component failed to activate or"
							+ " its bundle is stopped; 'scr:info io.crontainer.scheduler.impl.SchedulerComponent' and"
							+ " data/log/crontainer.log say why.");
		}
		return rt;
	}

	private static void requireName(String name) {
		if (name == null || name.isBlank()) {
			throw new IllegalArgumentException("Give the name of a cron plugin, as cron:list shows it.");
		}
	}

	/** The live plugin named {@code name}, or an {@link IllegalArgumentException} naming the known ones. */
	private static CronJobDTO job(CronRuntime rt, String name) {
		requireName(name);
		CronJobDTO job = rt.getJob(name);
		if (job == null) {
			throw unknown(rt, name);
		}
		return job;
	}

	static IllegalArgumentException unknown(CronRuntime rt, String name) {
		List<String> names = rt.getJobs().stream().map(j -> j.name).distinct().sorted().collect(Collectors.toList());
		if (names.isEmpty()) {
			return new IllegalArgumentException("Unknown cron plugin \"" + Text.escaped(name) + "\": the scheduler knows none.");
		}
		String known = names.stream().limit(KNOWN_NAMES).map(Text::escaped).collect(Collectors.joining(", "));
		if (names.size() > KNOWN_NAMES) {
			known += " and " + (names.size() - KNOWN_NAMES) + " more (cron:list)";
		}
		return new IllegalArgumentException("Unknown cron plugin \"" + Text.escaped(name) + "\"; known: " + known + ".");
	}

	private static ZoneId zoneOf(CronJobDTO job) {
		return Formats.zone(job.zone);
	}

	/** The state, with the age of a run in progress: {@code SCHEDULED (running 12.0 s)}, {@code STUCK (3 min 4 s)}. */
	private String state(CronJobDTO job) {
		return Jobs.state(job, clock.millis());
	}

	private static boolean isQueued(CronJobDTO job) {
		return Jobs.isQueued(job);
	}

	private static boolean isOver(CronRunDTO run) {
		return Jobs.isOver(run);
	}

	/** A plugin's name for a message: its control characters escaped ({@link Text#escaped(String)}). */
	private static String name(CronJobDTO job) {
		return Text.escaped(job.name);
	}

	private static String bundle(CronJobDTO job) {
		return Jobs.bundle(job);
	}

	/** How long a run took, has taken so far, or (queued) has waited so far; {@code null} for a skipped fire. */
	private static String took(CronRunDTO run, long now) {
		return Jobs.took(run, now);
	}

	private static String count(int n, String noun) {
		return Formats.count(n, noun);
	}

	private static String value(Object v) {
		if (v != null && v.getClass().isArray()) {
			List<Object> items = new ArrayList<>();
			for (int i = 0; i < Array.getLength(v); i++) {
				items.add(Array.get(v, i));
			}
			return items.toString();
		}
		return String.valueOf(v);
	}

	/** Renders a two-column table of labels and values. */
	private static void renderFields(Formatter f, Table fields) {
		fields.render(f);
	}

	/** Prefixes every line of {@code text} with two spaces. */
	private static String indent(String text) {
		return text.lines().map(l -> l.isEmpty() ? l : "  " + l).collect(Collectors.joining(String.format("%n"), "",
				String.format("%n")));
	}

	private static String trimEnd(StringBuilder out) {
		int end = out.length();
		while (end > 0 && Character.isWhitespace(out.charAt(end - 1))) {
			end--;
		}
		return out.substring(0, end);
	}

	/** Soonest next fire time first, then plugins that are not scheduled; ties by name. */
	static Comparator<CronJobDTO> byNextFire() {
		return comparing((CronJobDTO j) -> j.nextFire, nullsLast(naturalOrder())).thenComparing(j -> j.name);
	}
}
