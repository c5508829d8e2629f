package io.crontainer.webconsole.impl;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.junit.jupiter.api.Test;

import io.crontainer.api.runtime.CronJobDTO;
import io.crontainer.api.runtime.CronLogDTO;
import io.crontainer.api.runtime.CronLogLineDTO;
import io.crontainer.api.runtime.CronRunDTO;
import io.crontainer.api.runtime.CronRuntime;
import io.crontainer.api.runtime.JobState;
import io.crontainer.api.runtime.Outcome;
import io.crontainer.api.runtime.Trigger;

/** The page's answers to Fire, decided before and after it asks the runtime view. */
class CronJobsPageTest {

	final Fake rt = new Fake();
	final CronJobsPage page = new CronJobsPage();

	static CronJobDTO job(String name, JobState state) {
		CronJobDTO job = new CronJobDTO();
		job.name = name;
		job.state = state;
		job.zone = "UTC";
		return job;
	}

	static CronRunDTO run(String name, Outcome outcome, String error) {
		CronRunDTO run = new CronRunDTO();
		run.name = name;
		run.trigger = Trigger.MANUAL;
		run.outcome = outcome;
		run.started = 1000;
		run.finished = 1042L;
		run.error = error;
		return run;
	}

	@Test
	void aRunningPluginIsNeverFiredTwice() {
		CronJobDTO job = job("heartbeat", JobState.SCHEDULED);
		job.running = true;
		job.lastRun = run("heartbeat", Outcome.RUNNING, null);
		assertThat(page.fire(rt, job)).containsExactly("error",
				"Refused: heartbeat is running already; a plugin never runs twice at once.");
		job.lastRun.outcome = Outcome.QUEUED;
		assertThat(page.fire(rt, job)[1]).isEqualTo(
				"Refused: heartbeat is queued to run already; a plugin never runs twice at once.");
		assertThat(rt.fired).isEmpty();
	}

	@Test
	void pluginsThatAreNeverFiredAreRefusedWithTheirReason() {
		CronJobDTO invalid = job("x", JobState.INVALID);
		invalid.reason = "interval 'nonsense' cannot be parsed";
		assertThat(page.fire(rt, invalid)[1])
				.isEqualTo("Refused: x is INVALID (interval 'nonsense' cannot be parsed) and is never fired.");
		assertThat(page.fire(rt, job("b", JobState.BLOCKED))[1]).isEqualTo("Refused: b is BLOCKED; reset it to clear that.");
		assertThat(page.fire(rt, job("s", JobState.STUCK))[1]).startsWith("Refused: s is STUCK");
		assertThat(page.fire(rt, job("p", JobState.PENDING))[1]).startsWith("Refused: p is PENDING");
		assertThat(rt.fired).isEmpty();
	}

	@Test
	void aFiredRunReportsItsOutcome() {
		rt.next = CompletableFuture.completedFuture(run("a", Outcome.SUCCEEDED, null));
		assertThat(page.fire(rt, job("a", JobState.PAUSED))).containsExactly("info", "Fired a: SUCCEEDED in 42 ms.");
		rt.next = CompletableFuture.completedFuture(run("a", Outcome.FAILED, "java.io.IOException: disk full"));
		assertThat(page.fire(rt, job("a", JobState.DISABLED))).containsExactly("error",
				"Fired a: FAILED in 42 ms: java.io.IOException: disk full");
		rt.next = new CompletableFuture<>(); // still running after the page's wait
		assertThat(page.fire(rt, job("a", JobState.SCHEDULED))[1])
				.isEqualTo("Fired a; it is still running, on a thread of its own. Its run is in the history.");
		assertThat(rt.fired).containsExactly("a", "a", "a");
	}

	@Test
	void unknownNamesListTheKnownOnes() {
		assertThat(CronJobsPage.unknown(rt, "nope")).isEqualTo("Unknown cron plugin \"nope\": the scheduler knows none.");
		rt.jobs.add(job("b", JobState.SCHEDULED));
		rt.jobs.add(job("a", JobState.SCHEDULED));
		assertThat(CronJobsPage.unknown(rt, "nope")).isEqualTo("Unknown cron plugin \"nope\"; known: a, b.");
	}

