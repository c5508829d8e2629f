package io.crontainer.benchmarks;

import java.util.Arrays;
import java.util.List;

/** Order statistics for the benchmark. Stateless. */
public final class Stats {

	private Stats() {
	}

	/**
	 * Nearest-rank percentile: the smallest value such that at least {@code p} percent of the values
	 * are less than or equal to it.
	 *
	 * @param values The sample. Must not be empty; not modified.
	 * @param p The percentile, from 0 (exclusive) to 100 (inclusive); 100 gives the maximum.
	 * @return The percentile.
	 * @throws IllegalArgumentException If the sample is empty or {@code p} is out of range.
	 */
	public static double percentile(double[] values, double p) {
		if (values.length == 0) {
			throw new IllegalArgumentException("Empty sample");
		}
		if (!(p > 0 && p <= 100)) {
			throw new IllegalArgumentException("Percentile out of (0, 100]: " + p);
		}
		double[] sorted = values.clone();
		Arrays.sort(sorted);
		int rank = (int) Math.ceil(p / 100 * sorted.length);
		return sorted[Math.max(rank, 1) - 1];
	}

	/**
	 * @param values The sample. Must not be empty.
	 * @return The median (the mean of the two middle values for an even count).
	 */
	public static double median(List<Double> values) {
		if (values.isEmpty()) {
			throw new IllegalArgumentException("Empty sample");
		}
		double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
		int mid = sorted.length / 2;
		return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
	}
}
