package io.cachekit.benchmarks.redis;

import static io.cachekit.benchmarks.ReadWriteKeys.BATCH_KEYS;
import static io.cachekit.benchmarks.ReadWriteKeys.KEY_COUNT;
import static io.cachekit.benchmarks.ReadWriteKeys.TTL;
import static io.cachekit.benchmarks.ReadWriteKeys.expect;
import static io.cachekit.benchmarks.ReadWriteKeys.recordKey;
import static io.cachekit.benchmarks.ReadWriteKeys.stringKey;

import io.cachekit.AsyncCache;
import io.cachekit.Cache;
import io.cachekit.Cachekit;
import io.cachekit.benchmarks.Payloads;
import io.cachekit.benchmarks.ReadWriteKeys;
import io.cachekit.benchmarks.UserRecord;
import io.cachekit.benchmarks.report.Goal;
import io.cachekit.benchmarks.report.ReportRow;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Cachekit's Redis backend against raw Lettuce doing the same commands with the same bytes on the same server.
 *
 * <p>The server is the standalone one {@code scripts/servers/redis.sh start} runs ({@code 127.0.0.1:6390});
 * the system properties {@code cachekit.redis.host} and {@code cachekit.redis.port} point elsewhere. Both sides
 * have one shared connection with {@link ByteArrayCodec} (Cachekit's backend uses it too) and a five-second
 * timeout, and work in a key prefix of their own. The main value is a ~1 KB JSON record ({@link
 * io.cachekit.benchmarks.UserRecord}): the raw side encodes and decodes it with Jackson on every call, as an
 * application does, and sends the same payload bytes as Cachekit (checked at the start of every fork);
 * Cachekit adds its 12-byte envelope header. A 100-character string is the second value.
 *
 * <p>Raw sync calls are made in both of Lettuce's forms: through its sync API (a reflective proxy that waits on
 * the command) and as an async command whose future the caller waits for, which is how Cachekit waits. Async
 * rows start {@value #IN_FLIGHT} calls, then wait for them all; JMH counts each call. Bulk rows read or write
 * {@value io.cachekit.benchmarks.ReadWriteKeys#BATCH_KEYS} records per call: MGET against {@code getMany}, and
 * as many pipelined {@code SET PX} against {@code setMany}. Setup checks that every measured read is a hit, and
 * teardown fails the run if one was not.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 1, time = 1)
@Measurement(iterations = 2, time = 1)
public class RedisBenchmark {
    static final int IN_FLIGHT = 16;
    static final long TIMEOUT_SECONDS = 5;

    static final String HOST = System.getProperty("cachekit.redis.host", "127.0.0.1");
    static final int PORT = Integer.getInteger("cachekit.redis.port", 6390);

    // ---------------------------------------------------------------- record rows

    @Benchmark
    @ReportRow(
            label = "Cachekit `Cache.get` of the ~1 KB JSON record (Redis)",
            compareTo = {"lettuceSyncGet", "lettuceAsyncWaitGet"},
            goals = @Goal(atLeast = 0.95, source = "issue 17"),
            order = 10)
    public UserRecord cachekitGet(CachekitState state, ReadWriteKeys keys) {
        return state.cache.get(keys.nextRecordRead(), UserRecord.class);
    }

    @Benchmark
    @ReportRow(
            label = "Cachekit `Cache.set` of the ~1 KB JSON record (Redis)",
            compareTo = {"lettuceSyncSet", "lettuceAsyncWaitSet"},
            goals = @Goal(atLeast = 0.95, source = "issue 17"),
            order = 11)
    public void cachekitSet(CachekitState state, ReadWriteKeys keys) {
        state.cache.set(keys.nextRecordWrite(), Payloads.RECORD, TTL);
    }

    @Benchmark
    @OperationsPerInvocation(IN_FLIGHT)
    @ReportRow(
            label = "Cachekit `AsyncCache.get` of the record (Redis, " + IN_FLIGHT + " in flight)",
            compareTo = "lettuceAsyncGet",
            goals = @Goal(atLeast = 0.95, source = "issue 17"),
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
            label = "Cachekit `AsyncCache.set` of the record (Redis, " + IN_FLIGHT + " in flight)",
            compareTo = "lettuceAsyncSet",
            goals = @Goal(atLeast = 0.95, source = "issue 17"),
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
            label = "Cachekit `Cache.getMany` of " + BATCH_KEYS + " records (Redis)",
            compareTo = "lettuceMget",
            goals = @Goal(atLeast = 0.95, source = "issue 17"),
            threads = 1,
            order = 40)
    public Map<String, UserRecord> cachekitGetMany(CachekitState state, ReadWriteKeys keys) {
        return state.checkBatch(state.cache.getMany(keys.nextReadBatch(), UserRecord.class));
    }

    @Benchmark
    @ReportRow(
            label = "Cachekit `Cache.setMany` of " + BATCH_KEYS + " records (Redis)",
            compareTo = "lettucePipelinedSet",
            goals = @Goal(atLeast = 0.95, source = "issue 17"),
            threads = 1,
            order = 41)
    public void cachekitSetMany(CachekitState state, ReadWriteKeys keys) {
        state.cache.setMany(keys.nextWriteBatch(), TTL);
    }

    // ---------------------------------------------------------------- string rows

    @Benchmark
    @ReportRow(
            label = "Cachekit `Cache.get` of a 100-character string (Redis)",
            compareTo = "lettuceAsyncWaitGetString",
            goals = @Goal(atLeast = 0.95, source = "issue 17"),
            threads = 1,
            order = 30)
    public String cachekitGetString(CachekitState state, ReadWriteKeys keys) {
        return state.cache.get(keys.nextStringRead(), String.class);
    }

    @Benchmark
    @ReportRow(
            label = "Cachekit `Cache.set` of a 100-character string (Redis)",
            compareTo = "lettuceAsyncWaitSetString",
            goals = @Goal(atLeast = 0.95, source = "issue 17"),
            threads = 1,
            order = 31)
    public void cachekitSetString(CachekitState state, ReadWriteKeys keys) {
        state.cache.set(keys.nextStringWrite(), Payloads.STRING, TTL);
    }

    // ---------------------------------------------------------------- raw Lettuce rows

    @Benchmark
    @ReportRow(label = "Raw Lettuce sync API `GET` (`ByteArrayCodec`) + Jackson")
    public UserRecord lettuceSyncGet(LettuceState state, ReadWriteKeys keys) {
        return state.checkHit(Payloads.decode(state.sync.get(state.key(keys.nextRecordRead()))));
    }

    @Benchmark
    @ReportRow(
            label = "Raw Lettuce sync API `GET` (`ByteArrayCodec`) + Jackson, the same code again (control)",
            compareTo = "lettuceSyncGet",
            control = true,
            threads = 1,
            order = 900)
    public UserRecord lettuceSyncGetControl(LettuceState state, ReadWriteKeys keys) {
        return lettuceSyncGet(state, keys);
    }

    @Benchmark
    @ReportRow(label = "Raw Lettuce async `GET` + wait (`ByteArrayCodec`) + Jackson")
    public UserRecord lettuceAsyncWaitGet(LettuceState state, ReadWriteKeys keys) throws Exception {
        return state.checkHit(Payloads.decode(await(state.async.get(state.key(keys.nextRecordRead())))));
    }

    @Benchmark
    @ReportRow(label = "Raw Lettuce sync API `SET PX` + Jackson")
    public String lettuceSyncSet(LettuceState state, ReadWriteKeys keys) {
        return state.sync.set(state.key(keys.nextRecordWrite()), Payloads.encode(Payloads.RECORD), LettuceState.EXPIRY);
    }

    @Benchmark
    @ReportRow(label = "Raw Lettuce async `SET PX` + wait + Jackson")
    public String lettuceAsyncWaitSet(LettuceState state, ReadWriteKeys keys) throws Exception {
        return await(state.async.set(
                state.key(keys.nextRecordWrite()), Payloads.encode(Payloads.RECORD), LettuceState.EXPIRY));
    }

    @Benchmark
    @OperationsPerInvocation(IN_FLIGHT)
    @ReportRow(label = "Raw Lettuce async `GET` + Jackson (" + IN_FLIGHT + " in flight)")
    public void lettuceAsyncGet(LettuceState state, ReadWriteKeys keys, Blackhole blackhole) {
        List<CompletableFuture<UserRecord>> calls = new ArrayList<>(IN_FLIGHT);
        for (int i = 0; i < IN_FLIGHT; i++) {
            calls.add(state.async
                    .get(state.key(keys.nextRecordRead()))
                    .toCompletableFuture()
                    .thenApply(Payloads::decode));
        }
        for (CompletableFuture<UserRecord> call : calls) {
            blackhole.consume(state.checkHit(call.join()));
        }
    }

    @Benchmark
    @OperationsPerInvocation(IN_FLIGHT)
    @ReportRow(label = "Raw Lettuce async `SET PX` + Jackson (" + IN_FLIGHT + " in flight)")
    public void lettuceAsyncSet(LettuceState state, ReadWriteKeys keys) {
        CompletableFuture<?>[] calls = new CompletableFuture<?>[IN_FLIGHT];
        for (int i = 0; i < IN_FLIGHT; i++) {
            calls[i] = state.async
                    .set(state.key(keys.nextRecordWrite()), Payloads.encode(Payloads.RECORD), LettuceState.EXPIRY)
                    .toCompletableFuture();
        }
        CompletableFuture.allOf(calls).join();
    }

    @Benchmark
    @ReportRow(label = "Raw Lettuce `MGET` of " + BATCH_KEYS + " keys + Jackson")
    public Map<String, UserRecord> lettuceMget(LettuceState state, ReadWriteKeys keys) throws Exception {
        List<String> batch = keys.nextReadBatch();
        byte[][] stored = new byte[batch.size()][];
        for (int i = 0; i < stored.length; i++) {
            stored[i] = state.key(batch.get(i));
        }
        List<KeyValue<byte[], byte[]>> values = await(state.async.mget(stored));
        Map<String, UserRecord> found = new HashMap<>();
        for (int i = 0; i < values.size(); i++) {
            KeyValue<byte[], byte[]> kv = values.get(i);
            if (kv.hasValue()) {
                found.put(batch.get(i), Payloads.decode(kv.getValue()));
            }
        }
        return state.checkBatch(found);
    }

    @Benchmark
    @ReportRow(label = "Raw Lettuce pipelined `SET PX` of " + BATCH_KEYS + " keys + Jackson")
    public void lettucePipelinedSet(LettuceState state, ReadWriteKeys keys) throws Exception {
        Map<String, UserRecord> batch = keys.nextWriteBatch();
        CompletableFuture<?>[] writes = new CompletableFuture<?>[batch.size()];
        int i = 0;
        for (Map.Entry<String, UserRecord> entry : batch.entrySet()) {
            writes[i++] = state.async
                    .set(state.key(entry.getKey()), Payloads.encode(entry.getValue()), LettuceState.EXPIRY)
                    .toCompletableFuture();
        }
        CompletableFuture.allOf(writes).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    @Benchmark
    @ReportRow(label = "Raw Lettuce async `GET` + wait of the string")
    public String lettuceAsyncWaitGetString(LettuceState state, ReadWriteKeys keys) throws Exception {
        return state.checkHit(Payloads.decodeString(await(state.async.get(state.key(keys.nextStringRead())))));
    }

    @Benchmark
    @ReportRow(label = "Raw Lettuce async `SET PX` + wait of the string")
    public String lettuceAsyncWaitSetString(LettuceState state, ReadWriteKeys keys) throws Exception {
        return await(state.async.set(
                state.key(keys.nextStringWrite()),
                Payloads.STRING.getBytes(StandardCharsets.UTF_8),
                LettuceState.EXPIRY));
    }

    /** Waits for a command as Cachekit's backend does: for at most the timeout. */
    static <T> T await(RedisFuture<T> command) throws InterruptedException, ExecutionException, TimeoutException {
        return command.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    // ---------------------------------------------------------------- subjects

    /** Cachekit on its Redis backend, namespace {@code bench-cachekit}. */
    @State(Scope.Benchmark)
    public static class CachekitState {
        Cache cache;
        AsyncCache async;
        private long missesAfterSetup;
        private final LongAdder shortBatches = new LongAdder();

        @Setup(Level.Trial)
        public void setUp() {
            Payloads.checkSameBytes();
            cache = Cachekit.fromUri(
                    "redis://" + HOST + ":" + PORT + "?namespace=bench-cachekit&timeout=" + TIMEOUT_SECONDS + "s");
            async = cache.async();
            missesAfterSetup = ReadWriteKeys.populate(cache);
        }

        Map<String, UserRecord> checkBatch(Map<String, UserRecord> found) {
            if (found.size() != BATCH_KEYS) {
                shortBatches.increment();
            }
            return found;
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            try {
                ReadWriteKeys.expectNoMissOrError(cache, missesAfterSetup);
                if (shortBatches.sum() != 0) {
                    throw new IllegalStateException("A measured getMany missed keys");
                }
            } finally {
                cache.close();
            }
        }
    }

    /** Raw Lettuce with {@link ByteArrayCodec} on one shared connection, keys prefixed {@code bench-raw:}. */
    @State(Scope.Benchmark)
    public static class LettuceState {
        static final String PREFIX = "bench-raw:";
        static final SetArgs EXPIRY = SetArgs.Builder.px(TTL);

        private RedisClient client;
        private StatefulRedisConnection<byte[], byte[]> connection;
        RedisCommands<byte[], byte[]> sync;
        RedisAsyncCommands<byte[], byte[]> async;
        private final LongAdder missed = new LongAdder();

        @Setup(Level.Trial)
        public void setUp() {
            Payloads.checkSameBytes();
            client = RedisClient.create(RedisURI.Builder.redis(HOST, PORT)
                    .withTimeout(Duration.ofSeconds(TIMEOUT_SECONDS))
                    .build());
            connection = client.connect(ByteArrayCodec.INSTANCE);
            sync = connection.sync();
            async = connection.async();
            // Pipelined: the setup of every fork writes 2,048 keys.
            List<CompletableFuture<?>> writes = new ArrayList<>();
            for (int i = 0; i < KEY_COUNT; i++) {
                writes.add(async.set(key(recordKey(i)), Payloads.RECORD_BYTES, EXPIRY)
                        .toCompletableFuture());
                writes.add(async.set(key(stringKey(i)), Payloads.STRING_BYTES, EXPIRY)
                        .toCompletableFuture());
            }
            CompletableFuture.allOf(writes.toArray(new CompletableFuture<?>[0])).join();
            List<CompletableFuture<byte[]>> records = new ArrayList<>();
            List<CompletableFuture<byte[]>> strings = new ArrayList<>();
            for (int i = 0; i < KEY_COUNT; i++) {
                records.add(async.get(key(recordKey(i))).toCompletableFuture());
                strings.add(async.get(key(stringKey(i))).toCompletableFuture());
            }
            for (int i = 0; i < KEY_COUNT; i++) {
                expect(Payloads.RECORD, Payloads.decode(records.get(i).join()), "the raw GET of " + recordKey(i));
                expect(Payloads.STRING, Payloads.decodeString(strings.get(i).join()), "the raw GET of " + stringKey(i));
            }
            missed.reset();
        }

        /** The stored key, as an application builds it: prefix, key, UTF-8. */
        byte[] key(String key) {
            return (PREFIX + key).getBytes(StandardCharsets.UTF_8);
        }

        <T> T checkHit(T value) {
            if (value == null) {
                missed.increment();
            }
            return value;
        }

        Map<String, UserRecord> checkBatch(Map<String, UserRecord> found) {
            if (found.size() != BATCH_KEYS) {
                missed.increment();
            }
            return found;
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            try {
                if (missed.sum() != 0) {
                    throw new IllegalStateException("A measured raw read missed");
                }
            } finally {
                connection.close();
                client.shutdown();
            }
        }
    }
}
