package io.crontainer.scheduler.impl.engine;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.crontainer.api.CronPlugin;
import io.crontainer.api.runtime.JobState;
import io.crontainer.api.runtime.Trigger;
import io.crontainer.format.Formats;
import io.crontainer.scheduler.impl.interval.Interval;
import io.crontainer.scheduler.impl.whiteboard.Plugin;
import io.crontainer.scheduler.impl.whiteboard.SchedulerProperties;
import io.crontainer.store.api.PauseNote;
import io.crontainer.store.api.PendingRetry;

/**
 * Each job's state and schedule: computes its state (pending, scheduled, paused, disabled, invalid,
 * duplicate, blocked, stuck) with the reason, logs a change once, keeps its next fire time in the
 * {@link DueQueue}, and fires it when it is due, with the misfire policy.
 *
 * <p>
 * Fire times are computed from the previous <em>scheduled</em> one, never from "now", so that a DST
 * fall-back or a clock stepped back never fires an occurrence twice.
 *
 * <p>
 * Not thread-safe by itself: every method requires the engine's lock (whiteboard, call, run, store,
 * operator and timer threads hold it when they call). Log lines and {@link Events} of state changes
 * are added to {@code out}.
 */
final class Schedules {
	/**
	 * A fire time more overdue than this counts as missed (a misfire): the timer was not running, the
	 * machine was suspended or the clock was stepped forward. Quartz's default misfire threshold.
	 */
	static final Duration MISFIRE_THRESHOLD = Duration.ofSeconds(60);
	private static final long MISFIRE_THRESHOLD_MILLIS = MISFIRE_THRESHOLD.toMillis();

	/**
	 * The most fire times counted as missed when a schedule starts after a downtime: a plugin fired every
	 * second and down for a day counts this many, not 86,400, and the count costs at most this many
	 * fire time computations under the engine's lock.
	 */
	static final int MISSED_AT_START_MAX = 100;

	private static final Logger LOG = LoggerFactory.getLogger(Schedules.class);

	/** What the schedules need of the rest of the engine. Lock held. */
	interface Engine {
		/** Starts a run of a job, or records the fire as skipped if its name is running ({@link Firing#fire}). */
		void fire(Job job, Trigger trigger, Instant fireTime, Instant now, List<Runnable> out);

		/** Records a fire time that did not run, and why ({@link Outcomes#skipped}). */
		void skipped(Job job, Trigger trigger, Instant fireTime, Instant now, String why, List<Runnable> out);

		/** The run holding a name, queued, running, committing or stuck; {@code null} if none. */
		Run running(String name);

		/** The jobs changed (for {@code service.changecount}). */
		void changed();

		/** Counts fire times of a job that were missed, the latest at {@code latest}. */
		void missed(Job job, long count, Instant latest);

		/** The newest run of a name this runtime knows of (kept across restarts); {@code null} if none. */
		RunRecord newestRun(String name);
	}

	private final Engine engine;
	private final DueQueue due;
	private final Events events;

	Schedules(Engine engine, DueQueue due, Events events) {
		this.engine = engine;
		this.due = due;
		this.events = events;
	}

