package io.crontainer.launcher.hung;

import java.time.Instant;
import java.util.Hashtable;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.slf4j.LoggerFactory;

import io.crontainer.api.CronPlugin;

/**
 * Cron plugins that misbehave, packed by {@code DistributionIT} into a bundle
 * ({@code io.crontainer.dist.misbehaving}) and dropped into {@code deploy/}:
 * <ul>
 * <li>{@code thrower}: logs a line that tries to forge another and to retitle the terminal, then throws
 * an exception whose message tries the same ({@code ESC ] 0 ; ... BEL});</li>
 * <li>{@code hanger}: {@code cron.timeout = 3} s, and ignores its interrupt until its bundle stops.</li>
 * </ul>
 */
public class MisbehavingPlugins implements BundleActivator {

	/** The terminal title sequence a hostile plugin sends: OSC 0 ; TEXT BEL. */
	public static final String RETITLE = "\u001b]0;pwned\u0007";

	static volatile boolean stopped;

	@Override
	public void start(BundleContext context) {
		stopped = false;
		Hashtable<String, Object> thrower = new Hashtable<>();
		thrower.put(CronPlugin.NAME, "thrower");
		thrower.put("note", "a property" + RETITLE);
		context.registerService(CronPlugin.class, new Plugin() {
			@Override
			public void run(Instant start, Instant end) {
				LoggerFactory.getLogger("evil").warn("user ops\r\n2026-01-01T00:00:00.000Z | INFO  | forged" + RETITLE);
				throw new IllegalStateException("boom" + RETITLE + "\n2026-01-01T00:00:00.000Z | INFO  | forged too");
			}
		}, thrower);
		Hashtable<String, Object> hanger = new Hashtable<>();
		hanger.put(CronPlugin.NAME, "hanger");
		hanger.put("cron.timeout", 3L);
		context.registerService(CronPlugin.class, new Plugin() {
			@Override
			public void run(Instant start, Instant end) {
				while (!stopped) { // deaf to interrupts
					try {
						Thread.sleep(100);
					} catch (InterruptedException e) {
						// ignored, on purpose
					}
				}
			}
		}, hanger);
	}

	@Override
	public void stop(BundleContext context) {
		stopped = true;
	}

	private abstract static class Plugin implements CronPlugin {
		@Override
		public String interval() {
			return "0 0 1 1 *"; // never due during a test
		}
	}
}
