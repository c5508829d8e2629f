package io.crontainer.itests.scheduler;

import static io.crontainer.itests.scheduler.SchedulerSupport.EVERY_SECOND;
import static io.crontainer.itests.scheduler.SchedulerSupport.register;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.util.Hashtable;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.inject.Inject;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventConstants;
import org.osgi.service.event.EventHandler;

import io.crontainer.api.CronPlugin;
import io.crontainer.api.runtime.CronEvents;
import io.crontainer.itests.support.Await;

/**
 * The scheduler's events reach handlers through the real Event Admin of the core feature: a run's
 * start and end, with its window, outcome and error, and a plugin's state changes; an
 * {@code event.filter} on the outcome (the README's handler) gets the failed runs only.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class EventsIT {

	@Inject
	private BundleContext context;

	@Configuration
	public Option[] config() {
		return SchedulerSupport.options();
	}

	@Test
	public void aRunsStartAndEndAndStateChangesArePosted() throws Exception {
		List<Event> all = new CopyOnWriteArrayList<>();
		List<Event> failures = new CopyOnWriteArrayList<>();
		ServiceRegistration<EventHandler> allHandler = handler(all, CronEvents.TOPIC_PREFIX + "*", null);
		ServiceRegistration<EventHandler> failureHandler = handler(failures, CronEvents.RUN_ENDED,
				"(" + CronEvents.OUTCOME + "=FAILED)");
		ItPlugin plugin = new ItPlugin(EVERY_SECOND);
		plugin.failures = 1;
		ServiceRegistration<CronPlugin> registration = register(context, "evented", plugin);
		try {
			Await.until("a failed and a successful run's end", () -> ended(all, "SUCCEEDED").isPresent()
					&& ended(all, "FAILED").isPresent(), () -> all.toString());

			Event scheduled = all.stream().filter(e -> e.getTopic().equals(CronEvents.STATE_CHANGED)
					&& "SCHEDULED".equals(e.getProperty(CronEvents.STATE))).findFirst().orElseThrow();
			assertEquals("evented", scheduled.getProperty(CronEvents.NAME));
			assertEquals("PENDING", scheduled.getProperty(CronEvents.PREVIOUS_STATE));
			assertNull("no reason when scheduled", scheduled.getProperty(CronEvents.REASON));

			Event failed = ended(all, "FAILED").orElseThrow();
			assertEquals("evented", failed.getProperty(CronEvents.NAME));
			assertEquals("SCHEDULE", failed.getProperty(CronEvents.TRIGGER));
			assertEquals("java.lang.IllegalStateException: planned failure", failed.getProperty(CronEvents.ERROR));
			assertEquals("the first window starts at the epoch", 0L, failed.getProperty(CronEvents.WINDOW_START));
			assertTrue(failed.getProperty(CronEvents.WINDOW_END) instanceof Long);
			assertTrue(failed.getProperty(CronEvents.SCHEDULED_FIRE) instanceof Long);
			assertTrue(failed.getProperty(CronEvents.FINISHED) instanceof Long);
			assertTrue(failed.getProperty(EventConstants.TIMESTAMP) instanceof Long);

			int failedAt = all.indexOf(failed);
			Event started = all.stream().filter(e -> e.getTopic().equals(CronEvents.RUN_STARTED)).findFirst()
					.orElseThrow();
			assertTrue("posted before its end", all.indexOf(started) < failedAt);
			assertEquals("RUNNING", started.getProperty(CronEvents.OUTCOME));
			assertEquals(failed.getProperty(CronEvents.WINDOW_END), started.getProperty(CronEvents.WINDOW_END));
			assertNull(started.getProperty(CronEvents.FINISHED));

			Event succeeded = ended(all, "SUCCEEDED").orElseThrow();
			assertEquals("the failed window is covered again", 0L, succeeded.getProperty(CronEvents.WINDOW_START));
			assertNull(succeeded.getProperty(CronEvents.ERROR));

			Await.until("the filtered handler's event", () -> !failures.isEmpty());
			assertTrue("the filter lets failures only through", failures.stream()
					.allMatch(e -> "FAILED".equals(e.getProperty(CronEvents.OUTCOME))));
			assertFalse(all.stream().anyMatch(e -> !e.getTopic().startsWith(CronEvents.TOPIC_PREFIX)));
		} finally {
			registration.unregister();
			allHandler.unregister();
			failureHandler.unregister();
		}
	}

	private static Optional<Event> ended(List<Event> events, String outcome) {
		return events.stream().filter(e -> e.getTopic().equals(CronEvents.RUN_ENDED)
				&& outcome.equals(e.getProperty(CronEvents.OUTCOME))).findFirst();
	}

	private ServiceRegistration<EventHandler> handler(List<Event> into, String topic, String filter) {
		Hashtable<String, Object> properties = new Hashtable<>();
		properties.put(EventConstants.EVENT_TOPIC, topic);
		if (filter != null) {
			properties.put(EventConstants.EVENT_FILTER, filter);
		}
		return context.registerService(EventHandler.class, into::add, properties);
	}
}
