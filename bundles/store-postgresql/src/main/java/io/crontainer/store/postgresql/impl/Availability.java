package io.crontainer.store.postgresql.impl;

import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.crontainer.store.api.StoreUnavailableException;

/**
 * Whether the database can be reached, and why not: set by whoever finds out (a failed statement on
 * any thread, the lease keeper's check every poll), read by {@link PostgreSQLStateStore#availability}
 * and by the fast path of claims and reads, which fail at once while the database is known to be away
 * instead of each waiting for a connection time-out. A loss and a recovery are logged once each, and
 * the callbacks of the scheduler ({@code onUnavailable}, {@code onAvailable}) are run on the thread
 * that found the change, with no lock held.
 *
 * <p>
 * Before the first connection, for up to {@link #STARTUP_GRACE}, a failure is logged at info only:
 * the driver's {@code DataSourceFactory} may register a moment after the store opens.
 *
 * <p>
 * <b>Threads.</b> Thread-safe: any thread; the monitor of this object guards the reason and the
 * logging flags, and nothing is logged or called back under it.
 */
final class Availability {
	private static final Logger LOG = LoggerFactory.getLogger(PostgreSQLStateStore.class);
	static final String NOT_CONNECTED = "not connected yet";
	/** How long after opening a failure to connect is logged at info only. */
	private static final Duration STARTUP_GRACE = Duration.ofSeconds(10);

	private final String description;
	private final Duration poll;
	private final long openedAt = System.nanoTime();
	private volatile boolean ready;
	private volatile Runnable onAvailable;
	private volatile Runnable onUnavailable;
	// Guarded by this.
	private String down = NOT_CONNECTED;
	private boolean everConnected;
	private boolean warned;
	private boolean waitingLogged;

	/**
	 * @param description The store, for log lines.
	 * @param poll How often the database is tried again while it is away (for the log line).
	 */
	Availability(String description, Duration poll) {
		this.description = description;
		this.poll = poll;
	}

	/** Whether the database is reachable and the records are loaded. */
	boolean ready() {
		return ready;
	}

	/** {@code null} if ready, else why not, in one line. */
	String reason() {
		if (ready) {
			return null;
		}
		synchronized (this) {
			return description + " is unavailable: " + down;
		}
	}

	void onAvailable(Runnable callback) {
		this.onAvailable = callback;
	}

	void onUnavailable(Runnable callback) {
		this.onUnavailable = callback;
	}

	/** The exception of a read or claim while the database is away. */
	StoreUnavailableException notReady() {
		String reason;
		synchronized (this) {
			reason = down;
		}
		return new StoreUnavailableException(description + " is unavailable: " + reason, null);
	}

	/**
	 * The database cannot be reached (or its tables are refused): logs once per loss, and tells the
	 * scheduler once per loss.
	 */
	void lost(String reason) {
		boolean wasReady = ready;
		ready = false;
		boolean info = false;
		boolean warn = false;
		synchronized (this) {
			down = reason;
			if (!warned) {
				if (!everConnected && System.nanoTime() - openedAt < STARTUP_GRACE.toNanos()) {
					info = !waitingLogged;
					waitingLogged = true;
				} else {
					warn = true;
					warned = true;
				}
			}
		}
		if (info) {
			LOG.info("State store {} is not connected yet; no plugin runs until it is: {}", description, reason);
		}
		if (warn) {
			LOG.warn("State store {} is unavailable; no plugin runs until it is back (tried again every {} ms): {}",
					description, poll.toMillis(), reason);
		}
		if (wasReady) {
			call(onUnavailable, "unavailability");
		}
	}

	/**
	 * The database is reachable again and the records are loaded: logs the recovery once if the loss
	 * was logged, and tells the scheduler.
	 *
	 * @param detail What was loaded, for the log line.
	 */
	void connected(String detail) {
		boolean back;
		boolean announce;
		synchronized (this) {
			back = down != null;
			announce = warned || waitingLogged;
			down = null;
			everConnected = true;
			warned = false;
			waitingLogged = false;
		}
		ready = true;
		if (announce) {
			LOG.info("State store {} is available: {}", description, detail);
		}
		if (back) {
			call(onAvailable, "availability");
		}
	}

	private static void call(Runnable callback, String what) {
		if (callback == null) {
			return;
		}
		try {
			callback.run();
		} catch (RuntimeException e) {
			LOG.error("The {} callback of the state store failed", what, e);
		}
	}
}
