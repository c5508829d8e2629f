package io.crontainer.console.impl;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The server's side of a connection's output: frames are queued and written by one thread of its own.
 *
 * <p>
 * Why: a socket channel is an {@code InterruptibleChannel}, closed by the interrupt of a thread blocked
 * in, or entering, a write on it. The threads that produce output (the shell's, Gogo's command threads)
 * are interrupted by design (Ctrl-C, a line editor's interrupt); here they only queue, uninterruptibly,
 * and the writer thread is never interrupted. The bounded queue passes back-pressure on to them.
 *
 * <p>
 * Thread-safe; {@link #finish} is called once, by the connection's thread, and {@link #stop} by it
 * at the end of the connection, whatever happened.
 */
final class Sender implements Frames.Sink {

	private static final byte[] END = new byte[0];

	private final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(256);
	private final CountDownLatch done = new CountDownLatch(1);
	private final OutputStream out;
	private final Thread writer;
	private volatile IOException failure;

	Sender(OutputStream out, String name) {
		this.out = out;
		writer = new Thread(this::run, name);
		writer.setDaemon(true);
		writer.start();
	}

	@Override
	public void write(byte type, byte[] bytes, int offset, int length) throws IOException {
		ByteArrayOutputStream frame = new ByteArrayOutputStream(length + 5);
		Frames.write(new DataOutputStream(frame), type, bytes, offset, length);
		put(frame.toByteArray());
	}

	/** Queues the {@link Frames#EXIT} frame and waits (up to 10 s) until everything is written. */
	void finish(int status) throws IOException {
		byte[] exit = ByteBuffer.allocate(4).putInt(status).array();
		write(Frames.EXIT, exit, 0, 4);
		put(END);
		boolean interrupted = false;
		try {
			while (true) {
				try {
					done.await(10, TimeUnit.SECONDS);
					break;
				} catch (InterruptedException e) {
					interrupted = true;
				}
			}
		} finally {
			if (interrupted) {
				Thread.currentThread().interrupt();
			}
		}
	}

	/**
	 * Ends the writer thread, finished or not: call it once the channel is closed (a write in progress
	 * then fails, a wait for the next frame is interrupted). Idempotent.
	 */
	void stop() {
		writer.interrupt();
	}

	private void put(byte[] frame) throws IOException {
		boolean interrupted = false;
		try {
			while (true) {
				IOException failed = failure;
				if (failed != null) {
					throw failed;
				}
				try {
					if (queue.offer(frame, 100, TimeUnit.MILLISECONDS)) {
						return;
					}
				} catch (InterruptedException e) {
					interrupted = true;
				}
			}
		} finally {
			if (interrupted) {
				Thread.currentThread().interrupt();
			}
		}
	}

	private void run() {
		try {
			while (true) {
				byte[] frame = queue.take();
				if (frame == END) {
					break;
				}
				out.write(frame);
				if (queue.isEmpty()) {
					out.flush();
				}
			}
			out.flush();
		} catch (IOException e) {
			failure = e;
		} catch (InterruptedException e) {
			failure = new IOException("Interrupted");
		} finally {
			done.countDown();
		}
	}
}
