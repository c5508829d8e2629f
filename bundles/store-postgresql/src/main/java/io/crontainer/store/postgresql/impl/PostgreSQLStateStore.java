package io.crontainer.store.postgresql.impl;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import io.crontainer.api.runtime.CronLogDTO;
import io.crontainer.api.runtime.CronRunDTO;
import io.crontainer.api.runtime.Outcome;
import io.crontainer.format.Formats;
import io.crontainer.store.api.Claim;
import io.crontainer.store.api.ClaimRequest;
import io.crontainer.store.api.ClaimResult;
import io.crontainer.store.api.FencedException;
import io.crontainer.store.api.PauseNote;
import io.crontainer.store.api.PendingRetry;
import io.crontainer.store.api.Rerun;
import io.crontainer.store.api.RunState;
import io.crontainer.store.api.StateStore;
import io.crontainer.store.api.StoreUnavailableException;

/**
 * The run state of cron plugins in a PostgreSQL database shared by the runtimes (nodes) of a cluster:
 * claims with leases on the database clock, fenced commits of window ends, cluster-wide pause, reset
 * and {@code ?} anchors, and the run history with the node of each run. The tables are described by
 * {@link PostgreSQLSchema}.
 *
 * <p>
 * <b>Claim.</b> One {@code UPDATE} ({@link Repository#CLAIM}) that succeeds only if the window start is the one
 * expected, no claim holds a live lease ({@code lease_until > now()}: the database's clock, never a
 * node's), and, for a scheduled fire time, that fire time (or a later one) has not run already on some
 * node ({@code fire_done}) and the plugin is not paused. It records a random token, the node and the
 * fire time; the lease is {@link Options#lease} long and renewed every {@link Options#renewEvery},
 * for all running claims of this node in one statement, while the runs last, by the
 * {@link LeaseKeeper} (the scheduler renews nothing).
 *
 * <p>
 * <b>Database time, not node time.</b> Everything the nodes must agree on is decided on the database's
 * clock: the claim returns its {@code now()} ({@link Claim#claimedAt()}), which the scheduler takes as
 * the window's end, so that windows tile however far a node's clock is off; a scheduled fire time is
 * granted only once it is due on that clock (within {@link Repository#DUE_TOLERANCE}), and an early
 * claim (a node whose clock is ahead) is sent back with a retry time on the node's clock for when it is
 * due, claimed then as a plain claim ({@link #claimOver} remembers which fire times it sent back); a
 * {@code ?} anchor is recorded at the database's {@code now()}. A node's clock only decides when it
 * looks. The skew is measured at every poll and logged once if beyond 1 s ({@link ClockSkew}).
 *
 * <p>
 * <b>Sharing.</b> The fire times due at once are claimed together by {@link #claimShare}: each runtime
 * asks the database, in one statement, for its own share only (rendezvous hashing over the live
 * runtimes, known from their heartbeats in {@code crontainer_node}, written at every poll), and
 * takes over, one poll later, a share that a dead, slow or busy runtime left unclaimed.
 *
 * <p>
 * <b>Commit.</b> {@code last_end} moves to the window end only by a compare-and-set on the claim token
 * <em>and</em> the window start ({@link Repository#COMMIT}): a node that lost its lease (paused by GC,
 * partitioned, too slow) and whose window was taken over finds another token, and its commit changes
 * nothing ({@link FencedException}). Commits, releases and history rows of many runs are written in
 * one transaction, one statement each, by the {@link GroupCommitter}'s thread, so no run
 * waits for another's round trip. The commit statement also inserts the run's history row, so that the
 * history of committed windows is complete even if the node dies right after its commit.
 *
 * <p>
 * <b>Fire times.</b> {@code fire_done} moves forward when a claimed run is over (committed or
 * released), never when a lease merely expires: the fire time of a node killed mid-run stays
 * claimable, and the first node to claim it after the lease expired runs that window again.
 *
 * <p>
 * <b>Other nodes' changes</b> are polled every {@link Options#poll} ({@code changed_at} on the
 * database clock, with an overlap that covers transactions in flight): the cache that {@link #read}
 * answers from is refreshed, and the listener ({@link #listen}) is told. Polling, not
 * {@code LISTEN/NOTIFY}: notifications are lost while a node's connection is down and would need a
 * poll to catch up anyway, they need the driver's own API ({@code PGConnection}) beyond the OSGi JDBC
 * service, and one indexed query every 2 s per node costs nothing the database notices.
 *
 * <p>
 * <b>Failures.</b> The store opens even when the database is down: {@link #read} and {@link #claim}
 * then throw {@link StoreUnavailableException} naming the cause, so nothing runs and nothing is
 * guessed, and the lease keeper tries again every {@link Options#poll} until it connects. A loss and a
 * recovery are logged once each. A database whose tables are of a newer schema version is refused in
 * the same way, with the reason ({@link PostgreSQLSchema}).
 *
 * <p>
 * <b>Re-runs</b> are rows of {@code crontainer_rerun}, held by one node with a lease on the database
 * clock, renewed with the claims' by the {@link LeaseKeeper}; a node whose lease expired (killed)
 * leaves the re-run to the first node that claims it then ({@link #claimRerun}). Every change is one
 * durable statement, a compare-and-set on the holder and the window done.
 *
 * <p>
 * <b>Parts.</b> {@link Repository}: the SQL and its row mapping, no threads. {@link LeaseKeeper}: the
 * thread that renews, polls and reconnects. {@link GroupCommitter}: the thread that writes commits and
 * history in groups. {@link Availability}: whether the database can be reached, and why not.
 * Connections come from a HikariCP pool over the given data source. This class ties them together
 * and keeps the records last read or written (the cache {@link #read} answers from).
 *
 * <p>
 * <b>Threads.</b> Thread-safe. Claims, releases and operators' changes run on the caller's thread, on
 * a pooled connection; commits and history on the committer's thread; renewals, polls and reconnects
 * on the keeper's. No lock of this class is held during I/O, and the listener and the commit stages
 * are called with none held. Every instant this node takes (a retry time, a claim's start for a log
 * line, a reading of the skew) comes from the injected {@link Clock}; durations are measured with
 * {@link System#nanoTime}. The skew is measured on the keeper's thread.
 */
