package io.crontainer.console.impl;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Where the server binds and the client connects: the socket file {@code data/run/client.sock} as an
 * address that fits a Unix-domain socket's path. Used by {@link ClientServer} in OSGi and by
 * {@link Client} outside it, so it needs nothing but the JDK. Stateless; thread-safe.
 */
final class SocketPath {
	/**
	 * The longest path of a Unix-domain socket, in bytes: Linux's {@code sun_path} holds 108, the
	 * terminating NUL included.
	 */
	static final int MAX = 107;

	/** The socket's path relative to the installation's directory. */
	static final String FROM_HOME = "data/" + ClientServer.SOCKET;

	private SocketPath() {
	}

	/**
	 * The address to bind or connect to for a socket file: its absolute path, if that is at most
	 * {@value #MAX} bytes long; else its path relative to the working directory, if the socket
	 * is under it and that path fits ({@code bin/crontainer} and {@code bin/client} run from the
	 * installation's directory, so a deep installation binds {@code data/run/client.sock}). Either way it is
	 * the same file in the same owner-only directory; the working directory of a JVM never changes.
	 *
	 * @param socket The socket file's path. Must not be {@code null}.
	 * @return The address. Never {@code null}.
	 * @throws IOException If neither path fits; the message names the path, its length and the limit, and
	 *         says what to change.
	 */
	static UnixDomainSocketAddress address(Path socket) throws IOException {
		Path absolute = socket.toAbsolutePath().normalize();
		int length = bytes(absolute);
		if (length <= MAX) {
			return UnixDomainSocketAddress.of(absolute);
		}
		Path workingDirectory = Path.of("").toAbsolutePath();
		if (absolute.startsWith(workingDirectory) && !absolute.equals(workingDirectory)) {
			Path relative = workingDirectory.relativize(absolute);
			if (bytes(relative) <= MAX) {
				return UnixDomainSocketAddress.of(relative);
			}
		}
		throw new IOException("The socket of bin/client, " + absolute + ", is " + length + " bytes long, and a"
				+ " Unix-domain socket's path may have at most " + MAX + " bytes: start the runtime and"
				+ " bin/client from the installation's directory, as bin/crontainer and bin/client do (the socket is"
				+ " then bound as " + FROM_HOME + "), or install Crontainer in a directory whose path has at most "
				+ (MAX - FROM_HOME.length() - 1) + " bytes.");
	}

	private static int bytes(Path path) {
		return path.toString().getBytes(StandardCharsets.UTF_8).length;
	}
}
