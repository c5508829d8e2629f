package io.crontainer.scheduler.impl.store;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.zip.CRC32;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.crontainer.api.runtime.CronLogDTO;
import io.crontainer.api.runtime.CronRunDTO;
import io.crontainer.api.runtime.Outcome;
import io.crontainer.format.Formats;
import io.crontainer.store.api.Claim;
import io.crontainer.store.api.ClaimResult;
import io.crontainer.store.api.CorruptStateException;
import io.crontainer.store.api.FencedException;
import io.crontainer.store.api.PauseNote;
import io.crontainer.store.api.PendingRetry;
import io.crontainer.store.api.Rerun;
import io.crontainer.store.api.RunState;
import io.crontainer.store.api.StateStore;

/**
 * The local state store: every record in memory, persisted in one append-only journal file in a
 * directory, with grouped commits.
 *
 * <p>
 * <b>Journal.</b> {@value #JOURNAL} is UTF-8 text: a header line, then one line per change of a
 * record, the whole record each time, the newest line of a name winning:
 *
 * <pre>
 * # Crontainer run state journal, format 2
 * token-cleaner	17	2026-11-29T15:00:00.012Z	false			6f1c0a2e
 * </pre>
 *
 * Fields, separated by tabs: name, version, {@code lastEnd} (empty: never succeeded), paused
 * ({@code true}/{@code false}), anchor and anchorFor (both empty, or both set), and the CRC-32 (hex) of
 * the line up to its last tab. A record with a pause note or a pending retry has six more fields
 * before the CRC: who paused it, when, why (each empty if none), and the retry's attempt, attempts,
 * due instant and take-over fire time (all four empty if none); a record without either is written
 * in the six fields above, as before. Backslash, tab, CR and LF in names, intervals and the pause's
 * texts are escaped ({@code \\ \t \r \n}).
 *
 * <p>
 * <b>Grouped commits.</b> Every change is applied in memory at once and queued for the committer
 * thread ({@code crontainer-state-committer}), which appends all queued lines with one write and one
 * {@link FileChannel#force(boolean) fdatasync}, then completes their stages: one flush for many runs,
 * and no caller waits for another's flush beyond sharing it. Woken by a change, the committer first
 * gathers the changes that keep coming ({@link #GATHER_QUIET_NANOS} without one ends it, unless the
 * burst is still starting: {@link #gatherWhile}), and it lasts {@link #GATHER_MAX_NANOS} at most, so
 * that a burst of runs (a thousand plugins due in the same second) shares one write, and the
 * committer's CPU comes after the burst's runs started instead of competing with them: a change waits
 * at most that much longer to be durable. When the journal has grown past twice the records (and at
 * least {@value #COMPACT_AT} lines) the committer rewrites it with one line per record (temporary
 * file, flush, atomic rename, flush of the directory).
 *
 * <p>
 * <b>What survives.</b> A change whose stage completed (a committed window, a pause, a reset) survives
 * {@code kill -9} and a power loss (the journal was flushed with {@code fdatasync}; a compaction
 * renames only a flushed file and flushes the directory). A change not yet flushed may survive
 * {@code kill -9} (it may be in the page cache) but not a power loss; either way its run had not
 * counted as succeeded. The committer writes whole lines, so a crash during an append leaves a prefix
 * of its write: only the final segment after the last newline can be torn, and it is dropped (and cut
 * off, logged at WARN with its byte count) at the next start. A complete line that fails its CRC-32 or
 * does not parse is damage, wherever it is, even last: it is kept, and its name is {@code BLOCKED}
 * until reset, with the window end of its last intact record in the reason (or, if the line names no
 * one, every name without an intact later line is).
 *
 * <p>
 * <b>Start.</b> The directory is listed once (stale temporary files of an interrupted compaction are
 * removed), and the records are read from the journal.
 *
 * <p>
 * <b>Threads.</b> Thread-safe. The records are guarded by one lock, held for memory operations only.
 * All file I/O after the start, the journal's and the history's ({@link #appendHistory} only hands a
 * run over), happens on the committer thread, and at {@link #close()} on the closing thread once the
 * committer has ended; the runs' logs are written by a thread of their own ({@link LocalLogs},
 * {@code crontainer-run-logs}), so that no commit waits for a log, and {@link #log} reads a log's file
 * on the caller's thread. Stages of commits complete on the committer thread, with no lock held. The
 * re-runs ({@link LocalReruns}, a file of their own) are written on their caller's thread, under
 * the re-runs' own lock, never the records' lock: few and rare, each change is durable when it
 * returns. A re-run's window first waits for the committer to write its run's history line
 * ({@link #advanceRerun(String, long, Instant, Instant, CronRunDTO, CronLogDTO)}), with no lock held.
 */
public final class LocalStateStore implements StateStore {

