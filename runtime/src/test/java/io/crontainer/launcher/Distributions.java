package io.crontainer.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** The distribution as released, for the tests that start it: its {@code .tar.gz}, unpacked. */
final class Distributions {

	private Distributions() {
	}

	/**
	 * Unpacks the {@code crontainer-*.tar.gz} next to the directory named by the system property
	 * {@code crontainer.dist} into {@code into}.
	 *
	 * @return The unpacked distribution's home, {@code into/crontainer-VERSION}.
	 * @throws AssertionError If there is no archive or {@code tar} fails.
	 */
	static Path unpack(Path into) throws Exception {
		Path dist = Path.of(System.getProperty("crontainer.dist"));
		Path tar;
		try (Stream<Path> files = Files.list(dist.getParent())) {
			tar = files.filter(p -> p.getFileName().toString().matches("crontainer-.*\\.tar\\.gz")).findFirst()
					.orElseThrow(() -> new AssertionError("No crontainer-*.tar.gz next to " + dist));
		}
		Process untar = new ProcessBuilder("tar", "xzf", tar.toString(), "-C", into.toString()).inheritIO().start();
		assertThat(untar.waitFor(60, TimeUnit.SECONDS)).as("tar finished").isTrue();
		assertThat(untar.exitValue()).as("tar's exit status").isZero();
		try (Stream<Path> dirs = Files.list(into)) {
			return dirs.filter(p -> p.getFileName().toString().startsWith("crontainer-")).findFirst().orElseThrow();
		}
	}
}
