package io.crontainer.store.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.groups.Tuple.tuple;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.crontainer.api.runtime.RerunSplit;
import io.crontainer.api.runtime.CronLogDTO;
import io.crontainer.api.runtime.CronLogLineDTO;
import io.crontainer.api.runtime.CronRunDTO;
import io.crontainer.api.runtime.Outcome;
import io.crontainer.api.runtime.Trigger;

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

	/** How many runs of a name the stores that {@link #open} opens keep in their history. */
	protected abstract int historyKept();

	@BeforeEach
	void openStore() throws Exception {
		store = open();
	}

	@AfterEach
	void closeStore() {
		store.close();
	}

	/**
	 * Whether the store records {@code ?} anchors at its own clock's time (a store shared by a cluster:
	 * the database's), not at the instant given; its clock is taken to be this machine's, give or take
	 * a few seconds.
	 */
	protected boolean anchorsOnItsOwnClock() {
		return false;
	}

	/** The anchor recorded for {@code given}: {@code given}, or the store's time now. */
	private void assertAnchoredAt(Instant anchor, Instant given) {
		if (anchorsOnItsOwnClock()) {
			assertThat(anchor).as("the store's time").isCloseTo(Instant.now(), within(10, ChronoUnit.SECONDS));
		} else {
			assertThat(anchor).isEqualTo(given);
		}
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
		Instant anchor = store.setAnchor("p", T1, "? * * * *").anchorOf("? * * * *");
		assertAnchoredAt(anchor, T1);
		RunState reset = store.reset("p", null);
		assertThat(reset.paused()).isTrue();
		assertThat(reset.anchorOf("? * * * *")).isEqualTo(anchor);
		assertThat(reset.lastEnd()).isNull();
	}

	@Test
	void aPauseKeepsItsNoteUntilResumedAcrossAReopen() throws Exception {
		String reason = "token table migration\n\tsee ticket 42; \u00e9\u00e8\\";
		PauseNote note = new PauseNote("bin/client session 7 (user alice)", T1, reason);
		RunState paused = store.setPaused("p", true, note);
		assertThat(paused.paused()).isTrue();
		assertThat(paused.pause()).isEqualTo(note);
		ClaimResult claim = store.claim("p", Instant.EPOCH, null);
		assertThat(done(store.commit(claim.claim(), T2)).pause()).as("a commit keeps the note").isEqualTo(note);
		assertThat(store.reset("p", T1).pause()).as("a reset keeps the note").isEqualTo(note);
		reopen();
		assertThat(store.read("p").pause()).isEqualTo(note);

		PauseNote other = new PauseNote(null, T3, null);
		assertThat(store.setPaused("p", true, other).pause()).as("pausing again replaces the note").isEqualTo(other);
		RunState resumed = store.setPaused("p", false, note);
		assertThat(resumed.paused()).isFalse();
		assertThat(resumed.pause()).as("a resume drops the note").isNull();
		reopen();
		assertThat(store.read("p").pause()).isNull();
		assertThat(store.read("p").paused()).isFalse();
	}

	@Test
	void aPendingRetryLastsUntilItsWindowIsCommittedOrReset() throws Exception {
		PendingRetry retry = new PendingRetry(2, 3, T2, T3);
		assertThat(store.setRetry("p", Instant.EPOCH, retry).retry()).isEqualTo(retry);
		reopen();
		assertThat(store.read("p").retry()).isEqualTo(retry);
		assertThat(store.read("p").lastEnd()).isNull();

		assertThat(store.setRetry("p", T1, new PendingRetry(1, 3, T2, T3)).retry())
				.as("a retry for another window than the record's is refused").isEqualTo(retry);
		ClaimResult claim = store.claim("p", Instant.EPOCH, T2);
		assertThat(claim.granted()).as("a retry is claimed as a fire time").isTrue();
		RunState committed = done(store.commit(claim.claim(), T2));
		assertThat(committed.retry()).as("the window's commit ends its retry").isNull();
		reopen();
		assertThat(store.read("p").retry()).isNull();

		store.setRetry("p", T2, retry);
		assertThat(store.reset("p", T1).retry()).as("a reset ends it").isNull();
		store.setRetry("p", T1, retry);
		RunState cleared = store.setRetry("p", T1, null);
		assertThat(cleared.retry()).isNull();
		assertThat(cleared.lastEnd()).isEqualTo(T1);
		reopen();
		assertThat(store.read("p").retry()).isNull();
	}

	@Test
	void aPauseAndARetryKeepEachOther() throws Exception {
		PendingRetry retry = new PendingRetry(1, 1, T2, T3);
		PauseNote note = new PauseNote("console (user crontainer)", T1, "why");
		store.setRetry("p", Instant.EPOCH, retry);
		RunState paused = store.setPaused("p", true, note);
		assertThat(paused.retry()).isEqualTo(retry);
		assertThat(store.setRetry("p", Instant.EPOCH, null).pause()).isEqualTo(note);
		store.setRetry("p", Instant.EPOCH, retry);
		reopen();
		assertThat(store.read("p").pause()).isEqualTo(note);
		assertThat(store.read("p").retry()).isEqualTo(retry);
	}

	@Test
	void theFirstAnchorOfAnIntervalWins() throws Exception {
		RunState first = store.setAnchor("p", T1, "? * * * *");
		RunState second = store.setAnchor("p", T2, "? * * * *");
		assertAnchoredAt(first.anchorOf("? * * * *"), T1);
		assertThat(second.anchorOf("? * * * *")).isEqualTo(first.anchorOf("? * * * *"));
		RunState other = store.setAnchor("p", T2, "? 3 * * *");
		assertAnchoredAt(other.anchorOf("? 3 * * *"), T2);
		assertThat(other.anchorOf("? * * * *")).isNull();
		reopen();
		assertThat(store.read("p").anchorOf("? 3 * * *")).isEqualTo(other.anchorOf("? 3 * * *"));
	}

	@Test
	void aClaimsWindowEndsAtTheStoresTimeOfTheClaimOrAtTheRuntimesClock() throws Exception {
		Instant before = Instant.now();
		Claim claim = store.claim("p", Instant.EPOCH, T1).claim();
		Instant runtime = Instant.parse("2030-01-01T00:00:00Z");
		if (claim.claimedAt() == null) {
			assertThat(claim.windowEnd(runtime)).as("the runtime's clock").isEqualTo(runtime);
		} else {
			assertThat(claim.claimedAt()).as("the store's time").isCloseTo(before, within(10, ChronoUnit.SECONDS));
			assertThat(claim.windowEnd(runtime)).isEqualTo(claim.claimedAt());
		}
		if (store.clockSkew() != null) {
			assertThat(store.clockSkew().abs()).as("one machine, one clock").isLessThan(StateStore.CLOCK_SKEW_LIMIT);
		}
		assertThat(store.clockWarning()).isNull();
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
		Instant anchor = store.setAnchor(name, T2, "?\t* * * *").anchorOf("?\t* * * *");
		assertAnchoredAt(anchor, T2);
		reopen();
		assertThat(store.read(name).lastEnd()).isEqualTo(T1);
		assertThat(store.read(name).anchorOf("?\t* * * *")).isEqualTo(anchor);
	}

	@Test
	void aCommitThatCannotBeMadeDurableFailsItsStage() throws Exception {
		ClaimResult claim = store.claim("p", Instant.EPOCH, T1);
		store.close();
		assertThatThrownBy(() -> done(store.commit(claim.claim(), T1))).isInstanceOf(ExecutionException.class);
		store = open();
	}

	// ------------------------------------------------------------------ re-runs (since 1.1)

	private static final Instant R0 = Instant.parse("2026-03-01T00:00:00Z");
	private static final Instant R1 = Instant.parse("2026-03-01T01:00:00Z");
	private static final Instant R2 = Instant.parse("2026-03-01T02:00:00Z");

	private static Rerun request(String name) {
		return Rerun.request(name, R0, R2, RerunSplit.INTERVAL, "0 * * * *", "Europe/Berlin", null, "alice\tat\nhome",
				T1);
	}

	@Test
	void aRerunIsKeptDurablyAndAdvancesWindowByWindow() throws Exception {
		assertThat(store.keepsReruns()).isTrue();
		assertThat(store.reruns()).isEmpty();
		Rerun started = store.startRerun(request("p"));
		assertThat(started.id()).isPositive();
		assertThat(started.next()).isEqualTo(R0);
		assertThat(started.inProgress()).isTrue();
		assertThat(started.node()).isEqualTo(store.node());
		assertThatThrownBy(() -> store.startRerun(request("p"))).isInstanceOf(IllegalStateException.class)
				.hasMessageContaining("in progress");

		assertThat(store.advanceRerun("p", started.id(), R1, R2, true)).as("not its next window").isNull();
		Rerun first = store.advanceRerun("p", started.id(), R0, R1, false);
		assertThat(first.next()).isEqualTo(R1);
		assertThat(first.failed()).isEqualTo(1);
		assertThat(first.inProgress()).isTrue();
		assertThat(store.advanceRerun("p", started.id(), R0, R1, true)).as("done already").isNull();

		reopen();
		Rerun kept = store.reruns().get(0);
		assertThat(kept).isEqualTo(first.with(first.id(), false, kept.node(), null));
		assertThat(kept.requestedBy()).isEqualTo("alice\tat\nhome");
		assertThat(kept.interval()).isEqualTo("0 * * * *");
		assertThat(store.claimRerun("p", started.id())).isEqualTo(kept.with(kept.id(), false, store.node(), null));
		Rerun last = store.advanceRerun("p", started.id(), R1, R2, true);
		assertThat(last.done()).isEqualTo(1);
		assertThat(last.next()).isEqualTo(R2);
		assertThat(last.inProgress()).as("its last window ran").isFalse();
		assertThat(store.claimRerun("p", started.id())).as("ended").isNull();
		assertThat(store.read("p")).as("a re-run never changes the record").isEqualTo(RunState.NEW);

		Rerun again = store.startRerun(request("p"));
		assertThat(again.id()).isNotEqualTo(started.id());
		assertThat(store.reruns()).as("the newest of the name only").containsExactly(again);
		reopen();
		assertThat(store.reruns()).extracting(Rerun::id).containsExactly(again.id());
	}

	@Test
	void aRerunsWindowIsRecordedWithItsRunInTheHistory() throws Exception {
		Assumptions.assumeTrue(store.keepsHistory(), "this store keeps no history");
		Rerun started = store.startRerun(request("p"));
		CronRunDTO failed = windowRun(R0, R1, Outcome.FAILED);
		Rerun first = store.advanceRerun("p", started.id(), R0, R1, failed, log("p", failed.started,
				line(failed.started, "WARN", "window 1", null)));
		assertThat(first.next()).isEqualTo(R1);
		assertThat(first.failed()).as("not SUCCEEDED: counted failed").isEqualTo(1);
		assertThat(store.history("p", 10)).as("appended by the time it returns")
				.extracting(r -> r.trigger, r -> r.outcome, r -> r.windowStart, r -> r.requestedBy)
				.containsExactly(tuple(Trigger.RERUN, Outcome.FAILED, R0.toEpochMilli(), "ops"));

		CronRunDTO late = windowRun(R0, R1, Outcome.SUCCEEDED);
		late.started = failed.started + 1_000;
		assertThat(store.advanceRerun("p", started.id(), R0, R1, late, null)).as("done already").isNull();
		assertThat(store.history("p", 10)).as("the window ran all the same: its run is appended")
				.extracting(r -> r.outcome).containsExactly(Outcome.SUCCEEDED, Outcome.FAILED);

		reopen();
		assertThat(store.reruns()).singleElement().extracting(Rerun::next, Rerun::done, Rerun::failed)
				.containsExactly(R1, 0, 1);
		assertThat(store.history("p", 10)).extracting(r -> r.started).containsExactly(late.started, failed.started);
		if (store.keepsLogs()) {
			assertThat(store.log("p", failed.started).lines).extracting(l -> l.message).containsExactly("window 1");
		}
	}

	private static CronRunDTO windowRun(Instant start, Instant end, Outcome outcome) {
		CronRunDTO run = new CronRunDTO();
		run.name = "p";
		run.trigger = Trigger.RERUN;
		run.outcome = outcome;
		run.windowStart = start.toEpochMilli();
		run.windowEnd = end.toEpochMilli();
		run.started = T1.toEpochMilli();
		run.finished = run.started + 5;
		run.error = outcome == Outcome.FAILED ? "java.lang.IllegalStateException: broken" : null;
		run.requestedBy = "ops";
		return run;
	}

	@Test
	void aCancelledRerunEndsAfterTheWindowOfItsHolder() throws Exception {
		assertThat(store.cancelRerun("p")).isNull();
		Rerun started = store.startRerun(request("p"));
		Rerun cancelled = store.cancelRerun("p");
		assertThat(cancelled.cancelled()).isTrue();
		assertThat(cancelled.inProgress()).as("its holder ends it").isTrue();
		assertThat(store.cancelRerun("p")).isEqualTo(cancelled);
		Rerun window = store.advanceRerun("p", started.id(), R0, R1, true);
		assertThat(window.inProgress()).as("the window in progress was the last").isFalse();
		assertThat(window.done()).isEqualTo(1);

		Rerun other = store.startRerun(request("q"));
		store.cancelRerun("q");
		Rerun ended = store.endRerun("q", other.id());
		assertThat(ended.inProgress()).isFalse();
		assertThat(ended.next()).isEqualTo(R0);
		assertThat(store.endRerun("q", other.id())).isNull();
	}

	@Test
	void aRerunHeldByNoOneEndsAtOnceWhenCancelled() throws Exception {
		Rerun started = store.startRerun(request("p"));
		store.releaseRerun("p", started.id());
		Rerun cancelled = store.cancelRerun("p");
		assertThat(cancelled.cancelled()).isTrue();
		assertThat(cancelled.inProgress()).isFalse();
		assertThat(store.endRerun("p", started.id())).isNull();
		reopen();
		assertThat(store.reruns()).singleElement().satisfies(r -> assertThat(r.inProgress()).isFalse());
	}

	@Test
	void aRerunWindowRunsUnderAClaimThatIsReleased() throws Exception {
		done(store.commit(store.claim("p", Instant.EPOCH, null).claim(), T3));
		store.startRerun(request("p"));
		ClaimResult window = store.claim("p", T3, null);
		assertThat(window.granted()).isTrue();
		assertThat(store.claim("p", T3, T3.plusSeconds(60)).granted()).as("no scheduled run beside it").isFalse();
		store.release(window.claim());
		assertThat(store.read("p").lastEnd()).isEqualTo(T3);
		assertThat(store.claim("p", T3, T3.plusSeconds(60)).granted()).isTrue();
	}

	// ------------------------------------------------------------------------------ runs' logs (1.1)

	private static CronRunDTO finished(String name, long started, Outcome outcome) {
		CronRunDTO run = new CronRunDTO();
		run.name = name;
		run.trigger = Trigger.SCHEDULE;
		run.outcome = outcome;
		run.scheduledFire = started;
		run.windowStart = started - 60_000;
		run.windowEnd = started;
		run.started = started;
		run.finished = started + 5;
		run.error = outcome == Outcome.FAILED ? "java.lang.IllegalStateException: broken" : null;
		return run;
	}

	private static CronLogLineDTO line(long time, String level, String message, String thrown) {
		CronLogLineDTO line = new CronLogLineDTO();
		line.time = time;
		line.level = level;
		line.logger = "org.example.Plugin";
		line.message = message;
		line.thrown = thrown;
		return line;
	}

	private static CronLogDTO log(String name, long started, CronLogLineDTO... lines) {
		CronLogDTO log = new CronLogDTO();
		log.name = name;
		log.started = started;
		log.lines = new ArrayList<>(List.of(lines));
		log.omittedAt = lines.length;
		return log;
	}

	@Test
	void aRunsLogIsKeptBesideItsHistoryAcrossARestart() throws Exception {
		Assumptions.assumeTrue(store.keepsLogs(), "this store keeps no logs");
		CronLogDTO log = log("p", 1_000, line(1_001, "INFO", "tab\there, line\nfeed, back\\slash, \u00e9\u20ac", null),
				line(1_002, "ERROR", "it broke", "java.lang.IllegalStateException: broken\n\tat org.example.Plugin.run(Plugin.java:7)"));
		log.omitted = 12_345;
		log.omittedAt = 1;
		store.appendHistory(finished("p", 1_000, Outcome.FAILED), log);
		store.appendHistory(finished("p", 2_000, Outcome.SUCCEEDED), null);
		store.appendHistory(finished("p", 3_000, Outcome.SUCCEEDED), log("p", 3_000));
		assertThat(store.log("p", 2_000)).as("a run appended without a log").isNull();

		reopen();
		CronLogDTO read = store.log("p", 1_000);
		assertThat(read).isNotNull();
		assertThat(read.name).isEqualTo("p");
		assertThat(read.started).isEqualTo(1_000);
		assertThat(read.running).isFalse();
		assertThat(read.omitted).isEqualTo(12_345);
		assertThat(read.omittedAt).isEqualTo(1);
		assertThat(read.lines).hasSize(2);
		assertThat(read.lines.get(0).message).isEqualTo("tab\there, line\nfeed, back\\slash, \u00e9\u20ac");
		assertThat(read.lines.get(0).thrown).isNull();
		assertThat(read.lines.get(0).time).isEqualTo(1_001);
		assertThat(read.lines.get(1).level).isEqualTo("ERROR");
		assertThat(read.lines.get(1).logger).isEqualTo("org.example.Plugin");
		assertThat(read.lines.get(1).thrown).startsWith("java.lang.IllegalStateException: broken\n\tat ");
		CronLogDTO none = store.log("p", 2_000); // a store may keep no mark of "no log" for a run that began
		assertThat(none == null || none.lines.isEmpty() && none.omitted == 0)
				.as("a run appended without a log, after a restart: none, or nothing logged").isTrue();
		assertThat(store.log("p", 3_000).lines).as("a run that logged nothing").isEmpty();
		assertThat(store.log("p", 999)).as("no run started then").isNull();
		assertThat(store.log("q", 1_000)).as("another name").isNull();
	}

	@Test
	void aRunsLogGoesWhenItsRunLeavesTheHistory() throws Exception {
		Assumptions.assumeTrue(store.keepsLogs(), "this store keeps no logs");
		int kept = historyKept();
		for (int i = 0; i <= kept; i++) {
			long started = 10_000L + i * 1_000L;
			store.appendHistory(finished("p", started, Outcome.SUCCEEDED), log("p", started, line(started, "INFO", "run " + i, null)));
		}
		store.appendHistory(finished("other", 5_000, Outcome.SUCCEEDED), log("other", 5_000, line(5_000, "WARN", "mine", null)));

		reopen();
		assertThat(store.history("p", kept + 1)).hasSize(kept);
		assertThat(store.log("p", 10_000)).as("the oldest run left the history, and its log with it").isNull();
		assertThat(store.log("p", 11_000).lines).singleElement().extracting(l -> l.message).isEqualTo("run 1");
		assertThat(store.log("p", 10_000L + kept * 1_000L).lines.get(0).message).isEqualTo("run " + kept);
		assertThat(store.log("other", 5_000).lines.get(0).message).isEqualTo("mine");
	}
}
