package io.crontainer.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Formatter;
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
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;

/**
 * The Crontainer launcher ({@code bin/crontainer}): starts an OSGi framework with the bundles of
 * {@code conf/bundles.list} and the framework properties of {@code conf/config.properties}, and runs
 * until the framework stops, SIGTERM or SIGINT arrives, or the JVM exits.
 *
 * <p>
 * System properties read (all optional):
 * <ul>
 * <li>{@code crontainer.home}: the distribution directory (default: the current directory);</li>
 * <li>{@code crontainer.console}: {@code true} or {@code false}, whether to run the Gogo console on
 * stdin and stdout; default: whether the JVM has a console, i.e. stdin and stdout are a terminal;</li>
 * <li>{@code crontainer.ready.file}: once the runtime is ready ({@link Readiness}), this file is written with one line per
 * bundle ({@code id state symbolic-name version}), and rewritten (atomically) whenever a bundle is
 * installed, started, stopped or uninstalled; it is deleted when the runtime stops, and whenever it is no
 * longer ready (a bundle of {@code bundle/} stopped, a component failed, a required service went away:
 * one WARN line says why), and written again once it is ready again. For service managers, health checks
 * and tests;</li>
 * <li>{@code crontainer.stop.timeout}: seconds to wait for the framework to stop (default 30); past
 * it, the JVM exits with status 2.</li>
 * </ul>
 * It sets the framework properties {@code crontainer.home} and {@code crontainer.data.dir} (the
 * absolute paths of the distribution and of its {@code data/} directory), and
 * {@code crontainer.log.console.level}, the least level logged to the console (default {@code INFO};
 * a system property of that name wins, e.g. {@code WARN} to keep INFO lines off the Gogo prompt, the
 * launcher's own included).
 *
 * <p>
 * One runtime per {@code data/}: the launcher takes {@code data/crontainer.lock} ({@link InstanceLock})
 * before anything else, and refuses at once (status 1) when another live process holds it. Without a
 * terminal it sets the framework property {@code gosh.args} to {@code --nointeractive} (unless set), so
 * the Gogo shell bundle never reads stdin and only serves {@code bin/client}.
 *
 * <p>
 * Before the framework starts, {@link DataDirectory} makes {@code data/} and {@code etc/} owner-only and
 * drops configurations made from files outside this installation; {@link BundleCache} decides whether
 * the bundle cache is kept or rebuilt, and after the framework's {@code init} uninstalls what it holds
 * that {@code bundle/} and {@code deploy/} no longer hold.
 *
 * <p>
 * Exit status: 0 after a clean stop, 1 if start-up failed or another runtime holds {@code data/}, 2 if
 * stopping timed out, 3 ({@link #NOT_READY}) if the started runtime did not get ready (it logs why in
 * one line, and stops).
 */
public final class Main {

	static final String HOME = "crontainer.home";
	static final String DATA_DIR = "crontainer.data.dir";
	static final String CONSOLE_LOG_LEVEL = "crontainer.log.console.level";
	static final String GOSH_ARGS = "gosh.args";
	static final String CONFIG_DIR = "felix.cm.dir";
	static final String READY_TIMEOUT = "crontainer.ready.timeout";
	/** Exit status of a start that did not get ready (see {@link Readiness}). */
	static final int NOT_READY = 3;

	private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX");

	private final Path home;
	private final boolean console;
	private final Path readyFile;
	private final Duration stopTimeout;
	private final PrintStream out;
	private final CountDownLatch started = new CountDownLatch(1);
	private volatile Framework framework;
	/** Whether start-up got ready; set by the main thread. */
	private volatile boolean ready;
	/** Whether the runtime is ready now, after the start; guarded by this. */
	private boolean readyNow = true;
	/** Whether the framework has stopped: no more ready file; guarded by this. */
	private boolean stopping;
	/** The thread that checks readiness after bundle and service events; set by the main thread. */
	private volatile java.util.concurrent.ExecutorService readinessChecker;
	/** Held (strongly referenced) for the life of the JVM. */
	private InstanceLock instanceLock;

	Main(Path home, boolean console, Path readyFile, Duration stopTimeout, PrintStream out) {
		this.home = home;
		this.console = console;
		this.readyFile = readyFile;
		this.stopTimeout = stopTimeout;
		this.out = out;
	}

