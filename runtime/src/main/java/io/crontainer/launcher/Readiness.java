package io.crontainer.launcher;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceListener;
import org.osgi.framework.ServiceReference;

/**
 * Whether the started runtime is ready: every bundle of {@code bundle/} is active (a fragment
 * resolved), none of their Declarative Services components failed to activate, and the services that
 * the framework property {@code crontainer.ready.services} names (comma-separated interface names;
 * {@code io.crontainer.api.runtime.CronRuntime}, which the scheduler registers once it runs) are registered.
 *
 * <p>
 * Components are read from SCR's {@code ServiceComponentRuntime} service (OSGi Compendium 112.8), by
 * reflection, as the launcher sees no bundle's packages. A component in state
 * {@code FAILED_ACTIVATION} makes the verdict "not ready" at once, with the root cause of its failure.
 *
 * <p>
 * Threads: {@link #await} runs on the launcher's main thread; a service listener on the framework's
 * event threads only wakes it.
 */
final class Readiness {

	/** Framework property: the services that must be registered for the runtime to be ready. */
	static final String SERVICES = "crontainer.ready.services";
	/** {@code ComponentConfigurationDTO.FAILED_ACTIVATION} (DS 1.4). */
	private static final int FAILED_ACTIVATION = 16;
	private static final String SCR = "org.osgi.service.component.runtime.ServiceComponentRuntime";

	private Readiness() {
	}

	/**
	 * The verdict.
	 *
	 * @param problem Why the runtime is not ready, in one line, or {@code null} if it is.
	 */
	record Verdict(String problem) {
		boolean ready() {
			return problem == null;
		}
	}

	/**
	 * Waits until the runtime is ready, a component fails, or the timeout passes.
	 *
	 * @param context The system bundle's context. Must not be {@code null}.
	 * @param own The bundles of {@code bundle/} (the console's included once started). Must not be {@code null}.
	 * @param services The interface names that must be registered. Must not be {@code null}.
	 * @param timeout How long to wait for them. Must not be {@code null}.
	 * @return The verdict. Never {@code null}.
	 * @throws InterruptedException If interrupted while waiting.
	 */
	static Verdict await(BundleContext context, Collection<Bundle> own, List<String> services, Duration timeout)
			throws InterruptedException {
		Object monitor = new Object();
		ServiceListener wake = event -> {
			if (event.getType() == ServiceEvent.REGISTERED) {
				synchronized (monitor) {
					monitor.notifyAll();
				}
			}
		};
		context.addServiceListener(wake);
		try {
			long deadline = System.nanoTime() + timeout.toNanos();
			while (true) {
				String problem = bundlesAndComponents(context, own);
				if (problem != null) {
					return new Verdict(problem);
				}
				List<String> missing = missing(context, services, null);
				if (missing.isEmpty()) {
					return new Verdict(null);
				}
				long left = deadline - System.nanoTime();
				if (left <= 0) {
					return new Verdict("no " + String.join(", ", missing) + " service after " + timeout.toSeconds()
							+ " s (scr:list shows which components wait for what)");
				}
				synchronized (monitor) {
					monitor.wait(Math.max(1, Math.min(Duration.ofNanos(left).toMillis(), 20)));
				}
			}
		} finally {
			context.removeServiceListener(wake);
		}
	}

	/**
	 * Whether the runtime is ready now, without waiting: after the start, when a bundle or a required
	 * service comes or goes.
	 *
	 * @param context The system bundle's context. Must not be {@code null}.
	 * @param own The bundles of {@code bundle/} (the console's left out). Must not be {@code null}.
	 * @param services The interface names that must be registered. Must not be {@code null}.
	 * @param leaving A service being unregistered (still registered while its event is delivered), counted
	 *        as gone; or {@code null}.
	 * @return The verdict. Never {@code null}.
	 */
	static Verdict now(BundleContext context, Collection<Bundle> own, List<String> services, ServiceReference<?> leaving) {
		String problem = bundlesAndComponents(context, own);
		if (problem != null) {
			return new Verdict(problem);
		}
		List<String> missing = missing(context, services, leaving);
		return new Verdict(missing.isEmpty() ? null : "no " + String.join(", ", missing) + " service");
	}

