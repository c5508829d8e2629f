package io.crontainer.itests.shell;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import javax.inject.Inject;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.util.tracker.ServiceTracker;

import io.crontainer.api.CronPlugin;
import io.crontainer.api.runtime.CronJobDTO;
import io.crontainer.api.runtime.CronRuntime;
import io.crontainer.api.runtime.JobState;
import io.crontainer.api.runtime.Outcome;
import io.crontainer.itests.support.Await;
import io.crontainer.itests.support.CrontainerOptions;
import io.crontainer.itests.support.Gogo;

/**
 * Every {@code cron:} command, run through a Gogo {@code CommandSession} as an operator types it,
 * against the real scheduler and cron plugin services registered from the test.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ShellIT {
	/** Every second (Quartz, seconds first): fires for real during a test. */
	static final String EVERY_SECOND = "* * * * * ?";
	/** Once a year: never fires during a test, so runs are the test's own. */
	static final String YEARLY = "0 0 0 1 1 ?";
	static final String SCHEDULER_PID = "io.crontainer.scheduler";
	static final String BERLIN = "Europe/Berlin";

	@Inject
	BundleContext context;

	final List<ServiceRegistration<?>> registrations = new ArrayList<>();
	/** The scheduler's runtime view, looked up afresh: a test restarts the scheduler. */
	ServiceTracker<CronRuntime, CronRuntime> runtimes;

	@Configuration
	public Option[] config() {
		return new Option[] { CrontainerOptions.features("core", "shell") };
	}

	/**
	 * Sets the scheduler's default zone to Europe/Berlin through ConfigAdmin, as an operator's
	 * {@code etc/io.crontainer.scheduler.cfg} would, and waits until the scheduler uses it.
	 */
	@Before
	public void berlin() throws Exception {
		runtimes = new ServiceTracker<>(context, CronRuntime.class, null);
		runtimes.open();
		ServiceReference<ConfigurationAdmin> ref = context.getServiceReference(ConfigurationAdmin.class);
		org.osgi.service.cm.Configuration config = context.getService(ref).getConfiguration(SCHEDULER_PID, "?");
		Dictionary<String, Object> props = config.getProperties();
		if (props == null || !BERLIN.equals(props.get("timezone"))) {
			props = props == null ? new Hashtable<>() : props;
			props.put("timezone", BERLIN);
			config.update(props);
		}
		context.ungetService(ref);
		Await.until("the scheduler's default zone " + BERLIN, () -> BERLIN.equals(defaultZone()),
				() -> "Default zone: " + defaultZone());
	}

	private String defaultZone() {
		return runtime().preview("@daily", null, null, Instant.now(), 1).get(0).getZone().getId();
	}

	@After
	public void unregister() {
		for (ServiceRegistration<?> r : registrations) {
			r.unregister();
		}
		runtimes.close();
	}

	/** The scheduler's runtime view; waits for it if it is (re)starting. */
	CronRuntime runtime() {
		try {
			CronRuntime rt = runtimes.waitForService(Await.TIMEOUT.toMillis());
			assertNotNull("no CronRuntime service", rt);
			return rt;
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new AssertionError(e);
		}
	}

	/** A plugin that records its windows and can be held in run() by a latch. */
	static final class Recorder implements CronPlugin {
		final String interval;
		final List<Instant[]> windows = Collections.synchronizedList(new ArrayList<>());
		volatile CountDownLatch hold = new CountDownLatch(0);
		final CountDownLatch entered = new CountDownLatch(1);

		Recorder(String interval) {
			this.interval = interval;
		}

		@Override
		public String interval() {
			return interval;
		}

		@Override
		public void run(Instant start, Instant end) throws Exception {
			entered.countDown();
			hold.await(20, TimeUnit.SECONDS);
			windows.add(new Instant[] { start, end });
		}
	}

	Recorder register(String name, String interval, Object... props) throws InterruptedException {
		Recorder plugin = new Recorder(interval);
		Dictionary<String, Object> p = new Hashtable<>();
		p.put(CronPlugin.NAME, name);
		for (int i = 0; i < props.length; i += 2) {
			p.put((String) props[i], props[i + 1]);
		}
		registrations.add(context.registerService(CronPlugin.class, plugin, p));
		awaitState(name, null);
		return plugin;
	}

	/** Waits until the scheduler knows the plugin and it has left PENDING (and is in {@code state}, if given). */
	void awaitState(String name, JobState state) throws InterruptedException {
		Await.until(name + " " + (state == null ? "settled" : state), () -> {
			CronJobDTO job = runtime().getJob(name);
			return job != null && job.state != JobState.PENDING && (state == null || job.state == state);
		}, () -> "Job: " + runtime().getJob(name));
	}

	static String gogo(BundleContext context, String line) throws Exception {
		return Gogo.execute(context, line);
	}

	String exec(String line) throws Exception {
		return gogo(context, line);
	}

	/** The exception the command line throws, or a failure if it throws none. */
	Exception refused(String line) {
		try {
			fail(line + " printed " + exec(line));
		} catch (Exception e) {
			return e;
		}
		throw new AssertionError();
	}

	static String row(String table, String name) {
		return table.lines().filter(l -> l.startsWith(name + " ")).findFirst()
				.orElseThrow(() -> new AssertionError("no row " + name + " in\n" + table));
	}

	// ----------------------------------------------------------------------------------- tests

	@Test
	public void listShowsEachPluginInAlignedColumnsSortedByNextFire() throws Exception {
		register("it-list-yearly", YEARLY);
		register("it-list-second", EVERY_SECOND);
		register("it-list-off", YEARLY, "cron.enabled", false);
		register("it-list-bad", "61 * * * *");

		String list = exec("cron:list");
		List<String> lines = list.lines().collect(Collectors.toList());
		String header = lines.get(0);
		assertTrue(header, header.matches("NAME +STATE +INTERVAL +ZONE +NEXT FIRE +LEFT +LAST WINDOW END +LAST RUN +TOOK +BUNDLE +REASON"));
		List<String> names = lines.subList(1, lines.size() - 1).stream().map(l -> l.split(" ")[0])
				.filter(n -> n.startsWith("it-list-")).collect(Collectors.toList());
		assertEquals(List.of("it-list-second", "it-list-yearly", "it-list-bad"), names);
		String second = row(list, "it-list-second");
		assertTrue(second, second.matches("it-list-second +SCHEDULED( \\(running\\))? +\\* \\* \\* \\* \\* \\? +Europe/Berlin +20\\d\\d-.*"));
		assertEquals(header.indexOf("ZONE"), second.indexOf("Europe/Berlin"));
		String bad = row(list, "it-list-bad");
		assertTrue(bad, bad.contains(" INVALID "));
		assertTrue(bad, bad.substring(header.indexOf("REASON")).contains("61"));
		assertTrue(list, lines.get(lines.size() - 1).matches("\\d+ cron plugins? listed; 1 disabled plugin not shown \\(cron:list -a lists it\\)\\."));

		String all = exec("cron:list -a");
		assertTrue(all, row(all, "it-list-off").contains(" DISABLED "));
		assertFalse(all, all.contains("not shown"));
	}

	@Test
	public void infoShowsThePluginItsFireTimesPropertiesAndRuns() throws Exception {
		register("it-info", "0 30 2 * * ?", "cron.timezone", "America/New_York", "cron.timeout", 90L);
		exec("cron:fire it-info");
		String info = exec("cron:info it-info");
		assertTrue(info, info.contains("Name:             it-info\n"));
		assertTrue(info, info.contains("State:            SCHEDULED\n"));
		assertTrue(info, info.contains("Interval:         0 30 2 * * ?\n"));
		assertTrue(info, info.contains("Zone:             America/New_York\n"));
		assertTrue(info, info.contains("Timeout:          1 min 30 s\n"));
		List<ZonedDateTime> fires = info.lines().dropWhile(l -> !l.startsWith("Next 5 fire times")).skip(1).limit(5)
				.map(String::strip).map(ZonedDateTime::parse).collect(Collectors.toList());
		assertEquals(5, fires.size());
		for (ZonedDateTime t : fires) {
			assertEquals("America/New_York", t.getZone().getId());
			assertEquals(2, t.getHour());
			assertEquals(30, t.getMinute());
		}
		assertTrue(info, info.matches("(?s).*\n  cron.name +\\= it-info\n.*"));
		assertTrue(info, info.matches("(?s).*\n  cron.timezone +\\= America/New_York\n.*"));
		assertTrue(info, info.matches("(?s).*Last 1 run, newest first:\n  TRIGGER .*\n  MANUAL .* SUCCEEDED.*"));
		assertTrue(info, info.matches("(?s).*Last window end:  20\\d\\d-.*\\[America/New_York\\]\n.*"));
	}

	@Test
	public void firePrintsTheWindowTheRunGotAndWindowsTile() throws Exception {
		Recorder plugin = register("it-fire", YEARLY);
		String first = exec("cron:fire it-fire");
		String second = exec("cron:fire it-fire");
		assertTrue(first, first.startsWith("it-fire: SUCCEEDED in "));
		assertEquals(2, plugin.windows.size());
		Instant[] w1 = plugin.windows.get(0);
		Instant[] w2 = plugin.windows.get(1);
		assertEquals(Instant.EPOCH, w1[0]);
		assertEquals(w1[1], w2[0]);
		Matcher m = Pattern.compile("Window: +\\[(\\S+), (\\S+)\\)").matcher(second);
		assertTrue(second, m.find());
		// The runtime view has millisecond resolution; the plugin gets the scheduler's clock's.
		assertEquals(w2[0].truncatedTo(ChronoUnit.MILLIS), ZonedDateTime.parse(m.group(1)).toInstant());
		assertEquals(w2[1].truncatedTo(ChronoUnit.MILLIS), ZonedDateTime.parse(m.group(2)).toInstant());
		assertTrue(second, second.contains("[Europe/Berlin]"));
		assertTrue(second, second.contains("Window committed:  yes"));
	}

	@Test
	public void fireRefusesAPluginThatIsRunning() throws Exception {
		Recorder plugin = register("it-busy", YEARLY);
		plugin.hold = new CountDownLatch(1);
		String async = exec("cron:fire --async it-busy");
		assertEquals("Fired it-busy; it runs on a thread of its own. cron:history it-busy shows how it ends.\n", async);
		assertTrue(plugin.entered.await(20, TimeUnit.SECONDS));
		Exception e = refused("cron:fire it-busy");
		assertEquals(IllegalStateException.class, e.getClass());
		assertTrue(e.getMessage(), e.getMessage().startsWith("Refused: it-busy is running already, for "));
		assertTrue(exec("cron:list"), row(exec("cron:list"), "it-busy").contains("SCHEDULED (running "));
		plugin.hold.countDown();
		Await.until("it-busy succeeded", () -> {
			CronJobDTO job = runtime().getJob("it-busy");
			return !job.running && job.lastRun != null && job.lastRun.outcome == Outcome.SUCCEEDED;
		});
		assertEquals(1, plugin.windows.size());
		assertTrue(exec("cron:history it-busy").contains(" SUCCEEDED"));
	}

	@Test
	public void historyListsScheduledRunsNewestFirst() throws Exception {
		register("it-history", EVERY_SECOND);
		Await.until("two scheduled runs", () -> runtime().getHistory("it-history", 2).stream()
				.filter(r -> r.outcome == Outcome.SUCCEEDED).count() == 2);
		String history = exec("cron:history -n 2 it-history");
		List<String> lines = history.lines().collect(Collectors.toList());
		assertEquals(history, 3, lines.size());
		assertTrue(history, lines.get(0).matches("TRIGGER +WINDOW START +WINDOW END +STARTED +TOOK +OUTCOME.*"));
		for (String line : lines.subList(1, 3)) {
			assertTrue(line, line.matches("SCHEDULE +\\d{4}-\\S+ +20\\S+ +20\\S+ +\\d+(\\.\\d)? m?s +SUCCEEDED"));
		}
		String[] newer = lines.get(1).split(" +");
		String[] older = lines.get(2).split(" +");
		assertTrue(history, newer[3].compareTo(older[3]) >= 0);
		// Consecutive successful windows tile: the newer starts where the older ended.
		assertEquals(history, older[2], newer[1]);
		String all = exec("cron:history");
		assertTrue(all, all.startsWith("NAME "));
		assertTrue(all, all.contains("\nit-history "));
	}

	@Test
	public void pauseAndResumeStopAndRestartFiring() throws Exception {
		register("it-pause", EVERY_SECOND);
		String paused = exec("cron:pause it-pause").replace(" The run in progress goes on.", "");
		assertTrue(paused, paused.matches("Paused it-pause \\(by console \\(user [^)]+\\), (now|\\S+ m?s ago)\\): it is not"
				+ " fired on its interval until cron:resume it-pause; the pause survives restarts.\n"));
		assertTrue(row(exec("cron:list"), "it-pause").contains(" PAUSED"));
		String again = exec("cron:pause it-pause");
		assertTrue(again, again.startsWith("it-pause is paused already (by console (user "));
		String noted = exec("cron:pause --reason \"disk full \u001b[2J\" it-pause");
		assertTrue(noted, noted.startsWith("it-pause stays paused, now (by console (user ") && noted.contains(": disk full \\e[2J)."));
		String row = row(exec("cron:list"), "it-pause");
		assertTrue(row, row.contains("paused by console (user ") && row.endsWith(": disk full \\e[2J"));
		assertEquals("disk full \u001b[2J", runtime().getJob("it-pause").pauseReason);
		String resumed = exec("cron:resume it-pause");
		assertTrue(resumed, resumed.matches("Resumed it-pause: SCHEDULED, next fire 20\\S+\\[Europe/Berlin\\]\\.\n"));
		assertEquals(JobState.SCHEDULED, runtime().getJob("it-pause").state);
	}

	@Test
	public void aPauseSurvivesARestartOfTheScheduler() throws Exception {
		register("it-restart", EVERY_SECOND);
		exec("cron:pause it-restart");
		Bundle scheduler = Arrays.stream(context.getBundles())
				.filter(b -> "io.crontainer.scheduler".equals(b.getSymbolicName())).findFirst().orElseThrow();
		scheduler.stop();
		try {
			Exception away = refused("cron:list");
			assertEquals(IllegalStateException.class, away.getClass());
			assertEquals("The Crontainer scheduler is not running (no CronRuntime service): its component failed to activate or its bundle is stopped; 'scr:info io.crontainer.scheduler.impl.SchedulerComponent' and data/log/crontainer.log say why.",
					away.getMessage());
		} finally {
			scheduler.start();
		}
		awaitState("it-restart", JobState.PAUSED);
		assertTrue(row(exec("cron:list"), "it-restart").contains(" PAUSED "));
		exec("cron:resume it-restart");
		awaitState("it-restart", JobState.SCHEDULED);
	}

	@Test
	public void resetSetsTheStartOfTheNextWindow() throws Exception {
		Recorder plugin = register("it-reset", YEARLY);
		String reset = exec("cron:reset --since 2024-10-27T02:30 it-reset");
		assertEquals("Reset it-reset: its next window starts at 2024-10-27T02:30+02:00[Europe/Berlin]. It is SCHEDULED.\n",
				reset);
		exec("cron:fire it-reset");
		assertEquals(Instant.parse("2024-10-27T00:30:00Z"), plugin.windows.get(0)[0]);
		Exception future = refused("cron:reset --since 2999-01-01T00:00Z it-reset");
		assertEquals(IllegalArgumentException.class, future.getClass());
		Exception unknown = refused("cron:reset it-nope");
		assertTrue(unknown.getMessage(), unknown.getMessage().endsWith("To reset the state of a plugin that is not deployed, add --force."));
	}

	@Test
	public void nextPrintsFireTimesOnePerLine() throws Exception {
		String next = exec("cron:next -n 3 -z Europe/Berlin -f 2024-10-27T00:00 \"30 2 * * *\"");
		List<String> times = next.lines().filter(l -> Character.isDigit(l.charAt(0))).collect(Collectors.toList());
		// cronie: a fixed-time job runs once in the fall-back overlap, at the first pass.
		assertEquals(List.of("2024-10-27T02:30+02:00[Europe/Berlin]", "2024-10-28T02:30+01:00[Europe/Berlin]",
				"2024-10-29T02:30+01:00[Europe/Berlin]"), times);
		assertTrue(next, next.startsWith("Interval: 30 2 * * *\nMeans: "));

		String scheduler = exec("cron:next -n 1 -f 2024-07-01T12:00 @daily");
		assertTrue(scheduler, scheduler.endsWith("\n2024-07-02T00:00+02:00[Europe/Berlin]\n"));

		Exception invalid = refused("cron:next \"0 0 31 2 *\"");
		assertEquals(IllegalArgumentException.class, invalid.getClass());
		assertTrue(invalid.getMessage(), invalid.getMessage().contains("0 0 31 2 *"));
	}

	@Test
	public void anUnknownNameNamesTheKnownOnes() throws Exception {
		register("it-known", YEARLY);
		for (String command : List.of("info", "fire", "history", "pause", "resume")) {
			Exception e = refused("cron:" + command + " it-nope");
			assertEquals(IllegalArgumentException.class, e.getClass());
			assertTrue(e.getMessage(), e.getMessage().matches("Unknown cron plugin \"it-nope\"; known: .*\\bit-known\\b.*\\."));
		}
	}

	@Test
	public void helpExplainsEveryCommand() throws Exception {
		for (String command : List.of("list", "info", "fire", "history", "pause", "resume", "reset", "next")) {
			String help = exec("help cron:" + command);
			assertNotNull(help);
			assertTrue(help, help.startsWith(command + " - "));
			assertTrue(help, help.contains("scope: cron"));
		}
		assertTrue(exec("help cron:list").contains("-a, --all"));
	}
}
