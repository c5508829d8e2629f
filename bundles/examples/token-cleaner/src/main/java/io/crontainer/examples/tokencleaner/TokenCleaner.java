package io.crontainer.examples.tokencleaner;

import java.io.File;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.jdbc.DataSourceFactory;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.crontainer.api.CronPlugin;
import io.crontainer.api.CronPluginBase;

/**
 * The {@code token-cleaner} cron plugin, the example of OpenStack StoryBoard made real: deletes every
 * OAuth access token that expired more than a week before the end of the run window, together with
 * the refresh tokens that belong to it, in one transaction.
 *
 * <p>
 * It reaches its database through the OSGi JDBC service (OSGi Compendium 125): the driver bundles of
 * H2 and PostgreSQL, among others, register a {@link DataSourceFactory}; this plugin picks the one
 * named by {@code jdbc.driver}, or else the one whose driver accepts {@code jdbc.url}. Without a
 * configured URL it uses an embedded H2 database in the file {@code db/tokens.mv.db} under the
 * runtime's data directory (framework property {@value #DATA_DIR_PROPERTY}), or under the bundle's
 * persistent storage area when that property is unset. The tables are created on the first run if
 * they do not exist (see {@link TokenStore}); set {@code schema.create=false} for a database whose
 * schema is managed elsewhere.
 *
 * <p>
 * Disabled until configured: configuration PID {@value #PID}, see {@link Config}. Its interval is
 * {@code "? * * * *"}, as in StoryBoard: hourly, at the minute the plugin was scheduled.
 *
 * <p>
 * A run that cannot reach the database, or whose delete fails, rolls back and throws: nothing is
 * deleted and the scheduler hands the same window to the next run.
 *
 * <p>
 * Thread-safe: the configuration is held in a volatile field and replaced as a whole; the scheduler
 * never runs the plugin twice at once.
 */
@Component(service = CronPlugin.class, configurationPid = TokenCleaner.PID, property = CronPlugin.NAME + "=" + TokenCleaner.NAME)
@Designate(ocd = TokenCleaner.Config.class)
public class TokenCleaner extends CronPluginBase {

	/** The ConfigAdmin PID of this plugin. */
	public static final String PID = "io.crontainer.examples.tokencleaner";

	/** The plugin's {@link CronPlugin#NAME}. */
	public static final String NAME = "token-cleaner";

	/** Framework property naming the runtime's data directory, an absolute path; may be unset. */
	public static final String DATA_DIR_PROPERTY = "crontainer.data.dir";

	/** The configuration of the token cleaner. */
	@ObjectClassDefinition(name = "Crontainer token cleaner", description = "A cron plugin that deletes OAuth access tokens that expired more than max.age ago, with their refresh tokens.")
	public @interface Config {

		/** @return whether the plugin is scheduled. */
		@AttributeDefinition(name = "Enabled", description = "Whether the token cleaner is scheduled. It is disabled until configured.")
		boolean enabled() default false;

		/** @return the crontab expression. */
		@AttributeDefinition(name = "Interval", description = "Crontab expression on which the token cleaner runs. Default: hourly, at the minute the plugin was scheduled ('?' takes its value from that time).")
		String cron_interval() default "? * * * *";

		/** @return the JDBC URL, or empty for the default H2 database. */
		@AttributeDefinition(name = "JDBC URL", required = false, description = "JDBC URL of the database holding the access_tokens and refresh_tokens tables, e.g. jdbc:postgresql://db.example.com:5432/storyboard. Empty: an embedded H2 database in data/db/tokens.mv.db.")
		String jdbc_url() default "";

		/** @return the database user, or empty for none. */
		@AttributeDefinition(name = "JDBC user", required = false, description = "Database user. Empty: none (H2's default user).")
		String jdbc_user() default "";

		/**
		 * @return the database password. Its property name, {@code .jdbc.password}, starts with a dot:
		 *         a private configuration property (OSGi Compendium 104.4.3) that Declarative
		 *         Services does not copy into the service properties.
		 */
		@AttributeDefinition(name = "JDBC password", type = AttributeType.PASSWORD, required = false, description = "Database password. Private: it is not published as a service property.")
		String _jdbc_password() default "";

		/** @return the driver class name, or empty to find the driver from the URL. */
		@AttributeDefinition(name = "JDBC driver", required = false, description = "Class name of the JDBC driver (the osgi.jdbc.driver.class property of its DataSourceFactory service), e.g. org.postgresql.Driver. Empty: the driver that accepts the JDBC URL.")
		String jdbc_driver() default "";

		/** @return how long after expiring a token is deleted, an ISO-8601 duration. */
		@AttributeDefinition(name = "Maximum age", description = "Access tokens that expired more than this before the end of the run window are deleted: an ISO-8601 duration (P7D, PT36H) or a number of days.")
		String max_age() default "P7D";

		/** @return whether to create missing tables on the first run. */
		@AttributeDefinition(name = "Create schema", description = "Create the access_tokens and refresh_tokens tables and their indexes on the first run if they do not exist.")
		boolean schema_create() default true;
	}

