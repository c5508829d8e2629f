package ${package};

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import io.crontainer.api.CronPlugin;

/**
 * Tests the plugin as a plain object: create it with {@code new} and call it with fixed instants.
 */
class ${className}Test {

	@Test
	void runsEveryFiveMinutes() {
		assertEquals("*/5 * * * *", new ${className}().interval());
	}

	@Test
	void describesItsWindow() {
		Instant start = Instant.parse("2026-01-01T10:00:00Z");
		Instant end = Instant.parse("2026-01-01T10:05:00Z");

		assertEquals("[2026-01-01T10:00:00Z, 2026-01-01T10:05:00Z), PT5M", ${className}.describe(start, end));
		assertEquals("[1970-01-01T00:00:00Z, 2026-01-01T10:05:00Z), the first run", ${className}.describe(CronPlugin.EPOCH, end));
	}
}
