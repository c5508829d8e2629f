package io.crontainer.console.impl;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import org.jline.terminal.Attributes;
import org.jline.terminal.Attributes.InputFlag;
import org.jline.terminal.Attributes.LocalFlag;
import org.jline.terminal.Attributes.OutputFlag;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.utils.Signals;

import io.crontainer.console.impl.Frames.Frame;

/**
 * {@code bin/client}: runs Gogo commands in a running Crontainer, through its socket
 * {@code data/run/client.sock} (see {@link ClientServer}). Runs outside OSGi, with this jar and the
 * JLine jar on the class path.
 *
 * <ul>
 * <li>{@code bin/client COMMAND...}: the words, joined with spaces as {@code ssh} does, are one command
 * line; its output goes to stdout, errors to stderr; the exit status is 0 on success, 1 when the command
 * failed, 2 when no runtime answers, a command's own status from 3 on (those of {@code cron:fire}: 3, 4,
 * 5 for a run that failed, timed out, was interrupted), 130 when interrupted (Ctrl-C interrupts the
 * command, not the runtime);</li>
 * <li>{@code bin/client} from a terminal: an interactive session with line editing, history and Tab
 * completion (the runtime's terminal emulation, over the socket); Ctrl-D ends it;</li>
 * <li>{@code bin/client < FILE} (no terminal): each line of the input is run in turn, stopping at the
 * first failure.</li>
 * </ul>
 * System property {@code crontainer.home}: the distribution (default: the current directory).
 */
public final class Client {

	private Client() {
	}

	/** Runs the client and exits with its status. */
	public static void main(String[] args) {
		Path home = Path.of(System.getProperty("crontainer.home", ".")).toAbsolutePath().normalize();
		System.exit(run(home, args, System.in, System.out, System.err));
	}

