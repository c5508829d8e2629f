package io.crontainer.console.impl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

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

		public String evil() {
			return "a\u001b]0;title\u0007b\tc\nd\u202ee\u0085";
		}

		public void evilFail() {
			throw new IllegalStateException("boom\u001b]0;title\u0007\r\nforged");
		}

		public void timedOut() {
			throw new StatusException(4);
		}

		public void wrapped() {
			throw new IllegalStateException("wrapped", new StatusException(5));
		}

		public void outOfRange() {
			throw new StatusException(130);
		}

		public Object whoami(org.apache.felix.service.command.CommandSession session) {
			return session.get(ClientServer.OPERATOR);
		}

		public void shout(String text) {
			System.out.println(text.toUpperCase());
			System.err.println("shouted");
		}
	}

	/** A failure that chooses its exit status, as cron:fire's does. */
	public static class StatusException extends RuntimeException {
		private static final long serialVersionUID = 1L;
		private final int status;

		StatusException(int status) {
			super("status " + status);
			this.status = status;
		}

		public int exitStatus() {
			return status;
		}
	}

	@BeforeEach
	void start() throws Exception {
		threadIO = new ThreadIOImpl();
		threadIO.start();
		processor = new CommandProcessorImpl(threadIO);
		for (String function : new String[] { "hello", "fail", "shout", "names", "evil", "evilFail", "timedOut", "wrapped",
				"outOfRange", "whoami" }) {
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
	void aSessionKnowsItsUserFromThePeerCredentials() {
		Run run = client("", "t:whoami");
		assertThat(run.status()).isZero();
		assertThat(run.out().strip()).matches("bin/client session \\d+ \\(user \\Q" + System.getProperty("user.name")
				+ "\\E\\)");
	}

	@Test
	void theSocketIsPrivateToThisUser() throws Exception {
		assertThat(Files.getPosixFilePermissions(home.resolve("data/run")))
				.isEqualTo(PosixFilePermissions.fromString("rwx------"));
		assertThat(Files.getPosixFilePermissions(server.socket())).isEqualTo(PosixFilePermissions.fromString("rw-------"));
	}

	@Test
	void aDeepInstallationBindsItsSocketRelativeToTheWorkingDirectory() throws Exception {
		// As bin/crontainer and bin/client run: from the installation's directory, here under this test's one.
		Path workingDirectory = Path.of("").toAbsolutePath();
		Path top = Files.createTempDirectory(workingDirectory.resolve("target"), "deep");
		String prefix = workingDirectory.relativize(top) + "/";
		Path deep = top.resolve("x".repeat(105 - prefix.length() - SocketPath.FROM_HOME.length() - 1));
		Path socket = deep.resolve(SocketPath.FROM_HOME);
		assertThat(socket.toString().length()).as("the absolute path is too long for a socket").isGreaterThan(107);
		assertThat(workingDirectory.relativize(socket).toString()).hasSizeLessThanOrEqualTo(107);
		ClientServer other = new ClientServer(processor, threadIO, name -> null, socket);
		try {
			ByteArrayOutputStream out = new ByteArrayOutputStream();
			ByteArrayOutputStream err = new ByteArrayOutputStream();
			assertThat(Client.run(deep, new String[] { "t:hello", "deep" }, new ByteArrayInputStream(new byte[0]),
					new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)))
					.as(err.toString(StandardCharsets.UTF_8)).isZero();
			assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("hello deep\n");
			assertThat(Files.getPosixFilePermissions(socket.getParent())).isEqualTo(PosixFilePermissions.fromString("rwx------"));
			assertThat(Files.getPosixFilePermissions(socket)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
		} finally {
			other.close();
			try (var files = Files.walk(top)) {
				files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
			}
		}
		assertThat(socket).doesNotExist();
	}

	@Test
	void aSocketPathThatCannotFitIsRefusedNamingThePathTheLimitAndTheRemedy() throws Exception {
		Path deep = home.resolve("y".repeat(120)); // a temporary directory: not under the working directory
		Path socket = deep.resolve(SocketPath.FROM_HOME);
		String expected = "The socket of bin/client, " + socket + ", is " + socket.toString().length() + " bytes long, and a"
				+ " Unix-domain socket's path may have at most 107 bytes: start the runtime and bin/client from the"
				+ " installation's directory, as bin/crontainer and bin/client do (the socket is then bound as"
				+ " data/run/client.sock), or install Crontainer in a directory whose path has at most 86 bytes.";
		assertThatThrownBy(() -> new ClientServer(processor, threadIO, name -> null, socket)).isInstanceOf(IOException.class)
				.hasMessage(expected);
		ByteArrayOutputStream err = new ByteArrayOutputStream();
		assertThat(Client.run(deep, new String[] { "t:hello", "x" }, new ByteArrayInputStream(new byte[0]),
				new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8))).isEqualTo(2);
		assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo(expected + "\n");
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

	@Test
	void aFailureMayChooseItsExitStatus() {
		assertThat(client("", "t:timedOut")).isEqualTo(new Run(4, "", "status 4\n"));
		assertThat(client("", "t:wrapped").status).isEqualTo(5); // from a cause
		assertThat(client("", "t:outOfRange").status).isEqualTo(1); // 130 is Ctrl-C's, 2 no runtime's: not a command's
	}

	@Test
	void controlCharactersInResultsAndErrorsAreEscaped() {
		assertThat(client("", "t:evil")).isEqualTo(new Run(0, "a\\e]0;title\\x07b\tc\nd\\u202ee\\u0085\n", ""));
		assertThat(client("", "t:evilFail")).isEqualTo(new Run(1, "", "boom\\e]0;title\\x07\\r\nforged\n"));
	}

	// ------------------------------------------------------------------------------ floods

	/** The threads of connections: crontainer-client-N and its -output and -input threads. */
	static long connectionThreads() {
		return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
				.filter(t -> t.getName().matches("crontainer-client-\\d+.*")).count();
	}

	static void await(String what, BooleanSupplier condition) throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
		while (!condition.getAsBoolean()) {
			if (System.nanoTime() - deadline > 0) {
				throw new AssertionError("Timed out waiting for " + what);
			}
			Thread.sleep(20);
		}
	}

	SocketChannel connect() throws IOException {
		return SocketChannel.open(UnixDomainSocketAddress.of(server.socket()));
	}

	@Test
	void aThousandConnectAndCloseCyclesLeaveNoThread() throws Exception {
		assertThat(client("", "t:hello", "warm").status).isZero(); // the first session's one-time threads
		await("no connection thread", () -> connectionThreads() == 0);
		int before = Thread.activeCount();
		for (int i = 0; i < 1000; i++) {
			connect().close();
		}
		assertThat(client("", "t:hello", "still").out).isEqualTo("hello still\n");
		await("the connections' threads ended", () -> connectionThreads() == 0);
		assertThat(Thread.activeCount()).isLessThanOrEqualTo(before);
	}

	@Test
	void connectionsOverTheCapAreToldSoAndClosed() throws Exception {
		server.close();
		server = new ClientServer(processor, threadIO, name -> null, home.resolve("data").resolve(ClientServer.SOCKET),
				4, Duration.ofHours(1));
		List<SocketChannel> idle = new ArrayList<>();
		try {
			for (int i = 0; i < 4; i++) {
				idle.add(connect());
			}
			await("4 connections served", () -> connectionThreads() == 4);
			Run refused = client("", "t:hello", "x");
			assertThat(refused.status).isEqualTo(2);
			assertThat(refused.err).isEqualTo("Crontainer serves 4 bin/client connections at once, and that many are"
					+ " open: try again when one has ended.\n");
			assertThat(connectionThreads()).isEqualTo(4); // the refused one took no thread
			idle.remove(0).close();
			await("3 connections served", () -> connectionThreads() == 3);
			assertThat(client("", "t:hello", "again").out).isEqualTo("hello again\n");
		} finally {
			for (SocketChannel c : idle) {
				c.close();
			}
		}
		await("no connection thread", () -> connectionThreads() == 0);
	}

	@Test
	void aConnectionWithoutARequestIsClosedAtItsDeadline() throws Exception {
		server.close();
		server = new ClientServer(processor, threadIO, name -> null, home.resolve("data").resolve(ClientServer.SOCKET),
				4, Duration.ofMillis(200));
		try (SocketChannel idle = connect(); SocketChannel half = connect()) {
			half.write(ByteBuffer.wrap(new byte[] { Frames.EXEC, 0, 0, 1, 0, 'x' })); // 256 bytes announced, 1 sent
			assertThat(idle.read(ByteBuffer.allocate(1))).as("closed by the server").isEqualTo(-1);
			assertThat(half.read(ByteBuffer.allocate(1))).as("closed by the server").isEqualTo(-1);
		}
		await("no connection thread", () -> connectionThreads() == 0);
	}

	@Test
	void aFrameOverTheLimitIsRefusedBeforeItsPayload() throws Exception {
		server.close();
		server = new ClientServer(processor, threadIO, name -> null, home.resolve("data").resolve(ClientServer.SOCKET),
				4, Duration.ofHours(1));
		// 1 MiB, the limit, is served: a script padded to exactly 1 MiB
		byte[] script = new byte[Frames.MAX_PAYLOAD];
		Arrays.fill(script, (byte) '\n');
		byte[] command = "t:hello big".getBytes(StandardCharsets.UTF_8);
		System.arraycopy(command, 0, script, 0, command.length);
		try (SocketChannel c = connect()) {
			DataOutputStream out = new DataOutputStream(Channels.newOutputStream(c));
			Frames.write(out, Frames.EXEC, script, 0, script.length);
			DataInputStream in = new DataInputStream(Channels.newInputStream(c));
			assertThat(Frames.read(in).text()).isEqualTo("hello big\n");
			assertThat(Frames.status(Frames.read(in))).isZero();
		}
		// 1 MiB + 1 is refused as soon as its length is read: closed with no payload sent, long before the deadline
		try (SocketChannel c = connect()) {
			c.write(ByteBuffer.allocate(5).put(Frames.EXEC).putInt(Frames.MAX_PAYLOAD + 1).flip());
			assertThat(c.read(ByteBuffer.allocate(1))).as("closed by the server").isEqualTo(-1);
		}
		// after the first frame, the client's frames are smaller: 64 KiB + 1 ends the session
		try (SocketChannel c = connect()) {
			DataOutputStream out = new DataOutputStream(Channels.newOutputStream(c));
			Frames.write(out, Frames.TERMINAL, "dumb 80 24");
			out.write(ByteBuffer.allocate(5).put(Frames.INPUT).putInt(Frames.MAX_INPUT_PAYLOAD + 1).array());
			out.flush();
			DataInputStream in = new DataInputStream(Channels.newInputStream(c));
			Frames.Frame frame;
			while ((frame = Frames.read(in)) != null && frame.type() != Frames.EXIT) {
				// the shell's output until the session ends
			}
		}
		await("no connection thread", () -> connectionThreads() == 0);
	}
}