	/** The journal's file name. */
	public static final String JOURNAL = "runs.journal";
	/**
	 * Runs kept per plugin name, on disk and in memory ({@link LocalHistory}), with their logs: as many as
	 * the PostgreSQL store keeps by default, and all of them reached by {@code cron:history}.
	 */
	public static final int HISTORY_KEPT = 100;
	static final String HEADER = "# Crontainer run state journal, format 2";
	/** The journal is compacted beyond this many lines (and twice the records). */
	static final int COMPACT_AT = 10_000;
	/**
	 * How long the committer waits for one more change before it writes those queued: a burst's runs
	 * return microseconds apart, so a millisecond without one means the burst is over.
	 */
	static final long GATHER_QUIET_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
	/** The longest the committer gathers changes before it writes them, however many keep coming. */
	static final long GATHER_MAX_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
	private static final String TEMP_SUFFIX = ".tmp";
	private static final boolean WINDOWS = System.getProperty("os.name", "").toLowerCase(Locale.ROOT)
			.startsWith("windows");
	private static final Logger LOG = LoggerFactory.getLogger(LocalStateStore.class);

	/**
	 * Whether a burst is still starting (the timer hands its fires over, or its runs wait for a run
	 * thread): the committer gathers on even after {@link #GATHER_QUIET_NANOS} without a change. Any
	 * thread; never blocks.
	 */
	private volatile BooleanSupplier burstStarting = () -> false;

	/** One name's record: guarded by {@link #lock}. */
	private static final class Entry {
		RunState current;
		RunState durable;
		/** The token of the live claim; 0 if none. */
		long token;
		/** The fire time of the last scheduled claim. */
		Instant lastFire;
		/** Why the record cannot be read; {@code null} if it can. */
		String corrupt;
		/** The stage of the last change queued, until it is flushed. */
		CompletableFuture<RunState> pending;

		Entry(RunState state) {
			this.current = state;
			this.durable = state;
		}
	}

	private record Write(String name, Entry entry, RunState state, CompletableFuture<RunState> done,
			String corruptBefore) {
	}

	private final Path dir;
	private final Path journal;
	/** The run history on disk ({@value LocalHistory#FILE}): the newest runs of each name. */
	private final LocalHistory history;
	/** The re-runs on disk ({@value LocalReruns#FILE}). */
	private final LocalReruns reruns;
	private final Object lock = new Object();
	private final Thread committer;

	// Guarded by lock.
	private final Map<String, Entry> entries = new HashMap<>();
	/** Why every name without an intact line is blocked: a damaged line that names no one. */
	private String unattributed;
	private List<Write> queue = new ArrayList<>();
	/** Whether runs wait to be written to the history. */
	private boolean historyWaiting;
	private long tokens;
	private long versions;
	private boolean closed;

	// Committer thread only (and the constructor).
	private FileChannel channel;
	private long goodSize;
	private long lines;
	private boolean compactionRefusedLogged;

	/**
	 * Opens the store: creates the directory if missing, lists it once, reads every record, and starts
	 * the committer thread.
	 *
	 * @param dir The directory. Must not be {@code null}.
	 * @throws IOException If the directory or journal cannot be created, read or written.
	 */
	public LocalStateStore(Path dir) throws IOException {
		this(dir, LocalHistory.Opener.FILES, LocalHistory.RETRY);
	}

	/**
	 * As {@link #LocalStateStore(Path)}, with the history written through an opener (tests fill the
	 * disk) and retried after a failed write every {@code historyRetry}.
	 */
	LocalStateStore(Path dir, LocalHistory.Opener historyFiles, Duration historyRetry) throws IOException {
		this.dir = dir.toAbsolutePath();
		this.journal = this.dir.resolve(JOURNAL);
		Files.createDirectories(this.dir);
		boolean hasJournal = false;
		try (DirectoryStream<Path> files = Files.newDirectoryStream(this.dir)) {
			for (Path file : files) {
				String fileName = file.getFileName().toString();
				if (fileName.startsWith(".") && fileName.endsWith(TEMP_SUFFIX)) {
					Files.deleteIfExists(file);
					LOG.debug("Removed the stale temporary file {}", file);
				} else if (fileName.equals(JOURNAL)) {
					hasJournal = true;
				}
			}
		}
		if (hasJournal) {
			readJournal();
			channel = FileChannel.open(journal, StandardOpenOption.WRITE);
			channel.truncate(goodSize);
			channel.position(goodSize);
		} else {
			createJournal(journal);
			channel = FileChannel.open(journal, StandardOpenOption.WRITE);
			goodSize = channel.size();
			channel.position(goodSize);
		}
		history = new LocalHistory(this.dir, HISTORY_KEPT, historyFiles, historyRetry);
		reruns = new LocalReruns(this.dir, java.time.Clock.systemUTC());
		committer = new Thread(this::commitLoop, "crontainer-state-committer");
		committer.setDaemon(true);
		committer.start();
	}

	/** The directory of the journal. */
	public Path directory() {
		return dir;
	}

	/** Keeps the history on disk, in {@value LocalHistory#FILE} next to the journal. */
	@Override
	public boolean keepsHistory() {
		return true;
	}

	/** Keeps the run in memory and hands it to the committer thread, which writes it; no I/O here. */
	@Override
	public void appendHistory(CronRunDTO run) {
		if (history.append(run)) {
			synchronized (lock) {
				historyWaiting = true;
				lock.notifyAll();
			}
		}
	}

	/** Keeps the run and its log in memory and hands them to the committer thread; no I/O here. */
	@Override
	public void appendHistory(CronRunDTO run, CronLogDTO log) {
		if (history.append(run, log)) {
			synchronized (lock) {
				historyWaiting = true;
				lock.notifyAll();
			}
		}
	}