	static int run(Path home, String[] args, InputStream stdin, PrintStream stdout, PrintStream stderr) {
		if (args.length == 1 && (args[0].equals("-h") || args[0].equals("--help"))) {
			stdout.print(USAGE);
			return Frames.OK;
		}
		Path socket = home.resolve("data").resolve(ClientServer.SOCKET);
		UnixDomainSocketAddress address;
		try {
			address = SocketPath.address(socket); // relative to the working directory, the home, if too long
		} catch (IOException e) {
			stderr.println(e.getMessage());
			return Frames.UNREACHABLE;
		}
		SocketChannel channel;
		try {
			channel = SocketChannel.open(StandardProtocolFamily.UNIX);
			channel.connect(address);
		} catch (IOException | RuntimeException e) {
			stderr.println(notRunning(home, socket, e));
			return Frames.UNREACHABLE;
		}
		try (channel) {
			DataInputStream in = new DataInputStream(new BufferedInputStream(Frames.input(channel)));
			DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Frames.output(channel)));
			if (args.length > 0) {
				return exec(String.join(" ", args), in, out, stdout, stderr);
			}
			if (System.console() != null) {
				return interactive(in, out, stderr);
			}
			return exec(new String(stdin.readAllBytes(), StandardCharsets.UTF_8), in, out, stdout, stderr);
		} catch (IOException e) {
			stderr.println("Lost the connection to Crontainer: " + e.getMessage());
			return Frames.UNREACHABLE;
		}
	}

	/** One line saying why there is no runtime to talk to. */
	static String notRunning(Path home, Path socket, Exception e) {
		String reason = String.valueOf(e.getMessage());
		if (reason.contains("Permission denied")) {
			return "Cannot connect to " + socket + ": permission denied. Run bin/client as the user Crontainer runs"
					+ " as (or as root).";
		}
		Optional<Long> pid = runningPid(home);
		if (pid.isPresent()) {
			return "Crontainer (process " + pid.get() + ") in " + home + " does not accept bin/client (cannot connect to "
					+ socket + ": " + reason + "); is it still starting, or is its console feature missing?";
		}
		return "Crontainer is not running in " + home + " (nothing listens on " + socket + ")";
	}

	private static final String USAGE = String.join(System.lineSeparator(),
			"Usage: bin/client [COMMAND...]",
			"Runs Gogo commands in the Crontainer runtime of this distribution, through data/run/client.sock.",
			"  bin/client cron:list                   one command line (the words joined with spaces, as ssh does)",
			"  bin/client 'cron:next \"@daily\"'        quote for Gogo inside the shell's quotes",
			"  bin/client < commands.txt              each line in turn, stopping at the first failure",
			"  bin/client                             on a terminal: an interactive console (Ctrl-D leaves it)",
			"Exit status: 0 success, 1 the command failed or was refused, 2 no runtime answers (or it is busy),",
			"  3/4/5 cron:fire's run failed/timed out/was interrupted, 130 interrupted (Ctrl-C).",
			"help lists the commands; help cron:list explains one.", "");

	/** The process id in data/crontainer.lock, if that process is alive. */
	private static Optional<Long> runningPid(Path home) {
		try {
			long pid = Long.parseLong(Files.readString(home.resolve("data/crontainer.lock")).strip());
			return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).map(ProcessHandle::pid);
		} catch (IOException | RuntimeException e) {
			return Optional.empty();
		}
	}

	private static int exec(String script, DataInputStream in, DataOutputStream out, PrintStream stdout,
			PrintStream stderr) throws IOException {
		AtomicInteger interrupts = new AtomicInteger();
		boolean[] sent = new boolean[1]; // guarded by out
		Object handler = null;
		try {
			// The handler comes first: a Ctrl-C that arrives once the command may run must reach the
			// runtime, never end this JVM by the default SIGINT action and leave the command running.
			handler = Signals.register("INT", () -> {
				if (interrupts.incrementAndGet() > 1) {
					Runtime.getRuntime().halt(Frames.INTERRUPTED); // a second Ctrl-C: leave now
				}
				synchronized (out) {
					if (!sent[0]) {
						Runtime.getRuntime().halt(Frames.INTERRUPTED); // before the command was sent: nothing ran
					}
					try {
						Frames.write(out, Frames.INTERRUPT, new byte[0], 0, 0);
					} catch (IOException e) {
						Runtime.getRuntime().halt(Frames.INTERRUPTED);
					}
				}
			});
			synchronized (out) {
				try {
					Frames.write(out, Frames.EXEC, script);
				} catch (IOException e) {
					// closed by the runtime before it read the request (it serves too many clients): its
					// answer, if any, is still to be read
				}
				sent[0] = true;
			}
			return copyUntilExit(in, stdout, stderr);
		} finally {
			Signals.unregister("INT", handler);
		}
	}

	private static int copyUntilExit(DataInputStream in, OutputStream stdout, OutputStream stderr) throws IOException {
		Frame frame;
		while ((frame = Frames.read(in)) != null) {
			switch (frame.type()) {
			case Frames.OUT -> {
				stdout.write(frame.payload());
				stdout.flush();
			}
			case Frames.ERR -> {
				stderr.write(frame.payload());
				stderr.flush();
			}
			case Frames.EXIT -> {
				return Frames.status(frame);
			}
			default -> {
				// newer frames: ignored
			}
			}
		}
		stderr.write("Crontainer closed the connection (it is stopping?)\n".getBytes(StandardCharsets.UTF_8));
		stderr.flush();
		return Frames.UNREACHABLE;
	}

	/**
	 * An interactive session: the local terminal in raw mode (no echo, no signals: Ctrl-C and Ctrl-D are
	 * characters for the runtime's line editor), keys sent as they are typed, window size changes sent.
	 */
	private static int interactive(DataInputStream in, DataOutputStream out, PrintStream stderr) throws IOException {
		try (Terminal terminal = TerminalBuilder.builder().system(true).nativeSignals(true)
				.signalHandler(Terminal.SignalHandler.SIG_IGN).build()) {
			Attributes saved = terminal.enterRawMode();
			Attributes raw = new Attributes(terminal.getAttributes());
			raw.setLocalFlags(EnumSet.of(LocalFlag.ISIG, LocalFlag.IEXTEN, LocalFlag.ICANON, LocalFlag.ECHO), false);
			raw.setInputFlags(EnumSet.of(InputFlag.IXON, InputFlag.ICRNL, InputFlag.INLCR), false);
			raw.setOutputFlag(OutputFlag.OPOST, false); // the runtime's terminal translates newlines
			terminal.setAttributes(raw);
			try {
				Frames.write(out, Frames.TERMINAL,
						terminal.getType() + " " + terminal.getWidth() + " " + terminal.getHeight());
				terminal.handle(Terminal.Signal.WINCH, s -> {
					try {
						Frames.write(out, Frames.WINDOW, terminal.getWidth() + " " + terminal.getHeight());
					} catch (IOException e) {
						// the session is ending
					}
				});
				Thread keys = new Thread(() -> {
					byte[] buffer = new byte[1024];
					try {
						InputStream input = terminal.input();
						int n;
						while ((n = input.read(buffer)) >= 0) {
							if (n > 0) {
								Frames.write(out, Frames.INPUT, buffer, 0, n);
							}
						}
					} catch (IOException e) {
						// the session is ending
					}
				}, "keys");
				keys.setDaemon(true);
				keys.start();
				OutputStream screen = terminal.output();
				return copyUntilExit(in, screen, screen);
			} finally {
				terminal.setAttributes(saved);
				terminal.flush();
			}
		}
	}
}
