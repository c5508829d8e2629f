package io.crontainer.webconsole.impl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

class FormatTest {
	static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

	@Test
	void instantsCarryTheZonesOffset() {
		long t = Instant.parse("2024-10-27T01:30:00.250Z").toEpochMilli();
		assertThat(Format.instant(t, BERLIN)).isEqualTo("2024-10-27T02:30:00+01:00");
		assertThat(Format.instant(t, ZoneOffset.UTC)).isEqualTo("2024-10-27T01:30:00Z");
		assertThat(Format.instant(null, BERLIN)).isEqualTo("-");
		assertThat(Format.zone("Nowhere/Else")).isEqualTo(ZoneOffset.UTC);
		assertThat(Format.zone(null)).isEqualTo(ZoneOffset.UTC);
	}

	@Test
	void durations() {
		assertThat(Format.duration(-5)).isEqualTo("0 ms");
		assertThat(Format.duration(157)).isEqualTo("157 ms");
		assertThat(Format.duration(8_740)).isEqualTo("8.7 s");
		assertThat(Format.duration(188_000)).isEqualTo("3 min 8 s");
		assertThat(Format.duration(7_500_000)).isEqualTo("2 h 5 min");
		assertThat(Format.duration(273_600_000)).isEqualTo("3 d 4 h");
	}

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
