package io.crontainer.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.crontainer.launcher.hung.HungPlugin;
import io.crontainer.launcher.hung.LoggingPlugins;
import io.crontainer.launcher.hung.MisbehavingPlugins;
import io.crontainer.launcher.hung.RetryingPlugin;

/**
 * The assembled distribution, as shipped (unpacked from the .tar.gz): {@code bin/crontainer} started
 * from another directory runs headless without a terminal, starts every bundle, listens on loopback
 * addresses only (the web feature's HTTP server, here on a free port), hot-deploys from {@code deploy/},
 * logs to {@code data/log/}, and stops cleanly on SIGTERM; from a "terminal" it runs the Gogo console.
 * {@code bin/client} runs commands in a running runtime, one-shot and interactively (through a
 * pseudo-terminal made by {@code script(1)}); Ctrl-C interrupts the command, never the runtime; a second
 * runtime on the same {@code data/} is refused, and a killed one's lock never blocks the next start.
 */
class DistributionIT {

	private static final Duration TIMEOUT = Duration.ofSeconds(60);
	private static final ProcessBuilder.Redirect DEV_NULL = ProcessBuilder.Redirect.from(new java.io.File("/dev/null"));

	@TempDir
	Path tmp;

	private Path home;
	private Process process;
	private Path output;

	@BeforeEach
	void unpack() throws Exception {
		home = Distributions.unpack(tmp);
		output = tmp.resolve("output.txt");
	}

	@AfterEach
	void kill() throws InterruptedException {
		if (process != null && process.isAlive()) {
			process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
		}
	}

	@Test
	void headlessStartDeployAndStop() throws Exception {
		assertThat(home.resolve("bin/crontainer")).isExecutable();
		for (String dir : List.of("bundle", "deploy", "etc", "data", "conf", "lib")) {
			assertThat(home.resolve(dir)).isDirectory();
		}
		Path ready = tmp.resolve("ready.txt");
		process = start(Map.of("JAVA_OPTS", "-Dcrontainer.ready.file=" + ready), ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));

		await("ready file", () -> Files.exists(ready));
		List<String> bundles = Files.readAllLines(ready);
		assertThat(bundles).hasSizeGreaterThan(10).allMatch(l -> l.split(" ")[1].equals("ACTIVE"), "ACTIVE");
		assertThat(bundles).anyMatch(l -> l.contains(" io.crontainer.scheduler "))
				.anyMatch(l -> l.contains(" org.apache.felix.gogo.jline ")); // headless too: it serves bin/client
		await("the web feature's HTTP server listening", () -> !listening(process.pid()).isEmpty());
		assertThat(listening(process.pid())).as("listening TCP sockets").allMatch(DistributionIT::isLoopback, "loopback");
		// bin/client's socket: only this user may connect
		assertThat(Files.getPosixFilePermissions(home.resolve("data/run"))).isEqualTo(PosixFilePermissions.fromString("rwx------"));
		assertThat(Files.getPosixFilePermissions(home.resolve("data/run/client.sock")))
				.isEqualTo(PosixFilePermissions.fromString("rw-------"));

		// A truncated jar: one warning naming it, however many polls see it
		byte[] whole = bundleJar("io.crontainer.dist.cut");
		Files.write(home.resolve("deploy/cut.jar"), java.util.Arrays.copyOf(whole, whole.length / 2));

		// Hot deployment, as the README says: copy under another name, then rename.
		Path part = Files.write(home.resolve("deploy/sample.jar.part"), bundleJar("io.crontainer.dist.sample"));
		Path jar = Files.move(part, home.resolve("deploy/sample.jar"), StandardCopyOption.ATOMIC_MOVE);
		await("sample bundle ACTIVE", () -> read(ready).contains(" ACTIVE io.crontainer.dist.sample "));
		Files.delete(jar);
		await("sample bundle uninstalled", () -> !read(ready).contains("io.crontainer.dist.sample"));