	/** @return Why a bundle or component is not ready, or {@code null}. */
	private static String bundlesAndComponents(BundleContext context, Collection<Bundle> own) {
		List<String> inactive = new ArrayList<>();
		for (Bundle b : own) {
			boolean fragment = b.getHeaders("").get(Constants.FRAGMENT_HOST) != null;
			if (b.getState() != Bundle.ACTIVE && !(fragment && b.getState() == Bundle.RESOLVED)) {
				inactive.add(b.getSymbolicName() + " " + b.getVersion() + " (" + Main.stateName(b.getState()) + ")");
			}
		}
		if (!inactive.isEmpty()) {
			return inactive.size() + " of " + own.size() + " bundles are not active: " + String.join(", ", inactive);
		}
		return failedComponent(context, own);
	}

	/** @return The service interfaces of which no service is registered ({@code leaving} not counted). */
	private static List<String> missing(BundleContext context, List<String> services, ServiceReference<?> leaving) {
		return services.stream().filter(s -> {
			try {
				ServiceReference<?>[] refs = context.getServiceReferences(s, null);
				return refs == null || java.util.Arrays.stream(refs).allMatch(r -> r.equals(leaving));
			} catch (org.osgi.framework.InvalidSyntaxException e) {
				throw new IllegalStateException(e); // no filter given
			}
		}).toList();
	}

	/** @return "component X of bundle B failed to activate: CAUSE" for the first such component, or null. */
	static String failedComponent(BundleContext context, Collection<Bundle> own) {
		ServiceReference<?> ref = context.getServiceReference(SCR);
		if (ref == null) {
			return null;
		}
		Object scr = context.getService(ref);
		if (scr == null) {
			return null;
		}
		try {
			Class<?> api = ref.getBundle().loadClass(SCR);
			Class<?> descriptionType = ref.getBundle().loadClass("org.osgi.service.component.runtime.dto.ComponentDescriptionDTO");
			Method descriptions = api.getMethod("getComponentDescriptionDTOs", Bundle[].class);
			Method configurations = api.getMethod("getComponentConfigurationDTOs", descriptionType);
			Set<Long> ids = new java.util.HashSet<>();
			own.forEach(b -> ids.add(b.getBundleId()));
			for (Object description : (Collection<?>) descriptions.invoke(scr, (Object) new Bundle[0])) {
				Object bundle = field(description, "bundle");
				if (!ids.contains((Long) field(bundle, "id"))) {
					continue;
				}
				for (Object configuration : (Collection<?>) configurations.invoke(scr, description)) {
					if ((Integer) field(configuration, "state") == FAILED_ACTIVATION) {
						return "component " + field(description, "name") + " of " + field(bundle, "symbolicName")
								+ " failed to activate: " + rootCause(String.valueOf(field(configuration, "failure")));
					}
				}
			}
			return null;
		} catch (ReflectiveOperationException | RuntimeException e) {
			return null; // not a DS 1.4 SCR: the services decide
		} finally {
			context.ungetService(ref);
		}
	}

	private static Object field(Object dto, String name) throws ReflectiveOperationException {
		return dto.getClass().getField(name).get(dto);
	}

	/**
	 * @param failure A stack trace as text (SCR's {@code failure}).
	 * @return Its last {@code Caused by:} line without that prefix, else its first line.
	 */
	static String rootCause(String failure) {
		String cause = failure.lines().findFirst().orElse(failure).strip();
		for (String line : (Iterable<String>) failure.lines()::iterator) {
			if (line.startsWith("Caused by: ")) {
				cause = line.substring("Caused by: ".length()).strip();
			}
		}
		return cause;
	}
}
