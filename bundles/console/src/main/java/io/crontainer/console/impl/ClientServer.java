package io.crontainer.console.impl;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

import org.apache.felix.gogo.jline.Shell;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.apache.felix.service.command.Job;
import org.apache.felix.service.threadio.ThreadIO;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.terminal.impl.ExternalTerminal;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.crontainer.console.impl.Frames.Frame;
import io.crontainer.format.Formats;

/**
 * Serves {@code bin/client}: listens on a Unix-domain socket, {@code data/run/client.sock} of the
 * runtime ({@value #SOCKET} under the framework property {@value #DATA_DIR}), and runs a Gogo session
 * for each connection, through the same {@link CommandProcessor} as the console.
 *
 * <p>
 * Access is the file system's: the socket's directory is made {@code rwx------} before the socket is
 * bound in it, and the socket {@code rw-------}, so only the user the runtime runs as (and root) can
 * connect. Nothing listens on TCP.
 *
 * <p>
 * A connection is either one-shot ({@link Frames#EXEC}: the lines run in turn, results and errors sent
 * back, the first failure ends it with status 1, or with the status its exception chooses: see
 * {@link #status(Throwable)}) or interactive ({@link Frames#TERMINAL}: a JLine
 * terminal over the socket, and gogo.jline's {@link Shell}, which reads {@code etc/gosh_profile} and
 * gives line editing, history and completion; the client's Ctrl-C reaches it as a character and
 * interrupts the command in progress).
 *
 * <p>
 * Limits, against a flood from a process of the same user: at most {@value #MAX_CONNECTIONS} connections
 * at once (one over it is told so in one frame and closed by the acceptor, without a thread); a
 * connection must send its first frame within {@link #FIRST_FRAME_DEADLINE} or is closed; the first frame
 * holds at most {@link Frames#MAX_PAYLOAD} bytes, every later one {@link Frames#MAX_INPUT_PAYLOAD}, and a
 * longer length is refused before its payload is read. So idle or half-sent connections hold at most
 * {@value #MAX_CONNECTIONS} threads and {@value #MAX_CONNECTIONS} MiB.
 *
 * <p>
 * Threads: one acceptor thread ({@code crontainer-client-listener}); one timer thread
 * ({@code crontainer-client-deadlines}) that closes connections whose first frame is late; one thread per
 * connection ({@code crontainer-client-N}) and, once its first frame has come, one writing its output
 * ({@code crontainer-client-N-output}, {@link Sender}) and for a one-shot connection one reading the
 * client's interrupts ({@code crontainer-client-N-input}). Whatever way a connection ends, its thread
 * closes the channel and stops its writer, and the reader ends as the channel closes: a connection leaves
 * no thread behind. All are ended at deactivation. Connections are tracked in a concurrent set; no lock
 * is held across I/O.
 */
@Component(service = {}, immediate = true)
public final class ClientServer {

	/** Framework property: the runtime's data directory (set by the launcher). */
	public static final String DATA_DIR = "crontainer.data.dir";
	/** The socket's path under the data directory. */
	public static final String SOCKET = "run/client.sock";

	/** The most connections served at once. */
	static final int MAX_CONNECTIONS = 32;
	/** The session variable telling the commands a session is a {@code bin/client} one (cron:rerun records it). */
	static final String VIA = "CRONTAINER_VIA";
	/** How long a connection may take to send its first frame. */
	static final Duration FIRST_FRAME_DEADLINE = Duration.ofSeconds(10);

	/** What a one-shot client is told when its Ctrl-C interrupted the command. */
	static final String INTERRUPTED = "Interrupted. The runtime goes on, and so does a run the command started"
			+ " (cron:list shows it).";

	private static final Logger LOG = LoggerFactory.getLogger(ClientServer.class);

	private final CommandProcessor processor;
	private final ThreadIO threadIO;
	private final UnaryOperator<String> properties;
	private final Path socket;
	private final ServerSocketChannel server;
	private final Thread acceptor;
	private final ScheduledThreadPoolExecutor deadlines;
	private final int maxConnections;
	private final Duration firstFrameDeadline;
	private final Set<SocketChannel> connections = ConcurrentHashMap.newKeySet();
	private final AtomicInteger ids = new AtomicInteger();
	/** Connections refused since the last one accepted; touched by the acceptor thread only. */
	private int refused;
	private volatile boolean closed;

