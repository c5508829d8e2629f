package io.crontainer.examples.filejanitor;

import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.crontainer.api.CronPlugin;
import io.crontainer.api.CronPluginBase;

/**
 * The {@code file-janitor} cron plugin: deletes the regular files under a directory whose last
 * modification is older than a configured age, like {@code tmpreaper} or {@code systemd-tmpfiles}.
 *
 * <p>
 * A file is deleted when its last-modified time is before {@code end - max.age}, {@code end} being
 * the end of the run window. The janitor descends into subdirectories but never follows a symbolic
 * link: a link is neither followed nor deleted, so nothing outside the directory is ever touched. It
 * deletes regular files only: directories (the configured one above all), links, sockets and pipes
 * are kept, and so is every entry that matches an {@code exclude} pattern (a matching directory is not
 * entered). The configured directory itself may be reached through links; it is resolved to its real
 * path once per run. On Linux every step is relative to an open directory handle, so a directory
 * replaced by a link during the walk cannot lead the janitor outside either (see {@link Tree}).
 *
 * <p>
 * Disabled until configured: configuration PID {@value #PID}, see {@link Config}. With
 * {@code dry.run=true} it only logs what it would delete.
 *
 * <p>
 * A run that could not read or delete some entries still deletes all the others, then throws with the
 * count and the first error, so the failure shows in the shell. Thread-safe: the configuration is held
 * in a volatile field and replaced as a whole.
 */
@Component(service = CronPlugin.class, configurationPid = FileJanitor.PID, property = CronPlugin.NAME + "=" + FileJanitor.NAME)
@Designate(ocd = FileJanitor.Config.class)
public class FileJanitor extends CronPluginBase {

	/** The ConfigAdmin PID of this plugin. */
	public static final String PID = "io.crontainer.examples.filejanitor";

	/** The plugin's {@link CronPlugin#NAME}. */
	public static final String NAME = "file-janitor";

	/** The configuration of the file janitor. */
	@ObjectClassDefinition(name = "Crontainer file janitor", description = "A cron plugin that deletes regular files older than max.age under a directory, never following symbolic links.")
	public @interface Config {

		/** @return whether the plugin is scheduled. */
		@AttributeDefinition(name = "Enabled", description = "Whether the file janitor is scheduled. It also needs directory and max.age.")
		boolean enabled() default false;

		/** @return the crontab expression. */
		@AttributeDefinition(name = "Interval", description = "Crontab expression on which the file janitor runs. Default: daily at 03:30.")
		String cron_interval() default "30 3 * * *";

		/** @return the directory to clean. */
		@AttributeDefinition(name = "Directory", required = false, description = "The directory whose old files are deleted; a relative path is resolved against the runtime's directory. It is never deleted itself.")
		String directory() default "";

		/** @return the age, an ISO-8601 duration or a number of days. */
		@AttributeDefinition(name = "Maximum age", required = false, description = "Files last modified more than this before the end of the run window are deleted: an ISO-8601 duration (P7D, PT12H) or a number of days.")
		String max_age() default "";

		/** @return whether to only log what would be deleted. */
		@AttributeDefinition(name = "Dry run", description = "Only log the files that would be deleted.")
		boolean dry_run() default false;

		/** @return glob patterns of entries to keep. */
		@AttributeDefinition(name = "Exclude", required = false, description = "Glob patterns (java.nio.file syntax) of entries that are kept, "
				+ "comma-separated: a pattern without '/' matches an entry's name (*.keep, .snapshot), one with '/' its path relative to "
				+ "the directory (locks/*, cache/**). A matching directory is not entered.")
		String[] exclude() default {};
	}

	/** The configuration, checked: {@code problem} is non-null when an enabled janitor cannot run. */
	private record Settings(boolean enabled, String interval, Path directory, Duration maxAge, boolean dryRun,
			List<Exclude> excludes, String problem) {
	}

	/** An exclude pattern: matched against an entry's name, or against its path relative to the directory. */
	private record Exclude(String pattern, boolean byPath, PathMatcher matcher) {
		boolean matches(Path name, Path relative) {
			return matcher.matches(byPath ? relative : name);
		}
	}

	/** What one walk did. */
	private static final class Tally {
		long files;
		long bytes;
		long failures;
		String firstFailure;
	}

	private final Logger log;
	private final boolean secure;
	private volatile Settings settings;

