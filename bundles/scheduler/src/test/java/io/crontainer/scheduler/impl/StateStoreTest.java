package io.crontainer.scheduler.impl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateStoreTest {
	@TempDir
	Path dir;

	@Test
	void aRecordRoundTripsAndNoTemporaryFileIsLeft() throws Exception {
		StateStore store = new StateStore(dir);
		assertThat(store.read("cleaner")).isEqualTo(RunState.NEW);
		RunState state = new RunState(Instant.parse("2026-11-29T15:00:00.012Z"), true);
		store.write("cleaner", state);
		assertThat(store.read("cleaner")).isEqualTo(state);
		store.write("cleaner", RunState.NEW);
		assertThat(store.read("cleaner")).isEqualTo(RunState.NEW);
		try (Stream<Path> files = Files.list(dir)) {
			assertThat(files).extracting(p -> p.getFileName().toString()).containsExactly("cleaner.state");
		}
	}

	@Test
	void theAnchorOfAQuestionMarkIntervalRoundTripsAndIsOptional() throws Exception {
		StateStore store = new StateStore(dir);
		RunState anchored = new RunState(null, false).withAnchor(Instant.parse("2026-11-29T14:37:12.480Z"), "? * * * *");
		store.write("cleaner", anchored);
		assertThat(store.read("cleaner")).isEqualTo(anchored);
		assertThat(store.read("cleaner").anchorOf("? * * * *")).isEqualTo(Instant.parse("2026-11-29T14:37:12.480Z"));
		assertThat(store.read("cleaner").anchorOf("? 3 * * *")).isNull();
		// A record written before anchors existed reads as one without.
		Files.writeString(store.fileOf("old"), "format=1\nname=old\nlastEnd=\npaused=true\n");
		assertThat(store.read("old")).isEqualTo(new RunState(null, true));
	}

	@Test
	void namesAreEncodedDistinctlyAndSafely() throws Exception {
		assertThat(StateStore.fileName("io.crontainer.examples.TokenCleaner"))
				.isEqualTo("io.crontainer.examples.%54oken%43leaner.state");
		assertThat(StateStore.fileName("A")).isNotEqualTo(StateStore.fileName("a"));
		assertThat(StateStore.fileName("../etc/passwd")).doesNotContain("/").startsWith("%2E");
		assertThat(StateStore.fileName("x".repeat(500))).hasSizeLessThan(200);
		assertThat(StateStore.fileName("x".repeat(500))).isNotEqualTo(StateStore.fileName("x".repeat(501)));
		StateStore store = new StateStore(dir);
		String odd = "Ünïcode/name with spaces\nand a newline";
		store.write(odd, new RunState(Instant.EPOCH.plusSeconds(1), false));
		assertThat(store.read(odd).lastEnd()).isEqualTo(Instant.EPOCH.plusSeconds(1));
	}

	@Test
	void corruptRecordsAreRefusedWithTheReason() throws Exception {
		StateStore store = new StateStore(dir);
		assertCorrupt(store, "", "key 'format' is missing");
		assertCorrupt(store, "format=2\nname=p\nlastEnd=\npaused=false\n", "format '2' is not 1");
		assertCorrupt(store, "format=1\nname=q\nlastEnd=\npaused=false\n", "belongs to 'q'");
		assertCorrupt(store, "format=1\nname=p\nlastEnd=noon\npaused=false\n", "lastEnd 'noon'");
		assertCorrupt(store, "format=1\nname=p\nlastEnd=\npaused=maybe\n", "paused 'maybe'");
		assertCorrupt(store, "format=1\nname=p\nlastEnd=\npaused=false\nextra=1\n", "unknown key 'extra'");
		assertCorrupt(store, "\u0000\u0001garbage", "is not key=value");
		assertCorrupt(store, "format=1\nname=p\nlastEnd=\npaused=false\nanchor=2026-11-29T14:37:00Z\n",
				"'anchor' and 'anchorFor' must appear together");
		assertCorrupt(store, "format=1\nname=p\nlastEnd=\npaused=false\nanchor=soon\nanchorFor=? * * * *\n",
				"anchor 'soon'");
	}

	private void assertCorrupt(StateStore store, String content, String reason) throws Exception {
		Files.writeString(store.fileOf("p"), content);
		assertThatThrownBy(() -> store.read("p")).isInstanceOf(CorruptStateException.class)
				.hasMessageContaining(reason).hasMessageContaining(store.fileOf("p").toString());
	}

	@Test
	void staleTemporaryFilesAreRemovedOnOpen() throws Exception {
		Path stale = Files.createFile(dir.resolve(".p.state12345.tmp"));
		new StateStore(dir);
		assertThat(stale).doesNotExist();
	}
}
