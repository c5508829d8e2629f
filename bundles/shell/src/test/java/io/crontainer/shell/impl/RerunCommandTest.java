package io.crontainer.shell.impl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import org.apache.felix.service.command.CommandSession;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.crontainer.api.runtime.CronJobDTO;
import io.crontainer.api.runtime.JobState;
import io.crontainer.api.runtime.RerunSplit;

/** {@code cron:rerun}: dry run, start, progress, cancel, and the refusals of bad input. */
class RerunCommandTest {
	static final Instant NOW = Instant.parse("2026-12-07T09:00:00Z");

	FakeRuntime rt;
	CronCommands commands;

	@BeforeEach
	void setUp() {
		rt = new FakeRuntime();
		commands = new CronCommands(rt, Clock.fixed(NOW, ZoneOffset.UTC));
		CronJobDTO cleaner = rt.add("token-cleaner", JobState.SCHEDULED, "@hourly", "Europe/Berlin");
		cleaner.lastEnd = Instant.parse("2026-12-07T08:00:00Z").toEpochMilli();
	}

	private String rerun(String from, String to, String split, boolean dryRun, boolean cancel, String by, String name) {
		return commands.rerun(null, from, to, split, dryRun, cancel, by, name);
	}

	@Test
	void aDryRunListsTheWindowsInThePluginsZoneAndRunsNothing() {
		String out = rerun("2026-12-07T00:30", "2026-12-07T03:00+01:00", "interval", true, false, "", "token-cleaner");
		assertThat(out).isEqualTo(String.join("\n",
				"Dry run: token-cleaner would re-run 3 windows of [2026-12-07T00:30+01:00[Europe/Berlin], 2026-12-07T03:00+01:00[Europe/Berlin]), cut at the fire times of @hourly (Europe/Berlin):",
				"#  WINDOW START                           WINDOW END",
				"1  2026-12-07T00:30+01:00[Europe/Berlin]  2026-12-07T01:00+01:00[Europe/Berlin]",
				"2  2026-12-07T01:00+01:00[Europe/Berlin]  2026-12-07T02:00+01:00[Europe/Berlin]",
				"3  2026-12-07T02:00+01:00[Europe/Berlin]  2026-12-07T03:00+01:00[Europe/Berlin]",
				"Nothing was run. Without --dry-run they run one at a time, never beside another run of token-cleaner; its committed window end (2026-12-07T09:00+01:00[Europe/Berlin]) does not move."));
		assertThat(rt.calls).contains("planRerun token-cleaner").noneMatch(c -> c.startsWith("rerun"));
		assertThat(rt.lastRerunFrom).as("a local time is read in the plugin's zone")
				.isEqualTo(Instant.parse("2026-12-06T23:30:00Z"));
		assertThat(rt.lastRerunSplit).isEqualTo(RerunSplit.INTERVAL);
	}

	@Test
	void theRangeEndsAtTheCommittedWindowEndUnlessGiven() {
		rerun("2026-12-07T08:00+01:00", "", "once", true, false, "", "token-cleaner");
		assertThat(rt.lastRerunTo).isEqualTo(Instant.parse("2026-12-07T08:00:00Z"));
		assertThat(rt.lastRerunSplit).isEqualTo(RerunSplit.ONCE);
	}

	@Test
	void aRerunRecordsWhoAskedAndWhereFromAndShowsItsProgress() {
		CommandSession session = (CommandSession) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
				new Class<?>[] { CommandSession.class },
				(proxy, method, args) -> method.getName().equals("get") && CronCommands.VIA.equals(args[0]) ? "bin/client"
						: null);
		String out = commands.rerun(session, "2026-12-07T06:00Z", "2026-12-07T08:00Z", "interval", false, false, "alice",
				"token-cleaner");
		assertThat(out).startsWith("Re-running token-cleaner: 2 windows of [2026-12-07T07:00+01:00[Europe/Berlin], "
				+ "2026-12-07T09:00+01:00[Europe/Berlin]), cut at the fire times of @hourly (Europe/Berlin), asked by alice via"
				+ " bin/client.");
		assertThat(rt.calls).contains("rerun token-cleaner by alice via bin/client");
		String noBy = rerun("2026-12-07T06:00Z", "", "interval", false, false, "", "token-cleaner");
		assertThat(noBy).contains("asked by " + System.getProperty("user.name") + " via the console");

