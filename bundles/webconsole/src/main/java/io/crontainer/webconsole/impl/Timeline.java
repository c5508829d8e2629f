package io.crontainer.webconsole.impl;

import java.time.ZoneId;
import java.util.List;
import java.util.Locale;

import io.crontainer.api.runtime.CronRunDTO;
import io.crontainer.api.runtime.Outcome;
import io.crontainer.format.Formats;
import io.crontainer.format.Jobs;

/**
 * A plugin's recent runs drawn as a timeline in inline SVG: no script, no style attribute and no external
 * resource, so it works under any Content-Security-Policy the console sends and in a browser without
 * JavaScript.
 *
 * <p>
 * Time runs from left (the earliest start or fire time shown) to right (now). Each run is a bar from its
 * start to its end (to now while it runs, at least 2 px wide); the outcome is told by position and shape,
 * and only then by colour: a run that <b>succeeded</b> stands <b>above</b> the middle line, one that
 * <b>failed</b>, timed out or was interrupted hangs <b>below</b> it, one that is queued or running is an
 * <b>outlined</b> box across it, and a <b>skipped</b> fire is a small <b>circle</b> on it. How late a run
 * started after its fire time is a line on the middle line from the fire time to the start. Every run is a
 * {@code <g class="run">} with a {@code <title>} (its outcome, trigger, start, duration, lateness and the
 * first line of its error), which browsers show on hover and screen readers read; the whole picture has
 * {@code role="img"} and a title that counts the runs by outcome. Everything from a plugin is escaped.
 *
 * <p>
 * Stateless and thread-safe.
 */
final class Timeline {
	/** The small strip of the list, and the larger picture of the detail page. */
	enum Size {
		STRIP(180, 20, 0), LARGE(760, 56, 18);

		final int width, height, axis;

		Size(int width, int height, int axis) {
			this.width = width;
			this.height = height;
			this.axis = axis;
		}
	}

	/** The shortest time span drawn, so that a single run does not fill the whole width. */
	static final long MIN_SPAN_MS = 60_000;
	/** The most characters of an error a run's title shows. */
	static final int ERROR_CHARS = 200;

	static final String SUCCEEDED = "#2e7d32", FAILED = "#c62828", RUNNING = "#1565c0", SKIPPED = "#757575",
			LATE = "#ef6c00", AXIS = "#9e9e9e";

	private Timeline() {
	}

