package io.crontainer.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /metrics} of the shipped distribution: the Prometheus Java client's bundles resolve and start in
 * Felix, a run fired with {@code bin/client} is counted (from its event), the Prometheus text format passes Prometheus's
 * own {@code promtool check metrics}, and OpenMetrics is served when asked for. The scrape is kept as
 * {@code runtime/target/metrics/scrape.txt}. Skipped without promtool, unless CRONTAINER_REQUIRE_PROMTOOL=1
 * ({@link Promtool}); one distribution is started.
 */
class MetricsIT {

	private static final Duration TIMEOUT = Duration.ofSeconds(60);
	private static final Pattern BASE_URL = Pattern.compile("Web console: (http://127\\.0\\.0\\.1:\\d+)/");
	private static final List<String> PROMETHEUS_BUNDLES = List.of("org.jsr-305", "io.prometheus.metrics-config",
			"io.prometheus.metrics-model", "io.prometheus.metrics-tracer-common", "io.prometheus.metrics-core",
			"io.prometheus.metrics-exposition-textformats");

	@TempDir
	Path tmp;

	private Process process;
	private Path output;

	@AfterEach
	void kill() throws InterruptedException {
		if (process != null && process.isAlive()) {
			process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
		}
	}

	@Test
	void prometheusScrapesTheRuntime() throws Exception {
		Promtool.find(); // before anything is started: skip (or fail) at once without it
		Path home = Distributions.unpack(tmp);
		output = tmp.resolve("output.txt");
		Path ready = tmp.resolve("ready.txt");
		ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/crontainer").toString()).directory(tmp.toFile())
				.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).redirectErrorStream(true)
				.redirectOutput(output.toFile());
		pb.environment().put("JAVA_OPTS", DistributionIT.EPHEMERAL_HTTP_PORT + " -Dcrontainer.ready.file=" + ready);
		process = pb.start();

		await("ready file", () -> Files.exists(ready));
		List<String> bundles = Files.readAllLines(ready);
		for (String bsn : PROMETHEUS_BUNDLES) {
			assertThat(bundles).as("bundle %s", bsn).anyMatch(l -> l.contains(" ACTIVE " + bsn + " "));
		}
		String[] base = new String[1];
		await("the HTTP server's URL in the log", () -> {
			Matcher m = BASE_URL.matcher(read(output));
			return m.find() && (base[0] = m.group(1)) != null;
		});
		URI metrics = URI.create(base[0] + "/metrics");

