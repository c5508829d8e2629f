package io.crontainer.store.api;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

import org.osgi.annotation.versioning.ProviderType;

import io.crontainer.api.runtime.CronLogDTO;
import io.crontainer.api.runtime.CronRunDTO;
import io.crontainer.api.runtime.Outcome;

/**
 * Keeps, per cron plugin name, the run state ({@link RunState}: the window end, the pause and its
 * note, the {@code ?} anchor, a pending retry) and the claims of runs in progress: the one protocol by
 * which the scheduler reads and persists a record.
 *
 * <p>
 * <b>A run's life.</b> Before a run, the scheduler {@link #claim claims} the plugin's window; the
 * claim names the window start it expects (compare-and-set) and the fire time it runs. A run whose
 * claim was refused does not start. While it runs, a store whose claims are leases keeps them alive by
 * itself (its own lease keeper; the scheduler does nothing for it). When {@code run()} returns normally the
 * scheduler {@link #commit commits} the window end: the run counts as succeeded only once the
 * returned stage completes, which is when the new record is durable. A failed run
 * {@link #release releases} its claim and leaves the window as it was.
 *
 * <p>
 * <b>Whose clock.</b> A store shared by the runtimes of a cluster decides on its own clock (the
 * database's) everything they must agree on: it grants a scheduled fire time only once that time is
 * due on its clock, it says when each claim was granted ({@link Claim#claimedAt()}: the end of the
 * run's window), it records a {@code ?} anchor at its own time, and its leases run on it. A
 * runtime's own clock then only decides when it looks: a runtime whose clock is late claims late
 * (another runtime ran the fire time already), one whose clock is early is told when to come back
 * ({@link ClaimResult#retryAt()}). Such a store measures how far this runtime's clock is off
 * ({@link #clockSkew()}). A store that is not shared (the local store) keeps the runtime's clock.
 *
 * <p>
 * <b>Operators' changes</b> ({@link #setPaused}, {@link #setAnchor}, {@link #reset}), and the
 * scheduler's {@link #setRetry}, are atomic read-modify-writes of the current record: a pause never overwrites a concurrent commit, and a commit
 * never overwrites a concurrent reset: a reset fences every claim of the name, so the late commit
 * fails with {@link FencedException} and the reset wins.
 *
 * <p>
 * <b>Errors.</b> {@link CorruptStateException}: the name's record cannot be read; the plugin is
 * {@code BLOCKED} until {@link #reset} (never guessed). {@link StoreUnavailableException}: the store
 * cannot be reached now; the caller retries later and meanwhile runs nothing.
 *
 * <p>
 * <b>Threads.</b> Thread-safe; never called with the scheduler's lock held. Called by: the thread
 * that loads a plugin's record ({@link #read}, {@link #history}: the whiteboard thread on arrival, the
 * timer when a load is retried, the configuring thread after a store switch); the scheduler's claiming
 * thread ({@link #claimShare}: the fire times of a tick, together, never on the timer thread); run threads
 * ({@link #claim}, {@link #claimOver}, {@link #commit}, {@link #release}); any thread
 * that ends or skips a run ({@link #appendHistory}: run threads, the store's own thread, the timer for
 * a skipped fire, which is why it must do no I/O); operators' threads (shell, web console, MBean:
 * {@link #setPaused}, {@link #reset}, {@link #history}, {@link #log}, {@link #nodeOf}, {@link #availability});
 * run threads and the timer ({@link #setRetry}: after a failed run, and when a retry is dropped);
 * plugin-call threads ({@link #setAnchor}); the scheduler's component ({@link #listen},
 * {@link #onAvailable}, {@link #close}); operators' threads and the scheduler's threads that start,
 * claim, cancel and end re-runs (the re-run methods, since 1.1); a re-run window's run thread
 * ({@link #advanceRerun(String, long, Instant, Instant, CronRunDTO, CronLogDTO)}, which may block there
 * for its durable write: a transaction, or a committer's flush). Implementations must not call back into the scheduler while holding a lock of
 * their own, and must complete the stages returned by {@link #commit} without holding a lock (the
 * scheduler's completion code runs on the completing thread).
 *
 * <p>
 * <b>Re-runs</b> (since 1.1): a re-run of a range of past windows ({@link Rerun}) is kept durably from
 * {@link #startRerun} to its end, held by one runtime at a time with a lease like a claim's, and
 * advanced window by window, each window's progress durable with its run's history entry
 * ({@link #advanceRerun(String, long, Instant, Instant, CronRunDTO, CronLogDTO)}); it never changes a
 * {@link RunState}. Each of its windows runs under an ordinary {@link #claim} of the name (with no
 * fire time), which is {@link #release released}, never committed: so a window never runs beside
 * another run of the name.
 *
 * <p>
 * Implementations: the scheduler's built-in local store (the default: a journal under
 * {@code data/state}); others come from bundles of their own through {@link StateStoreProvider} (the
 * PostgreSQL store of a cluster, bundle {@code io.crontainer.store.postgresql}).
 */
