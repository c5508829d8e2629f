package io.crontainer.scheduler.impl.whiteboard;

import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.crontainer.api.CronPlugin;

/**
 * What the service properties of a cron plugin say, checked: the {@code cron.*} properties of
 * {@link CronPlugin}. Immutable.
 *
 * @param name The plugin's name: {@code cron.name}, else {@code component.name}, else the class name.
 * @param interval The {@code cron.interval} override; {@code null} to ask {@code interval()}.
 * @param enabled The {@code cron.enabled} override; {@code null} to ask {@code enabled()}.
 * @param zone The {@code cron.timezone}; {@code null} for the scheduler's default zone.
 * @param timeoutSeconds The {@code cron.timeout} in seconds; {@code null} for none.
 * @param runOnce Whether {@code cron.misfire} is {@code run-once}.
 * @param error Why a property is refused, in one line; {@code null} if all are fine.
 * @param runs How runs are started: {@link Runs#CRON_PLUGIN} for a cron plugin; a whiteboard
 *        {@code Runnable}'s {@code scheduler.*} properties may change it (see {@link SchedulerProperties}).
 * @param retry How a failed window is retried ({@code cron.retry}, {@code cron.retry.delay},
 *        {@code cron.retry.max.delay}); {@link RetryPolicy#NONE} for no retry.
 */
