package io.crontainer.console.impl;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.gogo.runtime.threadio.ThreadIOImpl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server and the client in one JVM, with Gogo's runtime (no OSGi): one-shot commands and scripts,
 * their output, errors and exit status, and the answer when nothing listens.
 */
class ClientServerTest {

	@TempDir
	Path home;

	ThreadIOImpl threadIO;
	CommandProcessorImpl processor;
	ClientServer server;

	/** Commands for the test, scope "t". */
	public static class Commands {
		public String hello(String name) {
			return "hello " + name;
		}

		public java.util.List<String> names() {
			return java.util.List.of("a", "b");
		}

		public void fail() {
			throw new IllegalStateException("it failed");
		}

		public void shout(String text) {
			System.out.println(text.toUpperCase());
			System.err.println("shouted");
		}
	}

	@BeforeEach
	void start() throws Exception {
		threadIO = new ThreadIOImpl();
		threadIO.start();
		processor = new CommandProcessorImpl(threadIO);
		for (String function : new String[] { "hello", "fail", "shout", "names" }) {
			processor.addCommand("t", new Commands(), function);
		}
		server = new ClientServer(processor, threadIO, name -> null, home.resolve("data").resolve(ClientServer.SOCKET));
	}

	@AfterEach
	void stop() {
		if (server != null) {
			server.close();
		}
		processor.stop();
		threadIO.stop();
	}

	record Run(int status, String out, String err) {
	}

	Run client(String stdin, String... args) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		ByteArrayOutputStream err = new ByteArrayOutputStream();
		int status = Client.run(home, args, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
				new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
		return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
	}

	@Test
	void theSocketIsPrivateToThisUser() throws Exception {
		assertThat(Files.getPosixFilePermissions(home.resolve("data/run")))
				.isEqualTo(PosixFilePermissions.fromString("rwx------"));
		assertThat(Files.getPosixFilePermissions(server.socket())).isEqualTo(PosixFilePermissions.fromString("rw-------"));
	}

	@Test
	void aCommandsResultGoesToStdout() {
		assertThat(client("", "t:hello", "world")).isEqualTo(new Run(0, "hello world\n", ""));
	}

	@Test
	void aListIsOneItemALine() {
		assertThat(client("", "t:names")).isEqualTo(new Run(0, "a\nb\n", ""));
	}

	@Test
	void whatACommandPrintsGoesToStdoutAndStderr() {
		assertThat(client("", "t:shout", "hi")).isEqualTo(new Run(0, "HI\n", "shouted\n"));
	}

	@Test
	void aFailedCommandGivesItsMessageOnStderrAndStatus1() {
		assertThat(client("", "t:fail")).isEqualTo(new Run(1, "", "it failed\n"));
		assertThat(client("", "t:nope").err).isEqualTo("Command not found: t:nope\n");
	}

	@Test
	void aScriptRunsLineByLineAndStopsAtTheFirstFailure() {
		assertThat(client("t:hello a\n\n# comment\nt:hello b\nt:fail\nt:hello c\n"))
				.isEqualTo(new Run(1, "hello a\nhello b\n", "it failed\n"));
	}

	@Test
	void withoutARuntimeOneLineSaysSo() {
		server.close();
		server = null;
		Run run = client("", "t:hello", "x");
		assertThat(run.status).isEqualTo(2);
		assertThat(run.err).isEqualTo("Crontainer is not running in " + home + " (nothing listens on "
				+ home.resolve("data/run/client.sock") + ")\n");
	}

	@Test
	void helpSaysHowToUseIt() {
		Run run = client("", "--help");
		assertThat(run.status).isZero();
		assertThat(run.out).startsWith("Usage: bin/client [COMMAND...]\n").contains("Exit status: 0 success, 1 the");
	}

	@Test
	void aRuntimeThatHoldsTheLockButHasNoSocketIsNamed() throws Exception {
		server.close();
		server = null;
		Files.writeString(home.resolve("data/crontainer.lock"), ProcessHandle.current().pid() + "\n");
		assertThat(client("", "t:hello", "x").err).startsWith("Crontainer (process " + ProcessHandle.current().pid()
				+ ") in " + home + " does not accept bin/client (cannot connect to ");
	}

	@Test
	void aStaleSocketOfAKilledRuntimeIsReplaced() throws Exception {
		server.close();
		Files.createFile(server.socket()); // what a kill -9 leaves behind, as far as a path goes
		server = new ClientServer(processor, threadIO, name -> null, home.resolve("data").resolve(ClientServer.SOCKET));
		assertThat(client("", "t:hello", "again").out).isEqualTo("hello again\n");
	}
}
