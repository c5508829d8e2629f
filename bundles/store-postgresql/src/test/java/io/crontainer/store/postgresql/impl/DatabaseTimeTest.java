package io.crontainer.store.postgresql.impl;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.crontainer.store.api.Claim;
import io.crontainer.store.api.ClaimRequest;
import io.crontainer.store.api.ClaimResult;
import io.crontainer.store.api.RunState;
import io.crontainer.store.api.StateStore;

/**
 * Database time, not node time: nodes whose clocks are minutes off the database's (a {@link Clock}
 * offset from the system clock, which the embedded server shares) claim at the database's time, are
 * sent back while a fire time is not due there, anchor at the database's time, and see their skew
 * measured and warned of.
 */
class DatabaseTimeTest {
	private static final PostgreSQLStateStore.Options OPTIONS = new PostgreSQLStateStore.Options(Duration.ofSeconds(20),
			Duration.ofSeconds(5), Duration.ofMillis(100), Duration.ofSeconds(5), 10);
	private static final Duration OFF = Duration.ofMinutes(5);

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

	private PostgreSQLStateStore node(String node, Clock clock) {
		PostgreSQLStateStore store = new PostgreSQLStateStore(dataSource, url, node, OPTIONS, clock, Map::of);
		stores.add(store);
		return store;
	}