	/** Keeps the runs' logs on disk, one file per run in {@value LocalLogs#DIR}, as long as their runs' history. */
	@Override
	public boolean keepsLogs() {
		return true;
	}

	@Override
	public CronLogDTO log(String name, long started) {
		return history.log(name, started);
	}

	@Override
	public List<CronRunDTO> history(String name, int limit) {
		return history.history(name, limit);
	}

	/** Keeps re-runs on disk, in {@value LocalReruns#FILE} next to the journal, written at each change. */
	@Override
	public boolean keepsReruns() {
		return true;
	}

	@Override
	public Rerun startRerun(Rerun request) throws IOException {
		return reruns.start(request);
	}

	@Override
	public List<Rerun> reruns() {
		return reruns.all();
	}

	@Override
	public Rerun claimRerun(String name, long id) {
		return reruns.claim(name, id);
	}

	@Override
	public Rerun advanceRerun(String name, long id, Instant windowStart, Instant windowEnd, boolean succeeded)
			throws IOException {
		return reruns.advance(name, id, windowStart, windowEnd, succeeded);
	}

	/**
	 * The run's history line is written first, by the committer thread, and awaited ({@link #sync}); then
	 * the re-run's progress (its file rewritten and flushed). So a window counted done has its line even
	 * after {@code kill -9} (the line is in the file, or in the page cache); a crash between the two
	 * leaves the line without the progress, and the window runs again. The history file is not flushed
	 * ({@link LocalHistory}): a power loss may still lose the line. While the history file cannot be
	 * written (a full disk: one WARN says so, and the committer tries again every 10 s), the line is held
	 * in memory as every run's is, and the progress is recorded all the same: running a window again
	 * only for want of its history line would repeat what the plugin did.
	 */
	@Override
	public Rerun advanceRerun(String name, long id, Instant windowStart, Instant windowEnd, CronRunDTO run,
			CronLogDTO log) throws IOException {
		appendHistory(run, log);
		sync();
		return reruns.advance(name, id, windowStart, windowEnd, run.outcome == Outcome.SUCCEEDED);
	}

	@Override
	public Rerun cancelRerun(String name) throws IOException {
		return reruns.cancel(name);
	}

	@Override
	public Rerun endRerun(String name, long id) throws IOException {
		return reruns.end(name, id);
	}

	@Override
	public void releaseRerun(String name, long id) {
		reruns.release(name, id);
	}

	/**
	 * The readable records, by name: what a store that replaces this one imports (a runtime switched
	 * to PostgreSQL keeps its windows). Names whose record is corrupt are left out.
	 *
	 * @return A copy, sorted by name. Never {@code null}.
	 */
	public Map<String, RunState> records() {
		synchronized (lock) {
			Map<String, RunState> records = new java.util.TreeMap<>();
			entries.forEach((name, entry) -> {
				if (entry.corrupt == null && entry.current.version() > 0) {
					records.put(name, entry.current);
				}
			});
			return records;
		}
	}

	/**
	 * Tells the committer when a burst of runs is still starting (the timer hands its fires over, or
	 * its runs wait for a run thread), so that it gathers the burst's commits on while it is, even
	 * through a millisecond without one ({@link #GATHER_MAX_NANOS} at most still). The scheduler
	 * component calls it once the engine exists; without it a quiet millisecond ends a gathering.
	 *
	 * @param burstStarting Whether a burst is still starting now; called on the committer thread with
	 *        this store's lock held, so it must neither block nor take a lock. Must not be {@code null}.
	 */
	public void gatherWhile(BooleanSupplier burstStarting) {
		this.burstStarting = Objects.requireNonNull(burstStarting);
	}

	@Override
	public String describe() {
		return "local journal " + journal;
	}

	@Override
	public String node() {
		return null;
	}

	@Override
	public RunState read(String name) throws CorruptStateException {
		synchronized (lock) {
			Entry entry = entries.get(name);
			checkReadable(name, entry);
			return entry == null ? RunState.NEW : entry.current;
		}
	}

	@Override
	public ClaimResult claim(String name, Instant windowStart, Instant fireTime) throws CorruptStateException {
		synchronized (lock) {
			Entry entry = entries.get(name);
			checkReadable(name, entry);
			RunState current = entry == null ? RunState.NEW : entry.current;
			if (!current.windowStart().equals(windowStart)) {
				return ClaimResult.refused(current, "its window start is " + Formats.instant(current.windowStart(),
						windowStart) + ", not " + Formats.instant(windowStart, current.windowStart()), true);
			}
			if (entry != null && entry.token != 0) {
				return ClaimResult.refused(current, "a run of it holds its claim", false);
			}
			if (fireTime != null && entry != null && fireTime.equals(entry.lastFire)) {
				return ClaimResult.refused(current, "its fire time " + Formats.instant(fireTime) + " was claimed already",
						false);
			}
			if (entry == null) {
				entry = new Entry(RunState.NEW);
				entries.put(name, entry);
			}
			entry.token = ++tokens;
			if (fireTime != null) {
				entry.lastFire = fireTime;
			}
			return ClaimResult.granted(new Claim(name, entry.token, windowStart, fireTime, null, null), current);
		}
	}

