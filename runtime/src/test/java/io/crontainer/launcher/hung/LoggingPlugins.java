package io.crontainer.launcher.hung;

import java.time.Instant;
import java.util.Hashtable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.slf4j.LoggerFactory;

import io.crontainer.api.CronPlugin;

/**
 * Two cron plugins that log while they run at the same time, packed by {@code DistributionIT} into a
 * bundle ({@code io.crontainer.dist.logging}) and dropped into {@code deploy/}: {@code chatty} logs
 * through SLF4J, {@code java.util.logging}, the OSGi Log Service, the Log4j2 API and Commons Logging, a
 * line with an exception, and a line from a thread of its own; {@code neighbour} logs its own lines in between (the two meet at a barrier before each
 * line, so their lines interleave in time).
 */
public class LoggingPlugins implements BundleActivator {
	/** Where the two runs meet; reset by each test run of the bundle. */
	static final CyclicBarrier MEET = new CyclicBarrier(2);

	@Override
	public void start(BundleContext context) {
		org.osgi.service.log.LoggerFactory osgiLog = context.getService(
				context.getServiceReference(org.osgi.service.log.LoggerFactory.class));
		Hashtable<String, Object> chatty = new Hashtable<>();
		chatty.put(CronPlugin.NAME, "chatty");
		context.registerService(CronPlugin.class, new Plugin() {
			@Override
			public void run(Instant start, Instant end) throws Exception {
				meet();
				LoggerFactory.getLogger("io.crontainer.dist.Chatty").info("chatty via SLF4J, window ends {}", end);
				meet();
				java.util.logging.Logger.getLogger("io.crontainer.dist.ChattyJul").info("chatty via JUL");
				osgiLog.getLogger("io.crontainer.dist.ChattyOsgi").info("chatty via the OSGi Log Service");
				org.apache.logging.log4j.LogManager.getLogger("io.crontainer.dist.ChattyLog4j").info("chatty via Log4j2");
				org.apache.commons.logging.LogFactory.getLog("io.crontainer.dist.ChattyJcl").info("chatty via Commons Logging");
				meet();
				LoggerFactory.getLogger("io.crontainer.dist.Chatty").warn("chatty warns",
						new IllegalStateException("chatty's exception"));
				Thread own = new Thread(() -> LoggerFactory.getLogger("io.crontainer.dist.Chatty")
						.info("chatty from a thread of its own"), "chatty-own");
				own.start();
				own.join();
				meet();
				java.util.logging.Logger.getLogger("io.crontainer.dist.ChattyJul").warning("chatty's last line\u001b[2J");
			}
		}, chatty);
		Hashtable<String, Object> neighbour = new Hashtable<>();
		neighbour.put(CronPlugin.NAME, "neighbour");
		context.registerService(CronPlugin.class, new Plugin() {
			@Override
			public void run(Instant start, Instant end) throws Exception {
				for (int i = 1; i <= 4; i++) {
					LoggerFactory.getLogger("io.crontainer.dist.Neighbour").info("neighbour line {}", i);
					meet();
				}
			}
		}, neighbour);
	}

	@Override
	public void stop(BundleContext context) {
		MEET.reset();
	}

	static void meet() throws Exception {
		MEET.await(30, TimeUnit.SECONDS);
	}

	private abstract static class Plugin implements CronPlugin {
		@Override
		public String interval() {
			return "0 0 1 1 *"; // never due during a test
		}
	}
}
