package io.crontainer.scheduler.impl.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.osgi.PGDataSourceFactory;

class StateStoresTest {
	private static final Duration LEASE = Duration.ofSeconds(20);
	private static final Duration POLL = Duration.ofSeconds(2);

	@TempDir
	Path dir;

	private static StateStores.Settings settings(String store, String url) {
		return new StateStores.Settings(store, url, "crontainer", "secret", "", LEASE, POLL);
	}

	@Test
	void theLocalStoreIsTheDefaultAndBadSettingsAreRefusedByName() {
		assertThat(settings(null, null).postgresql()).isFalse();
		assertThat(settings(" PostgreSQL ", "jdbc:postgresql://db/x").postgresql()).isTrue();
		assertThatThrownBy(() -> settings("mysql", "")).hasMessage("state.store = 'mysql' is neither local nor postgresql");
		assertThatThrownBy(() -> settings("postgresql", "")).hasMessageStartingWith("state.store = postgresql needs postgresql.url");
		assertThatThrownBy(() -> new StateStores.Settings("postgresql", "jdbc:postgresql://db/x", "", "", "",
				Duration.ofSeconds(1), POLL)).hasMessageStartingWith("cluster.lease must be at least 2 s");
	}

	@Test
	void theDefaultNodeIdIsTheHostAndAHashOfTheDataDirectory() {
		String a = StateStores.defaultNode(dir.resolve("a"));
		assertThat(a).matches(".+-[0-9a-f]{6}");
		assertThat(StateStores.defaultNode(dir.resolve("a"))).isEqualTo(a);
		assertThat(StateStores.defaultNode(dir.resolve("b"))).isNotEqualTo(a);
	}

	@Test
	void theDriverTakesTheTimeLimitsAndTheApplicationName() throws Exception {
		String url = TestDatabase.createDatabase();
		StateStores.Settings settings = new StateStores.Settings("postgresql", url, "postgres", "", "n1", LEASE, POLL);
		try (Connection connection = new PGDataSourceFactory()
				.createDataSource(StateStores.dataSourceProperties(settings, "n1")).getConnection();
				Statement statement = connection.createStatement();
				ResultSet result = statement.executeQuery("SELECT current_setting('application_name')")) {
			result.next();
			assertThat(result.getString(1)).isEqualTo("crontainer n1");
		}
		assertThat(StateStores.dataSourceProperties(settings(
				"postgresql", "jdbc:postgresql://db/x?connectTimeout=1"), "n1")).doesNotContainKey("connectTimeout")
				.containsEntry("socketTimeout", "30").containsEntry("password", "secret");
		assertThat(StateStores.withoutParameters("jdbc:postgresql://db/x?password=p")).isEqualTo("jdbc:postgresql://db/x");
	}

	@Test
	void theRecordsOfTheLocalStoreAreReadForTheImport() throws Exception {
		Instant end = Instant.parse("2026-12-01T10:00:00.123456789Z");
		try (LocalStateStore local = new LocalStateStore(dir)) {
			ClaimResult claim = local.claim("job", Instant.EPOCH, null);
			local.commit(claim.claim(), end).toCompletableFuture().get(10, TimeUnit.SECONDS);
			local.setPaused("paused", true);
		}
		Map<String, RunState> records = StateStores.localRecords(dir);
		assertThat(records).containsOnlyKeys("job", "paused");
		assertThat(records.get("job").lastEnd()).isEqualTo(end);
		assertThat(records.get("paused").paused()).isTrue();
		assertThat(StateStores.localRecords(dir.resolve("missing"))).isEmpty();
	}
}
