package io.cachekit.benchmarks.dynamodb;

import static io.cachekit.benchmarks.ReadWriteKeys.KEY_COUNT;
import static io.cachekit.benchmarks.ReadWriteKeys.TTL;
import static io.cachekit.benchmarks.ReadWriteKeys.expect;
import static io.cachekit.benchmarks.ReadWriteKeys.recordKey;
import static io.cachekit.benchmarks.ReadWriteKeys.stringKey;

import io.cachekit.AsyncCache;
import io.cachekit.Cache;
import io.cachekit.Cachekit;
import io.cachekit.CachekitConfig;
import io.cachekit.benchmarks.Payloads;
import io.cachekit.benchmarks.ReadWriteKeys;
import io.cachekit.benchmarks.UserRecord;
import io.cachekit.benchmarks.report.Goal;
import io.cachekit.benchmarks.report.ReportRow;
import io.cachekit.dynamodb.DynamoDbBackend;
import io.cachekit.dynamodb.DynamoDbBackendOptions;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;

/**
 * Cachekit's DynamoDB backend against the raw AWS SDK v2 doing a {@code GetItem} and a {@code PutItem} of the
 * same bytes, over the sync client and over the async one.
 *
 * <p>The server is the dynalite that {@code scripts/servers/dynamodb.sh start} runs ({@code
 * http://127.0.0.1:8600}); the system property {@code cachekit.dynamodb.endpoint} points elsewhere (with {@code
 * cachekit.dynamodb.region}; credentials then come from the SDK's default chain). Each side has a table of its
 * own ({@code cachekit_bench_ck}, {@code cachekit_bench_raw}, the same key schema: Cachekit creates both), the
 * same HTTP clients (Apache HttpClient 5 for sync, Netty for async, 50 connections) and a five-second API call
 * timeout. Raw reads are strongly consistent {@code GetItem}s, as Cachekit's are; raw writes put the key, the
 * bytes and a TTL attribute. The main value is the ~1 KB JSON record, encoded and decoded by Jackson on every raw
 * call (the same payload bytes as Cachekit's); a 100-character string is the second. Cachekit's read is one
 * {@code GetItem} while it reuses its shard's generation (read in the last second, the default {@code
 * generationReuse}), and one {@code BatchGetItem} of the entry and the generation item about once a second per
 * shard; its write one {@code PutItem} (the generation is known from the last second's reads or writes).
 * Cachekit adds its envelope (12 bytes), its generation and expiry attributes and its key handling on top.
 *
 * <p>Async rows start {@value #IN_FLIGHT} calls, then wait for them all; JMH counts each call. Setup checks that
 * every measured read is a hit, and teardown fails the run if one was not.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 1, time = 1)
@Measurement(iterations = 2, time = 1)
public class DynamoDbBenchmark {
    static final int IN_FLIGHT = 16;

    static final String CACHEKIT_TABLE = "cachekit_bench_ck";
    static final String RAW_TABLE = "cachekit_bench_raw";
    static final String ENDPOINT = System.getProperty("cachekit.dynamodb.endpoint", "http://127.0.0.1:8600");
    static final Region REGION = Region.of(System.getProperty("cachekit.dynamodb.region", "us-east-1"));
    static final int CONNECTIONS = 50;
    static final Duration TIMEOUT = Duration.ofSeconds(5);

    // ---------------------------------------------------------------- Cachekit rows

    @Benchmark
    @ReportRow(
            label = "Cachekit `Cache.get` of the ~1 KB JSON record (DynamoDB)",
            compareTo = "sdkSyncGetItem",
            goals = {@Goal(atLeast = 0.95, source = "issue 17"), @Goal(atLeast = 0.9, source = "issue 12")},
            order = 10)
    public UserRecord cachekitGet(CachekitState state, ReadWriteKeys keys) {
        return state.cache.get(keys.nextRecordRead(), UserRecord.class);
    }

    @Benchmark
    @ReportRow(
            label = "Cachekit `Cache.set` of the ~1 KB JSON record (DynamoDB)",
            compareTo = "sdkSyncPutItem",
            goals = {@Goal(atLeast = 0.95, source = "issue 17"), @Goal(atLeast = 0.9, source = "issue 12")},
            order = 11)
    public void cachekitSet(CachekitState state, ReadWriteKeys keys) {
        state.cache.set(keys.nextRecordWrite(), Payloads.RECORD, TTL);
    }

    @Benchmark
    @OperationsPerInvocation(IN_FLIGHT)
    @ReportRow(
            label = "Cachekit `AsyncCache.get` of the record (DynamoDB, " + IN_FLIGHT + " in flight)",
            compareTo = "sdkAsyncGetItem",
            goals = {@Goal(atLeast = 0.95, source = "issue 17"), @Goal(atLeast = 0.9, source = "issue 12")},
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
            label = "Cachekit `AsyncCache.set` of the record (DynamoDB, " + IN_FLIGHT + " in flight)",
            compareTo = "sdkAsyncPutItem",
            goals = {@Goal(atLeast = 0.95, source = "issue 17"), @Goal(atLeast = 0.9, source = "issue 12")},
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
            label = "Cachekit `Cache.get` of a 100-character string (DynamoDB)",
            compareTo = "sdkSyncGetItemString",
            goals = {@Goal(atLeast = 0.95, source = "issue 17"), @Goal(atLeast = 0.9, source = "issue 12")},
            threads = 1,
            order = 30)
    public String cachekitGetString(CachekitState state, ReadWriteKeys keys) {
        return state.cache.get(keys.nextStringRead(), String.class);
    }

    @Benchmark
    @ReportRow(
            label = "Cachekit `Cache.set` of a 100-character string (DynamoDB)",
            compareTo = "sdkSyncPutItemString",
            goals = {@Goal(atLeast = 0.95, source = "issue 17"), @Goal(atLeast = 0.9, source = "issue 12")},
            threads = 1,
            order = 31)
    public void cachekitSetString(CachekitState state, ReadWriteKeys keys) {
        state.cache.set(keys.nextStringWrite(), Payloads.STRING, TTL);
    }

    // ---------------------------------------------------------------- raw SDK rows

    @Benchmark
    @ReportRow(label = "Raw SDK sync `GetItem` (consistent read) + Jackson")
    public UserRecord sdkSyncGetItem(SdkState state, ReadWriteKeys keys) {
        return state.checkHit(Payloads.decode(state.value(state.sync.getItem(state.get(keys.nextRecordRead())))));
    }

    @Benchmark
    @ReportRow(
            label = "Raw SDK sync `GetItem` (consistent read) + Jackson, the same code again (control)",
            compareTo = "sdkSyncGetItem",
            control = true,
            threads = 1,
            order = 900)
    public UserRecord sdkSyncGetItemControl(SdkState state, ReadWriteKeys keys) {
        return sdkSyncGetItem(state, keys);
    }

    @Benchmark
    @ReportRow(label = "Raw SDK sync `PutItem` + Jackson")
    public Object sdkSyncPutItem(SdkState state, ReadWriteKeys keys) {
        return state.sync.putItem(state.put(keys.nextRecordWrite(), Payloads.encode(Payloads.RECORD)));
    }

    @Benchmark
    @OperationsPerInvocation(IN_FLIGHT)
    @ReportRow(label = "Raw SDK async `GetItem` (consistent read) + Jackson (" + IN_FLIGHT + " in flight)")
    public void sdkAsyncGetItem(SdkState state, ReadWriteKeys keys, Blackhole blackhole) {
        List<CompletableFuture<UserRecord>> calls = new ArrayList<>(IN_FLIGHT);
        for (int i = 0; i < IN_FLIGHT; i++) {
            calls.add(state.async
                    .getItem(state.get(keys.nextRecordRead()))
                    .thenApply(response -> Payloads.decode(state.value(response))));
        }
        for (CompletableFuture<UserRecord> call : calls) {
            blackhole.consume(state.checkHit(call.join()));
        }
    }

    @Benchmark
    @OperationsPerInvocation(IN_FLIGHT)
    @ReportRow(label = "Raw SDK async `PutItem` + Jackson (" + IN_FLIGHT + " in flight)")
    public void sdkAsyncPutItem(SdkState state, ReadWriteKeys keys) {
        CompletableFuture<?>[] calls = new CompletableFuture<?>[IN_FLIGHT];
        for (int i = 0; i < IN_FLIGHT; i++) {
            calls[i] = state.async.putItem(state.put(keys.nextRecordWrite(), Payloads.encode(Payloads.RECORD)));
        }
        CompletableFuture.allOf(calls).join();
    }

    @Benchmark
    @ReportRow(label = "Raw SDK sync `GetItem` (consistent read) of the string")
    public String sdkSyncGetItemString(SdkState state, ReadWriteKeys keys) {
        return state.checkHit(Payloads.decodeString(state.value(state.sync.getItem(state.get(keys.nextStringRead())))));
    }

    @Benchmark
    @ReportRow(label = "Raw SDK sync `PutItem` of the string")
    public Object sdkSyncPutItemString(SdkState state, ReadWriteKeys keys) {
        return state.sync.putItem(state.put(keys.nextStringWrite(), Payloads.STRING.getBytes(StandardCharsets.UTF_8)));
    }

    // ---------------------------------------------------------------- subjects

    static StaticCredentialsProvider localCredentials() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create("cachekit-bench", "cachekit-bench"));
    }

    static boolean local() {
        return ENDPOINT.startsWith("http://127.") || ENDPOINT.startsWith("http://localhost");
    }

    /** Cachekit on its DynamoDB backend, table {@code cachekit_bench_ck}, namespace {@code bench-cachekit}. */
    @State(Scope.Benchmark)
    public static class CachekitState {
        Cache cache;
        AsyncCache async;
        private long missesAfterSetup;

        @Setup(Level.Trial)
        public void setUp() {
            Payloads.checkSameBytes();
            CachekitConfig config = CachekitConfig.builder()
                    .namespace("bench-cachekit")
                    .operationTimeout(TIMEOUT)
                    .build();
            DynamoDbBackendOptions.Builder options = DynamoDbBackendOptions.builder()
                    .table(CACHEKIT_TABLE)
                    .region(REGION)
                    .endpoint(ENDPOINT)
                    .maxConnections(CONNECTIONS);
            if (local()) {
                options.credentialsProvider(localCredentials());
            }
            DynamoDbBackend backend = DynamoDbBackend.create(options.build(), Cachekit.contextOf(config));
            cache = Cachekit.create(config, backend);
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
     * The raw SDK on table {@code cachekit_bench_raw}: a sync and an async client configured as the backend's own
     * (same HTTP clients and connections), keys {@code bench-raw:<key>}, items {@code pk}, {@code v} (the bytes)
     * and {@code ttl}.
     */
    @State(Scope.Benchmark)
    public static class SdkState {
        static final String PREFIX = "bench-raw:";

        DynamoDbClient sync;
        DynamoDbAsyncClient async;
        private final LongAdder missed = new LongAdder();

        @Setup(Level.Trial)
        public void setUp() {
            Payloads.checkSameBytes();
            var syncBuilder = DynamoDbClient.builder()
                    .region(REGION)
                    .endpointOverride(URI.create(ENDPOINT))
                    .httpClientBuilder(Apache5HttpClient.builder().maxConnections(CONNECTIONS))
                    .overrideConfiguration(c -> c.apiCallTimeout(TIMEOUT));
            var asyncBuilder = DynamoDbAsyncClient.builder()
                    .region(REGION)
                    .endpointOverride(URI.create(ENDPOINT))
                    .httpClientBuilder(NettyNioAsyncHttpClient.builder().maxConcurrency(CONNECTIONS))
                    .overrideConfiguration(c -> c.apiCallTimeout(TIMEOUT));
            if (local()) {
                syncBuilder.credentialsProvider(localCredentials());
                asyncBuilder.credentialsProvider(localCredentials());
            }
            sync = syncBuilder.build();
            async = asyncBuilder.build();
            // A table of the raw side's own, with the key schema of Cachekit's: Cachekit creates it when absent.
            DynamoDbBackend.create(
                            DynamoDbBackendOptions.builder()
                                    .table(RAW_TABLE)
                                    .clients(sync, async)
                                    .build(),
                            Cachekit.contextOf(CachekitConfig.builder().build()))
                    .close();
            // Concurrently: the setup of every fork writes 2,048 items.
            List<CompletableFuture<?>> writes = new ArrayList<>();
            for (int i = 0; i < KEY_COUNT; i++) {
                writes.add(async.putItem(put(recordKey(i), Payloads.RECORD_BYTES)));
                writes.add(async.putItem(put(stringKey(i), Payloads.STRING_BYTES)));
            }
            CompletableFuture.allOf(writes.toArray(new CompletableFuture<?>[0])).join();
            List<CompletableFuture<GetItemResponse>> records = new ArrayList<>();
            List<CompletableFuture<GetItemResponse>> strings = new ArrayList<>();
            for (int i = 0; i < KEY_COUNT; i++) {
                records.add(async.getItem(get(recordKey(i))));
                strings.add(async.getItem(get(stringKey(i))));
            }
            for (int i = 0; i < KEY_COUNT; i++) {
                expect(
                        Payloads.RECORD,
                        Payloads.decode(value(records.get(i).join())),
                        "the raw GetItem of " + recordKey(i));
                expect(
                        Payloads.STRING,
                        Payloads.decodeString(value(strings.get(i).join())),
                        "the raw GetItem of " + stringKey(i));
            }
            missed.reset();
        }

        GetItemRequest get(String key) {
            return GetItemRequest.builder()
                    .tableName(RAW_TABLE)
                    .key(Map.of("pk", AttributeValue.fromS(PREFIX + key)))
                    .consistentRead(true)
                    .build();
        }

        PutItemRequest put(String key, byte[] value) {
            long ttl = System.currentTimeMillis() / 1000 + TTL.toSeconds() + 1;
            return PutItemRequest.builder()
                    .tableName(RAW_TABLE)
                    .item(Map.of(
                            "pk", AttributeValue.fromS(PREFIX + key),
                            "v", AttributeValue.fromB(SdkBytes.fromByteArrayUnsafe(value)),
                            "ttl", AttributeValue.fromN(Long.toString(ttl))))
                    .build();
        }

        /** The item's bytes; null when absent. */
        byte[] value(GetItemResponse response) {
            AttributeValue value = response.hasItem() ? response.item().get("v") : null;
            return value == null ? null : value.b().asByteArrayUnsafe();
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
                    throw new IllegalStateException("A measured raw GetItem missed");
                }
            } finally {
                sync.close();
                async.close();
            }
        }
    }
}
