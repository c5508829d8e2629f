package io.crontainer.shell.impl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.gogo.runtime.threadio.ThreadIOImpl;
import org.apache.felix.service.command.CommandSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.crontainer.api.runtime.JobState;

/**
 * How Gogo's parser (gogo.runtime, in process, without OSGi) hands command lines to the commands:
 * quoting, globbing of {@code *} and {@code ?}, comments after {@code #}, and options.
 */
class GogoParsingTest {
	static final String[] FUNCTIONS = { "list", "info", "fire", "history", "pause", "resume", "reset", "rerun", "next",
			"names" };

	@TempDir
	Path dir;
	ThreadIOImpl threadIO;
	CommandProcessorImpl processor;
	CommandSession session;
	FakeRuntime rt;

	@BeforeEach
	void setUp() {
		rt = new FakeRuntime();
		rt.add("token-cleaner", JobState.SCHEDULED, "*/15 * * * *", "Europe/Berlin").nextFire = Instant
				.parse("2024-10-26T22:15:00Z").toEpochMilli();
		threadIO = new ThreadIOImpl();
		threadIO.start();
		processor = new CommandProcessorImpl(threadIO);
		CronCommands commands = new CronCommands(rt, Clock.fixed(Instant.parse("2024-10-26T22:00:00Z"), ZoneOffset.UTC));
		for (String function : FUNCTIONS) {
			processor.addCommand("cron", commands, function);
		}
		session = processor.createSession(new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream(),
				new ByteArrayOutputStream());
		session.currentDir(dir);
	}

	@AfterEach
	void tearDown() {
		session.close();
		processor.stop();
		threadIO.stop();
	}

	Object execute(String line) throws Exception {
		return session.execute(line);
	}

	@Test
	void rerunTakesItsOptionsAndTheSessionFromGogo() throws Exception {
		rt.jobs.get("token-cleaner").lastEnd = Instant.parse("2024-10-26T22:00:00Z").toEpochMilli();
		Object dry = execute("cron:rerun --from 2024-10-26T20:00Z --to 2024-10-26T22:00Z --dry-run token-cleaner");
		assertThat(dry.toString()).startsWith("Dry run: token-cleaner would re-run 2 windows");
		session.put(CronCommands.VIA, "bin/client");
		Object real = execute("cron:rerun -f 2024-10-26T21:00Z -s once --by \"ops team\" token-cleaner");
		assertThat(real.toString()).contains("1 window of", "as one window", "asked by ops team via bin/client");
		assertThat(execute("cron:rerun --cancel token-cleaner").toString()).startsWith("Cancelled the re-run");
	}

	@Test
	void wrongArgumentsGetTheCommandsUsage() throws Exception {
		processor.addListener(new ArgumentHints());
		ByteArrayOutputStream err = new ByteArrayOutputStream();
		threadIO.setStreams(new ByteArrayInputStream(new byte[0]), System.out, new java.io.PrintStream(err, true));
		try {
			assertThatThrownBy(() -> execute("cron:history token-cleaner 5"))
					.hasMessageStartingWith("Cannot coerce history(");
			assertThatThrownBy(() -> execute("cron:history -n x")).hasMessageStartingWith("Cannot coerce history(");
			assertThatThrownBy(() -> execute("cron:pause")).hasMessageStartingWith("Cannot coerce pause(");
		} finally {
			threadIO.close();
		}
		assertThat(err.toString()).isEqualTo(String.join(System.lineSeparator(),
				"cron:history: wrong arguments \"token-cleaner 5\"; usage: cron:history [-n N] [NAME] (help cron:history explains them)",
				"cron:history: wrong arguments \"-n x\"; usage: cron:history [-n N] [NAME] (help cron:history explains them)",
				"cron:pause: no arguments; usage: cron:pause [-r TEXT] NAME (help cron:pause explains them)", ""));
	}

	@Test
	void aPauseTakesAQuotedReasonAndTheSessionsOperator() throws Exception {
		session.put(CronCommands.OPERATOR, "bin/client session 4 (user alice)");
		assertThat(execute("cron:pause --reason \"disk full, see ticket 7\" token-cleaner")).asString()
				.startsWith("Paused token-cleaner (by bin/client session 4 (user alice), ");
		assertThat(rt.calls).contains("pause token-cleaner --reason disk full, see ticket 7 by bin/client session 4 (user alice)");
		execute("cron:resume token-cleaner");
		session.put(CronCommands.OPERATOR, null);
		execute("cron:pause token-cleaner");
		assertThat(rt.calls).contains("pause token-cleaner by console (user " + System.getProperty("user.name") + ")");
	}