	/** Recomputes a job's state and, if its schedule started or changed, its next fire time. */
	void refresh(Job job, Instant now, List<Runnable> out) {
		JobState state;
		String reason;
		Resolution resolution = job.resolution;
		Run run = job.owner ? engine.running(job.name()) : null;
		if (!job.owner) {
			Plugin owner = job.duplicateOf;
			state = JobState.DUPLICATE;
			reason = "another live plugin has the name '" + job.name() + "'" + (owner == null ? "" : " (" + owner + ")");
		} else if (job.blocked != null) {
			state = JobState.BLOCKED;
			reason = job.blocked.contains("cron:reset") ? job.blocked
					: job.blocked + "; reset it (cron:reset " + job.name() + " --since DATE-TIME) to set the start"
							+ " of its next window, which is the epoch without --since";
		} else if (job.unavailable != null) {
			state = JobState.UNAVAILABLE;
			reason = "the state store is unavailable: " + job.unavailable + "; retrying every "
					+ JobTable.LOAD_RETRY.toSeconds() + " s";
		} else if (job.record == null) {
			state = JobState.PENDING;
			reason = "reading its state record";
		} else if (run != null && run.phase == Run.Phase.STUCK) {
			state = JobState.STUCK;
			reason = "its run since " + Instant.ofEpochMilli(run.record.started) + " " + run.record.error
					+ "; it is not fired until that thread returns";
		} else if (resolution == null) {
			state = JobState.PENDING;
			reason = "waiting for enabled() and interval()";
		} else if (resolution.error() != null) {
			state = JobState.INVALID;
			reason = resolution.error();
		} else if (!resolution.enabled()) {
			state = JobState.DISABLED;
			reason = resolution.disabledBy();
		} else if (job.record.paused()) {
			state = JobState.PAUSED;
			reason = pausedReason(job.record.pause());
		} else if (exhausted(job)) {
			state = JobState.DISABLED;
			reason = exhaustedReason(job);
		} else {
			state = JobState.SCHEDULED;
			reason = null;
		}

		if (state == JobState.SCHEDULED) {
			Interval interval = resolution.interval();
			try {
				schedule(job, interval, now, out);
				if (exhausted(job)) { // scheduler.times = 1 with scheduler.immediate: its one fire was the first
					state = JobState.DISABLED;
					reason = exhaustedReason(job);
					job.scheduled = null;
				} else if (job.nextFire == Job.NONE && !interval.reboot()) {
					state = JobState.INVALID;
					reason = "interval '" + interval.expression() + "' never fires after " + Formats.instant(now);
					job.scheduled = null;
				}
			} catch (RuntimeException e) { // a parser bug must not stop the others: this plugin only
				out.add(() -> LOG.warn("Cron plugin {}: computing the next fire time of '{}' failed", job.name(),
						interval.expression(), e));
				state = JobState.INVALID;
				reason = "computing the next fire time of '" + interval.expression() + "' failed: "
						+ Texts.describe(e);
				job.scheduled = null;
				job.nextFire = Job.NONE;
				due.cancel(job.fireTime);
			}
		} else {
			job.scheduled = null;
			job.nextFire = Job.NONE;
			job.nextPending = false;
			due.cancel(job.fireTime);
		}
		if (state == JobState.SCHEDULED && job.claimUnavailable != null) {
			// Still scheduled (its fire times come, and claim again), but nothing runs until the store is back.
			state = JobState.UNAVAILABLE;
			reason = "the state store cannot be reached: " + job.claimUnavailable
					+ "; its fire times are skipped (no run without a claim) until it can";
		}
		if (state != JobState.PENDING && !(state == JobState.UNAVAILABLE && job.record == null)) {
			job.catchUp = false;
			job.countDowntime = false; // paused, disabled ...: what passes meanwhile is not missed
		}
		retryDeadline(job, state, run, now);
		if (state != job.state || !Objects.equals(reason, job.reason)) {
			JobState before = job.state;
			job.state = state;
			job.reason = reason;
			engine.changed();
			out.add(stateLog(job, before));
			if (state != before) {
				String name = job.name();
				JobState after = state;
				String why = reason;
				long at = now.toEpochMilli();
				out.add(() -> events.stateChanged(name, before, after, why, at));
			}
		}
	}

	/**
	 * A job's record was loaded (it arrived, took its name over, the store came back or changed): its
	 * schedule starts afresh, may catch a missed fire time up ({@code cron.misfire=run-once}) and counts
	 * the fire times missed meanwhile. Recomputes its state.
	 */
	void loaded(Job job, Instant now, List<Runnable> out) {
		job.catchUp = true;
		job.countDowntime = true;
		job.scheduled = null;
		refresh(job, now, out);
	}

	/**
	 * An operator's reset gave a job a record it did not have (it was blocked or not loaded): its
	 * schedule may catch a missed fire time up, but counts nothing as missed (the gap is the operator's
	 * choice). Recomputes its state.
	 */
	void reset(Job job, Instant now, List<Runnable> out) {
		job.catchUp = true;
		refresh(job, now, out);
	}