public final class PostgreSQLStateStore implements StateStore {

	/**
	 * The timing of claims and polls.
	 *
	 * @param lease How long a claim holds without renewal, on the database clock: a node killed with
	 *        {@code kill -9} leaves its window to another node after at most this.
	 * @param renewEvery How often the leases of running runs are renewed.
	 * @param poll How often other nodes' changes are read, and a lost database is tried again.
	 * @param queryTimeout The time limit of each statement, and of a wait for a free connection.
	 * @param historyKept Runs kept in the database per plugin name, with their logs; older ones are deleted.
	 *        100 by default, as the local store keeps ({@code cluster.history.kept}).
	 */
	public record Options(Duration lease, Duration renewEvery, Duration poll, Duration queryTimeout, int historyKept) {

		/**
		 * A 20 s lease renewed every 5 s: a node may fail three renewals in a row (a database
		 * fail-over, a long GC pause) before its run loses the claim, and a killed node's window is run
		 * again elsewhere within 20 s plus one poll, inside the 30 s promised. The newest 100 runs of each
		 * plugin name are kept, as the local store keeps them.
		 */
		public static final Options DEFAULT = new Options(Duration.ofSeconds(20), Duration.ofSeconds(5),
				Duration.ofSeconds(2), Duration.ofSeconds(10), 100);

		/** @throws IllegalArgumentException If a value is out of range; the message says which. */
		public Options {
			if (lease.compareTo(Duration.ofSeconds(1)) < 0) {
				throw new IllegalArgumentException("the lease must be at least 1 s: " + lease);
			}
			if (renewEvery.isNegative() || renewEvery.isZero() || renewEvery.compareTo(lease.dividedBy(2)) > 0) {
				throw new IllegalArgumentException("the renewal period must be positive and at most half the lease ("
						+ lease.dividedBy(2).toMillis() + " ms): " + renewEvery.toMillis() + " ms");
			}
			if (poll.isNegative() || poll.isZero() || queryTimeout.isNegative() || queryTimeout.isZero()) {
				throw new IllegalArgumentException("poll and queryTimeout must be positive");
			}
			if (historyKept < 1) {
				throw new IllegalArgumentException("historyKept must be at least 1: " + historyKept);
			}
		}

		/** These options with another lease, renewed at a quarter of it. */
		public Options withLease(Duration newLease) {
			return new Options(newLease, newLease.dividedBy(4), poll, queryTimeout, historyKept);
		}

		/** These options with another poll. */
		public Options withPoll(Duration newPoll) {
			return new Options(lease, renewEvery, newPoll, queryTimeout, historyKept);
		}

		/** These options with another number of runs kept per name. */
		public Options withHistoryKept(int runs) {
			return new Options(lease, renewEvery, poll, queryTimeout, runs);
		}
	}

	private static final Logger LOG = LoggerFactory.getLogger(PostgreSQLStateStore.class);
	/**
	 * One line per claim statement of {@link #claimShare}, at debug: how many fire times it asked for
	 * and how many it got (the cluster benchmark counts claim attempts from it).
	 */
	private static final Logger CLAIMS = LoggerFactory.getLogger("io.crontainer.store.postgresql.claims");
	/**
	 * Connections of the pool. The scheduler claims a tick's fire times in one statement on one thread,
	 * the committer and the lease keeper use one each; the rest serve releases (run threads), operators'
	 * reads and a store switch's hand-over, which come in bursts when many runs fail at once. HikariCP's
	 * rule of thumb for a database on its own machine is twice its cores plus its disks; 10 is that for a
	 * small server, and a burst that finds all 10 busy waits for one (see {@link Repository}), it does not
	 * make the store unavailable.
	 */
	static final int POOL_SIZE = 10;
	/** A retry of a fire time held elsewhere comes this long after the holder's lease ends. */
	private static final long RETRY_MARGIN_MILLIS = 250;
	/** A fire time sent back as early is forgotten this long after it, if its retry never came. */
	private static final Duration EARLY_KEPT = Duration.ofMinutes(1);
	private static final AtomicInteger POOLS = new AtomicInteger();

