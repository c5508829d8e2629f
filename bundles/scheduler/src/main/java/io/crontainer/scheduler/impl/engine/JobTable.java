package io.crontainer.scheduler.impl.engine;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.crontainer.api.runtime.CronRunDTO;
import io.crontainer.scheduler.impl.whiteboard.Plugin;
import io.crontainer.scheduler.impl.whiteboard.Settings;
import io.crontainer.store.api.CorruptStateException;
import io.crontainer.store.api.RunState;
import io.crontainer.store.api.StateStore;
import io.crontainer.store.api.StoreUnavailableException;

/**
 * The job table: the whiteboard's plugin services by {@code service.id}, and which of them owns each
 * name. It handles arrival, change (of properties and of name) and departure. A second live plugin
 * with a name is a duplicate; when the owner leaves or is renamed, the earliest duplicate takes the
 * name over and loads its state record. A record that the store cannot give now (store unavailable)
 * is tried again every {@link #LOAD_RETRY}.
 *
 * <p>
 * Threads: {@link #add}, {@link #update} and {@link #remove} are called by the whiteboard (DS)
 * thread without any lock. {@link #reload} is called without the lock too, as an effect run after it
 * is released: on the whiteboard thread (a rename, or a departure that hands the name to a
 * duplicate), the timer (a load retried) or the configuring thread (a new store). Those that read the
 * state store ({@link #add}, {@link #reload}) read it before taking the engine's lock, never under
 * it. Every other method requires the engine's lock.
 */
final class JobTable {
	/** How often a record that could not be loaded (store unavailable) is tried again. */
	static final Duration LOAD_RETRY = Duration.ofSeconds(10);

	private static final Logger LOG = LoggerFactory.getLogger(JobTable.class);

	/**
	 * A record as loaded: the state, or why it is unreadable or could not be loaded; and, from a local
	 * store that keeps it, the name's runs before a restart.
	 */
	private record Loaded(RunState state, String blocked, String unavailable, List<CronRunDTO> past) {
		Loaded(RunState state, String blocked, String unavailable) {
			this(state, blocked, unavailable, List.of());
		}
	}

	/** What the job table needs of the rest of the engine. */
	interface Engine {
		/** Whether the engine stopped. Lock held. */
		boolean stopped();

		/** The jobs changed (for {@code service.changecount}). Lock held. */
		void changed();

		/** The store in use; any thread. */
		StateStore store();

		/** How many runs are kept per name; any thread, no lock needed (the configuration is volatile). */
		int historySize();

		/** Runs the effects collected under the lock, and tells of a change. Lock not held. */
		void flush(List<Runnable> out);

		/** The run holding a name; {@code null} if none ({@link Firing#running}). Lock held. */
		Run running(String name);

		/** The runs of a job beside the one holding its name ({@link Firing#alongside}). Lock held. */
		List<Run> alongside(Job job);

		/** Asks a job's plugin for enabled() and interval() ({@link Resolutions#resolve}). Lock held. */
		void resolve(Job job, Instant now, List<Runnable> out);

		/** Recomputes a job's state and schedule ({@link Schedules#refresh}). Lock held. */
		void refresh(Job job, Instant now, List<Runnable> out);

		/**
		 * A job's record was loaded: its schedule starts afresh and its state is recomputed
		 * ({@link Schedules#loaded}). Lock held.
		 */
		void loaded(Job job, Instant now, List<Runnable> out);

		/** A job's record was paused or resumed ({@link Schedules#pausedChanged}). Lock held. */
		void pausedChanged(Job job, Instant now, List<Runnable> out);

		/** An operator's reset gave a job the record it lacked ({@link Schedules#reset}). Lock held. */
		void reset(Job job, Instant now, List<Runnable> out);

		/**
		 * A job's settings changed ({@link Schedules#settingsChanged}); renamed, the {@code ?} fields of
		 * its interval count from now ({@link Resolutions#renamed}). Lock held.
		 */
		void settingsChanged(Job job, boolean renamed, Instant now);

		/** Stops a job's schedule ({@link Schedules#unschedule}); its re-run may go elsewhere. Lock held. */
		void unschedule(Job job, List<Runnable> out);
	}