@ProviderType
public interface StateStore extends AutoCloseable {

	/** The skew ({@link #clockSkew()}) beyond which a store warns: 1 s. @since 1.1 */
	Duration CLOCK_SKEW_LIMIT = Duration.ofSeconds(1);

	/**
	 * What and where the store is, for log lines and errors: {@code "local journal /opt/x/data/state"}.
	 *
	 * @return A short description. Never {@code null}.
	 */
	String describe();

	/**
	 * The id of this runtime in a cluster, as recorded in claims and history; {@code null} for a store
	 * that is not shared (the local store).
	 */
	String node();

	/**
	 * Reads the record of a name. Called once per plugin arrival (possibly 10,000 times in a burst at
	 * start): it must not cost a file miss or a database round trip per name when the store loaded its
	 * records at start; the local store answers from memory.
	 *
	 * @param name The plugin's name. Must not be {@code null}.
	 * @return The record; {@link RunState#NEW} (version 0) if the name has none.
	 * @throws CorruptStateException If the name's record exists but cannot be read.
	 * @throws StoreUnavailableException If the store cannot be reached now.
	 */
	RunState read(String name) throws CorruptStateException, StoreUnavailableException;

	/**
	 * Claims the window of a name for one run.
	 *
	 * <p>
	 * Granted only if the record's window start ({@link RunState#windowStart()}) equals
	 * {@code windowStart}, no other live claim of the name exists, and, for a scheduled fire, no claim
	 * was granted for the same {@code fireTime} already (in a cluster, the first runtime to claim a
	 * fire time runs it; the others are refused). A store shared by a cluster grants a scheduled fire
	 * time only once it is due on the store's clock (give or take a tolerance of its own); an early
	 * claim is refused with {@link ClaimResult#elsewhere()} and a {@link ClaimResult#retryAt()} on
	 * this runtime's clock when it is due. A local store grants it in memory, at once.
	 *
	 * @param name The plugin's name. Must not be {@code null}.
	 * @param windowStart The window start the caller expects, a UTC instant (the epoch for a plugin
	 *        that never succeeded). Must not be {@code null}.
	 * @param fireTime The scheduled fire time, a UTC instant; {@code null} for a run fired by hand.
	 * @return The claim, or the refusal with the current record. Never {@code null}.
	 * @throws CorruptStateException If the name's record cannot be read: nothing may run.
	 * @throws StoreUnavailableException If the store cannot be reached: nothing may run.
	 */
	ClaimResult claim(String name, Instant windowStart, Instant fireTime)
			throws CorruptStateException, StoreUnavailableException;

	/**
	 * Claims the windows of several names at once: the fire times one runtime runs in one tick, in one
	 * round trip where the store can (the PostgreSQL store: one statement). Each answer is what
	 * {@link #claim} would have answered for its request. The default claims one by one.
	 *
	 * @param requests The claims, of distinct names. Must not be {@code null}; not modified.
	 * @return The answers, in the order of the requests. Never {@code null}.
	 * @throws CorruptStateException If a name's record cannot be read: nothing of the batch is granted
	 *         (the caller may claim one by one to learn which).
	 * @throws StoreUnavailableException If the store cannot be reached: nothing of the batch is granted.
	 * @throws IllegalArgumentException If a name comes twice.
	 */
	default List<ClaimResult> claimAll(List<ClaimRequest> requests)
			throws CorruptStateException, StoreUnavailableException {
		if (requests.stream().map(ClaimRequest::name).distinct().count() != requests.size()) {
			throw new IllegalArgumentException("a name comes twice in one batch of claims");
		}
		List<ClaimResult> results = new ArrayList<>(requests.size());
		try {
			for (ClaimRequest request : requests) {
				results.add(claim(request.name(), request.windowStart(), request.fireTime()));
			}
		} catch (CorruptStateException | StoreUnavailableException | RuntimeException e) {
			results.stream().filter(ClaimResult::granted).forEach(granted -> release(granted.claim()));
			throw e;
		}
		return results;
	}

