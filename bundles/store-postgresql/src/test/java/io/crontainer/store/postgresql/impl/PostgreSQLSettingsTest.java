package io.crontainer.store.postgresql.impl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.postgresql.osgi.PGDataSourceFactory;

/** The settings read from the scheduler's configuration, and what the driver is given. */
class PostgreSQLSettingsTest {

	private static Map<String, Object> configuration(String url) {
		return Map.of("postgresql.url", url, "postgresql.user", "crontainer", ".postgresql.password", "secret",
				"cluster.node", "n1");
	}

	@Test
	void badSettingsAreRefusedByNameAndDurationsTakeTheirDefaults() {
		PostgreSQLSettings settings = PostgreSQLSettings.of(configuration("jdbc:postgresql://db/x"));
		assertThat(settings.lease()).isEqualTo(Duration.ofSeconds(20));
		assertThat(settings.poll()).isEqualTo(Duration.ofSeconds(2));
		assertThat(settings.options().renewEvery()).isEqualTo(Duration.ofSeconds(5));
		assertThat(PostgreSQLSettings.of(Map.of("postgresql.url", "jdbc:postgresql://db/x", "cluster.node", "n",
				"cluster.lease", "8", "cluster.poll", 1L)).options()).satisfies(o -> {
					assertThat(o.lease()).isEqualTo(Duration.ofSeconds(8));
					assertThat(o.renewEvery()).isEqualTo(Duration.ofSeconds(2));
					assertThat(o.poll()).isEqualTo(Duration.ofSeconds(1));
				});
		assertThatThrownBy(() -> PostgreSQLSettings.of(Map.of("cluster.node", "n")))
				.hasMessageStartingWith("state.store = postgresql needs postgresql.url");
		assertThatThrownBy(() -> PostgreSQLSettings.of(Map.of("postgresql.url", "jdbc:postgresql://db/x",
				"cluster.node", "n", "cluster.lease", "1"))).hasMessageStartingWith("cluster.lease must be at least 2 s");
		assertThatThrownBy(() -> PostgreSQLSettings.of(Map.of("postgresql.url", "jdbc:postgresql://db/x",
				"cluster.node", "n", "cluster.lease", "soon"))).hasMessageStartingWith("cluster.lease must be a whole");
		assertThat(settings.toString()).doesNotContain("secret");
	}

	@Test
	void theDatabaseKeepsAsManyRunsAsTheLocalStoreUnlessSetOtherwise() {
		assertThat(PostgreSQLSettings.of(configuration("jdbc:postgresql://db/x")).options().historyKept()).isEqualTo(100);
		assertThat(PostgreSQLSettings.of(Map.of("postgresql.url", "jdbc:postgresql://db/x", "cluster.node", "n",
				"cluster.history.kept", 1000)).options().historyKept()).isEqualTo(1000);
		assertThatThrownBy(() -> PostgreSQLSettings.of(Map.of("postgresql.url", "jdbc:postgresql://db/x",
				"cluster.node", "n", "cluster.history.kept", "0"))).hasMessage("cluster.history.kept must be at least 1: 0");
		assertThatThrownBy(() -> PostgreSQLSettings.of(Map.of("postgresql.url", "jdbc:postgresql://db/x",
				"cluster.node", "n", "cluster.history.kept", "many")))
				.hasMessage("cluster.history.kept must be a whole number of runs: 'many'");
	}

	@Test
	void theDriverTakesTheTimeLimitsAndTheApplicationName() throws Exception {
		String url = TestDatabase.createDatabase();
		PostgreSQLSettings settings = PostgreSQLSettings.of(Map.of("postgresql.url", url, "postgresql.user", "postgres",
				"cluster.node", "n1"));
		try (Connection connection = new PGDataSourceFactory().createDataSource(settings.dataSourceProperties())
				.getConnection();
				Statement statement = connection.createStatement();
				ResultSet result = statement.executeQuery("SELECT current_setting('application_name')")) {
			result.next();
			assertThat(result.getString(1)).isEqualTo("crontainer n1");
		}
		assertThat(PostgreSQLSettings.of(configuration("jdbc:postgresql://db/x?connectTimeout=1")).dataSourceProperties())
				.doesNotContainKey("connectTimeout").containsEntry("socketTimeout", "30").containsEntry("password", "secret");
		assertThat(PostgreSQLSettings.of(configuration("jdbc:postgresql://db/x?password=p")).urlWithoutParameters())
				.isEqualTo("jdbc:postgresql://db/x");
	}
}
