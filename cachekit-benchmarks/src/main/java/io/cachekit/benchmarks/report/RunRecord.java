package io.cachekit.benchmarks.report;

import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One JMH run of one row: a single benchmark method in its own fork(s), at one thread count, in one round of
 * its comparison.
 *
 * @param block the id of the comparison ({@link io.cachekit.benchmarks.run.GroupPlan.Block#id()})
 * @param method the benchmark method
 * @param threads the JMH thread count
 * @param round the round, from 1
 * @param position where in the round the row ran, from 0
 * @param mode JMH's short mode name: {@code thrpt}, {@code avgt} or {@code sample}
 * @param score JMH's primary score
 * @param error the half-width of JMH's 99.9% confidence interval, NaN with too few iterations
 * @param unit the score's unit, such as {@code ops/us} or {@code us/op}
 * @param p50 the median time per operation in {@code unit} ({@code sample} mode), else NaN
 * @param p99 the 99th percentile time per operation in {@code unit} ({@code sample} mode), else NaN
 * @param load the 1-minute load average when the run started, NaN where unknown
 * @param secondary JMH's secondary scores (such as counters), by name
 */
public record RunRecord(
        String block,
        String method,
        int threads,
        int round,
        int position,
        String mode,
        double score,
        double error,
        String unit,
        double p50,
        double p99,
        double load,
        Map<String, Double> secondary) {

    /** Throughput in operations per second of all threads together, whatever the mode and unit. */
    public double opsPerSecond() {
        int slash = unit.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("Unexpected JMH unit " + unit + " of " + method);
        }
        if (unit.endsWith("/op")) {
            // Time per operation of one thread: each thread completes 1/score operations per unit of time.
            return threads / (score * secondsPer(unit.substring(0, slash)));
        }
        return score / secondsPer(unit.substring(slash + 1));
    }

    /** Whether smaller scores are better (a time per operation). */
    public boolean timePerOperation() {
        return unit.endsWith("/op");
    }

    static double secondsPer(String timeUnit) {
        return switch (timeUnit) {
            case "ns" -> 1e-9;
            case "us" -> 1e-6;
            case "ms" -> 1e-3;
            case "s" -> 1;
            case "min" -> 60;
            default -> throw new IllegalArgumentException("Unexpected JMH time unit " + timeUnit);
        };
    }

    void write(ObjectNode node) {
        node.put("block", block);
        node.put("method", method);
        node.put("threads", threads);
        node.put("round", round);
        node.put("position", position);
        node.put("mode", mode);
        putNumber(node, "score", score);
        putNumber(node, "error", error);
        node.put("unit", unit);
        putNumber(node, "p50", p50);
        putNumber(node, "p99", p99);
        putNumber(node, "load", load);
        ObjectNode s = node.putObject("secondary");
        secondary.forEach((k, v) -> putNumber(s, k, v));
    }

    static RunRecord read(JsonNode node) {
        Map<String, Double> secondary = new TreeMap<>();
        JsonNode s = node.path("secondary");
        for (String name : s.propertyNames()) {
            secondary.put(name, number(s.get(name)));
        }
        return new RunRecord(
                node.path("block").asString(),
                node.path("method").asString(),
                node.path("threads").asInt(),
                node.path("round").asInt(),
                node.path("position").asInt(),
                node.path("mode").asString(),
                number(node.path("score")),
                number(node.path("error")),
                node.path("unit").asString(),
                number(node.path("p50")),
                number(node.path("p99")),
                number(node.path("load")),
                secondary);
    }

    /** NaN and infinities are written as strings: JSON has no numbers for them. */
    static void putNumber(ObjectNode node, String name, double value) {
        if (Double.isFinite(value)) {
            node.put(name, value);
        } else {
            node.put(name, Double.toString(value));
        }
    }

    static double number(JsonNode node) {
        if (node == null || node.isMissingNode() || node.isNull()) {
            return Double.NaN;
        }
        if (node.isNumber()) {
            return node.asDouble();
        }
        try {
            return Double.parseDouble(node.asString());
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }
}