		Path log = home.resolve("data/log/crontainer.log");
		await("log file", () -> read(log).contains("Crontainer started in"));
		String cutWarning = "Ignoring " + home.toRealPath().resolve("deploy/cut.jar") + ": it cannot be read as a jar";
		assertThat(read(log).lines().filter(l -> l.contains("| WARN  |") && l.contains(cutWarning))).hasSize(1);
		// copied again, completely: installed
		Path whole2 = Files.write(home.resolve("deploy/cut.jar.part"), whole);
		Files.move(whole2, home.resolve("deploy/cut.jar"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
		await("the fixed jar ACTIVE", () -> read(ready).contains(" ACTIVE io.crontainer.dist.cut "));
		assertThat(read(log).lines().filter(l -> l.contains("Crontainer started in")).findFirst().orElseThrow())
				.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d) \\| INFO  \\| \\S+ +\\| .*");
		assertThat(read(output)).contains("Crontainer started in"); // and the console
		// SLF4J, from our bundles (the scheduler logs through SLF4J only)
		await("an SLF4J line of the scheduler in the log file", () -> read(log).contains(" | io.crontainer.scheduler "));

		// Ready means ready: with the scheduler stopped the ready file goes, with one line saying why; it is
		// back once the scheduler runs again.
		String scheduler = read(ready).lines().filter(l -> l.contains(" io.crontainer.scheduler ")).findFirst()
				.orElseThrow().split(" ")[0];
		assertThat(client("stop " + scheduler).status).isZero();
		await("ready file deleted", () -> !Files.exists(ready));
		await("one line says why", () -> read(log).contains("Crontainer is no longer ready: "));
		assertThat(read(log).lines().filter(l -> l.contains("Crontainer is no longer ready: "))).singleElement()
				.asString().contains("| WARN  |").contains("io.crontainer.scheduler").contains("deleted " + ready);
		assertThat(client("start " + scheduler).status).isZero();
		await("ready file written again", () -> read(ready).contains(" ACTIVE io.crontainer.scheduler "));
		await("ready again, said once", () -> read(log).contains("Crontainer is ready again; wrote " + ready));

		process.destroy(); // SIGTERM
		assertThat(process.waitFor(10, TimeUnit.SECONDS)).as("exited within 10 s of SIGTERM").isTrue();
		assertThat(process.exitValue()).as("exit status; output:%n%s", read(output)).isZero();
		assertThat(read(output)).contains("Crontainer stopped").doesNotContain("Exception");
		assertThat(ready).doesNotExist();
	}

