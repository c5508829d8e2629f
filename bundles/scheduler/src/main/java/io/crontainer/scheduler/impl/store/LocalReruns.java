package io.crontainer.scheduler.impl.store;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.crontainer.api.runtime.RerunSplit;
import io.crontainer.format.Formats;
import io.crontainer.store.api.Rerun;

/**
 * The re-runs of the local store, on disk: {@value #FILE} in the state directory, rewritten whole
 * (temporary file, {@code fsync}, atomic rename, {@code fsync} of the directory) at every change, so a
 * change is durable when its method returns and a crash leaves the old file or the new one.
 *
 * <p>
 * A line per re-run kept (each in progress, and the newest ended one of each name), tab-separated:
 * name, id, from, to, split, interval, zone, anchor, requested by, requested, next, done, failed,
 * cancelled, ended, and the CRC-32 (hex) of the line up to its last tab; instants in ISO-8601 (UTC),
 * text escaped as in the journal. A line that fails its checksum or does not parse is not guessed at:
 * it is logged at ERROR, the file is kept beside as {@value #FILE}{@code .damaged}, and the re-run is
 * lost (a re-run is an operator's request, not a window: the plugin's windows are in the journal).
 *
 * <p>
 * Changes are few (one per window of a re-run, and operators' requests), so each is written on the
 * caller's thread (a re-run's run thread, an operator's thread), never on the journal's committer.
 *
 * <p>
 * <b>Threads.</b> Thread-safe: every method holds this object's monitor, also during its file I/O;
 * it is this store's own lock, never taken by the scheduler, and the journal's lock is never held with
 * it. Whether this runtime holds a re-run (it always may: nothing else shares this store) is kept in
 * memory only, since a restart ends every hold.
 */
final class LocalReruns {
	static final String FILE = "reruns.state";
	static final String HEADER = "# Crontainer re-runs, format 1";
	private static final Logger LOG = LoggerFactory.getLogger(LocalReruns.class);

	private final Path dir;
	private final Path file;
	private final Clock clock;
	// Guarded by this.
	private final Map<String, List<Rerun>> byName = new LinkedHashMap<>();
	private final Set<Long> held = new HashSet<>();
	private long ids;

	/**
	 * Reads the re-runs kept in {@code dir}.
	 *
	 * @throws IOException If the file exists but cannot be read.
	 */
	LocalReruns(Path dir, Clock clock) throws IOException {
		this.dir = dir;
		this.file = dir.resolve(FILE);
		this.clock = clock;
		if (Files.exists(file)) {
			read();
		}
	}

	synchronized Rerun start(Rerun request) throws IOException {
		List<Rerun> kept = byName.getOrDefault(request.name(), List.of());
		for (Rerun rerun : kept) {
			if (rerun.inProgress()) {
				throw new IllegalStateException("cron plugin '" + request.name() + "' has a re-run in progress already (of ["
						+ Formats.instant(rerun.from()) + ", " + Formats.instant(rerun.to()) + "), asked by "
						+ rerun.requestedBy() + "): cancel it first");
			}
		}
		Rerun started = new Rerun(request.name(), ids + 1, request.from(), request.to(), request.split(),
				request.interval(), request.zone(), request.anchor(), request.requestedBy(), request.requested(),
				request.from(), 0, 0, false, null, null);
		Map<String, List<Rerun>> before = snapshot();
		byName.put(request.name(), new ArrayList<>(List.of(started)));
		write(before);
		ids++;
		held.add(started.id());
		return started;
	}

	synchronized List<Rerun> all() {
		List<Rerun> all = new ArrayList<>();
		byName.values().forEach(all::addAll);
		return all;
	}

	synchronized Rerun claim(String name, long id) {
		Rerun rerun = find(name, id);
		if (rerun == null || !rerun.inProgress()) {
			return null;
		}
		held.add(id);
		return rerun;
	}

	synchronized Rerun advance(String name, long id, Instant windowStart, Instant windowEnd, boolean succeeded)
			throws IOException {
		Rerun rerun = find(name, id);
		if (rerun == null || !rerun.inProgress() || !held.contains(id) || !rerun.next().equals(windowStart)) {
			return null;
		}
		if (!windowEnd.isAfter(windowStart) || windowEnd.isAfter(rerun.to())) {
			throw new IllegalArgumentException("window [" + Formats.instant(windowStart) + ", " + Formats.instant(windowEnd)
					+ ") is not inside the re-run [" + Formats.instant(rerun.from()) + ", " + Formats.instant(rerun.to())
					+ ")");
		}
		Rerun next = rerun.advanced(windowEnd, succeeded);
		if (windowEnd.equals(rerun.to()) || rerun.cancelled()) {
			next = next.with(id, next.cancelled(), null, clock.instant());
		}
		return replace(rerun, next);
	}

	synchronized Rerun cancel(String name) throws IOException {
		Rerun rerun = inProgress(name);
		if (rerun == null) {
			return null;
		}
		if (rerun.cancelled()) {
			return rerun;
		}
		return replace(rerun, rerun.with(rerun.id(), true, null, held.contains(rerun.id()) ? null : clock.instant()));
	}

	synchronized Rerun end(String name, long id) throws IOException {
		Rerun rerun = find(name, id);
		if (rerun == null || !rerun.inProgress() || !rerun.cancelled() || !held.contains(id)) {
			return null;
		}
		return replace(rerun, rerun.with(id, true, null, clock.instant()));
	}

	synchronized void release(String name, long id) {
		held.remove(id);
	}

	private Rerun inProgress(String name) {
		for (Rerun rerun : byName.getOrDefault(name, List.of())) {
			if (rerun.inProgress()) {
				return rerun;
			}
		}
		return null;
	}

