package io.crontainer.store.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract of every {@link StateStore}: a subclass says how to open (and reopen) one on fresh,
 * private storage. A reopened store must see what the first one made durable.
 */
public abstract class StateStoreContract {
	protected static final Instant T1 = Instant.parse("2026-03-02T10:01:00Z");
	protected static final Instant T2 = Instant.parse("2026-03-02T10:02:00Z");
	protected static final Instant T3 = Instant.parse("2026-03-02T10:03:00Z");

	protected StateStore store;

	/** Opens a store on storage that is empty the first time, and the same for every later call. */
	protected abstract StateStore open() throws Exception;

	@BeforeEach
	void openStore() throws Exception {
		store = open();
	}

	@AfterEach
	void closeStore() {
		store.close();
	}

	protected StateStore reopen() throws Exception {
		store.close();
		store = open();
		return store;
	}

	private static RunState done(java.util.concurrent.CompletionStage<RunState> stage) throws Exception {
		return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
	}

	@Test
	void anUnknownNameReadsAsNew() throws Exception {
		assertThat(store.read("nobody")).isEqualTo(RunState.NEW);
		assertThat(store.read("nobody").windowStart()).isEqualTo(Instant.EPOCH);
	}

	@Test
	void aClaimedRunCommitsItsWindowDurably() throws Exception {
		ClaimResult first = store.claim("p", Instant.EPOCH, T1);
		assertThat(first.granted()).isTrue();
		assertThat(first.claim().windowStart()).isEqualTo(Instant.EPOCH);
		RunState committed = done(store.commit(first.claim(), T1));
		assertThat(committed.lastEnd()).isEqualTo(T1);
		assertThat(committed.version()).isGreaterThan(0);

		ClaimResult second = store.claim("p", T1, T2);
		assertThat(second.granted()).isTrue();
		done(store.commit(second.claim(), T2));

		reopen();
		assertThat(store.read("p").lastEnd()).isEqualTo(T2);
	}

	@Test
	void aClaimNamesTheWindowStartItExpects() throws Exception {
		ClaimResult moved = store.claim("p", T1, T1);
		assertThat(moved.granted()).isFalse();
		assertThat(moved.windowMoved()).isTrue();
		assertThat(moved.current().windowStart()).isEqualTo(Instant.EPOCH);
		assertThat(moved.refusal()).contains("1970-01-01T00:00:00Z");
	}

	@Test
	void aBatchOfClaimsAnswersAsClaimsOneByOneWould() throws Exception {
		store.commit(store.claim("moved", Instant.EPOCH, null).claim(), T1).toCompletableFuture().get(10, TimeUnit.SECONDS);
		store.claim("held", Instant.EPOCH, null);
		List<ClaimResult> results = store.claimAll(List.of(new ClaimRequest("new", Instant.EPOCH, T2),
				new ClaimRequest("moved", Instant.EPOCH, T2), new ClaimRequest("held", Instant.EPOCH, T2)));
		assertThat(results).hasSize(3);
		assertThat(results.get(0).granted()).as("a name never claimed").isTrue();
		assertThat(results.get(0).claim().fireTime()).isEqualTo(T2);
		assertThat(results.get(1).windowMoved()).as("its window starts at T1 now").isTrue();
		assertThat(results.get(1).current().windowStart()).isEqualTo(T1);
		assertThat(results.get(2).granted()).as("claimed already").isFalse();
		assertThat(store.claim("new", Instant.EPOCH, null).granted()).as("the batch's claim holds").isFalse();
		store.commit(results.get(0).claim(), T3).toCompletableFuture().get(10, TimeUnit.SECONDS);
		assertThat(store.read("new").lastEnd()).isEqualTo(T3);
		assertThat(store.claimAll(List.of())).isEmpty();
		assertThatThrownBy(() -> store.claimAll(List.of(new ClaimRequest("x", Instant.EPOCH, T1),
				new ClaimRequest("x", Instant.EPOCH, T2)))).isInstanceOf(IllegalArgumentException.class);
	}