	/**
	 * Creates the file janitor. Called by Declarative Services.
	 *
	 * @param config The configuration; its defaults apply when there is none.
	 */
	@Activate
	public FileJanitor(Config config) {
		this(config, LoggerFactory.getLogger(FileJanitor.class), true);
	}

	FileJanitor(Config config, Logger log, boolean secure) {
		this.log = log;
		this.secure = secure;
		this.settings = settings(config);
		logSettings("File janitor");
	}

	@Modified
	void modified(Config config) {
		settings = settings(config);
		logSettings("File janitor reconfigured:");
	}

	@Deactivate
	void deactivate() {
		log.info("File janitor stopped");
	}

	/**
	 * {@inheritDoc}
	 *
	 * @return the configured {@code enabled} value; {@code false} without configuration.
	 * @throws IllegalStateException If the plugin is enabled but {@code directory} or {@code max.age}
	 *         is missing or invalid, with the reason: the scheduler shows the plugin as invalid with
	 *         that message.
	 */
	@Override
	public boolean enabled() {
		Settings s = settings;
		if (s.enabled() && s.problem() != null) {
			throw new IllegalStateException(s.problem());
		}
		return s.enabled();
	}

	@Override
	public String interval() {
		return settings.interval();
	}

	/**
	 * Deletes the regular files under the directory last modified before {@code end - max.age}.
	 *
	 * @throws IllegalStateException If the configuration is incomplete or invalid.
	 * @throws IOException If the directory does not exist, is not a directory or is the root of a file
	 *         system (nothing is deleted), or
	 *         if some entries could not be read or deleted (all others are).
	 * @throws InterruptedException If the run was interrupted; the files deleted so far stay deleted.
	 */
	@Override
	public void run(Instant start, Instant end) throws IOException, InterruptedException {
		Settings s = settings;
		if (s.problem() != null) {
			throw new IllegalStateException(s.problem());
		}
		Path root;
		try {
			root = s.directory().toRealPath();
		} catch (NoSuchFileException e) {
			throw new NoSuchFileException(s.directory().toString(), null, "the directory to clean does not exist");
		}
		if (!Files.isDirectory(root)) {
			throw new IOException(s.directory() + " is not a directory");
		}
		if (root.getParent() == null) {
			throw new IOException("Refusing to clean " + root + ", the root of a file system; configure the directory that holds the files");
		}
		Instant cutoff = end.minus(s.maxAge());
		log.debug("Window [{}, {}): deleting files last modified before {} under {}", start, end, cutoff, root);

		Tally tally = new Tally();
		try (Tree tree = Tree.open(root, secure)) {
			clean(root, tree, cutoff, s, tally);
		}
		log.info("{} {} files ({} bytes) last modified before {} under {}", s.dryRun() ? "Dry run: would delete" : "Deleted",
				tally.files, tally.bytes, cutoff, root);
		if (tally.failures > 0) {
			throw new IOException(tally.failures + " entries under " + root + " could not be read or deleted; the first: " + tally.firstFailure);
		}
	}

	private void clean(Path root, Tree tree, Instant cutoff, Settings s, Tally tally) throws InterruptedException {
		try {
			for (Path name : tree.entries()) {
				if (Thread.currentThread().isInterrupted()) {
					throw new InterruptedException("Interrupted after deleting " + tally.files + " files");
				}
				Path path = tree.path.resolve(name);
				Path relative = root.relativize(path);
				if (s.excludes().stream().anyMatch(exclude -> exclude.matches(name, relative))) {
					log.debug("Keeping {}: excluded", path);
					continue;
				}
				try {
					BasicFileAttributes attributes = tree.attributes(name);
					if (attributes.isDirectory()) {
						try (Tree subdirectory = tree.directory(name)) {
							clean(root, subdirectory, cutoff, s, tally);
						}
					} else if (attributes.isRegularFile() && attributes.lastModifiedTime().toInstant().isBefore(cutoff)) {
						if (s.dryRun()) {
							log.info("Dry run: would delete {}, last modified {}", path, attributes.lastModifiedTime());
						} else {
							tree.delete(name);
							log.debug("Deleted {}, last modified {}", path, attributes.lastModifiedTime());
						}
						tally.files++;
						tally.bytes += attributes.size();
					}
				} catch (NoSuchFileException e) {
					// Deleted by someone else meanwhile: nothing to do.
				} catch (IOException e) {
					fail(tally, path, e);
				}
			}
		} catch (DirectoryIteratorException e) {
			fail(tally, tree.path, e.getCause());
		}
	}

