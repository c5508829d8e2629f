package io.crontainer.scheduler.impl.engine;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.crontainer.api.CronPlugin;
import io.crontainer.scheduler.impl.interval.Intervals;
import io.crontainer.scheduler.impl.interval.InvalidIntervalException;
import io.crontainer.scheduler.impl.whiteboard.Settings;
import io.crontainer.store.api.CorruptStateException;
import io.crontainer.store.api.RunState;
import io.crontainer.store.api.StateStore;
import io.crontainer.store.api.StoreUnavailableException;

/**
 * What a plugin's service properties and its answers to {@code enabled()} and {@code interval()}
 * say, as a {@link Resolution}: properties answer at once, on the caller's thread; the plugin is
 * asked through {@link PluginCalls} (never twice at once); intervals with {@code ?} fields keep the
 * instant they were first seen, recorded in the state store so that neither a re-check nor a restart
 * moves them.
 *
 * <p>
 * {@link #resolve} requires the engine's lock (whiteboard, timer and operator threads). Answers
 * arrive on call threads ({@link #answered}) and anchors are written on them, with no lock held but
 * the engine's, briefly, to apply the result: one hold per answer, in which the answer, parsed before
 * it, is applied (an interval with {@code ?} fields takes one more, to read its anchor).
 */
final class Resolutions {
	private static final Logger LOG = LoggerFactory.getLogger(Resolutions.class);

	/** What the resolutions need of the rest of the engine. */
	interface Engine {
		/** The plugin calls (the pool with deadlines). */
		PluginCalls calls();

		/** Whether the engine stopped. Lock held. */
		boolean stopped();

		/** The default zone of intervals. Lock held. */
		ZoneId zone();

		/** The store in use; any thread. */
		StateStore store();

		/** The store returned a record of a name ({@link JobTable#record}). Lock held. */
		void record(String name, RunState state, Instant now, List<Runnable> out);

		/**
		 * A job's schedule starts afresh at its next refresh, even if its interval reads the same
		 * ({@link Schedules#restart}). Lock held.
		 */
		void restart(Job job);

		/** A job's resolution changed: its state and schedule are recomputed ({@link Schedules#refresh}). Lock held. */
		void refresh(Job job, Instant now, List<Runnable> out);

		/** Runs the effects collected under the lock, and tells of a change. Lock not held. */
		void flush(List<Runnable> out);
	}

	private final Object lock;
	private final Clock clock;
	private final Engine engine;

	/**
	 * @param lock The engine's lock.
	 * @param clock The engine's clock.
	 * @param engine The rest of the engine.
	 */
	Resolutions(Object lock, Clock clock, Engine engine) {
		this.lock = lock;
		this.clock = clock;
		this.engine = engine;
	}

	/** Asks the plugin (or its properties) again for enabled() and interval(). Lock held. */
	void resolve(Job job, Instant now, List<Runnable> out) {
		Settings settings = job.settings;
		if (settings.error() != null) {
			apply(job, Resolution.invalid(settings.interval(), settings.error()), now, out);
			return;
		}
		if (Boolean.FALSE.equals(settings.enabled())) {
			apply(job, Resolution.disabled("service property " + CronPlugin.ENABLED + " is false"), now, out);
			return;
		}
		CronPlugin service = job.plugin.service();
		if (settings.interval() != null && PluginCalls.enabledWithoutAsking(settings, service) != null) {
			apply(job, parse(job, settings.interval(), now, out), now, out);
			return;
		}
		if (job.call != null) {
			return; // the call in flight answers, and asks again if the settings changed meanwhile
		}
		int generation = job.generation;
		PluginCalls.Call call = engine.calls().prepare(job);
		parseWith(call, job);
		out.add(() -> engine.calls().ask(call, generation, service, settings));
	}

	/**
	 * A plugin answered, on a call thread. The answer is parsed without the lock, with what the call
	 * noted of the job when it was prepared, and applied in one hold of the lock that also checks that
	 * note; an interval with {@code ?} fields, whose anchor comes from the job's record, is parsed as
	 * {@link #parse} does, which takes the lock for it.
	 */
	void answered(PluginCalls.Call call, int generation, PluginCalls.Answer answer) {
		Job job = call.job;
		String expression = answer.error() == null && answer.enabled() ? answer.expression() : null;
		boolean anchored = expression != null && Intervals.usesCreationTime(expression);
		while (true) {
			Resolution resolution;
			List<Runnable> out = new ArrayList<>();
			Instant createdAt = null;
			if (answer.error() != null) {
				resolution = Resolution.invalid(answer.expression(), answer.error());
			} else if (!answer.enabled()) {
				resolution = Resolution.disabled("enabled() returned false");
			} else if (anchored) {
				resolution = parse(job, expression, clock.instant(), out);
			} else {
				// As parse() would: a new expression counts its '?'-free schedule from now (its fire times do
				// not depend on it, only the check that it ever fires does).
				createdAt = call.createdFor == null || call.createdFor.equals(expression) ? call.createdAt
						: clock.instant();
				resolution = parse(expression, call.zone, call.name, createdAt);
			}
			synchronized (lock) {
				if (!job.gone && !engine.stopped() && generation == job.generation && createdAt != null
						&& !parsedWith(call, job)) {
					parseWith(call, job); // the job changed under the parse (its zone, or its anchor): again
					continue;
				}
				engine.calls().ended(call);
				if (!job.gone && !engine.stopped()) {
					Instant now = clock.instant();
					if (generation == job.generation) {
						if (createdAt != null) {
							job.createdFor = expression;
							job.createdAt = createdAt;
						}
						apply(job, resolution, now, out);
					} else {
						resolve(job, now, out); // the settings changed meanwhile: ask again
					}
				}
			}
			engine.flush(out);
			return;
		}
	}

