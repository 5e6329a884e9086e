package io.cachekit.benchmarks.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;

/**
 * One entry of JMH's JSON results: a benchmark method with one set of parameters, its primary score and the
 * settings it ran with.
 *
 * @param benchmark the fully qualified method, {@code package.Class.method}
 * @param params the JMH parameters, sorted by name; empty when the benchmark has none
 * @param mode JMH's short mode name: {@code thrpt}, {@code avgt}, {@code sample} or {@code ss}
 * @param score the primary score
 * @param error the half-width of JMH's 99.9% confidence interval; NaN when there were too few iterations
 * @param unit the score's unit, such as {@code ops/us} or {@code ns/op}
 * @param settings forks, iterations, threads and JVM arguments, in words
 * @param jdk the JDK and VM that ran the benchmark
 */
public record JmhResult(
        String benchmark,
        Map<String, String> params,
        String mode,
        double score,
        double error,
        String unit,
        String settings,
        String jdk) {

    /** Reads one element of the array JMH writes with {@code -rf json}. */
    public static JmhResult of(JsonNode node) {
        Map<String, String> params = new TreeMap<>();
        JsonNode paramsNode = node.path("params");
        for (String name : paramsNode.propertyNames()) {
            params.put(name, paramsNode.get(name).asString());
        }
        JsonNode metric = node.path("primaryMetric");
        List<String> jvmArgs = new ArrayList<>();
        for (JsonNode arg : node.path("jvmArgs").values()) {
            jvmArgs.add(arg.asString());
        }
        String settings = String.format(
                "%d fork(s) x %d x %s measurement after %d x %s warm-up, %d thread(s)%s",
                node.path("forks").asInt(),
                node.path("measurementIterations").asInt(),
                node.path("measurementTime").asString(),
                node.path("warmupIterations").asInt(),
                node.path("warmupTime").asString(),
                node.path("threads").asInt(),
                jvmArgs.isEmpty() ? "" : ", JVM options " + String.join(" ", jvmArgs));
        String jdk = node.path("jdkVersion").asString() + " ("
                + node.path("vmName").asString() + " " + node.path("vmVersion").asString() + ")";
        return new JmhResult(
                node.path("benchmark").asString(),
                params,
                node.path("mode").asString(),
                number(metric.path("score")),
                number(metric.path("scoreError")),
                metric.path("scoreUnit").asString(),
                settings,
                jdk);
    }

    /** JMH writes NaN and infinities as strings. */
    private static double number(JsonNode node) {
        if (node.isNumber()) {
            return node.asDouble();
        }
        try {
            return Double.parseDouble(node.asString());
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /** The class part of {@link #benchmark()}. */
    public String className() {
        return benchmark.substring(0, benchmark.lastIndexOf('.'));
    }

    /** The method part of {@link #benchmark()}. */
    public String method() {
        return benchmark.substring(benchmark.lastIndexOf('.') + 1);
    }

    /** The same benchmark class, another method, the same parameters: how a baseline is found. */
    public boolean isSibling(JmhResult other, String otherMethod) {
        return other.className().equals(className())
                && other.method().equals(otherMethod)
                && other.params.equals(params);
    }

    /** The parameters as {@code name=value, ...}, or empty. */
    public String paramsText() {
        List<String> parts = new ArrayList<>();
        params.forEach((k, v) -> parts.add(k + "=" + v));
        return String.join(", ", parts);
    }

    /** Throughput in operations per second, whatever the mode and unit: what ratios divide. */
    public double opsPerSecond() {
        return toOpsPerSecond(score);
    }

    /**
     * The confidence interval of {@link #opsPerSecond()}, low then high; both equal to it when JMH gave no
     * error.
     */
    public double[] opsPerSecondInterval() {
        if (Double.isNaN(error)) {
            return new double[] {opsPerSecond(), opsPerSecond()};
        }
        double a = toOpsPerSecond(score - error);
        double b = toOpsPerSecond(score + error);
        if (score - error <= 0) {
            // A time score whose interval reaches zero has no upper bound on throughput; a throughput one, no
            // lower bound above zero.
            return isTimePerOperation() ? new double[] {b, Double.POSITIVE_INFINITY} : new double[] {0, b};
        }
        return new double[] {Math.min(a, b), Math.max(a, b)};
    }

    private boolean isTimePerOperation() {
        return unit.endsWith("/op");
    }

    private double toOpsPerSecond(double value) {
        int slash = unit.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("Unexpected JMH unit " + unit + " of " + benchmark);
        }
        if (isTimePerOperation()) {
            return 1.0 / (value * secondsPer(unit.substring(0, slash)));
        }
        return value / secondsPer(unit.substring(slash + 1));
    }

    private double secondsPer(String timeUnit) {
        return switch (timeUnit) {
            case "ns" -> 1e-9;
            case "us" -> 1e-6;
            case "ms" -> 1e-3;
            case "s" -> 1;
            case "min" -> 60;
            case "hr" -> 3600;
            case "day" -> 86400;
            default -> throw new IllegalArgumentException("Unexpected JMH unit " + unit + " of " + benchmark);
        };
    }
}