	/**
	 * A job's record was paused or resumed: resumed, it may catch a missed fire time up. Recomputes its
	 * state.
	 */
	void pausedChanged(Job job, Instant now, List<Runnable> out) {
		job.catchUp = !job.record.paused();
		refresh(job, now, out);
	}

	/** A job's settings changed: its fire times are counted afresh ({@code scheduler.times}, as Sling and Karaf do). */
	void settingsChanged(Job job) {
		job.fired = 0;
	}

	/**
	 * A job's schedule starts afresh at its next refresh, even if its interval reads the same (the
	 * instant its {@code ?} fields take their values from changed).
	 */
	void restart(Job job) {
		job.scheduled = null;
	}

	/**
	 * A claim of a job could not reach the store: it is {@code UNAVAILABLE} with this reason from its
	 * next refresh (its run is over then), until a claim gets through or the store is back.
	 */
	void claimFailed(Job job, String reason) {
		job.claimUnavailable = reason;
	}

	/**
	 * The store found its database gone: a job whose last claim got through is {@code UNAVAILABLE} from
	 * its next refresh, with the store's reason.
	 *
	 * @return Whether that changed the job (then the caller refreshes it).
	 */
	boolean storeLost(Job job, String reason) {
		if (job.claimUnavailable != null) {
			return false;
		}
		job.claimUnavailable = reason;
		return true;
	}

	/**
	 * A claim of a job got through, or the store is back: the job is no longer {@code UNAVAILABLE} for
	 * a failed claim.
	 *
	 * @return Whether that changed the job (then the caller refreshes it).
	 */
	boolean claimsReach(Job job) {
		if (job.claimUnavailable == null) {
			return false;
		}
		job.claimUnavailable = null;
		return true;
	}

	/** Stops a job's schedule (it left or gave its name up). */
	void unschedule(Job job) {
		job.scheduled = null;
		job.nextFire = Job.NONE;
		job.nextPending = false;
		due.cancel(job.fireTime);
		due.cancel(job.retryDue);
	}

	/**
	 * The reason of a paused job: who paused it, when and why, as its note says (the note is an
	 * operator's text: each surface escapes it).
	 */
	static String pausedReason(PauseNote note) {
		if (note == null) {
			return "paused by an operator";
		}
		return "paused by " + (note.by() == null ? "an operator" : note.by()) + " at " + Formats.instant(note.at())
				+ (note.reason() == null ? "" : ": " + note.reason());
	}

	/**
	 * Queues the pending retry of a job ({@code record.retry()}, {@link Retries#when}) while it is
	 * scheduled and no run of its name is going, or takes it off the queue: a pause, a run in progress
	 * (whose outcome decides), a departure, the next fire time (which takes over) or a {@code cron.retry}
	 * changed to 0 each drop or hold it. Called at every refresh of the job's state, so a resume, a restart, the end of a run and a
	 * record from another runtime all queue it again. Lock held.
	 */
	private void retryDeadline(Job job, JobState state, Run run, Instant now) {
		PendingRetry retry = job.record == null || job.settings.retry().attempts() == 0 ? null : job.record.retry();
		Instant at = retry == null || state != JobState.SCHEDULED || run != null || !job.owner || job.gone ? null
				: Retries.when(retry, now, upcomingFire(job, now));
		if (at == null) {
			due.cancel(job.retryDue);
		} else {
			due.schedule(job.retryDue, at.toEpochMilli());
		}
	}

	/**
	 * A job's next fire time, UTC epoch ms, or {@link Job#NONE}: {@code nextFire}, or, while the timer has
	 * not yet computed the one after the fire time that just came ({@code nextPending}: it puts that off
	 * while a burst's runs wait for a thread, and {@code nextFire} still holds the fire time that came),
	 * the one {@link #computeNext} will give it. So a run that fails meanwhile gets its retry, which
	 * the fire time that came must not take over. Any thread, lock held.
	 */
	static long upcomingFire(Job job, Instant now) {
		if (!job.nextPending || job.scheduled == null || job.nextFire == Job.NONE) {
			return job.nextFire;
		}
		try {
			Interval interval = job.scheduled;
			Optional<ZonedDateTime> next = interval.next(Instant.ofEpochMilli(job.nextFire));
			while (next.isPresent() && !next.get().toInstant().isAfter(now)) {
				next = interval.next(next.get().toInstant());
			}
			return next.isPresent() ? next.get().toInstant().toEpochMilli() : Job.NONE;
		} catch (RuntimeException e) { // computeNext drops the schedule then
			return Job.NONE;
		}
	}

