package io.crontainer.console.impl;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.charset.StandardCharsets;

/**
 * The wire protocol between {@code bin/client} ({@link Client}) and the runtime ({@link ClientServer}),
 * over a Unix-domain stream socket: a sequence of frames, each one type byte, a payload length (a
 * big-endian {@code int}, at most {@link #MAX_PAYLOAD}) and the payload.
 *
 * <p>
 * The client opens with one {@link #EXEC} frame (a command line, or several lines run in turn) or one
 * {@link #TERMINAL} frame (an interactive session), then sends {@link #INPUT}, {@link #WINDOW} and
 * {@link #INTERRUPT} frames. The server answers with {@link #OUT} and {@link #ERR} frames and ends
 * with one {@link #EXIT} frame (a 4-byte status), then closes. Text is UTF-8.
 *
 * <p>
 * Stateless; {@link #write} is thread-safe per stream (it locks the stream).
 */
public final class Frames {

	/** Client: run the payload (UTF-8 lines) as commands, without a terminal. */
	public static final byte EXEC = 'x';
	/** Client: start an interactive session; payload {@code "TERM COLUMNS ROWS"}. */
	public static final byte TERMINAL = 't';
	/** Client: bytes typed at the client's terminal. */
	public static final byte INPUT = 'i';
	/** Client: the terminal's new size, {@code "COLUMNS ROWS"}. */
	public static final byte WINDOW = 'w';
	/** Client: interrupt the command in progress (Ctrl-C of a one-shot command). */
	public static final byte INTERRUPT = 'c';
	/** Server: bytes for the client's standard output (or terminal). */
	public static final byte OUT = 'o';
	/** Server: bytes for the client's standard error. */
	public static final byte ERR = 'e';
	/** Server: the exit status, a big-endian int; the last frame. */
	public static final byte EXIT = 's';

	/** The greatest payload, in bytes: of the server's frames, and of the client's first frame (a script). */
	public static final int MAX_PAYLOAD = 1 << 20;
	/** The greatest payload of the client's frames after the first (keys, a window size, an interrupt), in bytes. */
	public static final int MAX_INPUT_PAYLOAD = 1 << 16;

	/** Exit status: every command succeeded. */
	public static final int OK = 0;
	/** Exit status: a command failed. */
	public static final int FAILED = 1;
	/** Exit status: no runtime to talk to, or the connection broke. */
	public static final int UNREACHABLE = 2;
	/**
	 * The least exit status a command may choose for itself (a failed exception with a public
	 * {@code int exitStatus()} method, such as {@code cron:fire}'s 3, 4 and 5); up to 125.
	 */
	public static final int FIRST_COMMAND_STATUS = 3;
	/** Exit status: the command was interrupted (128 + SIGINT, as a shell reports it). */
	public static final int INTERRUPTED = 130;

	private Frames() {
	}

	/** One frame: its type and payload. */
	public record Frame(byte type, byte[] payload) {
		/** @return The payload as UTF-8 text. */
		public String text() {
			return new String(payload, StandardCharsets.UTF_8);
		}
	}

	/**
	 * Reads one frame of at most {@link #MAX_PAYLOAD} bytes.
	 *
	 * @return The frame, or {@code null} at the end of the stream before a frame starts.
	 * @throws IOException On a broken stream, a truncated frame or a payload over {@link #MAX_PAYLOAD}.
	 */
	public static Frame read(DataInputStream in) throws IOException {
		return read(in, MAX_PAYLOAD);
	}

	/**
	 * Reads one frame. A length over {@code max} is refused as soon as it is read, before any of the
	 * payload is: the memory a frame can take is bounded by {@code max}, whatever its sender claims.
	 *
	 * @param max The greatest payload accepted, in bytes.
	 * @return The frame, or {@code null} at the end of the stream before a frame starts.
	 * @throws IOException On a broken stream, a truncated frame or a payload over {@code max}.
	 */
	public static Frame read(DataInputStream in, int max) throws IOException {
		int type = in.read();
		if (type < 0) {
			return null;
		}
		int length = in.readInt();
		if (length < 0 || length > max) {
			throw new IOException("Bad frame length " + length + " (at most " + max + ")");
		}
		byte[] payload = in.readNBytes(length);
		if (payload.length < length) {
			throw new EOFException("Truncated frame");
		}
		return new Frame((byte) type, payload);
	}

	/** Writes one frame and flushes; splits a payload over {@link #MAX_PAYLOAD} into several frames. */
	public static void write(DataOutputStream out, byte type, byte[] bytes, int offset, int length) throws IOException {
		synchronized (out) {
			do {
				int n = Math.min(length, MAX_PAYLOAD);
				out.writeByte(type);
				out.writeInt(n);
				out.write(bytes, offset, n);
				offset += n;
				length -= n;
			} while (length > 0);
			out.flush();
		}
	}

	/** Writes one frame of UTF-8 text. */
	public static void write(DataOutputStream out, byte type, String text) throws IOException {
		byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
		write(out, type, bytes, 0, bytes.length);
	}

	/** @return The status of an {@link #EXIT} frame. */
	public static int status(Frame frame) {
		return ByteBuffer.wrap(frame.payload()).getInt();
	}

	/** Where frames go. */
	@FunctionalInterface
	public interface Sink {
		/** Sends one frame (or several, for a payload over {@link #MAX_PAYLOAD}). */
		void write(byte type, byte[] bytes, int offset, int length) throws IOException;
	}

	/** An output stream whose every write becomes one frame of the given type. */
	public static OutputStream frameStream(Sink out, byte type) {
		return new OutputStream() {
			@Override
			public void write(int b) throws IOException {
				write(new byte[] { (byte) b }, 0, 1);
			}

			@Override
			public void write(byte[] b, int off, int len) throws IOException {
				if (len > 0) {
					out.write(type, b, off, len);
				}
			}
		};
	}

	/**
	 * A blocking input stream on a channel. (Not {@code Channels.newInputStream}: on Java 17 its reads
	 * hold the channel's blocking lock, which would block the writes of another thread.)
	 */
	public static InputStream input(ByteChannel channel) {
		return new InputStream() {
			@Override
			public int read() throws IOException {
				byte[] one = new byte[1];
				int n = read(one, 0, 1);
				return n < 0 ? -1 : one[0] & 0xff;
			}

			@Override
			public int read(byte[] b, int off, int len) throws IOException {
				if (len == 0) {
					return 0;
				}
				return channel.read(ByteBuffer.wrap(b, off, len));
			}
		};
	}

	/** A blocking output stream on a channel (see {@link #input}). */
	public static OutputStream output(ByteChannel channel) {
		return new OutputStream() {
			@Override
			public void write(int b) throws IOException {
				write(new byte[] { (byte) b }, 0, 1);
			}

			@Override
			public void write(byte[] b, int off, int len) throws IOException {
				ByteBuffer buffer = ByteBuffer.wrap(b, off, len);
				while (buffer.hasRemaining()) {
					channel.write(buffer);
				}
			}
		};
	}
}