		// A run, fired and waited for: counted by its event
		// (heartbeat fires every minute: a fire by hand that meets its scheduled run is refused, and tried again)
		await("heartbeat fired by hand", () -> {
			try {
				Process fire = new ProcessBuilder(home.resolve("bin/client").toString(), "cron:fire", "heartbeat")
						.redirectErrorStream(true).redirectOutput(tmp.resolve("fire.txt").toFile()).start();
				assertThat(fire.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
			} catch (IOException e) {
				throw new java.io.UncheckedIOException(e);
			} catch (InterruptedException e) {
				Thread.currentThread().interrupt();
				return false;
			}
			String said = read(tmp.resolve("fire.txt"));
			assertThat(said).satisfiesAnyOf(t -> assertThat(t).startsWith("heartbeat: SUCCEEDED"),
					t -> assertThat(t).contains("heartbeat is running already"));
			return said.startsWith("heartbeat: SUCCEEDED");
		});

		HttpClient http = HttpClient.newHttpClient();
		// Counted from the run's ENDED event, which Event Admin delivers asynchronously
		Pattern counted = Pattern.compile("crontainer_plugin_runs_total\\{outcome=\"succeeded\",plugin=\"heartbeat\"} [1-9]");
		await("the fired run counted", () -> counted.matcher(body(http, metrics)).find());
		HttpResponse<String> text = http.send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString());
		assertThat(text.statusCode()).isEqualTo(200);
		assertThat(text.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
		assertThat(text.headers().firstValue("Cache-Control")).hasValue("no-store");
		assertThat(text.headers().firstValue("Access-Control-Allow-Origin")).as("no cross-origin reads").isEmpty();
		String scrape = text.body();
		Path kept = Files.createDirectories(Path.of("target/metrics")).resolve("scrape.txt");
		Files.writeString(kept, scrape);
		assertThat(scrape).contains("crontainer_scheduler_up 1.0\n")
				.contains("crontainer_plugin_state{plugin=\"heartbeat\",crontainer_plugin_state=\"SCHEDULED\"} 1\n")
				.contains("crontainer_plugin_state{plugin=\"file-janitor\",crontainer_plugin_state=\"DISABLED\"} 1\n")
				.contains("crontainer_plugin_info{bundle=\"io.crontainer.examples.heartbeat\",interval=\"* * * * *\"")
				.contains("crontainer_plugin_running{plugin=\"heartbeat\"} 0.0\n")
				.contains("crontainer_plugin_consecutive_failures{plugin=\"heartbeat\"} 0.0\n")
				.contains("crontainer_plugin_next_fire_timestamp_seconds{plugin=\"heartbeat\"} ")
				.contains("crontainer_plugin_last_window_end_timestamp_seconds{plugin=\"heartbeat\"} ")
				.contains("crontainer_plugin_last_success_timestamp_seconds{plugin=\"heartbeat\"} ")
				.contains("crontainer_plugin_uncommitted_fires{plugin=\"heartbeat\"} 0.0\n")
				.contains("crontainer_plugin_run_duration_seconds_bucket{plugin=\"heartbeat\",le=\"+Inf\"} ")
				.contains("crontainer_runs_in_progress 0.0\n").contains("crontainer_runs_queued 0.0\n")
				.doesNotContain("crontainer_plugin_uncommitted_fires{plugin=\"file-janitor\"}"); // DISABLED
		assertThat(scrape).containsPattern("crontainer_plugin_runs_total\\{outcome=\"succeeded\",plugin=\"heartbeat\"} [1-9]");
		// The engine: its due queue (fire times of the scheduled plugins, the re-check) and the commit times
		assertThat(scrape).containsPattern("\ncrontainer_due_queue_length [1-9][0-9]*\\.0\n")
				.containsPattern("\ncrontainer_store_commit_duration_seconds_count [1-9]")
				.contains("crontainer_store_commit_duration_seconds_bucket{le=\"0.001\"} ");

		// Prometheus's own linter: names, units, types, help texts
		Promtool.Result lint = Promtool.run(tmp, scrape, "check", "metrics");
		System.out.println("promtool check metrics: exit " + lint.status() + ", output: [" + lint.output() + "]");
		assertThat(lint.status()).as(lint.output()).isZero();
		assertThat(lint.output()).isEmpty();

		// OpenMetrics, by content negotiation, as Prometheus asks first
		HttpResponse<String> open = http.send(HttpRequest.newBuilder(metrics)
				.header("Accept", "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5").build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(open.statusCode()).isEqualTo(200);
		assertThat(open.headers().firstValue("Content-Type"))
				.hasValue("application/openmetrics-text; version=1.0.0; charset=utf-8");
		assertThat(open.body()).contains("# TYPE crontainer_plugin_state stateset\n")
				.contains("# TYPE crontainer_plugin info\n")
				.contains("# UNIT crontainer_plugin_run_duration_seconds seconds\n")
				.contains("# TYPE crontainer_plugin_runs counter\n").endsWith("# EOF\n");

		// Read-only: nothing else than GET (and HEAD)
		HttpResponse<String> post = http.send(HttpRequest.newBuilder(metrics)
				.POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
		assertThat(post.statusCode()).isEqualTo(405);

		// On a shared host: endpoints.access = token (applied live) serves /metrics only with the token of its file
		Files.writeString(home.resolve("etc/io.crontainer.webconsole.cfg"), "endpoints.access = token\n");
		await("/metrics behind the token", () -> status(http, metrics, null) == 401);
		Path tokenFile = home.resolve("data/web/endpoints.token");
		assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile)))
				.isEqualTo("rw-------");
		String token = Files.readString(tokenFile).strip();
		assertThat(status(http, metrics, "Bearer " + token.substring(1))).isEqualTo(401);
		assertThat(status(http, metrics, "Basic " + token)).isEqualTo(401);
		assertThat(status(http, metrics, "Bearer " + token)).isEqualTo(200);
		// A token file that other users can read is not trusted: nothing is served, and the log says why
		Files.setPosixFilePermissions(tokenFile, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
		assertThat(status(http, metrics, "Bearer " + token)).isEqualTo(503);
		await("the log names the open token file", () -> read(home.resolve("data/log/crontainer.log"))
				.contains("the bearer token file " + tokenFile + " is open to other users"));

		process.destroy();
		assertThat(process.waitFor(10, TimeUnit.SECONDS)).as("exited within 10 s of SIGTERM").isTrue();
		assertThat(process.exitValue()).as("exit status; output:%n%s", read(output)).isZero();
		assertThat(read(home.resolve("data/log/crontainer.log"))).doesNotContain("NoClassDefFoundError")
				.doesNotContain("/metrics\njava.");
	}

	private static int status(HttpClient http, URI uri, String authorization) {
		HttpRequest.Builder request = HttpRequest.newBuilder(uri);
		if (authorization != null) {
			request.header("Authorization", authorization);
		}
		try {
			return http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
		} catch (IOException e) {
			return -1;
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			return -1;
		}
	}

	private static String body(HttpClient http, URI uri) {
		try {
			return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body();
		} catch (IOException e) {
			return "";
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			return "";
		}
	}

	private void await(String what, BooleanSupplier condition) throws InterruptedException {
		Distributions.await(process, output, TIMEOUT, what, condition);
	}

	private static String read(Path file) {
		return Distributions.read(file);
	}
}
