package io.crontainer.shell.impl;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;

import io.crontainer.api.runtime.CronJobDTO;
import io.crontainer.api.runtime.CronLogDTO;
import io.crontainer.api.runtime.CronLogLineDTO;
import io.crontainer.api.runtime.CronRunDTO;
import io.crontainer.api.runtime.CronRuntime;
import io.crontainer.api.runtime.JobState;
import io.crontainer.api.runtime.Outcome;
import io.crontainer.api.runtime.Trigger;

/**
 * A hand-written {@link CronRuntime} for the shell's unit tests: it holds jobs and runs that the test
 * sets up, records the calls the commands make, and computes previews only for the few intervals the
 * tests use ({@code "@hourly"}, {@code "@reboot"}, {@code "*\/15 * * * *"} with a fixed step). It holds
 * no real scheduling logic.
 */
class FakeRuntime implements CronRuntime {
	/** The scheduler's default zone in this fake. */
	static final ZoneId DEFAULT_ZONE = ZoneId.of("Europe/Berlin");

	final Map<String, CronJobDTO> jobs = new TreeMap<>();
	final List<CronRunDTO> runs = new ArrayList<>();
	final List<String> calls = new ArrayList<>();
	/** What the next {@link #fire} returns; {@code null} for a run that succeeds at once. */
	CompletionStage<CronRunDTO> nextFire;
	Instant lastPreviewFrom;
	ZoneId lastPreviewZone;
	String lastPreviewName;
	Instant lastResetSince;

	CronJobDTO add(String name, JobState state, String interval, String zone) {
		CronJobDTO job = new CronJobDTO();
		job.name = name;
		job.state = state;
		job.interval = interval;
		job.zone = zone;
		job.misfire = "skip";
		job.bundleId = 7;
		job.bundleSymbolicName = "com.example.plugins";
		job.serviceId = 40 + jobs.size();
		job.properties = new TreeMap<>(Map.of("cron.name", name, "objectClass",
				new String[] { "io.crontainer.api.CronPlugin" }));
		job.description = interval == null ? null : "described " + interval;
		jobs.put(name, job);
		return job;
	}

	CronRunDTO run(String name, Outcome outcome, long windowStart, long windowEnd, long started, Long finished,
			String error) {
		CronRunDTO run = new CronRunDTO();
		run.name = name;
		run.trigger = Trigger.SCHEDULE;
		run.outcome = outcome;
		run.windowStart = outcome == Outcome.SKIPPED ? null : windowStart;
		run.windowEnd = outcome == Outcome.SKIPPED ? null : windowEnd;
		run.started = started;
		run.finished = finished;
		run.error = error;
		runs.add(run);
		return run;
	}

	@Override
	public List<CronJobDTO> getJobs() {
		calls.add("getJobs");
		return new ArrayList<>(jobs.values());
	}

	@Override
	public CronJobDTO getJob(String name) {
		calls.add("getJob " + name);
		return jobs.get(name);
	}

	/** A run of a plugin that is not deployed (any more): its history is kept. */
	void departedWithHistory(String name) {
		CronRunDTO run = new CronRunDTO();
		run.name = name;
		run.trigger = io.crontainer.api.runtime.Trigger.SCHEDULE;
		run.outcome = io.crontainer.api.runtime.Outcome.SUCCEEDED;
		run.started = System.currentTimeMillis();
		run.finished = run.started;
		runs.add(run);
	}

	@Override
	public List<CronRunDTO> getHistory(String name, int limit) {
		calls.add("getHistory " + name + " " + limit);
		if (name != null && !jobs.containsKey(name) && runs.stream().noneMatch(r -> r.name.equals(name))) {
			throw new IllegalArgumentException("no plugin " + name);
		}
		return runs.stream().filter(r -> name == null || r.name.equals(name))
				.sorted(Comparator.comparingLong((CronRunDTO r) -> r.started).reversed()).limit(limit)
				.collect(Collectors.toList());
	}

	/** Logs by name and start, as {@link #getLog} returns them. */
	final Map<String, CronLogDTO> logs = new TreeMap<>();

	CronLogDTO log(CronRunDTO run, String... messages) {
		CronLogDTO log = new CronLogDTO();
		log.name = run.name;
		log.started = run.started;
		log.lines = new ArrayList<>();
		for (int i = 0; i < messages.length; i++) {
			CronLogLineDTO line = new CronLogLineDTO();
			line.time = run.started + i;
			line.level = "INFO";
			line.logger = "com.example.plugins.Cleaner";
			line.message = messages[i];
			log.lines.add(line);
		}
		log.omittedAt = messages.length;
		logs.put(run.name + "@" + run.started, log);
		return log;
	}

