package io.crontainer.shell.impl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.crontainer.api.runtime.CronJobDTO;
import io.crontainer.api.runtime.CronLogDTO;
import io.crontainer.api.runtime.CronRunDTO;
import io.crontainer.api.runtime.JobState;
import io.crontainer.api.runtime.Outcome;
import io.crontainer.api.runtime.Trigger;

class CronCommandsTest {
	/** 2024-10-27T00:00+02:00[Europe/Berlin]: the night Berlin falls back from +02:00 to +01:00. */
	static final Instant NOW = Instant.parse("2024-10-26T22:00:00Z");
	static final long NOW_MS = NOW.toEpochMilli();
	static final long MIN = 60_000;

	FakeRuntime rt;
	CronCommands commands;

	@BeforeEach
	void setUp() {
		rt = new FakeRuntime();
		commands = new CronCommands(rt, Clock.fixed(NOW, ZoneOffset.UTC));
	}

	/** Three live plugins in different states, and one disabled. */
	void fourPlugins() {
		CronJobDTO cleaner = rt.add("token-cleaner", JobState.SCHEDULED, "*/15 * * * *", "Europe/Berlin");
		cleaner.nextFire = NOW_MS + 15 * MIN;
		cleaner.lastEnd = NOW_MS - 15 * MIN + 123;
		cleaner.lastRun = rt.run("token-cleaner", Outcome.SUCCEEDED, NOW_MS - 30 * MIN, NOW_MS - 15 * MIN + 123,
				NOW_MS - 15 * MIN + 123, NOW_MS - 15 * MIN + 1_323, null);
		CronJobDTO reports = rt.add("reports", JobState.SCHEDULED, "@hourly", "UTC");
		reports.nextFire = NOW_MS + 5 * MIN;
		reports.running = true;
		reports.lastRun = rt.run("reports", Outcome.RUNNING, 0, NOW_MS - 184_000, NOW_MS - 184_000, null, null);
		CronJobDTO broken = rt.add("broken", JobState.INVALID, "nope", "Europe/Berlin");
		broken.reason = "interval 'nope' is invalid: 5 fields expected";
		broken.description = null;
		rt.add("off", JobState.DISABLED, "@hourly", "UTC").reason = "enabled() returned false";
	}

	// ------------------------------------------------------------------------------------ list

	@Test
	void listOfNothingIsASentence() {
		assertThat(commands.list(false))
				.isEqualTo("The scheduler knows no cron plugins: none is deployed, or none has registered its service yet.");
	}

	@Test
	void listSaysFirstThatTheStateStoreCannotBeReached() {
		rt.store.available = false;
		rt.store.reason = "PostgreSQL jdbc:postgresql://db/x (node a) is unavailable: cannot connect: Connection refused";
		assertThat(commands.list(false)).startsWith("STATE STORE UNAVAILABLE: PostgreSQL jdbc:postgresql://db/x (node a) "
				+ "is unavailable: cannot connect: Connection refused; no plugin runs until it is back.\n");
		rt.store.available = true;
		rt.store.reason = null;
		assertThat(commands.list(false)).doesNotContain("STATE STORE");
	}

	@Test
	void listAndInfoSayWhenThisRuntimesClockIsOffTheClustersDatabase() {
		fourPlugins();
		assertThat(commands.info("token-cleaner")).as("the local store measures nothing").doesNotContain("Clock:");
		rt.store.clockSkew = -3L;
		assertThat(commands.info("token-cleaner")).contains("Clock:            3 ms ahead of the cluster's database"
				+ " (within 1 s): window ends, '?' anchors and leases come from the database's clock\n");
		assertThat(commands.list(false)).doesNotContain("CLOCK SKEW");
		rt.store.clockSkew = 185_000L;
		rt.store.clockWarning = "the clock of node a is 3 min 5 s behind the database's (more than 1.0 s)";
		assertThat(commands.list(false)).startsWith("CLOCK SKEW: the clock of node a is 3 min 5 s behind the database's"
				+ " (more than 1.0 s).\nNAME");
		assertThat(commands.info("token-cleaner")).contains("Clock:            WARNING: the clock of node a is 3 min 5 s"
				+ " behind the database's (more than 1.0 s)\n");
	}

	@Test
	void listSortsByNextFireAndHidesDisabledPlugins() {
		fourPlugins();
		assertThat(commands.list(false)).isEqualTo(String.join("\n",
				"NAME           STATE                INTERVAL      ZONE           NEXT FIRE                    LEFT  LAST WINDOW END            LAST RUN        TOOK  BUNDLE                   REASON",
				"reports        SCHEDULED (running)  @hourly       UTC            2024-10-26T22:05:00Z        5 min  -                          RUNNING    3 min 4 s  com.example.plugins [7]  -",
				"token-cleaner  SCHEDULED            */15 * * * *  Europe/Berlin  2024-10-27T00:15:00+02:00  15 min  2024-10-26T23:45:00+02:00  SUCCEEDED      1.2 s  com.example.plugins [7]  -",
				"broken         INVALID              nope          Europe/Berlin  -                               -  -                          -                  -  com.example.plugins [7]  interval 'nope' is invalid: 5 fields expected",
				"3 cron plugins listed; 1 disabled plugin not shown (cron:list -a lists it)."));
	}

	@Test
	void listAllShowsDisabledPluginsToo() {
		fourPlugins();
		List<String> lines = commands.list(true).lines().collect(Collectors.toList());
		assertThat(lines).hasSize(6);
		assertThat(lines.get(0)).startsWith("NAME ");
		assertThat(lines.subList(1, 5)).extracting(l -> l.substring(0, l.indexOf(' ')))
				.containsExactly("reports", "token-cleaner", "broken", "off");
		assertThat(lines.get(4)).contains("DISABLED").endsWith("enabled() returned false");
		assertThat(lines.get(5)).isEqualTo("4 cron plugins listed.");
	}

