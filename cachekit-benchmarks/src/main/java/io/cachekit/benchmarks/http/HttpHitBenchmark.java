package io.cachekit.benchmarks.http;

import io.cachekit.benchmarks.report.Goal;
import io.cachekit.benchmarks.report.ReportRow;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.apache.catalina.LifecycleException;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A cached response (a HIT of {@code ResponseCacheFilter}) against a plain endpoint writing the same bytes, on
 * the same embedded Tomcat, through the same HTTP/1.1 client over loopback, with 1 KB and 50 KB bodies (see
 * {@link LoopbackServer}; one comparison per size). Four client threads; server and client share the machine,
 * as they share the fork.
 *
 * <p>Sample mode gives both targets of issue 15 from the same runs: the throughput (the inverse of the mean
 * time, at least 0.8 of the plain endpoint's) and the p99 (at most 1.2 times the plain endpoint's).
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Threads(HttpHitBenchmark.CLIENT_THREADS)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 1, time = 1)
@Measurement(iterations = 2, time = 1)
public class HttpHitBenchmark {
    /** The client threads of every row: the load under which the targets are stated. */
    static final int CLIENT_THREADS = 4;

    private static final String NOTE = "A cached HIT against a plain endpoint returning the same bytes (same"
            + " server, same client, loopback, " + CLIENT_THREADS + " client threads). The throughput ratio is the"
            + " inverse of the mean times; the p99 ratio is the HIT's p99 over the plain endpoint's.";

    /** The server of the 1 KB rows, one per fork. */
    @State(Scope.Benchmark)
    public static class Body1k {
        LoopbackServer server;

        /** Starts the server. */
        @Setup(Level.Trial)
        public void start() throws IOException, LifecycleException {
            server = LoopbackServer.start(1024);
        }

        /** Stops the server; fails the run if a cached call missed. */
        @TearDown(Level.Trial)
        public void stop() throws IOException, LifecycleException {
            server.stop();
        }
    }

    /** The server of the 50 KB rows, one per fork. */
    @State(Scope.Benchmark)
    public static class Body50k {
        LoopbackServer server;

        /** Starts the server. */
        @Setup(Level.Trial)
        public void start() throws IOException, LifecycleException {
            server = LoopbackServer.start(50 * 1024);
        }

        /** Stops the server; fails the run if a cached call missed. */
        @TearDown(Level.Trial)
        public void stop() throws IOException, LifecycleException {
            server.stop();
        }
    }

    /** A HIT of a 1 KB body. */
    @Benchmark
    @ReportRow(
            label = "Cachekit HIT: `ResponseCacheFilter` on the memory backend, 1 KB body",
            compareTo = "plain1k",
            goals = {
                @Goal(atLeast = 0.8, source = "issue 15"),
                @Goal(metric = Goal.Metric.P99, atMost = 1.2, source = "issue 15")
            },
            threads = CLIENT_THREADS,
            order = 10,
            note = NOTE)
    public int cachedHit1k(Body1k state) {
        return state.server.cached();
    }

    /** The plain endpoint, 1 KB body. */
    @Benchmark
    @ReportRow(label = "Plain servlet writing the same 1 KB (no cache)")
    public int plain1k(Body1k state) {
        return state.server.plain();
    }

    @Benchmark
    @ReportRow(
            label = "Plain servlet writing the same 1 KB (no cache), the same code again (control)",
            compareTo = "plain1k",
            control = true,
            threads = CLIENT_THREADS,
            order = 900)
    public int plain1kControl(Body1k state) {
        return plain1k(state);
    }

    /** A HIT of a 1 KB body, against the plain endpoint that sends the same cache headers. */
    @Benchmark
    @ReportRow(
            label = "Cachekit HIT, 1 KB body, against a plain servlet sending the same cache headers",
            compareTo = "plainCacheHeaders1k",
            threads = CLIENT_THREADS,
            order = 12,
            note = "The same HIT against the plain servlet sending, besides the same bytes, the six headers a HIT"
                    + " adds (`X-Cache`, `Cache-Status`, `ETag`, `Cache-Control`, `Age`, `Vary`, copied from a"
                    + " HIT): the cache's own cost, without what those headers cost Tomcat and the client. No"
                    + " target.")
    public int cachedHit1kBesideHeaders(Body1k state) {
        return state.server.cached();
    }

    /** The plain endpoint sending a HIT's cache headers, 1 KB body. */
    @Benchmark
    @ReportRow(label = "Plain servlet writing the same 1 KB and a HIT's cache headers (no cache)")
    public int plainCacheHeaders1k(Body1k state) {
        return state.server.plainWithCacheHeaders();
    }

    /** A HIT of a 50 KB body. */
    @Benchmark
    @ReportRow(
            label = "Cachekit HIT: `ResponseCacheFilter` on the memory backend, 50 KB body",
            compareTo = "plain50k",
            goals = {
                @Goal(atLeast = 0.8, source = "issue 15"),
                @Goal(metric = Goal.Metric.P99, atMost = 1.2, source = "issue 15")
            },
            threads = CLIENT_THREADS,
            order = 11,
            note = NOTE)
    public int cachedHit50k(Body50k state) {
        return state.server.cached();
    }

    /** The plain endpoint, 50 KB body. */
    @Benchmark
    @ReportRow(label = "Plain servlet writing the same 50 KB (no cache)")
    public int plain50k(Body50k state) {
        return state.server.plain();
    }
}
