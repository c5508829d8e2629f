package io.crontainer.scheduler.impl.store;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.crontainer.api.runtime.CronRunDTO;
import io.crontainer.api.runtime.Outcome;
import io.crontainer.api.runtime.Trigger;

/**
 * The run history of the local store, on disk: one line per finished run, appended to
 * {@value #FILE} in the state directory, so that {@code cron:history} survives a restart.
 *
 * <p>
 * A line is tab-separated: name, trigger, outcome, scheduled fire, window start, window end,
 * started, finished (ms since the epoch, empty for none), error, and, for a run someone asked for (a
 * re-run window), who asked (a tenth field, absent otherwise); tabs, line breaks and backslashes in
 * text are escaped. Lines are written without {@code fsync}: the history is best effort (a power loss
 * may lose the last runs, never a window: windows are in the journal). A line that cannot be parsed
 * (a torn last line) is skipped.
 *
 * <p>
 * Bounded: the newest {@link #perName} runs of each name are kept in memory, and the file is rewritten
 * with just those when it has grown to twice the runs kept plus 10,000 lines. The runs' logs
 * ({@link LocalLogs}) are kept for exactly the runs held here.
 *
 * <p>
 * <b>Failures.</b> A write that fails (a full disk, a directory made read-only) is logged once, at
 * WARN; the runs stay in memory, and the next {@link #write} after {@link #retry} rewrites the file
 * with every run held in memory, so nothing held is lost; once that succeeds, the recovery is logged
 * once, at INFO.
 *
 * <p>
 * <b>Threads.</b> {@link #append} and {@link #history} are called on any thread (run threads, the
 * timer, operators' threads) and touch memory only, under this object's monitor. {@link #write} and
 * {@link #close} do the file I/O, on one thread at a time: the store's committer thread (then the
 * closing thread, once the committer has ended); no I/O happens under the monitor.
 */
final class LocalHistory implements AutoCloseable {
	static final String FILE = "history.log";
	/** How long after a failed write the next is tried, unless told otherwise. */
	static final Duration RETRY = Duration.ofSeconds(10);
	private static final Logger LOG = LoggerFactory.getLogger(LocalHistory.class);

	/** Opens a file for writing, appending or from its start: the seam tests use to fill the disk. */
	interface Opener {
		Writer open(Path file, boolean append) throws IOException;

		Opener FILES = (file, append) -> append
				? Files.newBufferedWriter(file, UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND)
				: Files.newBufferedWriter(file, UTF_8, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
						StandardOpenOption.TRUNCATE_EXISTING);
	}

	private final Path file;
	private final int perName;
	private final Opener opener;
	private final Duration retry;
	private final LocalLogs logs;
	// Guarded by this.
	private final Map<String, Deque<CronRunDTO>> runs = new HashMap<>();
	private int kept;
	/** Runs appended and not written yet, oldest first. */
	private List<CronRunDTO> pending = new ArrayList<>();
	/**
	 * Whether the file must be rewritten with every run held (after a failed write, or when more runs
	 * waited than the file keeps): {@link #pending} is then empty.
	 */
	private boolean rewrite;

	// The writing thread only.
	private long lines;
	private Writer out;
	/** Whether the last write failed; when the next attempt may be made ({@link System#nanoTime()}). */
	private boolean failed;
	private long nextAttempt;
	/** Whether the file ends in a torn line (a crash during a write): the next line starts on a new one. */
	private boolean torn;

	/**
	 * Reads the history file of a directory, if there is one.
	 *
	 * @param dir The state directory.
	 * @param perName How many runs of each name are kept, at least 1.
	 */
	LocalHistory(Path dir, int perName) {
		this(dir, perName, Opener.FILES, RETRY);
	}

	/**
	 * @param opener Opens the files written.
	 * @param retry How long after a failed write the next one is tried.
	 */
	LocalHistory(Path dir, int perName, Opener opener, Duration retry) {
		this.file = dir.resolve(FILE);
		this.perName = perName;
		this.opener = opener;
		this.retry = retry;
		try (BufferedReader in = Files.newBufferedReader(file, UTF_8)) {
			String line;
			while ((line = in.readLine()) != null) {
				lines++;
				CronRunDTO run = parse(line);
				if (run != null) {
					keep(run);
				}
			}
			try (java.io.RandomAccessFile raw = new java.io.RandomAccessFile(file.toFile(), "r")) {
				if (raw.length() > 0) {
					raw.seek(raw.length() - 1);
					torn = raw.read() != '\n';
				}
			}
		} catch (NoSuchFileException e) {
			// no history yet
		} catch (IOException | RuntimeException e) {
			LOG.warn("Cannot read the run history {}; it starts anew", file, e);
		}
		logs = new LocalLogs(dir);
		Set<String> held = new HashSet<>();
		for (Deque<CronRunDTO> mine : runs.values()) {
			for (CronRunDTO run : mine) {
				held.add(LocalLogs.file(run.name, run.started));
			}
		}
		logs.keepOnly(held);
		logs.start();
	}