	@Override
	public CronLogDTO getLog(String name, Long started) {
		calls.add("getLog " + name + " " + started);
		return logs.get(name + "@" + started);
	}

	@Override
	public CompletionStage<CronRunDTO> fire(String name) {
		calls.add("fire " + name);
		CronJobDTO job = jobs.get(name);
		if (job == null) {
			throw new IllegalArgumentException("no plugin " + name);
		}
		if (nextFire != null) {
			return nextFire;
		}
		CronRunDTO run = new CronRunDTO();
		run.name = name;
		run.trigger = Trigger.MANUAL;
		run.outcome = Outcome.SUCCEEDED;
		run.windowStart = job.lastEnd == null ? 0L : job.lastEnd;
		run.windowEnd = run.windowStart + 60_000;
		run.started = run.windowEnd;
		run.finished = run.started + 1_200;
		return CompletableFuture.completedFuture(run);
	}

	@Override
	public CronJobDTO pause(String name) {
		return pause(name, null, null);
	}

	@Override
	public CronJobDTO pause(String name, String reason, String by) {
		calls.add("pause " + name + (reason == null || reason.isBlank() ? "" : " --reason " + reason)
				+ (by == null ? "" : " by " + by));
		CronJobDTO job = jobs.get(name);
		job.state = JobState.PAUSED;
		job.nextFire = null;
		job.pausedBy = by;
		job.pausedAt = CronCommandsTest.NOW.toEpochMilli();
		job.pauseReason = reason == null || reason.isBlank() ? null : reason.strip();
		return job;
	}

	@Override
	public CronJobDTO resume(String name) {
		calls.add("resume " + name);
		CronJobDTO job = jobs.get(name);
		job.state = JobState.SCHEDULED;
		job.nextFire = 1_800_000_000_000L;
		job.pausedBy = null;
		job.pausedAt = null;
		job.pauseReason = null;
		return job;
	}

	@Override
	public CronJobDTO reset(String name, Instant since) {
		calls.add("reset " + name);
		lastResetSince = since;
		CronJobDTO job = jobs.get(name);
		if (job != null) {
			job.state = JobState.SCHEDULED;
			job.reason = null;
			job.lastEnd = since == null ? null : since.toEpochMilli();
		}
		return job;
	}

	@Override
	public List<ZonedDateTime> preview(String interval, String name, ZoneId zone, Instant from, int count) {
		calls.add("preview " + interval);
		lastPreviewFrom = from;
		lastPreviewZone = zone;
		lastPreviewName = name;
		ZoneId z = zone == null ? DEFAULT_ZONE : zone;
		List<ZonedDateTime> times = new ArrayList<>();
		switch (interval) {
		case "@hourly": {
			ZonedDateTime t = from.atZone(z).truncatedTo(java.time.temporal.ChronoUnit.HOURS);
			while (times.size() < count) {
				t = t.plusHours(1);
				times.add(t);
			}
			return times;
		}
		case "*/15 * * * *": {
			ZonedDateTime t = from.atZone(z).truncatedTo(java.time.temporal.ChronoUnit.HOURS);
			while (times.size() < count) {
				t = t.plusMinutes(15);
				if (t.toInstant().isAfter(from)) {
					times.add(t);
				}
			}
			return times;
		}
		case "@reboot":
			return times;
		case "0 0 31 2 *":
			throw new IllegalArgumentException("interval '" + interval + "' never fires");
		default:
			throw new IllegalArgumentException("interval '" + interval + "' is invalid: unknown to the fake");
		}
	}

	@Override
	public String describe(String interval, String name, ZoneId zone) {
		calls.add("describe " + interval);
		switch (interval) {
		case "@hourly":
		case "*/15 * * * *":
		case "@reboot":
		case "0 0 31 2 *":
			// As the scheduler does: the zone the interval is evaluated in.
			return "described " + interval + " (" + (zone == null ? DEFAULT_ZONE : zone) + ")";
		default:
			throw new IllegalArgumentException("interval '" + interval + "' is invalid: unknown to the fake");
		}
	}

	/**
	 * As the scheduler does: the schedule it holds, from the job's next fire time; nothing for a job with
	 * no next fire time (here: not SCHEDULED).
	 */
	@Override
	public List<ZonedDateTime> getNextFireTimes(String name, int count) {
		calls.add("getNextFireTimes " + name + " " + count);
		CronJobDTO job = jobs.get(name);
		if (job == null) {
			throw new IllegalArgumentException("no cron plugin is named '" + name + "'");
		}
		if (job.nextFire == null || job.interval == null) {
			return new ArrayList<>();
		}
		Instant before = Instant.ofEpochMilli(job.nextFire - 1);
		List<ZonedDateTime> times = preview(job.interval, name, ZoneId.of(job.zone), before, count);
		calls.remove(calls.size() - 1); // not a preview the commands asked for
		lastPreviewFrom = null;
		return times;
	}