	private final DataSource dataSource;
	private final HikariDataSource pool;
	private final String node;
	private final Options options;
	private final Clock clock;
	private final String description;
	private final Supplier<Map<String, RunState>> imports;
	private final Availability availability;
	private final Repository repository;
	private final LeaseKeeper keeper;
	private final GroupCommitter committer;
	private final ClockSkew skew;
	/**
	 * The scheduled fire times this node claimed too early (its clock is ahead of the database's) and
	 * was told to claim again when due: their retry ({@link #claimOver}) is a plain claim, not a take-over.
	 */
	private final Set<EarlyFire> early = ConcurrentHashMap.newKeySet();
	/** The records as last read or written, by name: what {@link #read} answers. */
	private final Map<String, RunState> cache = new ConcurrentHashMap<>();
	/** The latest row seen per name by a poll: who holds or last ran it. */
	private final Map<String, Repository.Row> nodes = new ConcurrentHashMap<>();
	/**
	 * The live nodes of the cluster (this one included), sorted, from the last heartbeat: written by the
	 * keeper's thread, read by claims.
	 */
	private volatile List<String> live;
	/**
	 * The fire time of each name that {@link #claimShare} left to other runtimes and asked the caller to
	 * bring back: when it comes back, it is claimed only if no runtime took it meanwhile.
	 */
	private final Map<String, Instant> deferred = new ConcurrentHashMap<>();
	/**
	 * The version of each name's record that the listener knows: passed to it by a poll (keeper thread),
	 * or committed by this node (committer thread), whose scheduler learns it from the commit itself, so
	 * that a poll does not tell it again.
	 */
	private final Map<String, Long> notified = new ConcurrentHashMap<>();
	// Written and read by the keeper's thread only (and the opening thread before it starts).
	private Instant lastPoll;
	private volatile BiConsumer<String, RunState> listener;

	/** Opens a store on the system clock; see {@link #PostgreSQLStateStore(DataSource, String, String, Options, Clock, Supplier)}. */
	public PostgreSQLStateStore(DataSource dataSource, String what, String node, Options options,
			Supplier<Map<String, RunState>> imports) {
		this(dataSource, what, node, options, Clock.systemUTC(), imports);
	}

	/**
	 * Opens the store and starts its threads. Connecting (creating or checking the tables, loading the
	 * records, importing local ones) is tried at once and, until it succeeds, again every poll; until
	 * then reads and claims throw {@link StoreUnavailableException}. Never fails because of the
	 * database.
	 *
	 * @param dataSource The database, from the OSGi JDBC service ({@code DataSourceFactory}), unpooled:
	 *        the store pools it (HikariCP). Closed with the store if it is {@link AutoCloseable}.
	 * @param what Where the database is, for log lines (a URL without the password).
	 * @param node This runtime's node id, recorded with each claim and run. Must not be {@code null}.
	 * @param options The lease timing.
	 * @param clock The clock of the instants this node takes (retry times). Must not be {@code null}.
	 * @param imports The records of the local store this runtime used before; each one is copied into
	 *        the database if the database has no row for its name (so a runtime switched to PostgreSQL
	 *        keeps its windows). Called once, on the first successful connection. Must not be {@code null}.
	 */
	public PostgreSQLStateStore(DataSource dataSource, String what, String node, Options options, Clock clock,
			Supplier<Map<String, RunState>> imports) {
		this.dataSource = dataSource;
		this.node = Objects.requireNonNull(node, "node");
		this.options = options;
		this.clock = Objects.requireNonNull(clock, "clock");
		this.description = "PostgreSQL " + what + " (node " + node + ")";
		this.imports = imports;
		this.live = List.of(node);
		this.pool = pool(dataSource, options);
		this.availability = new Availability(description, options.poll());
		this.repository = new Repository(pool, availability, description, node, options.lease(), options.queryTimeout(),
				options.historyKept());
		this.keeper = new LeaseKeeper(repository, availability, new LeaseKeeper.Loader() {
			@Override
			public void connect() throws StoreUnavailableException {
				PostgreSQLStateStore.this.connect();
			}

			@Override
			public void poll() throws StoreUnavailableException {
				PostgreSQLStateStore.this.poll();
			}
		}, clock, options.lease(), options.renewEvery(), options.poll(), description);
		this.committer = new GroupCommitter(repository, description, options.lease(), this::committed);
		this.skew = new ClockSkew(description, node);
		try {
			connect();
		} catch (StoreUnavailableException e) {
			// logged by Availability; the keeper tries again every poll
		}
		committer.start();
		keeper.start();
	}

	/**
	 * The pool: HikariCP over the unpooled data source of the OSGi JDBC service. It opens no
	 * connection before the first statement and never fails to start (the database may be down); a
	 * connection whose statement failed with a connection error is evicted by the pool; each new
	 * connection is set to {@code synchronous_commit = off} (see {@link Repository}).
	 */
	private static HikariDataSource pool(DataSource dataSource, Options options) {
		HikariConfig config = new HikariConfig();
		config.setDataSource(dataSource);
		config.setPoolName("crontainer-store-" + POOLS.incrementAndGet());
		config.setMaximumPoolSize(POOL_SIZE);
		config.setMinimumIdle(2);
		long wait = Math.max(250, options.queryTimeout().toMillis());
		config.setConnectionTimeout(wait);
		config.setValidationTimeout(Math.max(250, Math.min(5000, wait / 2)));
		config.setInitializationFailTimeout(-1);
		config.setConnectionInitSql("SET synchronous_commit = off");
		config.setAutoCommit(true);
		config.setThreadFactory(runnable -> {
			Thread thread = new Thread(runnable, "crontainer-store-pool");
			thread.setDaemon(true);
			return thread;
		});
		return new HikariDataSource(config);
	}

	@Override
	public String describe() {
		return description;
	}

	@Override
	public String node() {
		return node;
	}

	/** Whether the database is reachable and the records are loaded. */
	public boolean isAvailable() {
		return availability.ready();
	}

	@Override
	public String availability() {
		return availability.reason();
	}

	/**
	 * Sets the listener told of every record that changed in the database (by another node, or by
	 * this one), on the keeper's thread, with no lock held. Replaces the previous one; {@code null} for
	 * none.
	 */
	@Override
	public void listen(BiConsumer<String, RunState> changed) {
		this.listener = changed;
	}

	@Override
	public void onAvailable(Runnable callback) {
		availability.onAvailable(callback);
	}

