package io.cachekit.benchmarks.memcached;

import static io.cachekit.benchmarks.ReadWriteKeys.KEY_COUNT;
import static io.cachekit.benchmarks.ReadWriteKeys.expect;
import static io.cachekit.benchmarks.ReadWriteKeys.readKey;

import io.cachekit.AsyncCache;
import io.cachekit.Cache;
import io.cachekit.Cachekit;
import io.cachekit.benchmarks.ReadWriteKeys;
import io.cachekit.benchmarks.report.ReportRow;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import net.rubyeye.xmemcached.MemcachedClient;
import net.rubyeye.xmemcached.XMemcachedClientBuilder;
import net.rubyeye.xmemcached.command.BinaryCommandFactory;
import net.rubyeye.xmemcached.impl.KetamaMemcachedSessionLocator;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Cachekit's Memcached backend against raw xmemcached doing the same get and set of the same bytes on the same
 * servers.
 *
 * <p>The servers are the two that {@code scripts/servers/memcached.sh start} runs ({@code 127.0.0.1:11311} and
 * {@code 127.0.0.1:11312}); the system property {@code cachekit.memcached.servers} points elsewhere. Both subjects
 * use one xmemcached client configured alike (binary protocol, ketama over both servers, one connection per
 * server), work in a namespace (key prefix) of their own and use the same keys ({@code user:<n>}, 1,024 of them)
 * and values (100-character strings, stored as their UTF-8 bytes: no JSON and no Java serialization on either
 * side). Reads walk pre-written keys; writes cycle over another 1,024 keys with a ten-minute TTL. Cachekit adds
 * its envelope (12 bytes), its generation header (10 bytes) and the generation that every read fetches in the
 * same multi-get.
 *
 * <p>Sync rows make one call per invocation from each of the four threads. Async rows start {@value #BATCH} calls,
 * then wait for them all. xmemcached has no future-based API, so Cachekit's async calls run its sync ones on a
 * bounded executor, and the raw async rows do the same with raw xmemcached calls on an executor of the same size,
 * so that both pay for the same hop. Setup checks that every measured read is a hit, and teardown fails the run
 * if one was not.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Threads(4)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
public class MemcachedBenchmark {
    static final int BATCH = 16;
    static final Duration TTL = Duration.ofMinutes(10);
    static final int TTL_SECONDS = (int) TTL.toSeconds();
    static final String VALUE = "v".repeat(100);
    static final byte[] VALUE_BYTES = VALUE.getBytes(StandardCharsets.UTF_8);

    static final String SERVERS = System.getProperty("cachekit.memcached.servers", "127.0.0.1:11311,127.0.0.1:11312");

    /** Threads of the executors that run async calls: Cachekit's default bounded executor has as many. */
    static final int ASYNC_THREADS = Math.max(4, Runtime.getRuntime().availableProcessors() * 4);

    // ---------------------------------------------------------------- Cachekit rows

    @Benchmark
    @ReportRow(
            label = "Cachekit `Cache.get` (Memcached backend)",
            baseline = "xmemcachedSyncGet",
            atLeast = 0.9,
            target = "Cachekit get on Memcached >= 0.9 x raw xmemcached get")
    public String cachekitGet(CachekitState state, ReadWriteKeys keys) {
        return state.cache.get(keys.nextRead(), String.class);
    }

    @Benchmark
    @ReportRow(
            label = "Cachekit `Cache.set` (Memcached backend)",
            baseline = "xmemcachedSyncSet",
            atLeast = 0.9,
            target = "Cachekit set on Memcached >= 0.9 x raw xmemcached set")
    public void cachekitSet(CachekitState state, ReadWriteKeys keys) {
        state.cache.set(keys.nextWrite(), VALUE, TTL);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    @ReportRow(
            label = "Cachekit `AsyncCache.get` (Memcached backend, " + BATCH + " in flight per thread)",
            baseline = "xmemcachedAsyncGet",
            atLeast = 0.9,
            target = "Cachekit async get on Memcached >= 0.9 x raw xmemcached get on an executor")
    public void cachekitAsyncGet(CachekitState state, ReadWriteKeys keys, Blackhole blackhole) {
        CompletableFuture<?>[] calls = new CompletableFuture<?>[BATCH];
        for (int i = 0; i < BATCH; i++) {
            calls[i] = state.async.get(keys.nextRead(), String.class);
        }
        for (CompletableFuture<?> call : calls) {
            blackhole.consume(call.join());
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    @ReportRow(
            label = "Cachekit `AsyncCache.set` (Memcached backend, " + BATCH + " in flight per thread)",
            baseline = "xmemcachedAsyncSet",
            atLeast = 0.9,
            target = "Cachekit async set on Memcached >= 0.9 x raw xmemcached set on an executor")
    public void cachekitAsyncSet(CachekitState state, ReadWriteKeys keys) {
        CompletableFuture<?>[] calls = new CompletableFuture<?>[BATCH];
        for (int i = 0; i < BATCH; i++) {
            calls[i] = state.async.set(keys.nextWrite(), VALUE, TTL);
        }
        CompletableFuture.allOf(calls).join();
    }

    // ---------------------------------------------------------------- raw xmemcached rows

    @Benchmark
    @ReportRow(label = "Raw xmemcached get")
    public String xmemcachedSyncGet(XmemcachedState state, ReadWriteKeys keys) {
        return state.get(keys.nextRead());
    }

    @Benchmark
    @ReportRow(label = "Raw xmemcached set")
    public boolean xmemcachedSyncSet(XmemcachedState state, ReadWriteKeys keys) {
        return state.set(keys.nextWrite());
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    @ReportRow(label = "Raw xmemcached get on an executor (" + BATCH + " in flight per thread)")
    public void xmemcachedAsyncGet(XmemcachedState state, ReadWriteKeys keys, Blackhole blackhole) {
        CompletableFuture<?>[] calls = new CompletableFuture<?>[BATCH];
        for (int i = 0; i < BATCH; i++) {
            String key = keys.nextRead();
            calls[i] = CompletableFuture.supplyAsync(() -> state.get(key), state.executor);
        }
        for (CompletableFuture<?> call : calls) {
            blackhole.consume(call.join());
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    @ReportRow(label = "Raw xmemcached set on an executor (" + BATCH + " in flight per thread)")
    public void xmemcachedAsyncSet(XmemcachedState state, ReadWriteKeys keys) {
        CompletableFuture<?>[] calls = new CompletableFuture<?>[BATCH];
        for (int i = 0; i < BATCH; i++) {
            String key = keys.nextWrite();
            calls[i] = CompletableFuture.supplyAsync(() -> state.set(key), state.executor);
        }
        CompletableFuture.allOf(calls).join();
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
            cache = Cachekit.fromUri("memcached://" + SERVERS + "?namespace=bench-cachekit&timeout=5s");
            async = cache.async();
            missesAfterSetup = ReadWriteKeys.populate(cache, VALUE, TTL);
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
     * Raw xmemcached, configured as the backend configures it (binary protocol, ketama, one connection per
     * server), storing the value's bytes under {@code bench-raw:<key>} with flags 0.
     */
    @State(Scope.Benchmark)
    public static class XmemcachedState {
        static final String PREFIX = "bench-raw:";

        private MemcachedClient client;
        ExecutorService executor;
        private final LongAdder missed = new LongAdder();

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            List<InetSocketAddress> addresses = new ArrayList<>();
            for (String hostPort : SERVERS.split(",")) {
                String[] parts = hostPort.trim().split(":");
                addresses.add(new InetSocketAddress(parts[0], Integer.parseInt(parts[1])));
            }
            XMemcachedClientBuilder builder = new XMemcachedClientBuilder(addresses);
            builder.setCommandFactory(new BinaryCommandFactory());
            builder.setSessionLocator(new KetamaMemcachedSessionLocator());
            builder.setFailureMode(true);
            builder.setOpTimeout(5000);
            client = builder.build();
            executor = Executors.newFixedThreadPool(ASYNC_THREADS);
            for (int i = 0; i < KEY_COUNT; i++) {
                client.set(PREFIX + readKey(i), TTL_SECONDS, VALUE_BYTES, RawBytes.INSTANCE, 5000);
            }
            for (int i = 0; i < KEY_COUNT; i++) {
                expect(VALUE, get(readKey(i)), "the raw get of " + readKey(i));
            }
            missed.reset();
        }

        String get(String key) {
            try {
                byte[] value = client.get(PREFIX + key, 5000, RawBytes.INSTANCE);
                if (value == null) {
                    missed.increment();
                    return null;
                }
                return new String(value, StandardCharsets.UTF_8);
            } catch (Exception e) {
                throw new IllegalStateException("raw get failed", e);
            }
        }

        boolean set(String key) {
            try {
                return client.set(PREFIX + key, TTL_SECONDS, VALUE_BYTES, RawBytes.INSTANCE, 5000);
            } catch (Exception e) {
                throw new IllegalStateException("raw set failed", e);
            }
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
    static final class RawBytes implements net.rubyeye.xmemcached.transcoders.Transcoder<byte[]> {
        static final RawBytes INSTANCE = new RawBytes();

        @Override
        public net.rubyeye.xmemcached.transcoders.CachedData encode(byte[] value) {
            return new net.rubyeye.xmemcached.transcoders.CachedData(0, value);
        }

        @Override
        public byte[] decode(net.rubyeye.xmemcached.transcoders.CachedData data) {
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
        public void setCompressionMode(net.rubyeye.xmemcached.transcoders.CompressionMode compressionMode) {}
    }
}