	@Test
	void theReasonCellShowsTheLastRunsErrorAsCronListDoes() {
		CronJobDTO failed = job("a", JobState.SCHEDULED);
		failed.lastRun = run("a", Outcome.FAILED, "java.io.IOException: disk full\n\tat X.run(X.java:1)");
		assertThat(io.crontainer.format.Jobs.reason(failed)).isEqualTo("last run: java.io.IOException: disk full");
		failed.lastRun.outcome = Outcome.SUCCEEDED;
		assertThat(io.crontainer.format.Jobs.reason(failed)).isNull();
		CronJobDTO blocked = job("b", JobState.BLOCKED);
		blocked.reason = "window commit failed";
		assertThat(io.crontainer.format.Jobs.reason(blocked)).isEqualTo("window commit failed");
	}

	@Test
	void noFireOrPauseForAPluginThatCannotRun() {
		for (JobState state : new JobState[] { JobState.INVALID, JobState.DUPLICATE }) {
			String html = render(job("x", state));
			assertThat(html).as(state.toString()).doesNotContain("value=\"fire\"").doesNotContain("value=\"pause\"")
					.contains("Reset");
		}
		assertThat(render(job("x", JobState.SCHEDULED))).contains("value=\"fire\"").contains("value=\"pause\"");
	}

	@Test
	void aResetWithoutAStartAsksForTheSameConfirmationAsTheShell() throws Exception {
		CronJobDTO healthy = job("heartbeat", JobState.SCHEDULED);
		healthy.lastEnd = 1_700_000_000_000L;
		rt.jobs.add(healthy);
		Http.Request post = new Http.Request();
		post.method = "POST";
		post.param("name", "heartbeat").param("action", "reset").param("confirmed", "yes").param("since", "");
		post.session = new Http.Session();
		page.runtime = rt;
		page.doPost(post.proxy(), new Http.Response().proxy());
		String[] flash = (String[]) post.session.attributes.get(CronJobsPage.FLASH);
		assertThat(flash[0]).isEqualTo("error");
		assertThat(flash[1]).startsWith("Refused: heartbeat is SCHEDULED, not BLOCKED: a reset without a start would"
				+ " rewind its window from 2023-11-14T22:13:20Z[UTC] back to 1970-01-01T00:00:00Z");
		assertThat(rt.reset).isEmpty();
		post.param("force", "yes");
		page.doPost(post.proxy(), new Http.Response().proxy());
		assertThat(rt.reset).containsExactly("heartbeat@null");
		healthy.state = JobState.BLOCKED;
		post.params.remove("force");
		page.doPost(post.proxy(), new Http.Response().proxy());
		assertThat(rt.reset).as("a BLOCKED plugin needs no more").hasSize(2);
	}

	@Test
	void aPauseFromThePageKeepsTheConsoleUserAndTheReasonAndItsPageShowsThemEscaped() throws Exception {
		long now = 1_800_000_000_000L;
		CronJobsPage clocked = new CronJobsPage(rt, java.time.Clock.fixed(java.time.Instant.ofEpochMilli(now),
				java.time.ZoneOffset.UTC));
		CronJobDTO cleaner = job("cleaner", JobState.SCHEDULED);
		rt.jobs.add(cleaner);
		assertThat(render(cleaner, false)).contains("id=\"pause-reason\"").contains("maxlength=\"500\"");
		Http.Request post = new Http.Request();
		post.method = "POST";
		post.param("name", "cleaner").param("action", "pause").param("reason", "<script>alert(1)</script> migration");
		post.session = new Http.Session();
		post.session.attributes.put(LoginSecurityProvider.USER, "admin");
		clocked.doPost(post.proxy(), new Http.Response().proxy());
		assertThat(rt.paused).containsExactly("cleaner: <script>alert(1)</script> migration by web console (user admin)");
		String[] flash = (String[]) post.session.attributes.get(CronJobsPage.FLASH);
		assertThat(flash[1]).startsWith("Paused cleaner (by web console (user admin), now: <script>");

		cleaner.pausedAt = now - 60_000;
		cleaner.retries = 2;
		cleaner.retryDelay = 60_000L;
		cleaner.retryMaxDelay = 120_000L;
		cleaner.retryAttempt = 1;
		cleaner.retryAttempts = 2;
		cleaner.retryAt = now + 30_000;
		Http.Request get = new Http.Request();
		get.param("name", "cleaner");
		Http.Response response = new Http.Response();
		clocked.renderContent(get.proxy(), response.proxy());
		String html = response.body.toString();
		assertThat(html).doesNotContain("<script>alert")
				.contains("by web console (user admin), 1 min ago: &lt;script&gt;alert(1)&lt;/script&gt; migration")
				.contains(">PAUSED</span>").contains("retry 1 of 2 in 30.0 s (at 2027-01-15T08:00:30Z[UTC])")
				.contains("2 retries, after 1 min, doubling up to 2 min");
	}

