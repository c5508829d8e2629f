package io.crontainer.benchmarks.subject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.framework.startlevel.FrameworkStartLevel;

import io.crontainer.benchmarks.spi.Probe;

/**
 * A plain Felix framework booted with one subject's bundles, and the subject's {@link Probe}.
 *
 * <p>
 * Not thread-safe: used by the subject JVM's main thread only.
 */
final class SubjectFramework implements AutoCloseable {

	/** The package the system bundle exports to the probe bundles. */
	static final String SPI_PACKAGE = "io.crontainer.benchmarks.spi;version=1.0.0";

	private final Framework framework;
	private final Map<String, Bundle> bundles = new HashMap<>();

	private SubjectFramework(Framework framework) {
		this.framework = framework;
	}

	/**
	 * Boots Felix and starts the bundles, each at its start level.
	 *
	 * @param bundleList Entries {@code level|path}: a bundle jar, or a directory holding an exploded
	 *        bundle (installed by reference), in installation order.
	 * @param extra Framework properties of the subject, in which {@code ${crontainer.home}} and
	 *        {@code ${crontainer.data.dir}} are replaced.
	 * @param storage An empty directory: {@code crontainer.home} (with an {@code etc/} holding the
	 *        logging configuration, and {@code data/}), and the framework's cache.
	 * @return The running framework, every bundle active.
	 * @throws BundleException If a bundle cannot be installed or started; the message names it.
	 */
	static SubjectFramework boot(List<String> bundleList, Map<String, String> extra, Path storage)
			throws BundleException, IOException, InterruptedException {
		Path data = Files.createDirectories(storage.resolve("data"));
		Path etc = Files.createDirectories(storage.resolve("etc"));
		// Every subject logs at WARN to the console: the peers through slf4j-simple (a system property
		// set by the harness), Crontainer through Pax Logging, which reads this file.
		Files.writeString(etc.resolve("org.ops4j.pax.logging.cfg"), String.join("\n",
				"log4j2.rootLogger.level = WARN",
				"log4j2.rootLogger.appenderRef.Console.ref = Console",
				"log4j2.appender.console.type = Console",
				"log4j2.appender.console.name = Console",
				"log4j2.appender.console.layout.type = PatternLayout",
				"log4j2.appender.console.layout.pattern = %d | %-5level | %c{1} | %msg%n%throwable", ""));
		Map<String, String> props = new HashMap<>();
		for (Map.Entry<String, String> e : extra.entrySet()) {
			props.put(e.getKey(), e.getValue().replace("${crontainer.home}", storage.toString()).replace("${crontainer.data.dir}", data.toString()));
		}
		props.put("crontainer.home", storage.toString());
		props.put(Constants.FRAMEWORK_STORAGE, storage.resolve("felix-cache").toString());
		props.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
		props.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, SPI_PACKAGE);
		// Bundles must not see the harness class path (toolchain pitfall 4).
		props.put("felix.bootdelegation.implicit", "false");
		props.put("felix.log.level", "1");
		props.put("crontainer.data.dir", data.toString());