public record Settings(String name, String interval, Boolean enabled, ZoneId zone, Long timeoutSeconds, boolean runOnce,
		String error, Runs runs, RetryPolicy retry) {

	/** The DS property naming a component. */
	static final String COMPONENT_NAME = "component.name";

	/**
	 * How the runs of a job are started, beyond its interval. Immutable.
	 *
	 * @param concurrent Whether a fire time starts a run while another run of the job is going
	 *        ({@code scheduler.concurrent = true}); {@code false}: never two runs at once, the rule of
	 *        every cron plugin.
	 * @param immediate Whether the job also runs once each time its schedule starts
	 *        ({@code scheduler.immediate = true}), as {@code @reboot} does.
	 * @param times How many fire times the job has from the arrival of its service
	 *        ({@code scheduler.times}); {@code null} for no limit.
	 */
	public record Runs(boolean concurrent, boolean immediate, Integer times) {
		/** A cron plugin's: one run at a time, no run at start, no limit. */
		static final Runs CRON_PLUGIN = new Runs(false, false, null);
	}

	/** Settings of a cron plugin, whose runs are {@link Runs#CRON_PLUGIN}'s, with no retry. */
	public Settings(String name, String interval, Boolean enabled, ZoneId zone, Long timeoutSeconds, boolean runOnce,
			String error) {
		this(name, interval, enabled, zone, timeoutSeconds, runOnce, error, Runs.CRON_PLUGIN);
	}

	/** Settings with no retry. */
	public Settings(String name, String interval, Boolean enabled, ZoneId zone, Long timeoutSeconds, boolean runOnce,
			String error, Runs runs) {
		this(name, interval, enabled, zone, timeoutSeconds, runOnce, error, runs, RetryPolicy.NONE);
	}

	/**
	 * Checks the service properties of a plugin. Never throws: a property of the wrong type or form
	 * is reported in {@link #error()}.
	 *
	 * @param properties The service properties.
	 * @param className The implementation class name, the last resort for the name.
	 */
	static Settings of(Map<String, Object> properties, String className) {
		String error = null;
		String name = className;
		Object value = properties.get(CronPlugin.NAME);
		Object componentName = properties.get(COMPONENT_NAME);
		if (value instanceof String s && !s.isBlank()) {
			name = s.trim();
		} else if (value != null) {
			error = wrong(CronPlugin.NAME, value, "a non-blank String");
			if (componentName instanceof String c && !c.isBlank()) {
				name = c;
			}
		} else if (componentName instanceof String c && !c.isBlank()) {
			name = c;
		}

		String interval = null;
		value = properties.get(CronPlugin.INTERVAL);
		if (value instanceof String s && !s.isBlank()) {
			interval = s.trim();
		} else if (value != null && error == null) {
			error = wrong(CronPlugin.INTERVAL, value, "a non-blank String with a crontab expression");
		}

		Boolean enabled = null;
		value = properties.get(CronPlugin.ENABLED);
		if (value instanceof Boolean b) {
			enabled = b;
		} else if (value instanceof String s && (s.trim().equalsIgnoreCase("true") || s.trim().equalsIgnoreCase("false"))) {
			enabled = Boolean.valueOf(s.trim().toLowerCase(Locale.ROOT));
		} else if (value != null && error == null) {
			error = wrong(CronPlugin.ENABLED, value, "a Boolean or \"true\" or \"false\"");
		}

		ZoneId zone = null;
		value = properties.get(CronPlugin.TIMEZONE);
		if (value instanceof String s && !s.isBlank()) {
			try {
				zone = ZoneId.of(s.trim());
			} catch (DateTimeException e) {
				if (error == null) {
					error = wrong(CronPlugin.TIMEZONE, value, "a time zone id such as \"Europe/Berlin\" or \"UTC\"");
				}
			}
		} else if (value != null && error == null) {
			error = wrong(CronPlugin.TIMEZONE, value, "a time zone id such as \"Europe/Berlin\" or \"UTC\"");
		}

		Long timeout = null;
		value = properties.get(CronPlugin.TIMEOUT);
		if (value != null) {
			timeout = seconds(value);
			if (timeout == null && error == null) {
				error = wrong(CronPlugin.TIMEOUT, value, "a whole number of seconds greater than 0");
			}
		}

		boolean runOnce = false;
		value = properties.get(CronPlugin.MISFIRE);
		if (value instanceof String s && s.trim().equalsIgnoreCase(CronPlugin.MISFIRE_RUN_ONCE)) {
			runOnce = true;
		} else if (value != null && !(value instanceof String s && s.trim().equalsIgnoreCase(CronPlugin.MISFIRE_SKIP))
				&& error == null) {
			error = wrong(CronPlugin.MISFIRE, value,
					"\"" + CronPlugin.MISFIRE_SKIP + "\" or \"" + CronPlugin.MISFIRE_RUN_ONCE + "\"");
		}
		RetryPolicy.Parsed retry = RetryPolicy.of(properties);
		if (retry.error() != null && error == null) {
			error = retry.error();
		}
		return new Settings(name, interval, enabled, zone, timeout, runOnce, error, Runs.CRON_PLUGIN, retry.policy());
	}

	/** The per-plugin properties of {@link CronPlugin}, in the order the README lists them. */
	static final List<String> KNOWN = List.of(CronPlugin.NAME, CronPlugin.INTERVAL, CronPlugin.ENABLED,
			CronPlugin.TIMEZONE, CronPlugin.TIMEOUT, CronPlugin.MISFIRE, CronPlugin.RETRY, CronPlugin.RETRY_DELAY,
			CronPlugin.RETRY_MAX_DELAY);

	/**
	 * The service properties that start with {@code cron.} but are none of {@link #KNOWN} (a
	 * misspelling such as {@code cron.zone}), sorted; their values are ignored.
	 */
	public static List<String> unknown(Map<String, Object> properties) {
		List<String> unknown = null;
		for (String key : properties.keySet()) {
			// Read at every arrival: no copy of a key that does not start with "cron." in any case.
			if (key.regionMatches(true, 0, "cron.", 0, 5) && !KNOWN.contains(key)) {
				if (unknown == null) {
					unknown = new ArrayList<>(2);
				}
				unknown.add(key);
			}
		}
		if (unknown == null) {
			return List.of();
		}
		unknown.sort(null);
		return List.copyOf(unknown);
	}

	/**
	 * The warning for unknown {@code cron.*} properties: each with the known one it most likely
	 * meant, if one is close, then every known one.
	 */
	public static String unknownWarning(List<String> unknown) {
		StringBuilder text = new StringBuilder("ignores the unknown service propert")
				.append(unknown.size() == 1 ? "y " : "ies ");
		for (int i = 0; i < unknown.size(); i++) {
			String key = unknown.get(i);
			text.append(i == 0 ? "" : ", ").append(key);
			String meant = closest(key);
			if (meant != null) {
				text.append(" (").append(meant).append("?)");
			}
		}
		return text.append("; the cron.* properties are ").append(String.join(", ", KNOWN)).toString();
	}

	/** The known property an unknown one most likely meant; {@code null} if none is close. */
	private static String closest(String key) {
		String lower = key.toLowerCase(Locale.ROOT);
		String best = null;
		int bestDistance = Integer.MAX_VALUE;
		for (String known : KNOWN) {
			String suffix = lower.substring("cron.".length());
			String knownSuffix = known.substring("cron.".length());
			// Twice the edit distance, so that a containment (3) or a shared start of 4 characters or more
			// (5: cron.retries) counts as nearly as close, while a real edit distance breaks the ties.
			int score = lower.equals(known) ? 0 : 2 * distance(lower, known);
			if (suffix.length() >= 3 && (knownSuffix.contains(suffix) || suffix.contains(knownSuffix))) {
				score = Math.min(score, 3);
			}
			int common = 0;
			while (common < Math.min(suffix.length(), knownSuffix.length())
					&& suffix.charAt(common) == knownSuffix.charAt(common)) {
				common++;
			}
			if (common >= 4) {
				score = Math.min(score, 5);
			}
			if (score < bestDistance) {
				bestDistance = score;
				best = known;
			}
		}
		return bestDistance <= 5 ? best : null;
	}

	/** The edit distance of two strings (insertions, deletions, substitutions). */
	private static int distance(String a, String b) {
		int[] previous = new int[b.length() + 1];
		int[] current = new int[b.length() + 1];
		for (int j = 0; j <= b.length(); j++) {
			previous[j] = j;
		}
		for (int i = 1; i <= a.length(); i++) {
			current[0] = i;
			for (int j = 1; j <= b.length(); j++) {
				int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
				current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
			}
			int[] swap = previous;
			previous = current;
			current = swap;
		}
		return previous[b.length()];
	}

	static Long seconds(Object value) {
		long seconds;
		if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
			seconds = ((Number) value).longValue();
		} else if (value instanceof String s) {
			try {
				seconds = Long.parseLong(s.trim());
			} catch (NumberFormatException e) {
				return null;
			}
		} else {
			return null;
		}
		return seconds > 0 ? seconds : null;
	}

	static String wrong(String property, Object value, String expected) {
		String shown = value instanceof String ? "\"" + value + "\"" : String.valueOf(value);
		return "service property " + property + " = " + shown + " (" + value.getClass().getSimpleName()
				+ ") is not " + expected;
	}
}
