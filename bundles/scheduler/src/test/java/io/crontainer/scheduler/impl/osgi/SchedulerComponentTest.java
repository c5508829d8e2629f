package io.crontainer.scheduler.impl.osgi;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;

import io.crontainer.api.CronPlugin;
import io.crontainer.api.runtime.JobState;
import io.crontainer.scheduler.impl.store.LocalStateStore;
import io.crontainer.scheduler.impl.testing.Await;
import io.crontainer.scheduler.impl.testing.FailingStore;
import io.crontainer.scheduler.impl.testing.LogCapture;
import io.crontainer.scheduler.impl.testing.TestPlugin;
import io.crontainer.store.api.StateStoreProvider;

/**
 * The DS component, created with {@code new} as SCR would, with a fake bundle context, configuration
 * and service references: its real timer and pools fire a plugin, and deactivation leaves no thread.
 */
class SchedulerComponentTest {
	@TempDir
	Path data;

	@Test
	void firesAPluginWithItsOwnThreadsAndLeavesNoneBehind() throws Exception {
		SchedulerComponent component = new SchedulerComponent(context(Map.of(SchedulerComponent.DATA_DIR,
				data.toString())), config(Map.of("timezone", "UTC")), Map.of());
		TestPlugin plugin = new TestPlugin("*/1 * * * * ?");
		try {
			component.bindPlugin(reference(11L, Map.of(CronPlugin.NAME, "tick")), plugin);
			assertThat(plugin.started.await(10, TimeUnit.SECONDS)).isTrue();
			// committed after run() returned
			Await.until("tick's window committed", () -> component.runtime().getJob("tick").lastEnd != null);
			assertThat(component.runtime().getJob("tick").state).isEqualTo(JobState.SCHEDULED);
			assertThat(component.runtime().getJob("tick").zone).isEqualTo("UTC");
			assertThat(plugin.windows.get(0)[0]).isEqualTo(Instant.EPOCH);

			component.updatedPlugin(reference(11L, Map.of(CronPlugin.NAME, "tick", CronPlugin.ENABLED, false)),
					plugin);
			assertThat(component.runtime().getJob("tick").state).isEqualTo(JobState.DISABLED);
			component.unbindPlugin(reference(11L, Map.of(CronPlugin.NAME, "tick")));
			assertThat(component.runtime().getJobs()).isEmpty();
		} finally {
			component.deactivate();
		}
		assertThat(data.resolve("state").resolve("runs.journal")).content().contains("tick\t");
		assertThat(registered.get("io.crontainer.api.runtime.CronRuntime")).isSameAs(component.runtime());
		// threads end asynchronously after shutdownNow()
		Await.until("the scheduler's threads ended", () -> !ourThreadsAlive());
	}


	@Test
	void theStartLogSaysTheDefaultZoneAndWhereItCameFrom() throws Exception {
		String text;
		try (LogCapture log = new LogCapture()) {
			SchedulerComponent component = new SchedulerComponent(context(Map.of(SchedulerComponent.DATA_DIR,
					data.toString())), config(Map.of("timezone", "Europe/Berlin")), Map.of());
			component.deactivate();
			text = log.text();
		}
		assertThat(text).contains("Crontainer scheduler started: default zone Europe/Berlin (timezone of configuration "
				+ "io.crontainer.scheduler)");

		assertThat(SchedulerComponent.zoneOrigin(false, "Europe/Berlin", List.of("-Xmx64m")))
				.isEqualTo("the JVM's zone, from the TZ environment variable; set timezone in "
						+ "etc/io.crontainer.scheduler.cfg to keep it when the host changes");
		assertThat(SchedulerComponent.zoneOrigin(false, "Europe/Berlin", List.of("-Duser.timezone=UTC")))
				.as("the JVM's own option wins over TZ").startsWith("the JVM's zone, from -Duser.timezone;");
		assertThat(SchedulerComponent.zoneOrigin(false, null, List.of()))
				.startsWith("the JVM's zone, from the host's zone setting;");
	}