	private void fail(Tally tally, Path path, IOException e) {
		log.warn("Cannot clean {}: {}", path, e.toString());
		if (tally.failures++ == 0) {
			tally.firstFailure = e.toString();
		}
	}

	private static Settings settings(Config config) {
		List<String> problems = new ArrayList<>();
		Path directory = null;
		String dir = config.directory().trim();
		if (dir.isEmpty()) {
			problems.add("directory is not configured");
		} else {
			try {
				directory = Path.of(dir).toAbsolutePath();
			} catch (RuntimeException e) {
				problems.add("directory '" + dir + "' is not a valid path: " + e.getMessage());
			}
		}
		Duration maxAge = null;
		try {
			maxAge = parseAge(config.max_age());
		} catch (IllegalArgumentException e) {
			problems.add(e.getMessage());
		}
		List<Exclude> excludes = new ArrayList<>();
		for (String glob : patterns(config.exclude())) {
			try {
				excludes.add(new Exclude(glob, glob.contains("/"), FileSystems.getDefault().getPathMatcher("glob:" + glob)));
			} catch (IllegalArgumentException e) {
				problems.add("exclude '" + glob + "' is not a glob pattern: " + e.getMessage().lines().findFirst().orElse(""));
			}
		}
		return new Settings(config.enabled(), config.cron_interval(), directory, maxAge, config.dry_run(), List.copyOf(excludes),
				problems.isEmpty() ? null : String.join("; ", problems));
	}

	/**
	 * Splits exclude values into patterns: a {@code .cfg} file gives one string, so each value is a
	 * comma-separated list; a comma inside braces ({@code *.{log,tmp}}) belongs to its pattern.
	 *
	 * @return The trimmed, non-empty patterns, in order.
	 */
	static List<String> patterns(String[] values) {
		List<String> patterns = new ArrayList<>();
		for (String value : values) {
			int depth = 0;
			int from = 0;
			for (int i = 0; i <= value.length(); i++) {
				char c = i < value.length() ? value.charAt(i) : ',';
				if (c == '{') {
					depth++;
				} else if (c == '}' && depth > 0) {
					depth--;
				} else if (c == ',' && (depth == 0 || i == value.length())) {
					String pattern = value.substring(from, i).trim();
					if (!pattern.isEmpty()) {
						patterns.add(pattern);
					}
					from = i + 1;
				}
			}
		}
		return patterns;
	}

	/**
	 * Parses an age: an ISO-8601 duration ({@code P7D}, {@code PT12H}) or a whole number of days.
	 *
	 * @throws IllegalArgumentException If the text is empty, is neither, or the age is not positive.
	 */
	static Duration parseAge(String text) {
		String trimmed = text.trim();
		if (trimmed.isEmpty()) {
			throw new IllegalArgumentException("max.age is not configured");
		}
		Duration age;
		try {
			age = trimmed.chars().allMatch(Character::isDigit) ? Duration.ofDays(Long.parseLong(trimmed)) : Duration.parse(trimmed);
		} catch (DateTimeParseException | ArithmeticException | NumberFormatException e) {
			throw new IllegalArgumentException("max.age '" + text + "' is neither an ISO-8601 duration such as P7D or PT12H nor a number of days", e);
		}
		if (age.isNegative() || age.isZero()) {
			throw new IllegalArgumentException("max.age '" + text + "' must be longer than zero");
		}
		return age;
	}

	/** ISO-8601 text of an age, in days when it is whole days: {@code P7D} rather than {@code PT168H}. */
	static String iso(Duration age) {
		return age.toSeconds() % 86_400 == 0 && age.toNanosPart() == 0 ? "P" + age.toDays() + "D" : age.toString();
	}

	private void logSettings(String what) {
		Settings s = settings;
		if (!s.enabled()) {
			log.info("{} disabled", what);
		} else if (s.problem() != null) {
			log.error("{} enabled but not usable, configuration {} is incomplete or invalid: {}", what, PID, s.problem());
		} else {
			log.info("{} enabled, interval '{}', deleting files older than {} under {}{}{}", what, s.interval(), iso(s.maxAge()),
					s.directory(), s.excludes().isEmpty() ? "" : ", except " + s.excludes().stream().map(Exclude::pattern).toList(),
					s.dryRun() ? " (dry run)" : "");
		}
	}
}
