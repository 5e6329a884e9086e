package io.cachekit.tck;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Locale;

/**
 * Figures a failure-contract test measured during a fault, appended as one tab-separated line to {@code
 * target/reliability/<suite>.tsv} of the module under test; {@code scripts/reliability.sh} renders every
 * module's lines into {@code docs/reliability.md}. Latencies are of the calls the application made (a
 * fail-open {@code @Cached} call, or a direct call), in milliseconds.
 *
 * @param suite the backend test class, such as {@code RedisBackendFailureTest}
 * @param scenario what happened to the store
 * @param timeoutMillis the operation timeout the caches ran with
 * @param calls calls made during the fault
 * @param failedCalls calls that threw to the application
 * @param latenciesNanos each call's latency
 * @param recoveryMillis from the store answering again to the cache using it, or -1 when not measured
 */
record FailureReport(
        String suite,
        String scenario,
        long timeoutMillis,
        int calls,
        int failedCalls,
        long[] latenciesNanos,
        long recoveryMillis) {

    /** Appends this report's line; the columns are named in {@code scripts/reliability.sh}. */
    void write() {
        long[] sorted = latenciesNanos.clone();
        Arrays.sort(sorted);
        String line = String.join(
                        "\t",
                        suite,
                        scenario,
                        Long.toString(timeoutMillis),
                        Integer.toString(calls),
                        Integer.toString(failedCalls),
                        millis(percentile(sorted, 50)),
                        millis(percentile(sorted, 99)),
                        millis(sorted.length == 0 ? 0 : sorted[sorted.length - 1]),
                        recoveryMillis < 0 ? "-" : Long.toString(recoveryMillis))
                + "\n";
        Path file = Path.of("target", "reliability", suite + ".tsv");
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file.toAbsolutePath(), e);
        }
    }

    /** The {@code p}-th percentile (nearest rank) of sorted values; 0 for none. */
    static long percentile(long[] sorted, int p) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    private static String millis(long nanos) {
        return String.format(Locale.ROOT, "%.2f", nanos / 1e6);
    }
}