	@Test
	void listColumnsAlignWithTheHeader() {
		fourPlugins();
		List<String> lines = commands.list(true).lines().collect(Collectors.toList());
		String header = lines.get(0);
		for (String column : List.of("STATE", "INTERVAL", "ZONE", "NEXT FIRE", "LAST WINDOW END", "LAST RUN",
				"BUNDLE")) {
			int at = header.indexOf(column);
			for (String row : lines.subList(1, lines.size() - 1)) {
				assertThat(row.charAt(at - 1)).as("%s in %s", column, row).isEqualTo(' ');
				assertThat(row.charAt(at - 2)).as("%s in %s", column, row).isEqualTo(' ');
				assertThat(row.charAt(at)).as("%s in %s", column, row).isNotEqualTo(' ');
			}
		}
		assertThat(lines).allSatisfy(l -> assertThat(l).doesNotEndWith(" "));
	}

	@Test
	void listWithOnlyDisabledPluginsSaysSo() {
		rt.add("a", JobState.DISABLED, "@hourly", "UTC");
		rt.add("b", JobState.DISABLED, "@hourly", "UTC");
		assertThat(commands.list(false))
				.isEqualTo("No cron plugin listed; 2 disabled plugins not shown (cron:list -a lists them).");
	}

	@Test
	void listGivesTheErrorOfAFailedLastRunAsItsReason() {
		fourPlugins();
		rt.jobs.remove("broken");
		CronJobDTO cleaner = rt.jobs.get("token-cleaner");
		cleaner.lastRun = rt.run("token-cleaner", Outcome.FAILED, NOW_MS - 30 * MIN, NOW_MS - 15 * MIN,
				NOW_MS - 15 * MIN, NOW_MS - 15 * MIN + 10, "java.net.ConnectException: Connection refused\n\tat x");
		List<String> lines = commands.list(false).lines().collect(Collectors.toList());
		assertThat(lines.get(0)).endsWith("BUNDLE                   REASON");
		assertThat(lines.get(2)).startsWith("token-cleaner ").contains(" FAILED ")
				.endsWith("com.example.plugins [7]  last run: java.net.ConnectException: Connection refused");
		assertThat(lines.get(1)).startsWith("reports ").endsWith("com.example.plugins [7]  -");
	}

	@Test
	void listLeavesOutTheReasonColumnWhenNoPluginHasOne() {
		fourPlugins();
		rt.jobs.remove("broken");
		assertThat(commands.list(false).lines().findFirst().orElseThrow()).endsWith("BUNDLE");
	}

	@Test
	void inAClusterListInfoAndHistoryShowTheNode() {
		fourPlugins();
		rt.jobs.remove("broken");
		CronJobDTO cleaner = rt.jobs.get("token-cleaner");
		cleaner.node = "cron-2";
		cleaner.lastRun.node = "cron-2";
		rt.jobs.get("reports").node = "cron-1";
		assertThat(commands.list(false).lines().findFirst().orElseThrow()).contains("  TOOK  NODE    BUNDLE");
		assertThat(commands.list(false)).containsPattern("token-cleaner .* cron-2  com.example.plugins");
		assertThat(commands.info("token-cleaner")).contains("Node:             cron-2 (ran it last)");
		assertThat(commands.history(20, "token-cleaner").lines().findFirst().orElseThrow()).endsWith("OUTCOME    NODE");
		// Without a cluster there is no node, and no column.
		assertThat(commands.history(20, "reports").lines().findFirst().orElseThrow()).endsWith("OUTCOME");
	}

	@Test
	void anOverdueFireTimeIsDue() {
		rt.add("late", JobState.SCHEDULED, "@hourly", "UTC").nextFire = NOW_MS - 1;
		assertThat(commands.list(false).lines().skip(1).findFirst().orElseThrow()).contains(" due ");
	}

	// ---------------------------------------------------------------------------- unknown names

	@Test
	void anUnknownNameNamesTheKnownOnes() {
		fourPlugins();
		for (Runnable command : List.<Runnable>of(() -> commands.info("nope"), () -> commands.fire(false, "nope"),
				() -> commands.history(20, "nope"), () -> commands.pause("nope"), () -> commands.resume("nope"))) {
			assertThatThrownBy(command::run).isInstanceOf(IllegalArgumentException.class)
					.hasMessage("Unknown cron plugin \"nope\"; known: broken, off, reports, token-cleaner.");
		}
		assertThat(rt.calls).noneMatch(c -> c.startsWith("fire") || c.startsWith("pause") || c.startsWith("resume"));
	}

	@Test
	void anUnknownNameNamesADuplicateOnce() {
		rt.add("twin", JobState.SCHEDULED, "@hourly", "UTC");
		CronJobDTO second = new CronJobDTO();
		second.name = "twin";
		second.state = JobState.DUPLICATE;
		rt.jobs.put("twin#2", second);
		assertThatThrownBy(() -> commands.info("nope")).hasMessage("Unknown cron plugin \"nope\"; known: twin.");
	}

	@Test
	void anUnknownNameWithNoPluginsSaysSo() {
		assertThatThrownBy(() -> commands.info("nope")).isInstanceOf(IllegalArgumentException.class)
				.hasMessage("Unknown cron plugin \"nope\": the scheduler knows none.");
	}

	@Test
	void anUnknownNameListsAtMostTwentyKnownOnes() {
		for (int i = 0; i < 25; i++) {
			rt.add(String.format("p%02d", i), JobState.SCHEDULED, "@hourly", "UTC");
		}
		assertThatThrownBy(() -> commands.info("nope")).hasMessageEndingWith(", p19 and 5 more (cron:list).")
				.hasMessageStartingWith("Unknown cron plugin \"nope\"; known: p00, p01, ");
	}

	@Test
	void withoutTheSchedulerEveryCommandSaysSo() {
		CronCommands alone = new CronCommands(null, Clock.fixed(NOW, ZoneOffset.UTC));
		assertThatThrownBy(() -> alone.list(false)).isInstanceOf(IllegalStateException.class).hasMessage(
				"The Crontainer scheduler is not running (no CronRuntime service): its component failed to activate or its bundle is stopped; 'scr:info io.crontainer.scheduler.impl.SchedulerComponent' and data/log/crontainer.log say why.");
		assertThatThrownBy(() -> alone.next(5, "", "", "", "@hourly")).isInstanceOf(IllegalStateException.class);
	}