	/**
	 * Keeps a finished run in memory and queues it for {@link #write}; never throws, never does I/O.
	 *
	 * @return Whether the run is the first waiting to be written: the writer has work now.
	 */
	synchronized boolean append(CronRunDTO run) {
		return append(run, null);
	}

	/**
	 * {@link #append(CronRunDTO)}, with the run's log ({@code null} for none), which is kept as long as
	 * the run is held; never throws, never does I/O.
	 */
	synchronized boolean append(CronRunDTO run, io.crontainer.api.runtime.CronLogDTO log) {
		keep(run);
		if (log != null) {
			logs.add(run.name, run.started, log);
		} else if (run.outcome != io.crontainer.api.runtime.Outcome.SKIPPED) {
			logs.none(run.name, run.started); // rare: a run that ended before it could log
		}
		if (rewrite) {
			return false; // the rewrite waiting writes it
		}
		pending.add(run);
		if (pending.size() > 2 * kept + 10_000) { // the writer lags far behind: one rewrite covers it all
			pending = new ArrayList<>();
			rewrite = true;
		}
		return pending.size() == 1;
	}

	/**
	 * Writes the runs appended since the last write, or, after a failed write, the whole file with
	 * every run held once {@link #retry} has passed. The writing thread only; never throws.
	 *
	 * @return Whether the history is failing: call again after {@link #retry()}, even if nothing is
	 *         appended meanwhile.
	 */
	boolean write() {
		if (failed && System.nanoTime() - nextAttempt < 0) {
			return true;
		}
		String text;
		boolean whole;
		int count;
		synchronized (this) {
			whole = rewrite || (!pending.isEmpty() && lines + pending.size() > 2L * kept + 10_000);
			if (whole) {
				text = all();
				count = kept;
				pending = new ArrayList<>();
				rewrite = false;
			} else if (pending.isEmpty()) {
				return failed;
			} else {
				StringBuilder appended = new StringBuilder(pending.size() * 96);
				for (CronRunDTO run : pending) {
					appended.append(line(run));
				}
				text = appended.toString();
				count = pending.size();
				pending = new ArrayList<>();
			}
		}
		try {
			if (whole) {
				replace(text, count);
			} else {
				if (out == null) {
					out = opener.open(file, true);
				}
				if (torn) {
					out.write('\n');
					torn = false;
				}
				out.write(text);
				out.flush();
				lines += count;
			}
		} catch (IOException | RuntimeException e) {
			closeWriter();
			synchronized (this) {
				pending = new ArrayList<>();
				rewrite = true; // what is held in memory is written whole once the file can be written
			}
			nextAttempt = System.nanoTime() + retry.toNanos();
			if (!failed) {
				failed = true;
				long millis = retry.toMillis();
				LOG.warn("Cannot write the run history {}: {}; the newest {} runs of each plugin are kept in memory "
						+ "and written once the file can be written again (tried every {})", file, e.toString(), perName,
						millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms");
			}
			return true;
		}
		if (failed) {
			failed = false;
			LOG.info("The run history {} can be written again: it holds the {} runs kept in memory", file, count);
		}
		return false;
	}

	/**
	 * The log kept with a run, or {@code null}. A run that logged nothing has no file: for a run this
	 * history holds that was not skipped, was appended with a log, and whose log was not dropped, that is
	 * an empty log (after a restart, also for a run appended without one, which only this process knew).
	 * Any thread; reads a file, outside the monitor.
	 */
	io.crontainer.api.runtime.CronLogDTO log(String name, long started) {
		io.crontainer.api.runtime.CronLogDTO log = logs.read(name, started);
		if (log != null || logs.lost(name, started) || !ranAndHeld(name, started)) {
			return log;
		}
		io.crontainer.api.runtime.CronLogDTO empty = new io.crontainer.api.runtime.CronLogDTO();
		empty.name = name;
		empty.started = started;
		empty.lines = new ArrayList<>();
		return empty;
	}

	/** Whether a run of the name that started then (ms) is held and was not skipped. */
	private synchronized boolean ranAndHeld(String name, long started) {
		for (CronRunDTO run : runs.getOrDefault(name, new ArrayDeque<>())) {
			if (run.started == started && run.outcome != io.crontainer.api.runtime.Outcome.SKIPPED) {
				return true;
			}
		}
		return false;
	}

	/** How long after a failed write the next is tried. */
	Duration retry() {
		return retry;
	}

	/** The newest runs, newest first (by start), of a name or of all names ({@code null}). */
	synchronized List<CronRunDTO> history(String name, int limit) {
		if (name != null && !runs.containsKey(name)) {
			return List.of(); // a plugin that never ran: asked at each arrival, so without a sort or a copy
		}
		List<CronRunDTO> result = new ArrayList<>();
		for (Deque<CronRunDTO> mine : name == null ? runs.values() : List.of(runs.getOrDefault(name, new ArrayDeque<>()))) {
			Iterator<CronRunDTO> newestFirst = mine.descendingIterator();
			for (int i = 0; i < limit && newestFirst.hasNext(); i++) {
				result.add(newestFirst.next());
			}
		}
		result.sort(Comparator.comparingLong((CronRunDTO run) -> run.started).reversed());
		return result.subList(0, Math.min(limit, result.size())).stream().map(LocalHistory::copy).toList();
	}

	/** Writes what is waiting (one more attempt, even if the last failed), then closes the file. */
	@Override
	public void close() {
		nextAttempt = System.nanoTime();
		write();
		closeWriter();
		logs.close();
	}

	private void closeWriter() {
		if (out != null) {
			try {
				out.close();
			} catch (IOException e) {
				LOG.debug("Cannot close {}", file, e);
			}
			out = null;
		}
	}

	private void keep(CronRunDTO run) {
		Deque<CronRunDTO> mine = runs.computeIfAbsent(run.name, n -> new ArrayDeque<>());
		mine.addLast(run);
		kept++;
		if (mine.size() > perName) {
			CronRunDTO gone = mine.removeFirst();
			kept--;
			if (logs != null) {
				logs.evicted(gone.name, gone.started);
			}
		}
	}

	/** Every run held, as the file's text. Monitor held. */
	private String all() {
		StringBuilder text = new StringBuilder(kept * 96);
		for (Deque<CronRunDTO> mine : runs.values()) {
			for (CronRunDTO run : mine) {
				text.append(line(run));
			}
		}
		return text.toString();
	}

	/** Rewrites the file with a text of {@code count} lines, atomically. */
	private void replace(String text, int count) throws IOException {
		closeWriter();
		Path temp = file.resolveSibling(FILE + ".tmp");
		try (Writer writer = opener.open(temp, false)) {
			writer.write(text);
		}
		try {
			Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
		} catch (AtomicMoveNotSupportedException e) {
			Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
		}
		lines = count;
		torn = false;
	}

	static String line(CronRunDTO run) {
		StringBuilder out = new StringBuilder(128);
		LocalStateStore.escape(out, run.name);
		out.append('\t').append(run.trigger == null ? "" : run.trigger.name());
		out.append('\t').append(run.outcome == null ? "" : run.outcome.name());
		for (Long value : new Long[] { run.scheduledFire, run.windowStart, run.windowEnd, run.started, run.finished }) {
			out.append('\t').append(value == null ? "" : value.toString());
		}
		out.append('\t');
		if (run.error != null) {
			LocalStateStore.escape(out, run.error);
		}
		if (run.requestedBy != null) {
			LocalStateStore.escape(out.append('\t'), run.requestedBy);
		}
		return out.append('\n').toString();
	}

	static CronRunDTO parse(String line) {
		String[] fields = line.split("\t", -1);
		if (fields.length != 9 && fields.length != 10) {
			return null;
		}
		try {
			CronRunDTO run = new CronRunDTO();
			run.name = LocalStateStore.unescape(fields[0]);
			run.trigger = Trigger.valueOf(fields[1]);
			run.outcome = Outcome.valueOf(fields[2]);
			run.scheduledFire = number(fields[3]);
			run.windowStart = number(fields[4]);
			run.windowEnd = number(fields[5]);
			Long started = number(fields[6]);
			run.started = started == null ? 0 : started;
			run.finished = number(fields[7]);
			run.error = fields[8].isEmpty() ? null : LocalStateStore.unescape(fields[8]);
			run.requestedBy = fields.length == 10 ? LocalStateStore.unescape(fields[9]) : null;
			return run;
		} catch (IllegalArgumentException e) {
			return null;
		}
	}

	private static Long number(String text) {
		return text.isEmpty() ? null : Long.valueOf(text);
	}

	private static CronRunDTO copy(CronRunDTO run) {
		CronRunDTO copy = new CronRunDTO();
		copy.name = run.name;
		copy.trigger = run.trigger;
		copy.outcome = run.outcome;
		copy.scheduledFire = run.scheduledFire;
		copy.windowStart = run.windowStart;
		copy.windowEnd = run.windowEnd;
		copy.started = run.started;
		copy.finished = run.finished;
		copy.error = run.error;
		copy.node = run.node;
		copy.requestedBy = run.requestedBy;
		return copy;
	}
}
