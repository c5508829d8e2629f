package io.crontainer.scheduler.impl.osgi;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;

import io.crontainer.api.CronPlugin;
import io.crontainer.api.runtime.JobState;
import io.crontainer.scheduler.impl.testing.Await;

/**
 * The whiteboard of Sling/Karaf-style {@code Runnable} services in the DS component, created with
 * {@code new} as SCR would, with fake service references: a Runnable with {@code scheduler.period} is
 * fired by the real timer and pool, and a service that is both a {@code CronPlugin} and such a
 * {@code Runnable} is one job, a cron plugin.
 */
class RunnableWhiteboardTest {
	@TempDir
	Path data;

	SchedulerComponent component;

	@BeforeEach
	void setUp() throws Exception {
		component = new SchedulerComponent(context(Map.of(SchedulerComponent.DATA_DIR, data.toString())),
				(SchedulerConfiguration) Proxy.newProxyInstance(getClass().getClassLoader(),
						new Class<?>[] { SchedulerConfiguration.class }, (proxy, method, args) -> method.getName()
								.equals("timezone") ? "UTC" : method.getDefaultValue()), Map.of());
	}

	@AfterEach
	void tearDown() {
		component.deactivate();
	}

	@Test
	void aRunnableWithAPeriodIsFiredFromItsBundle() throws Exception {
		CountDownLatch ran = new CountDownLatch(2);
		Runnable task = ran::countDown;
		component.bindRunnable(reference(21L, Map.of(Constants.OBJECTCLASS, new String[] { Runnable.class.getName() },
				"scheduler.period", 1L, "scheduler.name", "every-second")), task);
		assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
		assertThat(component.runtime().getJob("every-second").bundleSymbolicName).isEqualTo("plugin.bundle");
		assertThat(component.runtime().getJob("every-second").interval).isEqualTo("@every 1s");

		component.unbindRunnable(reference(21L, Map.of(Constants.OBJECTCLASS, new String[] { Runnable.class.getName() })));
		assertThat(component.runtime().getJobs()).isEmpty();
	}

	/** A cron plugin registered as a Runnable too, with scheduler.* properties: a cron plugin, once. */
	@Test
	void aServiceThatIsBothIsACronPluginOnce() throws Exception {
		Map<String, Object> properties = Map.of(Constants.OBJECTCLASS,
				new String[] { CronPlugin.class.getName(), Runnable.class.getName() }, CronPlugin.NAME, "both",
				"scheduler.expression", "0 0 * * * ?", "scheduler.name", "both-as-runnable");
		Both both = new Both();
		component.bindRunnable(reference(22L, properties), both);
		component.bindPlugin(reference(22L, properties), both);
		Await.until("both answered on the call pool", () -> component.runtime().getJob("both").state != JobState.PENDING);
		assertThat(component.runtime().getJobs()).singleElement().satisfies(job -> {
			assertThat(job.name).isEqualTo("both");
			assertThat(job.interval).isEqualTo("@hourly");
			assertThat(job.state).isEqualTo(JobState.SCHEDULED);
		});
		component.unbindRunnable(reference(22L, properties));
		assertThat(component.runtime().getJobs()).hasSize(1);
		component.unbindPlugin(reference(22L, properties));
		assertThat(component.runtime().getJobs()).isEmpty();
	}

	/** A cron plugin that is also a Runnable. */
	static final class Both implements CronPlugin, Runnable {
		@Override
		public String interval() {
			return "@hourly";
		}

		@Override
		public void run(Instant start, Instant end) {
			// nothing
		}

		@Override
		public void run() {
			// nothing
		}
	}

	private static BundleContext context(Map<String, String> properties) {
		return (BundleContext) Proxy.newProxyInstance(RunnableWhiteboardTest.class.getClassLoader(),
				new Class<?>[] { BundleContext.class }, (proxy, method, args) -> switch (method.getName()) {
				case "getProperty" -> properties.get(args[0]);
				case "getBundle" -> SchedulerComponentTest.systemBundle(); // is the framework stopping?
				case "registerService" -> Proxy.newProxyInstance(RunnableWhiteboardTest.class.getClassLoader(),
						new Class<?>[] { ServiceRegistration.class }, (p, m, a) -> null); // unregister, setProperties
				default -> throw new UnsupportedOperationException(method.getName());
				});
	}

	@SuppressWarnings("unchecked")
	private static <S> ServiceReference<S> reference(long id, Map<String, Object> given) {
		Map<String, Object> properties = new HashMap<>(given);
		properties.put(Constants.SERVICE_ID, id);
		Bundle bundle = (Bundle) Proxy.newProxyInstance(RunnableWhiteboardTest.class.getClassLoader(),
				new Class<?>[] { Bundle.class }, (proxy, method, args) -> switch (method.getName()) {
				case "getBundleId" -> 5L;
				case "getSymbolicName" -> "plugin.bundle";
				default -> throw new UnsupportedOperationException(method.getName());
				});
		return (ServiceReference<S>) Proxy.newProxyInstance(RunnableWhiteboardTest.class.getClassLoader(),
				new Class<?>[] { ServiceReference.class }, (proxy, method, args) -> switch (method.getName()) {
				case "getProperty" -> properties.get(args[0]);
				case "getPropertyKeys" -> properties.keySet().toArray(new String[0]);
				case "getBundle" -> bundle;
				case "toString" -> "reference " + id;
				default -> throw new UnsupportedOperationException(method.getName());
				});
	}
}