	/**
	 * A job's pending retry came: it runs now (trigger {@code RETRY}, its due time as its fire time, so
	 * that a cluster claims it once), unless meanwhile it was dropped, paused, or its name is running.
	 * Timer thread, lock held.
	 */
	void retryDue(Job job, Instant now, List<Runnable> out) {
		PendingRetry retry = job.record == null || job.settings.retry().attempts() == 0 ? null : job.record.retry();
		if (retry == null || job.state != JobState.SCHEDULED || !job.owner || job.gone
				|| engine.running(job.name()) != null) {
			return;
		}
		Instant at = Retries.when(retry, now, upcomingFire(job, now));
		if (at == null) {
			return; // the next fire time has come: it takes over
		}
		if (at.isAfter(now)) {
			due.schedule(job.retryDue, at.toEpochMilli()); // the record changed since it was queued
			return;
		}
		String name = job.name();
		out.add(() -> LOG.info("Cron plugin {}: retry {} of {} of its window", name, retry.attempt(), retry.attempts()));
		engine.fire(job, Trigger.RETRY, retry.at(), now, out);
	}

	/** Whether a job has had all its fire times ({@code scheduler.times}). */
	private static boolean exhausted(Job job) {
		Integer times = job.settings.runs().times();
		return times != null && job.fired >= times;
	}

	private static String exhaustedReason(Job job) {
		return "it has had its " + job.settings.runs().times() + " fire times (" + SchedulerProperties.TIMES
				+ "); registering its service again starts them afresh";
	}

	/**
	 * Counts a fire time of a job with {@code scheduler.times}; after the last, its schedule ends.
	 *
	 * @return Whether that was its last.
	 */
	private boolean counted(Job job) {
		if (job.settings.runs().times() == null) {
			return false;
		}
		job.fired++;
		if (exhausted(job)) {
			setNextFire(job, Optional.empty());
			return true;
		}
		return false;
	}

	/** Starts a schedule, or keeps it if its interval is the same. */
	private void schedule(Job job, Interval interval, Instant now, List<Runnable> out) {
		if (job.scheduled != null && sameSchedule(job.scheduled, interval)) {
			job.scheduled = interval; // same schedule: it goes on; the new Interval only describes it
			return;
		}
		job.scheduled = interval;
		if (interval.reboot()) {
			job.nextFire = Job.NONE;
			due.cancel(job.fireTime);
			engine.fire(job, Trigger.REBOOT, now, now, out);
			return;
		}
		setNextFire(job, interval.next(now));
		Instant lastEnd = job.record.lastEnd();
		if (job.countDowntime) {
			job.countDowntime = false;
			countDowntime(job, interval, lastEnd, now);
		}
		boolean caughtUp = false;
		if (job.catchUp && job.settings.runOnce() && lastEnd != null) {
			Optional<ZonedDateTime> missed = interval.next(lastEnd);
			if (missed.isPresent() && !missed.get().toInstant().isAfter(now)) {
				String name = job.name();
				out.add(() -> LOG.info("Cron plugin {} missed its fire time {} and runs once now ({}={})", name,
						missed.get(), CronPlugin.MISFIRE, CronPlugin.MISFIRE_RUN_ONCE));
				engine.fire(job, Trigger.MISFIRE, missed.get().toInstant(), now, out);
				caughtUp = true;
			}
		}
		if (job.settings.runs().immediate() && !caughtUp) {
			// scheduler.immediate (Sling, Karaf): a first fire when the schedule starts, counted as one
			counted(job);
			engine.fire(job, Trigger.REBOOT, now, now, out);
		}
	}

