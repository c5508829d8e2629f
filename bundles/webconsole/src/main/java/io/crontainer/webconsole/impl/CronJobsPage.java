package io.crontainer.webconsole.impl;

import static java.util.Comparator.comparing;
import static java.util.Comparator.naturalOrder;
import static java.util.Comparator.nullsLast;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.reflect.Array;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

import org.apache.felix.webconsole.servlet.AbstractServlet;
import org.apache.felix.webconsole.servlet.ServletConstants;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.crontainer.api.runtime.CronJobDTO;
import io.crontainer.api.runtime.CronLogDTO;
import io.crontainer.api.runtime.CronLogLineDTO;
import io.crontainer.api.runtime.CronRunDTO;
import io.crontainer.api.runtime.CronRuntime;
import io.crontainer.api.runtime.StoreDTO;
import io.crontainer.api.runtime.JobState;
import io.crontainer.api.runtime.Outcome;
import io.crontainer.api.runtime.RerunDTO;
import io.crontainer.api.runtime.RerunSplit;
import io.crontainer.api.runtime.RunWindowDTO;
import io.crontainer.format.Formats;
import io.crontainer.format.Jobs;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;

/**
 * The "Cron jobs" page of the Apache Felix Web Console ({@code /system/console/cronjobs}): every cron
 * plugin with the columns of {@code cron:list}; a plugin's detail ({@code ?name=NAME}) with its service
 * properties, interval and its meaning, next fire times, window and history; and the actions fire, pause,
 * resume and reset (reset after a confirmation page). It reads and acts only through the scheduler's
 * {@link CronRuntime} service, like the shell.
 *
 * <p>
 * Actions are POSTs only; like every console request that changes state they pass the console's CSRF
 * filter ({@link ConsoleFilter}) first, and the forms carry the session's token for browsers that send no
 * {@code Origin}. The answer is a redirect (303) to the page, which shows what happened or
 * why it was refused. The console's login ({@link LoginSecurityProvider}) guards every request.
 *
 * <p>
 * Called by the HTTP server's threads; thread-safe: the runtime reference is volatile and the rest is
 * per request.
 */
@Component(service = Servlet.class, property = { ServletConstants.PLUGIN_LABEL + "=" + CronJobsPage.LABEL,
		ServletConstants.PLUGIN_TITLE + "=Cron jobs", ServletConstants.PLUGIN_CATEGORY + "=Crontainer" })
public class CronJobsPage extends AbstractServlet {
	private static final long serialVersionUID = 1L;

	/** The page's label: its path under the console. */
	static final String LABEL = "cronjobs";
	/** How many fire times and runs the detail view shows. */
	static final int FIRE_TIMES = 5, RUNS = 20;
	/** How many runs a strip on the list shows, and for how many plugins (the first by next fire) at most. */
	static final int STRIP_RUNS = 20, STRIPS = 100;
	/** How long a fire from the page waits for the run to end before it answers. */
	static final long FIRE_WAIT_MS = 2000;
	/** The session attribute holding the message for the next page view: {kind, text}. */
	static final String FLASH = "io.crontainer.webconsole.flash";

	/** The parameter of the page's forms that carries the plugin's name percent-encoded ({@link #nameField}). */
	static final String NAME_ENCODED = "name-encoded";

	private static final Logger LOG = LoggerFactory.getLogger(CronJobsPage.class);
	private static final String EPOCH = "1970-01-01T00:00:00Z";