	@Override
	public void onUnavailable(Runnable callback) {
		availability.onUnavailable(callback);
	}

	// ------------------------------------------------------------------ connecting and polling

	/**
	 * Connects: probes the database apart from the pool (a fresh connection of the data source, which
	 * fails at once while the server is away instead of waiting for the pool's time-out), creates or
	 * checks the tables, imports local records and loads all. Opening thread, then keeper thread.
	 */
	private void connect() throws StoreUnavailableException {
		probe();
		repository.ensureSchema();
		int imported = repository.importLocal(imports.get());
		Repository.Changes all = repository.changesSince(null);
		cache.clear();
		all.rows().forEach((name, row) -> {
			cache.put(name, row.state());
			nodes.put(name, row);
		});
		tellAll(all);
		lastPoll = all.now();
		beat();
		if (imported > 0) {
			LOG.info("State store {}: {} records imported from the local store", description, imported);
		}
		availability.connected(all.rows().size() + " plugin records");
		skew.measured(repository.readClock(clock));
	}

	/** Opens and closes one connection of the unpooled data source: is the server there? */
	private void probe() throws StoreUnavailableException {
		try (java.sql.Connection connection = dataSource.getConnection()) {
			connection.isValid(1);
		} catch (java.sql.SQLException | RuntimeException e) {
			String message = e.getMessage() == null ? e.toString() : e.getMessage().replaceAll("\\s+", " ").trim();
			availability.lost("cannot connect: " + message);
			throw new StoreUnavailableException(description + ": cannot connect: " + message, e);
		}
	}

	/** After a (re)connection: the listener learns every record changed while the database was away. */
	private void tellAll(Repository.Changes all) {
		BiConsumer<String, RunState> l = listener;
		all.rows().forEach((name, row) -> {
			Long told = notified.put(name, row.state().version());
			if (l != null && told != null && told != row.state().version()) {
				tell(l, name, row.state());
			}
		});
	}

	private static void tell(BiConsumer<String, RunState> l, String name, RunState state) {
		try {
			l.accept(name, state);
		} catch (RuntimeException e) {
			LOG.error("The listener of the state store failed on {}", name, e);
		}
	}

	/** Reads the latest changes, refreshes the cache and tells the listener. Keeper thread. */
	void poll() throws StoreUnavailableException {
		Repository.Changes changes = repository.changesSince(lastPoll);
		lastPoll = changes.now();
		Instant forget = changes.now().minus(EARLY_KEPT);
		early.removeIf(fire -> fire.fire().isBefore(forget));
		skew.measured(repository.readClock(clock));
		BiConsumer<String, RunState> l = listener;
		changes.rows().forEach((name, row) -> {
			RunState fresh = row.state();
			remember(name, fresh);
			Long told = notified.get(name);
			if (told == null || told < fresh.version()) {
				notified.merge(name, fresh.version(), Math::max);
				if (l != null) {
					tell(l, name, fresh);
				}
			}
		});
		nodes.putAll(changes.rows());
		beat();
	}

	/**
	 * Records this node's heartbeat and learns the live nodes: those whose keeper polled within one
	 * lease (a node that stopped polling for that long is dead, partitioned or stalled). Keeper thread.
	 */
	private void beat() throws StoreUnavailableException {
		List<String> now = repository.heartbeat(options.lease()).stream().sorted().toList();
		List<String> before = live;
		live = now;
		if (!now.equals(before)) {
			LOG.info("State store {}: {} live runtime(s) share the fire times: {}", description, now.size(),
					String.join(", ", now));
		}
	}

	/**
	 * The live runtimes of the cluster, this one included, sorted, as of the last heartbeat (for
	 * diagnostics and tests). Never empty.
	 */
	public List<String> live() {
		return live;
	}

	/**
	 * The database's time minus this node's, as measured at the last poll (a statement's round trip
	 * halved); {@code null} before the first.
	 */
	@Override
	public Duration clockSkew() {
		return skew.skew();
	}

	/** While this node's clock is more than 1 s off the database's: what that costs, in one line. */
	@Override
	public String clockWarning() {
		return skew.warning();
	}

	/** Renews every lease of this node now (the keeper does it every {@link Options#renewEvery}). */
	void renewAll() throws StoreUnavailableException {
		keeper.renewAll();
	}

	/** What is known of a claim's lease without a round trip (for tests and diagnostics). */
	Lease lease(Claim claim) {
		return keeper.lease(claim);
	}

	/**
	 * The node that holds a live claim of the name, or else committed its last window, as of the last
	 * poll that saw the row change; {@code null} if unknown.
	 */
	@Override
	public String nodeOf(String name) {
		Repository.Row row = nodes.get(name);
		return row == null ? null : row.node();
	}

	/**
	 * From the last poll that saw the name's row change: its run in progress, or its newest history row.
	 * A copy each time: the caller may change it.
	 */
	@Override
	public CronRunDTO lastRunOf(String name) {
		Repository.Row row = nodes.get(name);
		CronRunDTO run = row == null ? null : row.lastRun();
		if (run == null) {
			return null;
		}
		CronRunDTO copy = new CronRunDTO();
		copy.name = run.name;
		copy.node = run.node;
		copy.trigger = run.trigger;
		copy.outcome = run.outcome;
		copy.scheduledFire = run.scheduledFire;
		copy.windowStart = run.windowStart;
		copy.windowEnd = run.windowEnd;
		copy.started = run.started;
		copy.finished = run.finished;
		copy.error = run.error;
		return copy;
	}

	// ------------------------------------------------------------------ StateStore

