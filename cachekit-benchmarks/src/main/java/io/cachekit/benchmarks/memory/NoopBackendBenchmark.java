package io.cachekit.benchmarks.memory;

import io.cachekit.Cache;
import io.cachekit.Cachekit;
import io.cachekit.CachekitConfig;
import io.cachekit.benchmarks.NoopBackend;
import io.cachekit.benchmarks.Payloads;
import io.cachekit.benchmarks.ReadWriteKeys;
import io.cachekit.benchmarks.UserRecord;
import io.cachekit.benchmarks.report.ReportRow;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * What Cachekit itself costs per call, in nanoseconds: the direct API on a backend that does nothing ({@link
 * NoopBackend}: every get returns the stored bytes of the value, every set only keeps a reference), configured
 * as a remote backend is (the default config: JSON codec, circuit breaker, counters). Beside it, the JSON codec
 * alone (Jackson reading or writing the same ~1 KB record with a reader or writer made once), which a raw client
 * pays too: the difference is the toolkit's own cost.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 1, time = 1)
@Measurement(iterations = 2, time = 1)
public class NoopBackendBenchmark {
    static final Duration TTL = Duration.ofMinutes(10);

    @Benchmark
    @ReportRow(
            label = "Cachekit `Cache.get` of the ~1 KB JSON record on a no-op backend",
            compareTo = "jacksonReadRecord",
            threads = 1,
            order = 50)
    public UserRecord cachekitGetRecord(RecordState state, ReadWriteKeys keys) {
        return state.cache.get(keys.nextRecordRead(), UserRecord.class);
    }

    @Benchmark
    @ReportRow(
            label = "Cachekit `Cache.set` of the ~1 KB JSON record on a no-op backend",
            compareTo = "jacksonWriteRecord",
            threads = 1,
            order = 51)
    public void cachekitSetRecord(RecordState state, ReadWriteKeys keys) {
        state.cache.set(keys.nextRecordWrite(), Payloads.RECORD, TTL);
    }

    @Benchmark
    @ReportRow(label = "Cachekit `Cache.get` of a 100-character string on a no-op backend", threads = 1, order = 52)
    public String cachekitGetString(StringState state, ReadWriteKeys keys) {
        return state.cache.get(keys.nextStringRead(), String.class);
    }

    @Benchmark
    @ReportRow(label = "Cachekit `Cache.set` of a 100-character string on a no-op backend", threads = 1, order = 53)
    public void cachekitSetString(StringState state, ReadWriteKeys keys) {
        state.cache.set(keys.nextStringWrite(), Payloads.STRING, TTL);
    }

    @Benchmark
    @ReportRow(label = "Jackson alone: read the record from its JSON (`ObjectReader`)")
    public UserRecord jacksonReadRecord(JacksonState state) {
        return Payloads.decode(Payloads.RECORD_BYTES);
    }

    @Benchmark
    @ReportRow(label = "Jackson alone: write the record as JSON (`ObjectWriter`)")
    public byte[] jacksonWriteRecord(JacksonState state) {
        return Payloads.encode(Payloads.RECORD);
    }

    /** Loads the codec before the measurement: the first call would otherwise time the mapper's creation. */
    @State(Scope.Benchmark)
    public static class JacksonState {
        @Setup(Level.Trial)
        public void setUp() {
            Payloads.checkSameBytes();
        }
    }

    /** Cachekit on a no-op backend whose gets return the record's stored bytes. */
    @State(Scope.Benchmark)
    public static class RecordState {
        Cache cache;

        @Setup(Level.Trial)
        public void setUp() {
            cache = noopCache(Payloads.RECORD);
            ReadWriteKeys.expect(Payloads.RECORD, cache.get("any", UserRecord.class), "Cache.get on the no-op backend");
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            check(cache);
        }
    }

    /** Cachekit on a no-op backend whose gets return the string's stored bytes. */
    @State(Scope.Benchmark)
    public static class StringState {
        Cache cache;

        @Setup(Level.Trial)
        public void setUp() {
            cache = noopCache(Payloads.STRING);
            ReadWriteKeys.expect(Payloads.STRING, cache.get("any", String.class), "Cache.get on the no-op backend");
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            check(cache);
        }
    }

    /** A cache on a no-op backend that returns the bytes Cachekit stores for {@code value}. */
    static Cache noopCache(Object value) {
        Payloads.checkSameBytes();
        // Capture the stored form of the value (an envelope that expires in a day: beyond any run) ...
        NoopBackend capture = new NoopBackend(new byte[0]);
        try (Cache writer = Cachekit.create(CachekitConfig.builder().build(), capture)) {
            writer.set("k", value, Duration.ofDays(1));
        }
        // ... and serve it to every get.
        return Cachekit.create(
                CachekitConfig.builder().namespace("bench").build(), new NoopBackend(capture.lastWritten()));
    }

    static void check(Cache cache) {
        try {
            if (cache.stats().misses() != 0 || cache.stats().errors() != 0) {
                throw new IllegalStateException(
                        "A measured call on the no-op backend missed or failed: " + cache.stats());
            }
        } finally {
            cache.close();
        }
    }
}
