package io.crontainer.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleException;

/**
 * Keeps the framework's bundle cache ({@code data/cache}) from one start to the next, while what
 * {@code bundle/} and {@code deploy/} hold stays exactly what runs.
 *
 * <p>
 * The launcher records in {@code data/cache.index} what the cache was built from: this installation's
 * directory, a checksum (CRC-32C and size) of every jar of {@code lib/}, of {@code conf/bundles.list} and
 * of every jar it names, and of every {@code deploy/} jar installed from. At the next start
 * {@link #plan} compares: if the directory, {@code lib/}, the list or any {@code bundle/} jar differs
 * (a moved, copied or upgraded installation, a changed bundle), or there is no index, the cache is
 * rebuilt from scratch (framework property {@code org.osgi.framework.storage.clean=onFirstInit}, as
 * every start did before); otherwise it is kept. After the framework's {@code init}, {@link #reconcile}
 * uninstalls every cached bundle that is not a {@code bundle/} jar of the list nor an unchanged
 * {@code deploy/} jar: a {@code deploy/} jar changed or removed while the runtime was stopped, and any
 * bundle whose location lies outside this installation (one log line each); FileInstall installs the
 * changed jars again. Checksums, not file times: a jar copied with its old time stamp is still seen.
 *
 * <p>
 * Threads: {@link #plan}, {@link #reconcile} and {@link #write} run on the launcher's main thread
 * before the framework starts and once it is ready; the bundle listener of {@link #track} runs on the
 * framework's event threads. Both sides meet only in the synchronized methods.
 */
final class BundleCache {

	/** The index's name under {@code data/}. */
	static final String INDEX = "cache.index";
	/** Framework property that the launcher sets to {@code onFirstInit} or {@code none}. */
	static final String CLEAN = "org.osgi.framework.storage.clean";

	private final Path home;
	private final Path index;
	private final Map<String, String> built;
	private final String reason;
	/** deploy/ locations and their checksums as installed; guarded by this. */
	private final Map<String, String> deployed;

	private BundleCache(Path home, Path index, Map<String, String> built, Map<String, String> deployed, String reason) {
		this.home = home;
		this.index = index;
		this.built = built;
		this.deployed = deployed;
		this.reason = reason;
	}