	@Test
	void theListReadsTheInjectedClockAndDrawsEachPluginsRuns() throws Exception {
		long now = 1_800_000_000_000L;
		CronJobsPage clocked = new CronJobsPage(rt, java.time.Clock.fixed(java.time.Instant.ofEpochMilli(now),
				java.time.ZoneOffset.UTC));
		CronJobDTO busy = job("busy", JobState.SCHEDULED);
		busy.running = true;
		busy.runningSince = now - 180_000;
		busy.nextFire = now + 59_960;
		CronRunDTO run = run("busy", Outcome.RUNNING, null);
		run.started = now - 180_000;
		run.finished = null;
		busy.lastRun = run;
		busy.missedFires = 1234;
		busy.lastMissedFire = now - 300_000;
		rt.jobs.add(busy);
		rt.history.add(run);
		for (String name : List.of("idle", "late")) {
			CronJobDTO other = job(name, JobState.SCHEDULED);
			rt.jobs.add(other);
			CronRunDTO done = run(name, Outcome.FAILED, "boom");
			done.started = now - 60_000;
			done.finished = now - 59_000;
			rt.history.add(done);
		}
		Http.Request get = new Http.Request();
		Http.Response response = new Http.Response();
		clocked.renderContent(get.proxy(), response.proxy());
		String html = response.body.toString();
		assertThat(html).contains("<td class=\"state\"><span class=\"state state-SCHEDULED\">SCHEDULED (running 3 min)</span>")
				.contains("<td class=\"left\">1 min</td>").contains("<td class=\"took\">3 min</td>")
				.contains("<td class=\"timeline\"><svg ").contains("<title>RUNNING (MANUAL), started ")
				.contains("Timeline of the last 1 run of busy: 0 succeeded, 0 failed, 1 in progress.")
				.contains("Timeline of the last 1 run of idle: 0 succeeded, 1 failed.")
				.contains("Timeline of the last 1 run of late: 0 succeeded, 1 failed.")
				.contains("<th title=\"Missed fire times: fire times whose run did not start within 60 s")
				.contains("<td class=\"missed\"><span title=\"the latest 2027-01-15T07:55Z[UTC] (5 min ago)\">1,234</span></td>")
				.contains("<td class=\"missed\">0</td>");
		assertThat(rt.historyCalls).as("the list reads the runs of all its plugins at once")
				.containsExactly("getHistories[busy, idle, late]x20");
	}

	@Test
	void theDetailShowsTheMissedFireTimes() throws Exception {
		long now = 1_800_000_000_000L;
		CronJobsPage clocked = new CronJobsPage(rt, java.time.Clock.fixed(java.time.Instant.ofEpochMilli(now),
				java.time.ZoneOffset.UTC));
		CronJobDTO late = job("late", JobState.SCHEDULED);
		late.zone = "Europe/Paris";
		late.missedFires = 3;
		late.lastMissedFire = now - 120_000;
		rt.jobs.add(late);
		Http.Request get = new Http.Request();
		get.param("name", "late");
		Http.Response response = new Http.Response();
		clocked.renderContent(get.proxy(), response.proxy());
		assertThat(response.body.toString()).contains("<tr class=\"missed\"><th>Missed fires</th><td>3, the latest"
				+ " 2027-01-15T08:58+01:00[Europe/Paris] (2 min ago): fire times whose run did not start within 60 s (the"
				+ " runtime was down, the store away, the plugin busy)</td></tr>");
	}