	/**
	 * Runs the launcher and exits the JVM with its status.
	 *
	 * @param args Ignored.
	 */
	public static void main(String[] args) {
		Path home = Path.of(System.getProperty(HOME, ".")).toAbsolutePath().normalize();
		String consoleProperty = System.getProperty("crontainer.console");
		boolean console = consoleProperty != null ? Boolean.parseBoolean(consoleProperty) : System.console() != null;
		String ready = System.getProperty("crontainer.ready.file");
		Duration stopTimeout = Duration.ofSeconds(Long.getLong("crontainer.stop.timeout", 30));
		Main launcher = new Main(home, console, ready == null ? null : Path.of(ready).toAbsolutePath(), stopTimeout,
				System.out);
		int status;
		try {
			status = launcher.run();
		} catch (Exception | LinkageError e) {
			launcher.log("ERROR", "Crontainer failed to start: " + e);
			e.printStackTrace(System.out);
			launcher.stopFramework();
			status = 1;
		}
		System.exit(status);
	}

	int run() throws IOException, BundleException, InterruptedException {
		long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
		Path data = home.resolve("data");
		String consoleLevel = System.getProperty(CONSOLE_LOG_LEVEL, "INFO");
		Map<String, String> properties = FrameworkProperties.load(home.resolve("conf/config.properties"),
				Map.of(HOME, home.toString(), DATA_DIR, data.toString(), CONSOLE_LOG_LEVEL, consoleLevel),
				System.getProperties());
		Files.createDirectories(data);
		try {
			instanceLock = InstanceLock.acquire(data);
		} catch (InstanceLock.HeldException e) {
			log("ERROR", e.getMessage());
			return 1;
		}
		Path config = properties.containsKey(CONFIG_DIR) ? home.resolve(properties.get(CONFIG_DIR)) : null;
		DataDirectory.restrict(List.of(data, home.resolve("etc")), config, this::log);
		DataDirectory.dropForeignConfigurations(home, config, this::log);
		properties = new HashMap<>(properties);
		if (!console) {
			// gogo.jline serves bin/client only: it must not read stdin (whose end would stop the runtime)
			properties.putIfAbsent(GOSH_ARGS, "--nointeractive");
			setIfAbsent("org.jline.terminal.provider", "dumb"); // no terminal probing, no native library
		} else if (System.console() == null) {
			setIfAbsent("org.jline.terminal.dumb", "true"); // console forced on a pipe: no "dumb terminal" warning
		}
		// Also as system properties, for what reads only those (pax-logging's first read of its file).
		System.setProperty(HOME, home.toString());
		System.setProperty(DATA_DIR, data.toString());
		System.setProperty(CONSOLE_LOG_LEVEL, consoleLevel);

		List<BundleEntry> entries = BundleEntry.read(home.resolve("conf/bundles.list"));
		BundleCache cache = BundleCache.plan(home, data, entries, this::log);
		if (cache.rebuild()) {
			log("INFO", "Building the bundle cache (data/cache): " + cache.reason());
			cache.forget(); // a start interrupted from here on builds it again
			ClassDataArchive.forget(data); // classes of what changed; the next start that records writes a new one
			properties.putIfAbsent(BundleCache.CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
		}

		// No context class loader for the framework's threads: libraries that look one up fall back to their
		// bundle's (JLine finds its terminal providers so, and else runs the console on a dumb terminal).
		Thread.currentThread().setContextClassLoader(null);
		FrameworkFactory factory = ServiceLoader.load(FrameworkFactory.class, Main.class.getClassLoader()).findFirst()
				.orElseThrow(() -> new IllegalStateException("No OSGi framework in lib/"));
		Framework fw = factory.newFramework(properties);
		framework = fw;
		installSignalHandlers();
		fw.init();
		BundleContext context = fw.getBundleContext();
		context.addFrameworkListener(this::frameworkEvent);
		cache.reconcile(context, this::log);
		cache.track(context);

		List<Bundle> own = new ArrayList<>();
		List<Bundle> consoleBundles = new ArrayList<>();
		for (BundleEntry entry : entries) {
			Bundle bundle = context.installBundle(home.resolve(entry.path()).toUri().toString());
			own.add(bundle);
			if (entry.console()) {
				consoleBundles.add(bundle); // started last, so the prompt comes after start-up (headless too)
				if ((bundle.getState() & (Bundle.INSTALLED | Bundle.RESOLVED)) != 0) {
					bundle.stop(); // not started with the others, even if a kept cache says it was started
				}
			} else if (bundle.getHeaders("").get(Constants.FRAGMENT_HOST) == null) {
				bundle.start(); // marks it to be started, in install order, when the framework starts
			}
		}
		fw.start();
		while (!started.await(1, TimeUnit.SECONDS)) {
			if ((fw.getState() & (Bundle.STARTING | Bundle.ACTIVE)) == 0) {
				break; // stopped before it finished starting
			}
		}

		if (fw.getState() != Bundle.ACTIVE) {
			return awaitStop(fw, cache);
		}
		List<Bundle> core = new ArrayList<>(own);
		core.removeAll(consoleBundles);
		List<String> services = List.of(properties.getOrDefault(Readiness.SERVICES, "").split("\\s*,\\s*")).stream()
				.filter(s -> !s.isBlank()).toList();
		Readiness.Verdict verdict = Readiness.await(context, core, services,
				Duration.ofSeconds(Long.parseLong(properties.getOrDefault(READY_TIMEOUT, "30").strip())));
		long elapsed = System.currentTimeMillis() - jvmStart;
		if (fw.getState() != Bundle.ACTIVE) {
			return awaitStop(fw, cache); // stopped (SIGTERM) while starting
		}
		if (!verdict.ready()) {
			log("ERROR", String.format("Crontainer is not ready after %d ms: %s. Stopping (exit status %d); the log"
					+ " (data/log/crontainer.log) has the details", elapsed, verdict.problem(), NOT_READY));
			stopFramework();
			awaitStop(fw, cache);
			return NOT_READY;
		}
		ready = true;
		// The bundles the readiness verdict covers: those of conf/bundles.list but the console's, as its
		// "no longer ready: N of M bundles" counts them (not the system bundle, nor deploy/'s).
		log("INFO", String.format("Crontainer started in %d ms: %d bundles active, %s, home %s, process %d", elapsed,
				core.size(), console ? "console" : "headless", home, ProcessHandle.current().pid()));
		for (Bundle b : consoleBundles) {
			b.start(Bundle.START_TRANSIENT);
		}
		writeReadyFile();
		ClassDataArchive.dumpLater(home, this::log);
		try {
			cache.write();
		} catch (IOException e) {
			log("WARN", "Cannot write " + data.resolve(BundleCache.INDEX) + " (the next start rebuilds the bundle cache): " + e);
		}
		watchReadiness(context, core, services);

		return awaitStop(fw, cache);
	}

	/**
	 * After the start: whenever a bundle or a required service comes or goes, decides again whether the
	 * runtime is ready ({@link Readiness#now}). Ready: the ready file is (re)written. No longer ready (the
	 * scheduler stopped, say): the file is deleted and one WARN line says why; ready again: one INFO line,
	 * and the file is back. The listeners only hand the event to one daemon thread, so no framework thread
	 * waits for SCR or the file system; it writes or deletes the file under this object's lock (which the
	 * main thread takes to stop), and logs outside it.
	 */
	private void watchReadiness(BundleContext context, List<Bundle> core, List<String> services) {
		java.util.concurrent.ExecutorService checker = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
			Thread t = new Thread(r, "crontainer-readiness");
			t.setDaemon(true);
			return t;
		});
		readinessChecker = checker;
		context.addBundleListener(event -> submit(checker, () -> recheck(context, core, services, null)));
		context.addServiceListener(event -> {
			ServiceReference<?> leaving = event.getType() == ServiceEvent.UNREGISTERING ? event.getServiceReference() : null;
			String[] names = (String[]) event.getServiceReference().getProperty(Constants.OBJECTCLASS);
			if (names != null && java.util.Arrays.stream(names).anyMatch(services::contains)) {
				submit(checker, () -> recheck(context, core, services, leaving));
			}
		});
	}

	private static void submit(java.util.concurrent.ExecutorService checker, Runnable check) {
		try {
			checker.execute(check);
		} catch (java.util.concurrent.RejectedExecutionException e) {
			// stopping: awaitStop deletes the file
		}
	}

	private void recheck(BundleContext context, List<Bundle> core, List<String> services, ServiceReference<?> leaving) {
		Readiness.Verdict verdict;
		try {
			verdict = Readiness.now(context, core, services, leaving);
		} catch (IllegalStateException e) {
			return; // the context became invalid: stopping
		}
		String change = null;
		String level = "INFO";
		synchronized (this) {
			Framework fw = framework;
			if (fw == null || fw.getState() != Bundle.ACTIVE || stopping) {
				return; // stopping: not a change of readiness
			}
			try {
				if (verdict.ready()) {
					if (!readyNow) {
						readyNow = true;
						change = "Crontainer is ready again" + (readyFile == null ? "" : "; wrote " + readyFile);
					}
					writeReadyFile();
				} else {
					if (readyNow) {
						readyNow = false;
						level = "WARN";
						change = "Crontainer is no longer ready: " + verdict.problem()
								+ (readyFile == null ? "" : "; deleted " + readyFile);
					}
					deleteReadyFile();
				}
			} catch (IOException e) {
				level = "WARN";
				change = "Cannot " + (verdict.ready() ? "write " : "delete ") + readyFile + ": " + e;
			}
		}
		if (change != null) {
			log(level, change); // outside the lock
		}
	}

	private int awaitStop(Framework fw, BundleCache cache) throws InterruptedException, IOException {
		FrameworkEvent stopped = fw.waitForStop(0);
		synchronized (this) {
			stopping = true;
		}
		if (readinessChecker != null) {
			readinessChecker.shutdownNow();
		}
		deleteReadyFile();
		if (ready) {
			try {
				cache.write(); // deploy/ jars installed since the start
			} catch (IOException e) {
				log("WARN", "Cannot write the bundle cache's index (the next start rebuilds the cache): " + e);
			}
		}
		if (stopped.getType() == FrameworkEvent.ERROR) {
			log("ERROR", "Crontainer stopped on an error: " + stopped.getThrowable());
		} else {
			log("INFO", "Crontainer stopped");
		}
		return 0;
	}

	private void frameworkEvent(FrameworkEvent event) {
		switch (event.getType()) {
		case FrameworkEvent.STARTED:
			started.countDown();
			break;
		case FrameworkEvent.ERROR:
			log("ERROR", event.getBundle().getSymbolicName() + ": " + event.getThrowable());
			break;
		case FrameworkEvent.WARNING:
			log("WARN", event.getBundle().getSymbolicName() + ": " + event.getThrowable());
			break;
		default:
			break;
		}
	}

	/**
	 * SIGTERM and SIGINT stop the framework; the main thread then returns and the JVM exits with 0.
	 * Other ways the JVM ends (System.exit, SIGHUP) stop it from a shutdown hook.
	 */
	@SuppressWarnings("restriction")
	private void installSignalHandlers() {
		for (String name : List.of("TERM", "INT")) {
			try {
				sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> {
					log("INFO", "Crontainer stopping on SIG" + signal.getName());
					Thread stopper = new Thread(this::stopFramework, "crontainer-stop");
					stopper.start();
				});
			} catch (IllegalArgumentException | UnsupportedOperationException | LinkageError e) {
				// no such signal here: the shutdown hook covers it
			}
		}
		Runtime.getRuntime().addShutdownHook(new Thread(this::stopFramework, "crontainer-shutdown"));
	}

	private void stopFramework() {
		Framework fw = framework;
		if (fw == null || (fw.getState() & (Bundle.STARTING | Bundle.ACTIVE)) == 0) {
			return;
		}
		try {
			fw.stop();
			if (fw.waitForStop(stopTimeout.toMillis()).getType() == FrameworkEvent.WAIT_TIMEDOUT) {
				log("ERROR", "Crontainer did not stop within " + stopTimeout.toSeconds() + " s; exiting anyway");
				Runtime.getRuntime().halt(2);
			}
		} catch (BundleException e) {
			log("ERROR", "Crontainer failed to stop: " + e);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
	}

	private synchronized void writeReadyFile() throws IOException {
		Framework fw = framework;
		if (readyFile == null || fw.getState() != Bundle.ACTIVE) {
			return;
		}
		Bundle[] bundles = fw.getBundleContext().getBundles();
		StringBuilder text = new StringBuilder();
		try (Formatter f = new Formatter(text)) {
			for (Bundle b : bundles) {
				f.format("%d %s %s %s%n", b.getBundleId(), stateName(b.getState()), b.getSymbolicName(), b.getVersion());
			}
		}
		Path tmp = readyFile.resolveSibling(readyFile.getFileName() + ".tmp");
		Files.writeString(tmp, text, StandardCharsets.UTF_8);
		Files.move(tmp, readyFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
	}

	private synchronized void deleteReadyFile() throws IOException {
		if (readyFile != null) {
			Files.deleteIfExists(readyFile);
		}
	}

	private static void setIfAbsent(String name, String value) {
		if (System.getProperty(name) == null) {
			System.setProperty(name, value);
		}
	}

	private static int rank(String level) {
		return switch (level.toUpperCase(java.util.Locale.ROOT)) {
		case "OFF" -> 0;
		case "FATAL", "ERROR" -> 1;
		case "WARN" -> 2;
		case "INFO" -> 3;
		case "DEBUG" -> 4;
		default -> 5;
		};
	}

	static String stateName(int state) {
		switch (state) {
		case Bundle.UNINSTALLED:
			return "UNINSTALLED";
		case Bundle.INSTALLED:
			return "INSTALLED";
		case Bundle.RESOLVED:
			return "RESOLVED";
		case Bundle.STARTING:
			return "STARTING";
		case Bundle.STOPPING:
			return "STOPPING";
		case Bundle.ACTIVE:
			return "ACTIVE";
		default:
			return Integer.toString(state);
		}
	}

	/**
	 * Logs through the framework's OSGi LogService while there is one (so the line also reaches the log
	 * file and Gogo's {@code log}), else prints a console line in the shape of the log pattern: time |
	 * level | bundle | logger | message, if the level is at least {@code crontainer.log.console.level}.
	 */
	void log(String level, String message) {
		Framework fw = framework;
		if (fw != null && fw.getState() == Bundle.ACTIVE) {
			try {
				BundleContext context = fw.getBundleContext();
				ServiceReference<?> ref = context.getServiceReference("org.osgi.service.log.LogService");
				Object service = ref == null ? null : context.getService(ref);
				if (service != null) {
					try {
						int osgiLevel = switch (level) {
						case "ERROR" -> 1;
						case "WARN" -> 2;
						case "DEBUG" -> 4;
						default -> 3;
						};
						ref.getBundle().loadClass("org.osgi.service.log.LogService").getMethod("log", int.class, String.class)
								.invoke(service, osgiLevel, message);
						return; // the log's console appender shows it, if it is at the console's level
					} finally {
						context.ungetService(ref);
					}
				}
			} catch (ReflectiveOperationException | RuntimeException e) {
				// fall through to the console
			}
		}
		if (rank(level) > rank(System.getProperty(CONSOLE_LOG_LEVEL, "INFO"))) {
			return; // below the console's level, as the log's console appender would filter it
		}
		out.printf("%s | %-5s | %-36s | %s | %s%n", OffsetDateTime.now().format(TIME), level, "io.crontainer.launcher",
				"Main", printable(message));
		out.flush();
	}

	/**
	 * A message as the log's console and file show one ({@code etc/org.ops4j.pax.logging.cfg}): ESC as
	 * {@code ^[}, line breaks as {@code \r} and {@code \n}, any other control character as {@code ?}; so
	 * that a file name in {@code bundle/} or {@code deploy/} cannot drive the terminal or forge a line.
	 */
	static String printable(String message) {
		StringBuilder sb = new StringBuilder(message.length());
		for (int i = 0; i < message.length(); i++) {
			char c = message.charAt(i);
			if (c == 0x1b) {
				sb.append("^[");
			} else if (c == '\r') {
				sb.append("\\r");
			} else if (c == '\n') {
				sb.append("\\n");
			} else if (Character.isISOControl(c)) {
				sb.append('?');
			} else {
				sb.append(c);
			}
		}
		return sb.toString();
	}
}