	private Rerun find(String name, long id) {
		for (Rerun rerun : byName.getOrDefault(name, List.of())) {
			if (rerun.id() == id) {
				return rerun;
			}
		}
		return null;
	}

	/** Replaces a re-run, durably; on failure memory stays as it was. Monitor held. */
	private Rerun replace(Rerun old, Rerun next) throws IOException {
		Map<String, List<Rerun>> before = snapshot();
		List<Rerun> list = byName.get(old.name());
		list.set(list.indexOf(old), next);
		write(before);
		if (!next.inProgress()) {
			held.remove(next.id());
		}
		return next;
	}

	private Map<String, List<Rerun>> snapshot() {
		Map<String, List<Rerun>> copy = new LinkedHashMap<>();
		byName.forEach((name, list) -> copy.put(name, new ArrayList<>(list)));
		return copy;
	}

	/** Writes every re-run; on failure restores {@code before} and throws. Monitor held. */
	private void write(Map<String, List<Rerun>> before) throws IOException {
		StringBuilder text = new StringBuilder(HEADER).append('\n');
		byName.values().forEach(list -> list.forEach(rerun -> line(text, rerun)));
		Path temp = dir.resolve("." + FILE + ".tmp");
		try {
			try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
					StandardOpenOption.TRUNCATE_EXISTING)) {
				ByteBuffer buffer = ByteBuffer.wrap(text.toString().getBytes(UTF_8));
				while (buffer.hasRemaining()) {
					out.write(buffer);
				}
				out.force(true);
			}
			try {
				Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
			} catch (AtomicMoveNotSupportedException e) {
				throw new IOException("the file system of " + dir + " cannot rename atomically", e);
			}
			try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
				d.force(true);
			} catch (IOException | UnsupportedOperationException e) {
				// Windows cannot open a directory; the rename is durable there as it is
			}
		} catch (IOException | RuntimeException e) {
			byName.clear();
			byName.putAll(before);
			Files.deleteIfExists(temp);
			throw e instanceof IOException io ? io : new IOException(e.toString(), e);
		}
	}

	private void read() throws IOException {
		List<String> lines = Files.readAllLines(file, UTF_8);
		List<Integer> damaged = new ArrayList<>();
		for (int i = 0; i < lines.size(); i++) {
			if (i == 0 && lines.get(0).equals(HEADER)) {
				continue;
			}
			Rerun rerun = i == 0 ? null : parse(lines.get(i));
			if (rerun == null) {
				damaged.add(i + 1);
				continue;
			}
			byName.computeIfAbsent(rerun.name(), n -> new ArrayList<>()).add(rerun);
			ids = Math.max(ids, rerun.id());
		}
		if (!damaged.isEmpty()) {
			Path aside = dir.resolve(FILE + ".damaged");
			Files.copy(file, aside, StandardCopyOption.REPLACE_EXISTING);
			LOG.error("Re-run file {}: damaged line(s) {} fail their checksum or do not parse; the re-runs they held are "
					+ "dropped (the file is kept as {}); the plugins' windows are not affected", file, damaged, aside);
		}
	}

	static void line(StringBuilder out, Rerun rerun) {
		int from = out.length();
		LocalStateStore.escape(out, rerun.name());
		out.append('\t').append(rerun.id());
		out.append('\t').append(rerun.from());
		out.append('\t').append(rerun.to());
		out.append('\t').append(rerun.split().name());
		out.append('\t');
		if (rerun.interval() != null) {
			LocalStateStore.escape(out, rerun.interval());
		}
		out.append('\t');
		LocalStateStore.escape(out, rerun.zone());
		out.append('\t').append(rerun.anchor() == null ? "" : rerun.anchor().toString());
		out.append('\t');
		LocalStateStore.escape(out, rerun.requestedBy());
		out.append('\t').append(rerun.requested());
		out.append('\t').append(rerun.next());
		out.append('\t').append(rerun.done());
		out.append('\t').append(rerun.failed());
		out.append('\t').append(rerun.cancelled());
		out.append('\t').append(rerun.ended() == null ? "" : rerun.ended().toString());
		CRC32 crc = new CRC32();
		crc.update(out.substring(from).getBytes(UTF_8));
		String digits = Long.toHexString(crc.getValue());
		out.append('\t').append("00000000".substring(digits.length())).append(digits).append('\n');
	}

	/** Parses a line; {@code null} if it is damaged. */
	static Rerun parse(String text) {
		int crcAt = text.lastIndexOf('\t');
		if (crcAt < 0) {
			return null;
		}
		CRC32 crc = new CRC32();
		crc.update(text.substring(0, crcAt).getBytes(UTF_8));
		String digits = Long.toHexString(crc.getValue());
		if (!("00000000".substring(digits.length()) + digits).equals(text.substring(crcAt + 1))) {
			return null;
		}
		String[] f = text.substring(0, crcAt).split("\t", -1);
		if (f.length != 15 || !(f[13].equals("true") || f[13].equals("false"))) {
			return null;
		}
		try {
			return new Rerun(LocalStateStore.unescape(f[0]), Long.parseLong(f[1]), Instant.parse(f[2]),
					Instant.parse(f[3]), RerunSplit.valueOf(f[4]), f[5].isEmpty() ? null : LocalStateStore.unescape(f[5]),
					LocalStateStore.unescape(f[6]), f[7].isEmpty() ? null : Instant.parse(f[7]),
					LocalStateStore.unescape(f[8]), Instant.parse(f[9]), Instant.parse(f[10]), Integer.parseInt(f[11]),
					Integer.parseInt(f[12]), Boolean.parseBoolean(f[13]), null, f[14].isEmpty() ? null : Instant.parse(f[14]));
		} catch (DateTimeParseException | IllegalArgumentException | NullPointerException e) {
			return null;
		}
	}
}