	/**
	 * Claims this runtime's share of the fire times due at once (the scheduled fires of one tick of the
	 * timer), in one round trip where the store can, and leaves the others to the other runtimes of a
	 * cluster without asking the database about them.
	 *
	 * <p>
	 * A store shared by a cluster spreads the fire times over its live runtimes: each plugin name has an
	 * order of runtimes of its own (the same on every runtime, so each runtime asks for about 1/N of a
	 * burst, and no two ask for the same one); the first claims it at once, the next ones only if it is
	 * still unclaimed one {@code cluster.poll} later (the first one is dead, slow or at its limit). An
	 * answer {@link ClaimResult#left} says when to ask again ({@link ClaimResult#retryAt()}); asked
	 * again, with the same request, the store claims it only if no other runtime did meanwhile, as far
	 * as it knows. At most {@code limit} requests are granted; the rest are left to the others. Unlike
	 * {@link #claim}, a request is granted at the window start the record has when it is claimed, which
	 * the claim names ({@link Claim#windowStart()}): the caller's may be behind, when another runtime ran
	 * the plugin's previous fire time; the commit's compare-and-set is on the start granted.
	 *
	 * <p>
	 * The default (a store no one else shares) claims the first {@code limit} requests with
	 * {@link #claimAll} and answers the rest {@link ClaimResult#left left} with no retry.
	 *
	 * @param due The scheduled fire times due, of distinct names, each with its fire time (not
	 *        {@code null}). Must not be {@code null}; not modified.
	 * @param limit The most claims to grant, at least 0 (runs this runtime may still start: its
	 *        {@code cluster.max.running} minus its runs in progress); {@link Integer#MAX_VALUE} for no
	 *        limit.
	 * @return The answers, in the order of the requests. Never {@code null}.
	 * @throws CorruptStateException If a name's record cannot be read: nothing of the batch is granted.
	 * @throws StoreUnavailableException If the store cannot be reached: nothing of the batch is granted.
	 * @throws IllegalArgumentException If a name comes twice, a fire time is {@code null}, or
	 *         {@code limit} is negative.
	 * @since 1.1
	 */
	default List<ClaimResult> claimShare(List<ClaimRequest> due, int limit)
			throws CorruptStateException, StoreUnavailableException {
		if (limit < 0) {
			throw new IllegalArgumentException("the limit of claims is negative: " + limit);
		}
		if (due.stream().anyMatch(request -> request.fireTime() == null)) {
			throw new IllegalArgumentException("a share of due fire times has a request without a fire time");
		}
		int asked = Math.min(limit, due.size());
		List<ClaimResult> results = new ArrayList<>(claimAll(due.subList(0, asked)));
		for (int i = 0; i < asked; i++) {
			ClaimResult result = results.get(i);
			if (!result.granted() && result.windowMoved()) {
				results.set(i, claim(due.get(i).name(), result.current().windowStart(), due.get(i).fireTime()));
			}
		}
		for (ClaimRequest request : due.subList(asked, due.size())) {
			results.add(ClaimResult.left(read(request.name()), "this runtime has its most runs in progress", null));
		}
		return results;
	}

	/**
	 * Claims the window of a name to take it over from a runtime whose claim's lease expired (it may
	 * be dead): granted like {@link #claim}, but only while an expired claim that was neither committed
	 * nor released holds the name. A claim that ended normally meanwhile (the other runtime finished)
	 * refuses it, with {@link ClaimResult#elsewhere()} and no retry. Called for the retries that
	 * {@link ClaimResult#retryAt()} asks for; a retry of a fire time that was refused because it was
	 * not due yet on the store's clock is claimed as {@link #claim} does (the store remembers which
	 * fire times it sent back for that). The default is {@link #claim} (a store no one else shares).
	 *
	 * @throws CorruptStateException If the name's record cannot be read: nothing may run.
	 * @throws StoreUnavailableException If the store cannot be reached: nothing may run.
	 */
	default ClaimResult claimOver(String name, Instant windowStart, Instant fireTime)
			throws CorruptStateException, StoreUnavailableException {
		return claim(name, windowStart, fireTime);
	}