	// ------------------------------------------------------------------------------------ info

	/** A Sling/Karaf Runnable with scheduler.concurrent=true: cron:info says its runs may overlap. */
	@Test
	void infoSaysWhenRunsMayOverlap() {
		fourPlugins();
		rt.jobs.get("token-cleaner").concurrent = true;
		assertThat(commands.info("token-cleaner")).contains("Concurrent:       yes (scheduler.concurrent = true): a fire"
				+ " time starts a run even while another is going\n");
	}

	@Test
	void infoShowsEverythingAboutOnePlugin() {
		fourPlugins();
		CronJobDTO cleaner = rt.jobs.get("token-cleaner");
		cleaner.timeout = 90L;
		cleaner.missedFires = 3;
		cleaner.lastMissedFire = NOW_MS - 30 * MIN;
		for (int i = 0; i < 12; i++) {
			rt.run("token-cleaner", Outcome.FAILED, 0, i, NOW_MS - (i + 20) * MIN, NOW_MS - (i + 20) * MIN + 10,
					"java.io.IOException: boom\n\tat somewhere");
		}
		String info = commands.info("token-cleaner");
		assertThat(info).contains("Name:             token-cleaner\n", "State:            SCHEDULED\n",
				"Interval:         */15 * * * *\n", "Means:            described */15 * * * *\n",
				"Zone:             Europe/Berlin\n", "Timeout:          1 min 30 s\n", "Misfire:          skip\n",
				"Concurrent:       no: never two runs at once\n",
				"Next fire:        2024-10-27T00:15+02:00[Europe/Berlin] (in 15 min)\n",
				"Last window end:  2024-10-26T23:45:00.123+02:00[Europe/Berlin]\n",
				"Next window:      [2024-10-26T23:45:00.123+02:00[Europe/Berlin], the start of the next run)\n",
				"Missed fires:     3, the latest 2024-10-26T23:30+02:00[Europe/Berlin] (30 min ago): fire times whose"
						+ " run did not start within 60 s (the runtime was down, the store away, the plugin busy)\n",
				"Bundle:           com.example.plugins [7]\n", "Service id:       40\n");
		assertThat(info).contains("Next 5 fire times:\n  2024-10-27T00:15+02:00[Europe/Berlin]\n"
				+ "  2024-10-27T00:30+02:00[Europe/Berlin]\n");
		// The schedule the scheduler holds, not a fresh preview: '?' fields keep their creation time.
		assertThat(rt.calls).contains("getNextFireTimes token-cleaner 5").noneMatch(c -> c.startsWith("preview"));
		assertThat(info).contains("Service properties:\n  cron.name   = token-cleaner\n"
				+ "  objectClass = [io.crontainer.api.CronPlugin]\n");
		assertThat(info).contains("Last 10 runs, newest first:\n"
				+ "  TRIGGER   WINDOW START               WINDOW END");
		assertThat(rt.calls).contains("getHistory token-cleaner 10");
		assertThat(info.lines().filter(l -> l.contains("FAILED"))).hasSize(9)
				.allSatisfy(l -> assertThat(l).endsWith("java.io.IOException: boom at somewhere"));
		assertThat(info).doesNotEndWith("\n");
	}

	@Test
	void infoOfAnInvalidPluginShowsWhyAndNoFireTimes() {
		fourPlugins();
		String info = commands.info("broken");
		assertThat(info).contains("Missed fires:     0: fire times");
		assertThat(info).contains("State:            INVALID\n",
				"Reason:           interval 'nope' is invalid: 5 fields expected\n", "Means:            -\n",
				"Last window end:  none: the plugin has never run successfully\n",
				"Next window:      [1970-01-01T00:00Z, the start of the next run)\n",
				"Next fire times: none, the interval is invalid.\n", "Last runs: none since the scheduler started");
		assertThat(rt.calls).noneMatch(c -> c.startsWith("preview"));
	}

	@Test
	void infoOfAPausedPluginPreviewsItsIntervalFromNow() {
		CronJobDTO job = rt.add("p", JobState.PAUSED, "@hourly", "UTC");
		String info = commands.info("p");
		assertThat(info).contains("Next fire:        none\n",
				"Next 5 fire times of the interval (not fired while PAUSED):\n  2024-10-26T23:00Z[UTC]\n");
		assertThat(rt.lastPreviewFrom).isEqualTo(NOW);
		assertThat(job.state).isEqualTo(JobState.PAUSED);
	}

	// ------------------------------------------------------------------------------------ fire

	@Test
	void fireWaitsAndPrintsTheWindowAndTheOutcome() {
		fourPlugins();
		assertThat(commands.fire(false, "token-cleaner")).isEqualTo(String.join("\n",
				"token-cleaner: SUCCEEDED in 1.2 s",
				"Window:            [2024-10-26T23:45:00.123+02:00[Europe/Berlin], 2024-10-26T23:46:00.123+02:00[Europe/Berlin])",
				"Started:           2024-10-26T23:46:00.123+02:00[Europe/Berlin]",
				"Finished:          2024-10-26T23:46:01.323+02:00[Europe/Berlin]",
				"Window committed:  yes"));
		assertThat(rt.calls).contains("fire token-cleaner");
	}

	@Test
	void aFailedRunSaysItsWindowIsKept() {
		fourPlugins();
		CronRunDTO failed = new CronRunDTO();
		failed.name = "token-cleaner";
		failed.trigger = Trigger.MANUAL;
		failed.outcome = Outcome.FAILED;
		failed.windowStart = 0L;
		failed.windowEnd = NOW_MS;
		failed.started = NOW_MS;
		failed.finished = NOW_MS + 3 * MIN + 4_000;
		failed.error = "java.sql.SQLException: connection refused";
		rt.nextFire = CompletableFuture.completedFuture(failed);
		// A failed run fails the command: its description is the message, and bin/client's exit status is 3
		assertThatThrownBy(() -> commands.fire(false, "token-cleaner")).isInstanceOfSatisfying(
				RunNotSucceededException.class, e -> {
					assertThat(e.exitStatus()).isEqualTo(3);
					assertThat(e.toString()).isEqualTo(e.getMessage()); // the console prints it without a class name
					assertThat(e.getMessage()).startsWith("token-cleaner: FAILED in 3 min 4 s\n")
							.contains("Window:            [1970-01-01T01:00+01:00[Europe/Berlin], 2024-10-27T00:00+02:00[Europe/Berlin])\n")
							.contains("Window committed:  no, the next run covers this window again\n")
							.endsWith("Error:             java.sql.SQLException: connection refused");
				});
	}