	/**
	 * Declarative Services' constructor.
	 *
	 * @throws IOException If the socket cannot be bound (the component then fails to activate, and the
	 *         reason is logged by SCR).
	 */
	@Activate
	public ClientServer(BundleContext context, @Reference CommandProcessor processor, @Reference ThreadIO threadIO)
			throws IOException {
		this(processor, threadIO, context::getProperty, socketPath(context));
	}

	/**
	 * Binds the socket and starts accepting.
	 *
	 * @param properties Framework properties, for the shell's {@code gosh.home} and the profile.
	 * @param socket The socket's path; its directory is created and made private to this user.
	 * @throws IOException If the socket cannot be bound.
	 */
	ClientServer(CommandProcessor processor, ThreadIO threadIO, UnaryOperator<String> properties, Path socket)
			throws IOException {
		this(processor, threadIO, properties, socket, MAX_CONNECTIONS, FIRST_FRAME_DEADLINE);
	}

	/**
	 * For tests: other limits.
	 *
	 * @param maxConnections The most connections served at once.
	 * @param firstFrameDeadline How long a connection may take to send its first frame.
	 */
	ClientServer(CommandProcessor processor, ThreadIO threadIO, UnaryOperator<String> properties, Path socket,
			int maxConnections, Duration firstFrameDeadline) throws IOException {
		this.maxConnections = maxConnections;
		this.firstFrameDeadline = firstFrameDeadline;
		this.processor = processor;
		this.threadIO = threadIO;
		this.properties = properties;
		this.socket = socket;
		Path dir = Files.createDirectories(socket.getParent());
		Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
		UnixDomainSocketAddress address = SocketPath.address(socket);
		// One runtime per data/ (the launcher's lock): a socket file here is a killed runtime's.
		Files.deleteIfExists(socket);
		server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
		try {
			server.bind(address);
		} catch (IOException | RuntimeException e) {
			server.close();
			throw new IOException("Cannot listen on " + socket + " for bin/client: " + e.getMessage(), e);
		}
		Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
		deadlines = new ScheduledThreadPoolExecutor(1, r -> {
			Thread t = new Thread(r, "crontainer-client-deadlines");
			t.setDaemon(true);
			return t;
		});
		deadlines.setRemoveOnCancelPolicy(true); // a cancelled deadline leaves no task behind
		acceptor = new Thread(this::accept, "crontainer-client-listener");
		acceptor.setDaemon(true);
		acceptor.start();
		LOG.info("Accepting bin/client sessions on {}{}", socket, address.getPath().isAbsolute() ? ""
				: " (bound as " + address.getPath() + ", relative to the working directory: the absolute path is longer"
						+ " than a socket's " + SocketPath.MAX + " bytes)");
	}


	private static Path socketPath(BundleContext context) {
		String data = context.getProperty(DATA_DIR);
		return data != null ? Path.of(data).resolve(SOCKET) : context.getDataFile(SOCKET).toPath();
	}

