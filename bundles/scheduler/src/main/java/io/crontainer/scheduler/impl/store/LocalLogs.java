package io.crontainer.scheduler.impl.store;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.crontainer.api.runtime.CronLogDTO;
import io.crontainer.api.runtime.CronLogLineDTO;
import io.crontainer.store.api.RunLogText;

/**
 * The runs' logs of the local store, on disk: one file per run that logged, in {@value #DIR} under the
 * state directory, named by a hash of the plugin's name and the run's start
 * ({@code 3f2a...-1765100000000.log}); the file's first line is the plugin's name (escaped as in the
 * journal), the rest the log's text form ({@link RunLogText}). A file exists exactly as long as its run
 * is in the history ({@link LocalHistory}): it is deleted when the run leaves it, and files of runs it
 * no longer holds are deleted at start.
 *
 * <p>
 * Best effort, like the history: files are written without {@code fsync}; a write that fails is
 * logged at WARN (once until one succeeds again) and that log is dropped. Logs wait in memory until
 * the writer takes them, at most {@value #PENDING_MAX} characters: beyond that, a log is dropped and
 * counted (a writer far behind, a full disk), so a flood of runs keeps bounded memory.
 *
 * <p>
 * <b>Threads.</b> {@link #add}, {@link #evicted} and {@link #read} are called on any thread and touch
 * memory only under this object's monitor ({@link #read} reads a file outside it). The files are
 * written and deleted by a thread of its own ({@code crontainer-run-logs}), outside the monitor, so
 * that the store's committer, which makes windows durable, never waits for a log; {@link #close}
 * (the history's closing thread) writes what is left and stops it.
 */
final class LocalLogs {
	static final String DIR = "logs";
	/** The greatest number of characters of logs that wait to be written. */
	static final long PENDING_MAX = 32L << 20;
	private static final Logger LOG = LoggerFactory.getLogger(LocalLogs.class);

	private final Path dir;
	// Guarded by this.
	private Map<String, Pending> pending = new LinkedHashMap<>();
	private List<String> deletes = new ArrayList<>();
	private final Set<String> onDisk = new HashSet<>();
	private long pendingChars;
	private long dropped;
	private boolean closed;
	// The writing thread only.
	private boolean failing;
	private final Thread writer = new Thread(this::loop, "crontainer-run-logs");

	private record Pending(String name, CronLogDTO log, long chars) {
	}