	@Test
	void aRerunListsItsWindowsFirstAndStartsOnlyFromItsConfirmation() throws Exception {
		CronJobDTO job = job("heartbeat", JobState.SCHEDULED);
		job.interval = "@hourly";
		job.lastEnd = Instant.parse("2026-12-07T09:00:00Z").toEpochMilli();
		rt.jobs.add(job);
		page.runtime = rt;
		Http.Request get = new Http.Request();
		get.param("name", "heartbeat").param("confirm", "rerun").param("from", "2026-12-07T06:00Z")
				.param("to", "2026-12-07T08:00Z").param("split", "interval");
		Http.Response response = new Http.Response();
		page.renderContent(get.proxy(), response.proxy());
		String html = response.body.toString();
		assertThat(html).contains("<h3>2 windows to re-run</h3>")
				.contains("<td>2026-12-07T06:00Z[UTC]</td><td>2026-12-07T07:00Z[UTC]</td>")
				.contains("<form method=\"post\"").contains("name=\"" + Csrf.PARAM + "\"")
				.contains("name=\"action\" value=\"rerun\"").contains("name=\"confirmed\" value=\"yes\"");
		assertThat(rt.reruns).as("a GET changes nothing").isEmpty();

		get.param("to", "2026-12-07T05:00Z");
		response = new Http.Response();
		page.renderContent(get.proxy(), response.proxy());
		assertThat(response.body.toString()).contains("Refused: the range is empty &lt;b&gt;")
				.doesNotContain("id=\"rerun-form\"");

		Http.Request post = new Http.Request();
		post.method = "POST";
		post.param("name", "heartbeat").param("action", "rerun").param("from", "2026-12-07T06:00:00Z")
				.param("to", "2026-12-07T08:00:00Z").param("split", "once");
		post.session = new Http.Session();
		post.session.attributes.put(LoginSecurityProvider.USER, "admin");
		page.doPost(post.proxy(), new Http.Response().proxy());
		assertThat(((String[]) post.session.attributes.get(CronJobsPage.FLASH))[1])
				.isEqualTo("Refused: a re-run asks for confirmation first; use its Re-run button.");
		assertThat(rt.reruns).isEmpty();
		post.param("confirmed", "yes");
		page.doPost(post.proxy(), new Http.Response().proxy());
		assertThat(rt.reruns).containsExactly(
				"heartbeat 2026-12-07T06:00:00Z 2026-12-07T08:00:00Z ONCE by web console user admin");
		assertThat(((String[]) post.session.attributes.get(CronJobsPage.FLASH))[1]).startsWith("Re-running heartbeat: 2 windows");
	}

	@Test
	void theHistoryLinksEachRunToItsLogWhichIsEscaped() throws Exception {
		CronJobDTO job = job("cleaner", JobState.SCHEDULED);
		rt.jobs.add(job);
		CronRunDTO ran = run("cleaner", Outcome.FAILED, "boom");
		ran.started = 1_700_000_000_123L;
		CronRunDTO skipped = run("cleaner", Outcome.SKIPPED, "it was running");
		rt.history.add(skipped);
		rt.history.add(ran);
		CronLogDTO log = new CronLogDTO();
		log.name = "cleaner";
		log.started = ran.started;
		CronLogLineDTO line = new CronLogLineDTO();
		line.time = ran.started + 1;
		line.level = "WARN";
		line.logger = "org.example.<b>Cleaner";
		line.message = "<script>alert(1)</script>\u001b]0;owned\u0007 & \"quoted\"";
		line.thrown = "java.lang.IllegalStateException: <i>x</i>\n\tat org.example.Cleaner.run(Cleaner.java:1)";
		log.lines = List.of(line);
		log.omitted = 1_234;
		log.omittedAt = 0;
		rt.logs.put("cleaner@" + ran.started, log);
		page.runtime = rt;

		Http.Request detail = new Http.Request();
		detail.param("name", "cleaner");
		Http.Response detailPage = new Http.Response();
		page.renderContent(detail.proxy(), detailPage.proxy());
		assertThat(detailPage.body.toString()).contains("<th>Log</th>")
				.contains("<td class=\"log\"><a href=\"/cronjobs?name=cleaner&amp;log=1700000000123\">log</a></td>")
				.containsOnlyOnce(">log</a>"); // none for the skipped fire

		Http.Request get = new Http.Request();
		get.param("name", "cleaner").param("log", "1700000000123");
		Http.Response response = new Http.Response();
		page.renderContent(get.proxy(), response.proxy());
		String html = response.body.toString();
		assertThat(html).contains("Log of the run of cleaner started 2023-11-14T22:13:20.123Z[UTC]")
				.contains("1,235 lines, of which 1,234 left out.")
				.contains("<tr class=\"omitted\"><td colspan=\"4\">1,234 lines left out</td></tr>")
				.contains("<td class=\"time\">2023-11-14T22:13:20.124Z</td><td class=\"level\">WARN</td>")
				.contains("<td class=\"logger\">org.example.&lt;b&gt;Cleaner</td>")
				.contains("&lt;script&gt;alert(1)&lt;/script&gt;\\e]0;owned\\x07 &amp; &quot;quoted&quot;")
				.contains("<pre class=\"thrown\">java.lang.IllegalStateException: &lt;i&gt;x&lt;/i&gt;\n\tat org.example")
				.doesNotContain("<script>").doesNotContain("\u001b").doesNotContain("<b>").doesNotContain("<i>");

		Http.Request none = new Http.Request();
		none.param("name", "cleaner").param("log", "42");
		Http.Response missing = new Http.Response();
		page.renderContent(none.proxy(), missing.proxy());
		assertThat(missing.status).isEqualTo(404);
		assertThat(missing.body.toString()).contains("id=\"no-log\"");

		Http.Request bad = new Http.Request();
		bad.param("name", "cleaner").param("log", "<x>");
		Http.Response refused = new Http.Response();
		page.renderContent(bad.proxy(), refused.proxy());
		assertThat(refused.status).isEqualTo(400);
		assertThat(refused.body.toString()).contains("not &quot;&lt;x&gt;&quot;").doesNotContain("<x>");
	}

