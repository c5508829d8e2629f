package io.crontainer.store.postgresql.impl;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.crontainer.store.api.ClaimRequest;
import io.crontainer.store.api.ClaimResult;

/**
 * How the runtimes of a cluster share the fire times due at once ({@code claimShare}), on a real
 * PostgreSQL server: each asks for its share only, in one statement; a share left by a runtime that is
 * dead, slow or at its limit is taken by the next runtime of the fire time's order, and the one after
 * that learns from its poll that it was taken, without a round trip.
 */
class ClaimShareTest {
	private static final PostgreSQLStateStore.Options OPTIONS = new PostgreSQLStateStore.Options(Duration.ofSeconds(20),
			Duration.ofSeconds(5), Duration.ofMillis(200), Duration.ofSeconds(5), 5);
	private static final Instant FIRE = Instant.parse("2026-12-07T10:00:00Z");

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
		PostgreSQLStateStore store = new PostgreSQLStateStore(dataSource, url, node, OPTIONS, Map::of);
		stores.add(store);
		return store;
	}

	/** Starts nodes and awaits until each one's heartbeat counts them all. */
	private List<PostgreSQLStateStore> cluster(String... ids) throws InterruptedException {
		List<PostgreSQLStateStore> nodes = new ArrayList<>();
		for (String id : ids) {
			nodes.add(node(id));
		}
		Await.until("every node sees " + ids.length + " live nodes",
				() -> nodes.stream().allMatch(n -> n.live().size() == ids.length));
		return nodes;
	}

	private static List<ClaimRequest> burst(int size, Instant fire) {
		List<ClaimRequest> due = new ArrayList<>();
		for (int i = 0; i < size; i++) {
			due.add(new ClaimRequest(String.format("plugin-%04d", i), Instant.EPOCH, fire));
		}
		return due;
	}

	private static List<ClaimRequest> requests(List<ClaimRequest> due, List<ClaimResult> results,
			Predicate<ClaimResult> which) {
		List<ClaimRequest> picked = new ArrayList<>();
		for (int i = 0; i < due.size(); i++) {
			if (which.test(results.get(i))) {
				picked.add(due.get(i));
			}
		}
		return picked;
	}

	/** Awaits until a node's poll has seen every one of the names claimed or run. */
	private static void seen(PostgreSQLStateStore node, List<ClaimRequest> claimed) throws InterruptedException {
		Await.until(claimed.size() + " claims seen by a poll of node " + node.node(),
				() -> claimed.stream().allMatch(r -> node.nodeOf(r.name()) != null));
	}

	@Test
	void threeNodesEachClaimAboutAThirdOfABurstAndNoneAsksForAFireTimeAnotherOneClaims() throws Exception {
		List<PostgreSQLStateStore> nodes = cluster("node-a", "node-b", "node-c");
		List<ClaimRequest> due = burst(1000, FIRE);
		Map<String, String> runs = new HashMap<>();
		for (PostgreSQLStateStore node : nodes) {
			List<ClaimResult> results = node.claimShare(due, Integer.MAX_VALUE);
			assertThat(results).hasSize(1000);
			int granted = 0;
			for (ClaimResult result : results) {
				assertThat(result.granted() || result.left()).as("asked for only what it gets: %s", result.refusal())
						.isTrue();
				if (result.granted()) {
					granted++;
					assertThat(runs.put(result.claim().name(), node.node())).as("claimed once").isNull();
				} else {
					assertThat(result.retryAt()).as("another runtime's share comes back later").isNotNull();
				}
			}
			assertThat(granted).as("%s's share of 1,000 within 15 %% of a third", node.node()).isBetween(283, 383);
		}
		assertThat(runs).hasSize(1000);
	}

	@Test
	void theFireTimesOfAPluginGoToTheSameNodeWhileTheNodesStayTheSame() throws Exception {
		List<PostgreSQLStateStore> nodes = cluster("node-a", "node-b", "node-c");
		Map<String, String> first = new HashMap<>();
		for (PostgreSQLStateStore node : nodes) {
			for (ClaimResult result : node.claimShare(burst(60, FIRE), Integer.MAX_VALUE)) {
				if (result.granted()) {
					first.put(result.claim().name(), node.node());
					node.release(result.claim());
				}
			}
		}
		for (PostgreSQLStateStore node : nodes) {
			for (ClaimResult result : node.claimShare(burst(60, FIRE.plusSeconds(1)), Integer.MAX_VALUE)) {
				if (result.granted()) {
					assertThat(first.get(result.claim().name())).as(result.claim().name()).isEqualTo(node.node());
				}
			}
		}
		assertThat(first).hasSize(60);
	}

	@Test
	void aShareLeftByADeadNodeIsTakenByTheNextNodeAndTheThirdLearnsItFromItsPoll() throws Exception {
		List<PostgreSQLStateStore> nodes = cluster("node-a", "node-b", "node-c");
		PostgreSQLStateStore a = nodes.get(0);
		PostgreSQLStateStore b = nodes.get(1);
		List<ClaimRequest> due = burst(300, FIRE);
		// node-c is alive by its heartbeat but never claims (stalled): its share is left by a and b.
		List<ClaimResult> fromA = a.claimShare(due, Integer.MAX_VALUE);
		List<ClaimResult> fromB = b.claimShare(due, Integer.MAX_VALUE);
		List<ClaimRequest> cShare = new ArrayList<>();
		for (int i = 0; i < due.size(); i++) {
			if (fromA.get(i).left() && fromB.get(i).left()) {
				cShare.add(due.get(i));
				assertThat(List.of(fromA.get(i).retryAt(), fromB.get(i).retryAt())).as("one poll, then two")
						.allSatisfy(at -> assertThat(at).isNotNull());
			}
		}
		assertThat(cShare).isNotEmpty();

		// The second choice of each comes back after one poll and claims it (nobody did).
		List<ClaimRequest> aSecond = cShare.stream().filter(r -> PostgreSQLStateStore.rank("node-a", a.live(), r.name())
				== 1).toList();
		List<ClaimRequest> bSecond = cShare.stream().filter(r -> !aSecond.contains(r)).toList();
		assertThat(a.claimShare(aSecond, Integer.MAX_VALUE)).allMatch(ClaimResult::granted);
		assertThat(b.claimShare(bSecond, Integer.MAX_VALUE)).allMatch(ClaimResult::granted);

		// The third choice comes back a poll later: its poll saw the claims, so it asks nothing.
		seen(a, bSecond);
		seen(b, aSecond);
		assertThat(a.claimShare(bSecond, Integer.MAX_VALUE)).allSatisfy(r -> {
			assertThat(r.elsewhere()).isTrue();
			assertThat(r.refusal()).isEqualTo("fire time " + FIRE + " was claimed by another runtime");
			assertThat(r.retryAt()).isNull();
		});
		assertThat(b.claimShare(aSecond, Integer.MAX_VALUE)).allMatch(r -> r.elsewhere() && r.retryAt() == null);
	}

	@Test
	void aNodeAtItsLimitLeavesItsShareAndTheOtherTakesItAPollLater() throws Exception {
		List<PostgreSQLStateStore> nodes = cluster("node-a", "node-b");
		PostgreSQLStateStore a = nodes.get(0);
		PostgreSQLStateStore b = nodes.get(1);
		List<ClaimRequest> due = burst(100, FIRE);

		List<ClaimResult> fromA = a.claimShare(due, 10);
		assertThat(fromA.stream().filter(ClaimResult::granted)).as("no more than its limit").hasSize(10);
		List<ClaimRequest> aLeftOwn = requests(due, fromA, r -> r.left() && r.retryAt() == null);
		assertThat(aLeftOwn).as("its own share beyond the limit: left to the other, no retry here").isNotEmpty();

		List<ClaimResult> fromB = b.claimShare(due, Integer.MAX_VALUE);
		List<ClaimRequest> bComesBack = requests(due, fromB, r -> r.left() && r.retryAt() != null);
		assertThat(bComesBack).as("a's whole share comes back to b").hasSize(due.size()
				- (int) fromB.stream().filter(ClaimResult::granted).count());
		List<ClaimResult> again = b.claimShare(bComesBack, Integer.MAX_VALUE);
		assertThat(requests(bComesBack, again, ClaimResult::granted)).as("what a left, b claims")
				.containsExactlyInAnyOrderElementsOf(aLeftOwn);
		assertThat(requests(bComesBack, again, r -> r.elsewhere() && !r.granted())).as("what a claimed, b learns")
				.hasSize(10);
	}

	@Test
	void aShareIsClaimedAtTheWindowStartTheRecordHasWhateverTheCallerExpects() throws Exception {
		PostgreSQLStateStore a = cluster("node-a").get(0);
		ClaimResult first = a.claim("job", Instant.EPOCH, FIRE);
		Instant end = FIRE.plusNanos(7);
		// committed (as by another runtime); the caller below still expects the epoch
		a.commit(first.claim(), end).toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
		List<ClaimResult> results = a.claimShare(List.of(new ClaimRequest("job", Instant.EPOCH, FIRE.plusSeconds(1))), 1);
		assertThat(results.get(0).granted()).isTrue();
		assertThat(results.get(0).claim().windowStart()).isEqualTo(end);
		assertThat(a.commit(results.get(0).claim(), end.plusSeconds(1)).toCompletableFuture()
				.get(10, java.util.concurrent.TimeUnit.SECONDS).lastEnd()).isEqualTo(end.plusSeconds(1));
	}

	@Test
	void aSingleNodeAtItsLimitLeavesTheRestWithNoRetry() throws Exception {
		PostgreSQLStateStore a = cluster("node-a").get(0);
		List<ClaimResult> results = a.claimShare(burst(50, FIRE), 20);
		assertThat(results.stream().filter(ClaimResult::granted)).hasSize(20);
		assertThat(results.stream().filter(r -> r.left() && r.retryAt() == null)).hasSize(30);
	}

	@Test
	void aNodeThatStopsIsNoLongerCountedByTheOthers() throws Exception {
		List<PostgreSQLStateStore> nodes = cluster("node-a", "node-b", "node-c");
		nodes.get(2).close();
		stores.remove(nodes.get(2));
		Await.until("node-a counts two nodes", () -> nodes.get(0).live().equals(List.of("node-a", "node-b")));
		List<ClaimRequest> due = burst(200, FIRE.plusSeconds(1));
		long granted = nodes.get(0).claimShare(due, Integer.MAX_VALUE).stream().filter(ClaimResult::granted).count()
				+ nodes.get(1).claimShare(due, Integer.MAX_VALUE).stream().filter(ClaimResult::granted).count();
		assertThat(granted).as("the two share everything at once").isEqualTo(200);
	}
}
