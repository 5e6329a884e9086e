package io.cachekit.benchmarks.redis;

import static io.cachekit.benchmarks.ReadWriteKeys.KEY_COUNT;
import static io.cachekit.benchmarks.ReadWriteKeys.expect;
import static io.cachekit.benchmarks.ReadWriteKeys.readKey;

import io.cachekit.AsyncCache;
import io.cachekit.Cache;
import io.cachekit.Cachekit;
import io.cachekit.benchmarks.ReadWriteKeys;
import io.cachekit.benchmarks.report.ReportRow;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
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
import org.springframework.data.redis.cache.RedisCacheConfiguration;
import org.springframework.data.redis.cache.RedisCacheManager;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.serializer.RedisSerializationContext;
import org.springframework.data.redis.serializer.RedisSerializer;

/**
 * Cachekit's Redis backend against raw Lettuce doing the same GET and SET on the same server, and against
 * Spring Data Redis's {@code RedisCacheManager}.
 *
 * <p>The server is the standalone one {@code scripts/servers/redis.sh start} runs ({@code 127.0.0.1:6390});
 * the system properties {@code cachekit.redis.host} and {@code cachekit.redis.port} point elsewhere. Every
 * subject has one shared Lettuce connection, works in a namespace (key prefix) of its own and uses the same
 * keys ({@code user:<n>}, 1,024 of them) and values (100-character strings, stored as their UTF-8 bytes: no
 * JSON and no JDK serialization on any side). Reads walk pre-written keys; writes cycle over another 1,024
 * keys with a ten-minute TTL ({@code SET ... PX}). Cachekit adds its envelope (12 bytes: format, codec,
 * flags, expiry) and its key handling on top.
 *
 * <p>Sync rows make one call per invocation from each of the four threads. Async rows start {@value #BATCH}
 * calls, then wait for them all, so that commands are in flight together as on a busy async server; JMH
 * counts each call. Setup checks that every measured read is a hit, and teardown fails the run if one was
 * not.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Threads(4)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
public class RedisBenchmark {
    static final int BATCH = 16;
    static final Duration TTL = Duration.ofMinutes(10);
    static final String VALUE = "v".repeat(100);

    static final String HOST = System.getProperty("cachekit.redis.host", "127.0.0.1");
    static final int PORT = Integer.getInteger("cachekit.redis.port", 6390);

    // ---------------------------------------------------------------- Cachekit rows

    @Benchmark
    @ReportRow(
            label = "Cachekit `Cache.get` (Redis backend)",
            baseline = "lettuceSyncGet",
            alsoComparedTo = "springRedisCacheGet",
            atLeast = 0.9,
            target = "Cachekit get on Redis >= 0.9 x raw Lettuce sync GET")
    public String cachekitGet(CachekitState state, ReadWriteKeys keys) {
        return state.cache.get(keys.nextRead(), String.class);
    }

    @Benchmark
    @ReportRow(
            label = "Cachekit `Cache.set` (Redis backend)",
            baseline = "lettuceSyncSet",
            alsoComparedTo = "springRedisCachePut",
            atLeast = 0.9,
            target = "Cachekit set on Redis >= 0.9 x raw Lettuce sync SET PX")
    public void cachekitSet(CachekitState state, ReadWriteKeys keys) {
        state.cache.set(keys.nextWrite(), VALUE, TTL);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    @ReportRow(
            label = "Cachekit `AsyncCache.get` (Redis backend, " + BATCH + " in flight per thread)",
            baseline = "lettuceAsyncGet",
            atLeast = 0.9,
            target = "Cachekit async get on Redis >= 0.9 x raw Lettuce async GET")
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
            label = "Cachekit `AsyncCache.set` (Redis backend, " + BATCH + " in flight per thread)",
            baseline = "lettuceAsyncSet",
            atLeast = 0.9,
            target = "Cachekit async set on Redis >= 0.9 x raw Lettuce async SET PX")
    public void cachekitAsyncSet(CachekitState state, ReadWriteKeys keys) {
        CompletableFuture<?>[] calls = new CompletableFuture<?>[BATCH];
        for (int i = 0; i < BATCH; i++) {
            calls[i] = state.async.set(keys.nextWrite(), VALUE, TTL);
        }
        CompletableFuture.allOf(calls).join();
    }

    // ---------------------------------------------------------------- raw Lettuce rows

    @Benchmark
    @ReportRow(label = "Raw Lettuce sync GET")
    public String lettuceSyncGet(LettuceState state, ReadWriteKeys keys) {
        return state.get(keys.nextRead());
    }

    @Benchmark
    @ReportRow(label = "Raw Lettuce sync SET PX")
    public String lettuceSyncSet(LettuceState state, ReadWriteKeys keys) {
        return state.sync.set(LettuceState.PREFIX + keys.nextWrite(), VALUE, LettuceState.EXPIRY);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    @ReportRow(label = "Raw Lettuce async GET (" + BATCH + " in flight per thread)")
    public void lettuceAsyncGet(LettuceState state, ReadWriteKeys keys, Blackhole blackhole) {
        CompletableFuture<?>[] calls = new CompletableFuture<?>[BATCH];
        for (int i = 0; i < BATCH; i++) {
            calls[i] = state.async.get(LettuceState.PREFIX + keys.nextRead()).toCompletableFuture();
        }
        for (CompletableFuture<?> call : calls) {
            blackhole.consume(state.checkHit(call.join()));
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    @ReportRow(label = "Raw Lettuce async SET PX (" + BATCH + " in flight per thread)")
    public void lettuceAsyncSet(LettuceState state, ReadWriteKeys keys) {
        CompletableFuture<?>[] calls = new CompletableFuture<?>[BATCH];
        for (int i = 0; i < BATCH; i++) {
            calls[i] = state.async
                    .set(LettuceState.PREFIX + keys.nextWrite(), VALUE, LettuceState.EXPIRY)
                    .toCompletableFuture();
        }
        CompletableFuture.allOf(calls).join();
    }

    // ---------------------------------------------------------------- Spring Data Redis rows

    @Benchmark
    @ReportRow(label = "Spring Data Redis `RedisCacheManager` cache `get`")
    public String springRedisCacheGet(SpringState state, ReadWriteKeys keys) {
        return state.get(keys.nextRead());
    }

    // No Spring put row: on Lettuce 7.7 (which cachekit-redis needs; Spring Boot 4.0 manages 6.8), a
    // RedisCache.put loop exhausts the heap within seconds here, so it would measure the garbage collector.

    // ---------------------------------------------------------------- keys

    // ---------------------------------------------------------------- subjects

    /** Cachekit on its Redis backend, namespace {@code bench-cachekit}. */
    @State(Scope.Benchmark)
    public static class CachekitState {
        Cache cache;
        AsyncCache async;
        private long missesAfterSetup;

        @Setup(Level.Trial)
        public void setUp() {
            cache = Cachekit.fromUri("redis://" + HOST + ":" + PORT + "?namespace=bench-cachekit&timeout=5s");
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

    /** Lettuce with a UTF-8 string codec on one shared connection, keys prefixed {@code bench-raw:}. */
    @State(Scope.Benchmark)
    public static class LettuceState {
        static final String PREFIX = "bench-raw:";
        static final SetArgs EXPIRY = SetArgs.Builder.px(TTL);

        private RedisClient client;
        private StatefulRedisConnection<String, String> connection;
        RedisCommands<String, String> sync;
        RedisAsyncCommands<String, String> async;
        private final LongAdder missed = new LongAdder();

        @Setup(Level.Trial)
        public void setUp() {
            client = RedisClient.create(RedisURI.Builder.redis(HOST, PORT)
                    .withTimeout(Duration.ofSeconds(5))
                    .build());
            connection = client.connect();
            sync = connection.sync();
            async = connection.async();
            for (int i = 0; i < KEY_COUNT; i++) {
                sync.set(PREFIX + readKey(i), VALUE, EXPIRY);
            }
            for (int i = 0; i < KEY_COUNT; i++) {
                expect(VALUE, sync.get(PREFIX + readKey(i)), "the raw GET of " + readKey(i));
            }
            missed.reset();
        }

        String get(String key) {
            return checkHit(sync.get(PREFIX + key));
        }

        <T> T checkHit(T value) {
            if (value == null) {
                missed.increment();
            }
            return value;
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            try {
                if (missed.sum() != 0) {
                    throw new IllegalStateException("A measured raw GET missed");
                }
            } finally {
                connection.close();
                client.shutdown();
            }
        }
    }

    /**
     * Spring Data Redis's cache manager on a {@code LettuceConnectionFactory} (one shared native connection,
     * its default), cache {@code bench-spring} (keys {@code bench-spring::<key>}), values written as UTF-8
     * strings and a ten-minute TTL.
     */
    @State(Scope.Benchmark)
    public static class SpringState {
        private LettuceConnectionFactory factory;
        org.springframework.cache.Cache cache;
        private final LongAdder missed = new LongAdder();

        @Setup(Level.Trial)
        public void setUp() {
            factory = new LettuceConnectionFactory(new RedisStandaloneConfiguration(HOST, PORT));
            factory.afterPropertiesSet();
            factory.start();
            RedisCacheManager manager = RedisCacheManager.builder(factory)
                    .cacheDefaults(RedisCacheConfiguration.defaultCacheConfig()
                            .entryTtl(TTL)
                            .serializeValuesWith(RedisSerializationContext.SerializationPair.fromSerializer(
                                    RedisSerializer.string())))
                    .build();
            manager.afterPropertiesSet();
            cache = manager.getCache("bench-spring");
            for (int i = 0; i < KEY_COUNT; i++) {
                cache.put(readKey(i), VALUE);
            }
            for (int i = 0; i < KEY_COUNT; i++) {
                expect(VALUE, cache.get(readKey(i), String.class), "the Spring cache get of " + readKey(i));
            }
            missed.reset();
        }

        String get(String key) {
            String value = cache.get(key, String.class);
            if (value == null) {
                missed.increment();
            }
            return value;
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            try {
                if (missed.sum() != 0) {
                    throw new IllegalStateException("A measured Spring cache get missed");
                }
            } finally {
                factory.destroy();
            }
        }
    }
}
