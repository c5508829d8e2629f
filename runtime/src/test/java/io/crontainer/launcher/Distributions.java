package io.crontainer.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
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

	/**
	 * Waits until {@code condition} holds, checking every 50 ms, for a started distribution.
	 *
	 * @throws AssertionError If the process exits first, or {@code timeout} passes; either message names
	 *         {@code what} was awaited and holds the process's output so far.
	 */
	static void await(Process process, Path output, Duration timeout, String what, BooleanSupplier condition)
			throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (!condition.getAsBoolean()) {
			if (!process.isAlive()) {
				throw new AssertionError("Crontainer exited (" + process.exitValue() + ") while waiting for " + what
						+ "; output:\n" + read(output));
			}
			if (System.nanoTime() - deadline > 0) {
				throw new AssertionError("Timed out waiting for " + what + "; output:\n" + read(output));
			}
			Thread.sleep(50);
		}
	}

	/** A file's text (UTF-8), "" while it does not exist, or the exception's text if it cannot be read. */
	static String read(Path file) {
		try {
			return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
		} catch (IOException e) {
			return e.toString();
		}
	}
}