	@Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
			policyOption = ReferencePolicyOption.GREEDY)
	transient volatile CronRuntime runtime;

	private final transient Clock clock;

	/** The constructor Declarative Services calls. */
	public CronJobsPage() {
		this(null, Clock.systemUTC());
	}

	/** For tests: a fixed runtime and a controllable clock. */
	CronJobsPage(CronRuntime runtime, Clock clock) {
		this.runtime = runtime;
		this.clock = clock;
	}

	// ------------------------------------------------------------------------------------------ GET

	@Override
	public void renderContent(HttpServletRequest request, HttpServletResponse response) throws IOException {
		PrintWriter out = response.getWriter();
		String root = pluginRoot(request);
		out.println("<div class=\"crontainer\">");
		out.println(STYLE);
		flash(request, out);
		CronRuntime rt = runtime;
		if (rt == null) {
			message(out, "error", "The Crontainer scheduler is not running (no CronRuntime service): start bundle"
					+ " io.crontainer.scheduler.");
			out.println("</div>");
			return;
		}
		String name;
		try {
			name = name(request);
		} catch (IllegalArgumentException e) {
			response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
			message(out, "error", e.getMessage());
			out.println("</div>");
			return;
		}
		if (name == null || name.isBlank()) {
			list(rt, request, out, root);
		} else if (request.getParameter("log") != null) {
			log(rt, name, request.getParameter("log"), response, out, root);
		} else {
			CronJobDTO job = rt.getJob(name);
			if (job == null) {
				response.setStatus(HttpServletResponse.SC_NOT_FOUND);
				message(out, "error", unknown(rt, name));
				out.println("<p><a href=\"" + Html.escape(root) + "\">All cron jobs</a></p>");
			} else if ("reset".equals(request.getParameter("confirm"))) {
				confirmReset(job, request, out, root);
			} else if ("rerun".equals(request.getParameter("confirm"))) {
				confirmRerun(rt, job, request, out, root);
			} else {
				detail(rt, job, request, out, root);
			}
		}
		out.println("</div>");
	}

	private void list(CronRuntime rt, HttpServletRequest request, PrintWriter out, String root) {
		List<CronJobDTO> jobs = rt.getJobs().stream().sorted(byNextFire()).collect(Collectors.toList());
		long now = clock.millis();
		StoreDTO store = rt.getStore();
		if (!store.available) { // a cluster's database gone: known within cluster.poll
			out.println("<p class=\"message error\" id=\"store-unavailable\" role=\"alert\">The state store cannot be"
					+ " reached, so no plugin runs until it is back: " + Html.escape(String.valueOf(store.reason)) + "</p>");
		}
		out.println("<p class=\"statline\">" + Html.escape(Formats.count(jobs.size(), "cron plugin")) + ". <a href=\""
				+ Html.escape(root) + "\">Refresh</a></p>");
		if (jobs.isEmpty()) {
			out.println("<p id=\"no-jobs\">The scheduler knows no cron plugins: none is deployed, or none has"
					+ " registered its service yet.</p>");
			return;
		}
		String token = Csrf.token(request);
		out.println("<table class=\"nicetable\" id=\"cron-jobs\"><thead><tr><th>Name</th><th>State</th><th>Interval</th>"
				+ "<th>Zone</th><th>Next fire</th><th>Left</th><th>Last window end</th><th>Last run</th><th>Took</th>"
				+ "<th title=\"" + Html.escape("Missed fire times: " + Jobs.MISSED_MEANS) + "\">Missed</th><th>Recent runs</th>"
				+ "<th>Bundle</th><th>Reason</th><th>Actions</th></tr></thead><tbody>");
		// The strips' runs in one call (one query of a cluster's database), not one per plugin
		Map<String, List<CronRunDTO>> recent = rt.getHistories(jobs.stream().limit(STRIPS).map(j -> j.name).toList(),
				STRIP_RUNS);
		int strips = 0;
		for (CronJobDTO job : jobs) {
			ZoneId zone = Formats.zone(job.zone);
			CronRunDTO last = job.lastRun;
			String strip = strips < STRIPS ? Timeline.svg("strip-" + strips, job.name,
					recent.getOrDefault(job.name, List.of()), now, zone, Timeline.Size.STRIP) : Formats.NONE;
			strips++;
			out.println("<tr data-name=\"" + Html.value(job.name) + "\">");
			cell(out, "name", "<a href=\"" + Html.escape(detailUrl(root, job.name)) + "\">" + Html.escape(job.name) + "</a>");
			cell(out, "state", "<span class=\"state state-" + job.state + "\">" + Html.escape(Jobs.state(job, now)) + "</span>");
			cell(out, "interval", "<code>" + Html.escape(job.interval) + "</code>");
			cell(out, "zone", Html.escape(job.zone));
			cell(out, "next-fire", Html.escape(instant(job.nextFire, zone)));
			cell(out, "left", Html.escape(job.nextFire == null ? Formats.NONE : Formats.left(job.nextFire, now)));
			cell(out, "last-window-end", Html.escape(instant(job.lastEnd, zone)));
			cell(out, "last-run", last == null ? "-" : "<span class=\"outcome outcome-" + last.outcome + "\">"
					+ last.outcome + "</span>");
			cell(out, "took", Html.escape(last == null ? Formats.NONE : took(last, now)));
			cell(out, "missed", job.lastMissedFire == null ? Html.escape(Formats.number(job.missedFires))
					: "<span title=\"" + Html.escape("the latest " + Formats.zoned(job.lastMissedFire, zone) + " ("
							+ Formats.age(job.lastMissedFire, now) + " ago)") + "\">" + Html.escape(Formats.number(job.missedFires))
							+ "</span>");
			cell(out, "timeline", strip);
			cell(out, "bundle", Html.escape(Jobs.bundle(job)));
			String reason = Jobs.reason(job);
			cell(out, "reason", Html.escape(reason == null ? "" : reason));
			out.print("<td class=\"actions\">");
			actions(out, root, token, job, true);
			out.println("</td></tr>");
		}
		out.println("</tbody></table>");
		if (jobs.size() > STRIPS) {
			out.println("<p>Recent runs are drawn for the first " + STRIPS + " plugins; a plugin's own page draws its.</p>");
		}
		out.println(LEGEND);
	}

	/** A plugin's recent runs, newest first; none if it left meanwhile. */
	private static List<CronRunDTO> history(CronRuntime rt, String name, int limit) {
		try {
			return rt.getHistory(name, limit);
		} catch (IllegalArgumentException e) { // left meanwhile
			return List.of();
		}
	}

	private void detail(CronRuntime rt, CronJobDTO job, HttpServletRequest request, PrintWriter out, String root) {
		ZoneId zone = Formats.zone(job.zone);
		long now = clock.millis();
		out.println("<p><a href=\"" + Html.escape(root) + "\">All cron jobs</a> | <a href=\""
				+ Html.escape(detailUrl(root, job.name)) + "\">Refresh</a></p>");
		out.println("<h2 id=\"job-name\">" + Html.escape(job.name) + "</h2>");
		out.print("<div class=\"actions\">");
		actions(out, root, Csrf.token(request), job, false);
		out.println("</div>");

		List<CronRunDTO> runs = history(rt, job.name, RUNS);
		out.println("<h3>Recent runs</h3>");
		out.println("<div class=\"timeline\">" + Timeline.svg("timeline", job.name, runs, now, zone, Timeline.Size.LARGE)
				+ "</div>");
		out.println(LEGEND);

		out.println("<table class=\"nicetable fields\" id=\"job\"><tbody>");
		field(out, "state", "State", "<span class=\"state state-" + job.state + "\">" + Html.escape(Jobs.state(job, now)) + "</span>");
		if (job.reason != null) {
			field(out, "reason", "Reason", Html.escape(job.reason));
		}
		if (job.pausedAt != null) {
			field(out, "paused", "Paused", Html.escape(Jobs.pause(job, now) + " (at " + Formats.zoned(job.pausedAt, zone)
					+ ")"));
		}
		if (job.retryAt != null) {
			field(out, "retry-pending", "Retry pending", Html.escape(Jobs.retry(job, now) + " (at "
					+ Formats.zoned(job.retryAt, zone) + "), for the window from " + (job.lastEnd == null ? EPOCH
							: Formats.zoned(job.lastEnd, zone))));
		}
		if (job.runningSince != null) {
			field(out, "running-since", "Running since", Html.escape(Formats.zoned(job.runningSince, zone) + " ("
					+ Formats.age(job.runningSince, now) + ")"));
		}
		field(out, "interval", "Interval", "<code>" + Html.escape(job.interval) + "</code>");
		field(out, "description", "Means", Html.escape(job.description == null ? "-" : job.description));
		field(out, "zone", "Zone", Html.escape(job.zone));
		field(out, "timeout", "Timeout", Html.escape(job.timeout == null ? "none" : Formats.seconds(job.timeout)));
		field(out, "misfire", "Misfire", Html.escape(job.misfire));
		field(out, "retry", "Retry", Html.escape(Jobs.retryPolicy(job)));
		field(out, "next-fire", "Next fire", Html.escape(job.nextFire == null ? "none"
				: Formats.zoned(job.nextFire, zone) + " (" + (job.nextFire > now ? "in " + Formats.duration(job.nextFire - now)
						: "due") + ")"));
		field(out, "last-window-end", "Last window end", Html.escape(job.lastEnd == null
				? "none: the plugin has never run successfully" : Formats.zoned(job.lastEnd, zone)));
		field(out, "next-window", "Next window", Html.escape("[" + (job.lastEnd == null ? EPOCH
				: Formats.zoned(job.lastEnd, zone)) + ", the start of the next run)"));
		field(out, "counts", "Runs", Html.escape(Formats.number(job.runCount) + " since the scheduler started: "
				+ Formats.number(job.failureCount) + " failed, " + Formats.number(job.timeoutCount) + " timed out; "
				+ Formats.number(job.consecutiveFailures) + " in a row did not succeed"));
		field(out, "missed", "Missed fires", Html.escape(Jobs.missed(job, zone, now) + ": " + Jobs.MISSED_MEANS));
		if (job.node != null) {
			field(out, "node", "Node", Html.escape(job.node));
		}
		if (job.rerun != null) {
			field(out, "rerun", "Re-run", Html.escape(rerunText(job.rerun, zone)));
		}
		field(out, "bundle", "Bundle", Html.escape(Jobs.bundle(job)));
		field(out, "service-id", "Service id", Html.escape(job.serviceId));
		out.println("</tbody></table>");

		fireTimes(rt, job, zone, now, out);

		out.println("<h3>Service properties</h3>");
		Map<String, Object> props = new TreeMap<>(job.properties == null ? Map.of() : job.properties);
		out.println("<table class=\"nicetable\" id=\"properties\"><thead><tr><th>Property</th><th>Value</th></tr></thead><tbody>");
		for (Map.Entry<String, Object> p : props.entrySet()) {
			out.println("<tr><td>" + Html.escape(p.getKey()) + "</td><td>" + Html.escape(value(p.getValue())) + "</td></tr>");
		}
		out.println("</tbody></table>");

		out.println("<h3>History</h3>");
		if (runs.isEmpty()) {
			out.println("<p id=\"no-history\">No run since the scheduler started.</p>");
			return;
		}
		out.println("<table class=\"nicetable\" id=\"history\"><thead><tr><th>Trigger</th><th>Window start</th>"
				+ "<th>Window end</th><th>Fire time</th><th>Started</th><th>Late</th><th>Took</th><th>Outcome</th><th>Error</th>"
				+ "<th>Log</th></tr></thead><tbody>");
		for (CronRunDTO run : runs) {
			out.println("<tr data-trigger=\"" + run.trigger + "\" data-outcome=\"" + run.outcome + "\">");
			cell(out, "trigger", Html.escape(run.trigger + (run.requestedBy == null ? "" : " (asked by " + run.requestedBy
					+ ")")));
			cell(out, "window-start", Html.escape(instant(run.windowStart, zone)));
			cell(out, "window-end", Html.escape(instant(run.windowEnd, zone)));
			cell(out, "fire-time", Html.escape(instant(run.scheduledFire, zone)));
			cell(out, "started", Html.escape(instant(run.started, zone)));
			String late = Jobs.late(run);
			cell(out, "late", Html.escape(late == null ? Formats.NONE : late));
			cell(out, "took", Html.escape(took(run, now)));
			cell(out, "outcome", "<span class=\"outcome outcome-" + run.outcome + "\">" + run.outcome + "</span>");
			cell(out, "error", Html.escape(run.error == null ? "" : run.error));
			cell(out, "log", run.outcome == Outcome.SKIPPED || run.outcome == Outcome.QUEUED ? ""
					: "<a href=\"" + Html.escape(logUrl(root, job.name, run.started)) + "\">log</a>");
			out.println("</tr>");
		}
		out.println("</tbody></table>");
	}

	/**
	 * The log of one run ({@code ?name=NAME&log=STARTED}, the run's start in epoch ms): read-only, so a
	 * plain GET behind the console's login; every text from the plugin is escaped, control characters
	 * made visible first.
	 */
	private void log(CronRuntime rt, String name, String started, HttpServletResponse response, PrintWriter out,
			String root) {
		CronJobDTO job = rt.getJob(name);
		ZoneId zone = job == null ? java.time.ZoneOffset.UTC : Formats.zone(job.zone);
		out.println("<p><a href=\"" + Html.escape(root) + "\">All cron jobs</a>"
				+ (job == null ? "" : " | <a href=\"" + Html.escape(detailUrl(root, name)) + "\" id=\"back-to-job\">"
						+ Html.escape(name) + "</a>")
				+ "</p>");
		long at;
		try {
			at = Long.parseLong(started.strip());
		} catch (NumberFormatException e) {
			response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
			message(out, "error", "The run is named by its start in milliseconds since the epoch, not \""
					+ started + "\".");
			return;
		}
		CronLogDTO log;
		try {
			log = rt.getLog(name, at);
		} catch (IllegalArgumentException e) {
			response.setStatus(HttpServletResponse.SC_NOT_FOUND);
			message(out, "error", unknown(rt, name));
			return;
		} catch (IllegalStateException e) {
			response.setStatus(HttpServletResponse.SC_SERVICE_UNAVAILABLE);
			message(out, "error", "Cannot read the log: " + e.getMessage());
			return;
		}
		String which = "run of " + name + " started " + Formats.zoned(at, zone);
		out.println("<h2 id=\"log-title\">Log of the " + Html.escape(which) + "</h2>");
		if (log == null) {
			response.setStatus(HttpServletResponse.SC_NOT_FOUND);
			out.println("<p id=\"no-log\">No log is kept for this run: it was skipped, the state store keeps none,"
					+ " or it no longer keeps it (logs are kept as long as the run history).</p>");
			return;
		}
		long total = log.lines.size() + log.omitted;
		out.println("<p class=\"statline\" id=\"log-summary\">" + Html.escape((log.running ? "Running: the lines so far. " : "")
				+ (total == 0 ? "It logged nothing." : Formats.count(total, "line")
						+ (log.omitted == 0 ? "." : ", of which " + Formats.number(log.omitted) + " left out.")))
				+ "</p>");
		if (total == 0) {
			return;
		}
		out.println("<table class=\"nicetable\" id=\"log\"><thead><tr><th>Time</th><th>Level</th><th>Logger</th>"
				+ "<th>Message</th></tr></thead><tbody>");
		for (int i = 0; i <= log.lines.size(); i++) {
			if (i == log.omittedAt && log.omitted > 0) {
				out.println("<tr class=\"omitted\"><td colspan=\"4\">" + Html.escape(Formats.count(log.omitted, "line"))
						+ " left out</td></tr>");
			}
			if (i == log.lines.size()) {
				break;
			}
			CronLogLineDTO line = log.lines.get(i);
			out.print("<tr class=\"line level-" + Html.escape(line.level) + "\">");
			cell(out, "time", Html.escape(Formats.offsetMillis(line.time, zone)));
			cell(out, "level", Html.escape(line.level));
			cell(out, "logger", Html.escape(line.logger));
			cell(out, "message", Html.escape(line.message)
					+ (line.thrown == null ? "" : "<pre class=\"thrown\">" + Html.lines(line.thrown) + "</pre>"));
			out.println("</tr>");
		}
		out.println("</tbody></table>");
	}

	static String logUrl(String root, String name, long started) {
		return detailUrl(root, name) + "&log=" + started;
	}

	private void fireTimes(CronRuntime rt, CronJobDTO job, ZoneId zone, long now, PrintWriter out) {
		out.println("<h3>Next fire times</h3>");
		if (job.interval == null || job.state == JobState.INVALID) {
			out.println("<p id=\"next-fire-times\">None: the interval is invalid.</p>");
			return;
		}
		List<ZonedDateTime> times;
		try {
			times = rt.getNextFireTimes(job.name, FIRE_TIMES);
			if (times.isEmpty()) { // no schedule held (e.g. disabled): what the interval would do from now
				times = rt.preview(job.interval, job.name, zone, Instant.ofEpochMilli(now), FIRE_TIMES);
			}
		} catch (IllegalArgumentException e) {
			out.println("<p id=\"next-fire-times\">None: " + Html.escape(e.getMessage()) + "</p>");
			return;
		}
		if (job.state != JobState.SCHEDULED) {
			out.println("<p>Of the interval: not fired while " + job.state + ".</p>");
		}
		if (times.isEmpty()) {
			out.println("<p id=\"next-fire-times\">None: the interval fires no more.</p>");
			return;
		}
		out.println("<ol id=\"next-fire-times\">");
		for (ZonedDateTime t : times) {
			out.println("<li>" + Html.escape(Formats.zoned(t)) + "</li>");
		}
		out.println("</ol>");
	}

	private void confirmReset(CronJobDTO job, HttpServletRequest request, PrintWriter out, String root) {
		out.println("<h2 id=\"job-name\">Reset " + Html.escape(job.name) + "?</h2>");
		out.println("<p>Resetting replaces the persisted state of " + Html.escape(job.name) + ": a BLOCKED state is"
				+ " cleared and its next window starts at the instant below (the epoch, " + EPOCH + ", if left"
				+ " empty), so its next run covers everything since then. Its pause is kept. Refused while it runs.</p>");
		out.println("<form method=\"post\" action=\"" + Html.escape(root) + "\" id=\"reset-form\">");
		hidden(out, Csrf.PARAM, Csrf.token(request));
		nameField(out, job.name);
		hidden(out, "action", "reset");
		hidden(out, "confirmed", "yes");
		out.println("<p><label for=\"since\">Start of the next window (ISO-8601, e.g. 2026-12-01T00:00Z; without an"
				+ " offset in " + Html.escape(job.zone) + "):</label> <input type=\"text\" id=\"since\" name=\"since\""
				+ " size=\"30\" value=\"" + Html.escape(job.lastEnd == null ? "" : Formats.offset(job.lastEnd,
						Formats.zone(job.zone))) + "\"></p>");
		if (job.state != JobState.BLOCKED) {
			out.println("<p><label><input type=\"checkbox\" id=\"force\" name=\"force\" value=\"yes\"> If the field is"
					+ " empty: yes, rewind " + Html.escape(job.name) + " to the epoch (its next run covers everything since"
					+ " " + EPOCH + "; the shell's cron:reset --force)</label></p>");
		}
		out.println("<p><button type=\"submit\" id=\"confirm-reset\">Reset " + Html.escape(job.name)
				+ "</button> <a href=\"" + Html.escape(detailUrl(root, job.name)) + "\" id=\"cancel-reset\">Cancel</a></p>");
		out.println("</form>");
	}

	private static void actions(PrintWriter out, String root, String token, CronJobDTO job, boolean fromList) {
		boolean runnable = job.state != JobState.INVALID && job.state != JobState.DUPLICATE; // never fired
		if (runnable) {
			action(out, root, token, job.name, "fire", "Fire", fromList);
		}
		if (job.state == JobState.PAUSED) {
			action(out, root, token, job.name, "resume", "Resume", fromList);
		} else if (runnable && fromList) {
			action(out, root, token, job.name, "pause", "Pause", true);
		} else if (runnable) { // the plugin's page asks why, too
			out.print("<form method=\"post\" action=\"" + Html.escape(root) + "\" class=\"action\" id=\"pause-form\">");
			out.print("<input type=\"hidden\" name=\"" + Csrf.PARAM + "\" value=\"" + Html.escape(token) + "\">");
			nameField(out, job.name);
			out.print("<input type=\"text\" name=\"reason\" id=\"pause-reason\" size=\"30\" maxlength=\""
					+ CronRuntime.MAX_PAUSE_REASON + "\" placeholder=\"why (optional)\" aria-label=\"Why pause it\">");
			out.print("<button type=\"submit\" name=\"action\" value=\"pause\">Pause</button></form>");
		}
		// Reset asks first: a link to the confirmation page, never a direct POST.
		out.print(" <a class=\"button reset\" href=\"" + Html.escape(detailUrl(root, job.name) + "&confirm=reset")
				+ "\">Reset&hellip;</a>");
		if (!fromList) {
			// So does a re-run: a form that lists its windows, then a button that starts it.
			out.print(" <a class=\"button rerun\" id=\"rerun-link\" href=\""
					+ Html.escape(detailUrl(root, job.name) + "&confirm=rerun") + "\">Re-run&hellip;</a>");
			if (job.rerun != null && job.rerun.ended == null && !job.rerun.cancelled) {
				action(out, root, token, job.name, "cancel-rerun", "Cancel re-run", false);
			}
		}
	}

	/** How far a re-run got, in one line. */
	static String rerunText(RerunDTO rerun, ZoneId zone) {
		String state = rerun.ended == null ? rerun.cancelled ? "cancelled, stopping after the window in progress"
				: "in progress" : rerun.cancelled ? "cancelled" : "done";
		return state + ": " + rerun.done + " of " + Formats.count(rerun.windows, "window") + " done, " + rerun.failed
				+ " failed, " + rerun.left + " left, of [" + Formats.zoned(rerun.from, zone) + ", "
				+ Formats.zoned(rerun.to, zone) + "), asked by " + rerun.requestedBy
				+ (rerun.waiting == null ? "" : "; waiting: " + rerun.waiting);
	}

	/**
	 * The re-run form (a GET, which changes nothing): the range and the split; once they are given, the
	 * windows they make (a dry run) and the button that starts the re-run (a POST with the CSRF token).
	 */
	private void confirmRerun(CronRuntime rt, CronJobDTO job, HttpServletRequest request, PrintWriter out, String root) {
		ZoneId zone = Formats.zone(job.zone);
		String from = request.getParameter("from");
		String to = request.getParameter("to");
		String split = "once".equals(request.getParameter("split")) ? "once" : "interval";
		out.println("<h2 id=\"job-name\">Re-run past windows of " + Html.escape(job.name) + "</h2>");
		out.println("<p>A re-run runs " + Html.escape(job.name) + " again for the past windows inside a range, one at a"
				+ " time and never beside another of its runs; each is a run of its own in the history (trigger RERUN)."
				+ " Its committed window end (" + Html.escape(job.lastEnd == null ? "none" : Formats.zoned(job.lastEnd, zone))
				+ ") does not move, so the schedule runs what it would have run.</p>");
		out.println("<form method=\"get\" action=\"" + Html.escape(root) + "\" id=\"rerun-plan\">");
		nameField(out, job.name);
		hidden(out, "confirm", "rerun");
		out.println("<p><label for=\"from\">From (inclusive, ISO-8601; without an offset in " + Html.escape(job.zone)
				+ "):</label> <input type=\"text\" id=\"from\" name=\"from\" size=\"30\" value=\""
				+ Html.escape(from == null ? "" : from) + "\"></p>");
		out.println("<p><label for=\"to\">To (exclusive, at most the committed window end):</label> <input type=\"text\""
				+ " id=\"to\" name=\"to\" size=\"30\" value=\"" + Html.escape(to != null ? to
						: job.lastEnd == null ? "" : Formats.offset(job.lastEnd, zone)) + "\"></p>");
		out.println("<p><label><input type=\"radio\" name=\"split\" value=\"interval\"" + ("interval".equals(split)
				? " checked" : "") + "> at its fire times (" + Html.escape(job.interval) + ")</label> <label><input"
				+ " type=\"radio\" name=\"split\" value=\"once\"" + ("once".equals(split) ? " checked" : "")
				+ "> as one window</label></p>");
		out.println("<p><button type=\"submit\" id=\"rerun-list\">List the windows</button> <a href=\""
				+ Html.escape(detailUrl(root, job.name)) + "\" id=\"cancel-rerun-form\">Cancel</a></p></form>");
		if (from == null || from.isBlank()) {
			return;
		}
		List<RunWindowDTO> windows;
		Instant start;
		Instant end;
		try {
			start = dateTime(from.strip(), zone);
			end = to == null || to.isBlank() ? Instant.ofEpochMilli(job.lastEnd == null ? 0 : job.lastEnd)
					: dateTime(to.strip(), zone);
			windows = rt.planRerun(job.name, start, end, "once".equals(split) ? RerunSplit.ONCE : RerunSplit.INTERVAL);
		} catch (IllegalArgumentException | IllegalStateException e) {
			message(out, "error", "Refused: " + e.getMessage());
			return;
		}
		out.println("<h3>" + Html.escape(Formats.count(windows.size(), "window")) + " to re-run</h3>");
		out.println("<table class=\"nicetable\" id=\"rerun-windows\"><thead><tr><th>#</th><th>Window start</th>"
				+ "<th>Window end</th></tr></thead><tbody>");
		int i = 1;
		for (RunWindowDTO window : windows) {
			out.println("<tr><td>" + i++ + "</td><td>" + Html.escape(Formats.zoned(window.start, zone)) + "</td><td>"
					+ Html.escape(Formats.zoned(window.end, zone)) + "</td></tr>");
		}
		out.println("</tbody></table>");
		out.println("<form method=\"post\" action=\"" + Html.escape(root) + "\" id=\"rerun-form\">");
		hidden(out, Csrf.PARAM, Csrf.token(request));
		nameField(out, job.name);
		hidden(out, "action", "rerun");
		hidden(out, "confirmed", "yes");
		hidden(out, "from", start.toString());
		hidden(out, "to", end.toString());
		hidden(out, "split", split);
		out.println("<p><button type=\"submit\" id=\"confirm-rerun\">Re-run " + Html.escape(Formats.count(windows.size(),
				"window")) + "</button></p></form>");
	}

	private static void action(PrintWriter out, String root, String token, String name, String action, String label,
			boolean fromList) {
		out.print("<form method=\"post\" action=\"" + Html.escape(root) + "\" class=\"action\">");
		out.print("<input type=\"hidden\" name=\"" + Csrf.PARAM + "\" value=\"" + Html.escape(token) + "\">");
		nameField(out, name);
		if (fromList) {
			out.print("<input type=\"hidden\" name=\"back\" value=\"list\">");
		}
		out.print("<button type=\"submit\" name=\"action\" value=\"" + action + "\">" + label + "</button></form>");
	}

	// ----------------------------------------------------------------------------------------- POST

	@Override
	protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
		// The console's filter (ConsoleFilter) has refused whatever did not come from the console itself.
		String root = pluginRoot(request);
		String name;
		String nameError = null;
		try {
			name = name(request);
		} catch (IllegalArgumentException e) {
			name = null;
			nameError = e.getMessage();
		}
		String action = request.getParameter("action");
		String[] result;
		CronRuntime rt = runtime;
		if (nameError != null) {
			result = error(nameError);
		} else if (rt == null) {
			result = error("Refused: the Crontainer scheduler is not running (no CronRuntime service).");
		} else if (name == null || name.isBlank()) {
			result = error("Refused: no cron plugin named in the request.");
		} else {
			try {
				result = act(rt, action, name, request);
				LOG.info("Web console: {} {} by {}: {}", LogText.escape(action), LogText.escape(name),
						LogText.escape(user(request)), LogText.escape(result[1]));
			} catch (IllegalArgumentException | IllegalStateException e) {
				String message = String.valueOf(e.getMessage());
				result = error(message.startsWith("Refused") ? message : "Refused: " + message);
			}
		}
		HttpSession session = request.getSession(false);
		if (session == null) { // an HTTP Basic client: no session is made for it, so the answer is the page itself
			response.setStatus(result[0].equals("error") ? HttpServletResponse.SC_CONFLICT : HttpServletResponse.SC_OK);
			response.setContentType("text/html");
			response.setCharacterEncoding("UTF-8");
			PrintWriter out = response.getWriter();
			out.println("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Cron jobs</title></head><body>");
			message(out, result[0], result[1]);
			out.println("<p><a href=\"" + Html.escape(root) + "\">Back to the cron jobs</a></p></body></html>");
			return;
		}
		session.setAttribute(FLASH, result);
		boolean toList = "list".equals(request.getParameter("back")) || rt == null || name == null
				|| rt.getJob(name) == null;
		response.setStatus(HttpServletResponse.SC_SEE_OTHER);
		response.setHeader("Location", toList ? root : detailUrl(root, name));
	}

	/** Performs an action; returns {kind, text}. Throws the runtime's refusals. */
	private String[] act(CronRuntime rt, String action, String name, HttpServletRequest request) {
		CronJobDTO job = rt.getJob(name);
		if (job == null && !"reset".equals(action)) {
			throw new IllegalArgumentException(unknown(rt, name));
		}
		switch (action == null ? "" : action) {
		case "fire":
			return fire(rt, job);
		case "pause":
			String reason = request.getParameter("reason");
			boolean again = job.state == JobState.PAUSED;
			if (again && (reason == null || reason.isBlank())) {
				return info(job.name + " is paused already.");
			}
			CronJobDTO paused = rt.pause(job.name, reason, "web console (user " + user(request) + ")");
			String note = Jobs.pause(paused, clock.millis());
			return info((again ? job.name + " stays paused" : "Paused " + job.name)
					+ (note == null ? "" : " (" + note + ")") + ": it is not fired on its interval until resumed; the"
					+ " pause survives restarts. Fire still runs it by hand.");
		case "resume":
			if (job.state != JobState.PAUSED) {
				return info(job.name + " is not paused (it is " + job.state + "); nothing to resume.");
			}
			CronJobDTO after = rt.resume(job.name);
			return info("Resumed " + job.name + ": " + after.state + (after.nextFire == null ? ""
					: ", next fire " + Formats.zoned(after.nextFire, Formats.zone(after.zone))) + ".");
		case "reset":
			if (!"yes".equals(request.getParameter("confirmed"))) {
				return error("Refused: reset asks for confirmation first; use its Reset button.");
			}
			if (job == null) {
				throw new IllegalArgumentException(unknown(rt, name));
			}
			ZoneId zone = Formats.zone(job.zone);
			String since = request.getParameter("since");
			if ((since == null || since.isBlank()) && job.state != JobState.BLOCKED
					&& !"yes".equals(request.getParameter("force"))) {
				return error("Refused: " + job.name + " is " + job.state + ", not BLOCKED: a reset without a start would"
						+ " rewind its window" + (job.lastEnd == null ? "" : " from " + Formats.zoned(job.lastEnd, zone))
						+ " back to " + EPOCH + " (the epoch), and its next run would cover everything since. Give the"
						+ " start of the next window, or tick the box to rewind it to the epoch.");
			}
			Instant start = since == null || since.isBlank() ? null : dateTime(since.strip(), zone);
			CronJobDTO reset = rt.reset(job.name, start);
			return info("Reset " + job.name + (job.state == JobState.BLOCKED ? ": cleared its BLOCKED state;" : ":")
					+ " its next window starts at " + (start == null ? EPOCH + " (the epoch)"
							: Formats.offset(start.toEpochMilli(), zone))
					+ "." + (reset == null ? "" : " It is " + reset.state + "."));
		case "rerun":
			if (!"yes".equals(request.getParameter("confirmed"))) {
				return error("Refused: a re-run asks for confirmation first; use its Re-run button.");
			}
			String from = request.getParameter("from");
			String to = request.getParameter("to");
			if (from == null || to == null) {
				return error("Refused: a re-run needs its range (from and to).");
			}
			ZoneId rerunZone = Formats.zone(job.zone);
			RerunDTO started = rt.rerun(job.name, dateTime(from.strip(), rerunZone), dateTime(to.strip(), rerunZone),
					"once".equals(request.getParameter("split")) ? RerunSplit.ONCE : RerunSplit.INTERVAL,
					"web console user " + user(request));
			return info("Re-running " + job.name + ": " + Formats.count(started.windows, "window") + " of ["
					+ Formats.zoned(started.from, rerunZone) + ", " + Formats.zoned(started.to, rerunZone) + "), one at a"
					+ " time. Its progress shows below; each window is a run in the history.");
		case "cancel-rerun":
			RerunDTO cancelled = rt.cancelRerun(job.name);
			return info("Cancelled the re-run of " + job.name + (cancelled.ended != null ? "."
					: ": it stops after the window in progress."));
		default:
			return error("Refused: unknown action \"" + action + "\"; the actions are fire, pause, resume, reset, rerun"
					+ " and cancel-rerun.");
		}
	}

	/** Fires a plugin unless the page should refuse; returns {kind, text}. */
	String[] fire(CronRuntime rt, CronJobDTO job) {
		if (job.running) {
			boolean queued = job.lastRun != null && job.lastRun.outcome == Outcome.QUEUED;
			return error("Refused: " + job.name + (queued ? " is queued to run already" : " is running already")
					+ "; a plugin never runs twice at once.");
		}
		switch (job.state) {
		case PENDING:
			return error("Refused: " + job.name + " is PENDING: the scheduler is still asking it for its interval."
					+ " Try again in a moment.");
		case INVALID:
		case DUPLICATE:
			return error("Refused: " + job.name + " is " + job.state + (job.reason == null ? "" : " (" + job.reason + ")")
					+ " and is never fired.");
		case BLOCKED:
			return error("Refused: " + job.name + " is BLOCKED" + (job.reason == null ? "" : " (" + job.reason + ")")
					+ "; reset it to clear that.");
		case STUCK:
			return error("Refused: " + job.name + " is STUCK: its last run ignored its interrupt and still holds its"
					+ " thread.");
		default:
			break;
		}
		CompletionStage<CronRunDTO> stage = rt.fire(job.name);
		CompletableFuture<CronRunDTO> done = new CompletableFuture<>();
		stage.whenComplete((run, failure) -> {
			if (failure != null) {
				done.completeExceptionally(failure);
			} else {
				done.complete(run);
			}
		});
		try {
			CronRunDTO run = done.get(FIRE_WAIT_MS, TimeUnit.MILLISECONDS);
			String text = "Fired " + job.name + ": " + run.outcome + " in " + took(run, clock.millis())
					+ (run.error == null ? "." : ": " + run.error);
			return run.outcome == Outcome.SUCCEEDED ? info(text) : error(text);
		} catch (TimeoutException e) {
			return info("Fired " + job.name + "; it is still running, on a thread of its own. Its run is in the history.");
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			return info("Fired " + job.name + "; its run is in the history.");
		} catch (ExecutionException e) {
			return error("Firing " + job.name + " failed: " + (e.getCause() == null ? e : e.getCause()));
		}
	}

	// -------------------------------------------------------------------------------------- helpers

	/**
	 * Reads the start of a window: an ISO-8601 date-time with an offset (or zone id), or without one (read
	 * in {@code zone}), or a date (its start of day in {@code zone}).
	 */
	static Instant dateTime(String text, ZoneId zone) {
		try {
			return ZonedDateTime.parse(text).toInstant();
		} catch (DateTimeException e) {
			// next form
		}
		try {
			return OffsetDateTime.parse(text).toInstant();
		} catch (DateTimeException e) {
			// next form
		}
		try {
			return LocalDateTime.parse(text).atZone(zone).toInstant();
		} catch (DateTimeException e) {
			// next form
		}
		try {
			return LocalDate.parse(text).atStartOfDay(zone).toInstant();
		} catch (DateTimeException e) {
			throw new IllegalArgumentException("\"" + text + "\" is not an ISO-8601 date-time such as"
					+ " 2026-12-01T00:00Z or 2026-12-01T00:00 (in " + zone + ").", e);
		}
	}

	private static String user(HttpServletRequest request) {
		HttpSession session = request.getSession(false);
		Object user = session == null ? null : session.getAttribute(LoginSecurityProvider.USER);
		return user == null ? "an HTTP Basic client" : String.valueOf(user);
	}

	private static String pluginRoot(HttpServletRequest request) {
		Object root = request.getAttribute(ServletConstants.ATTR_PLUGIN_ROOT);
		return root != null ? root.toString() : request.getContextPath() + "/" + LABEL;
	}

	static String detailUrl(String root, String name) {
		return root + "?name=" + Html.url(name);
	}

	private static void flash(HttpServletRequest request, PrintWriter out) {
		HttpSession session = request.getSession(false);
		if (session == null) {
			return;
		}
		Object flash = session.getAttribute(FLASH);
		if (flash instanceof String[] message && message.length == 2) {
			session.removeAttribute(FLASH);
			message(out, message[0], message[1]);
		}
	}

	private static void message(PrintWriter out, String kind, String text) {
		out.println("<p class=\"message " + kind + "\" id=\"message\" role=\"status\">" + Html.escape(text) + "</p>");
	}

	private static String[] info(String text) {
		return new String[] { "info", text };
	}

	private static String[] error(String text) {
		return new String[] { "error", text };
	}

	static String unknown(CronRuntime rt, String name) {
		List<String> names = rt.getJobs().stream().map(j -> j.name).sorted().limit(21).collect(Collectors.toList());
		if (names.isEmpty()) {
			return "Unknown cron plugin \"" + name + "\": the scheduler knows none.";
		}
		String known = String.join(", ", names.subList(0, Math.min(20, names.size())))
				+ (names.size() > 20 ? " and more" : "");
		return "Unknown cron plugin \"" + name + "\"; known: " + known + ".";
	}

	private static void cell(PrintWriter out, String kind, String html) {
		out.print("<td class=\"" + kind + "\">" + html + "</td>");
	}

	private static void field(PrintWriter out, String kind, String label, String html) {
		out.println("<tr class=\"" + kind + "\"><th>" + Html.escape(label) + "</th><td>" + html + "</td></tr>");
	}

	/**
	 * The hidden field that names the plugin a form is for: {@value #NAME_ENCODED}, the name
	 * percent-encoded in UTF-8 ({@link Html#url}), so that every name comes back exactly, whatever its
	 * characters. A name carried as text in a form (even as character references) does not: a browser
	 * reads {@code &#x0;} as U+FFFD and {@code &#x85;} as U+2026, and posts a line feed as CR LF.
	 */
	private static void nameField(PrintWriter out, String name) {
		out.print("<input type=\"hidden\" name=\"" + NAME_ENCODED + "\" value=\"" + Html.escape(Html.url(name)) + "\">");
	}

	/**
	 * The plugin a request is for: {@value #NAME_ENCODED} decoded if the request has it (the page's own
	 * forms), else {@code name} as it is (links, and clients that post it themselves).
	 *
	 * @return The name, or {@code null} if the request names none.
	 * @throws IllegalArgumentException If {@value #NAME_ENCODED} is not percent-encoded UTF-8.
	 */
	static String name(HttpServletRequest request) {
		String encoded = request.getParameter(NAME_ENCODED);
		if (encoded == null) {
			return request.getParameter("name");
		}
		try {
			return URLDecoder.decode(encoded, StandardCharsets.UTF_8);
		} catch (IllegalArgumentException e) {
			throw new IllegalArgumentException("Refused: the plugin's name in the request (" + NAME_ENCODED
					+ ") is not percent-encoded UTF-8.", e);
		}
	}

	private static void hidden(PrintWriter out, String name, String value) {
		out.println("<input type=\"hidden\" name=\"" + Html.escape(name) + "\" value=\"" + Html.value(value) + "\">");
	}

	/** An instant for a table cell ({@link Formats#offset}), {@value Formats#NONE} if there is none. */
	private static String instant(Long millis, ZoneId zone) {
		return millis == null ? Formats.NONE : Formats.offset(millis, zone);
	}

	/** How long a run took ({@link Jobs#took}), {@value Formats#NONE} for a skipped fire. */
	private static String took(CronRunDTO run, long now) {
		String took = Jobs.took(run, now);
		return took == null ? Formats.NONE : took;
	}

	private static String value(Object v) {
		if (v != null && v.getClass().isArray()) {
			List<Object> items = new ArrayList<>();
			for (int i = 0; i < Array.getLength(v); i++) {
				items.add(Array.get(v, i));
			}
			return items.toString();
		}
		return String.valueOf(v);
	}

	/** Soonest next fire time first, then plugins that are not scheduled; ties by name (as cron:list). */
	static java.util.Comparator<CronJobDTO> byNextFire() {
		return comparing((CronJobDTO j) -> j.nextFire, nullsLast(naturalOrder())).thenComparing(j -> j.name);
	}

	/** What the timelines' shapes mean, in words (the outcome is never told by colour alone). */
	static final String LEGEND = "<p class=\"legend\">Recent runs, oldest left, now right: above the line succeeded,"
			+ " below it failed, timed out or interrupted; an outlined box is queued or running, a circle a skipped fire;"
			+ " an orange line before a run is how late it started after its fire time. Hover a run for its details.</p>";

	private static final String STYLE = "<style>"
			+ ".crontainer form.action{display:inline;margin:0 .2em 0 0}"
			+ ".crontainer .message{padding:.5em;border:1px solid #4a4;background:#efe}"
			+ ".crontainer .message.error{border-color:#a44;background:#fee}"
			+ ".crontainer .state-BLOCKED,.crontainer .state-STUCK,.crontainer .state-INVALID,.crontainer .state-DUPLICATE,"
			+ ".crontainer .outcome-FAILED,.crontainer .outcome-TIMED_OUT,.crontainer .outcome-INTERRUPTED{color:#a00;font-weight:bold}"
			+ ".crontainer .state-PAUSED,.crontainer .state-DISABLED{color:#666}"
			+ ".crontainer .outcome-SUCCEEDED{color:#070}"
			+ ".crontainer table.fields th{text-align:left;padding-right:1em;width:12em}"
			+ ".crontainer h2{font-size:1.4em;margin:.6em 0 .3em}.crontainer h3{font-size:1.15em;margin:1em 0 .3em}"
			+ ".crontainer ol{list-style:decimal;margin:.2em 0 .2em 2.5em}.crontainer div.actions{margin:.4em 0}"
			+ ".crontainer td.timeline{padding:1px 4px}.crontainer svg.timeline{display:block;background:#fafafa}"
			+ ".crontainer svg.timeline g.run:hover rect{stroke:#000;stroke-width:1}.crontainer p.legend{color:#555;font-size:.9em}"
			+ ".crontainer a.button{border:1px solid #888;border-radius:3px;padding:1px 6px;text-decoration:none}"
			+ ".crontainer table#log td{vertical-align:top}.crontainer table#log td.message{white-space:pre-wrap;font-family:monospace}"
			+ ".crontainer table#log td.time{white-space:nowrap}.crontainer table#log pre.thrown{margin:.2em 0 0 0}"
			+ ".crontainer table#log tr.omitted td{text-align:center;color:#555;font-style:italic}"
			+ ".crontainer table#log tr.level-ERROR td.level,.crontainer table#log tr.level-WARN td.level{color:#a00;font-weight:bold}"
			+ "</style>";
}
