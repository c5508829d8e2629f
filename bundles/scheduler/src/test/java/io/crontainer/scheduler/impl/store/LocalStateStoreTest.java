package io.crontainer.scheduler.impl.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalStateStoreTest extends StateStoreContract {
	@TempDir
	Path dir;

	@Override
	protected StateStore open() throws Exception {
		return new LocalStateStore(dir);
	}

	private Path journal() {
		return dir.resolve(LocalStateStore.JOURNAL);
	}

	private void commit(String name, Instant start, Instant end) throws Exception {
		ClaimResult claim = store.claim(name, start, null);
		store.commit(claim.claim(), end).toCompletableFuture().get(10, TimeUnit.SECONDS);
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
		assertThatThrownBy(() -> store.read("never-seen")).isInstanceOf(CorruptStateException.class)
				.hasMessageContaining("names no plugin");
		store.reset("never-seen", null);
		assertThat(store.read("never-seen").lastEnd()).isNull();
	}

	@Test
	void recordsOfFormatOneAreFoldedIntoTheJournal() throws Exception {
		store.close();
		Files.delete(journal());
		RunState old = new RunState(T1, true, T2, "? * * * *", 0);
		Files.writeString(dir.resolve(LegacyRecords.fileName("Old.Plugin")), LegacyRecords.format("Old.Plugin", old));
		Files.writeString(dir.resolve(LegacyRecords.fileName("broken")), "format=1\nname=broken\nlastEnd=yesterday\n");
		Files.createFile(dir.resolve(".x.state123.tmp"));
		store = open();
		assertThat(store.read("Old.Plugin").sameAs(old)).isTrue();
		assertThatThrownBy(() -> store.read("broken")).isInstanceOf(CorruptStateException.class)
				.hasMessageContaining("lastEnd 'yesterday'");
		try (Stream<Path> files = Files.list(dir)) {
			assertThat(files).extracting(p -> p.getFileName().toString())
					.containsExactlyInAnyOrder(LocalStateStore.JOURNAL, "broken.state");
		}
		reopen();
		assertThat(store.read("Old.Plugin").sameAs(old)).isTrue();
		store.reset("broken", T3);
		assertThat(dir.resolve("broken.state")).doesNotExist();
		reopen();
		assertThat(store.read("broken").lastEnd()).isEqualTo(T3);
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
}
