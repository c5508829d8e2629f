package io.crontainer.scheduler.impl.interval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every interval of the corpus of 305 real ones (shared data, copied into the test resources with
 * the expected outcome and its reason) is accepted or refused exactly as the table says: as cronie
 * (5 fields) or Quartz (6 or 7) would, plus our documented extensions and refusals.
 */
class CorpusTest {
	private static final Instant CREATED = Instant.parse("2026-11-29T12:00:00Z");

	static List<Arguments> corpus() throws IOException {
		List<Arguments> rows = new ArrayList<>();
		try (BufferedReader in = new BufferedReader(new InputStreamReader(
				CorpusTest.class.getResourceAsStream("cron-corpus.tsv"), StandardCharsets.UTF_8))) {
			for (String line = in.readLine(); line != null; line = in.readLine()) {
				if (line.isEmpty() || line.startsWith("#")) {
					continue;
				}
				String[] columns = line.split("\t");
				rows.add(Arguments.of(columns[0], columns[1], columns[3], columns[4]));
			}
		}
		assertThat(rows).hasSize(305);
		return rows;
	}

	@ParameterizedTest(name = "{0} ({1}): {2}, {3}")
	@MethodSource("corpus")
	void acceptedOrRefusedAsItsCronWould(String expression, String repository, String expected, String why)
			throws Exception {
		ZoneId zone = ZoneId.of("Europe/Berlin");
		if (expected.equals("accept")) {
			Interval interval = Intervals.parse(expression, zone, repository, CREATED);
			assertThat(interval.reboot() || interval.next(CREATED).isPresent()).isTrue();
			assertThat(interval.description()).isNotBlank();
		} else {
			assertThat(expected).isEqualTo("reject");
			assertThatThrownBy(() -> Intervals.parse(expression, zone, repository, CREATED))
					.isInstanceOf(InvalidIntervalException.class).hasMessageContaining("'" + expression + "'");
		}
	}
}
