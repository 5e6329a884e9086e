package io.cachekit.benchmarks.memcached;

import static io.cachekit.benchmarks.ReadWriteKeys.KEY_COUNT;
import static io.cachekit.benchmarks.ReadWriteKeys.TTL;
import static io.cachekit.benchmarks.ReadWriteKeys.expect;
import static io.cachekit.benchmarks.ReadWriteKeys.recordKey;
import static io.cachekit.benchmarks.ReadWriteKeys.stringKey;

import io.cachekit.AsyncCache;
import io.cachekit.Cache;
import io.cachekit.Cachekit;
import io.cachekit.benchmarks.BlockingExecutors;
import io.cachekit.benchmarks.Payloads;
import io.cachekit.benchmarks.ReadWriteKeys;
import io.cachekit.benchmarks.UserRecord;
import io.cachekit.benchmarks.report.Goal;
import io.cachekit.benchmarks.report.ReportRow;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import net.rubyeye.xmemcached.MemcachedClient;
import net.rubyeye.xmemcached.XMemcachedClientBuilder;
import net.rubyeye.xmemcached.command.BinaryCommandFactory;
import net.rubyeye.xmemcached.impl.KetamaMemcachedSessionLocator;
import net.rubyeye.xmemcached.transcoders.CachedData;
import net.rubyeye.xmemcached.transcoders.CompressionMode;
import net.rubyeye.xmemcached.transcoders.Transcoder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Cachekit's Memcached backend against raw xmemcached doing the same get and set with the same bytes on the same
 * servers.
 *
 * <p>The servers are the two that {@code scripts/servers/memcached.sh start} runs ({@code 127.0.0.1:11311} and
 * {@code 127.0.0.1:11312}); the system property {@code cachekit.memcached.servers} points elsewhere. Both sides
 * use one xmemcached client configured alike (binary protocol, ketama over both servers, one connection per
 * server, a five-second operation timeout, built on the first server with the second added) and work in a key prefix of their own. The main value is the ~1 KB
 * JSON record, encoded and decoded by Jackson on every raw call (the same payload bytes as Cachekit's); a
 * 100-character string is the second. Cachekit adds its envelope (12 bytes), its generation header (10 bytes) and
 * the namespace generation that every read fetches in the same multi-get.
 *
 * <p>xmemcached has no future-based API, so Cachekit's async calls run its sync ones on its bounded executor, and
 * the raw async rows run raw calls on an executor built the same way ({@link BlockingExecutors}): both pay for the
 * same hop. Async rows start {@value #IN_FLIGHT} calls, then wait for them all; JMH counts each call. Setup checks
 * that every measured read is a hit, and teardown fails the run if one was not.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 1, time = 1)
@Measurement(iterations = 2, time = 1)
public class MemcachedBenchmark {
    static final int IN_FLIGHT = 16;
    static final int TTL_SECONDS = (int) TTL.toSeconds();
    static final long TIMEOUT_MILLIS = 5000;

    static final String SERVERS = System.getProperty("cachekit.memcached.servers", "127.0.0.1:11311,127.0.0.1:11312");

    // ---------------------------------------------------------------- Cachekit rows

    @Benchmark
    @ReportRow(
            label = "Cachekit `Cache.get` of the ~1 KB JSON record (Memcached)",
            compareTo = "xmemcachedGet",
            goals = {@Goal(atLeast = 0.95, source = "issue 17"), @Goal(atLeast = 0.9, source = "issue 10")},
            order = 10)
    public UserRecord cachekitGet(CachekitState state, ReadWriteKeys keys) {
        return state.cache.get(keys.nextRecordRead(), UserRecord.class);
    }

    @Benchmark
    @ReportRow(
            label = "Cachekit `Cache.set` of the ~1 KB JSON record (Memcached)",
            compareTo = "xmemcachedSet",
            goals = {@Goal(atLeast = 0.95, source = "issue 17"), @Goal(atLeast = 0.9, source = "issue 10")},
            order = 11)
    public void cachekitSet(CachekitState state, ReadWriteKeys keys) {
        state.cache.set(keys.nextRecordWrite(), Payloads.RECORD, TTL);
    }

    @Benchmark
    @OperationsPerInvocation(IN_FLIGHT)
    @ReportRow(
            label = "Cachekit `AsyncCache.get` of the record (Memcached, " + IN_FLIGHT + " in flight)",
            compareTo = "xmemcachedAsyncGet",
            goals = {@Goal(atLeast = 0.95, source = "issue 17"), @Goal(atLeast = 0.9, source = "issue 10")},
            threads = 1,
            order = 20)
    public void cachekitAsyncGet(CachekitState state, ReadWriteKeys keys, Blackhole blackhole) {
        CompletableFuture<?>[] calls = new CompletableFuture<?>[IN_FLIGHT];
        for (int i = 0; i < IN_FLIGHT; i++) {
            calls[i] = state.async.get(keys.nextRecordRead(), UserRecord.class);
        }
        for (CompletableFuture<?> call : calls) {
            blackhole.consume(call.join());
        }
    }

    @Benchmark
    @OperationsPerInvocation(IN_FLIGHT)
    @ReportRow(
            label = "Cachekit `AsyncCache.set` of the record (Memcached, " + IN_FLIGHT + " in flight)",
            compareTo = "xmemcachedAsyncSet",
            goals = {@Goal(atLeast = 0.95, source = "issue 17"), @Goal(atLeast = 0.9, source = "issue 10")},
            threads = 1,
            order = 21)
    public void cachekitAsyncSet(CachekitState state, ReadWriteKeys keys) {
        CompletableFuture<?>[] calls = new CompletableFuture<?>[IN_FLIGHT];
        for (int i = 0; i < IN_FLIGHT; i++) {
            calls[i] = state.async.set(keys.nextRecordWrite(), Payloads.RECORD, TTL);
        }
        CompletableFuture.allOf(calls).join();
    }

    @Benchmark
    @ReportRow(
            label = "Cachekit `Cache.get` of a 100-character string (Memcached)",
            compareTo = "xmemcachedGetString",
            goals = {@Goal(atLeast = 0.95, source = "issue 17"), @Goal(atLeast = 0.9, source = "issue 10")},
            threads = 1,
            order = 30)
    public String cachekitGetString(CachekitState state, ReadWriteKeys keys) {
        return state.cache.get(keys.nextStringRead(), String.class);
    }

    @Benchmark
    @ReportRow(
            label = "Cachekit `Cache.set` of a 100-character string (Memcached)",
            compareTo = "xmemcachedSetString",
            goals = {@Goal(atLeast = 0.95, source = "issue 17"), @Goal(atLeast = 0.9, source = "issue 10")},
            threads = 1,
            order = 31)
    public void cachekitSetString(CachekitState state, ReadWriteKeys keys) {
        state.cache.set(keys.nextStringWrite(), Payloads.STRING, TTL);
    }

    // ---------------------------------------------------------------- raw xmemcached rows

    @Benchmark
    @ReportRow(label = "Raw xmemcached `get` + Jackson")
    public UserRecord xmemcachedGet(XmemcachedState state, ReadWriteKeys keys) {
        return state.checkHit(Payloads.decode(state.get(keys.nextRecordRead())));
    }

    @Benchmark
    @ReportRow(
            label = "Raw xmemcached `get` + Jackson, the same code again (control)",
            compareTo = "xmemcachedGet",
            control = true,
            threads = 1,
            order = 900)
    public UserRecord xmemcachedGetControl(XmemcachedState state, ReadWriteKeys keys) {
        return xmemcachedGet(state, keys);
    }

    @Benchmark
    @ReportRow(label = "Raw xmemcached `set` + Jackson")
    public boolean xmemcachedSet(XmemcachedState state, ReadWriteKeys keys) {
        return state.set(keys.nextRecordWrite(), Payloads.encode(Payloads.RECORD));
    }

    @Benchmark
    @OperationsPerInvocation(IN_FLIGHT)
    @ReportRow(label = "Raw xmemcached `get` + Jackson on an executor (" + IN_FLIGHT + " in flight)")
    public void xmemcachedAsyncGet(XmemcachedState state, ReadWriteKeys keys, Blackhole blackhole) {
        List<CompletableFuture<UserRecord>> calls = new ArrayList<>(IN_FLIGHT);
        for (int i = 0; i < IN_FLIGHT; i++) {
            String key = keys.nextRecordRead();
            calls.add(CompletableFuture.supplyAsync(() -> Payloads.decode(state.get(key)), state.executor));
        }
        for (CompletableFuture<UserRecord> call : calls) {
            blackhole.consume(state.checkHit(call.join()));
        }
    }

    @Benchmark
    @OperationsPerInvocation(IN_FLIGHT)
    @ReportRow(label = "Raw xmemcached `set` + Jackson on an executor (" + IN_FLIGHT + " in flight)")
    public void xmemcachedAsyncSet(XmemcachedState state, ReadWriteKeys keys) {
        CompletableFuture<?>[] calls = new CompletableFuture<?>[IN_FLIGHT];
        for (int i = 0; i < IN_FLIGHT; i++) {
            String key = keys.nextRecordWrite();
            // Encoded on the caller, as Cachekit's async set does: it snapshots the value before it returns.
            byte[] value = Payloads.encode(Payloads.RECORD);
            calls[i] = CompletableFuture.supplyAsync(() -> state.set(key, value), state.executor);
        }
        CompletableFuture.allOf(calls).join();
    }

    @Benchmark
    @ReportRow(label = "Raw xmemcached `get` of the string")
    public String xmemcachedGetString(XmemcachedState state, ReadWriteKeys keys) {
        return state.checkHit(Payloads.decodeString(state.get(keys.nextStringRead())));
    }

    @Benchmark
    @ReportRow(label = "Raw xmemcached `set` of the string")
    public boolean xmemcachedSetString(XmemcachedState state, ReadWriteKeys keys) {
        return state.set(keys.nextStringWrite(), Payloads.STRING.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    // ---------------------------------------------------------------- subjects

    /** Cachekit on its Memcached backend, namespace {@code bench-cachekit}. */
    @State(Scope.Benchmark)
    public static class CachekitState {
        Cache cache;
        AsyncCache async;
        private long missesAfterSetup;

        @Setup(Level.Trial)
        public void setUp() {
            Payloads.checkSameBytes();
            cache = Cachekit.fromUri("memcached://" + SERVERS + "?namespace=bench-cachekit&timeout=5s");
            async = cache.async();
            missesAfterSetup = ReadWriteKeys.populate(cache);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            try {
                ReadWriteKeys.expectNoMissOrError(cache, missesAfterSetup);
            } finally {
                cache.close();
            }
        }
    }

    /**
     * Raw xmemcached, configured as the backend configures it (binary protocol, ketama, one connection per server),
     * storing the value's bytes under {@code bench-raw:<key>} with flags 0.
     */
    @State(Scope.Benchmark)
    public static class XmemcachedState {
        static final String PREFIX = "bench-raw:";

        private MemcachedClient client;
        ExecutorService executor;
        private final LongAdder missed = new LongAdder();

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            Payloads.checkSameBytes();
            List<InetSocketAddress> addresses = new ArrayList<>();
            for (String hostPort : SERVERS.split(",")) {
                String[] parts = hostPort.trim().split(":");
                addresses.add(new InetSocketAddress(parts[0], Integer.parseInt(parts[1])));
            }
            // As Cachekit builds its client: on the first server, the others added after, which keeps reads on
            // xmemcached's reactor threads (built on several servers, a get stalled about a second now and then).
            XMemcachedClientBuilder builder = new XMemcachedClientBuilder(addresses.subList(0, 1));
            builder.setCommandFactory(new BinaryCommandFactory());
            builder.setSessionLocator(new KetamaMemcachedSessionLocator());
            builder.setFailureMode(true);
            builder.setOpTimeout(TIMEOUT_MILLIS);
            client = builder.build();
            for (InetSocketAddress address : addresses.subList(1, addresses.size())) {
                client.addServer(address);
            }
            executor = BlockingExecutors.create("raw-xmemcached");
            for (int i = 0; i < KEY_COUNT; i++) {
                set(recordKey(i), Payloads.RECORD_BYTES);
                set(stringKey(i), Payloads.STRING_BYTES);
            }
            for (int i = 0; i < KEY_COUNT; i++) {
                expect(Payloads.RECORD, Payloads.decode(get(recordKey(i))), "the raw get of " + recordKey(i));
                expect(Payloads.STRING, Payloads.decodeString(get(stringKey(i))), "the raw get of " + stringKey(i));
            }
            missed.reset();
        }

        byte[] get(String key) {
            try {
                return client.get(PREFIX + key, TIMEOUT_MILLIS, RawBytes.INSTANCE);
            } catch (Exception e) {
                throw new IllegalStateException("raw get failed", e);
            }
        }

        boolean set(String key, byte[] value) {
            try {
                return client.set(PREFIX + key, TTL_SECONDS, value, RawBytes.INSTANCE, TIMEOUT_MILLIS);
            } catch (Exception e) {
                throw new IllegalStateException("raw set failed", e);
            }
        }

        <T> T checkHit(T value) {
            if (value == null) {
                missed.increment();
            }
            return value;
        }

        @TearDown(Level.Trial)
        public void tearDown() throws Exception {
            try {
                if (missed.sum() != 0) {
                    throw new IllegalStateException("A measured raw get missed");
                }
            } finally {
                executor.shutdownNow();
                client.shutdown();
            }
        }
    }

    /** Bytes as they are, flags 0: what the backend's own transcoder does. */
    static final class RawBytes implements Transcoder<byte[]> {
        static final RawBytes INSTANCE = new RawBytes();

        @Override
        public CachedData encode(byte[] value) {
            return new CachedData(0, value);
        }

        @Override
        public byte[] decode(CachedData data) {
            return data.getData();
        }

        @Override
        public void setPrimitiveAsString(boolean primitiveAsString) {}

        @Override
        public void setPackZeros(boolean packZeros) {}

        @Override
        public void setCompressionThreshold(int threshold) {}

        @Override
        public boolean isPrimitiveAsString() {
            return false;
        }

        @Override
        public boolean isPackZeros() {
            return false;
        }

        @Override
        public void setCompressionMode(CompressionMode compressionMode) {}
    }
}
