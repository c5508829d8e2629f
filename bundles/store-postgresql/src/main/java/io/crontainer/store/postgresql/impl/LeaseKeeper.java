package io.crontainer.store.postgresql.impl;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.crontainer.format.Formats;
import io.crontainer.store.api.Claim;
import io.crontainer.store.api.StoreUnavailableException;

/**
 * The one thread that keeps the store alive ({@code crontainer-store-lease}): every
 * {@code renewEvery} it renews the leases of every claim this node holds, in one statement (and those
 * of the re-runs it holds, in another); every
 * {@code poll} it reads the changes of the other nodes ({@link Loader#poll}) or, while the database is
 * away, tries to connect again ({@link Loader#connect}). It is the only renewal of a lease: the
 * scheduler does nothing for it.
 *
 * <p>
 * What it learns of a claim is logged here, once each: a claim found gone (taken over after its lease
 * expired, or fenced by a reset: its commit will be refused), and a claim that could not be renewed
 * for a whole lease (another node may take it over; if none does, its commit goes through).
 *
 * <p>
 * <b>Threads.</b> {@link #hold}, {@link #drop} and {@link #lease} are called on any thread (run
 * threads claim, commit and release); the held claims are a concurrent map, and each claim's lease
 * state is written by the keeper's thread only. Nothing is held while the keeper does I/O.
 */
final class LeaseKeeper {
	private static final Logger LOG = LoggerFactory.getLogger(PostgreSQLStateStore.class);

	/** What the keeper needs of the store: connecting and polling, with the cache and the listener. */
	interface Loader {
		/** Connects: creates or checks the tables, imports, loads every record. */
		void connect() throws StoreUnavailableException;

		/** Reads the changes since the last poll. */
		void poll() throws StoreUnavailableException;
	}

	/** A claim held by this node, with the last confirmed end of its lease (nanoTime). */
	static final class Held {
		final Claim claim;
		final Instant since;
		volatile long confirmedUntilNanos;
		volatile Lease known = Lease.HELD;

		Held(Claim claim, Instant since, long confirmedUntilNanos) {
			this.claim = claim;
			this.since = since;
			this.confirmedUntilNanos = confirmedUntilNanos;
		}
	}

	private final Repository repository;
	private final Availability availability;
	private final Loader loader;
	private final Clock clock;
	private final Duration lease;
	private final Duration renewEvery;
	private final Duration poll;
	private final String description;
	private final Map<Long, Held> held = new ConcurrentHashMap<>();
	/** The ids of the re-runs this node holds, renewed with the claims. */
	private final Set<Long> heldReruns = ConcurrentHashMap.newKeySet();
	private final Thread thread;
	private volatile boolean closed;

	LeaseKeeper(Repository repository, Availability availability, Loader loader, Clock clock, Duration lease,
			Duration renewEvery, Duration poll, String description) {
		this.repository = repository;
		this.availability = availability;
		this.loader = loader;
		this.clock = clock;
		this.lease = lease;
		this.renewEvery = renewEvery;
		this.poll = poll;
		this.description = description;
		this.thread = new Thread(this::loop, "crontainer-store-lease");
		this.thread.setDaemon(true);
	}

	void start() {
		thread.start();
	}

	/** A claim was granted: renewed from now on, until {@link #drop}. */
	void hold(Claim claim) {
		held.put(claim.token(), new Held(claim, clock.instant(), System.nanoTime() + lease.toNanos()));
	}

	/** A claim ended (committed or released): no longer renewed. @return What was held, or {@code null}. */
	Held drop(Claim claim) {
		return held.remove(claim.token());
	}

	/** A re-run is held by this node: renewed from now on, until {@link #dropRerun}. */
	void holdRerun(long id) {
		heldReruns.add(id);
	}

	/** A re-run is no longer held by this node (ended, released, or found taken over). */
	void dropRerun(long id) {
		heldReruns.remove(id);
	}

