package io.crontainer.webconsole.impl;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import io.crontainer.api.runtime.CronRunDTO;
import io.crontainer.api.runtime.Outcome;
import io.crontainer.api.runtime.Trigger;

/** The timeline's SVG: each run's place, shape and title; nothing from a plugin unescaped; no script or style. */
class TimelineTest {
	static final long NOW = 1_800_000_000_000L;
	static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

	static CronRunDTO run(Outcome outcome, long started, Long finished, Long fire, String error) {
		CronRunDTO run = new CronRunDTO();
		run.name = "reports";
		run.trigger = fire == null ? Trigger.MANUAL : Trigger.SCHEDULE;
		run.outcome = outcome;
		run.started = started;
		run.finished = finished;
		run.scheduledFire = fire;
		run.error = error;
		return run;
	}

	@Test
	void eachRunIsPlacedInTimeAndShapedByItsOutcome() throws Exception {
		List<CronRunDTO> runs = new ArrayList<>(List.of( // newest first
				run(Outcome.RUNNING, NOW - 5_000, null, NOW - 6_000, null),
				run(Outcome.SKIPPED, NOW - 60_000, NOW - 60_000, NOW - 60_000, "still running"),
				run(Outcome.FAILED, NOW - 120_000, NOW - 119_000, NOW - 120_000, "java.io.IOException: disk full\n\tat x"),
				run(Outcome.SUCCEEDED, NOW - 179_650, NOW - 179_650 + 1_200, NOW - 180_000, null)));
		Document svg = parse(Timeline.svg("timeline", "reports", runs, NOW, BERLIN, Timeline.Size.LARGE));
		Element root = svg.getDocumentElement();
		assertThat(root.getAttribute("role")).isEqualTo("img");
		assertThat(root.getAttribute("aria-labelledby")).isEqualTo("timeline-title");
		assertThat(title(root)).isEqualTo(
				"Timeline of the last 4 runs of reports: 1 succeeded, 1 failed, 1 skipped, 1 in progress.");

		NodeList groups = svg.getElementsByTagName("g");
		assertThat(groups.getLength()).isEqualTo(4);
		int mid = Timeline.Size.LARGE.height / 2;
		// Drawn oldest first: the succeeded run, 350 ms late, above the line.
		Element ok = (Element) groups.item(0);
		assertThat(ok.getAttribute("data-outcome")).isEqualTo("SUCCEEDED");
		assertThat(title(ok)).isEqualTo("SUCCEEDED (SCHEDULE), started 2027-01-15T08:57:00+01:00, took 1.2 s, 350 ms late");
		Element bar = (Element) ok.getElementsByTagName("rect").item(0);
		assertThat(Double.parseDouble(bar.getAttribute("y")) + Double.parseDouble(bar.getAttribute("height")))
				.isLessThan(mid);
		assertThat(ok.getElementsByTagName("line").getLength()).as("its lateness").isEqualTo(1);
		Element failed = (Element) groups.item(1);
		assertThat(title(failed)).isEqualTo("FAILED (SCHEDULE), started 2027-01-15T08:58:00+01:00, took 1.0 s: java.io.IOException: disk full");
		assertThat(Double.parseDouble(((Element) failed.getElementsByTagName("rect").item(0)).getAttribute("y")))
				.isGreaterThan(mid);
		Element skipped = (Element) groups.item(2);
		assertThat(skipped.getElementsByTagName("circle").getLength()).isEqualTo(1);
		assertThat(title(skipped)).startsWith("SKIPPED (SCHEDULE), skipped at ").endsWith(": still running");
		Element running = (Element) groups.item(3);
		assertThat(((Element) running.getElementsByTagName("rect").item(0)).getAttribute("stroke-dasharray")).isNotEmpty();
		assertThat(title(running)).isEqualTo(
				"RUNNING (SCHEDULE), started 2027-01-15T08:59:55+01:00, running for 5.0 s, 1.0 s late");
		// Left to right in time.
		double x0 = Double.parseDouble(bar.getAttribute("x"));
		double x3 = Double.parseDouble(((Element) running.getElementsByTagName("rect").item(0)).getAttribute("x"));
		assertThat(x0).isLessThan(x3);
		assertThat(x3).isLessThan(Timeline.Size.LARGE.width);
		NodeList texts = svg.getElementsByTagName("text");
		assertThat(texts.item(1).getTextContent()).isEqualTo("now, 2027-01-15T09:00:00+01:00");
	}

	@Test
	void pluginTextIsEscapedAndNothingNeedsScriptOrInlineStyle() throws Exception {
		String name = "<script>alert(1)</script>\"'&";
		String error = "</title><script>alert(2)</script>";
		String markup = Timeline.svg("strip-0", name, List.of(run(Outcome.FAILED, NOW - 1_000, NOW, null, error)), NOW,
				ZoneOffset.UTC, Timeline.Size.STRIP);
		assertThat(markup).doesNotContain("<script").doesNotContain("style=").doesNotContain("href");
		Document svg = parse(markup);
		assertThat(title(svg.getDocumentElement())).contains(name);
		assertThat(title((Element) svg.getElementsByTagName("g").item(0))).endsWith(error);
		assertThat(svg.getElementsByTagName("text").getLength()).as("a strip has no axis labels").isZero();
	}

	@Test
	void noRunsIsAnEmptyPictureThatSaysSo() throws Exception {
		Document svg = parse(Timeline.svg("strip-1", "a", List.of(), NOW, ZoneOffset.UTC, Timeline.Size.STRIP));
		assertThat(title(svg.getDocumentElement())).isEqualTo("No runs of a yet.");
		assertThat(svg.getElementsByTagName("g").getLength()).isZero();
	}

	/** The text of an element's own {@code <title>} child. */
	static String title(Element e) {
		for (org.w3c.dom.Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
			if (n instanceof Element c && c.getTagName().equals("title")) {
				return c.getTextContent();
			}
		}
		return null;
	}

	static Document parse(String svg) throws Exception {
		// Html.escape writes &#39; and &#36;, which XML reads too.
		return DocumentBuilderFactory.newInstance().newDocumentBuilder()
				.parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
	}
}