	private final Object lock;
	private final Clock clock;
	private final DueQueue due;
	private final History history;
	private final Engine engine;

	// Guarded by the engine's lock.
	private final Map<Long, Job> jobs = new HashMap<>();
	private final Map<String, Job> owners = new HashMap<>();
	/** Duplicates by name, in arrival order; only names that have some. */
	private final Map<String, List<Job>> duplicates = new HashMap<>();
	private long arrivals;
	/** Why the store is unavailable, while it is; logged once per outage. */
	private String storeDown;

	JobTable(Object lock, Clock clock, DueQueue due, History history, Engine engine) {
		this.lock = lock;
		this.clock = clock;
		this.due = due;
		this.history = history;
		this.engine = engine;
	}

	// ------------------------------------------------------------------ whiteboard

	/** A plugin service arrived. Never throws for a bad plugin; it gets a state and a reason. */
	void add(Plugin plugin) {
		Settings settings = plugin.settings();
		Loaded loaded = load(settings.name()); // before the lock: no store call under it
		List<Runnable> out = new ArrayList<>();
		synchronized (lock) {
			if (engine.stopped() || jobs.containsKey(plugin.serviceId())) {
				return;
			}
			Instant now = clock.instant();
			Job job = new Job(plugin, settings, arrivals++, now);
			jobs.put(plugin.serviceId(), job);
			place(job);
			out.add(() -> LOG.debug("Cron plugin {} arrived ({})", job.name(), plugin));
			warnUnknown(job.name(), plugin, List.of(), out);
			if (job.owner) {
				took(job, loaded, now, out);
			} else {
				engine.refresh(job, now, out);
			}
			engine.resolve(job, now, out);
			engine.changed();
		}
		engine.flush(out);
	}

	/**
	 * The service properties of a plugin changed.
	 *
	 * @return Whether the plugin was known; if not, the caller adds it.
	 */
	boolean update(Plugin plugin) {
		Settings settings = plugin.settings();
		List<Runnable> out = new ArrayList<>();
		synchronized (lock) {
			Job job = jobs.get(plugin.serviceId());
			if (engine.stopped()) {
				return true;
			}
			if (job == null) {
				return false;
			}
			Instant now = clock.instant();
			Settings old = job.settings;
			warnUnknown(settings.name(), plugin, Settings.unknown(job.plugin.properties()), out);
			job.plugin = plugin;
			job.settings = settings;
			job.generation++;
			boolean renamed = !old.name().equals(settings.name());
			if (!settings.equals(old)) {
				engine.settingsChanged(job, renamed, now);
			}
			if (renamed) {
				out.add(() -> LOG.info("Cron plugin {} is renamed {} ({})", old.name(), settings.name(), plugin));
				release(job, old.name(), now, out);
				place(job);
				if (job.owner) {
					job.record = null;
					out.add(() -> reload(job));
				}
				engine.refresh(job, now, out);
			}
			engine.resolve(job, now, out);
			engine.changed();
		}
		engine.flush(out);
		return true;
	}

	/**
	 * Warns of {@code cron.*} service properties that no one reads (a misspelling such as
	 * {@code cron.zone}): once per arrival, and again only when a change of properties changes them.
	 * Lock held; the line is logged after it is released.
	 *
	 * @param before The unknown properties before the change; empty at arrival.
	 */
	private static void warnUnknown(String name, Plugin plugin, List<String> before, List<Runnable> out) {
		List<String> unknown = Settings.unknown(plugin.properties());
		if (!unknown.isEmpty() && !unknown.equals(before)) {
			out.add(() -> LOG.warn("Cron plugin {} ({}) {}", name, plugin, Settings.unknownWarning(unknown)));
		}
	}

