package io.crontainer.scheduler.impl.interval;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import com.cronutils.descriptor.CronDescriptor;
import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;

/**
 * Parses crontab intervals. Thread-safe.
 */
public final class Intervals {

	private static final CronParser UNIX = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
	private static final CronParser QUARTZ = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.QUARTZ));

	private static final Map<String, String> MACROS = Map.of("@yearly", "0 0 1 1 *", "@annually", "0 0 1 1 *",
			"@monthly", "0 0 1 * *", "@weekly", "0 0 * * 0", "@daily", "0 0 * * *", "@midnight", "0 0 * * *",
			"@hourly", "0 * * * *");

	private Intervals() {
	}

	/**
	 * Parses an interval.
	 *
	 * @param expression The crontab expression, verbatim. Must not be {@code null}.
	 * @param zone The zone it is evaluated in. Must not be {@code null}.
	 * @param name The plugin name that {@code H} fields hash. Must not be {@code null}.
	 * @param createdAt When the schedule is created: {@code ?} fields of a five-field expression take
	 *        their value from this instant in {@code zone}. Must not be {@code null}.
	 * @return The interval.
	 * @throws InvalidIntervalException If the expression cannot be parsed or can never fire.
	 */
	public static Interval parse(String expression, ZoneId zone, String name, Instant createdAt)
			throws InvalidIntervalException {
		requireNonNull(expression, "expression");
		requireNonNull(zone, "zone");
		requireNonNull(name, "name");
		requireNonNull(createdAt, "createdAt");
		String trimmed = expression.trim();
		if ("@reboot".equalsIgnoreCase(trimmed)) {
			return new Reboot(expression, zone);
		}
		String cronText = MACROS.getOrDefault(trimmed.toLowerCase(Locale.ROOT), trimmed);
		int fields = cronText.isEmpty() ? 0 : cronText.split("\\s+").length;
		CronParser parser;
		if (fields == 5) {
			parser = UNIX;
		} else if (fields == 6 || fields == 7) {
			parser = QUARTZ;
		} else {
			throw new InvalidIntervalException(
					"interval '" + expression + "' has " + fields + " fields; expected 5 (crontab), 6 or 7 (Quartz)");
		}
		Cron cron;
		try {
			cron = parser.parse(cronText).validate();
		} catch (IllegalArgumentException e) {
			throw new InvalidIntervalException("interval '" + expression + "' is invalid: " + e.getMessage(), e);
		}
		CronInterval interval = new CronInterval(expression, zone, cron);
		if (interval.next(createdAt).isEmpty()) {
			throw new InvalidIntervalException("interval '" + expression + "' never fires");
		}
		return interval;
	}

	private record Reboot(String expression, ZoneId zone) implements Interval {
		@Override
		public boolean reboot() {
			return true;
		}

		@Override
		public Optional<ZonedDateTime> next(Instant after) {
			return Optional.empty();
		}

		@Override
		public String description() {
			return "once, each time the schedule starts";
		}
	}

	private static final class CronInterval implements Interval {
		private final String expression;
		private final ZoneId zone;
		private final Cron cron;
		private final ExecutionTime executionTime;

		CronInterval(String expression, ZoneId zone, Cron cron) {
			this.expression = expression;
			this.zone = zone;
			this.cron = cron;
			this.executionTime = ExecutionTime.forCron(cron);
		}

		@Override
		public String expression() {
			return expression;
		}

		@Override
		public ZoneId zone() {
			return zone;
		}

		@Override
		public boolean reboot() {
			return false;
		}

		@Override
		public Optional<ZonedDateTime> next(Instant after) {
			return executionTime.nextExecution(after.atZone(zone));
		}

		@Override
		public String description() {
			return CronDescriptor.instance(Locale.ENGLISH).describe(cron);
		}
	}
}