	@Override
	public CompletionStage<RunState> commit(Claim claim, Instant windowEnd) {
		CompletableFuture<RunState> done = new CompletableFuture<>();
		synchronized (lock) {
			Entry entry = entries.get(claim.name());
			if (closed) {
				done.completeExceptionally(new IOException("the state store " + journal + " is closed"));
			} else if (entry == null || entry.token != claim.token() || entry.corrupt != null
					|| !entry.current.windowStart().equals(claim.windowStart())) {
				done.completeExceptionally(new FencedException("the claim of '" + claim.name()
						+ "' was fenced: its record was reset while it ran"));
			} else if (!windowEnd.isAfter(claim.windowStart())) {
				entry.token = 0;
				done.completeExceptionally(new IllegalArgumentException("window end " + windowEnd
						+ " is not after its start " + claim.windowStart()));
			} else {
				entry.token = 0;
				change(claim.name(), entry, entry.current.withLastEnd(windowEnd), done, null);
			}
		}
		return done;
	}

	@Override
	public void release(Claim claim) {
		synchronized (lock) {
			Entry entry = entries.get(claim.name());
			if (entry != null && entry.token == claim.token()) {
				entry.token = 0;
			}
		}
	}

	@Override
	public RunState setPaused(String name, boolean paused) throws CorruptStateException, IOException {
		return setPaused(name, paused, null);
	}

	@Override
	public RunState setPaused(String name, boolean paused, PauseNote note) throws CorruptStateException, IOException {
		CompletableFuture<RunState> done;
		synchronized (lock) {
			Entry entry = entries.get(name);
			checkReadable(name, entry);
			entry = entry != null ? entry : newEntry(name);
			PauseNote kept = paused ? note : null;
			if (entry.current.paused() == paused && (!paused || Objects.equals(entry.current.pause(), kept))) {
				done = entry.pending != null ? entry.pending : CompletableFuture.completedFuture(entry.current);
			} else {
				done = new CompletableFuture<>();
				change(name, entry, entry.current.withPaused(paused, kept), done, null);
			}
		}
		return await(done);
	}

	@Override
	public RunState setRetry(String name, Instant windowStart, PendingRetry retry)
			throws CorruptStateException, IOException {
		CompletableFuture<RunState> done;
		synchronized (lock) {
			Entry entry = entries.get(name);
			checkReadable(name, entry);
			entry = entry != null ? entry : newEntry(name);
			if (!entry.current.windowStart().equals(windowStart) || Objects.equals(entry.current.retry(), retry)) {
				done = entry.pending != null ? entry.pending : CompletableFuture.completedFuture(entry.current);
			} else {
				done = new CompletableFuture<>();
				change(name, entry, entry.current.withRetry(retry), done, null);
			}
		}
		return await(done);
	}

	@Override
	public RunState setAnchor(String name, Instant anchor, String anchorFor) throws CorruptStateException, IOException {
		CompletableFuture<RunState> done;
		synchronized (lock) {
			Entry entry = entries.get(name);
			checkReadable(name, entry);
			entry = entry != null ? entry : newEntry(name);
			if (entry.current.anchorOf(anchorFor) != null) {
				done = entry.pending != null ? entry.pending : CompletableFuture.completedFuture(entry.current);
			} else {
				done = new CompletableFuture<>();
				change(name, entry, entry.current.withAnchor(anchor, anchorFor), done, null);
			}
		}
		return await(done);
	}

	@Override
	public RunState reset(String name, Instant since) throws IOException {
		CompletableFuture<RunState> done = new CompletableFuture<>();
		synchronized (lock) {
			Entry entry = entries.get(name);
			entry = entry != null ? entry : newEntry(name);
			String corruptBefore = corruptReason(entry);
			RunState base = corruptBefore == null ? entry.current : RunState.NEW;
			entry.corrupt = null;
			entry.token = 0; // fences a run in progress: its commit fails and this reset wins
			entry.lastFire = null;
			change(name, entry, new RunState(since, base.paused(), base.anchor(), base.anchorFor(), 0, base.pause(), null),
					done, corruptBefore);
		}
		return await(done);
	}

	/**
	 * Waits until every change queued so far is durable and its stage completed (with whatever the
	 * stage's dependents did on the committer thread), and the history appended so far was written (or
	 * its write failed). For tests and orderly shutdowns.
	 */
	public void sync() {
		CompletableFuture<RunState> done = new CompletableFuture<>();
		synchronized (lock) {
			if (closed) {
				return;
			}
			queue.add(new Write(null, null, null, done, null));
			lock.notifyAll();
		}
		try {
			await(done);
		} catch (IOException e) {
			// the changes before it failed and said so to their callers
		}
	}