	/**
	 * Commits a run's window end: sets {@code lastEnd = windowEnd} if the record's window start still
	 * is {@code claim.windowStart()} and the claim was not fenced meanwhile (compare-and-set), keeping
	 * the record's other fields as they are now (a pause made during the run stays), but a pending retry
	 * ({@link RunState#retry()}), which was owed for the old window, ends. The claim ends.
	 *
	 * <p>
	 * Commits are grouped: many runs share one flush, and the caller never waits for another run's
	 * commit. The stage completes on the store's thread, with no lock held.
	 *
	 * @param claim The run's claim. Must not be {@code null}.
	 * @param windowEnd The end of the run's window, a UTC instant after {@code claim.windowStart()}.
	 * @return A stage that completes with the new record once it is durable; exceptionally with
	 *         {@link FencedException} if the claim was fenced (the record is unchanged), or with an
	 *         {@link IOException} or {@link StoreUnavailableException} if it could not be made durable.
	 *         Never {@code null}.
	 */
	CompletionStage<RunState> commit(Claim claim, Instant windowEnd);

	/**
	 * Gives a claim up without a commit (a failed, interrupted or skipped run): the window stays. Never
	 * throws; if the store cannot be reached, the claim's lease expires by itself.
	 *
	 * @param claim The claim. Must not be {@code null}.
	 */
	void release(Claim claim);

	/**
	 * Pauses or resumes a name, durably, keeping the record's other fields.
	 *
	 * @return The record after the change, durable. Never {@code null}.
	 * @throws CorruptStateException If the name's record cannot be read (reset it instead).
	 * @throws StoreUnavailableException If the store cannot be reached.
	 * @throws IOException If the change could not be made durable; the record is unchanged.
	 */
	RunState setPaused(String name, boolean paused)
			throws CorruptStateException, StoreUnavailableException, IOException;

	/**
	 * Pauses or resumes a name, durably, keeping the record's other fields, and keeps who paused it,
	 * when and why ({@link RunState#pause()}); a resume drops the note. Pausing a paused name replaces
	 * its note. The default (a store of package version 1.0) keeps no note: it calls
	 * {@link #setPaused(String, boolean)}.
	 *
	 * @param note Who paused it, when and why; {@code null} for none. Ignored when {@code paused} is
	 *        {@code false}.
	 * @return The record after the change, durable. Never {@code null}.
	 * @throws CorruptStateException If the name's record cannot be read (reset it instead).
	 * @throws StoreUnavailableException If the store cannot be reached.
	 * @throws IOException If the change could not be made durable; the record is unchanged.
	 * @since 1.1
	 */
	default RunState setPaused(String name, boolean paused, PauseNote note)
			throws CorruptStateException, StoreUnavailableException, IOException {
		return setPaused(name, paused);
	}

	/**
	 * Sets or clears the retry owed for a name's window, durably, keeping the record's other fields: only
	 * if the record's window start is still {@code windowStart} (a commit or a reset made meanwhile
	 * wins, and the record is returned unchanged). A commit of the window, and a reset, clear it by
	 * themselves. The default (a store of package version 1.0) keeps no retry and returns the record as
	 * it is: the scheduler then keeps its retries in memory only.
	 *
	 * @param name The plugin's name. Must not be {@code null}.
	 * @param windowStart The start of the window the retry is for, a UTC instant. Must not be
	 *        {@code null}.
	 * @param retry The retry; {@code null} to clear it.
	 * @return The record after the change, durable (or unchanged, see above). Never {@code null}.
	 * @throws CorruptStateException If the name's record cannot be read.
	 * @throws StoreUnavailableException If the store cannot be reached.
	 * @throws IOException If the change could not be made durable; the record is unchanged.
	 * @since 1.1
	 */
	default RunState setRetry(String name, Instant windowStart, PendingRetry retry)
			throws CorruptStateException, StoreUnavailableException, IOException {
		return read(name);
	}

