package io.cachekit.benchmarks.http;

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
 * The latency distribution of the two rows of {@link HttpHitBenchmark}, under the same four-thread load: JMH's
 * sample mode reports percentiles, and the target is a HIT's p99 within 1.2 x the plain endpoint's
 * ({@code p0.99} of {@code cachedHit} over that of {@code plainEndpoint}, per body size).
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Threads(4)
@Fork(
        value = 2,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 4, time = 3)
@Measurement(iterations = 5, time = 3)
public class HttpHitLatencyBenchmark {

    @Benchmark
    public int cachedHit(LoopbackServer server) {
        return server.cached();
    }

    @Benchmark
    public int plainEndpoint(LoopbackServer server) {
        return server.plain();
    }
}