	/**
	 * Compares the installation with the index.
	 *
	 * @param home This installation's directory (absolute, normalized). Must not be {@code null}.
	 * @param data Its {@code data/} directory. Must not be {@code null}.
	 * @param bundles The entries of {@code conf/bundles.list}. Must not be {@code null}.
	 * @param log Receives a level and a line for each deployment recorded outside this installation, and
	 *        for each jar in {@code bundle/} that the list does not name.
	 * @return The plan: {@link #rebuild()} says whether to clean the cache, {@link #reason()} why.
	 * @throws IOException If a jar or the list cannot be read.
	 */
	static BundleCache plan(Path home, Path data, List<BundleEntry> bundles, BiConsumer<String, String> log)
			throws IOException {
		Map<String, String> built = new LinkedHashMap<>();
		built.put("home", home.toUri().toString());
		try (Stream<Path> libs = Files.list(home.resolve("lib"))) {
			for (Path lib : (Iterable<Path>) libs.sorted()::iterator) {
				built.put("lib " + lib.getFileName(), checksum(lib));
			}
		}
		built.put("list", checksum(home.resolve("conf/bundles.list")));
		java.util.Set<Path> listed = new java.util.HashSet<>();
		for (BundleEntry entry : bundles) {
			Path jar = home.resolve(entry.path());
			if (!Files.exists(jar)) {
				throw new NoSuchFileException(jar.toString(), null,
						"named in conf/bundles.list, but not there: put it back, or take it out of the list");
			}
			built.put(jar.toUri().toString(), checksum(jar));
			listed.add(jar.normalize());
		}
		Path bundleDir = home.resolve("bundle");
		if (Files.isDirectory(bundleDir)) {
			try (Stream<Path> jars = Files.list(bundleDir)) {
				for (Path jar : (Iterable<Path>) jars.filter(j -> j.getFileName().toString().endsWith(".jar")).sorted()::iterator) {
					if (!listed.contains(jar.normalize())) {
						log.accept("WARN", "bundle/" + jar.getFileName() + " is not in conf/bundles.list, so it is not installed:"
								+ " bundle/ holds the runtime's own bundles, as the list names them; put plugins in deploy/");
					}
				}
			}
		}
		Path index = data.resolve(INDEX);
		Map<String, String> recorded;
		String unreadable = null;
		try {
			recorded = read(index);
		} catch (IOException e) { // not UTF-8, say: a record that cannot be read is no record
			recorded = Map.of();
			unreadable = e.toString();
		}
		Map<String, String> deployed = new TreeMap<>();
		recorded.forEach((key, value) -> {
			if (key.startsWith("deploy ")) {
				deployed.put(key.substring(7), value);
			}
		});
		String reason = null;
		String recordedHome = recorded.get("home");
		if (unreadable != null) {
			reason = "its record data/" + INDEX + " cannot be read (" + unreadable + ")";
		} else if (recorded.isEmpty()) {
			reason = "no record of what built it (first start)";
		} else if (recordedHome == null) {
			reason = "its record data/" + INDEX + " is damaged: it names no installation";
		} else if (!home.toUri().toString().equals(recordedHome)) {
			Path other = path(recordedHome);
			reason = "it was built for the installation in " + (other == null ? recordedHome : other);
			for (String location : deployed.keySet()) {
				log.accept("INFO", "Dropped the deployment of " + location
						+ " recorded in data/cache: it is outside this installation");
			}
			deployed.clear();
		} else {
			for (Map.Entry<String, String> e : built.entrySet()) {
				if (!e.getValue().equals(recorded.get(e.getKey()))) {
					reason = e.getKey().startsWith("lib ") || e.getKey().equals("list")
							? "the runtime changed (" + e.getKey().replace("lib ", "lib/") + ")"
							: "a bundle changed (" + home.toUri().relativize(URI.create(e.getKey())) + ")";
					break;
				}
			}
			if (reason == null && recorded.keySet().stream().anyMatch(k -> k.startsWith("file:") && !built.containsKey(k))) {
				reason = "a bundle was removed from conf/bundles.list";
			}
		}
		if (reason != null) {
			deployed.clear();
		}
		return new BundleCache(home, index, built, deployed, reason);
	}

	/** @return Whether the cache must be rebuilt from scratch. */
	boolean rebuild() {
		return reason != null;
	}

	/** @return Why the cache is rebuilt, or {@code null} if it is kept. */
	String reason() {
		return reason;
	}

	/**
	 * Uninstalls what the kept cache holds that {@code bundle/} and {@code deploy/} no longer hold as
	 * they were. Call after the framework's {@code init}, before it starts. Does nothing after a rebuild.
	 *
	 * @param context The system bundle's context. Must not be {@code null}.
	 * @param log Receives a level and one line per bundle uninstalled for a reason the operator should see.
	 * @throws BundleException If a bundle cannot be uninstalled.
	 */
	synchronized void reconcile(BundleContext context, BiConsumer<String, String> log) throws BundleException {
		Path deploy = home.resolve("deploy");
		for (Bundle bundle : context.getBundles()) {
			String location = bundle.getLocation();
			if (bundle.getBundleId() == 0 || built.containsKey(location)) {
				continue;
			}
			Path file = path(location);
			String why;
			if (file == null || !file.startsWith(home)) {
				why = "its location " + location + " is outside this installation";
			} else if (!file.startsWith(deploy)) {
				why = "it is neither in bundle/ (conf/bundles.list) nor in deploy/";
			} else if (!Files.isRegularFile(file)) {
				why = "deploy/" + deploy.relativize(file) + " was removed while the runtime was stopped";
			} else {
				String sum;
				try {
					sum = checksum(file);
				} catch (IOException e) {
					sum = e.toString();
				}
				if (sum.equals(deployed.get(location))) {
					continue;
				}
				why = null; // changed while stopped, or installed after the index was written: FileInstall installs it again
			}
			deployed.remove(location);
			bundle.uninstall();
			if (why != null) {
				log.accept("INFO", "Uninstalled " + bundle.getSymbolicName() + " " + bundle.getVersion() + ": " + why);
			}
		}
	}