	@Test
	void eachUnsuccessfulOutcomeHasItsExitStatus() {
		fourPlugins();
		for (Outcome outcome : List.of(Outcome.FAILED, Outcome.TIMED_OUT, Outcome.INTERRUPTED)) {
			CronRunDTO run = rt.run("token-cleaner", outcome, 0, NOW_MS, NOW_MS, NOW_MS + 10, "java.lang.Exception: x");
			rt.nextFire = CompletableFuture.completedFuture(run);
			assertThatThrownBy(() -> commands.fire(false, "token-cleaner")).isInstanceOfSatisfying(
					RunNotSucceededException.class, e -> assertThat(e.exitStatus()).as("%s", outcome)
							.isEqualTo(outcome == Outcome.FAILED ? 3 : outcome == Outcome.TIMED_OUT ? 4 : 5));
		}
	}

	@Test
	void anAbandonedRunEndsTheWaitAsTimedOut() throws Exception {
		fourPlugins();
		CompletableFuture<CronRunDTO> later = new CompletableFuture<>(); // completed when the run is abandoned
		rt.nextFire = later;
		CompletableFuture<Throwable> thrown = CompletableFuture.supplyAsync(() -> {
			try {
				commands.fire(false, "token-cleaner");
				return null;
			} catch (RuntimeException e) {
				return e;
			}
		});
		CronRunDTO abandoned = rt.run("token-cleaner", Outcome.TIMED_OUT, 0, NOW_MS, NOW_MS, NOW_MS + 3_000,
				"timed out after 3 s and ignored its interrupt: abandoned");
		abandoned.trigger = Trigger.MANUAL;
		later.complete(abandoned);
		assertThat(thrown.get(10, java.util.concurrent.TimeUnit.SECONDS)).isInstanceOfSatisfying(
				RunNotSucceededException.class, e -> {
					assertThat(e.exitStatus()).isEqualTo(4);
					assertThat(e.getMessage()).startsWith("token-cleaner: TIMED_OUT in 3.0 s\n").endsWith("abandoned");
				});
	}

	@Test
	void anInterruptedWaitSaysTheRunGoesOn() throws Exception {
		fourPlugins();
		rt.nextFire = new CompletableFuture<>();
		CompletableFuture<String> result = new CompletableFuture<>();
		Thread waiting = new Thread(() -> result.complete(commands.fire(false, "token-cleaner")));
		waiting.start();
		waiting.interrupt();
		assertThat(result.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("Stopped waiting for token-cleaner"
				+ " (Ctrl-C); its run goes on: cron:list shows it running, cron:history token-cleaner shows how it ends.");
	}

	@Test
	void fireWaitsForARunThatEndsLater() throws Exception {
		fourPlugins();
		CompletableFuture<CronRunDTO> later = new CompletableFuture<>();
		rt.nextFire = later;
		CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> commands.fire(false, "token-cleaner"));
		CronRunDTO run = new CronRunDTO();
		run.name = "token-cleaner";
		run.trigger = Trigger.MANUAL;
		run.outcome = Outcome.SUCCEEDED;
		run.windowStart = 0L;
		run.windowEnd = NOW_MS;
		run.started = NOW_MS;
		run.finished = NOW_MS + 400;
		assertThat(output).isNotDone();
		later.complete(run);
		assertThat(output.get(10, java.util.concurrent.TimeUnit.SECONDS)).startsWith("token-cleaner: SUCCEEDED in 400 ms");
	}

	@Test
	void fireAsyncReturnsAtOnce() {
		fourPlugins();
		rt.nextFire = new CompletableFuture<>();
		assertThat(commands.fire(true, "token-cleaner")).isEqualTo(
				"Fired token-cleaner; it runs on a thread of its own. cron:history token-cleaner shows how it ends.");
	}

	@Test
	void fireRefusesARunningPlugin() {
		fourPlugins();
		assertThatThrownBy(() -> commands.fire(false, "reports")).isInstanceOf(IllegalStateException.class)
				.hasMessage("Refused: reports is running already, for 3 min 4 s now; a plugin never runs twice at once.");
		assertThat(rt.calls).doesNotContain("fire reports");
	}

	@Test
	void fireRefusesAStuckPluginSayingItIsStuck() {
		fourPlugins();
		CronJobDTO hung = rt.add("hung", JobState.STUCK, "@hourly", "UTC");
		hung.running = true;
		hung.lastRun = rt.run("hung", Outcome.TIMED_OUT, 0, NOW_MS - 184_000, NOW_MS - 180_000, null, null);
		assertThatThrownBy(() -> commands.fire(false, "hung")).isInstanceOf(IllegalStateException.class)
				.hasMessage("Refused: hung is STUCK: its abandoned run is still inside run() (it ignored its interrupt);"
						+ " it can be fired once that returns.");
		assertThat(rt.calls).doesNotContain("fire hung");
	}

	@Test
	void fireRefusesAQueuedPlugin() {
		fourPlugins();
		rt.jobs.get("reports").lastRun.outcome = Outcome.QUEUED;
		assertThat(commands.list(false)).contains("reports        SCHEDULED (queued)  ");
		assertThatThrownBy(() -> commands.fire(false, "reports")).isInstanceOf(IllegalStateException.class)
				.hasMessage("Refused: reports is about to start already, for 3 min 4 s now; a plugin never runs twice at once.");
	}