	/**
	 * Records the instant that the {@code ?} fields of an interval take their value from, durably,
	 * keeping the record's other fields. In a cluster the first anchor recorded wins: if the record has
	 * an anchor for the same interval already, it is kept and returned; and a store shared by a cluster
	 * records its own clock's time (the database's), not {@code anchor}, so that the anchor does not
	 * depend on which runtime's clock saw the interval first.
	 *
	 * @param name The plugin's name. Must not be {@code null}.
	 * @param anchor The creation instant, UTC, on this runtime's clock. Must not be {@code null}.
	 * @param anchorFor The interval, verbatim. Must not be {@code null}.
	 * @return The record after the change, durable: read its {@link RunState#anchorOf} for the anchor
	 *         in force. Never {@code null}.
	 * @throws CorruptStateException If the name's record cannot be read.
	 * @throws StoreUnavailableException If the store cannot be reached.
	 * @throws IOException If the change could not be made durable; the record is unchanged.
	 */
	RunState setAnchor(String name, Instant anchor, String anchorFor)
			throws CorruptStateException, StoreUnavailableException, IOException;

	/**
	 * Sets the start of a name's next window, durably, and fences every claim of the name (a run in
	 * progress will not commit). A readable record keeps its pause (and its note) and its anchor, and
	 * loses a pending retry; an unreadable
	 * (corrupt) one is replaced by a fresh record, which ends its {@code BLOCKED} state.
	 *
	 * @param name The plugin's name. Must not be {@code null}. It need not belong to a live plugin.
	 * @param since The new window start, UTC; {@code null} for the epoch.
	 * @return The record after the change, durable. Never {@code null}.
	 * @throws StoreUnavailableException If the store cannot be reached.
	 * @throws IOException If the change could not be made durable; the record is unchanged.
	 */
	RunState reset(String name, Instant since) throws StoreUnavailableException, IOException;

	/**
	 * Whether this store keeps the run history ({@link #appendHistory}, {@link #history}) across
	 * restarts. The scheduler keeps the recent history in memory either way.
	 */
	default boolean keepsHistory() {
		return false;
	}

	/**
	 * Appends a finished run to the persisted history, asynchronously and best effort (a lost history
	 * entry never fails a run): the run is handed to the store's own writer thread, and no I/O happens
	 * on the caller's (the timer appends skipped fires). The default keeps nothing.
	 *
	 * @param run The finished run. Must not be {@code null}; not modified afterwards by the caller.
	 */
	default void appendHistory(CronRunDTO run) {
		// not kept
	}

	/**
	 * Appends a finished run with the log it kept ({@link #appendHistory(CronRunDTO)}, with the log):
	 * asynchronously and best effort, no I/O on the caller's thread. A store that
	 * {@link #keepsLogs() keeps logs} keeps the log as long as the run's history entry, and drops it
	 * with it (the same retention: the stores of Crontainer keep the newest 100 runs per name). The default
	 * drops the log and appends the run.
	 *
	 * @param run The finished run. Must not be {@code null}; not modified afterwards by the caller.
	 * @param log The lines the run logged, bounded by the caller (at most a few hundred lines and
	 *        256 KB), with the run's name and start: empty for a run that logged nothing (kept, so
	 *        that it says so), {@code null} for a run that has no log (a skipped fire). Not modified
	 *        afterwards by the caller.
	 * @since 1.1
	 */
	default void appendHistory(CronRunDTO run, CronLogDTO log) {
		appendHistory(run);
	}

	/**
	 * Whether this store keeps the runs' logs ({@link #appendHistory(CronRunDTO, CronLogDTO)},
	 * {@link #log}). The default keeps none.
	 *
	 * @since 1.1
	 */
	default boolean keepsLogs() {
		return false;
	}

	/**
	 * The log of one run, as {@link #appendHistory(CronRunDTO, CronLogDTO)} was given it: lines,
	 * omitted count and position. Called on operators' threads; may do I/O.
	 *
	 * @param name The plugin's name. Must not be {@code null}.
	 * @param started The run's {@link CronRunDTO#started}, UTC epoch milliseconds.
	 * @return The log, a new object each time; {@code null} if none is kept for that run (it was
	 *         appended without one, or it is older than the history kept). The default keeps none.
	 * @throws StoreUnavailableException If the store cannot be reached.
	 * @since 1.1
	 */
	default CronLogDTO log(String name, long started) throws StoreUnavailableException {
		return null;
	}

	/**
	 * The persisted history, newest first. The default keeps none.
	 *
	 * @param name A plugin name, or {@code null} for every name.
	 * @param limit The greatest number of runs, greater than 0.
	 * @return The runs, newest first. Never {@code null}.
	 * @throws StoreUnavailableException If the store cannot be reached.
	 */
	default List<CronRunDTO> history(String name, int limit) throws StoreUnavailableException {
		return List.of();
	}

