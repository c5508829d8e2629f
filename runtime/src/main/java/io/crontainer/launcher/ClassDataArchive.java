package io.crontainer.launcher;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.function.BiConsumer;
import java.util.stream.Stream;

import javax.management.JMException;
import javax.management.ObjectName;

/**
 * The class data sharing archive of {@code data/cds/} (JDK 13+ dynamic archive): {@code bin/crontainer}
 * maps it when it exists ({@code -XX:SharedArchiveFile}); when it does not, the script starts the JVM
 * with {@code -XX:+RecordDynamicDumpInfo} and names it in the system property {@code crontainer.cds.archive},
 * and once the runtime is ready the launcher writes the classes loaded so far to it
 * ({@code jcmd VM.cds dynamic_dump}, through the platform's DiagnosticCommand MBean), once.
 *
 * <p>
 * Threads: {@link #dumpLater} runs on the launcher's main thread and dumps on a daemon thread of its
 * own, into a temporary file moved into place atomically (a JVM starting meanwhile never maps half an
 * archive). {@link #forget} runs on the main thread before the framework starts.
 */
final class ClassDataArchive {

	/** System property: where to write the archive (relative to the distribution), set by bin/crontainer. */
	static final String ARCHIVE = "crontainer.cds.archive";

	private ClassDataArchive() {
	}

	/**
	 * Writes the archive on a thread of its own, if {@code bin/crontainer} asked for one.
	 *
	 * @param home The distribution directory. Must not be {@code null}.
	 * @param log Receives a level and one line: the archive written, or why not.
	 */
	static void dumpLater(Path home, BiConsumer<String, String> log) {
		String name = System.getProperty(ARCHIVE);
		if (name == null || !ManagementFactory.getRuntimeMXBean().getInputArguments().contains("-XX:+RecordDynamicDumpInfo")) {
			return;
		}
		Path archive = home.resolve(name).normalize();
		Thread dumper = new Thread(() -> {
			long start = System.nanoTime();
			try {
				Files.createDirectories(archive.getParent());
				try (Stream<Path> files = Files.list(archive.getParent())) { // left by a runtime stopped while it dumped
					for (Path old : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".tmp"))::iterator) {
						Files.deleteIfExists(old);
					}
				}
				Path tmp = archive.resolveSibling(archive.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
				ManagementFactory.getPlatformMBeanServer().invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"),
						"vmCds", new Object[] { new String[] { "dynamic_dump", tmp.toString() } },
						new String[] { String[].class.getName() });
				if (!Files.isRegularFile(tmp)) {
					throw new IOException("the JVM wrote no " + tmp);
				}
				Files.move(tmp, archive, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
				log.accept("INFO", String.format("Wrote the class data archive %s (%d MB in %d ms): later starts map it",
						home.relativize(archive), Files.size(archive) >> 20, (System.nanoTime() - start) / 1_000_000));
			} catch (IOException | JMException | RuntimeException e) {
				log.accept("WARN", "Cannot write the class data archive " + archive + " (start-up stays slower): " + e);
			}
		}, "crontainer-cds");
		dumper.setDaemon(true);
		dumper.setPriority(Thread.MIN_PRIORITY);
		dumper.start();
	}

	/**
	 * Deletes {@code data/cds/}: its classes were those of bundles that changed.
	 *
	 * @param data The data directory. Must not be {@code null}.
	 * @throws IOException If a file cannot be deleted.
	 */
	static void forget(Path data) throws IOException {
		Path dir = data.resolve("cds");
		if (!Files.isDirectory(dir)) {
			return;
		}
		try (Stream<Path> files = Files.walk(dir)) {
			for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
				Files.delete(p);
			}
		}
	}
}