	@Test
	void fireRefusesInvalidAndBlockedPlugins() {
		fourPlugins();
		assertThatThrownBy(() -> commands.fire(false, "broken")).isInstanceOf(IllegalStateException.class)
				.hasMessage("Refused: broken is INVALID (interval 'nope' is invalid: 5 fields expected) and is never fired.");
		CronJobDTO blocked = rt.add("stuck", JobState.BLOCKED, "@hourly", "UTC");
		blocked.reason = "state record is corrupt";
		assertThatThrownBy(() -> commands.fire(false, "stuck")).isInstanceOf(IllegalStateException.class)
				.hasMessage("Refused: stuck is BLOCKED (state record is corrupt); cron:reset stuck clears it.");
		assertThat(rt.calls).noneMatch(c -> c.startsWith("fire"));
	}

	@Test
	void aRefusalByTheSchedulerReachesTheOperator() {
		fourPlugins();
		rt.nextFire = CompletableFuture.failedFuture(new IllegalStateException("token-cleaner is running already"));
		assertThatThrownBy(() -> commands.fire(false, "token-cleaner")).isInstanceOf(IllegalStateException.class)
				.hasMessage("Firing token-cleaner failed: java.lang.IllegalStateException: token-cleaner is running already");
	}

	// --------------------------------------------------------------------------------- history

	@Test
	void historyListsRunsNewestFirst() {
		fourPlugins();
		rt.run("token-cleaner", Outcome.SKIPPED, 0, 0, NOW_MS - 1, NOW_MS - 1, "still running");
		String history = commands.history(20);
		assertThat(history.lines().collect(Collectors.toList())).containsExactly(
				"NAME           TRIGGER   WINDOW START               WINDOW END                 STARTED                         TOOK  OUTCOME    ERROR",
				"token-cleaner  SCHEDULE  -                          -                          2024-10-26T23:59:59+02:00          -  SKIPPED    still running",
				"reports        SCHEDULE  1970-01-01T00:00:00Z       2024-10-26T21:56:56Z       2024-10-26T21:56:56Z       3 min 4 s  RUNNING    -",
				"token-cleaner  SCHEDULE  2024-10-26T23:30:00+02:00  2024-10-26T23:45:00+02:00  2024-10-26T23:45:00+02:00      1.2 s  SUCCEEDED  -");
		assertThat(rt.calls).contains("getHistory null 20");
	}

	@Test
	void historyOfOnePluginLeavesOutTheNameColumn() {
		fourPlugins();
		String history = commands.history(1, "token-cleaner");
		assertThat(history.lines()).hasSize(2).first().asString().startsWith("TRIGGER ");
		assertThat(rt.calls).contains("getHistory token-cleaner 1");
	}

	@Test
	void historyOfNothingIsASentence() {
		rt.add("quiet", JobState.SCHEDULED, "@hourly", "UTC");
		assertThat(commands.history(20)).isEqualTo("No runs since the scheduler started.");
		assertThat(commands.history(20, "quiet")).isEqualTo("quiet has not run since the scheduler started.");
	}

	@Test
	void historyCountMustBePositive() {
		assertThatThrownBy(() -> commands.history(0)).isInstanceOf(IllegalArgumentException.class)
				.hasMessage("-n must be at least 1, not 0.");
	}

	// ------------------------------------------------------------------- pause, resume, reset

	@Test
	void pauseAndResume() {
		fourPlugins();
		assertThat(commands.pause("token-cleaner")).isEqualTo("Paused token-cleaner (by an unknown operator, now): it is"
				+ " not fired on its interval until cron:resume token-cleaner; the pause survives restarts.");
		assertThat(commands.pause("token-cleaner")).isEqualTo("token-cleaner is paused already (by an unknown operator,"
				+ " now).");
		assertThat(commands.resume("token-cleaner"))
				.isEqualTo("Resumed token-cleaner: SCHEDULED, next fire 2027-01-15T09:00+01:00[Europe/Berlin].");
		assertThat(commands.resume("token-cleaner"))
				.isEqualTo("token-cleaner is not paused (it is SCHEDULED); nothing to resume.");
		assertThat(rt.calls.stream().filter(c -> c.startsWith("pause") || c.startsWith("resume")))
				.containsExactly("pause token-cleaner", "resume token-cleaner");
	}

	@Test
	void aPauseKeepsWhoWhenAndWhyAndCronInfoShowsThem() {
		fourPlugins();
		assertThat(commands.pause("token-cleaner", "token table migration", "bin/client session 7 (user alice)"))
				.isEqualTo("Paused token-cleaner (by bin/client session 7 (user alice), now: token table migration): it"
						+ " is not fired on its interval until cron:resume token-cleaner; the pause survives restarts.");
		assertThat(rt.calls).contains("pause token-cleaner --reason token table migration by bin/client session 7 (user alice)");
		assertThat(commands.info("token-cleaner")).contains(
				"Paused:           by bin/client session 7 (user alice), now: token table migration (at 2024-10-27T00:00+02:00[Europe/Berlin])");
		assertThat(commands.list(false)).contains("PAUSED");
		assertThat(commands.pause("token-cleaner")).isEqualTo("token-cleaner is paused already (by bin/client session 7"
				+ " (user alice), now: token table migration).");
		assertThat(commands.pause("token-cleaner", "until Monday", "console (user root)"))
				.isEqualTo("token-cleaner stays paused, now (by console (user root), now: until Monday).");
		assertThatThrownBy(() -> commands.pause("token-cleaner", "x".repeat(501), null))
				.isInstanceOf(IllegalArgumentException.class).hasMessage("the reason is 501 characters long; at most 500 are allowed");
	}

	@Test
	void aReasonWithControlCharactersIsEscapedEverywhere() {
		fourPlugins();
		String said = commands.pause("token-cleaner", "\u001b]0;owned\u0007 ok\nnext", "bin/client session 1\u001b[2J");
		assertThat(said).doesNotContain("\u001b").doesNotContain("\u0007").contains("\\e]0;owned\\x07 ok\\nnext");
		assertThat(commands.info("token-cleaner")).doesNotContain("\u001b").contains("session 1\\e[2J");
	}

	@Test
	void theSessionSaysWhoPausesAndTheConsoleIsTheRuntimesUser() {
		assertThat(CronCommands.operator(null)).isEqualTo("console (user " + System.getProperty("user.name") + ")");
	}