	/** Opens the log directory of a state directory; it is created (owner-only) by the first write. */
	LocalLogs(Path stateDir) {
		this.dir = stateDir.resolve(DIR);
		if (!Files.isDirectory(dir)) {
			return;
		}
		try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
			for (Path file : files) {
				onDisk.add(file.getFileName().toString());
			}
		} catch (IOException e) {
			LOG.warn("Cannot read the directory of the runs' logs {}: {}", dir, e.toString());
		}
	}

	/** Starts the writing thread; after {@link #keepOnly}. */
	void start() {
		writer.setDaemon(true);
		writer.start();
	}

	private void loop() {
		while (true) {
			synchronized (this) {
				while (pending.isEmpty() && deletes.isEmpty() && !closed) {
					try {
						wait();
					} catch (InterruptedException e) {
						closed = true;
					}
				}
				if (closed) {
					return; // close() writes what is left
				}
			}
			write();
		}
	}

	/** Stops the writing thread and writes what waits, on the calling thread. */
	void close() {
		synchronized (this) {
			closed = true;
			notifyAll();
		}
		if (writer.isAlive()) {
			try {
				writer.join(10_000);
			} catch (InterruptedException e) {
				Thread.currentThread().interrupt();
			}
		}
		write();
	}

	/** Creates the directory if missing, owner-only where the file system has POSIX permissions. */
	private void createDirectory() throws IOException {
		if (Files.isDirectory(dir)) {
			return;
		}
		if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
			Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
		} else {
			Files.createDirectories(dir);
		}
	}

	/** The file name of a run's log. */
	static String file(String name, long started) {
		try {
			byte[] hash = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
			return HexFormat.of().formatHex(hash, 0, 8) + "-" + started + ".log";
		} catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException("SHA-256 is missing from this Java", e);
		}
	}

	/**
	 * Deletes, at start, the files of runs the history no longer holds (and stray files). The
	 * constructing thread, before any other call.
	 */
	void keepOnly(Set<String> files) {
		for (String name : List.copyOf(onDisk)) {
			if (!files.contains(name)) {
				try {
					Files.deleteIfExists(dir.resolve(name));
					onDisk.remove(name);
				} catch (IOException e) {
					LOG.debug("Cannot delete the stale run log {}", dir.resolve(name), e);
				}
			}
		}
	}

	/** Queues a run's log for writing; no I/O. A log that would exceed {@link #PENDING_MAX} is dropped. */
	synchronized void add(String name, long started, CronLogDTO log) {
		long chars = 64;
		for (CronLogLineDTO line : log.lines) {
			chars += 32 + line.logger.length() + line.message.length() + (line.thrown == null ? 0 : line.thrown.length());
		}
		if (pendingChars + chars > PENDING_MAX) {
			if (dropped++ == 0) {
				LOG.warn("The runs' logs wait to be written beyond {} MB; the logs of further runs are dropped until "
						+ "they are written ({})", PENDING_MAX >> 20, dir);
			}
			return;
		}
		Pending before = pending.put(file(name, started), new Pending(name, log, chars));
		pendingChars += chars - (before == null ? 0 : before.chars);
		notifyAll();
	}

	/** A run left the history: its log goes too. No I/O. */
	synchronized void evicted(String name, long started) {
		String file = file(name, started);
		Pending was = pending.remove(file);
		if (was != null) {
			pendingChars -= was.chars;
		}
		if (onDisk.contains(file)) {
			deletes.add(file);
			notifyAll();
		}
	}

	/**
	 * Writes the logs that wait and deletes those whose runs left. The writing thread only (then the
	 * closing thread, once it stopped); never throws.
	 */
	void write() {
		Map<String, Pending> writes;
		List<String> gone;
		long droppedBefore;
		synchronized (this) {
			if (pending.isEmpty() && deletes.isEmpty()) {
				return;
			}
			writes = new LinkedHashMap<>(pending); // they stay in pending (and readable) until written
			gone = deletes;
			deletes = new ArrayList<>();
			droppedBefore = dropped;
			dropped = 0;
		}
		if (droppedBefore > 0) {
			LOG.info("The runs' logs are written again; the logs of {} runs were dropped meanwhile", droppedBefore);
		}
		IOException failure = null;
		if (!writes.isEmpty()) {
			try {
				createDirectory();
			} catch (IOException e) {
				failure = e;
				synchronized (this) {
					writes.forEach(this::written); // dropped
				}
				writes = Map.of();
			}
		}
		for (Map.Entry<String, Pending> write : writes.entrySet()) {
			String file = write.getKey();
			try {
				StringBuilder text = new StringBuilder();
				LocalStateStore.escape(text, write.getValue().name);
				text.append('\n').append(RunLogText.write(write.getValue().log));
				Path temp = dir.resolve("." + file + ".tmp");
				Files.writeString(temp, text, UTF_8);
				move(temp, dir.resolve(file));
				synchronized (this) {
					onDisk.add(file);
					if (!written(file, write.getValue())) {
						gone.add(file); // its run left the history while it was written
					}
				}
			} catch (IOException | RuntimeException e) {
				failure = e instanceof IOException io ? io : new IOException(e);
				synchronized (this) {
					written(file, write.getValue()); // dropped
				}
			}
		}
		for (String file : gone) {
			try {
				Files.deleteIfExists(dir.resolve(file));
				synchronized (this) {
					onDisk.remove(file);
				}
			} catch (IOException e) {
				failure = e;
			}
		}
		if (failure != null && !failing) {
			failing = true;
			LOG.warn("Cannot write or delete the runs' logs in {}: {}; those logs are dropped", dir, failure.toString());
		} else if (failure == null && failing) {
			failing = false;
			LOG.info("The runs' logs in {} can be written again", dir);
		}
	}

	/**
	 * Takes a log that was written (or dropped) out of {@link #pending}. Monitor held.
	 *
	 * @return Whether it was still waiting; {@code false} if its run left the history meanwhile.
	 */
	private boolean written(String file, Pending write) {
		if (pending.get(file) != write) {
			return false;
		}
		pending.remove(file);
		pendingChars -= write.chars;
		return true;
	}

	/**
	 * The log of a run: the one waiting to be written, else its file; {@code null} if none is kept or
	 * its file cannot be read (logged at DEBUG). Any thread.
	 */
	CronLogDTO read(String name, long started) {
		String file = file(name, started);
		synchronized (this) {
			Pending waiting = pending.get(file);
			if (waiting != null && waiting.name.equals(name)) {
				return copy(waiting.log, name, started);
			}
			if (!onDisk.contains(file)) {
				return null;
			}
		}
		try {
			String text = Files.readString(dir.resolve(file), UTF_8);
			int firstLine = text.indexOf('\n');
			if (firstLine < 0 || !LocalStateStore.unescape(text.substring(0, firstLine)).equals(name)) {
				return null; // another name with the same hash prefix
			}
			return RunLogText.read(name, started, text.substring(firstLine + 1));
		} catch (NoSuchFileException e) {
			return null; // deleted meanwhile: the run left the history
		} catch (IOException | RuntimeException e) {
			LOG.debug("Cannot read the run log {}", dir.resolve(file), e);
			return null;
		}
	}

	private static CronLogDTO copy(CronLogDTO log, String name, long started) {
		CronLogDTO copy = new CronLogDTO();
		copy.name = name;
		copy.started = started;
		copy.lines = new ArrayList<>(log.lines.size());
		for (CronLogLineDTO line : log.lines) {
			CronLogLineDTO c = new CronLogLineDTO();
			c.time = line.time;
			c.level = line.level;
			c.logger = line.logger;
			c.message = line.message;
			c.thrown = line.thrown;
			copy.lines.add(c);
		}
		copy.omitted = log.omitted;
		copy.omittedAt = log.omittedAt;
		return copy;
	}

	private static void move(Path from, Path to) throws IOException {
		try {
			Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
		} catch (AtomicMoveNotSupportedException e) {
			Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
		}
	}
}