	/**
	 * Counts, as missed, the fire times of a schedule starting after its state was loaded that came while
	 * it was not scheduled here (the runtime or the plugin was down, the store away): those after both
	 * the end of its last window and its newest run known here, up to now, at most
	 * {@link #MISSED_AT_START_MAX}. A plugin that never ran missed nothing.
	 */
	private void countDowntime(Job job, Interval interval, Instant lastEnd, Instant now) {
		RunRecord newest = engine.newestRun(job.name());
		Instant since = lastEnd;
		if (newest != null) {
			Instant ran = Instant.ofEpochMilli(newest.scheduledFire != null ? newest.scheduledFire : newest.started);
			since = since == null || ran.isAfter(since) ? ran : since;
		}
		if (since == null) {
			return;
		}
		countPassed(job, interval, since, now, 0);
	}

	/**
	 * Counts as missed the fire times after {@code after} up to {@code now}, at most
	 * {@link #MISSED_AT_START_MAX} with those counted already ({@code counted}).
	 */
	private void countPassed(Job job, Interval interval, Instant after, Instant now, long counted) {
		long count = 0;
		Instant latest = null;
		Optional<ZonedDateTime> next = interval.next(after);
		while (next.isPresent() && !next.get().toInstant().isAfter(now) && counted + count < MISSED_AT_START_MAX) {
			count++;
			latest = next.get().toInstant();
			next = interval.next(latest);
		}
		if (count > 0) {
			engine.missed(job, count, latest);
		}
	}

	private void setNextFire(Job job, Optional<ZonedDateTime> next) {
		job.nextPending = false;
		if (next.isPresent()) {
			job.nextFire = next.get().toInstant().toEpochMilli();
			due.schedule(job.fireTime, job.nextFire);
		} else {
			job.nextFire = Job.NONE;
			due.cancel(job.fireTime);
		}
	}

	private static boolean sameSchedule(Interval a, Interval b) {
		return a.expression().equals(b.expression()) && a.zone().equals(b.zone()) && a.reboot() == b.reboot();
	}

	/**
	 * A job's next fire time came (timer thread): fires it, or records the misfire. A fired job's next
	 * fire time is left to {@link #computeNext}, which the timer calls once the burst it belongs to
	 * has been started.
	 *
	 * @return Whether the job's next fire time is still to be computed.
	 */
	boolean due(Job job, Instant now, List<Runnable> out) {
		if (!scheduled(job) || job.nextFire == Job.NONE || job.scheduled == null) {
			return false;
		}
		try {
			return fireDue(job, now, out);
		} catch (RuntimeException e) { // a parser bug must not stop the others: this plugin only
			job.scheduled = null;
			refresh(job, now, out);
			return false;
		}
	}

	private boolean fireDue(Job job, Instant now, List<Runnable> out) {
		Interval interval = job.scheduled;
		Instant fireTime = Instant.ofEpochMilli(job.nextFire);
		String name = job.name();
		if (missed(job.nextFire, now)) {
			ZonedDateTime missed = fireTime.atZone(interval.zone());
			countPassed(job, interval, fireTime, now, 1); // those after it that passed too; it is counted below
			Optional<ZonedDateTime> next = interval.next(now);
			setNextFire(job, next);
			counted(job);
			if (job.settings.runOnce()) {
				engine.missed(job, 1, fireTime); // with cron.misfire=skip, engine.skipped counts it
				out.add(() -> LOG.info("Cron plugin {} missed its fire time {} and runs once now ({}={})", name, missed,
						CronPlugin.MISFIRE, CronPlugin.MISFIRE_RUN_ONCE));
				engine.fire(job, Trigger.MISFIRE, fireTime, now, out);
			} else {
				out.add(() -> LOG.info("Cron plugin {} missed its fire time {}; it waits for {} ({}={})", name, missed,
						next.orElse(null), CronPlugin.MISFIRE, CronPlugin.MISFIRE_SKIP));
				engine.skipped(job, Trigger.SCHEDULE, fireTime, now,
						"missed the fire time (" + CronPlugin.MISFIRE + "=" + CronPlugin.MISFIRE_SKIP + ")", out);
			}
			if (job.nextFire == Job.NONE) {
				refresh(job, now, out);
			}
			return false;
		}
		if (counted(job)) { // scheduler.times: its last fire time
			engine.fire(job, Trigger.SCHEDULE, fireTime, now, out);
			refresh(job, now, out);
			return false;
		}
		job.nextPending = true;
		engine.fire(job, Trigger.SCHEDULE, fireTime, now, out);
		return true;
	}

