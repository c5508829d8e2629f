package io.crontainer.examples.tokencleaner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import javax.sql.DataSource;

import org.h2.tools.Server;
import org.h2.util.OsgiDataSourceFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.service.jdbc.DataSourceFactory;
import org.osgi.util.converter.Converters;

import io.crontainer.api.CronPlugin;

/**
 * Runs the token cleaner against a real H2 database, reached through H2's own
 * {@link DataSourceFactory} as in the runtime, without a framework.
 */
class TokenCleanerTest {

	private static final Instant END = Instant.parse("2026-11-29T12:00:00Z");
	private static final Duration DAY = Duration.ofDays(1);

	@TempDir
	Path dataDir;

	private final RecordingLogger log = new RecordingLogger();
	private final DataSourceFactory h2 = new OsgiDataSourceFactory(new org.h2.Driver());
	private final String memoryUrl = "jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";

	private static TokenCleaner.Config config(Map<String, Object> properties) {
		return Converters.standardConverter().convert(properties).to(TokenCleaner.Config.class);
	}

	private TokenCleaner cleaner(Map<String, Object> properties) {
		Map<String, Object> withDefaults = new HashMap<>(Map.of("enabled", true));
		withDefaults.putAll(properties);
		TokenCleaner cleaner = new TokenCleaner(config(withDefaults), dataDir.resolve("db"), log);
		cleaner.dataSourceFactories = List.of(Map.entry(Map.of(DataSourceFactory.OSGI_JDBC_DRIVER_CLASS, "org.h2.Driver"), h2));
		return cleaner;
	}

	private Connection connect(String url) throws SQLException {
		return connect(url, "", "");
	}

	private Connection connect(String url, String user, String password) throws SQLException {
		Properties properties = new Properties();
		properties.setProperty(DataSourceFactory.JDBC_URL, url);
		properties.setProperty(DataSourceFactory.JDBC_USER, user);
		properties.setProperty(DataSourceFactory.JDBC_PASSWORD, password);
		DataSource dataSource = h2.createDataSource(properties);
		return dataSource.getConnection();
	}

	private void seed(String url) throws SQLException {
		seed(url, "", "");
	}

	private void seed(String url, String user, String password) throws SQLException {
		try (Connection connection = connect(url, user, password)) {
			TokenStore.createSchema(connection);
			SeedTokens.insert(connection, END);
		}
	}