	/**
	 * The persisted history of several names at once: for each name, what {@link #history(String, int)}
	 * returns, in one round trip where the store can (the web console's list shows up to 100 plugins' runs).
	 * The default asks {@link #history(String, int)} once per name.
	 *
	 * @param names Plugin names; none {@code null}. Must not be {@code null}.
	 * @param limit The greatest number of runs per name, greater than 0.
	 * @return Each distinct name to its runs, newest first (an empty list for a name without any), in the order
	 *         of {@code names}. Never {@code null}.
	 * @throws StoreUnavailableException If the store cannot be reached.
	 * @since 1.1
	 */
	default Map<String, List<CronRunDTO>> histories(Collection<String> names, int limit)
			throws StoreUnavailableException {
		Map<String, List<CronRunDTO>> all = new LinkedHashMap<>();
		for (String name : names) {
			if (!all.containsKey(name)) {
				all.put(name, history(name, limit));
			}
		}
		return all;
	}

	/**
	 * The runtime of a cluster that holds the claim of a name now, or else committed its last window,
	 * as far as the store knows without a round trip; {@code null} if unknown or not a cluster.
	 */
	default String nodeOf(String name) {
		return null;
	}

	/**
	 * The newest run of a name on any runtime of a cluster, as far as the store knows without a round
	 * trip (from its last poll): a run in progress on some runtime (outcome {@code RUNNING}, its
	 * {@code started} the claim's time), else the newest run in the persisted history; {@code node} says
	 * where. {@code null} if unknown or not a cluster. A new object each time: the caller may keep and
	 * change it.
	 */
	default CronRunDTO lastRunOf(String name) {
		return null;
	}

	/**
	 * Sets who is told of records changed in the store by someone else (another runtime of a cluster
	 * paused, resumed or reset a plugin, recorded an anchor, or committed a window). The store calls
	 * it on a thread of its own, with no lock of its own held, with the name and the new record; the
	 * listener keeps records only if they are newer ({@link RunState#version()}) than its own. The
	 * default (a store no one else writes to) never calls it.
	 *
	 * @param changed The listener; replaces the previous one. {@code null} for none.
	 */
	default void listen(java.util.function.BiConsumer<String, RunState> changed) {
		// no one else writes to this store
	}

	/**
	 * Whether the store can be reached now, as far as it knows without a round trip: {@code null} if it
	 * can, else why not, in one line ("PostgreSQL ... is unavailable: connection refused"). A store
	 * that checks its database in the background (every {@code cluster.poll}) answers from that check,
	 * so that a lost database is seen within one poll, not at a plugin's next claim. The default (a
	 * store that is never unavailable for long) is {@code null}.
	 */
	default String availability() {
		return null;
	}

	/**
	 * How far this runtime's clock is off the store's: the store's time minus this runtime's
	 * (positive: this runtime's clock is behind), as last measured without a round trip of the
	 * caller's. A store shared by a cluster measures it in the background (the PostgreSQL store: every
	 * {@code cluster.poll}, from a statement's round trip halved). The default (a store whose clock is
	 * the runtime's own) is {@code null}: not measured.
	 *
	 * @return The skew, or {@code null} if not measured (yet).
	 * @since 1.1
	 */
	default Duration clockSkew() {
		return null;
	}

	/**
	 * Whether this runtime's clock is off the store's by more than the store tolerates
	 * ({@link #CLOCK_SKEW_LIMIT}): {@code null} if not (or not measured), else why it matters, in one
	 * line. The store logs the start and the end of such a skew once each; the scheduler shows this
	 * line in {@code cron:info} and its health check (WARN). The default is {@code null}.
	 *
	 * @since 1.1
	 */
	default String clockWarning() {
		return null;
	}

	/**
	 * Sets who is told when the store can be reached again after it could not (a database that came
	 * back), so that what failed with {@link StoreUnavailableException} is tried again at once. Called
	 * on a thread of the store's, with no lock of its own held. The default (a store that is never
	 * unavailable for long) never calls it.
	 *
	 * @param available The callback; replaces the previous one. {@code null} for none.
	 */
	default void onAvailable(Runnable available) {
		// never unavailable for long
	}