	/**
	 * A plugin service left: it is unscheduled at once and its name goes to the earliest duplicate.
	 *
	 * @return Its runs in progress (the one holding its name, and those beside it when
	 *         {@code scheduler.concurrent = true}), whose grace the caller queues; empty if
	 *         none.
	 */
	List<Run> remove(long serviceId) {
		List<Runnable> out = new ArrayList<>();
		List<Run> departing = new ArrayList<>();
		synchronized (lock) {
			Job job = jobs.remove(serviceId);
			if (job == null || engine.stopped()) {
				return departing; // after stop(), which interrupted and awaited every run already
			}
			Instant now = clock.instant();
			job.gone = true;
			job.generation++;
			Run run = engine.running(job.name());
			if (run != null && run.job == job && run.phase != Run.Phase.STUCK) {
				departing.add(run);
			}
			for (Run beside : engine.alongside(job)) {
				if (beside.phase != Run.Phase.STUCK) {
					departing.add(beside);
				}
			}
			if (job.call != null) {
				due.cancel(job.call);
			}
			release(job, job.name(), now, out);
			out.add(() -> LOG.info("Cron plugin {} left ({})", job.name(), job.plugin));
			engine.changed();
		}
		engine.flush(out);
		return departing;
	}

	/** Files a job under its (new) name: owner if free, else duplicate. */
	private void place(Job job) {
		Job owner = owners.get(job.name());
		job.duplicateOf = owner == null ? null : owner.plugin;
		if (owner != null) {
			job.owner = false;
			List<Job> list = duplicates.computeIfAbsent(job.name(), n -> new ArrayList<>(1));
			list.add(job);
			list.sort((a, b) -> Long.compare(a.seq, b.seq));
		} else {
			owners.put(job.name(), job);
			job.owner = true;
		}
	}

	/** Takes a job off a name; the earliest duplicate takes the name over and loads its record. */
	private void release(Job job, String name, Instant now, List<Runnable> out) {
		boolean owned = owners.get(name) == job;
		List<Job> list = duplicates.get(name);
		Job next = null;
		if (owned) {
			owners.remove(name);
			if (list != null) {
				next = list.remove(0);
				owners.put(name, next);
				next.owner = true;
				next.duplicateOf = null;
				for (Job duplicate : list) {
					duplicate.duplicateOf = next.plugin;
				}
			}
		} else if (list != null) {
			list.remove(job);
		}
		if (list != null && list.isEmpty()) {
			duplicates.remove(name);
		}
		job.owner = false;
		job.record = null;
		job.blocked = null;
		job.unavailable = null;
		due.cancel(job.loadRetry);
		engine.unschedule(job, out);
		if (next != null) {
			Job taker = next;
			out.add(() -> LOG.info("Cron plugin {} ({}) takes the name over", name, taker.plugin));
			taker.record = null;
			engine.refresh(taker, now, out);
			out.add(() -> reload(taker));
		} else if (owned) {
			history.departed(name);
		}
	}

	// ------------------------------------------------------------------ state records

	/** Loads a name's record from the store. No lock held. */
	private Loaded load(String name) {
		StateStore store = engine.store();
		try {
			RunState state = store.read(name);
			// The local store keeps its history in memory (no I/O); a shared store's is read on demand.
			List<CronRunDTO> past = store.keepsHistory() && store.node() == null
					? store.history(name, engine.historySize())
					: List.of();
			return new Loaded(state, null, null, past);
		} catch (CorruptStateException e) {
			return new Loaded(null, e.getMessage(), null);
		} catch (StoreUnavailableException | RuntimeException e) {
			return new Loaded(null, null, Texts.describe(e));
		}
	}

	/** Loads a job's record again (it took a name over, the store changed or was unavailable). No lock held. */
	void reload(Job job) {
		String name;
		synchronized (lock) {
			if (!job.owner || job.gone || engine.stopped()) {
				return;
			}
			name = job.name();
		}
		Loaded loaded = load(name);
		List<Runnable> out = new ArrayList<>();
		synchronized (lock) {
			if (!job.owner || job.gone || engine.stopped() || !job.name().equals(name)) {
				return;
			}
			took(job, loaded, clock.instant(), out);
		}
		engine.flush(out);
	}