	@Override
	public RunState read(String name) throws StoreUnavailableException {
		if (!availability.ready()) {
			throw availability.notReady();
		}
		return cache.getOrDefault(name, RunState.NEW);
	}

	@Override
	public ClaimResult claim(String name, Instant windowStart, Instant fireTime) throws StoreUnavailableException {
		return claim(name, windowStart, fireTime, false);
	}

	/**
	 * {@inheritDoc}
	 *
	 * <p>
	 * The claim statement with one more condition: {@code claim_token IS NOT NULL}, an expired claim
	 * that was neither committed nor released; but the retry of a fire time that this store sent back
	 * as not due yet is a plain {@link #claim}.
	 */
	@Override
	public ClaimResult claimOver(String name, Instant windowStart, Instant fireTime) throws StoreUnavailableException {
		boolean wasEarly = fireTime != null && early.remove(new EarlyFire(name, fireTime));
		return claim(name, windowStart, fireTime, !wasEarly);
	}

	/** A scheduled fire time sent back because it was not due yet on the database's clock. */
	private record EarlyFire(String name, Instant fire) {
	}

	private ClaimResult claim(String name, Instant windowStart, Instant fireTime, boolean takeOver)
			throws StoreUnavailableException {
		if (!availability.ready()) {
			throw availability.notReady();
		}
		long token;
		do {
			token = ThreadLocalRandom.current().nextLong();
		} while (token == 0);
		ClaimResult result = tryClaim(name, windowStart, fireTime, token, takeOver);
		for (int again = 0; again < 3 && result != null && result.windowMoved()
				&& result.current().windowStart().equals(windowStart); again++) {
			// A concurrent claim won the row while this statement waited for its lock: the statement's
			// snapshot still shows the row before it. A new statement sees who holds it, and why.
			result = tryClaim(name, windowStart, fireTime, token, takeOver);
		}
		if (result == null) {
			repository.insert(name);
			result = tryClaim(name, windowStart, fireTime, token, takeOver);
			if (result == null) {
				throw new StoreUnavailableException("the record of " + name + " vanished while it was claimed", null);
			}
		}
		remember(name, result.current());
		if (result.granted()) {
			keeper.hold(result.claim());
		}
		return result;
	}

	/**
	 * {@inheritDoc}
	 *
	 * <p>
	 * One statement for the whole batch ({@link Repository#CLAIM_ALL}); names that have no row yet get
	 * one, and names whose row a concurrent claim held while the statement waited for it are claimed
	 * again one by one (as {@link #claim} does).
	 */
	@Override
	public List<ClaimResult> claimAll(List<ClaimRequest> requests) throws StoreUnavailableException {
		if (!availability.ready()) {
			throw availability.notReady();
		}
		if (requests.stream().map(ClaimRequest::name).distinct().count() != requests.size()) {
			throw new IllegalArgumentException("a name comes twice in one batch of claims");
		}
		List<Repository.ClaimOne> claims = new ArrayList<>(requests.size());
		for (ClaimRequest request : requests) {
			long token;
			do {
				token = ThreadLocalRandom.current().nextLong();
			} while (token == 0);
			claims.add(new Repository.ClaimOne(request.name(), token, request.windowStart(), request.fireTime()));
		}
		Map<String, Repository.Claimed> rows = claims.isEmpty() ? Map.of() : repository.claimAll(claims);
		List<ClaimResult> results = new ArrayList<>(requests.size());
		for (Repository.ClaimOne one : claims) {
			Repository.Claimed row = rows.get(one.name());
			ClaimResult result = row == null ? null : answer(one.name(), one.windowStart(), one.fire(), one.token(), false, row);
			if (result == null || row.skipped()
					|| result.windowMoved() && result.current().windowStart().equals(one.windowStart())) {
				results.add(claim(one.name(), one.windowStart(), one.fire(), false)); // a new name, or a race: alone
				continue;
			}
			remember(one.name(), result.current());
			if (result.granted()) {
				keeper.hold(result.claim());
			}
			results.add(result);
		}
		return results;
	}

