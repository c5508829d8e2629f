package io.crontainer.scheduler.impl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.service.jdbc.DataSourceFactory;
import org.postgresql.osgi.PGDataSourceFactory;

import io.crontainer.api.runtime.CronRunDTO;
import io.crontainer.api.runtime.Outcome;
import io.crontainer.api.runtime.Trigger;

/** The PostgreSQL state store's own rules (claims, leases, fencing, schema), on a real server. */
class PostgreSQLStateStoreTest {
	private static final PostgreSQLStateStore.Options SHORT = new PostgreSQLStateStore.Options(Duration.ofSeconds(2),
			Duration.ofMillis(500), Duration.ofSeconds(5), 5);
	private static final Instant T1 = Instant.parse("2026-12-01T10:00:00Z");
	private static final Instant T2 = T1.plusSeconds(60);
	private static final Instant END1 = T1.plusNanos(123_456_789);

	private DataSource dataSource;
	private final List<PostgreSQLStateStore> stores = new ArrayList<>();

	@BeforeEach
	void database() {
		dataSource = TestDatabase.dataSource(TestDatabase.createDatabase());
	}

	@AfterEach
	void close() {
		stores.forEach(PostgreSQLStateStore::close);
	}

	private PostgreSQLStateStore node(String node) throws Exception {
		PostgreSQLStateStore store = new PostgreSQLStateStore(dataSource, node, SHORT);
		stores.add(store);
		return store;
	}

	private static CronRunDTO run(String name, Trigger trigger, Instant fire) {
		CronRunDTO run = new CronRunDTO();
		run.name = name;
		run.trigger = trigger;
		run.outcome = Outcome.SUCCEEDED;
		run.scheduledFire = fire == null ? null : fire.toEpochMilli();
		run.started = fire == null ? T1.toEpochMilli() : fire.toEpochMilli();
		run.finished = run.started + 5;
		return run;
	}

