package io.crontainer.scheduler.impl;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the run state of each cron plugin name in one small text file in a directory.
 *
 * <p>
 * A record is written atomically and durably: the new content goes to a temporary file in the same
 * directory, which is flushed to disk ({@link FileChannel#force(boolean)}) and then renamed over the
 * record ({@link StandardCopyOption#ATOMIC_MOVE}); finally the directory itself is flushed so the
 * rename survives a power loss. A reader therefore sees either the old or the new record, never a mix.
 *
 * <p>
 * The format is line-based {@code key=value} text, UTF-8:
 *
 * <pre>
 * # Crontainer run state
 * format=1
 * name=token-cleaner
 * lastEnd=2026-11-29T15:00:00.012Z
 * paused=false
 * anchor=2026-11-29T14:37:12.480Z
 * anchorFor=? * * * *
 * </pre>
 *
 * {@code lastEnd} is empty for a plugin that never succeeded. {@code anchor} and {@code anchorFor}
 * are optional, and written together: the instant the {@code ?} fields of that interval take their
 * value from, so that a restart does not move the schedule. A record with another format, a name
 * that is not the one asked for, an unknown or missing key, or a value of the wrong form is
 * <em>corrupt</em>: {@link #read(String)} throws and the caller must not guess.
 *
 * <p>
 * Thread-safe; callers serialize writes of one name (the scheduler holds a lock per name).
 */
final class StateStore {
	static final int FORMAT = 1;
	private static final String SUFFIX = ".state";
	private static final String TEMP_SUFFIX = ".tmp";
	/** Longest encoded name kept verbatim; longer ones are shortened and suffixed with a hash. */
	private static final int MAX_ENCODED = 160;
	private static final boolean WINDOWS = System.getProperty("os.name", "").toLowerCase(Locale.ROOT)
			.startsWith("windows");

	private static final Logger LOG = LoggerFactory.getLogger(StateStore.class);

	private final Path dir;

	/**
	 * @param dir The directory holding the records; created (with its parents) when missing.
	 * @throws IOException If the directory cannot be created.
	 */
	StateStore(Path dir) throws IOException {
		this.dir = dir.toAbsolutePath();
		Files.createDirectories(this.dir);
		removeStaleTemporaryFiles();
	}

	/** The directory holding the records. */
	Path directory() {
		return dir;
	}

	/**
	 * Reads the record of a name.
	 *
	 * @return The state; {@link RunState#NEW} if there is no record.
	 * @throws CorruptStateException If a record exists but cannot be read or parsed.
	 */
	RunState read(String name) throws CorruptStateException {
		Path file = fileOf(name);
		byte[] bytes;
		try {
			bytes = Files.readAllBytes(file);
		} catch (NoSuchFileException e) {
			return RunState.NEW;
		} catch (IOException | RuntimeException e) {
			throw new CorruptStateException("state file " + file + " cannot be read: " + e, e);
		}
		try {
			return parse(name, new String(bytes, UTF_8));
		} catch (IllegalArgumentException e) {
			throw new CorruptStateException("state file " + file + " is corrupt: " + e.getMessage(), e);
		}
	}

	/**
	 * Replaces the record of a name, atomically and durably.
	 *
	 * @throws IOException If the record could not be written; the old record is then unchanged.
	 */
	void write(String name, RunState state) throws IOException {
		Path file = fileOf(name);
		StringBuilder text = new StringBuilder(128);
		text.append("# Crontainer run state\n");
		text.append("format=").append(FORMAT).append('\n');
		text.append("name=").append(escape(name)).append('\n');
		text.append("lastEnd=").append(state.lastEnd() == null ? "" : state.lastEnd().toString()).append('\n');
		text.append("paused=").append(state.paused()).append('\n');
		if (state.anchor() != null) {
			text.append("anchor=").append(state.anchor()).append('\n');
			text.append("anchorFor=").append(escape(state.anchorFor())).append('\n');
		}
		Path temp = Files.createTempFile(dir, "." + file.getFileName(), TEMP_SUFFIX);
		try {
			try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE,
					StandardOpenOption.TRUNCATE_EXISTING)) {
				ByteBuffer buffer = ByteBuffer.wrap(text.toString().getBytes(UTF_8));
				while (buffer.hasRemaining()) {
					channel.write(buffer);
				}
				channel.force(true);
			}
			try {
				Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
			} catch (AtomicMoveNotSupportedException e) {
				throw new IOException("the file system of " + dir + " cannot rename atomically", e);
			}
		} finally {
			Files.deleteIfExists(temp);
		}
		forceDirectory();
	}

	/** Flushes the directory entry of a rename to disk (POSIX); not possible, and not needed, on Windows. */
	private void forceDirectory() throws IOException {
		if (WINDOWS) {
			return;
		}
		try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
			channel.force(true);
		}
	}

	/** The file of a name's record. */
	Path fileOf(String name) {
		return dir.resolve(fileName(name));
	}

	/**
	 * Encodes a plugin name as a file name that is valid and distinct on every common file system,
	 * case-insensitive ones included: lower-case ASCII letters, digits, {@code -} and (not first)
	 * {@code .} are kept; every other byte of the UTF-8 form becomes {@code %XX}. Very long names are
	 * shortened and suffixed with a SHA-256 hash of the name.
	 */
	static String fileName(String name) {
		StringBuilder out = new StringBuilder(name.length() + 16);
		byte[] bytes = name.getBytes(UTF_8);
		for (int i = 0; i < bytes.length; i++) {
			int b = bytes[i] & 0xff;
			boolean keep = (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '-' || (b == '.' && i > 0);
			if (keep) {
				out.append((char) b);
			} else {
				out.append('%').append(Character.toUpperCase(Character.forDigit(b >> 4, 16)))
						.append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
			}
		}
		if (out.length() > MAX_ENCODED) {
			String hash = sha256(name).substring(0, 32);
			out.setLength(MAX_ENCODED - 33);
			out.append('~').append(hash);
		}
		return out.append(SUFFIX).toString();
	}

	private static String sha256(String text) {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(UTF_8)));
		} catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException("SHA-256 is required by every Java platform", e);
		}
	}

	static RunState parse(String name, String text) {
		Map<String, String> values = new HashMap<>();
		for (String line : text.split("\n", -1)) {
			if (line.isEmpty() || line.startsWith("#")) {
				continue;
			}
			int eq = line.indexOf('=');
			if (eq <= 0) {
				throw new IllegalArgumentException("line '" + abbreviate(line) + "' is not key=value");
			}
			String key = line.substring(0, eq);
			if (values.put(key, line.substring(eq + 1)) != null) {
				throw new IllegalArgumentException("key '" + abbreviate(key) + "' appears twice");
			}
		}
		String format = require(values, "format");
		if (!String.valueOf(FORMAT).equals(format)) {
			throw new IllegalArgumentException("format '" + abbreviate(format) + "' is not " + FORMAT);
		}
		String recorded = unescape(require(values, "name"));
		if (!recorded.equals(name)) {
			throw new IllegalArgumentException("it belongs to '" + abbreviate(recorded) + "', not '" + name + "'");
		}
		String lastEndText = require(values, "lastEnd");
		Instant lastEnd = null;
		if (!lastEndText.isEmpty()) {
			try {
				lastEnd = Instant.parse(lastEndText);
			} catch (DateTimeParseException e) {
				throw new IllegalArgumentException("lastEnd '" + abbreviate(lastEndText) + "' is not an ISO-8601 instant");
			}
		}
		String pausedText = require(values, "paused");
		if (!pausedText.equals("true") && !pausedText.equals("false")) {
			throw new IllegalArgumentException("paused '" + abbreviate(pausedText) + "' is not true or false");
		}
		String anchorText = values.remove("anchor");
		String anchorFor = values.remove("anchorFor");
		Instant anchor = null;
		if (anchorText != null || anchorFor != null) {
			if (anchorText == null || anchorFor == null) {
				throw new IllegalArgumentException("keys 'anchor' and 'anchorFor' must appear together");
			}
			try {
				anchor = Instant.parse(anchorText);
			} catch (DateTimeParseException e) {
				throw new IllegalArgumentException("anchor '" + abbreviate(anchorText) + "' is not an ISO-8601 instant");
			}
			anchorFor = unescape(anchorFor);
		}
		if (!values.isEmpty()) {
			throw new IllegalArgumentException("unknown key '" + abbreviate(values.keySet().iterator().next()) + "'");
		}
		return new RunState(lastEnd, Boolean.parseBoolean(pausedText), anchor, anchorFor);
	}

	private static String require(Map<String, String> values, String key) {
		String value = values.remove(key);
		if (value == null) {
			throw new IllegalArgumentException("key '" + key + "' is missing");
		}
		return value;
	}

	/** Escapes a name for one line: backslash, CR and LF. */
	private static String escape(String name) {
		return name.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r");
	}

	private static String unescape(String text) {
		StringBuilder out = new StringBuilder(text.length());
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (c == '\\' && i + 1 < text.length()) {
				char n = text.charAt(++i);
				out.append(n == 'n' ? '\n' : n == 'r' ? '\r' : n);
			} else {
				out.append(c);
			}
		}
		return out.toString();
	}

	private static String abbreviate(String text) {
		String printable = text.replaceAll("\\p{Cntrl}", "?");
		return printable.length() <= 40 ? printable : printable.substring(0, 40) + "...";
	}

	private void removeStaleTemporaryFiles() {
		try (DirectoryStream<Path> stale = Files.newDirectoryStream(dir, ".*" + SUFFIX + "*" + TEMP_SUFFIX)) {
			for (Path file : stale) {
				Files.deleteIfExists(file);
				LOG.debug("Removed the stale temporary file {}", file);
			}
		} catch (IOException e) {
			LOG.warn("Cannot remove stale temporary files from {}", dir, e);
		}
	}
}