	@Test
	void controlCharactersFromAPluginAreShownEscapedAsTheShellShowsThem() throws Exception {
		String name = "evil\u202etxt.exe\u001b[2J";
		CronJobDTO job = job(name, JobState.PAUSED);
		job.interval = "* * * * *";
		job.pausedAt = 1_000L;
		job.pausedBy = "bob\r\u0000";
		job.pauseReason = "<script>x</script>\u2028\u2029";
		job.lastRun = run(name, Outcome.FAILED, "boom\u001b]0;owned\u0007\r\nline two");
		rt.jobs.add(job);
		rt.history.add(job.lastRun);
		page.runtime = rt;
		String list = body(new Http.Request());
		String detail = body(new Http.Request().param("name", name));
		String unknown = body(new Http.Request().param("name", "nope\u009b"));
		for (String html : List.of(list, detail, unknown)) {
			assertThat(html).doesNotContainPattern("[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f\\u2028\\u2029\\u202a-\\u202e]")
					.doesNotContain("<script>");
		}
		assertThat(list).contains(">evil\\u202etxt.exe\\e[2J</a>").contains("last run: boom\\e]0;owned\\x07</td>");
		assertThat(detail).contains("<h2 id=\"job-name\">evil\\u202etxt.exe\\e[2J</h2>")
				.contains("boom\\e]0;owned\\x07\\r\\nline two").contains("bob\\r\\x00")
				.contains("&lt;script&gt;x&lt;/script&gt;\\u2028\\u2029");
		assertThat(unknown).contains("Unknown cron plugin &quot;nope\\u009b&quot;; known: evil\\u202etxt.exe\\e[2J.");
		assertThat(Html.lines("a\u001b\n\tb\u202e")).isEqualTo("a\\e\n\tb\\u202e");
		assertThat(list).as("the name the actions post: the plugin's own, percent-encoded")
				.contains("<input type=\"hidden\" name=\"name-encoded\" value=\"evil%E2%80%AEtxt.exe%1B%5B2J\">")
				.contains("<tr data-name=\"evil&#x202e;txt.exe&#x1b;[2J\">");
	}