	@Test
	void aBadBindNeverThrows() throws Exception {
		SchedulerComponent component = new SchedulerComponent(context(Map.of(SchedulerComponent.DATA_DIR,
				data.toString())), config(Map.of()), Map.of());
		try {
			component.bindPlugin(reference(12L, Map.of(CronPlugin.NAME, 42)), new TestPlugin(null));
			assertThat(component.runtime().getJobs()).singleElement()
					.satisfies(job -> assertThat(job.state).isEqualTo(JobState.INVALID))
					.satisfies(job -> assertThat(job.reason).contains("cron.name"));
		} finally {
			component.deactivate();
		}
	}

	@Test
	void aProvidedStoreIsOpenedWhenItsBundleArrivesAndLeftWhenItGoes() throws Exception {
		Map<String, Object> seen = new java.util.concurrent.ConcurrentHashMap<>();
		LocalStateStore provided = new LocalStateStore(data.resolve("provided"));
		StateStoreProvider provider = (configuration, clock, imports) -> {
			seen.putAll(configuration);
			return new FailingStore(provided); // the test closes the store it wraps
		};
		Map<String, Object> serviceProperties = Map.of(StateStoreProvider.STORE, "postgresql");
		SchedulerComponent component = new SchedulerComponent(context(Map.of(SchedulerComponent.DATA_DIR,
				data.toString())), config(Map.of("state.store", "postgresql", "postgresql.url",
						"jdbc:postgresql://db/x")), Map.of("extra.setting", "kept"));
		try {
			assertThat(component.runtime().getStore().available).as("its bundle is not there").isFalse();
			assertThat(component.runtime().getStore().reason).contains("install the postgresql feature");

			component.bindStore(provider, serviceProperties);
			assertThat(component.runtime().getStore().description).startsWith("failing local journal")
					.contains("provided");
			assertThat(component.runtime().getStore().available).isTrue();
			assertThat(seen).containsEntry("postgresql.url", "jdbc:postgresql://db/x")
					.containsEntry("extra.setting", "kept").containsEntry("cluster.lease", 20L)
					.containsKey(StateStoreProvider.NODE);
			assertThat((String) seen.get(StateStoreProvider.NODE)).isNotBlank();
			component.bindPlugin(reference(14L, Map.of(CronPlugin.NAME, "after")), new TestPlugin("0 0 1 1 *"));
			Await.until("after scheduled: its record read from the store switched to",
					() -> component.runtime().getJob("after").state == JobState.SCHEDULED); // UNAVAILABLE if read from the old one

			component.unbindStore(provider, serviceProperties);
			assertThat(component.runtime().getStore().available).as("its bundle stopped").isFalse();
		} finally {
			component.deactivate();
			provided.close();
		}
	}

	private static final Map<String, Object> registered = new java.util.concurrent.ConcurrentHashMap<>();
	private static final java.util.concurrent.BlockingQueue<java.util.Dictionary<String, ?>> published =
			new java.util.concurrent.LinkedBlockingQueue<>();

	@Test
	void theRuntimeServiceCarriesAChangeCountThatGrowsWhenTheJobsChange() throws Exception {
		published.clear();
		SchedulerComponent component = new SchedulerComponent(context(Map.of(SchedulerComponent.DATA_DIR,
				data.toString())), config(Map.of("timezone", "UTC")), Map.of());
		try {
			component.bindPlugin(reference(13L, Map.of(CronPlugin.NAME, "counted")), new TestPlugin("0 0 1 1 *"));
			java.util.Dictionary<String, ?> first = published.poll(10, TimeUnit.SECONDS);
			assertThat(first).as("published within the debounce of 1 s").isNotNull();
			long count = (Long) first.get(Constants.SERVICE_CHANGECOUNT);
			assertThat(count).isPositive();
			component.runtime().pause("counted");
			java.util.Dictionary<String, ?> second = published.poll(10, TimeUnit.SECONDS);
			assertThat(second).isNotNull();
			assertThat((Long) second.get(Constants.SERVICE_CHANGECOUNT)).isGreaterThan(count);
			assertThat(second.get(Constants.SERVICE_DESCRIPTION)).isNotNull();
		} finally {
			component.deactivate();
		}
	}