	@Test
	void deletesAccessTokensExpiredMoreThanAWeekBeforeEndWithTheirRefreshTokens() throws Exception {
		seed(memoryUrl);
		TokenCleaner cleaner = cleaner(Map.of("jdbc.url", memoryUrl));

		cleaner.run(CronPlugin.EPOCH, END);

		try (Connection connection = connect(memoryUrl)) {
			assertThat(SeedTokens.ids(connection, "access_tokens")).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L);
			assertThat(SeedTokens.ids(connection, "refresh_tokens")).containsExactly(1000L, 1001L, 1002L, 1003L, 1004L, 1005L, 1006L, 1007L);
		}
		assertThat(log.lines).last().isEqualTo("INFO Deleted 92 access tokens that expired before 2026-11-22T12:00:00Z"
				+ " and their 92 refresh tokens from " + memoryUrl);
	}

	@Test
	void keepsATokenThatExpiredExactlyMaxAgeBeforeEnd() throws Exception {
		try (Connection connection = connect(memoryUrl)) {
			TokenStore.createSchema(connection);
			try (PreparedStatement insert = connection.prepareStatement(
					"INSERT INTO access_tokens (id, access_token, created_at, expires_at) VALUES (?, ?, ?, ?)")) {
				Instant cutoff = END.minus(Duration.ofHours(36));
				insert.setLong(1, 1);
				insert.setString(2, "at-cutoff");
				insert.setObject(3, SeedTokens.utc(cutoff.minus(DAY)));
				insert.setObject(4, SeedTokens.utc(cutoff));
				insert.executeUpdate();
				insert.setLong(1, 2);
				insert.setString(2, "before-cutoff");
				insert.setObject(3, SeedTokens.utc(cutoff.minus(DAY)));
				insert.setObject(4, SeedTokens.utc(cutoff.minusSeconds(1)));
				insert.executeUpdate();
			}
		}

		cleaner(Map.of("jdbc.url", memoryUrl, "max.age", "PT36H")).run(CronPlugin.EPOCH, END);

		try (Connection connection = connect(memoryUrl)) {
			assertThat(SeedTokens.ids(connection, "access_tokens")).containsExactly(1L);
		}
	}

	@Test
	void createsTheDefaultH2DatabaseWithItsSchemaOnFirstUse() throws Exception {
		TokenCleaner cleaner = cleaner(Map.of());

		cleaner.run(CronPlugin.EPOCH, END);
		cleaner.run(END, END.plus(Duration.ofHours(1)));

		assertThat(dataDir.resolve("db/tokens.mv.db")).isRegularFile();
		try (Connection connection = connect("jdbc:h2:file:" + dataDir.resolve("db/tokens"))) {
			assertThat(SeedTokens.ids(connection, "access_tokens")).isEmpty();
			assertThat(SeedTokens.ids(connection, "refresh_tokens")).isEmpty();
		}
		assertThat(log.lines).last().asString().startsWith("INFO Deleted 0 access tokens");
	}

	@Test
	void aDatabaseReplacedBetweenRunsGetsItsSchemaAgain() throws Exception {
		TokenCleaner cleaner = cleaner(Map.of());
		cleaner.run(CronPlugin.EPOCH, END);
		Files.delete(dataDir.resolve("db/tokens.mv.db"));

		assertThatThrownBy(() -> cleaner.run(END, END.plus(Duration.ofHours(1))))
				.isInstanceOf(SQLException.class)
				.hasMessageContaining("Table \"REFRESH_TOKENS\" not found");
		cleaner.run(END, END.plus(Duration.ofHours(2)));

		assertThat(log.lines).last().asString().startsWith("INFO Deleted 0 access tokens");
	}

	@Test
	void anUnreachableDatabaseFailsTheRunWithAClearErrorAndTheWindowIsRetried() throws Exception {
		Path baseDir = Files.createDirectories(dataDir.resolve("server"));
		int port = freePort();
		String url = "jdbc:h2:tcp://127.0.0.1:" + port + "/tokens";
		Server server = Server.createTcpServer("-tcpPort", Integer.toString(port), "-baseDir", baseDir.toString(), "-ifNotExists").start();
		try {
			seed(url, "cleaner", "s3cret");
		} finally {
			server.stop();
		}
		TokenCleaner cleaner = cleaner(Map.of("jdbc.url", url, "jdbc.user", "cleaner", ".jdbc.password", "s3cret"));
		Instant start = END.minus(Duration.ofHours(1));

		assertThatThrownBy(() -> cleaner.run(start, END))
				.isInstanceOf(SQLException.class)
				.hasMessageStartingWith("Cannot connect to " + url + " as user 'cleaner': ")
				.hasMessageContaining("Connection refused");

		// The scheduler hands the failed window to the next run: [start, later end).
		server = Server.createTcpServer("-tcpPort", Integer.toString(port), "-baseDir", baseDir.toString()).start();
		try {
			cleaner.run(start, END.plus(Duration.ofHours(1)));
			try (Connection connection = connect(url, "cleaner", "s3cret")) {
				assertThat(SeedTokens.ids(connection, "access_tokens")).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L);
				assertThat(SeedTokens.ids(connection, "refresh_tokens")).hasSize(8);
			}
		} finally {
			server.stop();
		}
	}

	@Test
	void aFailedDeleteRollsBackEverything() throws Exception {
		seed(memoryUrl);
		try (Connection connection = connect(memoryUrl); Statement statement = connection.createStatement()) {
			// Another table still refers to an expired access token: its delete must fail.
			statement.execute("CREATE TABLE sessions (id BIGINT PRIMARY KEY, access_token_id BIGINT REFERENCES access_tokens (id))");
			statement.execute("INSERT INTO sessions VALUES (1, 50)");
		}
		TokenCleaner cleaner = cleaner(Map.of("jdbc.url", memoryUrl));

		assertThatThrownBy(() -> cleaner.run(CronPlugin.EPOCH, END))
				.isInstanceOf(SQLException.class)
				.hasMessageStartingWith("Deleting expired tokens from " + memoryUrl + " failed, nothing was deleted: ");

		try (Connection connection = connect(memoryUrl)) {
			assertThat(SeedTokens.ids(connection, "access_tokens")).hasSize(100);
			assertThat(SeedTokens.ids(connection, "refresh_tokens")).hasSize(100);
		}
	}

	@Test
	void aMissingDriverIsAClearError() {
		TokenCleaner byUrl = cleaner(Map.of("jdbc.url", "jdbc:postgresql://db.example.com/tokens?user=x&password=secret"));
		assertThatThrownBy(() -> byUrl.run(CronPlugin.EPOCH, END))
				.isInstanceOf(SQLException.class)
				.hasMessage("No JDBC driver accepts jdbc:postgresql://db.example.com/tokens?user=x&password=***:"
						+ " install the bundle of its driver and org.osgi.service.jdbc (drivers available: org.h2.Driver)");

		TokenCleaner byDriver = cleaner(Map.of("jdbc.driver", "org.postgresql.Driver"));
		byDriver.dataSourceFactories = List.of();
		assertThatThrownBy(() -> byDriver.run(CronPlugin.EPOCH, END))
				.isInstanceOf(SQLException.class)
				.hasMessage("JDBC driver org.postgresql.Driver is not available: install its bundle and"
						+ " org.osgi.service.jdbc (drivers available: none)");
	}

	@Test
	void isDisabledUntilConfiguredAndRunsHourlyAtTheMinuteItWasScheduled() {
		TokenCleaner cleaner = new TokenCleaner(config(Map.of()), dataDir, log);

		assertThat(cleaner.enabled()).isFalse();
		assertThat(cleaner.interval()).isEqualTo("? * * * *");

		cleaner.modified(config(Map.of("enabled", "true", "cron.interval", "15 * * * *")));
		assertThat(cleaner.enabled()).isTrue();
		assertThat(cleaner.interval()).isEqualTo("15 * * * *");
	}

	@Test
	void anInvalidMaxAgeMakesTheEnabledPluginInvalidWithTheReason() {
		TokenCleaner cleaner = cleaner(Map.of("max.age", "a week"));

		assertThatThrownBy(cleaner::enabled)
				.isInstanceOf(IllegalStateException.class)
				.hasMessage("max.age 'a week' is neither an ISO-8601 duration such as P7D or PT36H nor a number of days");
		assertThat(log.lines).first().isEqualTo("ERROR Token cleaner not usable, configuration io.crontainer.examples.tokencleaner is invalid: "
				+ "max.age 'a week' is neither an ISO-8601 duration such as P7D or PT36H nor a number of days");
	}

	@Test
	void parsesAnAgeAsAnIsoDurationOrDays() {
		assertThat(TokenCleaner.iso(Duration.ofDays(7))).isEqualTo("P7D");
		assertThat(TokenCleaner.iso(Duration.ofHours(36))).isEqualTo("PT36H");
		assertThat(TokenCleaner.parseAge("P7D")).isEqualTo(Duration.ofDays(7));
		assertThat(TokenCleaner.parseAge(" PT36H ")).isEqualTo(Duration.ofHours(36));
		assertThat(TokenCleaner.parseAge("14")).isEqualTo(Duration.ofDays(14));
		assertThatThrownBy(() -> TokenCleaner.parseAge("P0D")).hasMessage("max.age 'P0D' must be longer than zero");
		assertThatThrownBy(() -> TokenCleaner.parseAge("")).isInstanceOf(IllegalArgumentException.class);
	}

	@Test
	void neverShowsAPasswordInAUrl() {
		assertThat(TokenCleaner.redact("jdbc:postgresql://h/db?user=u&password=s3cret&ssl=true"))
				.isEqualTo("jdbc:postgresql://h/db?user=u&password=***&ssl=true");
		assertThat(TokenCleaner.redact("jdbc:h2:tcp://h/db;PASSWORD=s3cret;CIPHER=AES"))
				.isEqualTo("jdbc:h2:tcp://h/db;PASSWORD=***;CIPHER=AES");
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}
}