	/** A job owns its name and its record was loaded. Lock held. */
	private void took(Job job, Loaded loaded, Instant now, List<Runnable> out) {
		history.arrived(job.name());
		if (!history.has(job.name()) && !loaded.past.isEmpty()) {
			history.restore(job.name(), loaded.past);
		}
		job.record = loaded.state;
		job.blocked = loaded.blocked;
		job.unavailable = loaded.unavailable;
		if (loaded.unavailable != null) {
			due.schedule(job.loadRetry, now.plus(LOAD_RETRY).toEpochMilli());
			if (storeDown == null) {
				storeDown = loaded.unavailable;
				String describe = engine.store().describe();
				out.add(() -> LOG.warn("The state store ({}) is unavailable: {}; plugins wait, and are retried every {} s",
						describe, loaded.unavailable, LOAD_RETRY.toSeconds()));
			}
		} else {
			due.cancel(job.loadRetry);
			if (storeDown != null) {
				storeDown = null;
				out.add(() -> LOG.info("The state store is available again"));
			}
		}
		engine.loaded(job, now, out);
	}

	// ------------------------------------------------------------------ records (lock held)

	/**
	 * The store returned a record of a name: the owner takes it if it is newer than the one it holds
	 * (records reach the engine on several threads; a late older one never overwrites a newer one).
	 */
	void record(String name, RunState state, Instant now, List<Runnable> out) {
		Job job = owners.get(name);
		if (job == null || job.record == null || state.version() <= job.record.version()) {
			return;
		}
		boolean pausedChanged = job.record.paused() != state.paused();
		// A new pause note changes the state's reason; a new pending retry (this runtime's failed run, or
		// another runtime's) is queued, or dropped, by the refresh.
		boolean noted = !Objects.equals(job.record.pause(), state.pause())
				|| !Objects.equals(job.record.retry(), state.retry());
		job.record = state;
		if (pausedChanged) {
			engine.pausedChanged(job, now, out);
		} else if (noted) {
			engine.refresh(job, now, out);
		}
	}

	/** The record of a name turned out unreadable: its owner is {@code BLOCKED}. */
	void blocked(String name, String reason, Instant now, List<Runnable> out) {
		Job job = owners.get(name);
		if (job != null) {
			job.record = null;
			job.blocked = reason;
			engine.refresh(job, now, out);
		}
	}

	/**
	 * An operator reset the record of a name: its owner takes the new record, which also ends a
	 * {@code BLOCKED} or {@code UNAVAILABLE} state.
	 */
	void reset(String name, RunState state, Instant now, List<Runnable> out) {
		Job job = owners.get(name);
		if (job == null) {
			return;
		}
		if (job.record == null || job.blocked != null) {
			job.blocked = null;
			job.unavailable = null;
			job.record = state;
			due.cancel(job.loadRetry);
			engine.reset(job, now, out);
		} else {
			record(name, state, now, out);
		}
	}

	/** Another store is in use: every owner's record is loaded from it, after the lock is released. */
	void storeSwitched(Instant now, List<Runnable> out) {
		for (Job job : owners.values()) {
			job.record = null;
			engine.refresh(job, now, out);
			out.add(() -> reload(job));
		}
	}

	/** The store can be reached again: the records it could not give are loaded now, not at their retry. */
	void storeAvailable(Instant now) {
		for (Job job : owners.values()) {
			if (job.loadRetry.queued()) {
				due.schedule(job.loadRetry, now.toEpochMilli());
			}
		}
	}

	/** The retry of a record the store could not give came (timer thread, lock held). */
	void retryDue(Job job, List<Runnable> out) {
		out.add(() -> reload(job));
	}

	// ------------------------------------------------------------------ look-ups (lock held)

	Job owner(String name) {
		return owners.get(name);
	}

	Collection<Job> all() {
		return jobs.values();
	}

	Collection<Job> owners() {
		return owners.values();
	}

	int size() {
		return jobs.size();
	}

	/** The owner of a name, or an {@link IllegalArgumentException} naming the known ones. */
	Job require(String name) {
		Job job = owners.get(name);
		if (job == null) {
			throw unknown(name);
		}
		return job;
	}

	IllegalArgumentException unknown(String name) {
		TreeSet<String> known = new TreeSet<>(owners.keySet());
		String list = known.size() <= 50 ? String.join(", ", known)
				: String.join(", ", new ArrayList<>(known).subList(0, 50)) + ", ... (" + known.size() + " in all)";
		return new IllegalArgumentException("no cron plugin is named '" + name + "'; "
				+ (known.isEmpty() ? "there are none" : "known: " + list));
	}
}
