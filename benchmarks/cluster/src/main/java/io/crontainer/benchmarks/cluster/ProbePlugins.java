package io.crontainer.benchmarks.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventConstants;
import org.osgi.service.event.EventHandler;

import io.crontainer.api.CronPlugin;
import io.crontainer.api.runtime.CronEvents;
import io.crontainer.api.runtime.Outcome;

/**
 * The plugins of the cluster benchmark, packed into a bundle at run time ({@link #write}): the bundle
 * registers {@code Probe-Count} cron plugins named {@code Probe-Name-0}, {@code -1}, ..., each on the
 * interval {@code Probe-Interval}, each run working {@code Probe-Work-Millis}. The database's history is
 * the record; with a {@code Probe-Counter-File} header they also count their runs there ({@link Counter}, as
 * the peers of {@link PeerBenchmark} do), and the runs of this runtime whose window was committed in
 * {@link #committedFile} (from the scheduler's {@link CronEvents#RUN_ENDED} events with outcome
 * {@code SUCCEEDED}, which a run gets only once its window commit is durable: a run whose commit was
 * refused ends {@code FAILED}).
 */
public final class ProbePlugins implements BundleActivator {
	private Counter counter;
	private Counter committed;

	/** The file in which the runs whose window was committed are counted, beside the runs' counter file. */
	static Path committedFile(Path counterFile) {
		return counterFile.resolveSibling(counterFile.getFileName() + ".committed");
	}

	/** Counts the runs of this runtime that ended {@code SUCCEEDED}: their window is committed. */
	private static final class Committed implements EventHandler {
		private final Counter counter;

		Committed(Counter counter) {
			this.counter = counter;
		}

		@Override
		public void handleEvent(Event event) {
			counter.increment(); // the handler's filter lets only ends with outcome SUCCEEDED through
		}
	}

	@Override
	public void start(BundleContext context) {
		Dictionary<String, String> headers = context.getBundle().getHeaders();
		String name = headers.get("Probe-Name");
		String interval = headers.get("Probe-Interval");
		long work = Long.parseLong(headers.get("Probe-Work-Millis"));
		int count = Integer.parseInt(headers.get("Probe-Count"));
		String counterFile = headers.get("Probe-Counter-File");
		Counter counter = counterFile == null ? null : Counter.writingTo(Path.of(counterFile));
		this.counter = counter;
		if (counterFile != null) {
			committed = Counter.writingTo(committedFile(Path.of(counterFile)));
			Dictionary<String, Object> handler = new Hashtable<>();
			handler.put(EventConstants.EVENT_TOPIC, CronEvents.RUN_ENDED);
			handler.put(EventConstants.EVENT_FILTER, "(" + CronEvents.OUTCOME + "=" + Outcome.SUCCEEDED.name() + ")");
			context.registerService(EventHandler.class, new Committed(committed), handler);
		}
		for (int i = 0; i < count; i++) {
			Dictionary<String, Object> properties = new Hashtable<>();
			properties.put(CronPlugin.NAME, count == 1 ? name : name + "-" + i);
			context.registerService(CronPlugin.class, new CronPlugin() {
				@Override
				public String interval() {
					return interval;
				}

				@Override
				public void run(Instant start, Instant end) throws InterruptedException {
					if (work > 0) {
						Thread.sleep(work);
					}
					if (counter != null) {
						counter.increment();
					}
				}
			}, properties);
		}
	}

	@Override
	public void stop(BundleContext context) throws InterruptedException {
		// the framework unregisters the services
		if (committed != null) {
			committed.stop();
		}
		if (counter != null) {
			counter.stop();
			System.err.println("benchmark probe stopped: its counter continues in the next start, if any");
		}
	}

	/** Writes the bundle, atomically (FileInstall never sees half of it). */
	static void write(Path jar, String name, int count, String interval, long workMillis) throws IOException {
		write(jar, name, count, interval, workMillis, null);
	}

	/** Writes the bundle whose plugins also count their runs in {@code counterFile} (absolute), if not null. */
	static void write(Path jar, String name, int count, String interval, long workMillis, Path counterFile)
			throws IOException {
		Manifest manifest = new Manifest();
		Attributes main = manifest.getMainAttributes();
		main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
		main.putValue("Bundle-ManifestVersion", "2");
		main.putValue("Bundle-SymbolicName", "io.crontainer.benchmarks.cluster.probe");
		main.putValue("Bundle-Version", "1.0.0");
		main.putValue("Bundle-Activator", ProbePlugins.class.getName());
		main.putValue("Import-Package", "io.crontainer.api;version=\"[1.0,2)\",io.crontainer.api.runtime;version=\"[1.0,2)\","
				+ "org.osgi.framework,org.osgi.service.event");
		main.putValue("Probe-Name", name);
		main.putValue("Probe-Count", Integer.toString(count));
		main.putValue("Probe-Interval", interval);
		main.putValue("Probe-Work-Millis", Long.toString(workMillis));
		if (counterFile != null) {
			main.putValue("Probe-Counter-File", counterFile.toAbsolutePath().toString());
		}
		Path temp = jar.resolveSibling(jar.getFileName() + ".part");
		try (OutputStream file = Files.newOutputStream(temp); JarOutputStream out = new JarOutputStream(file, manifest)) {
			for (String type : new String[] { ProbePlugins.class.getName(), ProbePlugins.class.getName() + "$1",
				Committed.class.getName(), Counter.class.getName() }) {
				String entry = type.replace('.', '/') + ".class";
				out.putNextEntry(new JarEntry(entry));
				try (InputStream in = ProbePlugins.class.getClassLoader().getResourceAsStream(entry)) {
					in.transferTo(out);
				}
				out.closeEntry();
			}
		}
		Files.move(temp, jar);
	}
}
