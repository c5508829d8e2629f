package io.crontainer.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One setting moves the HTTP port, on the released distribution: with {@code etc/org.apache.felix.http.cfg}
 * naming a port, that port is the first and only one tried (the default of {@code conf/config.properties},
 * here overridden by {@code -D} to a port that is in use, is never bound); a configured port in use is
 * said in one warning, and a new port in the file applies live.
 */
class HttpPortIT {
	private static final Duration TIMEOUT = Duration.ofSeconds(60);

	@TempDir
	Path tmp;

	private Process process;
	private Path output;

	@AfterEach
	void stop() throws InterruptedException {
		if (process != null && process.isAlive()) {
			process.destroy();
			if (!process.waitFor(15, TimeUnit.SECONDS)) {
				process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
		}
	}

	@Test
	void theConfiguredPortIsTheFirstAndOnlyOneTried() throws Exception {
		Path home = Distributions.unpack(tmp);
		try (ServerSocket defaultPort = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
				ServerSocket taken = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
			Path cfg = home.resolve("etc/org.apache.felix.http.cfg");
			assertThat(cfg).as("shipped").exists();
			String shipped = Files.readString(cfg);
			Files.writeString(cfg, shipped + "org.osgi.service.http.port = " + taken.getLocalPort() + "\n");
			output = tmp.resolve("output.txt");
			ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/crontainer").toString()).directory(tmp.toFile())
					.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).redirectErrorStream(true)
					.redirectOutput(output.toFile());
			// The default (conf/config.properties), moved by -D to a port that is in use: never to be tried.
			pb.environment().put("JAVA_OPTS", "-Dorg.osgi.service.http.port=" + defaultPort.getLocalPort());
			process = pb.start();

			String warning = "Web console: the HTTP server is not listening: its address 127.0.0.1:"
					+ taken.getLocalPort() + " is in use";
			await("the warning about the port in use", () -> read(output).contains(warning));
			String log = read(output);
			assertThat(log).doesNotContain(":" + defaultPort.getLocalPort())
					.as("one start, on the configured port only").containsOnlyOnce("Failed to bind");
			assertThat(log).containsOnlyOnce(warning);

			// Another port in the file: applied live, and the console's URL is said.
			int free;
			try (ServerSocket probe = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
				free = probe.getLocalPort();
			}
			Files.writeString(cfg, shipped + "org.osgi.service.http.port = " + free + "\n");
			await("the console on the new port", () -> read(output)
					.contains("Web console: http://127.0.0.1:" + free + "/system/console/cronjobs"));
			assertThat(read(output)).doesNotContain(":" + defaultPort.getLocalPort());
		}
	}

	private void await(String what, BooleanSupplier condition) throws InterruptedException {
		Distributions.await(process, output, TIMEOUT, what, condition);
	}

	private static String read(Path file) {
		return Distributions.read(file);
	}
}
