package io.crontainer.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When the bundle cache is kept and when it is rebuilt (the framework side: {@code InstallationIT}). */
class BundleCacheTest {

	@TempDir
	Path dir;

	private Path home;
	private final List<String> lines = new ArrayList<>();
	private final BiConsumer<String, String> log = (level, line) -> lines.add(line);

	@BeforeEach
	void installation() throws Exception {
		home = Files.createDirectories(dir.resolve("a"));
		Files.createDirectories(home.resolve("lib"));
		Files.createDirectories(home.resolve("bundle"));
		Files.createDirectories(home.resolve("conf"));
		Files.createDirectories(home.resolve("data"));
		Files.writeString(home.resolve("lib/framework.jar"), "framework");
		Files.writeString(home.resolve("bundle/one.jar"), "one");
		Files.writeString(home.resolve("bundle/two.jar"), "two");
		Files.writeString(home.resolve("conf/bundles.list"), "bundle/one.jar\nbundle/two.jar\n");
	}

	private BundleCache plan(Path home) throws Exception {
		return BundleCache.plan(home, home.resolve("data"), BundleEntry.read(home.resolve("conf/bundles.list")), log);
	}

	@Test
	void keptWhenNothingChanged() throws Exception {
		BundleCache first = plan(home);
		assertThat(first.rebuild()).isTrue();
		assertThat(first.reason()).isEqualTo("no record of what built it (first start)");
		first.write();
		assertThat(plan(home).rebuild()).isFalse();
	}

	@Test
	void rebuiltWhenABundleChangedEvenWithTheSameSizeAndTime() throws Exception {
		plan(home).write();
		Path two = home.resolve("bundle/two.jar");
		FileTime time = Files.getLastModifiedTime(two);
		Files.writeString(two, "TWO");
		Files.setLastModifiedTime(two, time);
		assertThat(plan(home).reason()).isEqualTo("a bundle changed (bundle/two.jar)");
	}

	@Test
	void rebuiltWhenTheRuntimeOrTheListChanged() throws Exception {
		plan(home).write();
		Files.writeString(home.resolve("lib/framework.jar"), "framework 2");
		assertThat(plan(home).reason()).isEqualTo("the runtime changed (lib/framework.jar)");
		plan(home).write();
		Files.writeString(home.resolve("conf/bundles.list"), "bundle/one.jar\n");
		assertThat(plan(home).reason()).isEqualTo("the runtime changed (list)");
	}

	@Test
	void rebuiltForAnotherInstallationNamingItsDeployments() throws Exception {
		plan(home).write();
		Files.writeString(home.resolve("data/cache.index"),
				Files.readString(home.resolve("data/cache.index")) + "deploy file:" + home + "/deploy/x.jar 0000abcd:12\n");
		Path b = Files.createDirectories(dir.resolve("b"));
		for (String d : List.of("lib", "bundle", "conf", "data")) {
			Files.createDirectories(b.resolve(d));
			try (var files = Files.list(home.resolve(d))) {
				for (Path f : (Iterable<Path>) files::iterator) {
					Files.copy(f, b.resolve(d).resolve(f.getFileName()));
				}
			}
		}
		BundleCache cache = plan(b);
		assertThat(cache.reason()).isEqualTo("it was built for the installation in " + home);
		assertThat(lines).containsExactly("Dropped the deployment of file:" + home
				+ "/deploy/x.jar recorded in data/cache: it is outside this installation");
	}

	@Test
	void aDamagedRecordRebuildsTheCacheAndSaysWhy() throws Exception {
		plan(home).write();
		Path index = home.resolve("data/cache.index");
		String recorded = Files.readString(index);
		// its first line, the installation's, lost: the rest no longer says what it was built for
		Files.writeString(index, recorded.lines().filter(l -> !l.startsWith("home ")).map(l -> l + "\n")
				.reduce("", String::concat) + "deploy file:" + home + "/deploy/x.jar 0000abcd:12\n");
		BundleCache cache = plan(home);
		assertThat(cache.reason()).isEqualTo("its record data/cache.index is damaged: it names no installation");
		assertThat(lines).isEmpty(); // its deployments are dropped with it, since the cache is rebuilt

		Files.write(index, new byte[] {'h', 'o', 'm', 'e', ' ', (byte) 0xC3, (byte) 0x28, '\n'}); // not UTF-8
		assertThat(plan(home).reason()).startsWith("its record data/cache.index cannot be read (")
				.contains("MalformedInputException");

		Files.writeString(index, "garbage\n");
		assertThat(plan(home).reason()).isEqualTo("no record of what built it (first start)");

		plan(home).write();
		assertThat(plan(home).rebuild()).as("rewritten once rebuilt").isFalse();
	}

	@Test
	void aBundleOfTheListThatIsNotThereIsNamed() throws Exception {
		Files.delete(home.resolve("bundle/two.jar"));
		org.assertj.core.api.Assertions.assertThatThrownBy(() -> plan(home))
				.isInstanceOf(java.nio.file.NoSuchFileException.class)
				.hasMessage(home.resolve("bundle/two.jar") + ": named in conf/bundles.list, but not there: put it back, or "
						+ "take it out of the list");
	}

	@Test
	void aJarInBundleThatTheListDoesNotNameIsReported() throws Exception {
		Files.writeString(home.resolve("bundle/three.jar"), "three");
		Files.writeString(home.resolve("bundle/notes.txt"), "not a jar");
		plan(home);
		assertThat(lines).containsExactly("bundle/three.jar is not in conf/bundles.list, so it is not installed: bundle/"
				+ " holds the runtime's own bundles, as the list names them; put plugins in deploy/");
	}

	@Test
	void locationsOfFileInstallAndOfTheLauncherAreBothPaths() {
		assertThat(BundleCache.path("file:/opt/c/deploy/x.jar")).isEqualTo(Path.of("/opt/c/deploy/x.jar"));
		assertThat(BundleCache.path("file:///opt/c/deploy/../bundle/y.jar")).isEqualTo(Path.of("/opt/c/bundle/y.jar"));
		assertThat(BundleCache.path("reference:file:/opt/c/x.jar")).isEqualTo(Path.of("/opt/c/x.jar"));
		assertThat(BundleCache.path("mvn:g/a/1")).isNull();
	}
}