	/**
	 * Sets who is told when the store can no longer be reached (a database that went away), found by
	 * the store's own background check within one {@code cluster.poll}: the scheduler then shows the
	 * store's state ({@link #availability()}) at once, not at each plugin's next claim. Called on a
	 * thread of the store's, with no lock of its own held. The default never calls it.
	 *
	 * @param lost The callback; replaces the previous one. {@code null} for none.
	 */
	default void onUnavailable(Runnable lost) {
		// never unavailable for long
	}

	// ------------------------------------------------------------------ re-runs (since 1.1)

	/**
	 * Whether this store keeps re-runs of past windows ({@link #startRerun} and the methods after it).
	 * The default, for a store written against version 1.0 of this package: no; the scheduler then
	 * refuses re-runs with a message naming the store.
	 *
	 * @since 1.1
	 */
	default boolean keepsReruns() {
		return false;
	}

	/**
	 * Starts a re-run, durably: the name's newest re-run from now on, in progress, held by this runtime
	 * ({@link Rerun#node()} is {@link #node()}), its lease kept alive by the store (as a claim's) until
	 * {@link #releaseRerun released} or ended. A name has at most one re-run in progress.
	 *
	 * @param request The re-run asked for ({@link Rerun#request}); its id, progress and node are
	 *        ignored. Must not be {@code null}.
	 * @return The re-run as kept: its id assigned. Never {@code null}.
	 * @throws IllegalStateException If the name has a re-run in progress already.
	 * @throws StoreUnavailableException If the store cannot be reached.
	 * @throws IOException If it could not be made durable; nothing was kept.
	 * @throws UnsupportedOperationException If the store does not {@link #keepsReruns keep re-runs}.
	 * @since 1.1
	 */
	default Rerun startRerun(Rerun request) throws StoreUnavailableException, IOException {
		throw new UnsupportedOperationException(describe() + " does not keep re-runs");
	}

	/**
	 * The re-runs kept: every one in progress and, for each name, the newest one that ended.
	 *
	 * @return The re-runs, at most one in progress per name, in no order. Never {@code null}.
	 * @throws StoreUnavailableException If the store cannot be reached.
	 * @since 1.1
	 */
	default List<Rerun> reruns() throws StoreUnavailableException {
		return List.of();
	}

	/**
	 * Takes a re-run in progress for this runtime, or confirms that this runtime holds it, and returns
	 * it as kept now (a cancellation made elsewhere shows in it). Granted if no runtime holds it, this
	 * one does, or the lease of the one that held it expired (it may be dead: a take-over, from the
	 * first window not done). The store keeps the lease alive until {@link #releaseRerun} or the end.
	 * A store that is not shared always grants it.
	 *
	 * @param name The plugin's name. Must not be {@code null}.
	 * @param id The re-run's id.
	 * @return The re-run, held by this runtime; {@code null} if another runtime holds it with a live
	 *         lease, or it ended, or there is no such re-run.
	 * @throws StoreUnavailableException If the store cannot be reached.
	 * @since 1.1
	 */
	default Rerun claimRerun(String name, long id) throws StoreUnavailableException {
		return null;
	}

	/**
	 * Records that the window {@code [windowStart, windowEnd)} of a re-run held by this runtime ran,
	 * durably: its {@link Rerun#next()} moves from {@code windowStart} to {@code windowEnd} (a
	 * compare-and-set on the id, the holder and {@code next}), and it counts as done or failed. It ends
	 * if {@code windowEnd} is its end, or it was cancelled.
	 *
	 * @param name The plugin's name. Must not be {@code null}.
	 * @param id The re-run's id.
	 * @param windowStart The window's start: the re-run's {@code next} expected. Must not be {@code null}.
	 * @param windowEnd The window's end, after its start and not after the re-run's end. Must not be
	 *        {@code null}.
	 * @param succeeded Whether the window's run succeeded.
	 * @return The re-run after the change; {@code null} if it was not changed because this runtime no
	 *         longer holds it (taken over), it ended, or its {@code next} is not {@code windowStart}.
	 * @throws StoreUnavailableException If the store cannot be reached; nothing was changed.
	 * @throws IOException If the change could not be made durable; nothing was changed.
	 * @since 1.1
	 */
	default Rerun advanceRerun(String name, long id, Instant windowStart, Instant windowEnd, boolean succeeded)
			throws StoreUnavailableException, IOException {
		return null;
	}