		FrameworkFactory factory = ServiceLoader.load(FrameworkFactory.class).iterator().next();
		Framework framework = factory.newFramework(props);
		framework.start();
		SubjectFramework subject = new SubjectFramework(framework);
		try {
			subject.install(bundleList);
		} catch (BundleException | RuntimeException | InterruptedException e) {
			subject.close();
			throw e;
		}
		return subject;
	}

	private void install(List<String> bundleList) throws BundleException, InterruptedException {
		BundleContext ctx = framework.getBundleContext();
		List<Bundle> installed = new ArrayList<>();
		int maxLevel = 1;
		for (String entry : bundleList) {
			int bar = entry.indexOf('|');
			int level = Integer.parseInt(entry.substring(0, bar).trim());
			Path path = Path.of(entry.substring(bar + 1).trim());
			String location = Files.isDirectory(path) ? "reference:" + path.toUri() : path.toUri().toString();
			Bundle bundle = ctx.installBundle(location);
			bundle.adapt(BundleStartLevel.class).setStartLevel(level);
			bundles.put(bundle.getSymbolicName(), bundle);
			installed.add(bundle);
			maxLevel = Math.max(maxLevel, level);
		}
		for (Bundle bundle : installed) {
			if (bundle.getHeaders().get(Constants.FRAGMENT_HOST) == null) {
				bundle.start();
			}
		}
		CountDownLatch levelReached = new CountDownLatch(1);
		framework.adapt(FrameworkStartLevel.class).setStartLevel(maxLevel, event -> {
			if (event.getType() == FrameworkEvent.STARTLEVEL_CHANGED) {
				levelReached.countDown();
			}
		});
		if (!levelReached.await(60, TimeUnit.SECONDS)) {
			throw new IllegalStateException("Start level " + maxLevel + " not reached in 60 s");
		}
		for (Bundle bundle : installed) {
			if (bundle.getHeaders().get(Constants.FRAGMENT_HOST) == null && bundle.getState() != Bundle.ACTIVE) {
				// Starting it again throws the reason (unresolved requirement, activator failure).
				try {
					bundle.start(Bundle.START_TRANSIENT);
				} catch (BundleException e) {
					throw new BundleException("Bundle " + bundle.getSymbolicName() + " is not active: " + e.getMessage(), e);
				}
			}
		}
	}

	/**
	 * Waits for the probe bundle's {@link Probe} and for the subject's scheduler to be ready.
	 *
	 * @param timeoutMs The greatest wait, in milliseconds.
	 * @return The probe. Never {@code null}.
	 * @throws IllegalStateException If the probe or the scheduler is not ready in time.
	 */
	Probe probe(long timeoutMs) throws InterruptedException {
		BundleContext ctx = framework.getBundleContext();
		long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
		while (System.nanoTime() < deadline) {
			ServiceReference<Probe> ref = ctx.getServiceReference(Probe.class);
			Probe probe = ref == null ? null : ctx.getService(ref);
			if (probe != null && probe.ready()) {
				return probe;
			}
			Thread.sleep(20);
		}
		throw new IllegalStateException("The subject's scheduler was not ready in " + timeoutMs + " ms; bundles: " + states());
	}

	/**
	 * Waits for a service of the framework, by class name: one a test reaches by reflection, since
	 * its class is the framework's, not the class path's.
	 *
	 * @param className The service's class name. Must not be {@code null}.
	 * @param timeoutMs The greatest wait, in milliseconds.
	 * @return The service object. Never {@code null}.
	 * @throws IllegalStateException If no such service is registered in time.
	 */
	Object service(String className, long timeoutMs) throws InterruptedException {
		BundleContext ctx = framework.getBundleContext();
		long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
		while (System.nanoTime() < deadline) {
			ServiceReference<?>[] refs;
			try {
				// All, whatever their class space: the harness's class path may hold another copy of the class.
				refs = ctx.getAllServiceReferences(className, null);
			} catch (org.osgi.framework.InvalidSyntaxException e) {
				throw new AssertionError(e); // no filter given
			}
			Object service = refs == null ? null : ctx.getService(refs[0]);
			if (service != null) {
				return service;
			}
			Thread.sleep(20);
		}
		throw new IllegalStateException("No " + className + " service in " + timeoutMs + " ms; bundles: " + states());
	}

	/**
	 * Stops or starts a bundle.
	 *
	 * @param symbolicName The bundle's symbolic name. Must be one of the installed bundles.
	 * @param active {@code true} to start it, {@code false} to stop it (transiently).
	 */
	void setActive(String symbolicName, boolean active) throws BundleException {
		Bundle bundle = bundles.get(symbolicName);
		if (bundle == null) {
			throw new IllegalArgumentException("No bundle " + symbolicName + " in " + bundles.keySet());
		}
		if (active) {
			bundle.start(Bundle.START_TRANSIENT);
		} else {
			bundle.stop(Bundle.STOP_TRANSIENT);
		}
	}

	/** @return The number of installed bundles, the system bundle excluded. */
	int bundleCount() {
		return bundles.size();
	}

	private String states() {
		StringBuilder sb = new StringBuilder();
		for (Bundle b : framework.getBundleContext().getBundles()) {
			sb.append(b.getSymbolicName()).append('=').append(b.getState() == Bundle.ACTIVE ? "ACTIVE" : String.valueOf(b.getState())).append(' ');
		}
		return sb.toString().trim();
	}

	@Override
	public void close() throws InterruptedException {
		try {
			framework.stop();
		} catch (BundleException e) {
			// stopping anyway
		}
		framework.waitForStop(30_000);
	}
}