	@Test
	void everyNameComesBackExactlyFromThePagesForms() throws Exception {
		// NUL, C1 controls and line breaks do not survive a form as text, even as character references:
		// a browser reads &#x0; as U+FFFD, &#x85; as U+2026, and posts LF and CR as CR LF.
		String name = "a\u0000b\u0085c\u009bd\r\ne\nf\rg\u2028 +%&<\"'$h\uD83D\uDE00";
		CronJobDTO job = job(name, JobState.SCHEDULED);
		job.interval = "* * * * *";
		job.lastEnd = 1_000L;
		rt.jobs.add(job);
		page.runtime = rt;
		List<String> pages = List.of(body(new Http.Request()), render(job, false),
				body(new Http.Request().param("name", name).param("confirm", "reset")),
				body(new Http.Request().param("name", name).param("confirm", "rerun")));
		java.util.regex.Pattern field = java.util.regex.Pattern.compile(
				"<input type=\"hidden\" name=\"(name|name-encoded)\" value=\"([^\"]*)\">");
		List<String> values = new ArrayList<>();
		for (String html : pages) {
			java.util.regex.Matcher m = field.matcher(html);
			int found = 0;
			while (m.find()) {
				assertThat(m.group(1)).as("the field of the name").isEqualTo(CronJobsPage.NAME_ENCODED);
				values.add(m.group(2));
				found++;
			}
			assertThat(found).as("forms naming the plugin").isPositive();
		}
		for (String value : values) {
			// Only characters that an HTML parser reads as themselves and a form posts as they are
			assertThat(value).matches("[A-Za-z0-9%+._*-]+");
			Http.Request post = new Http.Request();
			post.method = "POST";
			post.param(CronJobsPage.NAME_ENCODED, value).param("action", "pause");
			post.session = new Http.Session();
			post.session.attributes.put(LoginSecurityProvider.USER, "admin");
			page.doPost(post.proxy(), new Http.Response().proxy());
			assertThat(rt.paused).last().isEqualTo(name + ": null by web console (user admin)");
			job.state = JobState.SCHEDULED;
		}
		// The plan of a re-run is a GET form: it names the plugin the same way
		assertThat(body(new Http.Request().param(CronJobsPage.NAME_ENCODED, values.get(0)).param("confirm", "rerun")))
				.contains("id=\"rerun-plan\"");
		// Clients posting the name themselves still use the plain field
		Http.Request plain = new Http.Request();
		plain.method = "POST";
		plain.param("name", name).param("action", "pause").param("reason", "plain");
		plain.session = new Http.Session();
		page.doPost(plain.proxy(), new Http.Response().proxy());
		assertThat(rt.paused).last().asString().startsWith(name + ": plain by");
		Http.Request malformed = new Http.Request();
		malformed.method = "POST";
		malformed.param(CronJobsPage.NAME_ENCODED, "a%zz").param("action", "pause");
		malformed.session = new Http.Session();
		page.doPost(malformed.proxy(), new Http.Response().proxy());
		assertThat(((String[]) malformed.session.attributes.get(CronJobsPage.FLASH))[1])
				.startsWith("Refused: the plugin's name in the request");
	}

	private String body(Http.Request request) throws Exception {
		Http.Response response = new Http.Response();
		page.renderContent(request.proxy(), response.proxy());
		return response.body.toString();
	}

	private String render(CronJobDTO job) {
		return render(job, true);
	}

	private String render(CronJobDTO job, boolean fromList) {
		java.io.StringWriter out = new java.io.StringWriter();
		java.lang.reflect.Method actions;
		try {
			actions = CronJobsPage.class.getDeclaredMethod("actions", java.io.PrintWriter.class, String.class,
					String.class, CronJobDTO.class, boolean.class);
			actions.setAccessible(true);
			actions.invoke(null, new java.io.PrintWriter(out, true), "/system/console/cronjobs", "t", job, fromList);
		} catch (ReflectiveOperationException e) {
			throw new AssertionError(e);
		}
		return out.toString();
	}

	static final class Fake implements CronRuntime {
		final List<CronJobDTO> jobs = new ArrayList<>();
		final List<String> fired = new ArrayList<>();
		final List<String> reset = new ArrayList<>();
		final List<String> paused = new ArrayList<>();
		final List<CronRunDTO> history = new ArrayList<>();
		final java.util.Map<String, CronLogDTO> logs = new java.util.HashMap<>();
		CompletionStage<CronRunDTO> next;

		@Override
		public CronLogDTO getLog(String name, Long started) {
			return logs.get(name + "@" + started);
		}

		@Override
		public List<CronJobDTO> getJobs() {
			return new ArrayList<>(jobs);
		}

		@Override
		public CronJobDTO getJob(String name) {
			return jobs.stream().filter(j -> j.name.equals(name)).findFirst().orElse(null);
		}

		/** The history reads, in order. */
		final List<String> historyCalls = new ArrayList<>();