	@Test
	void consoleRunsGogoCommands() throws Exception {
		process = start(Map.of("JAVA_OPTS", "-Dcrontainer.console=true -Dcrontainer.log.console.level=WARN"),
				ProcessBuilder.Redirect.PIPE);
		try (OutputStream in = process.getOutputStream()) {
			in.write("lb\nlog 100 info\n".getBytes(StandardCharsets.UTF_8));
		}
		// End of input ends the console, and with it the runtime.
		assertThat(process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
		String out = read(output);
		assertThat(out).contains("g! ").contains("Apache Felix Gogo JLine Shell") // lb
				// log: the launcher's line, from the OSGi log, in the command's format
				.contains("INFO - Bundle: org.apache.felix.framework - Crontainer started in")
				.contains("INFO - Bundle: io.crontainer.scheduler - ") // SLF4J reaches the OSGi log too
				.doesNotContain("| INFO  |") // console level WARN: INFO only in log/file, the launcher's too
				.doesNotContain("dumb terminal").doesNotContain("ERROR"); // a pipe: no terminal noise
		assertThat(process.exitValue()).isZero();
	}

	@Test
	void clientRunsCommandsInTheRunningRuntime() throws Exception {
		assertThat(client("cron:list")).satisfies(r -> {
			assertThat(r.status).as("no runtime: %s", r).isEqualTo(2);
			assertThat(r.err).isEqualTo("Crontainer is not running in " + home.toRealPath() + " (nothing listens on "
					+ home.toRealPath().resolve("data/run/client.sock") + ")\n");
		});
		Path ready = tmp.resolve("ready.txt");
		process = start(Map.of("JAVA_OPTS", "-Dcrontainer.ready.file=" + ready), DEV_NULL);
		await("ready file", () -> Files.exists(ready));
		await("heartbeat scheduled", () -> client("cron:names").out.contains("heartbeat\n"));

		Result list = client("cron:list", "-a");
		assertThat(list.status).as("%s", list).isZero();
		assertThat(list.out).startsWith("NAME ").contains("\nheartbeat ").endsWith("3 cron plugins listed.\n");
		assertThat(list.err).isEmpty();

		Result unknown = client("cron:fire", "nope");
		assertThat(unknown.status).isEqualTo(1);
		assertThat(unknown.out).isEmpty();
		assertThat(unknown.err).isEqualTo("Unknown cron plugin \"nope\"; known: file-janitor, heartbeat, token-cleaner.\n");

		Result wrong = client("cron:history heartbeat 5");
		assertThat(wrong.status).isEqualTo(1);
		assertThat(wrong.err).startsWith(
				"cron:history: wrong arguments \"heartbeat 5\"; usage: cron:history [-n N] [NAME] (help cron:history explains them)\n");

		// The words are one command line, as with ssh: quote for Gogo inside the shell's quotes
		Result quoted = client("cron:next -n 2 -f 2024-10-27T00:00 -z Europe/Berlin \"30 2 * * *\"");
		assertThat(quoted.out).contains("\n2024-10-27T02:30+02:00[Europe/Berlin]\n2024-10-28T02:30+01:00[Europe/Berlin]\n");

		// A re-run of two past windows: listed by a dry run, then run, each a run of its own in the history
		assertThat(client("cron:fire", "heartbeat").status).isZero(); // a committed window up to now
		java.time.Instant from = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MINUTES).minusSeconds(180);
		String range = "--from " + from + " --to " + from.plusSeconds(120);
		Result dry = client("cron:rerun " + range + " --dry-run heartbeat");
		assertThat(dry.status).as("%s", dry).isZero();
		assertThat(dry.out).startsWith("Dry run: heartbeat would re-run 2 windows of [").contains("\n#  WINDOW START ")
				.contains("Nothing was run.");
		assertThat(client("cron:history heartbeat").out).doesNotContain("RERUN");
		Result rerun = client("cron:rerun " + range + " --by it heartbeat");
		assertThat(rerun.out).as("%s", rerun).startsWith("Re-running heartbeat: 2 windows of [")
				.contains("asked by it via bin/client");
		await("the re-run done", () -> client("cron:rerun heartbeat").out.startsWith("Re-run of heartbeat (done):"));
		assertThat(client("cron:history heartbeat").out.lines().filter(l -> l.startsWith("RERUN ")))
				.hasSize(2).allMatch(l -> l.contains("SUCCEEDED"));
		Result bad = client("cron:rerun --from " + from.plusSeconds(60) + " --to " + from + " heartbeat");
		assertThat(bad.status).isEqualTo(1);
		assertThat(bad.err).startsWith("Refused: the range is empty: its start, ");

		// A script on stdin: each line in turn, in one session; the first failure ends it.
		Result script = client("cron:pause heartbeat\n# a comment\n\ncron:resume heartbeat\ncron:info nope\ncron:list\n");
		assertThat(script.status).as("%s", script).isEqualTo(1);
		assertThat(script.out).contains("heartbeat").doesNotContain("NAME ");
		assertThat(script.err).startsWith("Unknown cron plugin \"nope\"");

		// 1,000 connect-and-close cycles (a liveness probe's) leave no thread behind
		Path socket = home.resolve("data/run/client.sock");
		for (int i = 0; i < 1000; i++) {
			java.nio.channels.SocketChannel.open(java.net.UnixDomainSocketAddress.of(socket)).close();
		}
		assertThat(client("cron:names").status).isZero();
		await("no bin/client connection thread left", () -> clientThreads(process.pid()) == 0);

		// One runtime per data/: a second one refuses at once, naming the first
		Process second = new ProcessBuilder(home.resolve("bin/crontainer").toString()).redirectErrorStream(true)
				.redirectInput(DEV_NULL).start();
		assertThat(second.waitFor(30, TimeUnit.SECONDS)).isTrue();
		assertThat(second.exitValue()).isEqualTo(1);
		assertThat(new String(second.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
				.contains("Crontainer is already running on " + home.toRealPath().resolve("data") + " (process "
						+ process.pid() + ")");
		assertThat(process.isAlive()).isTrue();
		assertThat(client("cron:list").status).isZero();

		stop();
		assertThat(client("cron:list").err).startsWith("Crontainer is not running in ");
	}

	@Test
	void aKilledRuntimeNeverBlocksTheNextStart() throws Exception {
		Path ready = tmp.resolve("ready.txt");
		process = start(Map.of("JAVA_OPTS", "-Dcrontainer.ready.file=" + ready), DEV_NULL);
		await("ready file", () -> Files.exists(ready));
		await("a client session", () -> client("cron:names").status == 0);
		process.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // kill -9: lock file and socket stay behind
		assertThat(home.resolve("data/crontainer.lock")).exists();
		assertThat(home.resolve("data/run/client.sock")).exists();
		assertThat(client("cron:list").err).startsWith("Crontainer is not running in ");

		Files.delete(ready);
		process = start(Map.of("JAVA_OPTS", "-Dcrontainer.ready.file=" + ready), DEV_NULL);
		await("ready file after a kill -9", () -> Files.exists(ready));
		await("a client session", () -> client("cron:names").out.contains("heartbeat"));
		assertThat(Files.readString(home.resolve("data/crontainer.lock")).strip()).isEqualTo(Long.toString(process.pid()));
		stop();
	}

	@Test
	void aCfgFileDeletedWhileStoppedIsNoLongerInForce() throws Exception {
		Path cfg = Files.writeString(home.resolve("etc/io.crontainer.scheduler.cfg"), "timezone = Europe/Berlin\n");
		process = start(Map.of(), DEV_NULL);
		await("heartbeat in Europe/Berlin", () -> client("cron:list").out.lines()
				.anyMatch(l -> l.startsWith("heartbeat ") && l.contains("Europe/Berlin")));
		stop();

		Files.delete(cfg); // while the runtime is stopped: etc/ stays the source of truth
		process = start(Map.of(), DEV_NULL);
		await("the configuration deleted", () -> read(output).lines()
				.anyMatch(l -> l.contains("Deleted configuration io.crontainer.scheduler: its file ")
						&& l.contains("/etc/io.crontainer.scheduler.cfg was removed while the runtime was stopped")));
		await("heartbeat in the default zone again", () -> client("cron:list").out.lines()
				.anyMatch(l -> l.startsWith("heartbeat ") && !l.contains("Europe/Berlin")));
		stop();
	}

	@Test
	void ctrlCInterruptsAWaitingFireNotTheRuntime() throws Exception {
		Path ready = tmp.resolve("ready.txt");
		Files.write(home.resolve("deploy/hung.jar"), hungPluginJar());
		process = start(Map.of("JAVA_OPTS", "-Dcrontainer.ready.file=" + ready), DEV_NULL);
		await("the hung plugin", () -> client("cron:names").out.contains("hung\n"));

		// One-shot: SIGINT to bin/client interrupts the command; the status says so
		Path fireOut = tmp.resolve("fire.txt");
		Process fire = new ProcessBuilder(home.resolve("bin/client").toString(), "cron:fire", "hung")
				.redirectErrorStream(true).redirectOutput(fireOut.toFile()).start();
		await("hung running", () -> client("cron:list").out.lines().anyMatch(l -> l.startsWith("hung ") && l.contains("(running")));
		assertThat(new ProcessBuilder("kill", "-INT", Long.toString(fire.pid())).start().waitFor()).isZero();
		assertThat(fire.waitFor(30, TimeUnit.SECONDS)).as("client ended on SIGINT").isTrue();
		assertThat(fire.exitValue()).as(read(fireOut)).isEqualTo(130);
		assertThat(read(fireOut)).isEqualTo("Interrupted. The runtime goes on, and so does a run the command started"
				+ " (cron:list shows it).\n");
		assertThat(process.isAlive()).isTrue();

		// Interactive, through a pseudo-terminal: completion, Ctrl-C, history, Ctrl-D
		Pty pty = new Pty(home.resolve("bin/client") + "");
		pty.awaitOutput("g! ");
		pty.type("cron:li\t-a\r");
		pty.awaitOutput("5 cron plugins listed.");
		pty.type("cron:fire hu\t--async\r"); // refused: hung is still running from the one-shot fire
		pty.awaitOutput("Refused: hung is running already");
		pty.type("cron:info hung\r");
		pty.awaitOutput("newest first:");
		pty.type("cron:fire stu\t\r"); // waits, as stuck never returns
		await("stuck running", () -> client("cron:list").out.lines().anyMatch(l -> l.startsWith("stuck ") && l.contains("(running")));
		pty.type("\u0003"); // Ctrl-C: the command ends, the session and the runtime go on
		pty.awaitOutput("Stopped waiting for stuck (Ctrl-C); its run goes on: cron:list shows it running,"
				+ " cron:history stuck shows how it ends.");
		pty.awaitOutput("java.lang.InterruptedException"); // Gogo's own line, after ours
		pty.awaitOutput("g! ");
		pty.type("cron:names\r");
		pty.awaitOutput("token-cleaner");
		pty.type("\u0003"); // Ctrl-C at the prompt: a fresh line, nothing more
		pty.type("\u0004"); // Ctrl-D: the session ends, the runtime stays
		assertThat(pty.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
		assertThat(pty.process.exitValue()).as(pty.output()).isZero();
		assertThat(process.isAlive()).isTrue();
		assertThat(Files.readString(home.resolve("data/shell.history"))).contains(":cron:list -a\n")
				.contains(":cron:fire hung --async\n").contains(":cron:fire stuck\n");

		// history across sessions: the up arrow (in keypad mode) brings back the last line
		stop();
		Files.deleteIfExists(ready);
		process = start(Map.of("JAVA_OPTS", "-Dcrontainer.ready.file=" + ready), DEV_NULL);
		await("the hung plugin", () -> client("cron:names").out.contains("hung\n"));
		pty = new Pty(home.resolve("bin/client") + "");
		pty.awaitOutput("g! ");
		pty.type("\u001bOA\u001bOA\u001bOA\u001bOA\r"); // up 4 times: cron:fire hung --async, from the last session
		pty.awaitOutput("Fired hung; it runs on a thread of its own.");
		pty.type("cron:fire hung\r");
		pty.awaitOutput("Refused: hung is running already");
		pty.type("\u0004");
		assertThat(pty.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
		stop();
	}

	@Test
	void consoleCtrlCInterruptsTheCommandNotTheRuntime() throws Exception {
		Files.write(home.resolve("deploy/hung.jar"), hungPluginJar());
		Pty console = new Pty(home.resolve("bin/crontainer") + "");
		process = console.process; // the runtime, under script(1)
		console.awaitOutput("g! ");
		await("the hung plugin", () -> client("cron:names").out.contains("hung\n"));
		console.type("cron:fire hung\r");
		await("hung running", () -> client("cron:list").out.lines().anyMatch(l -> l.startsWith("hung ") && l.contains("(running")));
		console.type("\u0003");
		console.awaitOutput("Stopped waiting for hung (Ctrl-C); its run goes on: cron:list shows it running,"
				+ " cron:history hung shows how it ends.");
		console.awaitOutput("java.lang.InterruptedException"); // gogo.jline's report of an interrupted command
		console.awaitOutput("g! "); // and the prompt again
		console.type("cron:names\r");
		console.awaitOutput("token-cleaner");
		assertThat(console.process.isAlive()).isTrue();
		console.type("\u0004"); // Ctrl-D stops the runtime, as before
		assertThat(console.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
		assertThat(console.process.exitValue()).as(console.output()).isZero();
		assertThat(console.output()).contains("Crontainer stopped").doesNotContain("\tat ");
	}

	@Test
	void clientFireTellsHowTheRunEndedAndNothingAPluginSaysActsOnTheTerminal() throws Exception {
		Files.write(home.resolve("deploy/misbehaving.jar"), pluginJar("io.crontainer.dist.misbehaving",
				MisbehavingPlugins.class, "io.crontainer.api;version=\"[1.0,2)\",org.osgi.framework,org.slf4j",
				"$Plugin", "$1", "$2"));
		Files.write(home.resolve("deploy/plain-library.jar"), plainJar());
		Files.write(home.resolve("deploy/logging.jar"), pluginJar("io.crontainer.dist.logging", LoggingPlugins.class,
				"io.crontainer.api;version=\"[1.0,2)\",org.osgi.framework,org.slf4j,org.osgi.service.log,"
						+ "org.apache.logging.log4j,org.apache.commons.logging", "$1", "$2", "$Plugin"));
		process = start(Map.of(), DEV_NULL);
		await("the misbehaving plugins", () -> client("cron:names").out.contains("thrower\n"));
		// A run that times out and ignores its interrupt (abandoned after 3 s + 10 s): meanwhile, the rest
		Path hangerOut = tmp.resolve("hanger.out");
		Path hangerErr = tmp.resolve("hanger.err");
		Process hanger = new ProcessBuilder(home.resolve("bin/client").toString(), "cron:fire", "hanger")
				.redirectInput(DEV_NULL).redirectOutput(hangerOut.toFile()).redirectError(hangerErr.toFile()).start();

		// A failed run: its description on stderr, exit status 3, the exception's escape sequence escaped
		Result thrown = client("cron:fire", "thrower");
		assertThat(thrown.status).as("%s", thrown).isEqualTo(3);
		assertThat(thrown.out).isEmpty();
		assertThat(thrown.err).startsWith("thrower: FAILED in ").contains("\nWindow committed:  no, the next run"
				+ " covers this window again\n").endsWith("Error:             java.lang.IllegalStateException: boom\\e]0;pwned\\x07\n");
		Result info = client("cron:info", "thrower");
		assertThat(info.out).contains("  note ").contains(" = a property\\e]0;pwned\\x07\n").contains("FAILED");
		Result list = client("cron:list");
		assertThat(list.out).contains("last run: java.lang.IllegalStateException: boom\\e]0;pwned\\x07");
		for (Result r : List.of(thrown, info, list, client("cron:history"))) {
			assertThat(r.out + r.err).as("%s", r).doesNotContain("\u001b").doesNotContain("\u0007");
		}

		// Log lines: nothing forged, nothing raw; the console shows the failure in one line, the file its trace
		Path log = home.resolve("data/log/crontainer.log");
		await("the thrower's failure logged", () -> read(log).contains("Cron plugin thrower failed"));
		String file = read(log);
		String console = read(output);
		for (String text : List.of(file, console)) {
			assertThat(text).doesNotContain("\u001b").doesNotContain("\u0007").doesNotContain("\r");
			assertThat(text.lines()).noneMatch(l -> l.startsWith("2026-01-01T00:00:00.000Z"));
			assertThat(text).contains("| evil | user ops\\r\\n2026-01-01T00:00:00.000Z | INFO  | forged^[]0;pwned?\n");
		}
		assertThat(file).contains("\njava.lang.IllegalStateException: boom^[]0;pwned?\n\t2026-01-01T00:00:00.000Z | INFO"
				+ "  | forged too\n\tat io.crontainer.launcher.hung.MisbehavingPlugins$1.run(");
		assertThat(console.lines().filter(l -> l.contains("Cron plugin thrower failed")).findFirst().orElseThrow())
				.endsWith(": java.lang.IllegalStateException: boom^[]0;pwned? (its stack trace is in"
						+ " data/log/crontainer.log)");
		assertThat(console).doesNotContain("\tat ");
		// A jar that is no bundle: the warning gives a remedy that works
		// (found by the deploy/ watcher's own scan, which may come after the runs above: awaited)
		await("the non-bundle jar's warning", () -> read(log).contains("plain-library.jar: it is not an OSGi bundle (no"
				+ " Bundle-SymbolicName in its manifest), and copying it again changes nothing. A plugin must be built"
				+ " as a bundle"));

		// Each run keeps its log: cron:log shows the lines of that run (SLF4J and JUL, on its thread), not
		// those of another plugin running at the same time, nor those of a thread the plugin started
		await("the logging plugins", () -> client("cron:names").out.contains("neighbour\n"));
		Process neighbour = new ProcessBuilder(home.resolve("bin/client").toString(), "cron:fire", "neighbour")
				.redirectInput(DEV_NULL).redirectOutput(ProcessBuilder.Redirect.DISCARD)
				.redirectError(ProcessBuilder.Redirect.DISCARD).start();
		Result chatty = client("cron:fire", "chatty");
		assertThat(chatty.status).as("%s", chatty).isZero();
		assertThat(neighbour.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
		Result chattyLog = client("cron:log", "chatty");
		assertThat(chattyLog.status).as("%s", chattyLog).isZero();
		List<String> lines = chattyLog.out.lines().toList();
		assertThat(lines.get(0)).startsWith("Log of chatty's run started ").contains(" (SUCCEEDED, took ")
				.endsWith("): 7 lines.");
		assertThat(lines.stream().filter(l -> l.matches("\\d{4}-\\d\\d-\\d\\dT.*"))
				.map(l -> l.replaceFirst("^\\S+ ", "").replaceFirst("window ends \\S+$", "window ends ...")))
				.containsExactly("INFO  Chatty: chatty via SLF4J, window ends ...",
						"INFO  ChattyJul: chatty via JUL", "INFO  ChattyOsgi: chatty via the OSGi Log Service",
						"INFO  ChattyLog4j: chatty via Log4j2", "INFO  ChattyJcl: chatty via Commons Logging",
						"WARN  Chatty: chatty warns",
						"WARN  ChattyJul: chatty's last line\\e[2J");
		assertThat(chattyLog.out).contains("WARN  Chatty: chatty warns\n\tjava.lang.IllegalStateException: chatty's exception\n"
				+ "\tat io.crontainer.launcher.hung.LoggingPlugins$1.run(").doesNotContain("neighbour")
				.doesNotContain("thread of its own").doesNotContain("\u001b");
		Result neighbourLog = client("cron:log", "neighbour", "1");
		assertThat(neighbourLog.out.lines().filter(l -> l.contains(" INFO  ")).map(l -> l.replaceFirst("^\\S+ ", "")))
				.containsExactly("INFO  Neighbour: neighbour line 1", "INFO  Neighbour: neighbour line 2",
						"INFO  Neighbour: neighbour line 3", "INFO  Neighbour: neighbour line 4");
		assertThat(client("cron:log", "thrower").out).contains(" WARN  evil: user ops\\r\\n2026-01-01T00:00:00.000Z | INFO  | forged\\e]0;pwned\\x07")
				.doesNotContain("\u001b");
		await("the runtime's log has every line still", () -> read(log).contains("chatty from a thread of its own")
				&& read(log).contains("neighbour line 4") && read(log).contains("chatty via JUL"));

		// The abandoned run: cron:fire returned, with status 4
		assertThat(hanger.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).as("cron:fire hanger returned").isTrue();
		assertThat(hanger.exitValue()).as("%s%s", read(hangerOut), read(hangerErr)).isEqualTo(4);
		assertThat(read(hangerErr)).startsWith("hanger: TIMED_OUT in ");
		stop();
	}

	@Test
	void aFailedWindowIsRetriedWithBackoffAndAPauseKeepsWhoAndWhyOverTheClient() throws Exception {
		Files.write(home.resolve("deploy/retrying.jar"), pluginJar("io.crontainer.dist.retrying", RetryingPlugin.class,
				"io.crontainer.api;version=\"[1.1,2)\",org.osgi.framework", "$1"));
		process = start(Map.of(), DEV_NULL);
		await("the retrier", () -> client("cron:names").out.contains("retrier\n"));
		assertThat(client("cron:info", "retrier").out).contains("Retry:            3 retries, after 1.0 s, doubling up"
				+ " to 1 h (cron.retry)");
		await("three failures, then a retry that succeeds", () -> client("cron:history", "retrier").out.lines()
				.anyMatch(l -> l.startsWith("RETRY ") && l.contains("SUCCEEDED")));
		Result history = client("cron:history", "retrier");
		System.out.println("cron:history retrier\n" + history.out);
		List<String> rows = history.out.lines().filter(l -> l.startsWith("RETRY ") || l.startsWith("SCHEDULE ")).toList();
		assertThat(rows).hasSize(4);
		assertThat(rows.stream().map(l -> l.split("\\s+")[0] + " " + (l.contains("SUCCEEDED") ? "SUCCEEDED" : "FAILED")))
				.containsExactly("RETRY SUCCEEDED", "RETRY FAILED", "RETRY FAILED", "SCHEDULE FAILED");
		List<Instant> starts = rows.stream().map(l -> OffsetDateTime.parse(l.split("\\s+")[1]).toInstant()).toList();
		assertThat(starts).as("every retry keeps the window start").allMatch(starts.get(0)::equals);
		List<Instant> ends = rows.stream().map(l -> OffsetDateTime.parse(l.split("\\s+")[2]).toInstant()).toList();
		// delays of 1 s, 2 s, 4 s after each failure (whole seconds in the table; the runs take milliseconds)
		assertThat(Duration.between(ends.get(3), ends.get(2)).toSeconds()).isBetween(1L, 2L);
		assertThat(Duration.between(ends.get(2), ends.get(1)).toSeconds()).isBetween(2L, 3L);
		assertThat(Duration.between(ends.get(1), ends.get(0)).toSeconds()).isBetween(4L, 5L);

		Result paused = client("cron:pause --reason \"db-2 maintenance \u001b]0;x\u0007\" retrier");
		assertThat(paused.status).as("%s", paused).isZero();
		assertThat(paused.out).matches("(?s)Paused retrier \\(by bin/client session \\d+ \\(user "
				+ System.getProperty("user.name") + "\\), (now|[0-9.]+ m?s ago): db-2 maintenance \\\\e]0;x\\\\x07\\).*");
		Result list = client("cron:list");
		System.out.println("cron:list\n" + list.out);
		assertThat(list.out).contains("paused by bin/client session").doesNotContain("\u001b");
		assertThat(client("cron:info", "retrier").out).contains("Paused:           by bin/client session");
		stop();
	}

	@Test
	void theArchiveHoldsNoOperatorFiles() throws Exception {
		// etc/, deploy/ and data/ come from the template, whatever target/crontainer holds
		Path template = Path.of(System.getProperty("crontainer.template"));
		for (String dir : List.of("etc", "deploy", "data")) {
			try (Stream<Path> shipped = Files.walk(home.resolve(dir)); Stream<Path> source = Files.walk(template.resolve(dir))) {
				assertThat(shipped.filter(Files::isRegularFile).map(p -> home.relativize(p).toString()).sorted())
						.as(dir).containsExactlyElementsOf(source.filter(Files::isRegularFile)
								.map(p -> template.relativize(p).toString()).sorted().toList());
			}
		}
	}

	/** Stops the runtime with SIGTERM and checks it exits cleanly. */
	private void stop() throws InterruptedException {
		process.destroy();
		assertThat(process.waitFor(10, TimeUnit.SECONDS)).as("exited within 10 s of SIGTERM").isTrue();
		assertThat(process.exitValue()).as("exit status; output:%n%s", read(output)).isZero();
	}

	record Result(int status, String out, String err) {
	}

	/** bin/client with these arguments, or with this stdin (one argument with a line break). */
	private Result client(String... args) {
		try {
			List<String> command = new ArrayList<>(List.of(home.resolve("bin/client").toString()));
			boolean script = args.length == 1 && args[0].contains("\n");
			if (!script) {
				command.addAll(List.of(args));
			}
			Path out = Files.createTempFile(tmp, "client", ".out");
			Path err = Files.createTempFile(tmp, "client", ".err");
			Path in = Files.writeString(Files.createTempFile(tmp, "client", ".in"), script ? args[0] : "");
			Process p = new ProcessBuilder(command).directory(tmp.toFile()).redirectInput(in.toFile())
					.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
			assertThat(p.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).as("bin/client ended").isTrue();
			return new Result(p.exitValue(), read(out), read(err));
		} catch (IOException e) {
			throw new java.io.UncheckedIOException(e);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new AssertionError(e);
		}
	}

	/** A command run on a pseudo-terminal (util-linux script(1)), typed at and read from. */
	private final class Pty {
		final Process process;
		final OutputStream keys;
		final Path out;

		Pty(String command) throws IOException {
			out = Files.createTempFile(tmp, "pty", ".out");
			ProcessBuilder pb = new ProcessBuilder("script", "-q", "-e", "-f", "-c",
					"stty cols 200 rows 50; exec " + command, "/dev/null").directory(tmp.toFile())
					.redirectErrorStream(true).redirectOutput(out.toFile());
			pb.environment().put("TERM", "xterm");
			// Other builds run on this machine: a runtime started here takes a free HTTP port, not 8080.
			pb.environment().merge("JAVA_OPTS", EPHEMERAL_HTTP_PORT, (given, port) -> given + " " + port);
			process = pb.start();
			keys = process.getOutputStream();
		}

		void type(String text) throws IOException {
			keys.write(text.getBytes(StandardCharsets.UTF_8));
			keys.flush();
		}

		String output() {
			return read(out);
		}

		/** Waits for text in the output after what the last wait saw. */
		void awaitOutput(String text) throws InterruptedException {
			long deadline = System.nanoTime() + TIMEOUT.toNanos();
			while (output().indexOf(text, seen) < 0) {
				if (System.nanoTime() - deadline > 0 || !process.isAlive()) {
					throw new AssertionError("No \"" + text + "\" on the terminal; it shows:\n" + output()
							+ "\nruntime output:\n" + read(output));
				}
				Thread.sleep(50);
			}
			seen = output().indexOf(text, seen) + text.length();
		}

		private int seen;
	}

	/** A bundle with the cron plugin "hung" (HungPlugin), whose runs never return until interrupted. */
	static byte[] hungPluginJar() throws IOException {
		return pluginJar("io.crontainer.dist.hung", HungPlugin.class, "io.crontainer.api;version=\"[1.0,2)\",org.osgi.framework");
	}

	/** A jar with a manifest but no Bundle-SymbolicName: a plain library. */
	static byte[] plainJar() throws IOException {
		Manifest manifest = new Manifest();
		manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (JarOutputStream jar = new JarOutputStream(bytes, manifest)) {
			jar.putNextEntry(new ZipEntry("readme.txt"));
			jar.write("A library.\n".getBytes(StandardCharsets.UTF_8));
			jar.closeEntry();
		}
		return bytes.toByteArray();
	}

	/**
	 * A bundle of the class {@code activator} (its activator) and its nested classes named by their
	 * suffixes ({@code "$1"}, ...), importing {@code imports}.
	 */
	static byte[] pluginJar(String bsn, Class<?> activator, String imports, String... nested) throws IOException {
		Manifest manifest = new Manifest();
		Attributes main = manifest.getMainAttributes();
		main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
		main.putValue("Bundle-ManifestVersion", "2");
		main.putValue("Bundle-SymbolicName", bsn);
		main.putValue("Bundle-Version", "1.0.0");
		main.putValue("Bundle-Activator", activator.getName());
		main.putValue("Import-Package", imports);
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (JarOutputStream jar = new JarOutputStream(bytes, manifest)) {
			List<String> classes = new ArrayList<>(List.of(""));
			classes.addAll(List.of(nested));
			for (String suffix : classes) {
				String entry = activator.getName().replace('.', '/') + suffix + ".class";
				jar.putNextEntry(new ZipEntry(entry));
				try (var in = activator.getClassLoader().getResourceAsStream(entry)) {
					in.transferTo(jar);
				}
				jar.closeEntry();
			}
		}
		return bytes.toByteArray();
	}

	private Process start(Map<String, String> env, ProcessBuilder.Redirect stdin) throws IOException {
		ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/crontainer").toString()).directory(tmp.toFile())
				.redirectInput(stdin).redirectErrorStream(true).redirectOutput(output.toFile());
		pb.environment().putAll(env);
		// Other builds run on this machine: the web feature's HTTP server takes a free port, not 8080.
		pb.environment().merge("JAVA_OPTS", EPHEMERAL_HTTP_PORT, (given, port) -> given + " " + port);
		return pb.start();
	}

	private void await(String what, BooleanSupplier condition) throws InterruptedException {
		Distributions.await(process, output, TIMEOUT, what, condition);
	}

	/** The threads of bin/client connections (crontainer-client-N...) in a JVM, by jcmd's thread dump. */
	static long clientThreads(long pid) {
		try {
			Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
					Long.toString(pid), "Thread.print").redirectErrorStream(true).start();
			String dump = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			assertThat(jcmd.waitFor(30, TimeUnit.SECONDS)).isTrue();
			return dump.lines().filter(l -> l.matches("\"crontainer-client-\\d+.*")).count();
		} catch (IOException e) {
			throw new java.io.UncheckedIOException(e);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new AssertionError(e);
		}
	}

	/** Linux: the TCP sockets in LISTEN state among the process's file descriptors. */
	static List<String> listeningTcpSockets(long pid) throws IOException {
		Set<String> inodes = new HashSet<>();
		try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
			for (Path fd : (Iterable<Path>) fds::iterator) {
				try {
					String target = Files.readSymbolicLink(fd).toString();
					if (target.startsWith("socket:[")) {
						inodes.add(target.substring(8, target.length() - 1));
					}
				} catch (IOException e) {
					// closed meanwhile
				}
			}
		}
		List<String> listening = new ArrayList<>();
		for (String table : List.of("tcp", "tcp6")) {
			Path file = Path.of("/proc", Long.toString(pid), "net", table);
			if (!Files.exists(file)) {
				continue;
			}
			List<String> lines = Files.readAllLines(file); // read once: the table changes as other processes run
			for (String line : lines.subList(1, lines.size())) {
				String[] f = line.trim().split("\\s+");
				if (f[3].equals("0A") && inodes.contains(f[9])) { // st 0A = LISTEN
					listening.add(table + " " + f[1]);
				}
			}
		}
		return listening;
	}

	static byte[] bundleJar(String bsn) throws IOException {
		Manifest manifest = new Manifest();
		Attributes main = manifest.getMainAttributes();
		main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
		main.putValue("Bundle-ManifestVersion", "2");
		main.putValue("Bundle-SymbolicName", bsn);
		main.putValue("Bundle-Version", "1.0.0");
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (JarOutputStream jar = new JarOutputStream(bytes, manifest)) {
			jar.putNextEntry(new ZipEntry("readme.txt"));
			jar.write("A test bundle.\n".getBytes(StandardCharsets.UTF_8));
			jar.closeEntry();
		}
		return bytes.toByteArray();
	}

	private static String read(Path file) {
		return Distributions.read(file);
	}

	/** The option that gives the web feature's HTTP server a free port (it names it in its log). */
	static final String EPHEMERAL_HTTP_PORT = "-Dorg.osgi.service.http.port=0";

	private static List<String> listening(long pid) {
		try {
			return listeningTcpSockets(pid);
		} catch (IOException e) {
			throw new java.io.UncheckedIOException(e);
		}
	}

	/**
	 * Whether a socket of {@link #listeningTcpSockets(long)} ({@code tcp|tcp6 ADDRESS:PORT}, hexadecimal as
	 * in {@code /proc/PID/net/tcp}) is bound to a loopback address: 127.0.0.0/8, {@code ::1}, or 127.0.0.0/8
	 * mapped into IPv6.
	 */
	static boolean isLoopback(String socket) {
		String[] parts = socket.split(" ");
		String address = parts[1].substring(0, parts[1].indexOf(':'));
		if (parts[0].equals("tcp")) { // little-endian IPv4: the first octet is the last byte
			return address.endsWith("7F");
		}
		return address.equals("00000000000000000000000001000000")
				|| address.startsWith("0000000000000000FFFF0000") && address.endsWith("7F");
	}
}