	@Test
	void aPendingRetryShowsInTheListAndInCronInfo() {
		fourPlugins();
		CronJobDTO cleaner = rt.jobs.get("token-cleaner");
		cleaner.retries = 3;
		cleaner.retryDelay = 30_000L;
		cleaner.retryMaxDelay = 600_000L;
		cleaner.retryAttempt = 2;
		cleaner.retryAttempts = 3;
		cleaner.retryAt = NOW_MS + 60_000;
		assertThat(commands.list(false)).contains("SCHEDULED (retry 2 of 3 in 1 min)");
		String info = commands.info("token-cleaner");
		assertThat(info).contains("State:            SCHEDULED (retry 2 of 3 in 1 min)");
		assertThat(info).contains("Retry pending:    retry 2 of 3 in 1 min (at 2024-10-27T00:01+02:00[Europe/Berlin]), for"
				+ " the window from 2024-10-26T23:45:00.123+02:00[Europe/Berlin]");
		assertThat(info).contains("Retry:            3 retries, after 30.0 s, doubling up to 10 min (cron.retry): a"
				+ " failed or timed-out window is retried before the next fire time");
		assertThat(commands.info("reports")).contains("Retry:            none\n");
	}

	@Test
	void pausingARunningPluginLetsTheRunGoOn() {
		fourPlugins();
		assertThat(commands.pause("reports")).endsWith(" The run in progress goes on.");
	}

	@Test
	void resetClearsABlockedStateAndSetsTheWindowStart() {
		CronJobDTO job = rt.add("stuck", JobState.BLOCKED, "@hourly", "Europe/Berlin");
		job.reason = "state record is corrupt";
		assertThat(commands.reset("2024-10-26T12:00", false, "stuck")).isEqualTo(
				"Reset stuck: cleared its BLOCKED state; its next window starts at 2024-10-26T12:00+02:00[Europe/Berlin]. It is SCHEDULED.");
		assertThat(rt.lastResetSince).isEqualTo(Instant.parse("2024-10-26T10:00:00Z"));
		assertThatThrownBy(() -> commands.reset("", false, "stuck")).isInstanceOf(IllegalArgumentException.class)
				.hasMessageStartingWith("Refused: stuck is SCHEDULED, not BLOCKED: a reset would move the start of its"
						+ " next window")
				.hasMessageEndingWith("Give --since DATE-TIME for the new start, or --force to rewind it to the epoch.");
		assertThat(commands.reset("", true, "stuck"))
				.isEqualTo("Reset stuck: its next window starts at 1970-01-01T00:00Z (the epoch). It is SCHEDULED.");
		assertThat(rt.lastResetSince).isNull();
		commands.reset("2024-10-26T09:30:15Z", false, "stuck");
		assertThat(rt.lastResetSince).isEqualTo(Instant.parse("2024-10-26T09:30:15Z"));
	}

	@Test
	void theHistoryOfAPluginThatLeftIsShownWhileTheRuntimeKeepsIt() {
		fourPlugins();
		rt.departedWithHistory("gone-now");
		assertThat(commands.history(20, "gone-now")).contains("SUCCEEDED");
		assertThatThrownBy(() -> commands.history(20, "never")).isInstanceOf(IllegalArgumentException.class)
				.hasMessageStartingWith("Unknown cron plugin \"never\"");
	}

	@Test
	void aRunInProgressShowsItsAgeAndAStuckOneSaysSo() {
		CronJobDTO running = rt.add("busy", JobState.SCHEDULED, "@hourly", "UTC");
		running.running = true;
		running.runningSince = NOW_MS - 75_000;
		CronJobDTO stuck = rt.add("hung", JobState.STUCK, "@hourly", "UTC");
		stuck.runningSince = NOW_MS - 3_600_000;
		stuck.reason = "its run ignored its interrupt";
		String list = commands.list(false);
		assertThat(list).contains("SCHEDULED (running 1 min 15 s)").contains("STUCK (1 h)");
		assertThat(commands.info("busy")).contains("Running since:");
	}

	@Test
	void resetOfAPluginThatIsNotDeployedNeedsForce() {
		rt.add("here", JobState.SCHEDULED, "@hourly", "UTC");
		assertThatThrownBy(() -> commands.reset("", false, "gone")).isInstanceOf(IllegalArgumentException.class)
				.hasMessage("Unknown cron plugin \"gone\"; known: here."
						+ " To reset the state of a plugin that is not deployed, add --force.");
		assertThat(rt.calls).doesNotContain("reset gone");
		assertThat(commands.reset("2024-10-26T09:30Z", true, "gone")).startsWith(
				"Reset the state of gone, which is not deployed: when it is, its first window starts at 2024-10-26T");
		assertThat(rt.calls).contains("reset gone");
	}

	@Test
	void resetRejectsAnUnreadableDate() {
		rt.add("here", JobState.SCHEDULED, "@hourly", "UTC");
		assertThatThrownBy(() -> commands.reset("yesterday", false, "here")).isInstanceOf(IllegalArgumentException.class)
				.hasMessage("Cannot read \"yesterday\" as an ISO-8601 date-time: give one such as 2024-10-27T02:30,"
						+ " 2024-10-27T02:30+02:00 or 2024-10-27T00:30Z.");
		assertThat(rt.calls).doesNotContain("reset here");
	}

	// ------------------------------------------------------------------------------------ next

	@Test
	void nextPrintsOneFireTimePerLineAndNoOtherLineStartsWithADigit() {
		String out = commands.next(4, "", "", "", "@hourly");
		List<String> lines = out.lines().collect(Collectors.toList());
		List<ZonedDateTime> times = lines.stream().filter(l -> Character.isDigit(l.charAt(0)))
				.map(ZonedDateTime::parse).collect(Collectors.toList());
		assertThat(times).extracting(ZonedDateTime::toString).containsExactly("2024-10-27T01:00+02:00[Europe/Berlin]",
				"2024-10-27T02:00+02:00[Europe/Berlin]", "2024-10-27T02:00+01:00[Europe/Berlin]",
				"2024-10-27T03:00+01:00[Europe/Berlin]");
		assertThat(lines).filteredOn(l -> !Character.isDigit(l.charAt(0))).containsExactly("Interval: @hourly",
				"Means: described @hourly", "Zone: Europe/Berlin", "After: 2024-10-27T00:00+02:00[Europe/Berlin]",
				"Next 4 fire times:");
		assertThat(rt.lastPreviewZone).isNull();
		assertThat(rt.lastPreviewFrom).isEqualTo(NOW);
		assertThat(rt.lastPreviewName).isNull();
	}