	@SuppressWarnings("unchecked")
	private static org.osgi.framework.ServiceRegistration<?> registration() {
		return (org.osgi.framework.ServiceRegistration<?>) Proxy.newProxyInstance(
				SchedulerComponentTest.class.getClassLoader(), new Class<?>[] { org.osgi.framework.ServiceRegistration.class },
				(proxy, method, args) -> {
					switch (method.getName()) {
					case "unregister":
						return null;
					case "setProperties":
						published.add((java.util.Dictionary<String, ?>) args[0]);
						return null;
					default:
						throw new UnsupportedOperationException(method.getName());
					}
				});
	}

	private static boolean ourThreadsAlive() {
		return Thread.getAllStackTraces().keySet().stream()
				.anyMatch(t -> t.isAlive() && t.getName().startsWith("crontainer-"));
	}

	private static BundleContext context(Map<String, String> properties) {
		return (BundleContext) Proxy.newProxyInstance(SchedulerComponentTest.class.getClassLoader(),
				new Class<?>[] { BundleContext.class }, (proxy, method, args) -> {
					switch (method.getName()) {
					case "getProperty":
						return properties.get(args[0]);
					case "registerService":
						registered.put((String) ((Class<?>) args[0]).getName(), args[1]);
						return registration();
					case "getBundle": // the system bundle, asked whether the framework is stopping
						return systemBundle();
					case "toString":
						return "fake context";
					default:
						throw new UnsupportedOperationException(method.getName());
					}
				});
	}

	private static SchedulerConfiguration config(Map<String, Object> values) {
		return (SchedulerConfiguration) Proxy.newProxyInstance(SchedulerComponentTest.class.getClassLoader(),
				new Class<?>[] { SchedulerConfiguration.class }, (proxy, method, args) -> {
					Object value = values.get(method.getName().replace('_', '.'));
					return value != null ? value : method.getDefaultValue();
				});
	}

	@SuppressWarnings("unchecked")
	private static ServiceReference<CronPlugin> reference(long id, Map<String, Object> properties) {
		Bundle bundle = (Bundle) Proxy.newProxyInstance(SchedulerComponentTest.class.getClassLoader(),
				new Class<?>[] { Bundle.class }, (proxy, method, args) -> {
					switch (method.getName()) {
					case "getBundleId":
						return 5L;
					case "getSymbolicName":
						return "plugin.bundle";
					default:
						throw new UnsupportedOperationException(method.getName());
					}
				});
		return (ServiceReference<CronPlugin>) Proxy.newProxyInstance(SchedulerComponentTest.class.getClassLoader(),
				new Class<?>[] { ServiceReference.class }, (proxy, method, args) -> {
					switch (method.getName()) {
					case "getProperty":
						return Constants.SERVICE_ID.equals(args[0]) ? (Object) id : properties.get(args[0]);
					case "getPropertyKeys":
						return properties.keySet().toArray(new String[0]);
					case "getBundle":
						return bundle;
					case "toString":
						return "reference " + id;
					default:
						throw new UnsupportedOperationException(method.getName());
					}
				});
	}

	/** The system bundle of a running framework: ACTIVE. */
	static Bundle systemBundle() {
		return (Bundle) Proxy.newProxyInstance(SchedulerComponentTest.class.getClassLoader(), new Class<?>[] { Bundle.class },
				(proxy, method, args) -> switch (method.getName()) {
				case "getState" -> Bundle.ACTIVE;
				case "getBundleId" -> 0L;
				default -> throw new UnsupportedOperationException(method.getName());
				});
	}
}