	/** Closes the socket and every session, interrupting their commands. */
	@Deactivate
	public void close() {
		closed = true;
		try {
			server.close();
		} catch (IOException e) {
			LOG.debug("Closing {}", socket, e);
		}
		for (SocketChannel c : connections) {
			closeQuietly(c);
		}
		deadlines.shutdownNow();
		try {
			acceptor.join(5000);
			Files.deleteIfExists(socket);
		} catch (IOException e) {
			LOG.warn("Cannot delete {}: {}", socket, e.toString());
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
		LOG.info("No longer accepting bin/client sessions");
	}

	/** @return The socket's path. */
	Path socket() {
		return socket;
	}

	private void accept() {
		while (!closed) {
			SocketChannel channel;
			try {
				channel = server.accept();
			} catch (ClosedChannelException e) {
				return;
			} catch (IOException e) {
				if (!closed) {
					LOG.warn("bin/client listener failed on {}", socket, e);
				}
				return;
			}
			if (connections.size() >= maxConnections) {
				refuse(channel);
				continue;
			}
			if (refused > 0) {
				LOG.info("Accepting bin/client connections again; refused {} meanwhile", refused);
				refused = 0;
			}
			connections.add(channel);
			int id = ids.incrementAndGet();
			Thread t = new Thread(() -> serve(channel, id), "crontainer-client-" + id);
			t.setDaemon(true);
			t.start();
		}
	}

	/**
	 * Tells a connection over {@link #MAX_CONNECTIONS} so, in one frame written without blocking, and
	 * closes it; on the acceptor thread, which it never blocks.
	 */
	private void refuse(SocketChannel channel) {
		if (refused++ == 0) {
			LOG.warn("Refusing bin/client connections: {} are open, the most served at once", maxConnections);
		}
		try {
			channel.configureBlocking(false);
			ByteArrayOutputStream bytes = new ByteArrayOutputStream();
			DataOutputStream frames = new DataOutputStream(bytes);
			Frames.write(frames, Frames.ERR, "Crontainer serves " + maxConnections
					+ " bin/client connections at once, and that many are open: try again when one has ended.\n");
			Frames.write(frames, Frames.EXIT, ByteBuffer.allocate(4).putInt(Frames.UNREACHABLE).array(), 0, 4);
			channel.write(ByteBuffer.wrap(bytes.toByteArray()));
		} catch (IOException e) {
			// the client is gone already
		} finally {
			closeQuietly(channel);
		}
	}

	private void serve(SocketChannel channel, int id) {
		Sender out = null;
		AtomicBoolean settled = new AtomicBoolean(); // the first frame came, or the deadline closed the channel
		ScheduledFuture<?> deadline;
		try {
			deadline = deadlines.schedule(() -> {
				if (settled.compareAndSet(false, true)) {
					LOG.debug("bin/client session {} sent no request within {}: closed", id, firstFrameDeadline);
					closeQuietly(channel);
				}
			}, firstFrameDeadline.toMillis(), TimeUnit.MILLISECONDS);
		} catch (RejectedExecutionException e) { // deactivated meanwhile
			connections.remove(channel);
			closeQuietly(channel);
			return;
		}
		try {
			DataInputStream in = new DataInputStream(new BufferedInputStream(Frames.input(channel)));
			Frame first;
			try {
				first = Frames.read(in, Frames.MAX_PAYLOAD);
			} finally {
				deadline.cancel(false);
			}
			if (first == null || !settled.compareAndSet(false, true)) {
				return; // closed before a request, or too late
			}
			out = new Sender(new BufferedOutputStream(Frames.output(channel)), "crontainer-client-" + id + "-output");
			if (first.type() == Frames.EXEC) {
				LOG.debug("bin/client session {}: {}", id, first.text());
				out.finish(exec(first.text(), in, out, id, operator(channel, id)));
			} else if (first.type() == Frames.TERMINAL) {
				LOG.info("bin/client session {} opened", id);
				shell(first.text(), in, out, operator(channel, id));
				LOG.info("bin/client session {} closed", id);
			} else {
				byte[] text = "Unknown request: this client does not match the runtime's version\n"
						.getBytes(StandardCharsets.UTF_8);
				out.write(Frames.ERR, text, 0, text.length);
				out.finish(Frames.FAILED);
			}
		} catch (IOException e) {
			LOG.debug("bin/client session {} ended: {}", id, e.toString());
		} catch (RuntimeException e) {
			LOG.warn("bin/client session {} failed", id, e);
		} finally {
			deadline.cancel(false);
			connections.remove(channel);
			closeQuietly(channel);
			if (out != null) {
				out.stop();
			}
		}
	}

	/**
	 * Runs each non-blank line of {@code script} in one session, printing results as the console does;
	 * stops at the first failure.
	 *
	 * @return The exit status: {@link Frames#OK}, {@link Frames#FAILED} or {@link Frames#INTERRUPTED}.
	 */
	int exec(String script, DataInputStream in, Frames.Sink out, int id) {
		return exec(script, in, out, id, "bin/client session " + id);
	}

	/**
	 * The session variable naming who uses a session: {@code cron:pause} records it with the pause (the
	 * shell's {@code CronCommands.OPERATOR}).
	 */
	static final String OPERATOR = "crontainer.operator";

	/**
	 * Who a connection is, for {@link #OPERATOR}: {@code bin/client session 7 (user alice)}, the user from
	 * the socket's peer credentials ({@code SO_PEERCRED}, which the kernel vouches for; the socket is
	 * owner-only, so it is this runtime's user or root), or without it where the platform has none.
	 */
	static String operator(SocketChannel channel, int id) {
		String user = peerUser(channel);
		return "bin/client session " + id + (user == null ? "" : " (user " + user + ")");
	}

	/**
	 * The user at the other end of a Unix-domain socket, from {@code jdk.net.ExtendedSocketOptions.SO_PEERCRED}
	 * (Linux and macOS), read reflectively so that the bundle imports no {@code jdk.*} package; {@code null}
	 * where it cannot be read.
	 */
	@SuppressWarnings("unchecked")
	static String peerUser(SocketChannel channel) {
		try {
			Class<?> options = ClassLoader.getPlatformClassLoader().loadClass("jdk.net.ExtendedSocketOptions");
			Object option = options.getField("SO_PEERCRED").get(null);
			Object principal = channel.getOption((java.net.SocketOption<Object>) option);
			Object user = principal.getClass().getMethod("user").invoke(principal);
			return user instanceof java.security.Principal p ? p.getName() : null;
		} catch (ReflectiveOperationException | IOException | RuntimeException | LinkageError e) {
			return null;
		}
	}

	int exec(String script, DataInputStream in, Frames.Sink out, int id, String operator) {
		PrintStream stdout = new PrintStream(Frames.frameStream(out, Frames.OUT), true, StandardCharsets.UTF_8);
		PrintStream stderr = new PrintStream(Frames.frameStream(out, Frames.ERR), true, StandardCharsets.UTF_8);
		CommandSession session = processor.createSession(InputStream.nullInputStream(), stdout, stderr);
		session.put(OPERATOR, operator);
		session.put(VIA, "bin/client"); // cron:rerun records where a request came from
		AtomicBoolean done = new AtomicBoolean();
		AtomicBoolean interrupted = new AtomicBoolean();
		Thread reader = new Thread(() -> {
			try {
				Frame frame;
				while ((frame = Frames.read(in, Frames.MAX_INPUT_PAYLOAD)) != null) {
					if (frame.type() == Frames.INTERRUPT && !done.get()) {
						interrupted.set(true);
						interrupt(session);
					}
				}
			} catch (IOException e) {
				// the client is gone
			}
			if (!done.get()) { // the client left: stop what it started
				interrupted.set(true);
				interrupt(session);
			}
		}, "crontainer-client-" + id + "-input");
		reader.setDaemon(true);
		reader.start();
		threadIO.setStreams(InputStream.nullInputStream(), stdout, stderr);
		try {
			for (String line : script.split("\\R")) {
				if (line.isBlank() || line.strip().startsWith("#")) {
					continue;
				}
				try {
					Object result = session.execute(line);
					if (result != null) {
						String text = printable(String.valueOf(session.format(result, Converter.INSPECT)));
						stdout.print(text.endsWith("\n") ? text : text + "\n"); // a list's text ends in one already
					}
				} catch (Exception e) {
					if (interrupted.get()) {
						stderr.println(INTERRUPTED);
						return Frames.INTERRUPTED;
					}
					stderr.println(printable(message(e)));
					return status(e);
				}
				if (interrupted.get()) {
					return Frames.INTERRUPTED;
				}
			}
			return Frames.OK;
		} finally {
			done.set(true);
			threadIO.close();
			stdout.flush();
			stderr.flush();
			session.close();
		}
	}

	private static void interrupt(CommandSession session) {
		Job job = session.foregroundJob();
		if (job != null) {
			job.interrupt();
		}
	}

	/**
	 * The exit status of a failed command: the one its exception (or a cause) chooses through a public
	 * {@code int exitStatus()} method, if from {@link Frames#FIRST_COMMAND_STATUS} to 125 (as
	 * {@code cron:fire} does for a run that did not succeed), else {@link Frames#FAILED}. By name, so that
	 * this bundle needs no type of a command's bundle.
	 */
	static int status(Throwable e) {
		for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
			try {
				Method m = t.getClass().getMethod("exitStatus");
				if (m.getReturnType() == int.class) {
					int status = (Integer) m.invoke(t);
					if (status >= Frames.FIRST_COMMAND_STATUS && status <= 125) {
						return status;
					}
				}
			} catch (ReflectiveOperationException | RuntimeException ignored) {
				// no such method, or not callable: the next cause
			}
		}
		return Frames.FAILED;
	}

