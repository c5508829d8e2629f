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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

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
 * started, finished (ms since the epoch, empty for none), error; tabs, line breaks and backslashes in
 * text are escaped. Lines are written without {@code fsync}: the history is best effort (a power loss
 * may lose the last runs, never a window: windows are in the journal). A line that cannot be parsed
 * (a torn last line) is skipped.
 *
 * <p>
 * Bounded: the newest {@link #perName} runs of each name are kept in memory, and the file is rewritten
 * with just those when it has grown to twice the runs kept plus 10,000 lines.
 *
 * <p>
 * Thread-safe: every method holds this object's monitor; appends are small buffered writes.
 */
final class LocalHistory implements AutoCloseable {
	static final String FILE = "history.log";
	private static final Logger LOG = LoggerFactory.getLogger(LocalHistory.class);

	private final Path file;
	private final int perName;
	// Guarded by this.
	private final Map<String, Deque<CronRunDTO>> runs = new HashMap<>();
	private int kept;
	private long lines;
	private Writer out;
	private boolean failed;
	/** Whether the file ends in a torn line (a crash during a write): the next line starts on a new one. */
	private boolean torn;

	/**
	 * Reads the history file of a directory, if there is one.
	 *
	 * @param dir The state directory.
	 * @param perName How many runs of each name are kept, at least 1.
	 */
	LocalHistory(Path dir, int perName) {
		this.file = dir.resolve(FILE);
		this.perName = perName;
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
	}

	/** Appends a finished run; never throws (the history is best effort). */
	synchronized void append(CronRunDTO run) {
		keep(run);
		if (failed) {
			return;
		}
		try {
			if (out == null) {
				out = Files.newBufferedWriter(file, UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
			}
			if (torn) {
				out.write('\n');
				torn = false;
			}
			out.write(line(run));
			out.flush();
			lines++;
			if (lines > 2L * kept + 10_000) {
				compact();
			}
		} catch (IOException e) {
			failed = true;
			LOG.warn("Cannot write the run history {}; runs are kept in memory only until a restart", file, e);
		}
	}

	/** The newest runs, newest first (by start), of a name or of all names ({@code null}). */
	synchronized List<CronRunDTO> history(String name, int limit) {
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

	@Override
	public synchronized void close() {
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
			mine.removeFirst();
			kept--;
		}
	}

	/** Rewrites the file with the runs kept, atomically. */
	private void compact() throws IOException {
		close();
		Path temp = file.resolveSibling(FILE + ".tmp");
		StringBuilder text = new StringBuilder(kept * 96);
		for (Deque<CronRunDTO> mine : runs.values()) {
			for (CronRunDTO run : mine) {
				text.append(line(run));
			}
		}
		Files.writeString(temp, text, UTF_8);
		try {
			Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
		} catch (AtomicMoveNotSupportedException e) {
			Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
		}
		lines = kept;
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
		return out.append('\n').toString();
	}

	static CronRunDTO parse(String line) {
		String[] fields = line.split("\t", -1);
		if (fields.length != 9) {
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
		return copy;
	}
}