	private void sql(String sql) throws SQLException {
		try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
			statement.execute(sql);
		}
	}

	/** Ends every lease now, as if the holder had stopped renewing it (killed, paused) long enough. */
	private void expireLeases() throws SQLException {
		sql("UPDATE crontainer_job SET lease_until = now() - interval '1 millisecond' WHERE claim_token IS NOT NULL");
	}

	@Test
	void aClaimedWindowIsCommittedExactlyAndItsFireTimeRunsOnOneNodeOnly() throws Exception {
		PostgreSQLStateStore a = node("a");
		PostgreSQLStateStore b = node("b");

		PostgreSQLStateStore.ClaimResult claimed = a.claim("job", null, true, T1);
		assertThat(claimed.claimed()).isTrue();
		assertThat(claimed.claim().start()).isNull();

		PostgreSQLStateStore.ClaimResult refused = b.claim("job", null, true, T1);
		assertThat(refused.claimed()).isFalse();
		assertThat(refused.holder()).isEqualTo("a");
		assertThat(refused.holderFire()).isEqualTo(T1);
		assertThat(refused.leaseLeft()).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(2));

		assertThat(a.commit(claimed.claim(), END1, run("job", Trigger.SCHEDULE, T1)).toCompletableFuture()
				.get(10, TimeUnit.SECONDS)).isTrue();
		assertThat(b.read("job").lastEnd()).isEqualTo(END1); // to the nanosecond

		PostgreSQLStateStore.ClaimResult again = b.claim("job", null, true, T1);
		assertThat(again.claimed()).isFalse();
		assertThat(again.reason()).contains("already ran").contains("on a");

		PostgreSQLStateStore.ClaimResult next = b.claim("job", null, true, T2);
		assertThat(next.claim().start()).isEqualTo(END1);
		assertThat(b.commit(next.claim(), T2.plusMillis(3), run("job", Trigger.SCHEDULE, T2)).toCompletableFuture()
				.get(10, TimeUnit.SECONDS)).isTrue();

		assertThat(a.history("job", 10)).extracting(r -> r.node, r -> r.windowStart, r -> r.windowEnd).containsExactly(
				org.assertj.core.groups.Tuple.tuple("b", END1.toEpochMilli(), T2.plusMillis(3).toEpochMilli()),
				org.assertj.core.groups.Tuple.tuple("a", 0L, END1.toEpochMilli()));
	}

	@Test
	void aLateCommitOfANodeWhoseLeaseWasTakenOverIsRefused() throws Exception {
		PostgreSQLStateStore a = node("a");
		PostgreSQLStateStore b = node("b");
		PostgreSQLStateStore.Claim first = a.claim("job", null, true, T1).claim();

		expireLeases(); // a is paused (GC, SIGSTOP) past its lease: it renews nothing
		PostgreSQLStateStore.ClaimResult takeOver = b.claim("job", null, true, T1);
		assertThat(takeOver.claimed()).as("the same fire time is claimable once the lease expired").isTrue();
		assertThat(takeOver.claim().start()).isNull();
		assertThat(b.commit(takeOver.claim(), END1, run("job", Trigger.SCHEDULE, T1)).toCompletableFuture()
				.get(10, TimeUnit.SECONDS)).isTrue();

		// a wakes up and commits its window over b's: refused, b's end stays.
		assertThat(a.commit(first, T1.plusSeconds(30), run("job", Trigger.SCHEDULE, T1)).toCompletableFuture()
				.get(10, TimeUnit.SECONDS)).isFalse();
		assertThat(a.read("job").lastEnd()).isEqualTo(END1);
		assertThat(a.history("job", 10)).first().satisfies(r -> {
			assertThat(r.node).isEqualTo("a");
			assertThat(r.outcome).isEqualTo(Outcome.FAILED);
			assertThat(r.error).contains("claim was lost");
		});
	}

	@Test
	void aLateCommitIsAcceptedWhenNoOtherNodeTookTheWindow() throws Exception {
		PostgreSQLStateStore a = node("a");
		PostgreSQLStateStore.Claim claim = a.claim("job", null, true, T1).claim();
		expireLeases();
		assertThat(a.commit(claim, END1, run("job", Trigger.SCHEDULE, T1)).toCompletableFuture().get(10, TimeUnit.SECONDS))
				.isTrue();
		assertThat(a.read("job").lastEnd()).isEqualTo(END1);
	}

	@Test
	void theRenewalKeepsALongRunsClaimAndNoticesWhenItIsLost() throws Exception {
		PostgreSQLStateStore a = node("a");
		PostgreSQLStateStore b = node("b");
		PostgreSQLStateStore.Claim claim = a.claim("job", null, true, T1).claim();
		for (int i = 0; i < 3; i++) {
			a.renewNow();
			assertThat(b.claim("job", null, true, T1).claimed()).isFalse();
		}
		expireLeases();
		PostgreSQLStateStore.Claim taken = b.claim("job", null, true, T1).claim();
		assertThat(taken).isNotNull();
		a.renewNow();
		assertThat(a.isLost(claim)).isTrue();
		assertThat(b.commit(taken, END1, run("job", Trigger.SCHEDULE, T1)).toCompletableFuture().get(10, TimeUnit.SECONDS))
				.isTrue();
	}

	@Test
	void aReleasedClaimLeavesItsWindowAndDoneItsFireTime() throws Exception {
		PostgreSQLStateStore a = node("a");
		PostgreSQLStateStore b = node("b");
		PostgreSQLStateStore.Claim claim = a.claim("job", null, true, T1).claim();
		CronRunDTO failed = run("job", Trigger.SCHEDULE, T1);
		failed.outcome = Outcome.FAILED;
		failed.error = "boom";
		a.release(claim, failed).toCompletableFuture().get(10, TimeUnit.SECONDS);
		assertThat(b.claim("job", null, true, T1).reason()).contains("already ran");
		PostgreSQLStateStore.ClaimResult next = b.claim("job", null, true, T2);
		assertThat(next.claim().start()).as("the failed window is left to the next run").isNull();
		assertThat(b.history("job", 1)).first().satisfies(r -> {
			assertThat(r.outcome).isEqualTo(Outcome.FAILED);
			assertThat(r.error).isEqualTo("boom");
		});
	}

	@Test
	void aPausedPluginIsNotClaimedForAFireTimeButByHand() throws Exception {
		PostgreSQLStateStore a = node("a");
		PostgreSQLStateStore b = node("b");
		a.update("job", s -> s.withPaused(true));
		assertThat(b.claim("job", null, true, T1).reason()).isEqualTo("paused");
		assertThat(b.claim("job", null, true, null).claimed()).isTrue();
	}

	@Test
	void aResetDropsTheLiveClaimSoTheRunCannotCommit() throws Exception {
		PostgreSQLStateStore a = node("a");
		PostgreSQLStateStore b = node("b");
		PostgreSQLStateStore.Claim claim = a.claim("job", null, true, T1).claim();
		b.update("job", s -> s.withLastEnd(T1.minusSeconds(3600)));
		assertThat(a.commit(claim, END1, run("job", Trigger.SCHEDULE, T1)).toCompletableFuture().get(10, TimeUnit.SECONDS))
				.isFalse();
		assertThat(b.read("job").lastEnd()).isEqualTo(T1.minusSeconds(3600));
	}

	@Test
	void anExpectedStartThatIsStaleIsRefused() throws Exception {
		PostgreSQLStateStore a = node("a");
		a.importIfAbsent("job", new RunState(END1, false));
		assertThat(a.claim("job", T1, false, T1).reason()).startsWith("stale");
		assertThat(a.claim("job", END1, false, T1).claim().start()).isEqualTo(END1);
	}

	@Test
	void aLocalRecordIsImportedOnlyWhenTheDatabaseHasNone() throws Exception {
		PostgreSQLStateStore a = node("a");
		RunState local = new RunState(END1, true).withAnchor(T1, "? * * * *");
		assertThat(a.importIfAbsent("job", local)).isTrue();
		assertThat(a.importIfAbsent("job", RunState.NEW)).isFalse();
		assertThat(a.read("job")).isEqualTo(local);
		assertThat(a.loadAll()).containsOnlyKeys("job");
	}

	@Test
	void historyIsTrimmedToTheConfiguredLength() throws Exception {
		PostgreSQLStateStore a = node("a");
		for (int i = 0; i < 8; i++) {
			a.record(run("job", Trigger.SCHEDULE, T1.plusSeconds(i))).toCompletableFuture().get(10, TimeUnit.SECONDS);
		}
		assertThat(a.history("job", 100)).hasSize(5).first().extracting(r -> r.scheduledFire)
				.isEqualTo(T1.plusSeconds(7).toEpochMilli());
	}

	@Test
	void changesOfOtherNodesAreSeenByAPoll() throws Exception {
		PostgreSQLStateStore a = node("a");
		PostgreSQLStateStore b = node("b");
		a.importIfAbsent("one", RunState.NEW);
		a.importIfAbsent("two", RunState.NEW);
		PostgreSQLStateStore.Changes all = b.changesSince(null, Duration.ZERO);
		assertThat(all.rows()).containsOnlyKeys("one", "two");
		Thread.sleep(5); // the database clock must move past the poll
		a.update("two", s -> s.withPaused(true));
		PostgreSQLStateStore.Changes changed = b.changesSince(all.now(), Duration.ZERO);
		assertThat(changed.rows()).containsOnlyKeys("two");
		assertThat(changed.rows().get("two").state().paused()).isTrue();
	}

	@Test
	void theSchemaIsCreatedOnceAndANewerVersionIsRefused() throws Exception {
		node("a");
		node("b");
		try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
				ResultSet result = statement.executeQuery("SELECT version FROM crontainer_schema_version")) {
			assertThat(result.next()).isTrue();
			assertThat(result.getInt(1)).isEqualTo(PostgreSQLSchema.VERSION);
			assertThat(result.next()).isFalse();
		}
		sql("UPDATE crontainer_schema_version SET version = 99");
		assertThatThrownBy(() -> node("c")).isInstanceOf(PostgreSQLSchema.IncompatibleSchemaException.class)
				.hasMessageContaining("schema version 99").hasMessageContaining("reads version 1 only");
	}

	@Test
	void anUnreachableDatabaseIsAClearError() throws Exception {
		Properties properties = new Properties();
		int port;
		try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
			port = socket.getLocalPort();
		}
		properties.setProperty(DataSourceFactory.JDBC_URL, "jdbc:postgresql://127.0.0.1:" + port + "/none?connectTimeout=2");
		DataSource nowhere = new PGDataSourceFactory().createDataSource(properties);
		assertThatThrownBy(() -> new PostgreSQLStateStore(nowhere, "a", SHORT))
				.isInstanceOf(StoreUnavailableException.class).hasMessageStartingWith("PostgreSQL: cannot create or check the tables")
				.hasMessageContaining("Connection to 127.0.0.1:" + port + " refused");
	}
}
