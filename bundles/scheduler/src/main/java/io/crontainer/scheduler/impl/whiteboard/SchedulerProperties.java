package io.crontainer.scheduler.impl.whiteboard;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.crontainer.api.CronPlugin;

/**
 * The whiteboard of Apache Sling Commons Scheduler and Apache Karaf Scheduler, read by Crontainer: the
 * {@code scheduler.*} service properties of a {@code java.lang.Runnable} service, checked and turned
 * into the {@link Settings} of a job, so that such a service runs here unchanged.
 *
 * <p>
 * The properties mean what they mean in Sling ({@code org.apache.sling.commons.scheduler.Scheduler})
 * and Karaf ({@code org.apache.karaf.scheduler.Scheduler}), with these differences, each documented in
 * the README ("Coming from Sling or Karaf"):
 * <ul>
 * <li>values are accepted in the type either peer accepts: a {@code Boolean} or {@code "true"} /
 * {@code "false"}, a {@code Long} or {@code Integer} or a decimal {@code String}; any other value is
 * refused with a clear reason (the job is {@code INVALID}), where Sling ignores the service with a
 * log line;</li>
 * <li>{@code scheduler.concurrent} defaults to {@code false} (never two runs at once), where both peers
 * default to {@code true};</li>
 * <li>the default name is stable across redeploys (no {@code service.id} suffix);</li>
 * <li>{@code scheduler.period} fires at whole multiples of the period since the epoch
 * ({@code @every}), so its phase survives restarts;</li>
 * <li>{@code scheduler.times} may be 1 (the peers refuse it).</li>
 * </ul>
 * The {@code cron.*} properties that have no {@code scheduler.*} counterpart ({@code cron.timezone},
 * {@code cron.timeout}, {@code cron.misfire}, {@code cron.enabled}) apply to such a job too, as do
 * {@code cron.name} when {@code scheduler.name} is absent.
 *
 * <p>
 * Stateless and thread-safe: pure functions of the properties.
 */
public final class SchedulerProperties {
	/** String: a Quartz cron expression (any interval Crontainer reads is accepted). Wins over the period. */
	static final String EXPRESSION = "scheduler.expression";
	/** Long (or Integer, or a decimal String) seconds, at least 1: a fixed period. */
	static final String PERIOD = "scheduler.period";
	/** String: the job's name. */
	static final String NAME = "scheduler.name";
	/** Boolean: whether runs may overlap. Crontainer's default: {@code false}. */
	public static final String CONCURRENT = "scheduler.concurrent";
	/** Boolean: with a period, also run when the schedule starts. */
	static final String IMMEDIATE = "scheduler.immediate";
	/** Integer: with a period, the number of fire times; -1 for no limit. */
	public static final String TIMES = "scheduler.times";
	/** String or String[]: Sling's {@code LEADER}, {@code SINGLE} or Sling instance ids. */
	static final String RUN_ON = "scheduler.runOn";
	/** String: Sling's thread pool name. No effect here: every run has a thread of its own. */
	static final String THREAD_POOL = "scheduler.threadPool";
	/** Sling's {@code Scheduler.VALUE_RUN_ON_LEADER}. */
	static final String RUN_ON_LEADER = "LEADER";
	/** Sling's {@code Scheduler.VALUE_RUN_ON_SINGLE}. */
	static final String RUN_ON_SINGLE = "SINGLE";
	/** The services that are jobs: Sling's filter of its whiteboard references. */
	public static final String FILTER = "(|(" + EXPRESSION + "=*)(" + PERIOD + "=*))";
	/** The framework property of a service's persistent identity. */
	static final String SERVICE_PID = "service.pid";

	private SchedulerProperties() {
	}

