package io.crontainer.scheduler.impl.interval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.ZoneId;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.crontainer.scheduler.impl.interval.RunWindows.Window;

class RunWindowsTest {
	private static final ZoneId UTC = ZoneId.of("UTC");
	private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

	private static Instant at(String text) {
		return Instant.parse(text);
	}

	private static Interval parse(String expression, ZoneId zone) throws InvalidIntervalException {
		return Intervals.parse(expression, zone, "p", at("2026-01-01T00:00:00Z"));
	}

	private static List<String> text(List<Window> windows) {
		return windows.stream().map(w -> w.start() + "/" + w.end()).toList();
	}

	@Test
	void aRangeFromFireTimeToFireTimeGivesTheScheduledWindows() throws Exception {
		List<Window> windows = RunWindows.cut(parse("@hourly", UTC), at("2026-12-06T22:00:00Z"),
				at("2026-12-07T01:00:00Z"), RunWindows.MAX);
		assertThat(text(windows)).containsExactly("2026-12-06T22:00:00Z/2026-12-06T23:00:00Z",
				"2026-12-06T23:00:00Z/2026-12-07T00:00:00Z", "2026-12-07T00:00:00Z/2026-12-07T01:00:00Z");
	}

	@Test
	void aRangeBetweenFireTimesGivesShorterFirstAndLastWindows() throws Exception {
		List<Window> windows = RunWindows.cut(parse("0 * * * *", UTC), at("2026-12-06T22:30:00Z"),
				at("2026-12-07T00:15:00Z"), RunWindows.MAX);
		assertThat(text(windows)).containsExactly("2026-12-06T22:30:00Z/2026-12-06T23:00:00Z",
				"2026-12-06T23:00:00Z/2026-12-07T00:00:00Z", "2026-12-07T00:00:00Z/2026-12-07T00:15:00Z");
	}

	@Test
	void windowsTileTheRangeAndResumeTheSameFromAnyWindowStart() throws Exception {
		Interval interval = parse("*/7 9-17 * * MON-FRI", BERLIN);
		Instant from = at("2026-12-04T08:03:11.5Z");
		Instant to = at("2026-12-08T10:00:00Z");
		List<Window> windows = RunWindows.cut(interval, from, to, RunWindows.MAX);
		assertThat(windows.get(0).start()).isEqualTo(from);
		assertThat(windows.get(windows.size() - 1).end()).isEqualTo(to);
		for (int i = 1; i < windows.size(); i++) {
			assertThat(windows.get(i).start()).isEqualTo(windows.get(i - 1).end());
		}
		for (int i = 0; i < windows.size(); i += 17) {
			assertThat(RunWindows.cut(interval, windows.get(i).start(), to, RunWindows.MAX))
					.isEqualTo(windows.subList(i, windows.size()));
		}
	}

	@Test
	void theWindowsFollowThePluginsZoneAcrossDaylightSavingTime() throws Exception {
		// 02:30 daily in Berlin: on 2026-03-29 02:30 does not exist, and cronie runs it at 03:00 (01:00Z).
		List<Window> windows = RunWindows.cut(parse("30 2 * * *", BERLIN), at("2026-03-27T12:00:00Z"),
				at("2026-03-30T12:00:00Z"), RunWindows.MAX);
		assertThat(text(windows)).containsExactly("2026-03-27T12:00:00Z/2026-03-28T01:30:00Z",
				"2026-03-28T01:30:00Z/2026-03-29T01:00:00Z", "2026-03-29T01:00:00Z/2026-03-30T00:30:00Z",
				"2026-03-30T00:30:00Z/2026-03-30T12:00:00Z");
	}

	@Test
	void onceAndRebootAndARareIntervalGiveOneWindow() throws Exception {
		Instant from = at("2026-12-06T22:00:00Z");
		Instant to = at("2026-12-07T01:00:00Z");
		List<String> one = List.of(from + "/" + to);
		assertThat(text(RunWindows.cut(null, from, to, 1))).isEqualTo(one);
		assertThat(text(RunWindows.cut(parse("@reboot", UTC), from, to, 1))).isEqualTo(one);
		assertThat(text(RunWindows.cut(parse("@yearly", UTC), from, to, 1))).isEqualTo(one);
	}

	@Test
	void anEveryIntervalCutsAtItsEpochAnchoredPhase() throws Exception {
		List<Window> windows = RunWindows.cut(parse("@every 90s", UTC), at("2026-12-07T00:00:00Z"),
				at("2026-12-07T00:03:00Z"), RunWindows.MAX);
		assertThat(text(windows)).containsExactly("2026-12-07T00:00:00Z/2026-12-07T00:01:30Z",
				"2026-12-07T00:01:30Z/2026-12-07T00:03:00Z");
	}

	@Test
	void tooManyWindowsAreRefusedWithoutComputingThemAll() throws Exception {
		Interval everySecond = parse("@every 1s", UTC);
		Instant from = at("2000-01-01T00:00:00Z");
		Instant to = at("2026-01-01T00:00:00Z");
		assertThatThrownBy(() -> RunWindows.cut(everySecond, from, to, RunWindows.MAX))
				.isInstanceOf(IllegalArgumentException.class)
				.hasMessage("the range [2000-01-01T00:00:00Z, 2026-01-01T00:00:00Z) makes more than 10000 windows at the "
						+ "fire times of '@every 1s' (UTC); re-run a shorter range, or split it once");
		assertThat(RunWindows.cut(everySecond, from, from.plusSeconds(3), 3)).hasSize(3);
		assertThatThrownBy(() -> RunWindows.cut(everySecond, from, from.plusSeconds(4), 3))
				.isInstanceOf(IllegalArgumentException.class);
	}

	@Test
	void anEmptyRangeIsRefused() {
		Instant t = at("2026-12-07T00:00:00Z");
		assertThatThrownBy(() -> RunWindows.cut(null, t, t, 1)).isInstanceOf(IllegalArgumentException.class)
				.hasMessageContaining("is not before");
		assertThatThrownBy(() -> RunWindows.cut(null, t.plusSeconds(1), t, 1))
				.isInstanceOf(IllegalArgumentException.class);
	}
}
