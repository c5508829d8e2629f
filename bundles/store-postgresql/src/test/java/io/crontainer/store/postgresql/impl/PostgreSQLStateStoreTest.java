package io.crontainer.store.postgresql.impl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.service.jdbc.DataSourceFactory;
import org.postgresql.osgi.PGDataSourceFactory;

import io.crontainer.api.runtime.CronRunDTO;
import io.crontainer.api.runtime.Outcome;
import io.crontainer.api.runtime.RerunSplit;
import io.crontainer.api.runtime.Trigger;
import io.crontainer.store.api.Claim;
import io.crontainer.store.api.ClaimRequest;
import io.crontainer.store.api.ClaimResult;
import io.crontainer.store.api.FencedException;
import io.crontainer.store.api.PauseNote;
import io.crontainer.store.api.PendingRetry;
import io.crontainer.store.api.Rerun;
import io.crontainer.store.api.RunState;
import io.crontainer.store.api.StoreUnavailableException;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * What the PostgreSQL store adds to the contract: several nodes on one database, leases, fencing of a
 * late commit, take-over of a killed node's fire time, polls, import, schema versions, an unreachable
 * database. Leases are expired by SQL (as if the holder had stopped renewing) rather than awaited.
 */
class PostgreSQLStateStoreTest {
	private static final PostgreSQLStateStore.Options OPTIONS = new PostgreSQLStateStore.Options(Duration.ofSeconds(20),
			Duration.ofSeconds(5), Duration.ofMillis(200), Duration.ofSeconds(5), 5);
	private static final Instant T1 = Instant.parse("2026-12-01T10:00:00Z");
	private static final Instant T2 = T1.plusSeconds(60);
	private static final Instant END1 = T1.plusNanos(123_456_789);

	private String url;
	private DataSource dataSource;
	private final List<PostgreSQLStateStore> stores = new ArrayList<>();

	@BeforeEach
	void database() {
		url = TestDatabase.createDatabase();
		dataSource = TestDatabase.dataSource(url);
	}

	@AfterEach
	void close() {
		stores.forEach(PostgreSQLStateStore::close);
	}

	private PostgreSQLStateStore node(String node) {
		return node(node, Map.of());
	}

	private PostgreSQLStateStore node(String node, Map<String, RunState> local) {
		PostgreSQLStateStore store = new PostgreSQLStateStore(dataSource, url, node, OPTIONS, () -> local);
		stores.add(store);
		return store;
	}

	private static RunState done(java.util.concurrent.CompletionStage<RunState> stage) throws Exception {
		return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
	}