	/**
	 * Checks the service properties of a whiteboard {@code Runnable} and returns the settings of its
	 * job. Never throws: a property of the wrong type or form is reported in {@link Settings#error()}
	 * (the first one found), and the job is then {@code INVALID} with that reason.
	 *
	 * @param properties The service properties. Must not be {@code null}.
	 * @param className The {@code Runnable}'s implementation class name, for the default name. Must not
	 *        be {@code null}.
	 * @param bundleSymbolicName The registering bundle's symbolic name, for the default name; may be
	 *        {@code null}.
	 * @return The settings: the interval is {@code scheduler.expression}, else {@code @every Ns} for
	 *         {@code scheduler.period = N}; {@code enabled} is {@code true} unless {@code cron.enabled}
	 *         says otherwise, so that the scheduler never asks the service.
	 */
	static Settings settings(Map<String, Object> properties, String className, String bundleSymbolicName) {
		Settings cron = Settings.of(properties, className);
		List<String> errors = new ArrayList<>();

		String name = null;
		Object value = properties.get(NAME);
		if (value instanceof String s && !s.isBlank()) {
			name = s.strip();
		} else if (value != null) {
			errors.add(Settings.wrong(NAME, value, "a non-blank String"));
		}
		if (name == null) {
			name = properties.get(CronPlugin.NAME) instanceof String s && !s.isBlank() ? s.strip()
					: defaultName(properties, className, bundleSymbolicName);
		}

		String interval = null;
		value = properties.get(EXPRESSION);
		if (value instanceof String s && !s.isBlank()) {
			interval = s.strip();
		} else if (value != null) {
			errors.add(Settings.wrong(EXPRESSION, value, "a String with a Quartz cron expression"));
		}
		boolean periodic = false;
		value = properties.get(PERIOD);
		if (interval == null && value != null) {
			Long period = Settings.seconds(value);
			if (period == null) {
				errors.add(Settings.wrong(PERIOD, value, "a whole number of seconds greater than 0 (a Long)"));
			} else {
				interval = "@every " + period + "s";
				periodic = true;
			}
		}
		if (interval == null && errors.isEmpty()) {
			errors.add("neither " + EXPRESSION + " nor " + PERIOD + " is set");
		}

		boolean concurrent = bool(properties, CONCURRENT, errors);
		boolean immediate = periodic && bool(properties, IMMEDIATE, errors);
		Integer times = null;
		value = properties.get(TIMES);
		if (periodic && value != null) {
			Long n = whole(value);
			if (n == null || n == 0 || n < -1 || n > Integer.MAX_VALUE) {
				errors.add(Settings.wrong(TIMES, value, "-1 (no limit) or a number of fire times from 1 to "
						+ Integer.MAX_VALUE + " (an Integer)"));
			} else if (n > 0) {
				times = n.intValue();
			}
		}

		value = properties.get(RUN_ON);
		if (value != null) {
			String[] runOn = value instanceof String[] a ? a : value instanceof String s ? new String[] { s } : null;
			if (runOn == null) {
				errors.add(Settings.wrong(RUN_ON, value, "\"" + RUN_ON_SINGLE + "\" or \"" + RUN_ON_LEADER
						+ "\" (a String or String[])"));
			} else if (runOn.length != 1 || !(runOn[0].strip().equals(RUN_ON_SINGLE) || runOn[0].strip().equals(RUN_ON_LEADER))) {
				boolean casing = runOn.length == 1 && (runOn[0].strip().equalsIgnoreCase(RUN_ON_SINGLE)
						|| runOn[0].strip().equalsIgnoreCase(RUN_ON_LEADER));
				errors.add("service property " + RUN_ON + " = " + Arrays.toString(runOn) + (casing
						? " must be upper case, as in Sling: \"" + runOn[0].strip().toUpperCase(Locale.ROOT) + "\""
						: " names Sling instances, which Crontainer does not have; Crontainer runs each fire time"
								+ " once across its cluster: set it to \"" + RUN_ON_SINGLE + "\" or remove it"));
			}
		}

		String error = cron.error() != null ? cron.error() : errors.isEmpty() ? null : errors.get(0);
		Boolean enabled = cron.enabled() == null ? Boolean.TRUE : cron.enabled();
		return new Settings(name, interval, enabled, cron.zone(), cron.timeoutSeconds(), cron.runOnce(), error,
				new Settings.Runs(concurrent, immediate, times));
	}

	/**
	 * What the properties ask for that has no effect here, in one line, for the log; {@code null} if
	 * nothing. Sling and Karaf ignore these too, silently.
	 */
	public static String ignored(Map<String, Object> properties) {
		List<String> notes = new ArrayList<>();
		boolean expression = properties.get(EXPRESSION) instanceof String s && !s.isBlank();
		if (expression) {
			for (String key : List.of(PERIOD, IMMEDIATE, TIMES)) {
				if (properties.containsKey(key)) {
					notes.add(key + " (it applies to " + PERIOD + " only, and " + EXPRESSION + " is set)");
				}
			}
		}
		if (properties.containsKey(THREAD_POOL)) {
			notes.add(THREAD_POOL + " (every run has a thread of its own; there is no pool to choose)");
		}
		if (properties.containsKey(CronPlugin.INTERVAL)) {
			notes.add(CronPlugin.INTERVAL + " (the schedule of a Runnable is " + EXPRESSION + " or " + PERIOD + ")");
		}
		return notes.isEmpty() ? null : "ignored, as in Sling and Karaf: " + String.join("; ", notes);
	}

	/**
	 * The name of a job without {@code scheduler.name} or {@code cron.name}: one that stays the same
	 * when the bundle is redeployed or the runtime restarts, so that its state record is found again
	 * (Sling and Karaf append the {@code service.id}, which changes every time).
	 *
	 * @return {@code service.pid} (as Sling, without the id); else {@code component.name}; else the
	 *         bundle's symbolic name, {@code /} and the class name (a lambda's unstable suffix removed).
	 */
	static String defaultName(Map<String, Object> properties, String className, String bundleSymbolicName) {
		Object pid = properties.get(SERVICE_PID);
		if (pid instanceof String s && !s.isBlank()) {
			return s.strip();
		}
		if (pid instanceof String[] a && a.length > 0 && !a[0].isBlank()) {
			return a[0].strip();
		}
		if (properties.get(Settings.COMPONENT_NAME) instanceof String c && !c.isBlank()) {
			return c.strip();
		}
		String type = className;
		int lambda = type.indexOf("$$Lambda");
		if (lambda >= 0) {
			type = type.substring(0, lambda) + " (lambda)";
		} else if (type.contains("/0x")) {
			type = type.substring(0, type.indexOf("/0x")); // another hidden class
		}
		return bundleSymbolicName == null ? type : bundleSymbolicName + "/" + type;
	}

	private static boolean bool(Map<String, Object> properties, String key, List<String> errors) {
		Object value = properties.get(key);
		if (value == null) {
			return false;
		}
		if (value instanceof Boolean b) {
			return b;
		}
		if (value instanceof String s && (s.strip().equalsIgnoreCase("true") || s.strip().equalsIgnoreCase("false"))) {
			return Boolean.parseBoolean(s.strip());
		}
		errors.add(Settings.wrong(key, value, "a Boolean or \"true\" or \"false\""));
		return false;
	}

	/** A whole number: Long, Integer, Short, Byte or a decimal String; {@code null} if it is not one. */
	private static Long whole(Object value) {
		if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
			return ((Number) value).longValue();
		}
		if (value instanceof String s) {
			try {
				return Long.parseLong(s.strip());
			} catch (NumberFormatException e) {
				return null;
			}
		}
		return null;
	}
}
