package io.crontainer.examples.filejanitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.osgi.util.converter.Converters;

import io.crontainer.api.CronPlugin;

class FileJanitorTest {

	private static final Instant END = Instant.parse("2026-11-29T12:00:00Z");
	private static final Instant OLD = END.minus(Duration.ofDays(10));
	private static final Instant RECENT = END.minus(Duration.ofDays(1));

	@TempDir
	Path temp;

	private Path root;
	private Path outside;
	private final RecordingLogger log = new RecordingLogger();

	private static FileJanitor.Config config(Map<String, Object> properties) {
		return Converters.standardConverter().convert(properties).to(FileJanitor.Config.class);
	}

	private FileJanitor janitor(Map<String, Object> properties, boolean secure) {
		Map<String, Object> all = new HashMap<>(Map.of("enabled", true, "directory", root.toString(), "max.age", "P7D"));
		all.putAll(properties);
		return new FileJanitor(config(all), log, secure);
	}

	private static Path file(Path path, Instant modified) throws IOException {
		Files.createDirectories(path.getParent());
		Files.writeString(path, "x".repeat(10));
		Files.setLastModifiedTime(path, FileTime.from(modified));
		return path;
	}

	/**
	 * root/ old.log, new.log, sub/old.txt, sub/deeper/old.bin, sub/deeper/new.bin, empty/,
	 * link-to-file -> outside/victim.txt, link-to-dir -> outside/, dangling -> missing;
	 * everything under outside/ is old.
	 */
	@BeforeEach
	void tree() throws IOException {
		root = Files.createDirectories(temp.resolve("root"));
		outside = Files.createDirectories(temp.resolve("outside"));
		file(root.resolve("old.log"), OLD);
		file(root.resolve("new.log"), RECENT);
		file(root.resolve("sub/old.txt"), OLD);
		file(root.resolve("sub/deeper/old.bin"), OLD);
		file(root.resolve("sub/deeper/new.bin"), RECENT);
		Files.createDirectories(root.resolve("empty"));
		file(outside.resolve("victim.txt"), OLD);
		file(outside.resolve("nested/victim.txt"), OLD);
		Files.createSymbolicLink(root.resolve("link-to-file"), outside.resolve("victim.txt"));
		Files.createSymbolicLink(root.resolve("link-to-dir"), outside);
		Files.createSymbolicLink(root.resolve("dangling"), temp.resolve("missing"));
		Files.setLastModifiedTime(root, FileTime.from(OLD));
	}

	private Stream<String> remaining(Path directory) throws IOException {
		try (Stream<Path> paths = Files.walk(directory)) {
			return paths.map(p -> directory.relativize(p).toString()).sorted().toList().stream();
		}
	}

	@ParameterizedTest(name = "secure directory stream: {0}")
	@ValueSource(booleans = { true, false })
	void deletesOldRegularFilesOnlyAndNeverFollowsLinksOutOfTheDirectory(boolean secure) throws Exception {
		janitor(Map.of(), secure).run(CronPlugin.EPOCH, END);

		assertThat(remaining(root)).containsExactly("", "dangling", "empty", "link-to-dir", "link-to-file", "new.log", "sub",
				"sub/deeper", "sub/deeper/new.bin");
		assertThat(outside.resolve("victim.txt")).isRegularFile();
		assertThat(outside.resolve("nested/victim.txt")).isRegularFile();
		assertThat(log.lines).last().isEqualTo("INFO Deleted 3 files (30 bytes) last modified before 2026-11-22T12:00:00Z under " + root.toRealPath());
	}

	@Test
	void keepsWhatMatchesAnExcludePatternByNameOrByRelativePath() throws Exception {
		file(root.resolve("sub/old.keep"), OLD);

		janitor(Map.of("exclude", new String[] { "*.keep", "sub/deeper", " " }), true).run(CronPlugin.EPOCH, END);

		assertThat(remaining(root)).containsExactly("", "dangling", "empty", "link-to-dir", "link-to-file", "new.log", "sub",
				"sub/deeper", "sub/deeper/new.bin", "sub/deeper/old.bin", "sub/old.keep");
		assertThat(log.lines).first().asString().endsWith(", except [*.keep, sub/deeper]");
	}

	@Test
	void splitsExcludeValuesAtCommasOutsideBraces() {
		assertThat(FileJanitor.patterns(new String[] { "*.keep, locks/* ,", "*.{log,tmp}", "" }))
				.containsExactly("*.keep", "locks/*", "*.{log,tmp}");
	}

	@Test
	void anInvalidExcludePatternMakesThePluginInvalidWithTheReason() {
		FileJanitor janitor = janitor(Map.of("exclude", "[a-"), true);

		assertThatThrownBy(janitor::enabled).isInstanceOf(IllegalStateException.class)
				.hasMessageStartingWith("exclude '[a-' is not a glob pattern: ");
	}

	@Test
	void keepsTheDirectoryItselfAndAFileModifiedExactlyAtTheCutoff() throws Exception {
		Files.delete(root.resolve("new.log"));
		file(root.resolve("at-cutoff"), END.minus(Duration.ofHours(12)));

		janitor(Map.of("max.age", "PT12H"), true).run(CronPlugin.EPOCH, END);

		assertThat(root).isDirectory();
		assertThat(root.resolve("at-cutoff")).isRegularFile();
		assertThat(root.resolve("sub/deeper/new.bin")).doesNotExist();
	}