	@Test
	void namesListsThePluginsForCompletion() throws Exception {
		rt.add("heartbeat", JobState.SCHEDULED, "* * * * *", "UTC");
		assertThat(execute("cron:names")).isEqualTo(java.util.List.of("heartbeat", "token-cleaner"));
	}

	@Test
	void aQuotedIntervalArrivesVerbatim() throws Exception {
		assertThat(execute("cron:next -n 2 \"*/15 * * * *\"")).asString().endsWith(
				"\n2024-10-27T00:15+02:00[Europe/Berlin]\n2024-10-27T00:30+02:00[Europe/Berlin]");
		assertThat(execute("cron:next -n 2 '*/15 * * * *'")).asString().endsWith("00:30+02:00[Europe/Berlin]");
		assertThatThrownBy(() -> execute("cron:next \"0 0 12 ? * 6#3\"")).isInstanceOf(IllegalArgumentException.class);
		assertThat(rt.calls).contains("preview 0 0 12 ? * 6#3");
	}

	@Test
	void unquotedWordsWithoutGlobCharactersAreJoined() throws Exception {
		assertThatThrownBy(() -> execute("cron:next 0 9 1,15 1 MON-FRI"))
				.hasMessageStartingWith("interval '0 9 1,15 1 MON-FRI' is invalid");
		assertThat(execute("cron:next @hourly")).asString().contains("Interval: @hourly\n");
		assertThatThrownBy(() -> execute("cron:next @reboot H/15 1 L 6#3"))
				.hasMessageStartingWith("interval '@reboot H/15 1 L 6#3' is invalid");
	}

	@Test
	void gogoExpandsAnUnquotedStarToFileNames() throws Exception {
		// In an empty directory, Gogo refuses the line before the command is called.
		assertThatThrownBy(() -> execute("cron:next */15 * * * *")).hasMessageContaining("no matches found");
		assertThat(rt.calls).noneMatch(c -> c.startsWith("preview"));
		// ( is a pattern character too.
		assertThatThrownBy(() -> execute("cron:next H(0-7) * * * *")).hasMessage("no matches found: H(0-7)");
		assertThat(rt.calls).noneMatch(c -> c.startsWith("preview"));
		// Where there are files, * becomes their names: one name as a word, several as a list.
		Files.createFile(dir.resolve("deploy"));
		assertThatThrownBy(() -> execute("cron:next 0 9 * * MON-FRI"))
				.hasMessageStartingWith("interval '0 9 deploy deploy MON-FRI' is invalid: unknown to the fake (quote the interval");
		Files.createFile(dir.resolve("bin"));
		assertThatThrownBy(() -> execute("cron:next 0 9 * * MON-FRI"))
				.hasMessageStartingWith("Gogo replaced an unquoted * or ? with the file names [\"bin\" \"deploy\"]: quote the interval");
		assertThat(rt.calls).noneMatch(c -> c.startsWith("preview 0 9 [") || c.startsWith("preview 0 9 bin"));
	}

	@Test
	void anUnquotedHashStartsAComment() throws Exception {
		assertThat(execute("cron:next @hourly #3")).asString().contains("Interval: @hourly\n");
		assertThatThrownBy(() -> execute("cron:next 0 0 12 1 1 6#3")).hasMessageStartingWith("interval '0 0 12 1 1 6#3'");
	}

	@Test
	void optionsAndArgumentsReachTheCommands() throws Exception {
		assertThat(execute("cron:list -a")).asString().startsWith("NAME ");
		assertThat(execute("cron:list --all")).asString().startsWith("NAME ");
		execute("cron:history -n 3 token-cleaner");
		assertThat(rt.calls).contains("getHistory token-cleaner 3");
		execute("cron:history --count 4");
		assertThat(rt.calls).contains("getHistory null 4");
		execute("cron:history");
		assertThat(rt.calls).contains("getHistory null 20");
		assertThat(execute("cron:fire --async token-cleaner")).asString().startsWith("Fired token-cleaner;");
		assertThat(execute("cron:reset --since 2024-10-26T12:00 token-cleaner")).asString()
				.contains("2024-10-26T12:00+02:00[Europe/Berlin]");
		assertThat(rt.lastResetSince).isEqualTo(Instant.parse("2024-10-26T10:00:00Z"));
		assertThat(execute("cron:next -z UTC -f 2024-10-26T12:00 -n 1 --name token-cleaner @hourly")).asString()
				.endsWith("\n2024-10-26T13:00Z[UTC]");
		assertThat(rt.lastPreviewName).isEqualTo("token-cleaner");
	}

	@Test
	void anUnknownNameIsAnIllegalArgument() {
		assertThatThrownBy(() -> execute("cron:info nope")).isInstanceOf(IllegalArgumentException.class)
				.hasMessage("Unknown cron plugin \"nope\"; known: token-cleaner.");
	}
}
