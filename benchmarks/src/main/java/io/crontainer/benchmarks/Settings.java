package io.crontainer.benchmarks;

import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.stream.Collectors;

/**
 * The parameters of a benchmark run, shared by the harness and the subject JVMs it forks.
 *
 * <p>
 * Every parameter can be overridden by a system property {@code benchmark.<key>} (for example
 * {@code -Dbenchmark.idle.seconds=30}). Immutable once built; not thread-safe while built.
 */
public final class Settings {

	/** Subject names, in the order of the report's columns. */
	public static final List<String> ALL_SUBJECTS = List.of("crontainer", "sling", "karaf");

	/**
	 * The flight recording of a profiled run: the JDK's "profile" settings, with a Java stack sampled
	 * every millisecond (a burst of 1,000 runs lasts tens of ms) and every contended monitor entered.
	 */
	static final String PROFILE_OPTIONS = "settings=profile,jdk.ExecutionSample#period=1ms,jdk.JavaMonitorEnter#threshold=0ms";

	private final Properties values = new Properties();

	private Settings() {
	}

	/**
	 * @return The full benchmark: N = 100, 1,000, 10,000; 200 arrival and departure samples; lateness at
	 *         M = 100 and 1,000, 3 rounds each after one unmeasured round at each
	 *         ({@code lateness.warmup}: true, false or a number of rounds); 10 hung jobs observed for
	 *         10 s; idle CPU over 60 s; 3 repetitions; no flight recording ({@code profile}: a directory to write one per subject
	 *         JVM to, with the JFR options of {@code profile.options}); Crontainer's plugins answer
	 *         {@code interval()} from code ({@code crontainer.interval=code}; {@code property}: they
	 *         carry {@code cron.interval}, as the peers' jobs carry {@code scheduler.expression}); both
	 *         phases ({@code phases}: {@code scale} for registration, arrival, departure, idle CPU and
	 *         heap; {@code timing} for lateness and hung jobs; either may be left out); Sling boots
	 *         without Felix Event Admin ({@code sling.eventadmin=true}: with the Event Admin bundle
	 *         Crontainer's runtime ships, which relays every service event, as a Sling installation
	 *         runs one).
	 */
	public static Settings full() {
		Settings s = new Settings();
		s.set("mode", "full");
		s.set("phases", "scale,timing");
		s.set("reps", "3");
		s.set("subjects", String.join(",", ALL_SUBJECTS));
		s.set("sizes", "100,1000,10000");
		s.set("warmup.size", "1000");
		s.set("arrival.samples", "200");
		s.set("arrival.warmup", "20");
		s.set("idle.seconds", "60");
		s.set("lateness.sizes", "100,1000");
		s.set("lateness.warmup", "true");
		s.set("lateness.rounds", "3");
		s.set("lateness.margin.ms", "4000");
		s.set("hung.count", "10");
		s.set("hung.healthy", "10");
		s.set("hung.seconds", "10");
		s.set("timeout.seconds", "180");
		s.set("jvm.args", "-Xms1g -Xmx1g");
		s.set("parallel", "false");
		s.set("crontainer.interval", "code");
		s.set("sling.eventadmin", "false");
		s.set("profile", "");
		s.set("profile.options", PROFILE_OPTIONS);
		return s.overriddenBySystemProperties();
	}

	/**
	 * @return The smoke version run by the default build: every scenario at N = 10, so that the
	 *         harness cannot rot; its numbers mean nothing.
	 */
	public static Settings smoke() {
		Settings s = new Settings();
		s.set("mode", "smoke");
		s.set("phases", "scale,timing");
		s.set("reps", "1");
		s.set("subjects", String.join(",", ALL_SUBJECTS));
		s.set("sizes", "10");
		s.set("warmup.size", "10");
		s.set("arrival.samples", "5");
		s.set("arrival.warmup", "1");
		s.set("idle.seconds", "1");
		s.set("lateness.sizes", "10");
		s.set("lateness.warmup", "false");
		s.set("lateness.rounds", "1");
		s.set("lateness.margin.ms", "1500");
		s.set("hung.count", "10");
		s.set("hung.healthy", "2");
		s.set("hung.seconds", "2");
		s.set("timeout.seconds", "30");
		s.set("jvm.args", "-Xms64m -Xmx256m -XX:TieredStopAtLevel=1");
		// The subjects run side by side: the smoke run checks that the harness works, not speed.
		s.set("parallel", "true");
		s.set("crontainer.interval", "code");
		s.set("sling.eventadmin", "false");
		s.set("profile", "");
		s.set("profile.options", PROFILE_OPTIONS);
		return s.overriddenBySystemProperties();
	}

	/**
	 * @param properties Settings as written by {@link #toProperties()}.
	 * @return The settings.
	 */
	public static Settings of(Properties properties) {
		Settings s = new Settings();
		s.values.putAll(properties);
		return s;
	}

	/**
	 * The settings given as system properties ({@code benchmark.<key>}), as {@code -D} options in the
	 * order of their keys, each value quoted where it holds a space: what a report's command line
	 * adds to the default command, so that a narrowed run says how it was narrowed. Empty if none.
	 */
	public String overridesAsOptions() {
		StringBuilder sb = new StringBuilder();
		for (String key : new java.util.TreeSet<>(values.stringPropertyNames())) {
			String override = System.getProperty("benchmark." + key);
			if (override != null && !override.isBlank()) {
				String option = "-Dbenchmark." + key + "=" + override.trim();
				sb.append(' ').append(option.contains(" ") ? "\"" + option + "\"" : option);
			}
		}
		return sb.toString();
	}

	private Settings overriddenBySystemProperties() {
		for (String key : values.stringPropertyNames()) {
			String override = System.getProperty("benchmark." + key);
			if (override != null && !override.isBlank()) {
				values.setProperty(key, override.trim());
			}
		}
		return this;
	}

	/**
	 * @param key A key.
	 * @param value Its value. Must not be {@code null}.
	 * @return This.
	 */
	public Settings set(String key, String value) {
		values.setProperty(key, value);
		return this;
	}

	/**
	 * @param key A key.
	 * @return Its value.
	 * @throws IllegalArgumentException If there is none.
	 */
	public String get(String key) {
		String v = values.getProperty(key);
		if (v == null) {
			throw new IllegalArgumentException("No benchmark setting '" + key + "'");
		}
		return v;
	}

	/** @return The setting as an int. */
	public int integer(String key) {
		return Integer.parseInt(get(key));
	}

	/** @return The setting as a long. */
	public long longValue(String key) {
		return Long.parseLong(get(key));
	}

	/** @return The setting as a boolean. */
	public boolean bool(String key) {
		return Boolean.parseBoolean(get(key));
	}

	/** @return The setting as a list of ints, from a comma-separated value. */
	public List<Integer> integers(String key) {
		return Arrays.stream(get(key).split(",")).map(String::trim).map(Integer::valueOf).collect(Collectors.toList());
	}

	/** @return The setting as a list of strings, from a comma-separated value. */
	public List<String> strings(String key) {
		return Arrays.stream(get(key).split(",")).map(String::trim).filter(x -> !x.isEmpty()).collect(Collectors.toList());
	}

	/** @return A copy of the settings. */
	public Properties toProperties() {
		Properties p = new Properties();
		p.putAll(values);
		return p;
	}
}
