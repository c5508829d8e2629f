package io.crontainer.webconsole.impl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

/** The page's own text: HTML escaping, URLs, reading date-times. Durations and instants: io.crontainer.format. */
class PageTextTest {
	static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

	@Test
	void htmlEscapesMarkupAndTheConsolesVariables() {
		assertThat(Html.escape("<a href=\"x\">'${user}' & co</a>"))
				.isEqualTo("&lt;a href=&quot;x&quot;&gt;&#39;&#36;{user}&#39; &amp; co&lt;/a&gt;");
		assertThat(Html.escape(null)).isEmpty();
		assertThat(Html.url("a b&c/ü")).isEqualTo("a+b%26c%2F%C3%BC");
		assertThat(CronJobsPage.detailUrl("/system/console/cronjobs", "x y")).isEqualTo("/system/console/cronjobs?name=x+y");
	}

	@Test
	void resetInstants() {
		assertThat(CronJobsPage.dateTime("2026-12-01T00:00Z", BERLIN)).isEqualTo(Instant.parse("2026-12-01T00:00:00Z"));
		assertThat(CronJobsPage.dateTime("2026-12-01T00:00+01:00", ZoneOffset.UTC))
				.isEqualTo(Instant.parse("2026-11-30T23:00:00Z"));
		assertThat(CronJobsPage.dateTime("2026-12-01T00:00", BERLIN)).isEqualTo(Instant.parse("2026-11-30T23:00:00Z"));
		assertThat(CronJobsPage.dateTime("2026-12-01", BERLIN)).isEqualTo(Instant.parse("2026-11-30T23:00:00Z"));
		assertThat(CronJobsPage.dateTime("2026-12-01T00:00+01:00[Europe/Berlin]", ZoneOffset.UTC))
				.isEqualTo(Instant.parse("2026-11-30T23:00:00Z"));
		assertThatThrownBy(() -> CronJobsPage.dateTime("yesterday", BERLIN)).isInstanceOf(IllegalArgumentException.class)
				.hasMessage("\"yesterday\" is not an ISO-8601 date-time such as 2026-12-01T00:00Z or 2026-12-01T00:00 (in"
						+ " Europe/Berlin).");
	}
}