	/**
	 * Whether a fire time (epoch ms) came more than {@link #MISFIRE_THRESHOLD} before {@code now}: as
	 * {@code Duration.between(fireTime, now).compareTo(MISFIRE_THRESHOLD) > 0}, without the objects and
	 * the dozen calls that it costs per fire time of a burst.
	 */
	static boolean missed(long fireTime, Instant now) {
		long late = now.toEpochMilli() - fireTime; // now's milliseconds, rounded down
		return late > MISFIRE_THRESHOLD_MILLIS || late == MISFIRE_THRESHOLD_MILLIS && now.getNano() % 1_000_000 != 0;
	}

	/**
	 * Computes the next fire time of a job fired by {@link #due}: from the fire time, never from now,
	 * so that fire times only move forward. Nothing if its schedule changed meanwhile.
	 */
	void computeNext(Job job, Instant now, List<Runnable> out) {
		if (!job.nextPending || job.scheduled == null || !scheduled(job)) {
			return;
		}
		Interval interval = job.scheduled;
		try {
			Optional<ZonedDateTime> next = Optional.of(Instant.ofEpochMilli(job.nextFire).atZone(interval.zone()));
			long passed = -1; // the fire time just fired is not one of them
			Instant latest = null;
			do {
				passed++;
				latest = next.get().toInstant();
				next = interval.next(latest);
			} while (next.isPresent() && !next.get().toInstant().isAfter(now));
			if (passed > 0) { // fire times that came while the burst was started: never fired
				engine.missed(job, passed, latest);
			}
			setNextFire(job, next);
		} catch (RuntimeException e) { // a parser bug must not stop the others: this plugin only
			job.nextPending = false;
			job.scheduled = null;
			job.nextFire = Job.NONE;
		}
		if (job.nextFire == Job.NONE) {
			refresh(job, now, out);
		}
	}

	/**
	 * Whether a job keeps its schedule: {@code SCHEDULED}, or {@code UNAVAILABLE} because its last
	 * claim failed (its fire times still come, and claim again).
	 */
	private static boolean scheduled(Job job) {
		return job.state == JobState.SCHEDULED || (job.state == JobState.UNAVAILABLE && job.record != null);
	}

	/**
	 * A log line for a job's new state, written after the lock is released. Under the lock it only
	 * copies fields: the next fire time is turned into a date, if at all, when the line is written.
	 */
	private static Runnable stateLog(Job job, JobState before) {
		String name = job.name();
		JobState state = job.state;
		String reason = job.reason;
		switch (state) {
		case SCHEDULED:
			String expression = job.scheduled.expression();
			ZoneId zone = job.scheduled.zone();
			long nextFire = job.nextFire;
			if (before == JobState.UNAVAILABLE) { // the store logged that it is back, once for all plugins
				return () -> {
					if (LOG.isDebugEnabled()) {
						LOG.debug("Cron plugin {} is scheduled again: '{}' in {}, next fire {}", name, expression, zone,
								nextFire(nextFire, zone));
					}
				};
			}
			return () -> {
				if (LOG.isInfoEnabled()) {
					LOG.info("Cron plugin {} is scheduled: '{}' in {}, next fire {}", name, expression, zone,
							nextFire(nextFire, zone));
				}
			};
		case INVALID:
		case BLOCKED:
		case DUPLICATE:
			return () -> LOG.warn("Cron plugin {} is {}: {}", name, state, reason);
		case STUCK: // the deadlines warned, with the thread's name
		case PENDING:
		case UNAVAILABLE: // the store (and the job table, at a load) logged it once for all plugins
			return () -> LOG.debug("Cron plugin {} is {}: {}", name, state, reason);
		default:
			return () -> LOG.info("Cron plugin {} is {}: {}", name, state, reason);
		}
	}

	/** A next fire time as the log shows it: the date in the interval's zone, or "-" for none. */
	private static Object nextFire(long epochMillis, ZoneId zone) {
		return epochMillis == Job.NONE ? "-" : Instant.ofEpochMilli(epochMillis).atZone(zone);
	}
}