	/**
	 * Text for the client's output with its control characters escaped but line feeds and tabs, as the shell
	 * escapes them ({@link Formats#escaped(String, boolean, boolean)}: ESC as {@code \e}, CR as {@code \r},
	 * other C0 controls and DEL as {@code \xHH}, C1 controls, line separators and invisible format characters
	 * as {@code \}{@code uHHHH}, a tag character as {@code \}{@code u{HHHHH}}). A one-shot client writes to a terminal or a file; a command's result or error
	 * (which may hold what a plugin said) must not act on the terminal.
	 */
	static String printable(String text) {
		return Formats.escaped(text, true, true);
	}

	/** The error line of a failed command: its message, or the exception when it has none. */
	static String message(Throwable e) {
		String m = e.getMessage();
		if (e instanceof InterruptedException || e.getCause() instanceof InterruptedException) {
			return "Interrupted" + (m == null ? "" : ": " + m);
		}
		return m == null || m.isBlank() ? e.toString() : m;
	}

	/**
	 * An interactive session: gogo.jline's shell on a JLine terminal over the socket, whose line
	 * discipline (echo, Ctrl-C as SIGINT, newline translation) works as a terminal's, since the client's
	 * own terminal is raw. Ends with the {@link Frames#EXIT} frame.
	 */
	private void shell(String hello, DataInputStream in, Sender out, String operator) throws IOException {
		String[] words = hello.split(" ");
		String type = words.length > 0 && !words[0].isBlank() ? words[0] : "ansi";
		Terminal[] terminal = new Terminal[1];
		InputStream keys = new InputStream() {
			private byte[] pending = new byte[0];
			private int next;

			@Override
			public int read() throws IOException {
				byte[] one = new byte[1];
				return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
			}

			@Override
			public int read(byte[] b, int off, int len) throws IOException {
				while (next >= pending.length) {
					Frame frame = Frames.read(in, Frames.MAX_INPUT_PAYLOAD);
					if (frame == null) {
						return -1;
					}
					if (frame.type() == Frames.INPUT) {
						pending = frame.payload();
						next = 0;
					} else if (frame.type() == Frames.WINDOW && terminal[0] != null) {
						resize(terminal[0], frame.text().split(" "), 0);
						terminal[0].raise(Terminal.Signal.WINCH);
					}
				}
				int n = Math.min(len, pending.length - next);
				System.arraycopy(pending, next, b, off, n);
				next += n;
				return n;
			}
		};
		OutputStream screen = Frames.frameStream(out, Frames.OUT);
		try (ExternalTerminal t = new ExternalTerminal("crontainer-client", type, keys, screen,
				StandardCharsets.UTF_8)) {
			terminal[0] = t;
			resize(t, words, 1);
			CommandSession session = processor.createSession(t.input(), t.output(), t.output());
			try {
				session.put(Shell.VAR_TERMINAL, t);
				session.put(OPERATOR, operator);
				session.put(VIA, "bin/client"); // cron:rerun records where a request came from
				Shell shell = new Shell(new ShellContext(), processor, threadIO, null);
				// --noshutdown: Ctrl-D ends this session, never the runtime
				shell.gosh(session, new String[] { "--login", "--noshutdown" });
			} catch (Exception e) {
				t.writer().println("Session failed: " + printable(message(e)));
				t.flush();
				LOG.warn("bin/client session failed", e);
			} finally {
				session.close();
			}
			// before the terminal closes: that interrupts its input pump, which closes the channel
			out.finish(Frames.OK);
		}
	}

	/** Sets the size a client sent; an unknown size (0, as a pseudo-terminal may report) is 80 x 24. */
	private static void resize(Terminal terminal, String[] words, int from) {
		int columns = 0;
		int rows = 0;
		try {
			columns = Integer.parseInt(words[from]);
			rows = Integer.parseInt(words[from + 1]);
		} catch (RuntimeException e) {
			// a size from a client of another version: the default
		}
		terminal.setSize(new Size(columns > 0 ? columns : 80, rows > 0 ? rows : 24));
	}

	private static void closeQuietly(SocketChannel channel) {
		try {
			channel.close();
		} catch (IOException e) {
			// closing anyway
		}
	}

	/** The shell's view of the runtime: framework properties; exit is never called (--noshutdown). */
	private final class ShellContext implements Shell.Context {
		@Override
		public String getProperty(String name) {
			String value = properties.apply(name);
			return value != null ? value : System.getProperty(name);
		}

		@Override
		public void exit() {
			// gosh --noshutdown never calls this; a remote session never stops the runtime
		}
	}
}
