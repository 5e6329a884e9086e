package io.cachekit.benchmarks.http;

import io.cachekit.benchmarks.report.Goal;
import io.cachekit.benchmarks.report.ReportRow;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Throughput of a cached response (a HIT of {@code ResponseCacheFilter}) against a plain endpoint writing the
 * same bytes, on the same embedded Tomcat, through the same HTTP/1.1 client over loopback, with 1 KB and 50 KB
 * bodies (see {@link LoopbackServer}). Four client threads; server and client share the machine, as they share
 * the fork.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(4)
@Fork(
        value = 2,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 4, time = 3)
@Measurement(iterations = 5, time = 3)
public class HttpHitBenchmark {

    @Benchmark
    @ReportRow(
            label = "Cachekit HIT: `ResponseCacheFilter` on the memory backend",
            compareTo = "plainEndpoint",
            goals = @Goal(atLeast = 0.8, source = "issue 15"),
            note = "A cached HIT against a plain endpoint returning the same bytes (same server, same client,"
                    + " loopback).")
    public int cachedHit(LoopbackServer server) {
        return server.cached();
    }

    @Benchmark
    @ReportRow(label = "Plain servlet writing the same bytes (no cache)")
    public int plainEndpoint(LoopbackServer server) {
        return server.plain();
    }
}