	/** The configuration, checked: {@code problem} is non-null when it cannot be used. */
	private record Settings(boolean enabled, String interval, String url, String user, String password, String driver,
			Duration maxAge, boolean createSchema, String problem) {
	}

	private static final Pattern SECRET_IN_URL = Pattern.compile("(?i)(password=)[^&;]*");

	/**
	 * The JDBC services: each with its service properties, notably
	 * {@value DataSourceFactory#OSGI_JDBC_DRIVER_CLASS}. Replaced as a whole by Declarative Services.
	 */
	@Reference(service = DataSourceFactory.class, cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
	volatile List<Map.Entry<Map<String, Object>, DataSourceFactory>> dataSourceFactories = List.of();

	private final Logger log;
	private final Path defaultDatabaseDirectory;
	private final Set<String> schemaCreated = ConcurrentHashMap.newKeySet();
	private volatile Settings settings;

	/**
	 * Creates the token cleaner. Called by Declarative Services.
	 *
	 * @param context The bundle's context, for the data directory.
	 * @param config The configuration; its defaults apply when there is none.
	 */
	@Activate
	public TokenCleaner(BundleContext context, Config config) {
		this(config, defaultDatabaseDirectory(context), LoggerFactory.getLogger(TokenCleaner.class));
	}

	TokenCleaner(Config config, Path defaultDatabaseDirectory, Logger log) {
		this.defaultDatabaseDirectory = defaultDatabaseDirectory;
		this.log = log;
		this.settings = settings(config);
		logSettings("Token cleaner");
	}

	@Modified
	void modified(Config config) {
		settings = settings(config);
		logSettings("Token cleaner reconfigured:");
	}

	@Deactivate
	void deactivate() {
		log.info("Token cleaner stopped");
	}

	/**
	 * {@inheritDoc}
	 *
	 * @return the configured {@code enabled} value; {@code false} without configuration.
	 * @throws IllegalStateException If the plugin is enabled but its configuration is invalid, with the
	 *         reason: the scheduler shows the plugin as invalid with that message.
	 */
	@Override
	public boolean enabled() {
		Settings s = settings;
		if (s.enabled() && s.problem() != null) {
			throw new IllegalStateException(s.problem());
		}
		return s.enabled();
	}

	@Override
	public String interval() {
		return settings.interval();
	}

	/**
	 * Deletes, in one transaction, the access tokens whose {@code expires_at} is before
	 * {@code end - max.age}, and their refresh tokens, then logs how many were deleted.
	 *
	 * @throws IllegalStateException If the configuration is invalid.
	 * @throws SQLException If no JDBC driver serves the URL, the database cannot be reached or the
	 *         delete fails; the message names the database (without its password) and the cause.
	 *         Nothing has been deleted.
	 */
	@Override
	public void run(Instant start, Instant end) throws SQLException {
		Settings s = settings;
		if (s.problem() != null) {
			throw new IllegalStateException(s.problem());
		}
		Instant cutoff = end.minus(s.maxAge());
		String database = redact(s.url());
		log.debug("Window [{}, {}): deleting access tokens that expired before {} from {}", start, end, cutoff, database);

		DataSource dataSource = dataSource(s);
		TokenStore.Deleted deleted;
		try (Connection connection = connect(dataSource, s)) {
			if (s.createSchema() && !schemaCreated.contains(s.url())) {
				try {
					TokenStore.createSchema(connection);
				} catch (SQLException e) {
					throw new SQLException("Cannot create the token tables in " + database
							+ " (set schema.create=false if the schema is managed elsewhere): " + e.getMessage(), e.getSQLState(), e);
				}
				schemaCreated.add(s.url());
				log.debug("Token tables exist in {}", database);
			}
			deleted = deleteInOneTransaction(connection, cutoff, database);
		} catch (SQLException e) {
			// The database may have been replaced: check the schema again on the next run.
			schemaCreated.remove(s.url());
			throw e;
		}
		log.info("Deleted {} access tokens that expired before {} and their {} refresh tokens from {}",
				deleted.accessTokens(), cutoff, deleted.refreshTokens(), database);
	}

	private static TokenStore.Deleted deleteInOneTransaction(Connection connection, Instant cutoff, String database) throws SQLException {
		try {
			connection.setAutoCommit(false);
			TokenStore.Deleted deleted = TokenStore.deleteExpired(connection, cutoff);
			connection.commit();
			return deleted;
		} catch (SQLException | RuntimeException e) {
			SQLException failure = new SQLException("Deleting expired tokens from " + database
					+ " failed, nothing was deleted: " + e.getMessage(), e instanceof SQLException sql ? sql.getSQLState() : null, e);
			try {
				connection.rollback();
			} catch (SQLException rollback) {
				failure.addSuppressed(rollback);
			}
			throw failure;
		}
	}

	private DataSource dataSource(Settings s) throws SQLException {
		DataSourceFactory factory = dataSourceFactory(s);
		Properties properties = new Properties();
		properties.setProperty(DataSourceFactory.JDBC_URL, s.url());
		if (!s.user().isEmpty()) {
			properties.setProperty(DataSourceFactory.JDBC_USER, s.user());
		}
		if (!s.password().isEmpty()) {
			properties.setProperty(DataSourceFactory.JDBC_PASSWORD, s.password());
		}
		return factory.createDataSource(properties);
	}

	private static Connection connect(DataSource dataSource, Settings s) throws SQLException {
		try {
			return dataSource.getConnection();
		} catch (SQLException e) {
			throw new SQLException("Cannot connect to " + redact(s.url()) + (s.user().isEmpty() ? "" : " as user '" + s.user() + "'")
					+ ": " + e.getMessage(), e.getSQLState(), e);
		}
	}

	/**
	 * Chooses the JDBC service: the one whose {@code osgi.jdbc.driver.class} is the configured driver,
	 * or else the first whose driver accepts the URL.
	 */
	private DataSourceFactory dataSourceFactory(Settings s) throws SQLException {
		List<Map.Entry<Map<String, Object>, DataSourceFactory>> factories = dataSourceFactories;
		List<String> drivers = new ArrayList<>();
		for (Map.Entry<Map<String, Object>, DataSourceFactory> entry : factories) {
			String driver = String.valueOf(entry.getKey().get(DataSourceFactory.OSGI_JDBC_DRIVER_CLASS));
			drivers.add(driver);
			if (s.driver().isEmpty() ? entry.getValue().createDriver(new Properties()).acceptsURL(s.url()) : s.driver().equals(driver)) {
				return entry.getValue();
			}
		}
		String available = drivers.isEmpty() ? "none" : String.join(", ", drivers);
		if (s.driver().isEmpty()) {
			throw new SQLException("No JDBC driver accepts " + redact(s.url()) + ": install the bundle of its driver and"
					+ " org.osgi.service.jdbc (drivers available: " + available + ")", "08001");
		}
		throw new SQLException("JDBC driver " + s.driver() + " is not available: install its bundle and"
				+ " org.osgi.service.jdbc (drivers available: " + available + ")", "08001");
	}

	private Settings settings(Config config) {
		String url = config.jdbc_url().trim();
		String problem = null;
		if (url.isEmpty()) {
			if (defaultDatabaseDirectory == null) {
				problem = "jdbc.url is not configured and there is no data directory for the default H2 database";
			} else {
				url = "jdbc:h2:file:" + defaultDatabaseDirectory.resolve("tokens").toAbsolutePath();
			}
		}
		Duration maxAge = null;
		try {
			maxAge = parseAge(config.max_age());
		} catch (IllegalArgumentException e) {
			problem = e.getMessage();
		}
		return new Settings(config.enabled(), config.cron_interval(), url, config.jdbc_user().trim(), config._jdbc_password(),
				config.jdbc_driver().trim(), maxAge, config.schema_create(), problem);
	}

	/**
	 * Parses an age: an ISO-8601 duration ({@code P7D}, {@code PT36H}) or a whole number of days.
	 *
	 * @throws IllegalArgumentException If the text is neither, or the age is not positive.
	 */
	static Duration parseAge(String text) {
		String trimmed = text.trim();
		Duration age;
		try {
			age = trimmed.chars().allMatch(Character::isDigit) && !trimmed.isEmpty()
					? Duration.ofDays(Long.parseLong(trimmed))
					: Duration.parse(trimmed);
		} catch (DateTimeParseException | ArithmeticException | NumberFormatException e) {
			throw new IllegalArgumentException("max.age '" + text + "' is neither an ISO-8601 duration such as P7D or PT36H nor a number of days", e);
		}
		if (age.isNegative() || age.isZero()) {
			throw new IllegalArgumentException("max.age '" + text + "' must be longer than zero");
		}
		return age;
	}

	/** ISO-8601 text of an age, in days when it is whole days: {@code P7D} rather than {@code PT168H}. */
	static String iso(Duration age) {
		return age.toSeconds() % 86_400 == 0 && age.toNanosPart() == 0 ? "P" + age.toDays() + "D" : age.toString();
	}

	private void logSettings(String what) {
		Settings s = settings;
		if (s.problem() != null) {
			log.error("{} not usable, configuration {} is invalid: {}", what, PID, s.problem());
		} else {
			log.info("{} {}, interval '{}', deleting tokens expired more than {} ago from {}", what, s.enabled() ? "enabled" : "disabled",
					s.interval(), iso(s.maxAge()), redact(s.url()));
		}
	}

	/** The URL with any {@code password=} parameter masked, for messages. */
	static String redact(String url) {
		return SECRET_IN_URL.matcher(url).replaceAll("$1***");
	}

	private static Path defaultDatabaseDirectory(BundleContext context) {
		String dataDir = context.getProperty(DATA_DIR_PROPERTY);
		if (dataDir != null && !dataDir.isBlank()) {
			return Path.of(dataDir, "db");
		}
		File area = context.getDataFile("db");
		return area == null ? null : area.toPath();
	}
}