	/**
	 * Records that a re-run's window ran, as {@link #advanceRerun(String, long, Instant, Instant, boolean)}
	 * does (done if {@code run}'s outcome is {@code SUCCEEDED}, else failed), and appends its run to the
	 * history ({@link #appendHistory(CronRunDTO, CronLogDTO)}). A store that keeps its history makes both
	 * durable in the same write, if it can: when this returns, both are kept, and a crash (even
	 * {@code kill -9}) never keeps the window's progress without its history entry. Where it cannot (its
	 * history cannot be written now), it records the progress all the same and keeps the entry as it
	 * keeps any run's it cannot write, and says so in its documentation: a window that ran is never run
	 * again only for its history entry. The run is appended in every case, once: whether or not the re-run
	 * moved (a window of a runtime that was taken over still ran), and, if this throws, best effort, as
	 * {@link #appendHistory(CronRunDTO, CronLogDTO)} does (the caller does not append it again). It is
	 * trimmed with the history as any other run. The scheduler calls this, not the other form, for each
	 * window that ran.
	 *
	 * <p>
	 * The default, for a store that keeps the two apart, gives no such guarantee: the other form, then
	 * {@link #appendHistory(CronRunDTO, CronLogDTO)} (best effort, after it), so a crash between them
	 * keeps the progress without the entry.
	 *
	 * @param name The plugin's name. Must not be {@code null}.
	 * @param id The re-run's id.
	 * @param windowStart The window's start: the re-run's {@code next} expected. Must not be {@code null}.
	 * @param windowEnd The window's end, after its start and not after the re-run's end. Must not be
	 *        {@code null}.
	 * @param run The window's run, finished: outcome {@code SUCCEEDED}, {@code FAILED} or
	 *        {@code TIMED_OUT}. Must not be {@code null}; not modified afterwards by the caller.
	 * @param log The lines the run logged, as for {@link #appendHistory(CronRunDTO, CronLogDTO)};
	 *        {@code null} for none. Not modified afterwards by the caller.
	 * @return The re-run after the change; {@code null} if it was not changed (see the other form).
	 * @throws StoreUnavailableException If the store cannot be reached; the re-run was not changed.
	 * @throws IOException If the change could not be made durable; the re-run was not changed.
	 * @since 1.1
	 */
	default Rerun advanceRerun(String name, long id, Instant windowStart, Instant windowEnd, CronRunDTO run,
			CronLogDTO log) throws StoreUnavailableException, IOException {
		try {
			return advanceRerun(name, id, windowStart, windowEnd, run.outcome == Outcome.SUCCEEDED);
		} finally {
			appendHistory(run, log);
		}
	}

	/**
	 * Cancels the re-run in progress of a name, durably: ended at once if no runtime holds it (or the
	 * lease of the one that held it expired); else marked cancelled, and its holder ends it
	 * ({@link #endRerun}) after the window it runs. Cancelling a cancelled re-run changes nothing.
	 *
	 * @param name The plugin's name. Must not be {@code null}.
	 * @return The re-run after the change; {@code null} if the name has none in progress.
	 * @throws StoreUnavailableException If the store cannot be reached.
	 * @throws IOException If the change could not be made durable; nothing was changed.
	 * @since 1.1
	 */
	default Rerun cancelRerun(String name) throws StoreUnavailableException, IOException {
		return null;
	}

	/**
	 * Ends a cancelled re-run that this runtime holds, durably, with no window more.
	 *
	 * @param name The plugin's name. Must not be {@code null}.
	 * @param id The re-run's id.
	 * @return The re-run after the change; {@code null} if this runtime does not hold it, or it is not
	 *         cancelled, or it ended already.
	 * @throws StoreUnavailableException If the store cannot be reached.
	 * @throws IOException If the change could not be made durable; nothing was changed.
	 * @since 1.1
	 */
	default Rerun endRerun(String name, long id) throws StoreUnavailableException, IOException {
		return null;
	}

	/**
	 * Gives up holding a re-run without ending it (its plugin left this runtime, or the scheduler
	 * stops): another runtime may take it over at once. Never throws; if the store cannot be reached,
	 * the lease expires by itself.
	 *
	 * @param name The plugin's name. Must not be {@code null}.
	 * @param id The re-run's id.
	 * @since 1.1
	 */
	default void releaseRerun(String name, long id) {
		// not kept
	}

	/**
	 * Closes the store: writes and flushes what was committed, then releases its resources (threads,
	 * files, connections). Commits made after it fail. Never throws.
	 */
	@Override
	void close();
}
