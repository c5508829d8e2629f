package io.crontainer.launcher;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What the launcher does to {@code data/} and {@code etc/} before the framework starts: it keeps their
 * secrets owner-only, and drops configurations that another installation's files made.
 *
 * <p>
 * Not thread-safe; used by the launcher's main thread before the framework starts, when nothing else
 * reads or writes these files.
 */
final class DataDirectory {

	/** FileInstall's property: the URL (or path) of the file a configuration was made from. */
	static final String FILENAME = "felix.fileinstall.filename";

	static final Set<PosixFilePermission> OWNER_DIR = PosixFilePermissions.fromString("rwx------");
	static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");

	/** A line of a ConfigAdmin {@code .config} file: {@code name=[type]"value"}. */
	private static final Pattern PROPERTY = Pattern.compile("^\\s*([^=\\s]+)\\s*=\\s*[A-Za-z]?\"(.*)\"\\s*$");

	private DataDirectory() {
	}

	/**
	 * Makes {@code data/} and {@code etc/} owner-only ({@code rwx------}), and every file under the
	 * ConfigAdmin directory {@code rw-------} (directories {@code rwx------}): configurations hold
	 * passwords. Files that the runtime creates later are owner-only through {@code bin/crontainer}'s
	 * {@code umask 077}; this covers files made before (by an older release, or copied in). Does nothing
	 * on a file system without POSIX permissions.
	 *
	 * @param dirs The directories to make owner-only; those that do not exist are skipped.
	 * @param config The ConfigAdmin directory ({@code felix.cm.dir}), or {@code null}.
	 * @param log Receives a level and one line per directory whose permissions were changed.
	 * @throws IOException If permissions cannot be read or set.
	 */
	static void restrict(List<Path> dirs, Path config, BiConsumer<String, String> log) throws IOException {
		if (!FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
			return;
		}
		for (Path dir : dirs) {
			if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
				Set<PosixFilePermission> was = Files.getPosixFilePermissions(dir);
				if (!was.equals(OWNER_DIR)) {
					Files.setPosixFilePermissions(dir, OWNER_DIR);
					log.accept("INFO", "Made " + dir + " readable by its owner only (was "
							+ PosixFilePermissions.toString(was) + "): it holds secrets");
				}
			}
		}
		if (config == null || !Files.isDirectory(config, LinkOption.NOFOLLOW_LINKS)) {
			return;
		}
		try (Stream<Path> files = Files.walk(config)) {
			for (Path p : (Iterable<Path>) files::iterator) {
				if (Files.isSymbolicLink(p)) {
					continue;
				}
				Set<PosixFilePermission> wanted = Files.isDirectory(p) ? OWNER_DIR : OWNER_FILE;
				if (!Files.getPosixFilePermissions(p).equals(wanted)) {
					Files.setPosixFilePermissions(p, wanted);
				}
			}
		}
	}

	/**
	 * Deletes every configuration that FileInstall made from a file outside {@code home} (the
	 * {@code etc/} of another installation whose {@code data/} this one was given): the files of this
	 * installation are the source of truth.
	 *
	 * @param home This installation's directory (absolute, normalized). Must not be {@code null}.
	 * @param config The ConfigAdmin directory ({@code felix.cm.dir}), or {@code null}.
	 * @param log Receives a level and one line per configuration deleted.
	 * @return The files deleted. Never {@code null}.
	 * @throws IOException If the directory cannot be read or a file deleted.
	 */
	static List<Path> dropForeignConfigurations(Path home, Path config, BiConsumer<String, String> log)
			throws IOException {
		List<Path> dropped = new ArrayList<>();
		if (config == null || !Files.isDirectory(config)) {
			return dropped;
		}
		List<Path> files;
		try (Stream<Path> walk = Files.walk(config)) {
			files = walk.filter(p -> p.getFileName().toString().endsWith(".config") && Files.isRegularFile(p)).toList();
		}
		for (Path file : files) {
			String pid = null;
			String source = null;
			for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
				Matcher m = PROPERTY.matcher(line);
				if (!m.matches()) {
					continue;
				}
				if (m.group(1).equals("service.pid")) {
					pid = unescape(m.group(2));
				} else if (m.group(1).equals(FILENAME)) {
					source = unescape(m.group(2));
				}
			}
			Path from = source == null ? null : path(source);
			if (source != null && (from == null || !from.startsWith(home))) {
				Files.delete(file);
				dropped.add(file);
				log.accept("INFO", "Dropped configuration " + (pid != null ? pid : config.relativize(file))
						+ ": it was made from " + source + ", outside this installation");
			}
		}
		return dropped;
	}

	private static Path path(String name) {
		try {
			return (name.startsWith("file:") ? Path.of(URI.create(name)) : Path.of(name)).toAbsolutePath().normalize();
		} catch (IllegalArgumentException e) {
			return null;
		}
	}

	/** Undoes ConfigAdmin's escapes: {@code \\uXXXX} and a backslash before any other character. */
	static String unescape(String s) {
		StringBuilder out = new StringBuilder(s.length());
		for (int i = 0; i < s.length(); i++) {
			char c = s.charAt(i);
			if (c != '\\' || i + 1 == s.length()) {
				out.append(c);
			} else if (s.charAt(i + 1) == 'u' && i + 6 <= s.length()) {
				out.append((char) Integer.parseInt(s.substring(i + 2, i + 6), 16));
				i += 5;
			} else {
				out.append(s.charAt(++i));
			}
		}
		return out.toString();
	}
}
