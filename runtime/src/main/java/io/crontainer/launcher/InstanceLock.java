package io.crontainer.launcher;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One runtime per {@code data/}: an exclusive lock on {@code data/crontainer.lock}, held for the life
 * of the JVM, which also holds the process id of its holder (for the refusal message and for
 * {@code bin/client}).
 *
 * <p>
 * The lock is an OS file lock ({@link FileChannel#tryLock()}, {@code fcntl} on Linux), so the OS releases
 * it when the process ends in any way, {@code kill -9} included: a lock file left behind never blocks a
 * start, only a live holder does. Not thread-safe; the launcher's main thread acquires it once.
 */
final class InstanceLock {

	/** The lock file's name under {@code data/}. */
	static final String FILE = "crontainer.lock";

	private final FileChannel channel;
	private final FileLock lock;

	private InstanceLock(FileChannel channel, FileLock lock) {
		this.channel = channel;
		this.lock = lock;
	}

	/**
	 * Takes the lock at once, or fails at once.
	 *
	 * @param data The data directory; must exist.
	 * @return The lock, held until {@link #release()} or the end of the process.
	 * @throws HeldException If another process holds it.
	 * @throws IOException If the lock file cannot be opened or written.
	 */
	static InstanceLock acquire(Path data) throws IOException {
		Path file = data.resolve(FILE);
		FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
				StandardOpenOption.WRITE);
		FileLock lock;
		try {
			lock = channel.tryLock();
		} catch (IOException | RuntimeException e) {
			channel.close();
			throw e;
		}
		if (lock == null) {
			channel.close();
			throw new HeldException(data, holder(file));
		}
		channel.truncate(0);
		channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
		channel.force(false);
		return new InstanceLock(channel, lock);
	}

	/** The process id the holder wrote; it writes it just after locking, so wait a moment for it. */
	private static String holder(Path file) {
		for (int i = 0; i < 20; i++) {
			try {
				String pid = Files.readString(file, StandardCharsets.US_ASCII).strip();
				if (!pid.isEmpty()) {
					return pid;
				}
				Thread.sleep(50);
			} catch (IOException e) {
				break;
			} catch (InterruptedException e) {
				Thread.currentThread().interrupt();
				break;
			}
		}
		return "unknown";
	}

	/** Releases the lock (the file stays, for the next start to reuse). */
	void release() throws IOException {
		try {
			lock.release();
		} finally {
			channel.close();
		}
	}

	/** Another live process holds the lock. */
	static final class HeldException extends IOException {
		private static final long serialVersionUID = 1L;
		private final String pid;

		HeldException(Path data, String pid) {
			super("Crontainer is already running on " + data + " (process " + pid + "); stop it first, or"
					+ " run a second runtime from another copy of the distribution");
			this.pid = pid;
		}

		/** @return The holder's process id as it wrote it, or {@code "unknown"}. */
		String pid() {
			return pid;
		}
	}
}
