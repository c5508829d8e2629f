package io.crontainer.scheduler.impl.osgi;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.function.Supplier;

import org.osgi.framework.ServiceReference;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;
import org.osgi.service.event.EventConstants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.crontainer.api.runtime.CronEvents;
import io.crontainer.api.runtime.CronRunDTO;
import io.crontainer.api.runtime.JobState;
import io.crontainer.scheduler.impl.engine.Events;

/**
 * Posts the engine's {@link Events} through the OSGi Event Admin, if one is registered, with the
 * topics and properties of {@link CronEvents}.
 *
 * <p>
 * Threads: the engine's threads (run, store, timer, call, whiteboard; no lock of the engine held)
 * only queue a task, which never blocks: a full queue drops the event, counted and logged at most
 * once a minute. The poster's one thread, {@code crontainer-events}, builds each {@link Event} and
 * calls {@link EventAdmin#postEvent} in the order the tasks were queued, so a plugin's run thread never
 * waits for Event Admin, and a run's events reach Event Admin from one thread, in order (Event Admin
 * keeps the order of the events one thread posts). While no Event Admin is registered, or no
 * {@code EventHandler} subscribes to an event's topic ({@code event.topics}), that event is not built
 * nor queued: Felix's Event Admin hands every posted event to a thread of its own even when no handler
 * takes it, which cost a burst of 1,000 runs two thread hand-offs per run for nothing. A handler that
 * registers while an event is under way may miss that one, as it may with any asynchronous delivery.
 *
 * <p>
 * Thread-safe.
 */
public final class EventPoster implements Events {
	/** How many events may wait for Event Admin; more are dropped. A run posts two. */
	static final int QUEUE = 4096;

	private static final Logger LOG = LoggerFactory.getLogger(EventPoster.class);
	private static final long DROP_LOG_EVERY = TimeUnit.MINUTES.toNanos(1);

	private final Supplier<EventAdmin> admin;
	private final Predicate<String> subscribed;
	private final Executor thread;
	private final AtomicLong dropped = new AtomicLong();
	private volatile long droppedLoggedAt = System.nanoTime() - DROP_LOG_EVERY;

