package io.crontainer.console.impl;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
 * back, the first failure ends it with status 1) or interactive ({@link Frames#TERMINAL}: a JLine
 * terminal over the socket, and gogo.jline's {@link Shell}, which reads {@code etc/gosh_profile} and
 * gives line editing, history and completion; the client's Ctrl-C reaches it as a character and
 * interrupts the command in progress).
 *
 * <p>
 * Threads: one acceptor thread ({@code crontainer-client-listener}) and one thread per connection
 * ({@code crontainer-client-N}, plus one reading the client's frames), all ended at deactivation.
 * Connections are tracked in a concurrent set; no lock is held across I/O.
 */
@Component(service = {}, immediate = true)
public final class ClientServer {

	/** Framework property: the runtime's data directory (set by the launcher). */
	public static final String DATA_DIR = "crontainer.data.dir";
	/** The socket's path under the data directory. */
	public static final String SOCKET = "run/client.sock";

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
	private final Set<SocketChannel> connections = ConcurrentHashMap.newKeySet();
	private final AtomicInteger ids = new AtomicInteger();
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
		this.processor = processor;
		this.threadIO = threadIO;
		this.properties = properties;
		this.socket = socket;
		Path dir = Files.createDirectories(socket.getParent());
		Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
		// One runtime per data/ (the launcher's lock): a socket file here is a killed runtime's.
		Files.deleteIfExists(socket);
		server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
		try {
			server.bind(UnixDomainSocketAddress.of(socket));
		} catch (IOException | RuntimeException e) {
			server.close();
			throw new IOException("Cannot listen on " + socket + " for bin/client: " + e.getMessage(), e);
		}
		Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
		acceptor = new Thread(this::accept, "crontainer-client-listener");
		acceptor.setDaemon(true);
		acceptor.start();
		LOG.info("Accepting bin/client sessions on {}", socket);
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
			connections.add(channel);
			int id = ids.incrementAndGet();
			Thread t = new Thread(() -> serve(channel, id), "crontainer-client-" + id);
			t.setDaemon(true);
			t.start();
		}
	}

	private void serve(SocketChannel channel, int id) {
		try {
			DataInputStream in = new DataInputStream(new BufferedInputStream(Frames.input(channel)));
			Sender out = new Sender(new BufferedOutputStream(Frames.output(channel)), "crontainer-client-" + id + "-output");
			Frame first = Frames.read(in);
			if (first == null) {
				return;
			}
			if (first.type() == Frames.EXEC) {
				LOG.debug("bin/client session {}: {}", id, first.text());
				out.finish(exec(first.text(), in, out, id));
			} else if (first.type() == Frames.TERMINAL) {
				LOG.info("bin/client session {} opened", id);
				shell(first.text(), in, out);
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
			connections.remove(channel);
			closeQuietly(channel);
		}
	}

	/**
	 * Runs each non-blank line of {@code script} in one session, printing results as the console does;
	 * stops at the first failure.
	 *
	 * @return The exit status: {@link Frames#OK}, {@link Frames#FAILED} or {@link Frames#INTERRUPTED}.
	 */
	int exec(String script, DataInputStream in, Frames.Sink out, int id) {
		PrintStream stdout = new PrintStream(Frames.frameStream(out, Frames.OUT), true, StandardCharsets.UTF_8);
		PrintStream stderr = new PrintStream(Frames.frameStream(out, Frames.ERR), true, StandardCharsets.UTF_8);
		CommandSession session = processor.createSession(InputStream.nullInputStream(), stdout, stderr);
		AtomicBoolean done = new AtomicBoolean();
		AtomicBoolean interrupted = new AtomicBoolean();
		Thread reader = new Thread(() -> {
			try {
				Frame frame;
				while ((frame = Frames.read(in)) != null) {
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
						String text = String.valueOf(session.format(result, Converter.INSPECT));
						stdout.print(text.endsWith("\n") ? text : text + "\n"); // a list's text ends in one already
					}
				} catch (Exception e) {
					if (interrupted.get()) {
						stderr.println(INTERRUPTED);
						return Frames.INTERRUPTED;
					}
					stderr.println(message(e));
					return Frames.FAILED;
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
	private void shell(String hello, DataInputStream in, Sender out) throws IOException {
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
					Frame frame = Frames.read(in);
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
				Shell shell = new Shell(new ShellContext(), processor, threadIO, null);
				// --noshutdown: Ctrl-D ends this session, never the runtime
				shell.gosh(session, new String[] { "--login", "--noshutdown" });
			} catch (Exception e) {
				t.writer().println("Session failed: " + message(e));
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
