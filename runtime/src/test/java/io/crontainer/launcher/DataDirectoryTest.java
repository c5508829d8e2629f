package io.crontainer.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Owner-only secrets and configurations from another installation (on the distribution: {@code InstallationIT}). */
class DataDirectoryTest {

	@TempDir
	Path dir;

	private final List<String> lines = new ArrayList<>();

	@Test
	void dropsOnlyConfigurationsMadeFromFilesOutsideTheInstallation() throws Exception {
		Path home = Files.createDirectories(dir.resolve("new home"));
		Path config = Files.createDirectories(home.resolve("data/config/io/x"));
		Path foreign = Files.writeString(config.resolve("foreign.config"), "service.pid=\"io.x.foreign\"\n"
				+ "felix.fileinstall.filename=\"file:/old/etc/io.x.foreign.cfg\"\ntimeout=I\"3\"\n");
		Path own = Files.writeString(config.resolve("own.config"), "service.pid=\"io.x.own\"\n"
				+ "felix.fileinstall.filename=\"" + home.toUri() + "etc/io.x.own.cfg\"\n");
		Path path = Files.writeString(config.resolve("path.config"), "service.pid=\"io.x.path\"\n"
				+ "felix.fileinstall.filename=\"" + home + "/etc/../../elsewhere/io.x.path.cfg\"\n");
		Path made = Files.writeString(config.resolve("made.config"), "service.pid=\"io.x.made\"\nenabled=B\"true\"\n");
		List<Path> dropped = DataDirectory.dropForeignConfigurations(home, home.resolve("data/config"), (l, s) -> lines.add(s));
		assertThat(dropped).containsExactlyInAnyOrder(foreign, path);
		assertThat(own).exists();
		assertThat(made).exists();
		assertThat(lines).contains("Dropped configuration io.x.foreign: it was made from file:/old/etc/io.x.foreign.cfg,"
				+ " outside this installation");
	}

	@Test
	void unescapesAsConfigAdminWrites() {
		assertThat(DataDirectory.unescape("file:/a\\ b/\\\"c\\\"/\\u00e9")).isEqualTo("file:/a b/\"c\"/\u00e9");
	}

	@Test
	void makesDataEtcAndConfigurationsOwnerOnly() throws Exception {
		Path data = Files.createDirectories(dir.resolve("data"));
		Path etc = Files.createDirectories(dir.resolve("etc"));
		Path config = Files.createDirectories(data.resolve("config/io"));
		Path file = Files.writeString(config.resolve("x.config"), ".password=\"x\"\n");
		for (Path p : List.of(data, etc, config)) {
			Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
		}
		Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
		DataDirectory.restrict(List.of(data, etc), data.resolve("config"), (l, s) -> lines.add(s));
		assertThat(Files.getPosixFilePermissions(data)).isEqualTo(DataDirectory.OWNER_DIR);
		assertThat(Files.getPosixFilePermissions(etc)).isEqualTo(DataDirectory.OWNER_DIR);
		assertThat(Files.getPosixFilePermissions(config)).isEqualTo(DataDirectory.OWNER_DIR);
		assertThat(Files.getPosixFilePermissions(file)).isEqualTo(DataDirectory.OWNER_FILE);
		assertThat(lines).hasSize(2).allMatch(l -> l.contains("readable by its owner only (was rwxr-xr-x)"));
		lines.clear();
		DataDirectory.restrict(List.of(data, etc), data.resolve("config"), (l, s) -> lines.add(s));
		assertThat(lines).isEmpty(); // nothing to say the second time
	}
}
