package io.crontainer.scheduler.impl.osgi;

import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.crontainer.scheduler.impl.engine.NamedThreads;

/**
 * Keeps {@code service.changecount} (OSGi Core 5.2.6: {@link Constants#SERVICE_CHANGECOUNT}) on the
 * {@code CronRuntime} registration up to date, as SCR does on {@code ServiceComponentRuntime}: a
 * management agent watching the service's properties learns that the jobs changed without polling
 * the DTOs. Changes are published at most once per {@link #DELAY_MS}, on a thread of its own
 * ({@code crontainer-changecount}), so that the engine never calls the framework's
 * service listeners.
 *
 * <p>
 * Thread-safe: {@link #changed()} is called by any engine thread with no lock held.
 */
final class ChangeCount {
	static final long DELAY_MS = 1000;
	private static final Logger LOG = LoggerFactory.getLogger(ChangeCount.class);

	private final AtomicLong count = new AtomicLong();
	private final AtomicBoolean pending = new AtomicBoolean();
	private final ScheduledThreadPoolExecutor executor;
	private final Map<String, Object> properties;
	private volatile ServiceRegistration<?> registration;

	ChangeCount(Map<String, Object> properties) {
		this.properties = Map.copyOf(properties);
		// One thread, started at once and kept (parked, it costs nothing): a change never pays for
		// starting it on the thread that made the change.
		this.executor = new ScheduledThreadPoolExecutor(1, new NamedThreads("crontainer-changecount"));
		this.executor.prestartCoreThread();
	}

	/** The service properties to register with, {@code service.changecount} included. */
	Dictionary<String, Object> properties() {
		Hashtable<String, Object> props = new Hashtable<>(properties);
		props.put(Constants.SERVICE_CHANGECOUNT, count.get());
		return props;
	}

	void registered(ServiceRegistration<?> reg) {
		this.registration = reg;
	}

	/** The jobs changed. */
	void changed() {
		count.incrementAndGet();
		if (pending.compareAndSet(false, true)) {
			try {
				executor.schedule(this::publish, DELAY_MS, TimeUnit.MILLISECONDS);
			} catch (RuntimeException e) {
				pending.set(false); // shut down
			}
		}
	}

	long count() {
		return count.get();
	}

	private void publish() {
		pending.set(false);
		ServiceRegistration<?> reg = registration;
		if (reg == null) {
			return;
		}
		try {
			reg.setProperties(properties());
		} catch (IllegalStateException e) {
			// unregistered meanwhile
		} catch (RuntimeException e) {
			LOG.warn("Cannot update {} of the cron runtime service", Constants.SERVICE_CHANGECOUNT, e);
		}
	}

	void close() {
		registration = null;
		executor.shutdownNow();
	}
}
