package io.crontainer.scheduler.impl.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.FilterWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.crontainer.api.runtime.CronLogDTO;
import io.crontainer.api.runtime.CronLogLineDTO;
import io.crontainer.api.runtime.CronRunDTO;
import io.crontainer.api.runtime.Outcome;
import io.crontainer.api.runtime.Trigger;
import io.crontainer.scheduler.impl.testing.Await;
import io.crontainer.store.api.ClaimResult;
import io.crontainer.store.api.CorruptStateException;
import io.crontainer.store.api.RunState;
import io.crontainer.store.api.StateStore;
import io.crontainer.store.api.StateStoreContract;

class LocalStateStoreTest extends StateStoreContract {
	@TempDir
	Path dir;

	@Override
	protected StateStore open() throws Exception {
		return new LocalStateStore(dir);
	}

	@Override
	protected int historyKept() {
		return LocalStateStore.HISTORY_KEPT;
	}

	private Path journal() {
		return dir.resolve(LocalStateStore.JOURNAL);
	}

	private void commit(String name, Instant start, Instant end) throws Exception {
		ClaimResult claim = store.claim(name, start, null);
		store.commit(claim.claim(), end).toCompletableFuture().get(10, TimeUnit.SECONDS);
	}

	/** Opens files as the store does, and fails every write while the disk is "full". */
	static final class FullDisk implements LocalHistory.Opener {
		volatile boolean full;
		final List<String> writers = new CopyOnWriteArrayList<>();

		@Override
		public Writer open(Path file, boolean append) throws IOException {
			check();
			Writer real = LocalHistory.Opener.FILES.open(file, append);
			return new FilterWriter(real) {
				@Override
				public void write(String text, int off, int len) throws IOException {
					writers.add(Thread.currentThread().getName());
					check();
					super.write(text, off, len);
				}

				@Override
				public void write(int c) throws IOException {
					check();
					super.write(c);
				}

				@Override
				public void flush() throws IOException {
					check();
					super.flush();
				}
			};
		}

		private void check() throws IOException {
			if (full) {
				throw new IOException("No space left on device");
			}
		}
	}

	private static CronRunDTO run(String name, long started) {
		CronRunDTO run = new CronRunDTO();
		run.name = name;
		run.trigger = Trigger.SCHEDULE;
		run.outcome = Outcome.SKIPPED;
		run.started = started;
		run.finished = started;
		run.error = "the previous run was still going";
		return run;
	}

