package io.crontainer.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;

/**
 * Prometheus's own checker, {@code promtool} (Debian's {@code prometheus} package installs
 * {@code /usr/bin/promtool}; {@code PROMTOOL} names another). Where it is missing the calling test is
 * skipped, unless the environment sets {@code CRONTAINER_REQUIRE_PROMTOOL=1} (CI does): then it fails.
 */
final class Promtool {

	private Promtool() {
	}

	/** What promtool said: its exit status and its output (stdout and stderr together). */
	record Result(int status, String output) {
	}

	/** The promtool executable, or the test is skipped (or fails, with CRONTAINER_REQUIRE_PROMTOOL=1). */
	static Path find() {
		Path found = Stream.of(System.getenv("PROMTOOL"), "/usr/bin/promtool", "/usr/local/bin/promtool")
				.filter(p -> p != null && !p.isBlank()).map(Path::of).filter(Files::isExecutable).findFirst().orElse(null);
		if (found == null) {
			String why = "No promtool found (/usr/bin/promtool, or PROMTOOL): apt-get install prometheus";
			if ("1".equals(System.getenv("CRONTAINER_REQUIRE_PROMTOOL"))) {
				throw new AssertionError(why + " (CRONTAINER_REQUIRE_PROMTOOL=1: the Prometheus checks must run)");
			}
			Assumptions.abort(why);
		}
		return found;
	}

	/**
	 * Runs promtool.
	 *
	 * @param dir The working directory.
	 * @param stdin What promtool reads, or {@code null} for nothing.
	 * @param args Its arguments, e.g. {@code check metrics}.
	 */
	static Result run(Path dir, String stdin, String... args) throws IOException, InterruptedException {
		List<String> command = new ArrayList<>();
		command.add(find().toString());
		command.addAll(List.of(args));
		Path out = Files.createTempFile("promtool", ".out");
		try {
			Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
					.redirectOutput(out.toFile()).start();
			try (OutputStream in = p.getOutputStream()) {
				if (stdin != null) {
					in.write(stdin.getBytes(StandardCharsets.UTF_8));
				}
			}
			assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("promtool %s ended", args).isTrue();
			return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
		} finally {
			Files.deleteIfExists(out);
		}
	}
}