	/**
	 * An event poster with its own thread, {@code crontainer-events}, and a queue of {@link #QUEUE}.
	 *
	 * @param admin The Event Admin in use now; {@code null} while none is. Read on any thread.
	 * @param subscribed Whether an {@code EventHandler} subscribes to a topic now (see
	 *        {@link #subscribed(Collection, String)}). Called on any thread; must not block.
	 */
	static EventPoster open(Supplier<EventAdmin> admin, Predicate<String> subscribed) {
		ThreadPoolExecutor thread = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
				new ArrayBlockingQueue<>(QUEUE), r -> {
					Thread t = new Thread(r, "crontainer-events");
					t.setDaemon(true);
					return t;
				});
		return new EventPoster(admin, subscribed, thread);
	}

	/**
	 * A poster that posts every event while an Event Admin is bound, subscribed to or not.
	 *
	 * @param admin The Event Admin in use now; {@code null} while none is. Read on any thread.
	 * @param thread Posts the events, one at a time, in order; rejects a task when it is full or shut
	 *        down (then the event is dropped). Tests pass their own.
	 */
	public EventPoster(Supplier<EventAdmin> admin, Executor thread) {
		this(admin, topic -> true, thread);
	}

	/**
	 * @param admin The Event Admin in use now; {@code null} while none is. Read on any thread.
	 * @param subscribed Whether a handler subscribes to a topic now; an event nobody subscribes to is
	 *        not posted.
	 * @param thread Posts the events, one at a time, in order; rejects a task when it is full or shut
	 *        down (then the event is dropped). Tests pass their own.
	 */
	public EventPoster(Supplier<EventAdmin> admin, Predicate<String> subscribed, Executor thread) {
		this.admin = admin;
		this.subscribed = subscribed;
		this.thread = thread;
	}

	/**
	 * Whether one of the {@code EventHandler} services subscribes to a topic by its {@code event.topics}
	 * property (OSGi Compendium 113.7: a topic, {@code *}, or a prefix ending in {@code /*}), read from
	 * their references without getting the handlers. Its {@code event.filter} is not looked at: a
	 * handler whose filter declines the event has it posted, and Event Admin does not deliver it.
	 *
	 * @param handlers The handlers' references; {@code null} or empty if none.
	 * @param topic An event topic.
	 */
	static boolean subscribed(Collection<? extends ServiceReference<?>> handlers, String topic) {
		if (handlers == null) {
			return false;
		}
		for (ServiceReference<?> handler : handlers) {
			if (subscribes(handler.getProperty(EventConstants.EVENT_TOPIC), topic)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Whether an {@code event.topics} value (a {@code String}, {@code String[]} or collection of
	 * strings) takes a topic. A value of another type takes nothing, as Event Admin ignores it.
	 */
	static boolean subscribes(Object topics, String topic) {
		if (topics instanceof String one) {
			return takes(one, topic);
		}
		if (topics instanceof String[] many) {
			for (String one : many) {
				if (takes(one, topic)) {
					return true;
				}
			}
			return false;
		}
		if (topics instanceof Collection<?> many) {
			for (Object one : many) {
				if (one instanceof String text && takes(text, topic)) {
					return true;
				}
			}
		}
		return false;
	}

	private static boolean takes(String pattern, String topic) {
		if (pattern.equals("*")) {
			return true;
		}
		if (pattern.endsWith("/*")) {
			return topic.startsWith(pattern.substring(0, pattern.length() - 1));
		}
		return pattern.equals(topic);
	}

	@Override
	public boolean tellsStarted() {
		return admin.get() != null && subscribed.test(CronEvents.RUN_STARTED);
	}

	@Override
	public void started(CronRunDTO run) {
		post(CronEvents.RUN_STARTED, () -> run(run));
	}

	@Override
	public void ended(CronRunDTO run) {
		post(CronEvents.RUN_ENDED, () -> run(run));
	}

	@Override
	public void stateChanged(String name, JobState before, JobState after, String reason, long at) {
		post(CronEvents.STATE_CHANGED, () -> {
			Map<String, Object> properties = new HashMap<>();
			properties.put(CronEvents.NAME, name);
			put(properties, CronEvents.STATE, after.name());
			put(properties, CronEvents.PREVIOUS_STATE, before == null ? null : before.name());
			put(properties, CronEvents.REASON, reason);
			properties.put(EventConstants.TIMESTAMP, at);
			return properties;
		});
	}

	/**
	 * Stops the thread: what is queued is posted within {@code waitMillis}, the rest dropped. Called
	 * once, by the component as it deactivates (after the engine stopped).
	 */
	void close(long waitMillis) {
		if (!(thread instanceof ExecutorService executor)) {
			return;
		}
		executor.shutdown();
		try {
			if (!executor.awaitTermination(waitMillis, TimeUnit.MILLISECONDS)) {
				int left = executor.shutdownNow().size();
				LOG.warn("Dropped {} events that Event Admin did not take in {} ms as the scheduler stopped", left,
						waitMillis);
			}
		} catch (InterruptedException e) {
			executor.shutdownNow();
			Thread.currentThread().interrupt();
		}
	}

	/** How many events were dropped so far (a full queue). */
	public long dropped() {
		return dropped.get();
	}

	private void post(String topic, Supplier<Map<String, Object>> properties) {
		if (admin.get() == null || !subscribed.test(topic)) {
			return;
		}
		try {
			thread.execute(() -> deliver(topic, properties));
		} catch (RejectedExecutionException e) {
			if (!(thread instanceof ExecutorService executor && executor.isShutdown())) { // else: stopping
				drop();
			}
		}
	}

	/** On the poster's thread. */
	private void deliver(String topic, Supplier<Map<String, Object>> properties) {
		EventAdmin current = admin.get();
		if (current == null) {
			return;
		}
		try {
			current.postEvent(new Event(topic, properties.get()));
		} catch (RuntimeException e) { // an Event Admin going away, or broken: this event only
			LOG.debug("Cannot post event {}", topic, e);
		}
	}

	private void drop() {
		long count = dropped.incrementAndGet();
		long now = System.nanoTime();
		long last = droppedLoggedAt;
		if (now - last >= DROP_LOG_EVERY) {
			droppedLoggedAt = now;
			LOG.warn("Event Admin does not keep up: {} events of the scheduler dropped so far (at most {} wait)", count,
					QUEUE);
		}
	}

	private static Map<String, Object> run(CronRunDTO run) {
		Map<String, Object> properties = new HashMap<>();
		properties.put(CronEvents.NAME, run.name);
		put(properties, CronEvents.TRIGGER, run.trigger == null ? null : run.trigger.name());
		put(properties, CronEvents.OUTCOME, run.outcome == null ? null : run.outcome.name());
		put(properties, CronEvents.WINDOW_START, run.windowStart);
		put(properties, CronEvents.WINDOW_END, run.windowEnd);
		put(properties, CronEvents.SCHEDULED_FIRE, run.scheduledFire);
		properties.put(CronEvents.STARTED, run.started);
		put(properties, CronEvents.FINISHED, run.finished);
		put(properties, CronEvents.ERROR, run.error);
		put(properties, CronEvents.NODE, run.node);
		properties.put(EventConstants.TIMESTAMP, run.finished != null ? run.finished : run.started);
		return properties;
	}

	private static void put(Map<String, Object> properties, String key, Object value) {
		if (value != null) {
			properties.put(key, value);
		}
	}
}