	@Override
	public ZoneId getDefaultZone() {
		calls.add("defaultZone");
		return DEFAULT_ZONE;
	}

	/** The store {@link #getStore} answers: available unless a test says otherwise. */
	io.crontainer.api.runtime.StoreDTO store = new io.crontainer.api.runtime.StoreDTO();
	{
		store.description = "local journal /tmp/state";
		store.available = true;
	}

	@Override
	public io.crontainer.api.runtime.EngineDTO getEngine() {
		io.crontainer.api.runtime.EngineDTO engine = new io.crontainer.api.runtime.EngineDTO();
		engine.commitBuckets = new double[0];
		engine.commitCounts = new long[0];
		return engine;
	}

	@Override
	public io.crontainer.api.runtime.StoreDTO getStore() {
		return store;
	}

	/** The re-run of each name, as {@link #rerun} started it. */
	final Map<String, io.crontainer.api.runtime.RerunDTO> reruns = new TreeMap<>();
	/** The arguments of the last re-run asked for (planned or started). */
	Instant lastRerunFrom;
	Instant lastRerunTo;
	io.crontainer.api.runtime.RerunSplit lastRerunSplit;

	/** Hourly windows of the range (ONCE: one), refused as the scheduler would past the committed end. */
	@Override
	public List<io.crontainer.api.runtime.RunWindowDTO> planRerun(String name, Instant from, Instant to,
			io.crontainer.api.runtime.RerunSplit split) {
		calls.add("planRerun " + name);
		lastRerunFrom = from;
		lastRerunTo = to;
		lastRerunSplit = split;
		CronJobDTO job = jobs.get(name);
		if (job == null) {
			throw new IllegalArgumentException("no cron plugin is named '" + name + "'");
		}
		if (!from.isBefore(to)) {
			throw new IllegalArgumentException("the range is empty: its start, " + from + ", is not before its end, " + to);
		}
		if (job.lastEnd == null || to.toEpochMilli() > job.lastEnd) {
			throw new IllegalArgumentException("the range ends at " + to + ", after the end of the last committed window");
		}
		List<io.crontainer.api.runtime.RunWindowDTO> windows = new ArrayList<>();
		long start = from.toEpochMilli();
		long step = split == io.crontainer.api.runtime.RerunSplit.ONCE ? Long.MAX_VALUE : 3_600_000L;
		while (start < to.toEpochMilli()) {
			io.crontainer.api.runtime.RunWindowDTO window = new io.crontainer.api.runtime.RunWindowDTO();
			window.start = start;
			window.end = step == Long.MAX_VALUE ? to.toEpochMilli()
					: Math.min(to.toEpochMilli(), (start / step + 1) * step);
			windows.add(window);
			start = window.end;
		}
		return windows;
	}

	@Override
	public io.crontainer.api.runtime.RerunDTO rerun(String name, Instant from, Instant to,
			io.crontainer.api.runtime.RerunSplit split, String requestedBy) {
		int windows = planRerun(name, from, to, split).size();
		calls.set(calls.size() - 1, "rerun " + name + " by " + requestedBy);
		if (requestedBy.chars().anyMatch(Character::isISOControl)) {
			throw new IllegalArgumentException("who asks for the re-run holds control characters");
		}
		io.crontainer.api.runtime.RerunDTO rerun = new io.crontainer.api.runtime.RerunDTO();
		rerun.name = name;
		rerun.from = from.toEpochMilli();
		rerun.to = to.toEpochMilli();
		rerun.split = split;
		rerun.interval = jobs.get(name).interval;
		rerun.zone = jobs.get(name).zone;
		rerun.windows = windows;
		rerun.left = windows;
		rerun.next = rerun.from;
		rerun.requestedBy = requestedBy;
		rerun.requested = to.toEpochMilli() + 1;
		reruns.put(name, rerun);
		return rerun;
	}

	@Override
	public io.crontainer.api.runtime.RerunDTO cancelRerun(String name) {
		calls.add("cancelRerun " + name);
		io.crontainer.api.runtime.RerunDTO rerun = reruns.get(name);
		if (rerun == null || rerun.ended != null) {
			throw new IllegalArgumentException("cron plugin '" + name + "' has no re-run in progress");
		}
		rerun.cancelled = true;
		return rerun;
	}

	@Override
	public io.crontainer.api.runtime.RerunDTO getRerun(String name) {
		calls.add("getRerun " + name);
		return reruns.get(name);
	}
}