	@Test
	void nextLeavesTheDefaultZoneOutOfTheDescription() {
		assertThat(CronCommands.withoutZone("at 02:30, every day (Etc/UTC)")).isEqualTo("at 02:30, every day");
		assertThat(CronCommands.withoutZone("every 5 minutes (on Monday)")).isEqualTo("every 5 minutes (on Monday)");
		assertThat(CronCommands.withoutZone("every minute")).isEqualTo("every minute");
		assertThat(commands.next(1, "Asia/Tokyo", "", "", "@hourly")).contains("\nMeans: described @hourly\nZone: Asia/Tokyo\n");
	}

	@Test
	void nextJoinsUnquotedWordsAndPassesAZoneAndAName() {
		String out = commands.next(2, "America/New_York", "", "cleaner", "*/15", "*", "*", "*", "*");
		assertThat(out).contains("Interval: */15 * * * *\n", "Zone: America/New_York\n",
				"\n2024-10-26T18:15-04:00[America/New_York]\n2024-10-26T18:30-04:00[America/New_York]");
		assertThat(rt.lastPreviewZone).isEqualTo(ZoneId.of("America/New_York"));
		assertThat(rt.lastPreviewName).isEqualTo("cleaner");
	}

	@Test
	void nextReadsALocalFromInTheGivenZone() {
		commands.next(1, "Asia/Tokyo", "2024-10-27T09:10", "", "@hourly");
		assertThat(rt.lastPreviewFrom).isEqualTo(Instant.parse("2024-10-27T00:10:00Z"));
		commands.next(1, "Asia/Tokyo", "2024-10-27T09:10+01:00", "", "@hourly");
		assertThat(rt.lastPreviewFrom).isEqualTo(Instant.parse("2024-10-27T08:10:00Z"));
	}

	@Test
	void nextReadsALocalFromInTheSchedulersDefaultZone() {
		String out = commands.next(1, "", "2024-10-27T02:30", "", "@hourly");
		// Berlin repeats 02:30 that night: the earlier offset, +02:00, as ZonedDateTime.of does.
		assertThat(rt.lastPreviewFrom).isEqualTo(Instant.parse("2024-10-27T00:30:00Z"));
		assertThat(rt.lastPreviewZone).isNull();
		assertThat(out).contains("After: 2024-10-27T02:30+02:00[Europe/Berlin]\n");
	}

	@Test
	void nextSaysWhenTheIntervalStopsFiring() {
		assertThat(commands.next(5, "UTC", "", "", "@reboot")).endsWith("No fire time after that: the interval never fires again, or fires only when a schedule starts (@reboot).");
	}

	@Test
	void nextExplainsAnInvalidInterval() {
		assertThatThrownBy(() -> commands.next(5, "", "", "", "0 0 31 2 *")).isInstanceOf(IllegalArgumentException.class)
				.hasMessage("interval '0 0 31 2 *' never fires");
		assertThatThrownBy(() -> commands.next(5, "", "", "", "0", "0", "bin", "bundle", "conf"))
				.isInstanceOf(IllegalArgumentException.class)
				.hasMessage("interval '0 0 bin bundle conf' is invalid: unknown to the fake (quote the interval, as in"
						+ " cron:next \"0 9 * * MON-FRI\"; unquoted, Gogo expands *, ? and ( to file names and takes"
						+ " a word that starts with # for a comment.)");
	}

	@Test
	void nextRefusesFileNamesThatGogoPutForAStar() {
		assertThatThrownBy(() -> commands.next(5, "", "", "", "0", "9", "[\"bin\" \"deploy\"]", "*", "MON-FRI"))
				.isInstanceOf(IllegalArgumentException.class)
				.hasMessage("Gogo replaced an unquoted * or ? with the file names [\"bin\" \"deploy\"]: quote the interval,"
						+ " as in cron:next \"0 9 * * MON-FRI\"; unquoted, Gogo expands *, ? and ( to file names and takes"
						+ " a word that starts with # for a comment.");
		assertThat(rt.calls).isEmpty();
	}

	@Test
	void nextChecksItsOptions() {
		assertThatThrownBy(() -> commands.next(0, "", "", "", "@hourly")).hasMessage("-n must be from 1 to 1000, not 0.");
		assertThatThrownBy(() -> commands.next(1001, "", "", "", "@hourly")).hasMessage("-n must be from 1 to 1000, not 1001.");
		assertThatThrownBy(() -> commands.next(5, "Mars/Olympus", "", "", "@hourly"))
				.hasMessage("Unknown time zone \"Mars/Olympus\": give an IANA zone id such as Europe/Berlin, or UTC.");
		assertThatThrownBy(() -> commands.next(5, "", "", "")).hasMessage(
				"Give an interval, quoted if it has spaces: cron:next \"0 9 * * MON-FRI\".");
		assertThat(rt.calls).noneMatch(c -> c.startsWith("preview"));
	}

	// ------------------------------------------------------------------------------- control characters