	@Test
	void runLogsAreOwnerOnlyFilesWrittenOffTheCallersThreadAndStaleOnesGoAtStart() throws Exception {
		CronLogDTO log = new CronLogDTO();
		log.lines = new java.util.ArrayList<>();
		CronLogLineDTO line = new CronLogLineDTO();
		line.time = 1_001;
		line.level = "INFO";
		line.logger = "L";
		line.message = "kept";
		log.lines.add(line);
		log.omittedAt = 1;
		CronRunDTO run = run("p", 1_000);
		run.outcome = Outcome.SUCCEEDED;
		store.appendHistory(run, log);
		assertThat(store.log("p", 1_000).lines).as("readable at once, before it is written").singleElement()
				.extracting(l -> l.message).isEqualTo("kept");
		Path logs = dir.resolve(LocalLogs.DIR);
		Await.until("the log's file written", () -> Files.exists(logs.resolve(LocalLogs.file("p", 1_000))));
		assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(logs)))
				.isEqualTo("rwx------");
		Files.writeString(logs.resolve(LocalLogs.file("gone", 5)), "gone\ncrontainer-run-log 1\t0\t0\n");
		Files.writeString(logs.resolve(".stray.tmp"), "x");

		reopen();
		try (Stream<Path> files = Files.list(logs)) {
			assertThat(files.map(f -> f.getFileName().toString())).containsExactly(LocalLogs.file("p", 1_000));
		}
		assertThat(store.log("p", 1_000).lines.get(0).message).isEqualTo("kept");
		assertThat(store.log("gone", 5)).isNull();
	}

	@Test
	void aRunThatLoggedNothingHasNoFileAndReadsAsAnEmptyLogAcrossARestart() throws Exception {
		CronLogDTO nothing = new CronLogDTO();
		nothing.lines = new java.util.ArrayList<>();
		CronRunDTO run = run("quiet", 2_000);
		run.outcome = Outcome.SUCCEEDED;
		store.appendHistory(run, nothing);
		CronRunDTO skipped = run("quiet", 3_000);
		skipped.outcome = Outcome.SKIPPED;
		store.appendHistory(skipped, null);
		((LocalStateStore) store).sync();

		reopen();
		assertThat(dir.resolve(LocalLogs.DIR).resolve(LocalLogs.file("quiet", 2_000))).as("no file for no line")
				.doesNotExist();
		assertThat(store.log("quiet", 2_000).lines).as("a run held that logged nothing").isEmpty();
		assertThat(store.log("quiet", 3_000)).as("a skipped fire keeps no log").isNull();
		assertThat(store.log("quiet", 4_000)).as("a run not held").isNull();
	}

	private List<String> historyLines() throws IOException {
		Path file = dir.resolve(LocalHistory.FILE);
		return Files.exists(file) ? Files.readAllLines(file, UTF_8) : List.of();
	}

	@Test
	void theHistoryIsWrittenByTheCommitterNeverByTheThreadThatAppends() throws Exception {
		store.close();
		FullDisk disk = new FullDisk();
		store = new LocalStateStore(dir, disk, Duration.ofSeconds(10));
		store.appendHistory(run("skipper", 1000)); // as the timer does for a skipped fire
		((LocalStateStore) store).sync();
		assertThat(historyLines()).singleElement().asString().startsWith("skipper\t");
		assertThat(disk.writers).containsOnly("crontainer-state-committer");
	}

	@Test
	void aHistoryThatCannotBeWrittenIsRetriedAndLosesNothingItHolds() throws Exception {
		store.close();
		FullDisk disk = new FullDisk();
		store = new LocalStateStore(dir, disk, Duration.ofMillis(50));
		LocalStateStore local = (LocalStateStore) store;
		store.appendHistory(run("a", 1000));
		local.sync();
		disk.full = true;
		store.appendHistory(run("a", 2000));
		store.appendHistory(run("b", 3000));
		local.sync();
		assertThat(historyLines()).hasSize(1);
		disk.full = false; // space came back: written at the next retry, with no run needed to trigger it
		Await.until("the history written again", () -> {
			try {
				return historyLines().size() == 3;
			} catch (IOException e) {
				return false;
			}
		});
		store.appendHistory(run("b", 4000));
		local.sync();
		reopen();
		assertThat(store.history(null, 10)).extracting(r -> r.started).containsExactly(4000L, 3000L, 2000L, 1000L);
	}

	@Test
	void theJournalIsOneReadableFileWithALinePerChange() throws Exception {
		commit("cleaner", Instant.EPOCH, T1);
		store.setPaused("cleaner", true);
		List<String> lines = Files.readAllLines(journal(), UTF_8);
		assertThat(lines).hasSize(3);
		assertThat(lines.get(0)).isEqualTo(LocalStateStore.HEADER);
		assertThat(lines.get(1)).startsWith("cleaner\t").contains("\t2026-03-02T10:01:00Z\tfalse\t");
		assertThat(lines.get(2)).contains("\t2026-03-02T10:01:00Z\ttrue\t");
		try (Stream<Path> files = Files.list(dir)) {
			assertThat(files).extracting(p -> p.getFileName().toString()).containsExactly(LocalStateStore.JOURNAL);
		}
	}

	@Test
	void aTornLastLineIsDroppedAndCutOff() throws Exception {
		commit("p", Instant.EPOCH, T1);
		store.close();
		long size = Files.size(journal());
		Files.writeString(journal(), "p\t99\t2026-03-02T10:0", StandardOpenOption.APPEND);
		store = open();
		assertThat(store.read("p").lastEnd()).isEqualTo(T1);
		assertThat(Files.size(journal())).isEqualTo(size);
		commit("p", T1, T2);
		reopen();
		assertThat(store.read("p").lastEnd()).isEqualTo(T2);
	}

	@Test
	void aTornTailOfCompleteLinesAndAPartialOneKeepsTheCompleteOnes() throws Exception {
		commit("p", Instant.EPOCH, T1);
		store.close();
		StringBuilder batch = new StringBuilder();
		LocalStateStore.line(batch, "q", new RunState(T1, false, null, null, 7));
		LocalStateStore.line(batch, "p", new RunState(T2, false, null, null, 8));
		String torn = batch.substring(0, batch.length() - 5); // a crash in the middle of the second line
		Files.writeString(journal(), torn, StandardOpenOption.APPEND);
		long complete = Files.size(journal()) - torn.substring(torn.indexOf('\n') + 1).getBytes(UTF_8).length;
		store = open();
		assertThat(store.read("q").lastEnd()).isEqualTo(T1);
		assertThat(store.read("p").lastEnd()).isEqualTo(T1);
		assertThat(Files.size(journal())).isEqualTo(complete);
	}

	@Test
	void aDamagedLastCompleteLineBlocksItsNameAndIsKept() throws Exception {
		commit("p", Instant.EPOCH, T1);
		commit("q", Instant.EPOCH, T1);
		commit("p", T1, T2);
		store.close();
		List<String> lines = Files.readAllLines(journal(), UTF_8);
		String last = lines.get(3);
		assertThat(last).startsWith("p\t").contains("2026-03-02T10:02");
		lines.set(3, last.replace("2026-03-02T10:02", "2026-03-02T10:03")); // checksum fails
		Files.write(journal(), lines, UTF_8);
		byte[] before = Files.readAllBytes(journal());
		store = open();
		assertThatThrownBy(() -> store.read("p")).isInstanceOf(CorruptStateException.class)
				.hasMessageContaining("damaged line for it (line 4)");
		assertThatThrownBy(() -> store.claim("p", T1, null)).isInstanceOf(CorruptStateException.class);
		assertThat(store.read("q").lastEnd()).isEqualTo(T1);
		reopen();
		assertThatThrownBy(() -> store.read("p")).isInstanceOf(CorruptStateException.class);
		assertThat(Files.readAllBytes(journal())).isEqualTo(before);
	}

	@Test
	void theReasonOfADamagedLineNamesTheLastIntactWindowEnd() throws Exception {
		commit("p", Instant.EPOCH, T1);
		commit("p", T1, T2);
		store.close();
		List<String> lines = Files.readAllLines(journal(), UTF_8);
		lines.set(2, lines.get(2).replace("\tfalse\t", "\tfalsy\t")); // the newest line of p: does not parse
		Files.write(journal(), lines, UTF_8);
		store = open();
		assertThatThrownBy(() -> store.read("p")).isInstanceOf(CorruptStateException.class)
				.hasMessageContaining("the last intact record before it ends the window at " + T1)
				.hasMessageContaining("`cron:reset p --since " + T1 + "` resumes from there");

		store.reset("p", T1);
		commit("p", T1, T3);
		reopen();
		assertThat(store.read("p").lastEnd()).isEqualTo(T3);
	}

	@Test
	void theReasonOfADamagedFirstRecordSaysNoIntactOnePrecedesIt() throws Exception {
		commit("p", Instant.EPOCH, T1);
		store.close();
		List<String> lines = Files.readAllLines(journal(), UTF_8);
		lines.set(1, lines.get(1).replace("2026-03-02T10:01", "2026-03-02T10:09"));
		Files.write(journal(), lines, UTF_8);
		store = open();
		assertThatThrownBy(() -> store.read("p")).isInstanceOf(CorruptStateException.class)
				.hasMessageContaining("no intact record of it precedes that line");
	}

	@Test
	void aDamagedLineFollowedByGarbageBlocksItsName() throws Exception {
		commit("p", Instant.EPOCH, T1);
		commit("q", Instant.EPOCH, T1);
		commit("p", T1, T2);
		store.close();
		List<String> lines = Files.readAllLines(journal(), UTF_8);
		lines.set(3, lines.get(3).replace("2026-03-02T10:02", "2026-03-02T10:03"));
		lines.add("x");
		Files.write(journal(), lines, UTF_8);
		byte[] before = Files.readAllBytes(journal());
		store = open();
		assertThatThrownBy(() -> store.read("p")).isInstanceOf(CorruptStateException.class)
				.hasMessageContaining("line 4").hasMessageContaining("--since " + T1);
		// "x" names no one: q's newest record may be lost with it, so q is blocked too, with its own window end
		assertThatThrownBy(() -> store.read("q")).isInstanceOf(CorruptStateException.class)
				.hasMessageContaining("line 5").hasMessageContaining("`cron:reset q --since " + T1 + "`");
		assertThatThrownBy(() -> store.read("never-seen")).isInstanceOf(CorruptStateException.class);
		reopen();
		assertThat(Files.readAllBytes(journal())).isEqualTo(before);

		store.reset("q", T1); // an intact line after the damage: q is readable again after a restart
		reopen();
		assertThat(store.read("q").lastEnd()).isEqualTo(T1);
		assertThatThrownBy(() -> store.read("p")).isInstanceOf(CorruptStateException.class);
	}

	@Test
	void aTailOfZerosLeftByACrashIsDropped() throws Exception {
		commit("p", Instant.EPOCH, T1);
		store.close();
		Files.write(journal(), new byte[64], StandardOpenOption.APPEND);
		store = open();
		assertThat(store.read("p").lastEnd()).isEqualTo(T1);
	}

	@Test
	void aDamagedLineFollowedByIntactOnesBlocksItsNameOnly() throws Exception {
		commit("p", Instant.EPOCH, T1);
		commit("q", Instant.EPOCH, T1);
		commit("r", Instant.EPOCH, T1);
		store.close();
		List<String> lines = Files.readAllLines(journal(), UTF_8);
		lines.set(1, lines.get(1).replace("2026-03-02T10:01", "2026-03-02T10:09")); // p: checksum fails
		Files.write(journal(), lines, UTF_8);
		store = open();
		assertThatThrownBy(() -> store.read("p")).isInstanceOf(CorruptStateException.class)
				.hasMessageContaining("damaged line");
		assertThatThrownBy(() -> store.claim("p", T1, null)).isInstanceOf(CorruptStateException.class);
		assertThat(store.read("q").lastEnd()).isEqualTo(T1);
		assertThat(store.read("new").lastEnd()).isNull();

		RunState reset = store.reset("p", T2);
		assertThat(reset.lastEnd()).isEqualTo(T2);
		reopen();
		assertThat(store.read("p").lastEnd()).isEqualTo(T2);
	}

	@Test
	void aDamagedLineThatNamesNoOneBlocksEveryNameWithoutALaterRecord() throws Exception {
		commit("p", Instant.EPOCH, T1);
		commit("q", Instant.EPOCH, T1);
		store.close();
		List<String> lines = Files.readAllLines(journal(), UTF_8);
		lines.add(2, "garbage without a tab");
		Files.write(journal(), lines, UTF_8);
		store = open();
		assertThat(store.read("q").lastEnd()).isEqualTo(T1);
		assertThatThrownBy(() -> store.read("p")).isInstanceOf(CorruptStateException.class)
				.hasMessageContaining("names no plugin").hasMessageContaining("--since " + T1);
		assertThatThrownBy(() -> store.read("never-seen")).isInstanceOf(CorruptStateException.class)
				.hasMessageContaining("names no plugin");
		store.reset("never-seen", null);
		assertThat(store.read("never-seen").lastEnd()).isNull();
	}

	@Test
	void aLongJournalIsCompacted() throws Exception {
		Instant end = Instant.EPOCH;
		for (int i = 0; i < LocalStateStore.COMPACT_AT + 10; i++) {
			Instant next = T1.plusMillis(i);
			ClaimResult claim = store.claim("busy", end, null);
			store.commit(claim.claim(), next);
			end = next;
		}
		Instant last = end;
		store.setPaused("busy", true); // waits for every commit queued before it
		store.setPaused("busy", false); // written after the compaction that followed them
		assertThat(Files.readAllLines(journal(), UTF_8).size()).isLessThan(LocalStateStore.COMPACT_AT);
		reopen();
		assertThat(store.read("busy").lastEnd()).isEqualTo(last);
		assertThat(store.read("busy").paused()).isFalse();
	}

	@Test
	void aJournalOfAnotherFormatBlocksEveryName() throws Exception {
		store.close();
		Files.writeString(journal(), "# something else\n");
		store = open();
		assertThatThrownBy(() -> store.read("p")).isInstanceOf(CorruptStateException.class)
				.hasMessageContaining("does not start with");
	}

	@Test
	void theCommitterGathersOnThroughAQuietMillisecondWhileABurstIsStillStarting() throws Exception {
		AtomicBoolean starting = new AtomicBoolean(true);
		((LocalStateStore) store).gatherWhile(starting::get);
		ClaimResult claim = store.claim("p", Instant.EPOCH, null);
		long asked = System.nanoTime();
		CompletableFuture<RunState> done = store.commit(claim.claim(), T1).toCompletableFuture();
		// Past the quiet millisecond (which alone ends a gathering), before the longest gathering: the
		// commit must not be written while the burst is still starting. A sleep, as nothing is to happen.
		Thread.sleep(TimeUnit.NANOSECONDS.toMillis(LocalStateStore.GATHER_MAX_NANOS) / 4);
		boolean written = done.isDone();
		long waited = System.nanoTime() - asked;
		if (waited < LocalStateStore.GATHER_MAX_NANOS) { // else this thread stalled: the longest gathering passed
			assertThat(written).as("written within %d µs, while the burst was still starting", waited / 1000).isFalse();
		}
		starting.set(false);
		assertThat(done.get(10, TimeUnit.SECONDS).lastEnd()).as("written once the burst started").isEqualTo(T1);
	}
}
