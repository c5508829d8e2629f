package io.crontainer.benchmarks.subject;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.crontainer.benchmarks.BundleSets;
import io.crontainer.benchmarks.spi.JobSpec;
import io.crontainer.benchmarks.spi.Probe;
import io.crontainer.benchmarks.spi.Recorder;

/**
 * The benchmark's probe bundles for Apache Sling Commons Scheduler and Apache Karaf Scheduler, the
 * very jars the benchmark installs on those schedulers, installed unchanged on Crontainer (the
 * {@code core} feature, as the runtime ships it): the {@code Runnable} services they register, with
 * the same {@code scheduler.expression}, {@code scheduler.name} and {@code scheduler.concurrent}
 * properties, are Crontainer jobs: listed under their name, from the probe's bundle, fired, shown in
 * the history, and gone when unregistered.
 *
 * <p>
 * The probes' own observation (the peer's private Quartz scheduler) does not exist here; the test
 * reads Crontainer's runtime view ({@code CronRuntime}) instead, by reflection, since its classes
 * are the framework's.
 */
class PeerProbesOnCrontainerIT {

	@TempDir
	Path storage;

	@ParameterizedTest(name = "the {0} probe")
	@ValueSource(strings = { "sling", "karaf" })
	void aPeerProbesRunnablesAreCrontainerJobs(String peer) throws Exception {
		BundleSets sets = BundleSets.load();
		List<String> bundles = new ArrayList<>(sets.bundles("crontainer"));
		bundles.remove(bundles.size() - 1); // Crontainer's own probe (cron plugins)
		List<String> peerBundles = sets.bundles(peer);
		bundles.add(peerBundles.get(peerBundles.size() - 1)); // the peer's probe, as the benchmark installs it
		try (SubjectFramework framework = SubjectFramework.boot(bundles, sets.frameworkProperties("crontainer"), storage)) {
			Probe probe = (Probe) framework.service(Probe.class.getName(), 10_000);
			Object runtime = framework.service("io.crontainer.api.runtime.CronRuntime", 10_000);
			Recorder.reset(1);

			probe.register(List.of(new JobSpec("probe-job", "* * * * * ?", 0, JobSpec.Behaviour.RECORD)));

			Object job = call(runtime, "getJob", "probe-job");
			assertThat(field(job, "state")).hasToString("SCHEDULED");
			assertThat(field(job, "interval")).isEqualTo("* * * * * ?");
			assertThat(field(job, "bundleSymbolicName")).isEqualTo("io.crontainer.benchmarks.probe." + peer);
			assertThat(field(job, "concurrent")).isEqualTo(false); // the probe sets scheduler.concurrent=false
			// Fired on Crontainer's run thread; the Recorder is shared through the system bundle.
			until("the Runnable ran", () -> Recorder.firstStart(0) != 0);
			until("its window committed", () -> field(call(runtime, "getJob", "probe-job"), "lastEnd") != null);
			List<?> history = (List<?>) call(runtime, "getHistory", "probe-job", 5);
			assertThat(history).isNotEmpty();
			assertThat(history.stream().map(run -> String.valueOf(field(run, "outcome")))).contains("SUCCEEDED");

			probe.unregister("probe-job");
			assertThat((List<?>) call(runtime, "getJobs")).isEmpty();
			assertThat(call(runtime, "getJob", "probe-job")).isNull();
		}
	}

	/** Returns once a condition holds; fails, saying what was awaited, if it does not within 10 s. */
	private static void until(String what, Callable<Boolean> condition) throws Exception {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		while (!condition.call()) {
			if (System.nanoTime() - deadline > 0) {
				throw new AssertionError(what + ": not within 10 s");
			}
			Thread.sleep(20);
		}
	}

	/**
	 * Calls a method of a framework-loaded object through its public interfaces (its class may be
	 * private to its bundle); rethrows what it throws.
	 */
	private static Object call(Object target, String method, Object... args) throws Exception {
		for (Method m : publicMethods(target.getClass())) {
			if (m.getName().equals(method) && m.getParameterCount() == args.length) {
				try {
					return m.invoke(target, args);
				} catch (InvocationTargetException e) {
					throw (Exception) e.getCause();
				}
			}
		}
		throw new NoSuchMethodException(method);
	}

	private static List<Method> publicMethods(Class<?> type) {
		List<Method> methods = new ArrayList<>();
		for (Class<?> c = type; c != null; c = c.getSuperclass()) {
			for (Class<?> i : c.getInterfaces()) {
				methods.addAll(List.of(i.getMethods()));
			}
		}
		return methods;
	}

	private static Object field(Object dto, String name) {
		try {
			return dto.getClass().getField(name).get(dto);
		} catch (ReflectiveOperationException e) {
			throw new AssertionError("no field " + name + " in " + dto.getClass(), e);
		}
	}
}