	/**
	 * {@inheritDoc}
	 *
	 * <p>
	 * <b>Who asks.</b> Each fire time orders the live runtimes (from the heartbeats, {@link #live()}) by
	 * rendezvous hashing: a score per runtime from the runtime's id and the plugin's name, highest
	 * first ({@link #rank}); every runtime computes the same order without talking to the others. The first runtime claims it at once; the one ranked {@code r} is asked to come back
	 * {@code r} polls later and claims it then only if the latest poll does not show it claimed (by
	 * anyone, for this fire time or a later one). So a burst of N fire times costs each of K runtimes
	 * one statement for about N/K of them, no runtime asks for a fire time another one claimed, and a
	 * runtime that is dead, slow or at its limit has its share taken over one poll later. The order
	 * depends on the name only, so the fire times of a plugin go to the same runtime while the live
	 * runtimes stay the same: a run that outlasts its period is seen there as still running, with no
	 * round trip (an order per fire time sent the next fire time to another runtime, whose claim the
	 * database then refused: two claim attempts per run under overload in the cluster benchmark).
	 *
	 * <p>
	 * <b>The statement</b> is {@link Repository#CLAIM_ALL}: rows locked by another runtime's statement
	 * at that moment are skipped ({@code SKIP LOCKED}) and come back left, to be asked again a poll
	 * later. Names without a row get one first, all in one statement.
	 */
	@Override
	public List<ClaimResult> claimShare(List<ClaimRequest> due, int limit) throws StoreUnavailableException {
		if (limit < 0) {
			throw new IllegalArgumentException("the limit of claims is negative: " + limit);
		}
		if (due.stream().map(ClaimRequest::name).distinct().count() != due.size()) {
			throw new IllegalArgumentException("a name comes twice in one batch of claims");
		}
		if (due.stream().anyMatch(request -> request.fireTime() == null)) {
			throw new IllegalArgumentException("a share of due fire times has a request without a fire time");
		}
		if (!availability.ready()) {
			throw availability.notReady();
		}
		List<String> nodesNow = live;
		Instant now = clock.instant();
		ClaimResult[] results = new ClaimResult[due.size()];
		List<Integer> asked = new ArrayList<>();
		int room = limit;
		for (int i = 0; i < due.size(); i++) {
			ClaimRequest request = due.get(i);
			String name = request.name();
			Instant fire = request.fireTime();
			RunState known = cache.getOrDefault(name, RunState.NEW);
			boolean again = fire.equals(deferred.get(name));
			if (again) {
				deferred.remove(name, fire);
				Repository.Row row = nodes.get(name);
				if (row != null && row.taken(fire)) {
					results[i] = ClaimResult.elsewhere(known, "fire time " + Formats.instant(fire)
							+ " was claimed by another runtime", null);
					continue;
				}
			}
			int rank = again ? 0 : rank(node, nodesNow, name);
			if (rank > 0) {
				deferred.put(name, fire);
				results[i] = ClaimResult.left(known, "another runtime's share (this one is its choice number "
						+ (rank + 1) + " of " + nodesNow.size() + ")", now.plus(options.poll().multipliedBy(rank)));
				continue;
			}
			if (room == 0) {
				results[i] = ClaimResult.left(known, "this runtime has its most runs in progress", null);
				continue;
			}
			room--;
			asked.add(i);
		}
		if (!asked.isEmpty()) {
			claimAsked(due, asked, results, now);
		}
		if (CLAIMS.isDebugEnabled()) {
			long granted = java.util.Arrays.stream(results).filter(ClaimResult::granted).count();
			CLAIMS.debug("Claimed {} of {} fire time(s) asked for in one statement; {} due, {} live runtime(s)", granted,
					asked.size(), due.size(), nodesNow.size());
		}
		return java.util.Arrays.asList(results);
	}

	/** The one statement of {@link #claimShare}, for the requests it asks for. */
	private void claimAsked(List<ClaimRequest> due, List<Integer> asked, ClaimResult[] results, Instant now)
			throws StoreUnavailableException {
		List<Repository.ClaimOne> claims = new ArrayList<>(asked.size());
		for (int i : asked) {
			ClaimRequest request = due.get(i);
			// At the window start the row has: the caller's may be a poll behind (another runtime ran the
			// plugin's previous fire time), and the commit's compare-and-set is on the start granted.
			claims.add(new Repository.ClaimOne(request.name(), token(), null, request.fireTime()));
		}
		Map<String, Repository.Claimed> rows = repository.claimAll(claims);
		if (rows.containsValue(null)) { // names never seen: their rows first, then the claim again
			repository.insertAll(rows.entrySet().stream().filter(e -> e.getValue() == null).map(Map.Entry::getKey).toList());
			rows = repository.claimAll(claims);
		}
		for (int k = 0; k < asked.size(); k++) {
			Repository.ClaimOne one = claims.get(k);
			Repository.Claimed row = rows.get(one.name());
			int i = asked.get(k);
			if (row == null) {
				throw new StoreUnavailableException("the record of " + one.name() + " vanished while it was claimed", null);
			}
			if (row.skipped()) {
				deferred.put(one.name(), one.fire());
				results[i] = ClaimResult.left(cache.getOrDefault(one.name(), RunState.NEW),
						"another runtime's statement held its row", now.plus(options.poll()));
				continue;
			}
			ClaimResult result = answer(one.name(), row.grantedStart(), one.fire(), one.token(), false, row);
			if (result.windowMoved()) {
				// Not granted, yet the statement's snapshot shows no reason: another runtime changed the row
				// between the snapshot and the lock. A statement of its own sees who holds it, and why.
				result = claim(one.name(), result.current().windowStart(), one.fire(), false);
			}
			remember(one.name(), result.current());
			if (result.granted()) {
				keeper.hold(result.claim());
			}
			results[i] = result;
		}
	}

	private static long token() {
		long token;
		do {
			token = ThreadLocalRandom.current().nextLong();
		} while (token == 0);
		return token;
	}

	/**
	 * Where a node comes in the order of the live nodes for a name: 0 for the first. Rendezvous
	 * (highest random weight) hashing: each node scores {@code mix(key(name) + mix(node))},
	 * highest first, ties broken by the node id. The same on every runtime (it uses
	 * {@link String#hashCode}, which the Java specification fixes); a node not in {@code live} (this
	 * node before its first heartbeat) ranks as if it were.
	 */
	static int rank(String node, List<String> live, String name) {
		long key = mix(name.hashCode() * 0x9E3779B97F4A7C15L);
		long mine = mix(key + mix(node.hashCode()));
		int rank = 0;
		for (String other : live) {
			if (other.equals(node)) {
				continue;
			}
			long score = mix(key + mix(other.hashCode()));
			if (score > mine || score == mine && other.compareTo(node) < 0) {
				rank++;
			}
		}
		return rank;
	}

	/** The finalizer of SplitMix64: spreads every bit of its input over the output. */
	private static long mix(long z) {
		z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
		z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
		return z ^ (z >>> 31);
	}

