package io.crontainer.examples.filejanitor;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * An open directory, whose entries are read and deleted without following symbolic links.
 *
 * <p>
 * Where the platform offers a {@link SecureDirectoryStream} (Linux), every operation is relative to
 * the open directory ({@code openat}, {@code unlinkat} with {@code O_NOFOLLOW}), so a directory
 * replaced by a symbolic link while the janitor walks the tree cannot lead it outside. Elsewhere it
 * falls back to path operations with {@link LinkOption#NOFOLLOW_LINKS}, which never follow a link
 * at the last step but can race with such a replacement.
 *
 * <p>
 * Not thread-safe: one walk uses it at a time.
 */
abstract sealed class Tree implements Closeable {

	/** The directory's path, for messages and the path fallback. */
	final Path path;

	private Tree(Path path) {
		this.path = path;
	}

	/**
	 * Opens a directory.
	 *
	 * @param directory The directory, already resolved to its real path.
	 * @param secure Whether to use a secure directory stream where the platform has one.
	 * @throws IOException If the directory cannot be opened.
	 */
	static Tree open(Path directory, boolean secure) throws IOException {
		DirectoryStream<Path> stream = Files.newDirectoryStream(directory);
		if (secure && stream instanceof SecureDirectoryStream<Path> secureStream) {
			return new Secure(directory, secureStream);
		}
		return new Plain(directory, stream);
	}

	/** @return the names of the entries, single path elements. */
	abstract Iterable<Path> entries();

	/** @return the attributes of entry {@code name}, of the link itself if it is a link. */
	abstract BasicFileAttributes attributes(Path name) throws IOException;

	/** Opens the subdirectory {@code name}; fails if it is a link. */
	abstract Tree directory(Path name) throws IOException;

	/** Deletes entry {@code name}, a file; a link is deleted, never its target. */
	abstract void delete(Path name) throws IOException;

	private static final class Secure extends Tree {
		private final SecureDirectoryStream<Path> stream;

		Secure(Path path, SecureDirectoryStream<Path> stream) {
			super(path);
			this.stream = stream;
		}

		@Override
		Iterable<Path> entries() {
			return () -> new NameIterator(stream.iterator());
		}

		@Override
		BasicFileAttributes attributes(Path name) throws IOException {
			return stream.getFileAttributeView(name, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).readAttributes();
		}

		@Override
		Tree directory(Path name) throws IOException {
			return new Secure(path.resolve(name), stream.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS));
		}

		@Override
		void delete(Path name) throws IOException {
			stream.deleteFile(name);
		}

		@Override
		public void close() throws IOException {
			stream.close();
		}
	}

	private static final class Plain extends Tree {
		private final DirectoryStream<Path> stream;

		Plain(Path path, DirectoryStream<Path> stream) {
			super(path);
			this.stream = stream;
		}

		@Override
		Iterable<Path> entries() {
			return () -> new NameIterator(stream.iterator());
		}

		@Override
		BasicFileAttributes attributes(Path name) throws IOException {
			return Files.readAttributes(path.resolve(name), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
		}

		@Override
		Tree directory(Path name) throws IOException {
			Path directory = path.resolve(name);
			if (Files.isSymbolicLink(directory)) {
				throw new IOException(directory + " is a symbolic link");
			}
			return new Plain(directory, Files.newDirectoryStream(directory));
		}

		@Override
		void delete(Path name) throws IOException {
			Files.delete(path.resolve(name));
		}

		@Override
		public void close() throws IOException {
			stream.close();
		}
	}

	/** Maps the stream's entries to their file names. */
	private record NameIterator(java.util.Iterator<Path> entries) implements java.util.Iterator<Path> {
		@Override
		public boolean hasNext() {
			return entries.hasNext();
		}

		@Override
		public Path next() {
			return entries.next().getFileName();
		}
	}
}
