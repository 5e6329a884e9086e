package io.cachekit.benchmarks.report;

import java.util.DoubleSummaryStatistics;
import java.util.List;
import java.util.function.DoubleFunction;

/**
 * The values of the rounds (ratios, scores, bytes): their median and range.
 *
 * @param values the values, one per round
 */
record Summary(List<Double> values) {
    int count() {
        return values.size();
    }

    double median() {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n == 0 ? Double.NaN : n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    double min() {
        return stats().getMin();
    }

    double max() {
        return stats().getMax();
    }

    private DoubleSummaryStatistics stats() {
        return values.stream().mapToDouble(Double::doubleValue).summaryStatistics();
    }

    /** {@code median [min, max]}, with the given formatting of each number. */
    String text(DoubleFunction<String> format) {
        if (values.isEmpty()) {
            return "–";
        }
        if (values.size() == 1) {
            return format.apply(median());
        }
        return format.apply(median()) + " [" + format.apply(min()) + ", " + format.apply(max()) + "]";
    }
}