	/** One claim statement, and what its answer means. @return {@code null} if the name has no row. */
	private ClaimResult tryClaim(String name, Instant windowStart, Instant fire, long token, boolean takeOver)
			throws StoreUnavailableException {
		Repository.Claimed row = repository.claim(name, windowStart, fire, token, takeOver);
		if (row == null) {
			return null;
		}
		return answer(name, windowStart, fire, token, takeOver, row);
	}

	/** What the row a claim statement found means: granted, or why not. */
	private ClaimResult answer(String name, Instant windowStart, Instant fire, long token, boolean takeOver,
			Repository.Claimed row) {
		RunState state = row.state();
		if (row.granted() != null) {
			return ClaimResult.granted(new Claim(name, token, windowStart, fire, node, row.granted(), row.now()), state);
		}
		if (fire != null && fire.isAfter(row.now().plus(Repository.DUE_TOLERANCE))) {
			// This node's clock is ahead of the database's: come back when the fire time is due there.
			Duration early = Duration.between(row.now(), fire);
			this.early.add(new EarlyFire(name, fire));
			return ClaimResult.elsewhere(state, "fire time " + Formats.instant(fire) + " is not due yet on the database's"
					+ " clock (it is " + Formats.instant(row.now()) + " there): this runtime's clock is ahead; claiming it"
					+ " again when due", clock.instant().plus(early));
		}
		if (row.leftMillis() != null) {
			String refusal = "running on node " + row.holder()
					+ (row.holderFire() == null ? " (fired by hand)"
							: " (fire time " + Formats.instant(row.holderFire()) + ")")
					+ ", its lease holds " + row.leftMillis() + " ms more";
			if (fire == null) {
				return ClaimResult.refused(state, refusal, false);
			}
			// The holder may be dead: try to take over when its lease expires (granted only if it did
			// not finish by then, see claimOver).
			Instant retryAt = clock.instant().plusMillis(row.leftMillis() + RETRY_MARGIN_MILLIS);
			return ClaimResult.elsewhere(state, refusal, retryAt);
		}
		if (takeOver && !row.claimed()) {
			return ClaimResult.elsewhere(state, "the runtime that held it finished; nothing to take over", null);
		}
		if (fire != null && state.paused()) {
			return ClaimResult.refused(state, "paused (cluster-wide)", false);
		}
		Instant fireDone = row.fireDone();
		if (fire != null && fireDone != null && !fireDone.isBefore(fire)) {
			return ClaimResult.elsewhere(state, "fire time " + Formats.instant(fire) + " ran already"
					+ (fireDone.equals(fire) ? "" : " (so did " + Formats.instant(fireDone) + ")"), null);
		}
		return ClaimResult.refused(state, "the window now starts at " + Formats.instant(state.windowStart(), windowStart)
				+ ", not at " + Formats.instant(windowStart, state.windowStart()), true);
	}

	@Override
	public CompletionStage<RunState> commit(Claim claim, Instant windowEnd) {
		LeaseKeeper.Held held = keeper.drop(claim);
		CompletionStage<RunState> stage = committer.commit(claim, windowEnd);
		if (held != null && held.known == Lease.UNCONFIRMED) {
			stage.thenAccept(state -> LOG.info("Cron plugin {}: its window [{}, {}) is committed: no other runtime took "
					+ "it over while its claim was unconfirmed", claim.name(), Formats.instant(claim.windowStart()),
					Formats.instant(windowEnd)));
		}
		return stage;
	}

	/**
	 * Releases at once, on the caller's thread (one round trip), so that the next claim of the name,
	 * on any node, finds it released. If the database cannot be reached the lease simply expires.
	 */
	@Override
	public void release(Claim claim) {
		keeper.drop(claim);
		if (!availability.ready()) {
			return; // the lease expires by itself; no wait for a connection that will not come
		}
		try {
			repository.release(claim.name(), claim.token());
		} catch (StoreUnavailableException e) {
			LOG.debug("The claim of {} is left to expire: {}", claim.name(), e.getMessage());
		}
	}

	@Override
	public boolean keepsHistory() {
		return true;
	}

	@Override
	public void appendHistory(CronRunDTO run) {
		committer.history(run, null);
	}

	/** The log goes into the run's history row (column {@code log}), so it is trimmed with it. */
	@Override
	public void appendHistory(CronRunDTO run, CronLogDTO log) {
		committer.history(run, log);
	}

	@Override
	public boolean keepsLogs() {
		return true;
	}

	@Override
	public CronLogDTO log(String name, long started) throws StoreUnavailableException {
		return repository.log(name, started);
	}

	@Override
	public List<CronRunDTO> history(String name, int limit) throws StoreUnavailableException {
		return repository.history(name, limit);
	}

	/** One query for all the names (the web console's list), not one per name. */
	@Override
	public Map<String, List<CronRunDTO>> histories(Collection<String> names, int limit)
			throws StoreUnavailableException {
		return repository.histories(names, limit);
	}

	@Override
	public RunState setPaused(String name, boolean paused) throws StoreUnavailableException {
		return setPaused(name, paused, null);
	}

	@Override
	public RunState setPaused(String name, boolean paused, PauseNote note) throws StoreUnavailableException {
		PauseNote kept = paused ? note : null;
		return update(name, false, (state, now) -> state.paused() == paused && Objects.equals(state.pause(), kept)
				? state : state.withPaused(paused, kept));
	}

	@Override
	public RunState setRetry(String name, Instant windowStart, PendingRetry retry) throws StoreUnavailableException {
		return update(name, false, (state, now) -> !state.windowStart().equals(windowStart)
				|| Objects.equals(state.retry(), retry) ? state : state.withRetry(retry));
	}