	/** The database's clock now. */
	private Instant databaseNow() throws SQLException {
		try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
				ResultSet result = statement.executeQuery("SELECT clock_timestamp()")) {
			result.next();
			return result.getTimestamp(1).toInstant();
		}
	}

	private static Clock off(Duration by) {
		return Clock.offset(Clock.systemUTC(), by);
	}

	private static RunState done(java.util.concurrent.CompletionStage<RunState> stage) throws Exception {
		return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
	}

	@Test
	void claimsAreTimedByTheDatabaseAndTheirWindowsTileWhateverTheNodesClocksSay() throws Exception {
		PostgreSQLStateStore late = node("late", off(OFF.negated()));
		PostgreSQLStateStore early = node("early", off(OFF));
		Instant start = Instant.EPOCH;
		for (int i = 0; i < 6; i++) {
			PostgreSQLStateStore store = i % 2 == 0 ? late : early;
			Instant before = databaseNow();
			ClaimResult result = store.claim("job", start, null); // fired by hand: no fire time to be due
			Instant after = databaseNow();
			assertThat(result.granted()).as(result.refusal()).isTrue();
			Claim claim = result.claim();
			assertThat(claim.claimedAt()).as("the database's time at the claim, not node %s's", claim.node())
					.isBetween(before, after);
			Instant end = claim.windowEnd(store == late ? Instant.now().minus(OFF) : Instant.now().plus(OFF));
			assertThat(end).isEqualTo(claim.claimedAt()).isAfter(start);
			assertThat(done(store.commit(claim, end)).lastEnd()).isEqualTo(end);
			start = end;
		}
		assertThat(late.history("job", 10)).extracting(r -> r.node).hasSize(6).containsOnly("late", "early");
	}

	@Test
	void aFireTimeNotDueOnTheDatabasesClockIsSentBackUntilItIsAndThenClaimedPlainly() throws Exception {
		PostgreSQLStateStore early = node("early", off(OFF));
		PostgreSQLStateStore right = node("right", Clock.systemUTC());
		Instant fire = databaseNow().plusMillis(800).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);

		ClaimResult tooEarly = early.claim("job", Instant.EPOCH, fire);
		assertThat(tooEarly.granted()).isFalse();
		assertThat(tooEarly.elsewhere()).isTrue();
		assertThat(tooEarly.refusal()).contains("not due yet on the database's clock");
		assertThat(tooEarly.retryAt()).as("on the early node's clock, when the fire time is due")
				.isBetween(fire.plus(OFF).minusSeconds(2), fire.plus(OFF).plusSeconds(1));
		ClaimResult batch = early.claimAll(List.of(new ClaimRequest("job", Instant.EPOCH, fire))).get(0);
		assertThat(batch.refusal()).as("a batch claim too").contains("not due yet");
		assertThat(right.claim("job", Instant.EPOCH, fire).refusal()).as("nor is it for a node whose clock is right")
				.contains("not due yet");

		Await.until("the fire time is due on the database's clock", () -> {
			try {
				return !databaseNow().isBefore(fire);
			} catch (SQLException e) {
				throw new IllegalStateException(e);
			}
		});
		ClaimResult retried = early.claimOver("job", Instant.EPOCH, fire);
		assertThat(retried.granted()).as("a plain claim, though no claim was there to take over: " + retried.refusal())
				.isTrue();
		assertThat(retried.claim().claimedAt()).isAfterOrEqualTo(fire.minus(Repository.DUE_TOLERANCE));
		done(early.commit(retried.claim(), retried.claim().claimedAt()));

		ClaimResult overAgain = early.claimOver("job", retried.claim().claimedAt(), fire.plusMillis(1));
		assertThat(overAgain.granted()).as("a fire time never sent back is a take-over: nothing to take over").isFalse();
	}

	@Test
	void anAnchorIsTheDatabasesTimeWhicheverNodeRecordsIt() throws Exception {
		PostgreSQLStateStore late = node("late", off(OFF.negated()));
		Instant before = databaseNow();
		RunState state = late.setAnchor("job", Instant.now().minus(OFF), "0 ? * * * ?");
		Instant after = databaseNow();
		assertThat(state.anchorOf("0 ? * * * ?")).isBetween(before, after);
		PostgreSQLStateStore early = node("early", off(OFF));
		assertThat(early.setAnchor("job", Instant.now().plus(OFF), "0 ? * * * ?").anchorOf("0 ? * * * ?"))
				.as("the first anchor stays").isEqualTo(state.anchorOf("0 ? * * * ?"));
	}

	@Test
	void theSkewIsMeasuredAtEachPollAndWarnedOfBeyondOneSecondUntilItIsBack() throws Exception {
		MovableClock clock = new MovableClock(OFF);
		PostgreSQLStateStore early = node("early", clock);
		PostgreSQLStateStore right = node("right", Clock.systemUTC());
		Await.until("measured", () -> early.clockSkew() != null && right.clockSkew() != null);
		assertThat(early.clockSkew()).as("the database is behind the early node")
				.isBetween(OFF.negated().minusMillis(500), OFF.negated().plusMillis(500));
		assertThat(early.clockWarning())
				.containsPattern("the clock of node early is (4 min 59 s|5 min) ahead of the database's")
				.contains("early, and each claim is sent back");
		assertThat(right.clockSkew().abs()).isLessThan(StateStore.CLOCK_SKEW_LIMIT);
		assertThat(right.clockWarning()).isNull();

		clock.offset = OFF.negated();
		Await.until("measured again", () -> early.clockSkew().compareTo(OFF.minusSeconds(1)) > 0);
		assertThat(early.clockWarning())
				.containsPattern("is (4 min 59 s|5 min) behind the database's")
				.contains("late, so other runtimes run them first");

		clock.offset = Duration.ZERO; // set right (NTP)
		Await.until("back", () -> early.clockWarning() == null);
		assertThat(early.clockSkew().abs()).isLessThan(StateStore.CLOCK_SKEW_LIMIT);
	}

	@Test
	void aSkewWaveringAroundTheLimitIsOverOnlyPastItAndBackOnlyWellWithin() {
		ClockSkew skew = new ClockSkew("test", "a");
		Instant db = Instant.parse("2026-12-07T10:00:00Z");
		skew.measured(new Repository.ClockReading(db, db.minusMillis(900), 2_000_000));
		assertThat(skew.warning()).isNull();
		skew.measured(new Repository.ClockReading(db, db.minusMillis(1200), 2_000_000));
		assertThat(skew.warning()).contains("1.2 s behind");
		skew.measured(new Repository.ClockReading(db, db.minusMillis(950), 2_000_000));
		assertThat(skew.warning()).as("not back yet: within 90 % of the limit only").contains("949 ms behind");
		skew.measured(new Repository.ClockReading(db, db.minusMillis(3000), 900_000_000));
		assertThat(skew.skew()).as("a vague reading (a round trip of 0.9 s) is dropped")
				.isEqualTo(Duration.ofMillis(949));
		skew.measured(new Repository.ClockReading(db, db.minusMillis(100), 2_000_000));
		assertThat(skew.warning()).isNull();
		assertThat(ClockSkew.format(Duration.ofMillis(-185_250))).isEqualTo("3 min 5 s");
	}

	/** The system clock moved by an offset that a test changes. */
	private static final class MovableClock extends Clock {
		volatile Duration offset;

		MovableClock(Duration offset) {
			this.offset = offset;
		}

		@Override
		public ZoneId getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(ZoneId zone) {
			throw new UnsupportedOperationException();
		}

		@Override
		public Instant instant() {
			return Instant.now().plus(offset);
		}
	}
}
