package io.crontainer.launcher.hung;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Hashtable;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.crontainer.api.CronPlugin;

/**
 * The cron plugin {@code logcost} of {@code RunLogBenchmark}: each run logs {@value #LINES} INFO lines
 * through SLF4J on its run's thread (kept in the run's log) and as many on a thread it starts (not
 * kept: what every line of the runtime that is not a plugin's pays), timing each batch, and appends
 * {@code RUN_THREAD_NANOS OTHER_THREAD_NANOS LINES} to {@code data/logcost.txt}.
 */
public class LogCostPlugin implements BundleActivator {
	static final int LINES = 20_000;

	@Override
	public void start(BundleContext context) {
		Path results = Path.of(context.getProperty("crontainer.data.dir"), "logcost.txt");
		Logger log = LoggerFactory.getLogger("io.crontainer.bench.LogCost");
		Hashtable<String, Object> properties = new Hashtable<>();
		properties.put(CronPlugin.NAME, "logcost");
		context.registerService(CronPlugin.class, new CronPlugin() {
			@Override
			public String interval() {
				return "0 0 1 1 *"; // never due during a run
			}

			@Override
			public void run(Instant start, Instant end) throws Exception {
				long onRunThread = batch(log);
				long[] other = new long[1];
				Thread thread = new Thread(() -> other[0] = batch(log), "logcost-other");
				thread.start();
				thread.join();
				try {
					Files.writeString(results, onRunThread + " " + other[0] + " " + LINES + "\n", StandardCharsets.UTF_8,
							StandardOpenOption.CREATE, StandardOpenOption.APPEND);
				} catch (IOException e) {
					throw new IllegalStateException(e);
				}
			}
		}, properties);
	}

	static long batch(Logger log) {
		long t0 = System.nanoTime();
		for (int i = 0; i < LINES; i++) {
			log.info("line {} of a run that logs a lot, with a parameter or two: {}", i, "value");
		}
		return System.nanoTime() - t0;
	}

	@Override
	public void stop(BundleContext context) {
		// the service goes with the bundle
	}
}