	/**
	 * The SVG element for a plugin's runs.
	 *
	 * @param id The element's id, unique in the page (ASCII letters, digits and dashes).
	 * @param name The plugin's name (escaped here).
	 * @param runs The runs, newest first, as {@code CronRuntime.getHistory} returns them. Must not be
	 *        {@code null}; may be empty.
	 * @param now The current time, UTC epoch milliseconds: the right edge.
	 * @param zone The plugin's zone, for the instants in titles and on the axis.
	 * @param size How large.
	 * @return The markup of one {@code <svg>} element.
	 */
	static String svg(String id, String name, List<CronRunDTO> runs, long now, ZoneId zone, Size size) {
		long end = now;
		long start = now;
		for (CronRunDTO run : runs) {
			start = Math.min(start, run.started);
			if (run.scheduledFire != null) {
				start = Math.min(start, run.scheduledFire);
			}
			if (run.finished != null) {
				end = Math.max(end, run.finished);
			}
		}
		start = Math.min(start, end - MIN_SPAN_MS);
		double pad = 3;
		double scale = (size.width - 2 * pad) / (double) (end - start);
		int mid = size.height / 2;

		StringBuilder svg = new StringBuilder(256 + runs.size() * 320);
		svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"timeline timeline-")
				.append(size.name().toLowerCase(Locale.ROOT)).append("\" id=\"").append(id).append("\" width=\"")
				.append(size.width).append("\" height=\"").append(size.height + size.axis).append("\" viewBox=\"0 0 ")
				.append(size.width).append(' ').append(size.height + size.axis).append("\" role=\"img\" aria-labelledby=\"")
				.append(id).append("-title\">");
		svg.append("<title id=\"").append(id).append("-title\">").append(Html.escape(summary(name, runs))).append("</title>");
		svg.append("<line class=\"axis\" x1=\"0\" y1=\"").append(mid).append("\" x2=\"").append(size.width).append("\" y2=\"")
				.append(mid).append("\" stroke=\"").append(AXIS).append("\" stroke-width=\"1\"/>");
		// Oldest first, so that a newer run is drawn over an older one.
		for (int i = runs.size() - 1; i >= 0; i--) {
			CronRunDTO run = runs.get(i);
			double x = pad + (run.started - start) * scale;
			long runEnd = run.finished != null ? run.finished : now;
			double w = Math.max(2, (runEnd - run.started) * scale);
			svg.append("<g class=\"run\" data-outcome=\"").append(run.outcome).append("\" data-trigger=\"")
					.append(run.trigger).append("\" data-started=\"").append(run.started).append("\">");
			svg.append("<title>").append(Html.escape(describe(run, now, zone))).append("</title>");
			if (run.scheduledFire != null && run.started > run.scheduledFire && run.outcome != Outcome.QUEUED) {
				double fx = pad + (run.scheduledFire - start) * scale;
				svg.append("<line class=\"late\" x1=\"").append(num(fx)).append("\" y1=\"").append(mid).append("\" x2=\"")
						.append(num(x)).append("\" y2=\"").append(mid).append("\" stroke=\"").append(LATE)
						.append("\" stroke-width=\"3\"/>");
			}
			switch (run.outcome) {
			case SUCCEEDED -> rect(svg, x, 2, w, mid - 3, SUCCEEDED, false);
			case FAILED, TIMED_OUT, INTERRUPTED -> rect(svg, x, mid + 1, w, size.height - mid - 3, FAILED, false);
			case QUEUED, RUNNING -> rect(svg, x, 2, Math.max(w, 4), size.height - 4, RUNNING, true);
			case SKIPPED -> svg.append("<circle cx=\"").append(num(x)).append("\" cy=\"").append(mid)
					.append("\" r=\"3\" fill=\"#ffffff\" stroke=\"").append(SKIPPED).append("\" stroke-width=\"1.5\"/>");
			}
			svg.append("</g>");
		}
		if (size.axis > 0) {
			int y = size.height + size.axis - 5;
			svg.append("<text class=\"from\" x=\"").append((int) pad).append("\" y=\"").append(y)
					.append("\" font-size=\"11\" fill=\"#555555\">").append(Html.escape(Formats.offset(start, zone)))
					.append("</text>");
			svg.append("<text class=\"to\" x=\"").append(size.width - (int) pad).append("\" y=\"").append(y)
					.append("\" font-size=\"11\" fill=\"#555555\" text-anchor=\"end\">now, ")
					.append(Html.escape(Formats.offset(now, zone))).append("</text>");
		}
		svg.append("</svg>");
		return svg.toString();
	}

	private static void rect(StringBuilder svg, double x, double y, double w, double h, String colour, boolean outlined) {
		svg.append("<rect x=\"").append(num(x)).append("\" y=\"").append(num(y)).append("\" width=\"").append(num(w))
				.append("\" height=\"").append(num(h)).append('"');
		if (outlined) {
			svg.append(" fill=\"#ffffff\" fill-opacity=\"0.6\" stroke=\"").append(colour)
					.append("\" stroke-width=\"1.5\" stroke-dasharray=\"3 2\"/>");
		} else {
			svg.append(" fill=\"").append(colour).append("\"/>");
		}
	}

	private static String num(double v) {
		return String.format(Locale.ROOT, "%.1f", v);
	}

	/** The picture's title: the runs counted by outcome. */
	static String summary(String name, List<CronRunDTO> runs) {
		if (runs.isEmpty()) {
			return "No runs of " + name + " yet.";
		}
		long ok = runs.stream().filter(r -> r.outcome == Outcome.SUCCEEDED).count();
		long failed = runs.stream().filter(r -> Jobs.failed(r.outcome)).count();
		long skipped = runs.stream().filter(r -> r.outcome == Outcome.SKIPPED).count();
		long going = runs.stream().filter(r -> !Jobs.isOver(r)).count();
		StringBuilder s = new StringBuilder("Timeline of the last ").append(Formats.count(runs.size(), "run"))
				.append(" of ").append(name).append(": ").append(Formats.number(ok)).append(" succeeded, ")
				.append(Formats.number(failed)).append(" failed");
		if (skipped > 0) {
			s.append(", ").append(Formats.number(skipped)).append(" skipped");
		}
		if (going > 0) {
			s.append(", ").append(Formats.number(going)).append(" in progress");
		}
		return s.append('.').toString();
	}

	/**
	 * One run's title: {@code SUCCEEDED (SCHEDULE), started 2026-12-07T07:01:00+01:00, took 1.2 s, 350 ms
	 * late}, with {@code : } and the first line of the error of a run that did not succeed.
	 */
	static String describe(CronRunDTO run, long now, ZoneId zone) {
		StringBuilder s = new StringBuilder().append(run.outcome).append(" (").append(run.trigger).append("), ")
				.append(run.outcome == Outcome.SKIPPED ? "skipped at " : run.outcome == Outcome.QUEUED ? "fired at "
						: "started ")
				.append(Formats.offset(run.started, zone));
		String took = Jobs.took(run, now);
		if (took != null) {
			s.append(Jobs.isOver(run) ? ", took " : run.outcome == Outcome.QUEUED ? ", waiting for " : ", running for ")
					.append(took);
		}
		String late = Jobs.late(run);
		if (late != null && run.scheduledFire != null && run.started > run.scheduledFire) {
			s.append(", ").append(late).append(" late");
		}
		if (run.error != null && !run.error.isBlank()) {
			String first = run.error.strip().lines().findFirst().orElse("");
			s.append(": ").append(first.length() > ERROR_CHARS ? first.substring(0, ERROR_CHARS) + "…" : first);
		}
		return s.toString();
	}
}