		@Override
		public java.util.Map<String, List<CronRunDTO>> getHistories(java.util.Collection<String> names, int limit) {
			historyCalls.add("getHistories" + names + "x" + limit);
			java.util.Map<String, List<CronRunDTO>> all = new java.util.LinkedHashMap<>();
			for (String name : names) {
				all.put(name, history.stream().filter(r -> r.name.equals(name)).limit(limit).toList());
			}
			return all;
		}

		@Override
		public List<CronRunDTO> getHistory(String name, int limit) {
			historyCalls.add("getHistory " + name);
			return history.stream().filter(r -> name == null || r.name.equals(name)).limit(limit).toList();
		}

		@Override
		public CompletionStage<CronRunDTO> fire(String name) {
			fired.add(name);
			return next;
		}

		@Override
		public CronJobDTO pause(String name) {
			throw new UnsupportedOperationException();
		}

		@Override
		public CronJobDTO pause(String name, String reason, String by) {
			paused.add(name + ": " + reason + " by " + by);
			CronJobDTO job = getJob(name);
			job.state = JobState.PAUSED;
			job.pausedBy = by;
			job.pausedAt = 1_800_000_000_000L;
			job.pauseReason = reason;
			return job;
		}

		@Override
		public CronJobDTO resume(String name) {
			throw new UnsupportedOperationException();
		}

		@Override
		public CronJobDTO reset(String name, Instant since) {
			reset.add(name + "@" + since);
			return getJob(name);
		}

		@Override
		public List<ZonedDateTime> getNextFireTimes(String name, int count) {
			return List.of();
		}

		@Override
		public List<ZonedDateTime> preview(String interval, String name, ZoneId zone, Instant from, int count) {
			return List.of();
		}

		@Override
		public String describe(String interval, String name, ZoneId zone) {
			return interval;
		}

		@Override
		public ZoneId getDefaultZone() {
			return ZoneOffset.UTC;
		}

		final List<String> reruns = new ArrayList<>();

		/** Two windows: [from, from + 1 h), [from + 1 h, to). */
		@Override
		public java.util.List<io.crontainer.api.runtime.RunWindowDTO> planRerun(String name, java.time.Instant from,
				java.time.Instant to, io.crontainer.api.runtime.RerunSplit split) {
			if (!from.isBefore(to)) {
				throw new IllegalArgumentException("the range is empty <b>");
			}
			List<io.crontainer.api.runtime.RunWindowDTO> windows = new ArrayList<>();
			for (long start : new long[] { from.toEpochMilli(), from.toEpochMilli() + 3_600_000 }) {
				io.crontainer.api.runtime.RunWindowDTO window = new io.crontainer.api.runtime.RunWindowDTO();
				window.start = start;
				window.end = start == from.toEpochMilli() ? start + 3_600_000 : to.toEpochMilli();
				windows.add(window);
			}
			return windows;
		}

		@Override
		public io.crontainer.api.runtime.RerunDTO rerun(String name, java.time.Instant from, java.time.Instant to,
				io.crontainer.api.runtime.RerunSplit split, String requestedBy) {
			reruns.add(name + " " + from + " " + to + " " + split + " by " + requestedBy);
			io.crontainer.api.runtime.RerunDTO rerun = new io.crontainer.api.runtime.RerunDTO();
			rerun.name = name;
			rerun.from = from.toEpochMilli();
			rerun.to = to.toEpochMilli();
			rerun.windows = 2;
			rerun.left = 2;
			rerun.requestedBy = requestedBy;
			return rerun;
		}

		@Override
		public io.crontainer.api.runtime.RerunDTO cancelRerun(String name) {
			throw new UnsupportedOperationException();
		}

		@Override
		public io.crontainer.api.runtime.RerunDTO getRerun(String name) {
			return null;
		}

		@Override
		public io.crontainer.api.runtime.EngineDTO getEngine() {
			io.crontainer.api.runtime.EngineDTO engine = new io.crontainer.api.runtime.EngineDTO();
			engine.commitBuckets = new double[0];
			engine.commitCounts = new long[0];
			return engine;
		}

		@Override
		public io.crontainer.api.runtime.StoreDTO getStore() {
			io.crontainer.api.runtime.StoreDTO store = new io.crontainer.api.runtime.StoreDTO();
			store.description = "local journal";
			store.available = true;
			return store;
		}
	}
}