	/** Notes in a call what its answer is parsed with, from its job. Lock held. */
	private void parseWith(PluginCalls.Call call, Job job) {
		call.name = job.name();
		call.zone = zone(job);
		call.createdAt = job.createdAt;
		call.createdFor = job.createdFor;
	}

	/** Whether what a call noted to parse its answer with is still what its job says. Lock held. */
	private boolean parsedWith(PluginCalls.Call call, Job job) {
		return call.name.equals(job.name()) && call.zone.equals(zone(job)) && call.createdAt.equals(job.createdAt)
				&& Objects.equals(call.createdFor, job.createdFor);
	}

	/** The zone a job's interval is evaluated in. Lock held. */
	private ZoneId zone(Job job) {
		return job.settings.zone() != null ? job.settings.zone() : engine.zone();
	}

	/** A plugin call's deadline came (timer thread, lock held): overdue, the plugin is invalid meanwhile. */
	void callDue(PluginCalls.Call call, Instant now, List<Runnable> out) {
		Job job = call.job;
		if (job.call != call || job.gone) {
			return;
		}
		String overdue = engine.calls().due(call, now.toEpochMilli());
		if (overdue != null) {
			apply(job, Resolution.invalid(null, overdue), now, out);
		}
	}

	/**
	 * Parses an interval; {@code ?} fields keep the instant the expression was first seen, which is
	 * also kept in the plugin's state record (the write is added to {@code out}). Takes the lock for the
	 * job's fields; parses without it when called without it.
	 */
	private Resolution parse(Job job, String expression, Instant now, List<Runnable> out) {
		Instant createdAt;
		String name;
		ZoneId zone;
		boolean save;
		boolean anchored = Intervals.usesCreationTime(expression); // the expression's alone: no lock needed
		synchronized (lock) {
			Instant recorded = anchored && job.owner && job.record != null ? job.record.anchorOf(expression) : null;
			if (recorded != null) {
				job.createdFor = expression;
				job.createdAt = recorded;
			} else if (job.createdFor == null) {
				job.createdFor = expression;
			} else if (!job.createdFor.equals(expression)) {
				job.createdFor = expression;
				job.createdAt = now;
			}
			createdAt = job.createdAt;
			name = job.name();
			zone = zone(job);
			save = anchored && recorded == null && job.owner && job.record != null;
		}
		if (save) {
			Instant created = createdAt;
			out.add(() -> saveAnchor(job, name, expression, created));
		}
		return parse(expression, zone, name, createdAt);
	}

	/** Parses an interval into a resolution; any thread, no lock needed. */
	private static Resolution parse(String expression, ZoneId zone, String name, Instant createdAt) {
		try {
			return Resolution.scheduled(Intervals.parse(expression, zone, name, createdAt));
		} catch (InvalidIntervalException e) {
			return Resolution.invalid(expression, e.getMessage());
		} catch (RuntimeException e) {
			return Resolution.invalid(expression, "interval '" + expression + "' cannot be parsed: "
					+ Texts.describe(e));
		}
	}

	/**
	 * Records when the schedule of an interval with {@code ?} fields was created. A failed write is
	 * logged and costs only that: the schedule holds until the next restart. No lock held.
	 */
	private void saveAnchor(Job job, String name, String expression, Instant createdAt) {
		StateStore store = engine.store();
		RunState state;
		try {
			state = store.setAnchor(name, createdAt, expression);
		} catch (CorruptStateException | StoreUnavailableException | IOException | RuntimeException e) {
			LOG.warn("Cron plugin {}: could not record when its schedule '{}' was created; a restart will take the "
					+ "'?' fields from the time of that restart: {}", name, expression, Texts.describe(e));
			return;
		}
		List<Runnable> out = new ArrayList<>();
		synchronized (lock) {
			Instant now = clock.instant();
			engine.record(name, state, now, out);
			Instant anchor = state.anchorOf(expression);
			if (job.owner && !job.gone && job.name().equals(name) && anchor != null && !anchor.equals(createdAt)
					&& expression.equals(job.createdFor)) {
				job.createdAt = anchor; // another runtime of the cluster anchored it first
				engine.restart(job);
				resolve(job, now, out);
			}
		}
		engine.flush(out);
	}

	/** A job was renamed: the {@code ?} fields of its interval count from now. Lock held. */
	void renamed(Job job, Instant now) {
		job.createdFor = null;
		job.createdAt = now;
	}

	private void apply(Job job, Resolution resolution, Instant now, List<Runnable> out) {
		job.resolution = resolution;
		engine.refresh(job, now, out);
	}
}