	@Override
	public void close() {
		synchronized (lock) {
			if (closed) {
				return;
			}
			closed = true;
			lock.notifyAll();
		}
		try {
			committer.join(Duration.ofSeconds(30).toMillis());
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
		try {
			channel.close();
		} catch (IOException e) {
			LOG.warn("Cannot close {}", journal, e);
		}
		history.close();
	}

	// ------------------------------------------------------------------ memory (lock held)

	private Entry newEntry(String name) {
		Entry entry = new Entry(RunState.NEW);
		entries.put(name, entry);
		return entry;
	}

	private void checkReadable(String name, Entry entry) throws CorruptStateException {
		String reason = corruptReason(entry);
		if (reason != null) {
			throw new CorruptStateException(reason);
		}
	}

	private String corruptReason(Entry entry) {
		if (entry != null) {
			if (entry.corrupt != null) {
				return entry.corrupt;
			}
			if (entry.durable.version() > 0 || entry.current.version() > 0) {
				return null;
			}
		}
		return unattributed;
	}

	/** Applies a change in memory and queues it for the committer. */
	private void change(String name, Entry entry, RunState next, CompletableFuture<RunState> done,
			String corruptBefore) {
		RunState numbered = next.atVersion(++versions);
		entry.current = numbered;
		entry.pending = done;
		queue.add(new Write(name, entry, numbered, done, corruptBefore));
		if (queue.size() == 1) {
			lock.notifyAll();
		}
	}

	private static RunState await(CompletableFuture<RunState> done) throws IOException {
		boolean interrupted = false;
		try {
			while (true) {
				try {
					return done.get();
				} catch (InterruptedException e) {
					interrupted = true; // the change is queued already: wait for its outcome
				} catch (ExecutionException e) {
					Throwable cause = e.getCause();
					if (cause instanceof IOException io) {
						throw io;
					}
					throw new IOException(String.valueOf(cause), cause);
				}
			}
		} finally {
			if (interrupted) {
				Thread.currentThread().interrupt();
			}
		}
	}

	// ------------------------------------------------------------------ committer thread

	/**
	 * The committer thread: writes the queued changes to the journal, completes their stages, then
	 * writes the runs waiting for the history (the journal first: windows wait for no history line).
	 * After a failed history write it wakes again after the history's retry, with nothing queued.
	 */
	private void commitLoop() {
		boolean historyFailing = false;
		while (true) {
			List<Write> batch;
			synchronized (lock) {
				long retryAt = System.nanoTime() + history.retry().toNanos();
				while (queue.isEmpty() && !historyWaiting && !closed) {
					try {
						if (!historyFailing) {
							lock.wait();
						} else {
							long left = retryAt - System.nanoTime();
							if (left <= 0) {
								break;
							}
							TimeUnit.NANOSECONDS.timedWait(lock, left);
						}
					} catch (InterruptedException e) {
						// only close() ends the committer, once the queue is written
					}
				}
				if (queue.isEmpty() && closed) {
					return; // close() writes the history's last runs
				}
				gather();
				batch = queue;
				queue = new ArrayList<>();
				historyWaiting = false;
			}
			if (batch.isEmpty()) {
				historyFailing = history.write();
				continue;
			}
			IOException failure = null;
			try {
				append(batch);
			} catch (IOException | RuntimeException e) {
				failure = e instanceof IOException io ? io : new IOException(e.toString(), e);
				LOG.error("Cannot write {} state changes to {}; they are lost and their runs count as failed",
						batch.size(), journal, e);
				recover();
			}
			synchronized (lock) {
				for (Write write : batch) {
					Entry entry = write.entry;
					if (entry == null) {
						continue; // a sync() marker
					}
					if (failure == null) {
						entry.durable = write.state;
					} else if (entry.current.version() <= write.state.version()) {
						entry.current = entry.durable;
						if (write.corruptBefore != null) {
							entry.corrupt = write.corruptBefore;
						}
					}
					if (entry.pending == write.done) {
						entry.pending = null;
					}
				}
			}
			for (Write write : batch) {
				if (write.entry == null) {
					continue; // a sync() marker: completed once the history is written too
				}
				if (failure == null) {
					write.done.complete(write.state);
				} else {
					write.done.completeExceptionally(failure);
				}
			}
			historyFailing = history.write();
			for (Write write : batch) {
				if (write.entry == null) {
					write.done.complete(null);
				}
			}
			if (failure == null && shouldCompact()) {
				try {
					compact();
				} catch (IOException | RuntimeException e) {
					LOG.warn("Cannot compact {}; it keeps growing until it can", journal, e);
					recover();
				}
			}
		}
	}

	/**
	 * Waits, lock held (released while waiting), while changes keep coming: until none came for
	 * {@link #GATHER_QUIET_NANOS}, for at most {@link #GATHER_MAX_NANOS}, or until the store closes. A
	 * burst of runs that return one after the other (a thousand plugins due in the same second) then
	 * shares one write and one flush, and the committer's work (formatting, writing, completing the
	 * runs' stages, which record their outcomes under the engine's lock) comes after the burst's runs
	 * have started instead of competing with them for the CPU. A change that comes alone waits
	 * {@link #GATHER_QUIET_NANOS} more. A change queued while the committer gathers does not wake it
	 * ({@link #change} notifies only the first of a batch). While the burst is still starting
	 * ({@link #gatherWhile}) a quiet millisecond does not end it: on a loaded machine the burst's run
	 * threads are preempted for that long (or take every run queued before the timer hands more over),
	 * and the write and the recording of the outcomes (under the engine's lock, which the timer needs to
	 * hand the rest of the burst over) then competed with the burst's start.
	 */
	private void gather() {
		long deadline = System.nanoTime() + GATHER_MAX_NANOS;
		int seen = queue.size();
		while (!closed) {
			long wait = Math.min(GATHER_QUIET_NANOS, deadline - System.nanoTime());
			if (wait <= 0) {
				return;
			}
			try {
				TimeUnit.NANOSECONDS.timedWait(lock, wait);
			} catch (InterruptedException e) {
				return; // nothing interrupts the committer; if something did, write at once
			}
			int now = queue.size();
			if (now == seen && !burstStarting.getAsBoolean()) {
				return; // quiet, and no run waits to start: the burst, if any, is over
			}
			seen = now;
		}
	}

	private void append(List<Write> batch) throws IOException {
		StringBuilder text = new StringBuilder(batch.size() * 96);
		for (Write write : batch) {
			if (write.entry != null) {
				line(text, write.name, write.state);
			}
		}
		ByteBuffer buffer = ByteBuffer.wrap(text.toString().getBytes(UTF_8));
		int size = buffer.remaining();
		while (buffer.hasRemaining()) {
			channel.write(buffer);
		}
		if (size > 0) {
			channel.force(false);
		}
		goodSize += size;
		lines += batch.size();
	}

	/** After a failed write: cut the journal back to what was flushed, reopening it if need be. */
	private void recover() {
		try {
			if (!channel.isOpen()) {
				channel = FileChannel.open(journal, StandardOpenOption.WRITE);
			}
			channel.truncate(goodSize);
			channel.position(goodSize);
		} catch (IOException | RuntimeException e) {
			LOG.warn("Cannot cut {} back to {} bytes after a failed write", journal, goodSize, e);
		}
	}

	private boolean shouldCompact() {
		int records;
		synchronized (lock) {
			records = entries.size();
		}
		return lines > COMPACT_AT && lines > 2L * records;
	}

	/**
	 * Rewrites the journal with one line per record. Refused (and logged once) while a record is
	 * corrupt: the damaged lines are the evidence an operator needs, and dropping them would turn a
	 * blocked name into a new one.
	 *
	 * @return Whether it was compacted.
	 */
	private boolean compact() throws IOException {
		StringBuilder text = new StringBuilder(HEADER).append('\n');
		int count = 0;
		synchronized (lock) {
			boolean corrupt = unattributed != null || entries.values().stream().anyMatch(e -> e.corrupt != null);
			if (corrupt) {
				if (!compactionRefusedLogged) {
					compactionRefusedLogged = true;
					LOG.warn("{} has damaged lines: it is not compacted until the names they block are reset", journal);
				}
				return false;
			}
			for (Map.Entry<String, Entry> e : entries.entrySet()) {
				RunState durable = e.getValue().durable;
				if (durable.version() > 0) {
					line(text, e.getKey(), durable);
					count++;
				}
			}
		}
		Path temp = dir.resolve("." + JOURNAL + TEMP_SUFFIX);
		writeDurably(temp, text.toString());
		try {
			Files.move(temp, journal, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
		} catch (AtomicMoveNotSupportedException e) {
			Files.deleteIfExists(temp);
			throw new IOException("the file system of " + dir + " cannot rename atomically", e);
		}
		forceDirectory();
		channel.close();
		channel = FileChannel.open(journal, StandardOpenOption.WRITE);
		goodSize = channel.size();
		channel.position(goodSize);
		lines = count;
		LOG.debug("Compacted {} to {} records", journal, count);
		return true;
	}

	// ------------------------------------------------------------------ files

	private void createJournal(Path file) throws IOException {
		Path temp = dir.resolve("." + JOURNAL + TEMP_SUFFIX);
		writeDurably(temp, HEADER + "\n");
		Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
		forceDirectory();
	}

	private static void writeDurably(Path file, String text) throws IOException {
		try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
				StandardOpenOption.TRUNCATE_EXISTING)) {
			ByteBuffer buffer = ByteBuffer.wrap(text.getBytes(UTF_8));
			while (buffer.hasRemaining()) {
				out.write(buffer);
			}
			out.force(true);
		}
	}