	@Test
	void aShareOfDueFireTimesIsClaimedUpToTheLimitAndTheRestIsLeft() throws Exception {
		List<ClaimRequest> due = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			due.add(new ClaimRequest("due-" + i, Instant.EPOCH, T1));
		}
		List<ClaimResult> results = store.claimShare(due, 3);
		assertThat(results).hasSize(5);
		assertThat(results.stream().filter(ClaimResult::granted).map(r -> r.claim().name()))
				.as("on a store no one else shares, all of it is this runtime's share: the first ones, up to the limit")
				.containsExactly("due-0", "due-1", "due-2");
		assertThat(results.subList(3, 5)).allSatisfy(r -> {
			assertThat(r.left()).isTrue();
			assertThat(r.retryAt()).as("no other runtime to take it").isNull();
			assertThat(r.refusal()).isNotBlank();
		});
		assertThat(store.claim("due-3", Instant.EPOCH, T1).granted()).as("a fire time left is not held").isTrue();
		assertThat(store.claimShare(List.of(new ClaimRequest("due-4", Instant.EPOCH, T2)), 0))
				.allMatch(r -> r.left() && !r.granted());
		assertThat(store.claimShare(List.of(), 1)).isEmpty();
		assertThatThrownBy(() -> store.claimShare(due, -1)).isInstanceOf(IllegalArgumentException.class);
		assertThatThrownBy(() -> store.claimShare(List.of(new ClaimRequest("manual", Instant.EPOCH, null)), 1))
				.isInstanceOf(IllegalArgumentException.class);
	}

	@Test
	void aNameHasOneClaimAtATimeAndAFireTimeIsClaimedOnce() throws Exception {
		ClaimResult held = store.claim("p", Instant.EPOCH, T1);
		assertThat(store.claim("p", Instant.EPOCH, T2).granted()).isFalse();
		assertThat(store.claim("p", Instant.EPOCH, null).granted()).isFalse();
		store.release(held.claim());
		assertThat(store.claim("p", Instant.EPOCH, T1).granted()).as("fire time T1 was claimed already").isFalse();
		ClaimResult manual = store.claim("p", Instant.EPOCH, null);
		assertThat(manual.granted()).isTrue();
		assertThat(manual.claim().fireTime()).isNull();
		assertThat(manual.claim().token()).isNotEqualTo(held.claim().token());
	}

	@Test
	void aReleasedClaimLeavesTheWindow() throws Exception {
		ClaimResult claim = store.claim("p", Instant.EPOCH, T1);
		store.release(claim.claim());
		assertThat(store.read("p").lastEnd()).isNull();
		assertThatThrownBy(() -> done(store.commit(claim.claim(), T1))).hasCauseInstanceOf(FencedException.class);
	}

	@Test
	void aPauseDuringARunIsKeptByItsCommit() throws Exception {
		ClaimResult claim = store.claim("p", Instant.EPOCH, T1);
		RunState paused = store.setPaused("p", true);
		assertThat(paused.paused()).isTrue();
		RunState committed = done(store.commit(claim.claim(), T1));
		assertThat(committed.paused()).isTrue();
		assertThat(committed.lastEnd()).isEqualTo(T1);
		assertThat(committed.version()).isGreaterThan(paused.version());
		reopen();
		assertThat(store.read("p").paused()).isTrue();
		assertThat(store.read("p").lastEnd()).isEqualTo(T1);
	}

	@Test
	void aResetDuringARunFencesItsCommit() throws Exception {
		ClaimResult claim = store.claim("p", Instant.EPOCH, T1);
		RunState reset = store.reset("p", T2);
		assertThat(reset.lastEnd()).isEqualTo(T2);
		assertThatThrownBy(() -> done(store.commit(claim.claim(), T3))).hasCauseInstanceOf(FencedException.class);
		assertThat(store.read("p").lastEnd()).isEqualTo(T2);

		// Even a reset to the window start the run expects fences it.
		ClaimResult again = store.claim("p", T2, T3);
		store.reset("p", T2);
		assertThatThrownBy(() -> done(store.commit(again.claim(), T3))).hasCauseInstanceOf(FencedException.class);
		reopen();
		assertThat(store.read("p").lastEnd()).isEqualTo(T2);
	}

	@Test
	void aResetKeepsThePauseAndTheAnchor() throws Exception {
		store.setPaused("p", true);
		store.setAnchor("p", T1, "? * * * *");
		RunState reset = store.reset("p", null);
		assertThat(reset.paused()).isTrue();
		assertThat(reset.anchorOf("? * * * *")).isEqualTo(T1);
		assertThat(reset.lastEnd()).isNull();
	}

	@Test
	void theFirstAnchorOfAnIntervalWins() throws Exception {
		RunState first = store.setAnchor("p", T1, "? * * * *");
		RunState second = store.setAnchor("p", T2, "? * * * *");
		assertThat(first.anchorOf("? * * * *")).isEqualTo(T1);
		assertThat(second.anchorOf("? * * * *")).isEqualTo(T1);
		RunState other = store.setAnchor("p", T2, "? 3 * * *");
		assertThat(other.anchorOf("? 3 * * *")).isEqualTo(T2);
		assertThat(other.anchorOf("? * * * *")).isNull();
		reopen();
		assertThat(store.read("p").anchorOf("? 3 * * *")).isEqualTo(T2);
	}

	@Test
	void versionsOnlyGrow() throws Exception {
		long previous = 0;
		ClaimResult claim = store.claim("p", Instant.EPOCH, T1);
		for (RunState state : List.of(store.setPaused("p", true), done(store.commit(claim.claim(), T1)),
				store.setPaused("p", false), store.reset("p", T1))) {
			assertThat(state.version()).isGreaterThan(previous);
			previous = state.version();
		}
	}

	@Test
	void manyCommitsAtOnceAllBecomeDurable() throws Exception {
		List<CompletableFuture<RunState>> commits = new ArrayList<>();
		for (int i = 0; i < 500; i++) {
			ClaimResult claim = store.claim("job-" + i, Instant.EPOCH, T1);
			commits.add(store.commit(claim.claim(), T1.plusMillis(i)).toCompletableFuture());
		}
		CompletableFuture.allOf(commits.toArray(new CompletableFuture[0])).get(30, TimeUnit.SECONDS);
		reopen();
		for (int i = 0; i < 500; i++) {
			assertThat(store.read("job-" + i).lastEnd()).isEqualTo(T1.plusMillis(i));
		}
	}

	@Test
	void oddNamesAndIntervalsRoundTrip() throws Exception {
		String name = "Ünïcode\tname with spaces\nand a newline\\";
		ClaimResult claim = store.claim(name, Instant.EPOCH, null);
		done(store.commit(claim.claim(), T1));
		store.setAnchor(name, T2, "?\t* * * *");
		reopen();
		assertThat(store.read(name).lastEnd()).isEqualTo(T1);
		assertThat(store.read(name).anchorOf("?\t* * * *")).isEqualTo(T2);
	}

	@Test
	void aCommitThatCannotBeMadeDurableFailsItsStage() throws Exception {
		ClaimResult claim = store.claim("p", Instant.EPOCH, T1);
		store.close();
		assertThatThrownBy(() -> done(store.commit(claim.claim(), T1))).isInstanceOf(ExecutionException.class);
		store = open();
	}
}
