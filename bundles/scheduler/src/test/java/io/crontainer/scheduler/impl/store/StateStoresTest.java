package io.crontainer.scheduler.impl.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.crontainer.store.api.ClaimResult;
import io.crontainer.store.api.RunState;
import io.crontainer.store.api.StateStore;
import io.crontainer.store.api.StateStoreProvider;
import io.crontainer.store.api.StoreUnavailableException;

class StateStoresTest {

	@TempDir
	Path dir;

	@Test
	void theLocalStoreIsTheDefaultAndAStoreIsNamedPlainly() {
		assertThat(StateStores.storeName(null)).isEqualTo("local");
		assertThat(StateStores.storeName(" PostgreSQL ")).isEqualTo("postgresql");
		assertThatThrownBy(() -> StateStores.storeName("my sql")).hasMessageStartingWith("state.store = 'my sql' is not a "
				+ "store name");
		assertThat(StateStores.missing("postgresql")).contains("install the postgresql feature");
	}

	@Test
	void aProvidedStoreGetsTheDefaultNodeAndAConfigurationItRefusesGivesARefusingStore() throws Exception {
		Map<String, Object> seen = new HashMap<>();
		StateStoreProvider provider = (configuration, clock, imports) -> {
			seen.putAll(configuration);
			throw new IllegalArgumentException("state.store = postgresql needs postgresql.url");
		};
		StateStore store = StateStores.open(provider, Map.of("state.store", "postgresql"), Clock.systemUTC(), dir, null);
		assertThat(seen.get(StateStoreProvider.NODE)).isEqualTo(StateStores.defaultNode(dir));
		assertThat(store.availability()).contains("needs postgresql.url");
		assertThatThrownBy(() -> store.read("x")).isInstanceOf(StoreUnavailableException.class);
	}

	@Test
	void theDefaultNodeIdIsTheHostAndAHashOfTheDataDirectory() {
		String a = StateStores.defaultNode(dir.resolve("a"));
		assertThat(a).matches(".+-[0-9a-f]{6}");
		assertThat(StateStores.defaultNode(dir.resolve("a"))).isEqualTo(a);
		assertThat(StateStores.defaultNode(dir.resolve("b"))).isNotEqualTo(a);
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