	/** Flushes the directory entry of a rename to disk (POSIX); not possible, and not needed, on Windows. */
	private void forceDirectory() throws IOException {
		if (WINDOWS) {
			return;
		}
		try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
			d.force(true);
		}
	}

	/**
	 * Reads the journal at start (constructor only, before the committer runs).
	 *
	 * <p>
	 * What a crash can leave: the committer appends a batch of complete lines with one write, then
	 * {@code fdatasync}. A crash (or power loss) during that write can leave any prefix of it, so only the
	 * final segment after the last {@code '\n'} can be torn: it was never flushed and never acknowledged,
	 * and is dropped and cut off. A complete, newline-terminated line that fails its CRC-32 or does not
	 * parse was not left by a crash of ours: it is damage, wherever it is, and is never dropped, truncated
	 * or compacted away. The name it names is {@code BLOCKED} unless an intact later line of that name
	 * supersedes it; if it names no one, every name without an intact line after it is.
	 */
	private void readJournal() throws IOException {
		byte[] bytes = Files.readAllBytes(journal);
		int lineNo = 0;
		int start = 0;
		long completeEnd = 0;
		// the line of each name's last intact record
		Map<String, Integer> intactAt = new HashMap<>();
		// damaged lines of each name since its last intact record, in order
		Map<String, List<Integer>> damagedOf = new HashMap<>();
		// the last damaged line that names no one; 0 if none
		int lastUnattributed = 0;
		List<Integer> damaged = new ArrayList<>();
		while (start < bytes.length) {
			int end = start;
			while (end < bytes.length && bytes[end] != '\n') {
				end++;
			}
			if (end == bytes.length && lineNo > 0) {
				// An unterminated final segment: a prefix of a write cut off by a crash, never acknowledged.
				LOG.warn("State journal {}: dropping a torn tail of {} byte(s) after line {}, left by a crash during a"
						+ " write that was never acknowledged", journal, end - start, lineNo);
				break;
			}
			lineNo++;
			String text = new String(bytes, start, end - start, UTF_8);
			start = end + 1;
			completeEnd = start;
			if (lineNo == 1) {
				if (end == bytes.length || !text.equals(HEADER)) {
					unattributed = "state journal " + journal + " does not start with '" + HEADER + "'";
					goodSize = bytes.length;
					LOG.error("{}: every plugin without a record is BLOCKED", unattributed);
					return;
				}
				continue;
			}
			lines++;
			Parsed parsed = parseLine(text);
			if (parsed != null) {
				Entry entry = entries.get(parsed.name);
				if (entry == null) {
					entries.put(parsed.name, new Entry(parsed.state));
				} else {
					entry.current = parsed.state;
					entry.durable = parsed.state;
					entry.corrupt = null;
				}
				intactAt.put(parsed.name, lineNo);
				damagedOf.remove(parsed.name); // a whole newer record supersedes the damaged one
				versions = Math.max(versions, parsed.state.version());
				continue;
			}
			damaged.add(lineNo);
			String name = nameOf(text);
			if (name != null) {
				damagedOf.computeIfAbsent(name, n -> new ArrayList<>()).add(lineNo);
			} else {
				lastUnattributed = lineNo;
			}
		}
		for (Map.Entry<String, List<Integer>> e : damagedOf.entrySet()) {
			String name = e.getKey();
			Entry entry = entries.computeIfAbsent(name, n -> new Entry(RunState.NEW));
			List<Integer> at = e.getValue();
			entry.corrupt = "state journal " + journal + " has a damaged line for it (line " + at.get(0)
					+ (at.size() > 1 ? ", and " + (at.size() - 1) + " later" : "") + "), which fails its checksum or"
					+ " does not parse; " + resumeHint(name, intactAt.containsKey(name) ? entry.durable : null);
		}
		if (lastUnattributed > 0) {
			unattributed = "state journal " + journal + " has a damaged line " + lastUnattributed
					+ " that names no plugin; no intact record of this plugin follows it";
			for (Map.Entry<String, Entry> e : entries.entrySet()) {
				Integer at = intactAt.get(e.getKey());
				if (e.getValue().corrupt == null && at != null && at < lastUnattributed) {
					e.getValue().corrupt = unattributed + ", so it may have been this plugin's newer record; "
							+ resumeHint(e.getKey(), e.getValue().durable);
				}
			}
			LOG.error("{}: every plugin without a later record is BLOCKED", unattributed);
		}
		if (!damaged.isEmpty()) {
			LOG.error("State journal {}: damaged lines {}; they are kept as evidence, and the journal is not compacted"
					+ " until the plugins they block are reset", journal, damaged);
		}
		for (Map.Entry<String, Entry> e : entries.entrySet()) {
			if (e.getValue().corrupt != null) {
				LOG.error("Cron plugin {} is BLOCKED: {}", e.getKey(), e.getValue().corrupt);
			}
		}
		goodSize = completeEnd;
	}

	/**
	 * How an operator resumes a name blocked by a damaged line without losing a committed window: from
	 * the window end of its last intact record before the damage, with the shell's {@code cron:reset}.
	 *
	 * @param name The name.
	 * @param lastIntact Its last intact record before the damage; {@code null} if there is none.
	 */
	private static String resumeHint(String name, RunState lastIntact) {
		String command = "cron:reset " + shellWord(name);
		if (lastIntact == null) {
			return "no intact record of it precedes that line: `" + command + "` starts its next window at the epoch"
					+ " (1970-01-01T00:00:00Z), or `" + command + " --since DATE-TIME` at the end of its last window"
					+ " if known from its history";
		}
		if (lastIntact.lastEnd() == null) {
			return "its last intact record before that line has no window end (it had never succeeded): `" + command
					+ "` starts its next window at the epoch (1970-01-01T00:00:00Z)";
		}
		String lastEnd = Formats.instant(lastIntact.lastEnd());
		return "the last intact record before it ends the window at " + lastEnd + ": `" + command + " --since "
				+ lastEnd + "` resumes from there (a later window may have been committed: check cron:history)";
	}

	/** A name as one Gogo shell argument: quoted unless it is plain. */
	private static String shellWord(String name) {
		if (!name.isEmpty() && name.chars().allMatch(c -> Character.isLetterOrDigit(c) || "._-:/@+".indexOf(c) >= 0)) {
			return name;
		}
		return '"' + name.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
	}

	private record Parsed(String name, RunState state) {
	}

	/** Parses a journal line; {@code null} if it is damaged. */
	static Parsed parseLine(String text) {
		int crcAt = text.lastIndexOf('\t');
		if (crcAt < 0) {
			return null;
		}
		CRC32 crc = new CRC32();
		crc.update(text.substring(0, crcAt).getBytes(UTF_8));
		if (!hex(crc.getValue()).equals(text.substring(crcAt + 1))) {
			return null;
		}
		String[] fields = text.substring(0, crcAt).split("\t", -1);
		if (fields.length != 6 && fields.length != 13) {
			return null;
		}
		try {
			String name = unescape(fields[0]);
			long version = Long.parseLong(fields[1]);
			Instant lastEnd = fields[2].isEmpty() ? null : Instant.parse(fields[2]);
			if (!fields[3].equals("true") && !fields[3].equals("false")) {
				return null;
			}
			Instant anchor = fields[4].isEmpty() ? null : Instant.parse(fields[4]);
			String anchorFor = fields[5].isEmpty() ? null : unescape(fields[5]);
			boolean paused = Boolean.parseBoolean(fields[3]);
			PauseNote pause = null;
			PendingRetry retry = null;
			if (fields.length == 13) {
				if (!fields[7].isEmpty()) {
					pause = new PauseNote(fields[6].isEmpty() ? null : unescape(fields[6]), Instant.parse(fields[7]),
							fields[8].isEmpty() ? null : unescape(fields[8]));
				} else if (!fields[6].isEmpty() || !fields[8].isEmpty()) {
					return null;
				}
				if (!fields[11].isEmpty()) {
					retry = new PendingRetry(Integer.parseInt(fields[9]), Integer.parseInt(fields[10]),
							Instant.parse(fields[11]), Instant.parse(fields[12]));
				} else if (!fields[9].isEmpty() || !fields[10].isEmpty() || !fields[12].isEmpty()) {
					return null;
				}
			}
			return new Parsed(name, new RunState(lastEnd, paused, anchor, anchorFor, version, pause, retry));
		} catch (DateTimeParseException | IllegalArgumentException e) {
			return null;
		}
	}

	/** The name a damaged line seems to be about, if its first field is plausible; else {@code null}. */
	private static String nameOf(String text) {
		int tab = text.indexOf('\t');
		if (tab <= 0) {
			return null;
		}
		String name = unescape(text.substring(0, tab));
		return name.chars().allMatch(c -> c >= 0x20 && c != 0xfffd) ? name : null;
	}

	static void line(StringBuilder out, String name, RunState state) {
		int from = out.length();
		escape(out, name);
		out.append('\t').append(state.version());
		out.append('\t');
		if (state.lastEnd() != null) {
			out.append(state.lastEnd());
		}
		out.append('\t').append(state.paused());
		out.append('\t');
		if (state.anchor() != null) {
			out.append(state.anchor());
		}
		out.append('\t');
		if (state.anchorFor() != null) {
			escape(out, state.anchorFor());
		}
		if (state.pause() != null || state.retry() != null) {
			PauseNote pause = state.pause();
			out.append('\t');
			if (pause != null && pause.by() != null) {
				escape(out, pause.by());
			}
			out.append('\t').append(pause == null ? "" : pause.at().toString()).append('\t');
			if (pause != null && pause.reason() != null) {
				escape(out, pause.reason());
			}
			PendingRetry retry = state.retry();
			if (retry == null) {
				out.append("\t\t\t\t");
			} else {
				out.append('\t').append(retry.attempt()).append('\t').append(retry.attempts()).append('\t')
						.append(retry.at()).append('\t').append(retry.until());
			}
		}
		CRC32 crc = new CRC32();
		crc.update(out.substring(from).getBytes(UTF_8));
		out.append('\t').append(hex(crc.getValue())).append('\n');
	}

	/** A CRC-32 as 8 lower-case hex digits. */
	private static String hex(long crc) {
		String digits = Long.toHexString(crc);
		return "00000000".substring(digits.length()) + digits;
	}

	/**
	 * Appends text with backslash, tab, newline and carriage return escaped, so that it fits one field of
	 * a tab-separated line; {@link #unescape(String)} reverses it. Shared with {@link LocalHistory}.
	 */
	static void escape(StringBuilder out, String text) {
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			switch (c) {
			case '\\' -> out.append("\\\\");
			case '\t' -> out.append("\\t");
			case '\n' -> out.append("\\n");
			case '\r' -> out.append("\\r");
			default -> out.append(c);
			}
		}
	}

	/** Reverses {@link #escape(StringBuilder, String)}. */
	static String unescape(String text) {
		if (text.indexOf('\\') < 0) {
			return text;
		}
		StringBuilder out = new StringBuilder(text.length());
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (c == '\\' && i + 1 < text.length()) {
				char n = text.charAt(++i);
				out.append(n == 'n' ? '\n' : n == 'r' ? '\r' : n == 't' ? '\t' : n);
			} else {
				out.append(c);
			}
		}
		return out.toString();
	}
}