	/**
	 * {@inheritDoc}
	 *
	 * <p>
	 * The anchor recorded is the database's {@code now()}, not {@code anchor}: every node takes the
	 * {@code ?} fields from one clock, whichever node saw the interval first.
	 */
	@Override
	public RunState setAnchor(String name, Instant anchor, String anchorFor) throws StoreUnavailableException {
		return update(name, false,
				(state, now) -> anchorFor.equals(state.anchorFor()) ? state : state.withAnchor(now, anchorFor));
	}

	@Override
	public RunState reset(String name, Instant since) throws StoreUnavailableException {
		return update(name, true, (state, now) -> state.withLastEnd(since));
	}

	// ------------------------------------------------------------------ re-runs

	@Override
	public boolean keepsReruns() {
		return true;
	}

	/** One durable transaction; its lease is renewed by the lease keeper from now on. */
	@Override
	public Rerun startRerun(Rerun request) throws StoreUnavailableException {
		ready();
		Rerun started = repository.startRerun(request);
		if (started == null) {
			Rerun going = repository.reruns().stream().filter(r -> r.name().equals(request.name()) && r.inProgress())
					.findFirst().orElse(null);
			throw new IllegalStateException("cron plugin '" + request.name() + "' has a re-run in progress already"
					+ (going == null ? "" : " (of [" + Formats.instant(going.from()) + ", " + Formats.instant(going.to())
							+ "), asked by " + going.requestedBy() + ")")
					+ ": cancel it first");
		}
		keeper.holdRerun(started.id());
		return started;
	}

	@Override
	public List<Rerun> reruns() throws StoreUnavailableException {
		ready();
		return repository.reruns();
	}

	@Override
	public Rerun claimRerun(String name, long id) throws StoreUnavailableException {
		ready();
		Rerun held = repository.claimRerun(name, id);
		if (held != null) {
			keeper.holdRerun(id);
		}
		return held;
	}

	@Override
	public Rerun advanceRerun(String name, long id, Instant windowStart, Instant windowEnd, boolean succeeded)
			throws StoreUnavailableException {
		ready();
		return advanced(id, repository.advanceRerun(name, id, windowStart, windowEnd, succeeded, null));
	}

	/**
	 * One durable transaction on the caller's thread: the re-run's compare-and-set, the window's history
	 * row (with its log), and the trim of the name's history, as a commit's group does. If it fails
	 * before its commit, the row is handed to the commit thread instead (best effort, as
	 * {@link #appendHistory}). A failure after the commit (the connection lost as it answered) is not
	 * told from one before it, and then the row may be written twice: the database cannot say which.
	 */
	@Override
	public Rerun advanceRerun(String name, long id, Instant windowStart, Instant windowEnd, CronRunDTO run,
			CronLogDTO log) throws StoreUnavailableException {
		Rerun advanced;
		try {
			ready();
			advanced = repository.advanceRerun(name, id, windowStart, windowEnd, run.outcome == Outcome.SUCCEEDED,
					new Repository.HistoryRow(run, null, log));
		} catch (StoreUnavailableException | RuntimeException e) {
			committer.history(run, log);
			throw e;
		}
		return advanced(id, advanced);
	}

	/** A re-run over, or no longer this node's, leaves the lease keeper. */
	private Rerun advanced(long id, Rerun advanced) {
		if (advanced == null || !advanced.inProgress()) {
			keeper.dropRerun(id);
		}
		return advanced;
	}

	@Override
	public Rerun cancelRerun(String name) throws StoreUnavailableException {
		ready();
		return repository.cancelRerun(name);
	}

	@Override
	public Rerun endRerun(String name, long id) throws StoreUnavailableException {
		ready();
		Rerun ended = repository.endRerun(name, id);
		keeper.dropRerun(id);
		return ended;
	}

	@Override
	public void releaseRerun(String name, long id) {
		keeper.dropRerun(id);
		if (!availability.ready()) {
			return; // its lease expires by itself
		}
		try {
			repository.releaseRerun(name, id);
		} catch (StoreUnavailableException e) {
			LOG.debug("The re-run of {} is left to expire: {}", name, e.getMessage());
		}
	}

	private void ready() throws StoreUnavailableException {
		if (!availability.ready()) {
			throw availability.notReady();
		}
	}

	private RunState update(String name, boolean fence, java.util.function.BiFunction<RunState, Instant, RunState> change)
			throws StoreUnavailableException {
		if (!availability.ready()) {
			throw availability.notReady();
		}
		RunState written = repository.update(name, fence, change);
		remember(name, written);
		return written;
	}

	/** A commit of this node is durable (committer thread): its scheduler has the record from the commit. */
	private void committed(String name, RunState state) {
		remember(name, state);
		notified.merge(name, state.version(), Math::max);
	}

	private void remember(String name, RunState state) {
		cache.merge(name, state, (old, now) -> now.version() >= old.version() ? now : old);
	}

	/** Writes what is queued, stops the threads and closes the pool and the data source. Never throws. */
	@Override
	public void close() {
		Duration wait = options.queryTimeout().plusSeconds(2);
		keeper.close(wait);
		if (availability.ready()) {
			try {
				repository.leave(); // the others stop counting this node at once
			} catch (StoreUnavailableException e) {
				LOG.debug("The heartbeat of {} is left to expire: {}", description, e.getMessage());
			}
		}
		committer.close(wait);
		pool.close();
		if (dataSource instanceof AutoCloseable closeable) {
			try {
				closeable.close();
			} catch (Exception e) {
				LOG.debug("Cannot close the data source of {}", description, e);
			}
		}
	}
}