	@Test
	void cleansADirectoryReachedThroughALink() throws Exception {
		Path link = Files.createSymbolicLink(temp.resolve("link-to-root"), root);

		janitor(Map.of("directory", link.toString(), "max.age", "7"), true).run(CronPlugin.EPOCH, END);

		assertThat(link).isSymbolicLink();
		assertThat(root.resolve("old.log")).doesNotExist();
		assertThat(root.resolve("new.log")).isRegularFile();
	}

	@Test
	void aDryRunDeletesNothingAndLogsWhatItWouldDelete() throws Exception {
		janitor(Map.of("dry.run", true), true).run(CronPlugin.EPOCH, END);

		assertThat(root.resolve("old.log")).isRegularFile();
		assertThat(root.resolve("sub/deeper/old.bin")).isRegularFile();
		assertThat(log.lines).filteredOn(l -> l.startsWith("INFO Dry run: would delete /")).hasSize(3)
				.anySatisfy(l -> assertThat(l).contains(root.toRealPath().resolve("sub/deeper/old.bin").toString()));
		assertThat(log.lines).last().asString().startsWith("INFO Dry run: would delete 3 files (30 bytes)");
	}

	@Test
	void aMissingDirectoryFailsTheRunWithAClearError() {
		Path missing = temp.resolve("gone");

		assertThatThrownBy(() -> janitor(Map.of("directory", missing.toString()), true).run(CronPlugin.EPOCH, END))
				.isInstanceOf(NoSuchFileException.class)
				.hasMessage(missing + ": the directory to clean does not exist");
	}

	@Test
	void aFileInsteadOfADirectoryFailsTheRunAndIsKept() {
		Path file = root.resolve("old.log");

		assertThatThrownBy(() -> janitor(Map.of("directory", file.toString()), true).run(CronPlugin.EPOCH, END))
				.isInstanceOf(IOException.class)
				.hasMessage(file + " is not a directory");
		assertThat(file).isRegularFile();
	}

	@Test
	void refusesTheRootOfAFileSystem() {
		Path fileSystemRoot = temp.getRoot();

		assertThatThrownBy(() -> janitor(Map.of("directory", fileSystemRoot.toString()), true).run(CronPlugin.EPOCH, END))
				.isInstanceOf(IOException.class)
				.hasMessage("Refusing to clean " + fileSystemRoot + ", the root of a file system; configure the directory that holds the files");
	}

	@Test
	void anInterruptedRunStops() {
		FileJanitor janitor = janitor(Map.of(), true);

		Thread.currentThread().interrupt();
		try {
			assertThatThrownBy(() -> janitor.run(CronPlugin.EPOCH, END)).isInstanceOf(InterruptedException.class);
		} finally {
			Thread.interrupted();
		}
		assertThat(root.resolve("old.log")).isRegularFile();
	}

	@Test
	void isDisabledUntilConfigured() {
		FileJanitor janitor = new FileJanitor(config(Map.of()), log, true);

		assertThat(janitor.enabled()).isFalse();
		assertThat(janitor.interval()).isEqualTo("30 3 * * *");
		assertThat(log.lines).containsExactly("INFO File janitor disabled");
	}

	@Test
	void anEnabledButIncompleteConfigurationMakesThePluginInvalidWithTheReason() {
		FileJanitor janitor = new FileJanitor(config(Map.of("enabled", true)), log, true);

		assertThatThrownBy(janitor::enabled).isInstanceOf(IllegalStateException.class)
				.hasMessage("directory is not configured; max.age is not configured");
		assertThatThrownBy(() -> janitor.run(CronPlugin.EPOCH, END)).isInstanceOf(IllegalStateException.class);

		assertThat(log.lines).containsExactly("ERROR File janitor enabled but not usable, configuration io.crontainer.examples.filejanitor"
				+ " is incomplete or invalid: directory is not configured; max.age is not configured");

		janitor.modified(config(Map.of("enabled", true, "directory", root.toString(), "max.age", "a week")));
		assertThatThrownBy(janitor::enabled).isInstanceOf(IllegalStateException.class)
				.hasMessage("max.age 'a week' is neither an ISO-8601 duration such as P7D or PT12H nor a number of days");

		janitor.modified(config(Map.of("enabled", true, "directory", root.toString(), "max.age", "P1D")));
		assertThat(janitor.enabled()).isTrue();
	}

	@Test
	void parsesAnAgeAsAnIsoDurationOrDays() {
		assertThat(FileJanitor.iso(Duration.ofDays(7))).isEqualTo("P7D");
		assertThat(FileJanitor.iso(Duration.ofHours(36))).isEqualTo("PT36H");
		assertThat(FileJanitor.parseAge("P7D")).isEqualTo(Duration.ofDays(7));
		assertThat(FileJanitor.parseAge("PT12H")).isEqualTo(Duration.ofHours(12));
		assertThat(FileJanitor.parseAge("30")).isEqualTo(Duration.ofDays(30));
		assertThatThrownBy(() -> FileJanitor.parseAge("-P1D")).hasMessage("max.age '-P1D' must be longer than zero");
	}
}