	/**
	 * What is known of a claim's lease, without a round trip: {@link Lease#LOST} once a renewal found it
	 * taken over or fenced (or it was dropped), {@link Lease#UNCONFIRMED} once its lease ran out since
	 * the last renewal that reached the database, else {@link Lease#HELD}.
	 */
	Lease lease(Claim claim) {
		Held h = held.get(claim.token());
		if (h == null || h.known == Lease.LOST) {
			return Lease.LOST;
		}
		return h.confirmedUntilNanos - System.nanoTime() > 0 ? Lease.HELD : Lease.UNCONFIRMED;
	}

	private void loop() {
		long renewNanos = renewEvery.toNanos();
		long pollNanos = poll.toNanos();
		long nextRenew = System.nanoTime() + renewNanos;
		long nextPoll = System.nanoTime() + pollNanos;
		while (!closed) {
			long now = System.nanoTime();
			long wait = Math.min(nextRenew, nextPoll) - now;
			if (wait > 0) {
				try {
					TimeUnit.NANOSECONDS.sleep(wait);
				} catch (InterruptedException e) {
					if (closed) {
						return;
					}
				}
				continue;
			}
			try {
				if (now - nextRenew >= 0) {
					nextRenew = now + renewNanos;
					if (availability.ready()) {
						renewAll();
					}
					logUnconfirmed();
				}
				if (now - nextPoll >= 0) {
					nextPoll = now + pollNanos;
					if (availability.ready()) {
						loader.poll();
					} else {
						loader.connect();
					}
				}
			} catch (StoreUnavailableException e) {
				// logged by Availability; connect() tries again at the next poll
			} catch (RuntimeException e) {
				LOG.error("The lease thread of the PostgreSQL state store failed", e);
			}
		}
	}

	/**
	 * Renews the leases of every claim held by this node, in one statement. A claim not found (taken
	 * over after its lease expired, or fenced by a reset) is lost: logged once; its commit will be
	 * refused.
	 */
	void renewAll() throws StoreUnavailableException {
		renewReruns();
		Map<Long, Held> claims = new LinkedHashMap<>(held);
		if (claims.isEmpty()) {
			return;
		}
		long sent = System.nanoTime();
		Set<Long> renewed = repository.renew(claims.keySet());
		long until = sent + lease.toNanos();
		for (Held claim : claims.values()) {
			if (renewed.contains(claim.claim.token())) {
				claim.confirmedUntilNanos = until;
				if (claim.known == Lease.UNCONFIRMED) {
					claim.known = Lease.HELD;
				}
			} else if (claim.known != Lease.LOST && held.containsKey(claim.claim.token())) {
				claim.known = Lease.LOST;
				LOG.warn("Cron plugin {} lost the claim of its run (since {}) on node {}: another runtime took its window "
						+ "over, or it was reset; its window will not be committed", claim.claim.name(),
						Formats.instant(claim.since), repository.node());
			}
		}
	}

	/** Renews the leases of the re-runs held, in one statement; one found gone is no longer renewed. */
	private void renewReruns() throws StoreUnavailableException {
		Set<Long> ids = Set.copyOf(heldReruns);
		if (ids.isEmpty()) {
			return;
		}
		Set<Long> renewed = repository.renewReruns(ids);
		for (Long id : ids) {
			if (!renewed.contains(id) && heldReruns.remove(id)) {
				LOG.info("Re-run {} is no longer held by node {}: it ended, or another runtime took it over", id,
						repository.node());
			}
		}
	}

	/** Logs, once per claim, a lease that ran out with no renewal confirmed. */
	private void logUnconfirmed() {
		long now = System.nanoTime();
		for (Held claim : held.values()) {
			if (claim.known == Lease.HELD && claim.confirmedUntilNanos - now <= 0) {
				claim.known = Lease.UNCONFIRMED;
				LOG.warn("Cron plugin {}: the claim of its run (since {}) could not be renewed for a whole lease ({} "
						+ "cannot confirm it): another runtime may take its window over; if none does, the window is "
						+ "committed when the run ends", claim.claim.name(), Formats.instant(claim.since), description);
			}
		}
	}

	/** Stops the thread; the leases of claims still held expire by themselves. */
	void close(Duration wait) {
		closed = true;
		thread.interrupt();
		try {
			thread.join(wait.toMillis());
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
	}
}
