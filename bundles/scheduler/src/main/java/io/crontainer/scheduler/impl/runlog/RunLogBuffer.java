package io.crontainer.scheduler.impl.runlog;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

import io.crontainer.api.runtime.CronLogDTO;
import io.crontainer.api.runtime.CronLogLineDTO;

/**
 * The log of one run while it runs: the first {@value #HEAD_LINES} lines and the last
 * {@value #TAIL_LINES}, at most {@value #MAX_BYTES} bytes (UTF-8) in all, and a count of the lines
 * left out between them. A message longer than {@value #MAX_MESSAGE} characters or a stack trace
 * longer than {@value #MAX_THROWN} is cut, and says so. So a plugin that logs a flood keeps a bounded
 * buffer: each line costs one small object and, once the buffer is full, pushes the oldest of the tail
 * out.
 *
 * <p>
 * The head keeps at most {@value #HEAD_BYTES} bytes and the tail {@value #MAX_BYTES} minus that:
 * the first lines of a run (what it set out to do) and its last (how it ended) both survive a flood.
 *
 * <p>
 * <b>Threads.</b> {@link #add} is called on the thread the line is logged on (the run's thread, by
 * {@link RunLogAppender}); {@link #snapshot} on any thread (the run's when it ends, an operator's for
 * a run in progress). Both hold this object's monitor for a few field updates or a copy of at most
 * {@value #HEAD_LINES} + {@value #TAIL_LINES} references; no I/O, no logging, no call out under it.
 */
public final class RunLogBuffer {
	/** Lines kept from the start of a run. */
	public static final int HEAD_LINES = 100;
	/** Lines kept from the end of a run. */
	public static final int TAIL_LINES = 400;
	/** Bytes (UTF-8, of the texts of a line, plus {@value #LINE_OVERHEAD} each) kept in all. */
	public static final int MAX_BYTES = 256 * 1024;
	/** Of {@link #MAX_BYTES}, what the head may keep. */
	public static final int HEAD_BYTES = 64 * 1024;
	/** Characters of a message kept; the rest is cut. */
	public static final int MAX_MESSAGE = 8 * 1024;
	/** Characters of a stack trace kept; the rest is cut. */
	public static final int MAX_THROWN = 16 * 1024;
	/** What a line costs beside its texts (time, level, separators), in bytes. */
	static final int LINE_OVERHEAD = 32;

	private record Entry(CronLogLineDTO line, int bytes) {
	}

	// Guarded by this.
	private final List<Entry> head = new ArrayList<>();
	private int headBytes;
	private boolean headFull;
	/** Made once the head is full: most runs log nothing, and a burst's runs each make a buffer. */
	private ArrayDeque<Entry> tail;
	private int tailBytes;
	private long omitted;

	/**
	 * Keeps a line.
	 *
	 * @param time When it was logged, UTC epoch milliseconds.
	 * @param level Its level ({@code INFO}). Must not be {@code null}.
	 * @param logger The logger's name; {@code null} is kept as empty.
	 * @param message The message; {@code null} is kept as empty.
	 * @param thrown The stack trace logged with it, lines separated by line feeds; {@code null} for none.
	 */
	public void add(long time, String level, String logger, String message, String thrown) {
		CronLogLineDTO line = new CronLogLineDTO();
		line.time = time;
		line.level = level;
		line.logger = logger == null ? "" : logger;
		line.message = cut(message == null ? "" : message, MAX_MESSAGE);
		line.thrown = thrown == null ? null : cut(thrown, MAX_THROWN);
		int bytes = LINE_OVERHEAD + utf8(line.logger) + utf8(line.message) + (line.thrown == null ? 0 : utf8(line.thrown));
		Entry entry = new Entry(line, bytes);
		synchronized (this) {
			if (!headFull) {
				if (head.size() < HEAD_LINES && headBytes + bytes <= HEAD_BYTES) {
					head.add(entry);
					headBytes += bytes;
					return;
				}
				headFull = true;
			}
			if (tail == null) {
				tail = new ArrayDeque<>();
			}
			tail.addLast(entry);
			tailBytes += bytes;
			while (tail.size() > TAIL_LINES || tailBytes > MAX_BYTES - HEAD_BYTES) {
				tailBytes -= tail.removeFirst().bytes;
				omitted++;
			}
		}
	}

	/**
	 * What the buffer holds now, as a new DTO (the lines are shared, and never changed).
	 *
	 * @param name The plugin's name.
	 * @param started The run's start, UTC epoch milliseconds.
	 * @param running Whether the run is still going.
	 * @return The log. Never {@code null}.
	 */
	public synchronized CronLogDTO snapshot(String name, long started, boolean running) {
		CronLogDTO log = new CronLogDTO();
		log.name = name;
		log.started = started;
		log.running = running;
		log.lines = new ArrayList<>(head.size() + (tail == null ? 0 : tail.size()));
		for (Entry entry : head) {
			log.lines.add(entry.line);
		}
		log.omittedAt = head.size();
		if (tail != null) {
			for (Entry entry : tail) {
				log.lines.add(entry.line);
			}
		}
		log.omitted = omitted;
		return log;
	}

	/** Whether no line was logged. */
	public synchronized boolean isEmpty() {
		return head.isEmpty() && (tail == null || tail.isEmpty()) && omitted == 0;
	}

	private static String cut(String text, int max) {
		if (text.length() <= max) {
			return text;
		}
		int keep = max;
		if (Character.isHighSurrogate(text.charAt(keep - 1))) {
			keep--;
		}
		return text.substring(0, keep) + " [" + (text.length() - keep) + " more characters cut]";
	}

	/** The UTF-8 length of a text, without encoding it. */
	static int utf8(String text) {
		int n = text.length();
		int bytes = n;
		for (int i = 0; i < n; i++) {
			char c = text.charAt(i);
			if (c >= 0x80) {
				bytes += c < 0x800 || Character.isSurrogate(c) ? 1 : 2; // a surrogate pair is 4 bytes: 2 x (1 + 1)
			}
		}
		return bytes;
	}
}