	/**
	 * Records from now on the checksum of every {@code deploy/} jar as it is installed or updated.
	 *
	 * @param context The system bundle's context. Must not be {@code null}.
	 */
	void track(BundleContext context) {
		Path deploy = home.resolve("deploy");
		context.addBundleListener(event -> {
			String location = event.getBundle().getLocation();
			Path file = path(location);
			if (file == null || !file.startsWith(deploy)) {
				return;
			}
			switch (event.getType()) {
			case BundleEvent.INSTALLED, BundleEvent.UPDATED -> {
				String sum;
				try {
					sum = checksum(file);
				} catch (IOException e) {
					sum = null; // gone meanwhile: not recorded, so installed again next time
				}
				deployed(location, sum);
			}
			case BundleEvent.UNINSTALLED -> deployed(location, null);
			default -> {
				// no change of content
			}
			}
		});
	}

	private synchronized void deployed(String location, String sum) {
		if (sum == null) {
			deployed.remove(location);
		} else {
			deployed.put(location, sum);
		}
	}

	/**
	 * Writes the index (atomically): what the cache now holds. Called once the runtime is ready, and
	 * when it stops.
	 *
	 * @throws IOException If it cannot be written.
	 */
	synchronized void write() throws IOException {
		StringBuilder text = new StringBuilder("# Written by the launcher: what data/cache was built from (CRC-32C:size)."
				+ " Delete it to rebuild the cache at the next start.\n");
		built.forEach((key, value) -> text.append(key).append(' ').append(value).append('\n'));
		deployed.forEach((key, value) -> text.append("deploy ").append(key).append(' ').append(value).append('\n'));
		Path tmp = index.resolveSibling(INDEX + ".tmp");
		Files.writeString(tmp, text, StandardCharsets.UTF_8);
		Files.move(tmp, index, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
	}

	/**
	 * Deletes the index, so that a start interrupted while the cache is rebuilt rebuilds it again.
	 *
	 * @throws IOException If it cannot be deleted.
	 */
	void forget() throws IOException {
		Files.deleteIfExists(index);
	}

	/** @return The file of a {@code file:} (or {@code reference:file:}) location, or null. */
	static Path path(String location) {
		String s = location.startsWith("reference:") ? location.substring(10) : location;
		if (!s.startsWith("file:")) {
			return null;
		}
		try {
			return Path.of(URI.create(s)).normalize();
		} catch (IllegalArgumentException e) {
			return null;
		}
	}

	/** @return {@code CRC32C:size} of a file's content, in hexadecimal and decimal. */
	static String checksum(Path file) throws IOException {
		CRC32C crc = new CRC32C();
		long size = 0;
		byte[] buffer = new byte[65536];
		try (InputStream in = Files.newInputStream(file)) {
			for (int n; (n = in.read(buffer)) > 0;) {
				crc.update(buffer, 0, n);
				size += n;
			}
		}
		return String.format("%08x:%d", crc.getValue(), size);
	}

	private static Map<String, String> read(Path index) throws IOException {
		Map<String, String> entries = new LinkedHashMap<>();
		if (!Files.isRegularFile(index)) {
			return entries;
		}
		for (String line : Files.readAllLines(index, StandardCharsets.UTF_8)) {
			int gap = line.lastIndexOf(' ');
			if (!line.startsWith("#") && gap > 0) {
				entries.put(line.substring(0, gap), line.substring(gap + 1));
			}
		}
		return entries;
	}
}