	private void sql(String sql) throws SQLException {
		try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
			statement.execute(sql);
		}
	}

	/** Ends every lease now, as if its holder had stopped renewing it (killed, paused) long enough. */
	private void expireLeases() throws SQLException {
		sql("UPDATE crontainer_job SET lease_until = now() - interval '1 millisecond' WHERE claim_token IS NOT NULL");
	}

	@Test
	void aFireTimeRunsOnOneNodeAndWindowsTileToTheNanosecondAcrossNodes() throws Exception {
		PostgreSQLStateStore a = node("a");
		PostgreSQLStateStore b = node("b");

		ClaimResult first = a.claim("job", Instant.EPOCH, T1);
		assertThat(first.granted()).isTrue();
		assertThat(first.claim().node()).isEqualTo("a");
		assertThat(first.claim().leaseUntil()).isNotNull();

		ClaimResult busy = b.claim("job", Instant.EPOCH, T1);
		assertThat(busy.granted()).isFalse();
		assertThat(busy.refusal()).startsWith("running on node a (fire time " + T1 + "), its lease holds");

		done(a.commit(first.claim(), END1));
		ClaimResult ranAlready = b.claim("job", END1, T1);
		assertThat(ranAlready.refusal()).isEqualTo("fire time " + T1 + " ran already");

		ClaimResult stale = b.claim("job", Instant.EPOCH, T2);
		assertThat(stale.windowMoved()).isTrue();
		assertThat(stale.current().lastEnd()).isEqualTo(END1); // to the nanosecond
		ClaimResult next = b.claim("job", stale.current().windowStart(), T2);
		assertThat(next.granted()).isTrue();
		done(b.commit(next.claim(), T2.plusMillis(3)));

		assertThat(a.history("job", 10)).extracting(r -> r.node, r -> r.trigger, r -> r.windowStart, r -> r.windowEnd)
				.containsExactly(tuple("b", Trigger.SCHEDULE, END1.toEpochMilli(), T2.plusMillis(3).toEpochMilli()),
						tuple("a", Trigger.SCHEDULE, 0L, END1.toEpochMilli()));
	}

	@Test
	void aPausedNodesLateCommitIsFencedOnceAnotherNodeTookItsWindowOver() throws Exception {
		PostgreSQLStateStore a = node("a");
		PostgreSQLStateStore b = node("b");
		Claim late = a.claim("job", Instant.EPOCH, T1).claim();

		expireLeases(); // a is paused (GC, SIGSTOP) past its lease and renews nothing
		ClaimResult takeOver = b.claim("job", Instant.EPOCH, T1);
		assertThat(takeOver.granted()).as("the same fire time is claimable once the lease expired").isTrue();
		done(b.commit(takeOver.claim(), END1));

		// a wakes up and commits its window over b's: refused, b's end stays.
		assertThatThrownBy(() -> done(a.commit(late, T1.plusSeconds(30)))).hasCauseInstanceOf(FencedException.class)
				.hasMessageContaining("the claim of job on node a was lost");
		assertThat(b.claim("job", END1, null).current().lastEnd()).isEqualTo(END1);
		assertThat(a.history("job", 10)).hasSize(1).first().extracting(r -> r.node).isEqualTo("b");
	}

	@Test
	void twoNodesRetryingADeadNodesFireTimeAtOnceOneWinsTheOtherIsToldWhenToRetry() throws Exception {
		PostgreSQLStateStore a = node("a");
		PostgreSQLStateStore b = node("b");
		PostgreSQLStateStore c = node("c");
		ExecutorService pool = Executors.newFixedThreadPool(2);
		try {
			for (int i = 0; i < 10; i++) {
				String name = "job-" + i;
				a.claim(name, Instant.EPOCH, T1);
				expireLeases(); // a died
				CountDownLatch go = new CountDownLatch(1);
				Future<ClaimResult> fromB = pool.submit(() -> {
					go.await();
					return b.claim(name, Instant.EPOCH, T1);
				});
				Future<ClaimResult> fromC = pool.submit(() -> {
					go.await();
					return c.claim(name, Instant.EPOCH, T1);
				});
				go.countDown();
				ClaimResult byB = fromB.get(10, TimeUnit.SECONDS);
				ClaimResult byC = fromC.get(10, TimeUnit.SECONDS);
				assertThat(byB.granted()).as("exactly one of them").isNotEqualTo(byC.granted());
				ClaimResult loser = byB.granted() ? byC : byB;
				assertThat(loser.elsewhere()).as(loser.refusal()).isTrue();
				assertThat(loser.retryAt()).as("the winner may die too").isAfter(Instant.now().plusSeconds(15));
			}
		} finally {
			pool.shutdownNow();
		}
	}

	@Test
	void aTakeOverRunsOnlyWhenTheHolderDidNotFinish() throws Exception {
		PostgreSQLStateStore a = node("a");
		PostgreSQLStateStore b = node("b");
		Claim held = a.claim("job", Instant.EPOCH, T1).claim();
		ClaimResult overlapped = b.claim("job", Instant.EPOCH, T2); // a's run of T1 still goes at T2
		assertThat(overlapped.elsewhere()).isTrue();
		assertThat(overlapped.retryAt()).as("a may be dead").isNotNull();

		done(a.commit(held, END1)); // a was alive and finished: nothing to take over
		ClaimResult finished = b.claimOver("job", END1, T2);
		assertThat(finished.granted()).isFalse();
		assertThat(finished.elsewhere()).isTrue();
		assertThat(finished.retryAt()).isNull();

		Claim dead = a.claim("job", END1, T2.plusSeconds(60)).claim();
		expireLeases(); // a died with it
		ClaimResult takeOver = b.claimOver("job", END1, T2.plusSeconds(120));
		assertThat(takeOver.granted()).isTrue();
		assertThat(takeOver.claim().windowStart()).isEqualTo(END1);
		assertThatThrownBy(() -> done(a.commit(dead, T2))).hasCauseInstanceOf(FencedException.class);
	}

	@Test
	void aLateCommitIsAcceptedWhenNoOtherNodeTookTheWindow() throws Exception {
		PostgreSQLStateStore a = node("a");
		Claim claim = a.claim("job", Instant.EPOCH, T1).claim();
		expireLeases();
		assertThat(done(a.commit(claim, END1)).lastEnd()).isEqualTo(END1);
	}

	@Test
	void theLeaseThreadRenewsRunningClaimsAndNoticesALostOne() throws Exception {
		PostgreSQLStateStore a = node("a");
		PostgreSQLStateStore b = node("b");
		Claim claim = a.claim("job", Instant.EPOCH, T1).claim();
		a.renewAll();
		assertThat(a.lease(claim)).isEqualTo(Lease.HELD);
		assertThat(b.claim("job", Instant.EPOCH, T1).granted()).isFalse();
		expireLeases();
		Claim taken = b.claim("job", Instant.EPOCH, T1).claim();
		a.renewAll();
		assertThat(a.lease(claim)).as("taken over").isEqualTo(Lease.LOST);
		assertThat(b.lease(taken)).isEqualTo(Lease.HELD);
	}

	@Test
	void aClaimUnconfirmedInAnOutageIsNotLostAndCommitsWhenNoOneTookItOver() throws Exception {
		Outage outage = new Outage(dataSource);
		PostgreSQLStateStore a = new PostgreSQLStateStore(outage, url, "a", new PostgreSQLStateStore.Options(
				Duration.ofSeconds(1), Duration.ofMillis(250), Duration.ofMillis(200), Duration.ofSeconds(5), 5), Map::of);
		stores.add(a);
		Claim claim = a.claim("job", Instant.EPOCH, T1).claim();
		a.renewAll();
		assertThat(a.lease(claim)).isEqualTo(Lease.HELD);

		outage.down = true; // the lease runs out with no renewal confirmed
		Await.until("the lease unconfirmed", () -> a.lease(claim) == Lease.UNCONFIRMED);
		outage.down = false;
		assertThat(done(a.commit(claim, END1)).lastEnd()).as("no one took it over: the window is committed")
				.isEqualTo(END1);
	}

	@Test
	void aReleasedFireTimeIsDoneAndItsWindowLeftToTheNextRunOnAnyNode() throws Exception {
		PostgreSQLStateStore a = node("a");
		PostgreSQLStateStore b = node("b");
		a.release(a.claim("job", Instant.EPOCH, T1).claim());
		assertThat(b.claim("job", Instant.EPOCH, T1).refusal()).contains("ran already");
		ClaimResult next = b.claim("job", Instant.EPOCH, T2);
		assertThat(next.granted()).isTrue();
		assertThat(next.claim().windowStart()).isEqualTo(Instant.EPOCH);
	}

	@Test
	void aPauseIsClusterWideAndAManualFireStillRuns() throws Exception {
		PostgreSQLStateStore a = node("a");
		PostgreSQLStateStore b = node("b");
		List<String> seen = new CopyOnWriteArrayList<>();
		b.listen((name, state) -> seen.add(name + " paused=" + state.paused()));
		a.setPaused("job", true);
		assertThat(b.claim("job", Instant.EPOCH, T1).refusal()).isEqualTo("paused (cluster-wide)");
		assertThat(b.claim("job", Instant.EPOCH, null).granted()).isTrue();
		Await.until("the pause seen by b's poll", () -> seen.contains("job paused=true"));
		assertThat(seen).contains("job paused=true");
		assertThat(b.read("job").paused()).isTrue();
	}

	@Test
	void aPauseNoteAndAPendingRetryAreSeenByEveryNodeAndARetryIsClaimedOnce() throws Exception {
		PostgreSQLStateStore a = node("a");
		PostgreSQLStateStore b = node("b");
		List<RunState> seen = new CopyOnWriteArrayList<>();
		b.listen((name, state) -> seen.add(state));
		PendingRetry retry = new PendingRetry(1, 3, T1.plusSeconds(30), T2);
		a.setRetry("job", Instant.EPOCH, retry);
		Await.until("the retry seen by b's poll", () -> seen.stream().anyMatch(s -> retry.equals(s.retry())));
		assertThat(b.read("job").retry()).isEqualTo(retry);
		ClaimResult first = a.claim("job", Instant.EPOCH, retry.at());
		assertThat(first.granted()).isTrue();
		a.release(first.claim());
		assertThat(b.claim("job", Instant.EPOCH, retry.at()).granted()).as("the retry ran on a").isFalse();

		PauseNote note = new PauseNote("bin/client session 3 (user alice)", T1, "löschen\u001b[2J verboten");
		a.setPaused("job", true, note);
		Await.until("the note seen by b's poll", () -> seen.stream().anyMatch(s -> note.equals(s.pause())));
		assertThat(b.read("job").pause()).isEqualTo(note);
		assertThat(b.read("job").retry()).as("the pause keeps the retry").isEqualTo(retry);
		assertThat(b.claim("job", Instant.EPOCH, T1.plusSeconds(45)).refusal()).isEqualTo("paused (cluster-wide)");
		List<RunState> seenByA = new CopyOnWriteArrayList<>();
		a.listen((name, state) -> seenByA.add(state));
		b.setPaused("job", false);
		Await.until("the resume seen by a's poll", () -> seenByA.stream().anyMatch(s -> !s.paused()));
		assertThat(seenByA.get(seenByA.size() - 1).pause()).isNull();
	}

	@Test
	void theColumnsOfPauseNotesAndRetriesAreAddedToTablesOfAnEarlierRelease() throws Exception {
		node("a").close();
		sql("ALTER TABLE crontainer_job DROP COLUMN paused_by, DROP COLUMN paused_at, DROP COLUMN pause_reason, "
				+ "DROP COLUMN retry_attempt, DROP COLUMN retry_attempts, DROP COLUMN retry_at, DROP COLUMN retry_until");
		sql("INSERT INTO crontainer_job (name, paused) VALUES ('old', true)");
		PostgreSQLStateStore b = node("b");
		assertThat(b.read("old").paused()).isTrue();
		assertThat(b.read("old").pause()).as("paused by an earlier release: no note").isNull();
		PauseNote note = new PauseNote("JMX", T1, null);
		assertThat(b.setPaused("old", true, note).pause()).isEqualTo(note);
		assertThat(node("c").read("old").pause()).isEqualTo(note);
	}

	@Test
	void refusalsWriteInstantsInUtcToTheMillisecond() throws Exception {
		PostgreSQLStateStore a = node("a");
		Instant precise = Instant.parse("2026-12-01T10:00:00.123456Z");
		assertThat(a.claim("job", precise, null).refusal())
				.isEqualTo("the window now starts at 1970-01-01T00:00:00Z, not at 2026-12-01T10:00:00.123Z");
	}

	@Test
	void theHistoryKeepsTheSchedulersViewOfACommittedRunAndItsFailures() throws Exception {
		PostgreSQLStateStore a = node("a");
		Claim claim = a.claim("job", Instant.EPOCH, T1).claim();
		done(a.commit(claim, END1));
		CronRunDTO succeeded = run("job", Trigger.MISFIRE, Outcome.SUCCEEDED, Instant.EPOCH, END1);
		a.appendHistory(succeeded);
		a.appendHistory(run("job", Trigger.SCHEDULE, Outcome.FAILED, END1, END1.plusSeconds(60)));
		Await.until("both history rows", () -> {
			try {
				return a.history("job", 10).size() >= 2;
			} catch (StoreUnavailableException e) {
				throw new AssertionError(e);
			}
		});
		assertThat(a.history("job", 10)).extracting(r -> r.trigger, r -> r.outcome, r -> r.started, r -> r.node)
				.containsExactly(tuple(Trigger.SCHEDULE, Outcome.FAILED, END1.plusSeconds(60).toEpochMilli(), "a"),
						tuple(Trigger.MISFIRE, Outcome.SUCCEEDED, END1.toEpochMilli(), "a"));
	}

	@Test
	void aCommittedRunsLogGoesIntoTheRowItsCommitInsertedAndAnotherNodeReadsIt() throws Exception {
		PostgreSQLStateStore a = node("a");
		Claim claim = a.claim("job", Instant.EPOCH, T1).claim();
		done(a.commit(claim, END1));
		CronRunDTO succeeded = run("job", Trigger.SCHEDULE, Outcome.SUCCEEDED, Instant.EPOCH, END1);
		io.crontainer.api.runtime.CronLogDTO log = log(succeeded, "done on a");
		log.omittedAt = 1;
		a.appendHistory(succeeded, log);
		PostgreSQLStateStore b = node("b");
		Await.until("the log in the database", () -> {
			try {
				return b.log("job", succeeded.started) != null;
			} catch (StoreUnavailableException e) {
				throw new AssertionError(e);
			}
		});
		assertThat(b.log("job", succeeded.started).lines).extracting(l -> l.message).containsExactly("done on a");
		assertThat(b.history("job", 10)).as("the commit's row, completed: not a second one").hasSize(1);
	}

	@Test
	void aDatabaseOfTheFirstReleaseGetsTheLogColumnAtStart() throws Exception {
		node("a");
		try (java.sql.Connection connection = dataSource.getConnection();
				java.sql.Statement statement = connection.createStatement()) {
			statement.execute("ALTER TABLE crontainer_run DROP COLUMN log"); // as the first release created it
		}
		PostgreSQLStateStore b = node("b");
		CronRunDTO failed = run("job", Trigger.SCHEDULE, Outcome.FAILED, Instant.EPOCH, END1);
		io.crontainer.api.runtime.CronLogDTO log = new io.crontainer.api.runtime.CronLogDTO();
		log.lines = List.of();
		b.appendHistory(failed, log);
		Await.until("the log in the database", () -> {
			try {
				return b.log("job", failed.started) != null;
			} catch (StoreUnavailableException e) {
				throw new AssertionError(e);
			}
		});
		assertThat(b.log("job", failed.started).lines).isEmpty();
	}

	/** A run's log of one INFO line, logged by the logger named as the run's plugin, at its start. */
	private static io.crontainer.api.runtime.CronLogDTO log(CronRunDTO run, String message) {
		io.crontainer.api.runtime.CronLogLineDTO line = new io.crontainer.api.runtime.CronLogLineDTO();
		line.time = run.started;
		line.level = "INFO";
		line.logger = run.name;
		line.message = message;
		io.crontainer.api.runtime.CronLogDTO log = new io.crontainer.api.runtime.CronLogDTO();
		log.lines = List.of(line);
		return log;
	}

	private static CronRunDTO run(String name, Trigger trigger, Outcome outcome, Instant start, Instant end) {
		CronRunDTO run = new CronRunDTO();
		run.name = name;
		run.trigger = trigger;
		run.outcome = outcome;
		run.windowStart = start.toEpochMilli();
		run.windowEnd = end.toEpochMilli();
		run.started = end.toEpochMilli();
		run.finished = end.toEpochMilli() + 5;
		run.error = outcome == Outcome.FAILED ? "boom" : null;
		return run;
	}

	@Test
	void theHistoriesOfManyNamesComeInOneQueryNewestFirstPerName() throws Exception {
		PostgreSQLStateStore a = node("a");
		for (int i = 0; i < 4; i++) {
			a.appendHistory(run("x", Trigger.SCHEDULE, Outcome.SUCCEEDED, T1.plusSeconds(i), T1.plusSeconds(i + 1)));
		}
		a.appendHistory(run("y", Trigger.MANUAL, Outcome.FAILED, T1, T2));
		Await.until("the history rows", () -> {
			try {
				return a.history(null, 10).size() >= 5;
			} catch (StoreUnavailableException e) {
				throw new AssertionError(e);
			}
		});
		Map<String, List<CronRunDTO>> all = a.histories(List.of("y", "x", "none", "x"), 3);
		assertThat(all.keySet()).containsExactly("y", "x", "none");
		assertThat(all.get("x")).extracting(r -> r.windowEnd).containsExactly(T1.plusSeconds(4).toEpochMilli(),
				T1.plusSeconds(3).toEpochMilli(), T1.plusSeconds(2).toEpochMilli());
		assertThat(all.get("y")).extracting(r -> r.outcome, r -> r.error).containsExactly(tuple(Outcome.FAILED, "boom"));
		assertThat(all.get("none")).isEmpty();
		assertThat(all.get("x")).usingRecursiveFieldByFieldElementComparator().isEqualTo(a.history("x", 3));
		assertThat(a.histories(List.of(), 3)).isEmpty();
	}

	@Test
	void theHistoryIsTrimmedToTheConfiguredLength() throws Exception {
		PostgreSQLStateStore a = node("a");
		Instant start = Instant.EPOCH;
		for (int i = 1; i <= 8; i++) {
			Claim claim = a.claim("job", start, null).claim();
			start = done(a.commit(claim, T1.plusSeconds(i))).windowStart();
		}
		assertThat(a.history("job", 100)).hasSize(5).first().extracting(r -> r.windowEnd)
				.isEqualTo(T1.plusSeconds(8).toEpochMilli());
	}

	@Test
	void aLongHistoryIsTrimmedOverTheNextCommitsNotInOneDelete() throws Exception {
		PostgreSQLStateStore a = node("a"); // keeps 5
		int old = 300; // as an earlier release that kept more left it
		sql("INSERT INTO crontainer_run (name, node, trigger, outcome, started) "
				+ "SELECT 'job', 'a', 'SCHEDULE', 'SUCCEEDED', now() FROM generate_series(1, " + old + ")");
		Instant start = Instant.EPOCH;
		int rows = old;
		int commits = 0;
		while (rows > 5) {
			Claim claim = a.claim("job", start, null).claim();
			start = done(a.commit(claim, T1.plusSeconds(++commits))).windowStart(); // never fails for the trim
			int now = historyRows("job");
			assertThat(now).as("rows after commit " + commits).isEqualTo(Math.max(5, rows - Repository.TRIM_STEP));
			rows = now;
		}
		assertThat(a.history("job", 100)).hasSize(5).first().extracting(r -> r.windowEnd)
				.isEqualTo(T1.plusSeconds(commits).toEpochMilli());
	}

	private int historyRows(String name) throws SQLException {
		try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
				ResultSet result = statement.executeQuery("SELECT count(*) FROM crontainer_run WHERE name = '" + name + "'")) {
			result.next();
			return result.getInt(1);
		}
	}

	@Test
	void localRecordsAreImportedOnlyWhereTheDatabaseHasNone() throws Exception {
		RunState local = new RunState(END1, true, T1, "? * * * *", 7);
		node("a", Map.of("job", local));
		PostgreSQLStateStore b = node("b", Map.of("job", new RunState(T2, false), "other", new RunState(T2, false)));
		assertThat(b.read("job").atVersion(0)).isEqualTo(local.atVersion(0));
		assertThat(b.read("other").lastEnd()).isEqualTo(T2);
	}

	@Test
	void theSchemaIsCreatedOnceAndANewerVersionIsRefusedWithTheReason() throws Exception {
		node("a");
		node("b");
		try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
				ResultSet result = statement.executeQuery("SELECT version FROM crontainer_schema_version")) {
			assertThat(result.next()).isTrue();
			assertThat(result.getInt(1)).isEqualTo(PostgreSQLSchema.VERSION);
			assertThat(result.next()).isFalse();
		}
		sql("UPDATE crontainer_schema_version SET version = 99");
		PostgreSQLStateStore c = node("c");
		assertThat(c.isAvailable()).isFalse();
		assertThatThrownBy(() -> c.claim("job", Instant.EPOCH, T1)).isInstanceOf(StoreUnavailableException.class)
				.hasMessageContaining("schema version 99").hasMessageContaining("reads version 1 only");
	}

	@Test
	void aDatabaseOfAnEarlierReleaseGetsTheRerunTablesInPlaceAndKeepsItsRecordsAndHistory() throws Exception {
		PostgreSQLStateStore a = node("a");
		done(a.commit(a.claim("job", Instant.EPOCH, T1).claim(), END1));
		a.close();
		sql("DROP TABLE crontainer_rerun"); // as an earlier release left it
		sql("ALTER TABLE crontainer_run DROP COLUMN requested_by");

		PostgreSQLStateStore b = node("b");
		assertThat(b.read("job").lastEnd()).isEqualTo(END1);
		assertThat(b.history("job", 10)).extracting(r -> r.trigger, r -> r.outcome)
				.containsExactly(tuple(Trigger.SCHEDULE, Outcome.SUCCEEDED));
		Rerun rerun = b.startRerun(Rerun.request("job", Instant.EPOCH, END1, RerunSplit.ONCE, null, "UTC", null, "ops",
				T2));
		assertThat(rerun.node()).isEqualTo("b");
		CronRunDTO window = new CronRunDTO();
		window.name = "job";
		window.trigger = Trigger.RERUN;
		window.outcome = Outcome.SUCCEEDED;
		window.windowStart = 0L;
		window.windowEnd = END1.toEpochMilli();
		window.started = T2.toEpochMilli();
		window.finished = T2.toEpochMilli() + 5;
		window.requestedBy = "ops";
		b.appendHistory(window);
		Await.until("the re-run window in the history", () -> {
			try {
				return b.history("job", 10).size() == 2;
			} catch (StoreUnavailableException e) {
				return false;
			}
		});
		assertThat(b.history("job", 1).get(0)).satisfies(r -> {
			assertThat(r.trigger).isEqualTo(Trigger.RERUN);
			assertThat(r.requestedBy).isEqualTo("ops");
			assertThat(r.node).isEqualTo("b");
		});
		try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
				ResultSet result = statement.executeQuery("SELECT version FROM crontainer_schema_version")) {
			result.next();
			assertThat(result.getInt(1)).as("the same version: an earlier release still reads it").isEqualTo(1);
		}
	}

	@Test
	void aRerunRunsOnOneNodeAndIsTakenOverOnceItsHoldersLeaseExpired() throws Exception {
		PostgreSQLStateStore a = node("a");
		PostgreSQLStateStore b = node("b");
		Instant to = T1.plusSeconds(3 * 3600);
		Rerun started = a.startRerun(Rerun.request("job", T1, to, RerunSplit.INTERVAL, "@hourly", "UTC", null, "ops", T2));
		assertThatThrownBy(() -> b.startRerun(Rerun.request("job", T1, to, RerunSplit.ONCE, null, "UTC", null, "ops", T2)))
				.isInstanceOf(IllegalStateException.class).hasMessageContaining("asked by ops");
		assertThat(b.claimRerun("job", started.id())).as("a holds it").isNull();
		assertThat(a.advanceRerun("job", started.id(), T1, T1.plusSeconds(3600), true).done()).isEqualTo(1);
		a.renewAll();
		assertThat(b.claimRerun("job", started.id())).as("a's renewed lease holds").isNull();

		sql("UPDATE crontainer_rerun SET lease_until = now() - interval '1 millisecond'"); // a died
		Rerun taken = b.claimRerun("job", started.id());
		assertThat(taken.node()).isEqualTo("b");
		assertThat(taken.next()).as("from the first window not done").isEqualTo(T1.plusSeconds(3600));
		assertThat(a.advanceRerun("job", started.id(), T1.plusSeconds(3600), T1.plusSeconds(7200), true))
				.as("a's late window is refused").isNull();
		assertThat(a.claimRerun("job", started.id())).as("b holds it now").isNull();

		Rerun cancelled = a.cancelRerun("job");
		assertThat(cancelled.cancelled()).isTrue();
		assertThat(cancelled.inProgress()).as("b ends it after its window").isTrue();
		Rerun last = b.advanceRerun("job", started.id(), T1.plusSeconds(3600), T1.plusSeconds(7200), false);
		assertThat(last.inProgress()).isFalse();
		assertThat(last.failed()).isEqualTo(1);
		assertThat(a.reruns()).singleElement().isEqualTo(last);

		Rerun again = b.startRerun(Rerun.request("job", T1, to, RerunSplit.ONCE, null, "UTC", null, "ops", T2));
		b.releaseRerun("job", again.id());
		assertThat(a.claimRerun("job", again.id())).as("released: free at once").isNotNull();
	}

	/**
	 * A re-run's window and its history row are one transaction: a runtime killed the moment the
	 * window's progress was committed has its row too (before, the row followed through the commit
	 * thread, and was lost), and a transaction that fails keeps neither.
	 */
	@Test
	void aRerunWindowsProgressAndHistoryRowAreKeptTogetherOrNotAtAll() throws Exception {
		Outage outage = new Outage(dataSource);
		PostgreSQLStateStore a = new PostgreSQLStateStore(outage, url, "a", OPTIONS, Map::of);
		stores.add(a);
		PostgreSQLStateStore b = node("b");
		Instant hour = T1.plusSeconds(3600);
		Rerun started = a.startRerun(Rerun.request("job", T1, T1.plusSeconds(2 * 3600), RerunSplit.INTERVAL, "@hourly",
				"UTC", null, "ops", T2));
		CronRunDTO first = run("job", Trigger.RERUN, Outcome.SUCCEEDED, T1, hour);
		first.requestedBy = "ops";
		io.crontainer.api.runtime.CronLogDTO log = log(first, "window 1");

		outage.atCommit = Outage.AtCommit.DOWN_AFTER; // a is killed once the window's transaction committed
		assertThat(a.advanceRerun("job", started.id(), T1, hour, first, log).done()).isEqualTo(1);
		outage.spared = null;
		assertThat(outage.down).as("the window's transaction committed").isTrue();
		assertThat(b.reruns()).singleElement().extracting(Rerun::next, Rerun::done).containsExactly(hour, 1);
		assertThat(b.history("job", 10)).as("the window's row, written with it")
				.extracting(r -> r.trigger, r -> r.outcome, r -> r.windowStart, r -> r.windowEnd, r -> r.node, r -> r.requestedBy)
				.containsExactly(tuple(Trigger.RERUN, Outcome.SUCCEEDED, T1.toEpochMilli(), hour.toEpochMilli(), "a", "ops"));
		assertThat(b.log("job", first.started).lines).extracting(l -> l.message).containsExactly("window 1");

		outage.down = false;
		// a's lease keeper may have found the database down meanwhile: the next call must reach the commit
		Await.until("a available again", Duration.ofSeconds(30), a::isAvailable);
		CronRunDTO second = run("job", Trigger.RERUN, Outcome.FAILED, hour, T1.plusSeconds(2 * 3600));
		outage.atCommit = Outage.AtCommit.DOWN_BEFORE;
		assertThatThrownBy(() -> a.advanceRerun("job", started.id(), hour, T1.plusSeconds(2 * 3600), second, null))
				.isInstanceOf(StoreUnavailableException.class);
		assertThat(outage.atCommit).as("the call reached its commit").isNull();
		assertThat(outage.down).as("the database went down at the commit, before it went through").isTrue();
		assertThat(b.reruns()).singleElement().extracting(Rerun::next, Rerun::failed).containsExactly(hour, 0);
		assertThat(b.history("job", 10)).as("not committed: no row either").hasSize(1);
	}

	@Test
	void aDatabaseRestartIsWaitedOutByCommitsAndClaimsWorkAgainWhenItIsBack(@TempDir Path data) throws Exception {
		int port;
		try (ServerSocket socket = new ServerSocket(0)) {
			port = socket.getLocalPort();
		}
		EmbeddedPostgres own = EmbeddedPostgres.builder().setPort(port).setDataDirectory(data).setCleanDataDirectory(false)
				.start();
		try {
			String ownUrl = "jdbc:postgresql://localhost:" + port + "/postgres";
			PostgreSQLStateStore store = new PostgreSQLStateStore(TestDatabase.dataSource(ownUrl), ownUrl, "a", OPTIONS,
					Map::of);
			stores.add(store);
			Claim claim = store.claim("job", Instant.EPOCH, T1).claim();

			own.close(); // the database goes away mid-run
			CompletableFuture<RunState> commit = store.commit(claim, END1).toCompletableFuture();
			assertThatThrownBy(() -> store.claim("other", Instant.EPOCH, T1)).isInstanceOf(StoreUnavailableException.class);
			assertThat(store.isAvailable()).isFalse();
			assertThat(commit).isNotDone();

			own = EmbeddedPostgres.builder().setPort(port).setDataDirectory(data).setCleanDataDirectory(false).start();
			assertThat(commit.get(30, TimeUnit.SECONDS).lastEnd()).isEqualTo(END1);
			Await.until("the store available again", Duration.ofSeconds(30), store::isAvailable);
			assertThat(store.claim("job", END1, T2).granted()).isTrue();
		} finally {
			own.close();
		}
	}

	@Test
	void nodesClaimingOverlappingBatchesAtOnceGetEachFireTimeOnceAndNeverDeadlock() throws Exception {
		PostgreSQLStateStore a = node("a");
		PostgreSQLStateStore b = node("b");
		List<String> names = new ArrayList<>();
		for (int i = 0; i < 200; i++) {
			names.add("job-" + i);
		}
		a.claimAll(names.stream().map(n -> new ClaimRequest(n, Instant.EPOCH, null)).toList()) // the rows exist
				.forEach(r -> a.release(r.claim()));
		List<String> reversed = new ArrayList<>(names);
		java.util.Collections.reverse(reversed); // b locks in the other order if the statement did not sort
		ExecutorService both = Executors.newFixedThreadPool(2);
		try {
			for (int round = 0; round < 5; round++) {
				Instant fire = T1.plusSeconds(round);
				CountDownLatch go = new CountDownLatch(1);
				Future<List<ClaimResult>> fromA = both.submit(() -> {
					go.await();
					return a.claimAll(names.stream().map(n -> new ClaimRequest(n, Instant.EPOCH, fire)).toList());
				});
				Future<List<ClaimResult>> fromB = both.submit(() -> {
					go.await();
					return b.claimAll(reversed.stream().map(n -> new ClaimRequest(n, Instant.EPOCH, fire)).toList());
				});
				go.countDown();
				List<ClaimResult> all = new ArrayList<>(fromA.get(30, TimeUnit.SECONDS));
				all.addAll(fromB.get(30, TimeUnit.SECONDS));
				assertThat(all.stream().filter(ClaimResult::granted).map(r -> r.claim().name()).sorted().toList())
						.as("round %d: each name granted once", round).isEqualTo(names.stream().sorted().toList());
				for (ClaimResult result : all) {
					if (result.granted()) {
						(result.claim().node().equals("a") ? a : b).release(result.claim());
					}
				}
			}
		} finally {
			both.shutdownNow();
		}
	}

	@Test
	void aLostDatabaseIsToldWithinAPollWithNoClaimAndItsReturnToo() throws Exception {
		Outage outage = new Outage(dataSource);
		PostgreSQLStateStore store = new PostgreSQLStateStore(outage, url, "a", OPTIONS, Map::of); // poll 200 ms
		stores.add(store);
		CountDownLatch lost = new CountDownLatch(1);
		CountDownLatch back = new CountDownLatch(1);
		store.onUnavailable(lost::countDown);
		store.onAvailable(back::countDown);
		assertThat(store.availability()).isNull();

		outage.down = true; // no claim, no commit: only the keeper's poll finds out
		assertThat(lost.await(10, TimeUnit.SECONDS)).as("told of the loss").isTrue();
		assertThat(store.availability()).startsWith("PostgreSQL " + url + " (node a) is unavailable: ")
				.contains("a test outage");
		assertThatThrownBy(() -> store.claim("job", Instant.EPOCH, T1)).isInstanceOf(StoreUnavailableException.class);

		outage.down = false;
		assertThat(back.await(10, TimeUnit.SECONDS)).as("told of the return").isTrue();
		assertThat(store.availability()).isNull();
		assertThat(store.claim("job", Instant.EPOCH, T1).granted()).isTrue();
	}

	@Test
	void anUnreachableDatabaseRefusesClaimsAndIsUsedOnceItIsBack() throws Exception {
		int port;
		try (ServerSocket socket = new ServerSocket(0)) {
			port = socket.getLocalPort();
		}
		Properties properties = new Properties();
		properties.setProperty(DataSourceFactory.JDBC_URL, "jdbc:postgresql://127.0.0.1:" + port + "/none");
		DataSource nowhere = new PGDataSourceFactory().createDataSource(properties);
		PostgreSQLStateStore store = new PostgreSQLStateStore(nowhere, "nowhere", "a", OPTIONS, Map::of);
		stores.add(store);
		assertThat(store.isAvailable()).isFalse();
		assertThatThrownBy(() -> store.claim("job", Instant.EPOCH, T1)).isInstanceOf(StoreUnavailableException.class)
				.hasMessageContaining("Connection to 127.0.0.1:" + port + " refused");
		assertThatThrownBy(() -> store.read("job")).isInstanceOf(StoreUnavailableException.class);
	}
}