	@Test
	void controlCharactersFromAPluginAreEscapedInEveryOutput() {
		String title = "\u001b]0;pwned\u0007";
		CronJobDTO evil = rt.add("evil" + title, JobState.SCHEDULED, "@hourly", "UTC");
		evil.bundleSymbolicName = "com.example\u009b2J";
		evil.properties.put("x\u001b[2J", "v\r\nforged line\u001b[31m");
		evil.lastRun = rt.run(evil.name, Outcome.FAILED, 0, NOW_MS - MIN, NOW_MS - MIN, NOW_MS - MIN + 5,
				"java.lang.IllegalStateException: boom" + title + "\n\tat com.example.Evil.run(Evil.java:1)");
		List<String> outputs = List.of(commands.list(true), commands.info(evil.name), commands.history(20),
				commands.history(20, evil.name), String.join("\n", commands.names()), commands.pause(evil.name),
				commands.resume(evil.name));
		for (String out : outputs) {
			assertThat(out).as(out).doesNotContain("\u001b", "\u0007", "\u009b", "\r").contains("\\e]0;pwned\\x07");
		}
		assertThat(commands.info(evil.name)).contains("  x\\e[2J", " = v forged line\\e[31m\n")
				.contains("com.example\\u009b2J");
		assertThatThrownBy(() -> commands.info("nope")).hasMessageContaining("evil\\e]0;pwned\\x07")
				.hasMessageNotContaining("\u001b");
		CronRunDTO failed = rt.run(evil.name, Outcome.FAILED, 0, NOW_MS, NOW_MS, NOW_MS + 5, "boom" + title);
		rt.nextFire = CompletableFuture.completedFuture(failed);
		assertThatThrownBy(() -> commands.fire(false, evil.name)).hasMessageContaining("Error:             boom\\e]0;pwned\\x07")
				.hasMessageNotContaining("\u001b").hasMessageNotContaining("\u0007");
	}

	// ------------------------------------------------------------------------------------- log

	@Test
	void logPrintsTheLatestRunThatRanWithItsLinesEscaped() {
		fourPlugins();
		CronRunDTO older = rt.run("token-cleaner", Outcome.FAILED, 0, NOW_MS - 45 * MIN, NOW_MS - 45 * MIN, NOW_MS - 44 * MIN,
				"java.lang.IllegalStateException: no database");
		rt.log(older, "older run");
		CronLogDTO log = rt.log(rt.runs.get(0), "Deleted 3 expired tokens", "forged\n2024-10-26T23:45:00.000+02:00 ERROR x: y\u001b[2J");
		log.lines.get(1).level = "WARN";
		log.lines.get(1).thrown = "java.lang.IllegalStateException: boom\n\tat com.example.Cleaner.run(Cleaner.java:42)";
		rt.run("token-cleaner", Outcome.SKIPPED, 0, 0, NOW_MS - 1_000, NOW_MS - 1_000, "it was running");

		assertThat(commands.log("token-cleaner")).isEqualTo("""
				Log of token-cleaner's run started 2024-10-26T23:45:00.123+02:00[Europe/Berlin] (SUCCEEDED, took 1.2 s): 2 lines.
				2024-10-26T23:45:00.123+02:00 INFO  Cleaner: Deleted 3 expired tokens
				2024-10-26T23:45:00.124+02:00 WARN  Cleaner: forged\\n2024-10-26T23:45:00.000+02:00 ERROR x: y\\e[2J
				\tjava.lang.IllegalStateException: boom
				\tat com.example.Cleaner.run(Cleaner.java:42)""");
		assertThat(commands.log("token-cleaner", "3")).startsWith("Log of token-cleaner's run started 2024-10-26T23:15+02:00")
				.endsWith("INFO  Cleaner: older run");
		assertThat(commands.log("token-cleaner", "2024-10-26T23:15:00+02:00")).endsWith("older run");
		assertThat(commands.log("token-cleaner", "2024-10-26T21:45:00.123Z")).endsWith("Deleted 3 expired tokens"
				+ "\n" + commands.log("token-cleaner").split("\n", 3)[2]);
		assertThat(commands.log("token-cleaner", "1")).startsWith("The fire of token-cleaner at 2024-10-26T23:59:59+02:00")
				.endsWith("was skipped (it was running): it did not run, so it has no log.");
	}

	@Test
	void logSaysWhatWasLeftOutAndWhere() {
		fourPlugins();
		CronLogDTO log = rt.log(rt.runs.get(0), "first", "last");
		log.omitted = 12_345;
		log.omittedAt = 1;
		assertThat(commands.log("token-cleaner")).contains(": 12,347 lines, of which 12,345 left out.\n")
				.contains("Cleaner: first\n... 12,345 lines left out ...\n2024-");
	}

	@Test
	void logOfARunWithoutOneSaysWhy() {
		fourPlugins();
		assertThat(commands.log("token-cleaner")).startsWith("No log is kept for token-cleaner's run started");
		rt.log(rt.runs.get(0));
		assertThat(commands.log("token-cleaner")).endsWith("(SUCCEEDED, took 1.2 s): it logged nothing.");
		rt.add("fresh", JobState.SCHEDULED, "@hourly", "UTC");
		assertThat(commands.log("fresh")).isEqualTo("fresh has not run since the scheduler started; it has no log yet.");
	}

	@Test
	void logRefusesAnUnknownNameAndABadRun() {
		fourPlugins();
		assertThatThrownBy(() -> commands.log("nope")).isInstanceOf(IllegalArgumentException.class)
				.hasMessageStartingWith("Unknown cron plugin \"nope\"; known: ");
		assertThatThrownBy(() -> commands.log("token-cleaner", "0")).hasMessage("RUN must be at least 1 (the newest run), not 0.");
		assertThatThrownBy(() -> commands.log("token-cleaner", "7"))
				.hasMessage("There is no run 7 of token-cleaner: its history keeps 1 run (cron:history token-cleaner).");
		assertThatThrownBy(() -> commands.log("token-cleaner", "2020-01-01T00:00Z"))
				.hasMessage("No run of token-cleaner started at 2020-01-01T00:00Z (within that second); cron:history token-cleaner lists its runs.");
		assertThatThrownBy(() -> commands.log("token-cleaner", "yesterday")).isInstanceOf(IllegalArgumentException.class)
				.hasMessage("Cannot read \"yesterday\" as a run: give its position in cron:history token-cleaner (1 is the"
						+ " newest) or its start as cron:history prints it, such as 2024-10-27T00:30:00Z.");
		assertThatThrownBy(() -> commands.log("token-cleaner", "-1")).isInstanceOf(IllegalArgumentException.class)
				.hasMessageStartingWith("Cannot read \"-1\" as a run: give its position in cron:history token-cleaner");
	}
}