		assertThat(rerun("", "", "interval", false, false, "", "token-cleaner")).startsWith(String.join("\n",
				"Re-run of token-cleaner (in progress):",
				"Range:             [2026-12-07T07:00+01:00[Europe/Berlin], 2026-12-07T09:00+01:00[Europe/Berlin])",
				"Cut:               at the fire times of @hourly (Europe/Berlin)",
				"Progress:          0 of 2 windows done, 0 failed, 2 left"));
		rt.jobs.get("token-cleaner").rerun = rt.reruns.get("token-cleaner");
		assertThat(commands.info("token-cleaner")).contains("Re-run:           in progress: 0 of 2 windows done, 0 failed,"
				+ " 2 left of [2026-12-07T07:00+01:00[Europe/Berlin], 2026-12-07T09:00+01:00[Europe/Berlin]), asked by");
	}

	@Test
	void theHistoryTellsWhoAskedForAReRunWindow() {
		io.crontainer.api.runtime.CronRunDTO run = rt.run("token-cleaner", io.crontainer.api.runtime.Outcome.SUCCEEDED,
				Instant.parse("2026-12-07T06:00:00Z").toEpochMilli(), Instant.parse("2026-12-07T07:00:00Z").toEpochMilli(),
				NOW.toEpochMilli(), NOW.toEpochMilli() + 40, null);
		run.trigger = io.crontainer.api.runtime.Trigger.RERUN;
		run.requestedBy = "alice via bin/client";
		String out = commands.history(20, "token-cleaner");
		assertThat(out.lines().findFirst().orElseThrow()).contains("OUTCOME    ASKED BY");
		assertThat(out).contains("RERUN    2026-12-07T07:00:00+01:00  2026-12-07T08:00:00+01:00").contains(
				"SUCCEEDED  alice via bin/client");
		run.requestedBy = null;
		assertThat(commands.history(20, "token-cleaner")).doesNotContain("ASKED BY");
	}

	@Test
	void cancelStopsItAfterTheWindowInProgress() {
		assertThatThrownBy(() -> rerun("", "", "interval", false, true, "", "token-cleaner"))
				.isInstanceOf(IllegalArgumentException.class).hasMessage("cron plugin 'token-cleaner' has no re-run in progress.");
		rerun("2026-12-07T06:00Z", "", "interval", false, false, "", "token-cleaner");
		assertThat(rerun("", "", "interval", false, true, "", "token-cleaner")).isEqualTo("Cancelled the re-run of "
				+ "token-cleaner (it stops after the window in progress): 0 of 2 windows done, 0 failed, 2 left.");
		assertThatThrownBy(() -> rerun("2026-12-07T06:00Z", "", "interval", false, true, "", "token-cleaner"))
				.hasMessage("--cancel takes the plugin's name only.");
	}

	@Test
	void badInputIsRefusedInOneLine() {
		assertThatThrownBy(() -> rerun("2026-12-07T06:00Z", "", "interval", false, false, "", "nobody\u001b[2J"))
				.isInstanceOf(IllegalArgumentException.class).hasMessage("Unknown cron plugin \"nobody\\e[2J\"; known: token-cleaner.");
		assertThatThrownBy(() -> rerun("2026-12-07T07:00Z", "2026-12-07T06:00Z", "interval", false, false, "", "token-cleaner"))
				.hasMessage("Refused: the range is empty: its start, 2026-12-07T07:00:00Z, is not before its end, "
						+ "2026-12-07T06:00:00Z.");
		assertThatThrownBy(() -> rerun("2026-12-07T06:00Z", "2026-12-07T10:00Z", "interval", true, false, "", "token-cleaner"))
				.hasMessageStartingWith("Refused: the range ends at 2026-12-07T10:00:00Z, after the end of the last committed");
		assertThatThrownBy(() -> rerun("yesterday\n", "", "interval", true, false, "", "token-cleaner"))
				.hasMessageStartingWith("Cannot read \"yesterday\\n\" as an ISO-8601 date-time");
		assertThatThrownBy(() -> rerun("2026-12-07T06:00Z", "", "daily\r", true, false, "", "token-cleaner"))
				.hasMessage("--split must be interval or once, not \"daily\\r\".");
		assertThatThrownBy(() -> rerun("2026-12-07T06:00Z", "", "interval", false, false, "mallory\u0007", "token-cleaner"))
				.isInstanceOf(IllegalArgumentException.class)
				.hasMessage("Refused: who asks for the re-run holds control characters.");
		assertThatThrownBy(() -> rerun("", "", "interval", true, false, "", "token-cleaner"))
				.hasMessageStartingWith("Give the start of the range");
		rt.jobs.get("token-cleaner").lastEnd = null;
		assertThatThrownBy(() -> rerun("2026-12-07T06:00Z", "", "interval", true, false, "", "token-cleaner"))
				.hasMessage("Refused: token-cleaner has no committed window yet: there is nothing to re-run.");
	}
}
