package io.crontainer.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.List;

import org.junit.jupiter.api.Test;

class StatsTest {

	@Test
	void percentilesAreNearestRank() {
		double[] values = new double[100];
		for (int i = 0; i < 100; i++) {
			values[i] = 100 - i; // 100 .. 1, unsorted
		}
		assertThat(Stats.percentile(values, 50)).isEqualTo(50);
		assertThat(Stats.percentile(values, 99)).isEqualTo(99);
		assertThat(Stats.percentile(values, 100)).isEqualTo(100);
		assertThat(Stats.percentile(new double[] {7, 3, 5}, 50)).isEqualTo(5);
		assertThat(Stats.percentile(new double[] {7, 3, 5}, 99)).isEqualTo(7);
		assertThat(values[0]).as("the sample is not sorted in place").isEqualTo(100);
	}

	@Test
	void medianOfEvenCountIsTheMeanOfTheMiddleTwo() {
		assertThat(Stats.median(List.of(4.0, 1.0, 3.0))).isEqualTo(3.0);
		assertThat(Stats.median(List.of(4.0, 1.0, 3.0, 2.0))).isEqualTo(2.5);
	}

	@Test
	void emptySamplesAndBadPercentilesAreRefused() {
		assertThatIllegalArgumentException().isThrownBy(() -> Stats.percentile(new double[0], 50));
		assertThatIllegalArgumentException().isThrownBy(() -> Stats.percentile(new double[] {1}, 0));
		assertThatIllegalArgumentException().isThrownBy(() -> Stats.percentile(new double[] {1}, 101));
		assertThatIllegalArgumentException().isThrownBy(() -> Stats.median(List.of()));
	}
}
