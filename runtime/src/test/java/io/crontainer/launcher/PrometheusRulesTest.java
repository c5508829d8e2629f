package io.crontainer.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/**
 * The alerting rules the distribution ships, {@code etc/prometheus/crontainer-rules.yml}, checked by
 * {@code promtool check rules} and their firing by the unit tests beside them ({@code promtool test rules
 * crontainer-rules.test.yml}). Skipped without promtool, unless CRONTAINER_REQUIRE_PROMTOOL=1 ({@link Promtool}).
 */
class PrometheusRulesTest {

	private static final Path RULES = Path.of("src/dist/etc/prometheus").toAbsolutePath();

	@Test
	void theRulesAreValid() throws Exception {
		Promtool.Result check = Promtool.run(RULES, null, "check", "rules", "crontainer-rules.yml");
		System.out.print(check.output());
		assertThat(check.status()).as(check.output()).isZero();
		assertThat(check.output()).contains("SUCCESS: 9 rules found");
	}

	@Test
	void theAlertsFireAsTheirUnitTestsSay() throws Exception {
		Promtool.Result test = Promtool.run(RULES, null, "test", "rules", "crontainer-rules.test.yml");
		System.out.print(test.output());
		assertThat(test.status()).as(test.output()).isZero();
		assertThat(test.output()).contains("SUCCESS").doesNotContain("FAILED");
	}
}
