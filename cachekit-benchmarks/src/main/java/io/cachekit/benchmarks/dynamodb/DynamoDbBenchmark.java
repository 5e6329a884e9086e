package io.cachekit.benchmarks.dynamodb;

import static io.cachekit.benchmarks.ReadWriteKeys.KEY_COUNT;
import static io.cachekit.benchmarks.ReadWriteKeys.expect;
import static io.cachekit.benchmarks.ReadWriteKeys.readKey;

import io.cachekit.AsyncCache;
import io.cachekit.Cache;
import io.cachekit.Cachekit;
import io.cachekit.CachekitConfig;
import io.cachekit.benchmarks.ReadWriteKeys;
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
import org.openjdk.jmh.annotations.Threads;
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
 * same bytes on the same table, over the sync client and over the async one.
 *
 * <p>The server is the dynalite that {@code scripts/servers/dynamodb.sh start} runs ({@code
 * http://127.0.0.1:8600}); the system property {@code cachekit.dynamodb.endpoint} points elsewhere (with
 * {@code cachekit.dynamodb.region}; credentials then come from the SDK's default chain). Both sides use the
 * table {@code cachekit_bench}, the same HTTP clients (Apache HttpClient 5 for sync, Netty for async, 50
 * connections) and the same keys ({@code user:<n>}, 1,024 of them) and values (100-character strings stored
 * as their UTF-8 bytes). Raw reads are strongly consistent {@code GetItem}s, as Cachekit's are; raw writes
 * put the key, the bytes and a TTL attribute. Cachekit's read is one {@code BatchGetItem} of the entry and its
 * namespace's generation item; its write one {@code PutItem} (the generation is known from the last second's
 * reads or writes). Cachekit adds its envelope (12 bytes) and its key handling on top.
 *
 * <p>Sync rows make one call per invocation from each of the four threads. Async rows start {@value #BATCH}
 * calls, then wait for them all; JMH counts each call. Setup checks that every measured read is a hit, and
 * teardown fails the run if one was not.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Threads(4)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
public class DynamoDbBenchmark {
    static final int BATCH = 16;
    static final Duration TTL = Duration.ofMinutes(10);
    static final String VALUE = "v".repeat(100);
    static final byte[] VALUE_BYTES = VALUE.getBytes(StandardCharsets.UTF_8);

    static final String TABLE = "cachekit_bench";
    static final String ENDPOINT = System.getProperty("cachekit.dynamodb.endpoint", "http://127.0.0.1:8600");
    static final Region REGION = Region.of(System.getProperty("cachekit.dynamodb.region", "us-east-1"));
    static final int CONNECTIONS = 50;

    // ---------------------------------------------------------------- Cachekit rows

    @Benchmark
    @ReportRow(
            label = "Cachekit `Cache.get` (DynamoDB backend)",
            baseline = "sdkSyncGetItem",
            atLeast = 0.9,
            target = "Cachekit get on DynamoDB >= 0.9 x raw SDK sync GetItem")
    public String cachekitGet(CachekitState state, ReadWriteKeys keys) {
        return state.cache.get(keys.nextRead(), String.class);
    }

    @Benchmark
    @ReportRow(
            label = "Cachekit `Cache.set` (DynamoDB backend)",
            baseline = "sdkSyncPutItem",
            atLeast = 0.9,
            target = "Cachekit set on DynamoDB >= 0.9 x raw SDK sync PutItem")
    public void cachekitSet(CachekitState state, ReadWriteKeys keys) {
        state.cache.set(keys.nextWrite(), VALUE, TTL);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    @ReportRow(
            label = "Cachekit `AsyncCache.get` (DynamoDB backend, " + BATCH + " in flight per thread)",
            baseline = "sdkAsyncGetItem",
            atLeast = 0.9,
            target = "Cachekit async get on DynamoDB >= 0.9 x raw SDK async GetItem")
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
            label = "Cachekit `AsyncCache.set` (DynamoDB backend, " + BATCH + " in flight per thread)",
            baseline = "sdkAsyncPutItem",
            atLeast = 0.9,
            target = "Cachekit async set on DynamoDB >= 0.9 x raw SDK async PutItem")
    public void cachekitAsyncSet(CachekitState state, ReadWriteKeys keys) {
        CompletableFuture<?>[] calls = new CompletableFuture<?>[BATCH];
        for (int i = 0; i < BATCH; i++) {
            calls[i] = state.async.set(keys.nextWrite(), VALUE, TTL);
        }
        CompletableFuture.allOf(calls).join();
    }

    // ---------------------------------------------------------------- raw SDK rows

    @Benchmark
    @ReportRow(label = "Raw SDK sync `GetItem` (consistent read)")
    public byte[] sdkSyncGetItem(SdkState state, ReadWriteKeys keys) {
        return state.checkHit(state.sync.getItem(state.get(keys.nextRead())));
    }

    @Benchmark
    @ReportRow(label = "Raw SDK sync `PutItem`")
    public Object sdkSyncPutItem(SdkState state, ReadWriteKeys keys) {
        return state.sync.putItem(state.put(keys.nextWrite()));
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    @ReportRow(label = "Raw SDK async `GetItem` (consistent read, " + BATCH + " in flight per thread)")
    public void sdkAsyncGetItem(SdkState state, ReadWriteKeys keys, Blackhole blackhole) {
        List<CompletableFuture<GetItemResponse>> calls = new ArrayList<>(BATCH);
        for (int i = 0; i < BATCH; i++) {
            calls.add(state.async.getItem(state.get(keys.nextRead())));
        }
        for (CompletableFuture<GetItemResponse> call : calls) {
            blackhole.consume(state.checkHit(call.join()));
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    @ReportRow(label = "Raw SDK async `PutItem` (" + BATCH + " in flight per thread)")
    public void sdkAsyncPutItem(SdkState state, ReadWriteKeys keys) {
        CompletableFuture<?>[] calls = new CompletableFuture<?>[BATCH];
        for (int i = 0; i < BATCH; i++) {
            calls[i] = state.async.putItem(state.put(keys.nextWrite()));
        }
        CompletableFuture.allOf(calls).join();
    }

    // ---------------------------------------------------------------- subjects

    static StaticCredentialsProvider localCredentials() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create("cachekit-bench", "cachekit-bench"));
    }

    static boolean local() {
        return ENDPOINT.startsWith("http://127.") || ENDPOINT.startsWith("http://localhost");
    }

    /** Cachekit on its DynamoDB backend, namespace {@code bench-cachekit}. */
    @State(Scope.Benchmark)
    public static class CachekitState {
        Cache cache;
        AsyncCache async;
        private long missesAfterSetup;

        @Setup(Level.Trial)
        public void setUp() {
            CachekitConfig config = CachekitConfig.builder()
                    .namespace("bench-cachekit")
                    .operationTimeout(Duration.ofSeconds(5))
                    .build();
            DynamoDbBackendOptions.Builder options = DynamoDbBackendOptions.builder()
                    .table(TABLE)
                    .region(REGION)
                    .endpoint(ENDPOINT)
                    .maxConnections(CONNECTIONS);
            if (local()) {
                options.credentialsProvider(localCredentials());
            }
            DynamoDbBackend backend = DynamoDbBackend.create(options.build(), Cachekit.contextOf(config));
            cache = Cachekit.create(config, backend);
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
     * The raw SDK: a sync and an async client configured as the backend's own (same HTTP clients and
     * connections), keys {@code bench-raw:<key>}, items {@code pk}, {@code v} (the bytes) and {@code ttl}.
     */
    @State(Scope.Benchmark)
    public static class SdkState {
        static final String PREFIX = "bench-raw:";

        DynamoDbClient sync;
        DynamoDbAsyncClient async;
        private final LongAdder missed = new LongAdder();

        @Setup(Level.Trial)
        public void setUp() {
            var syncBuilder = DynamoDbClient.builder()
                    .region(REGION)
                    .endpointOverride(URI.create(ENDPOINT))
                    .httpClientBuilder(Apache5HttpClient.builder().maxConnections(CONNECTIONS))
                    .overrideConfiguration(c -> c.apiCallTimeout(Duration.ofSeconds(5)));
            var asyncBuilder = DynamoDbAsyncClient.builder()
                    .region(REGION)
                    .endpointOverride(URI.create(ENDPOINT))
                    .httpClientBuilder(NettyNioAsyncHttpClient.builder().maxConcurrency(CONNECTIONS))
                    .overrideConfiguration(c -> c.apiCallTimeout(Duration.ofSeconds(5)));
            if (local()) {
                syncBuilder.credentialsProvider(localCredentials());
                asyncBuilder.credentialsProvider(localCredentials());
            }
            sync = syncBuilder.build();
            async = asyncBuilder.build();
            // The Cachekit state creates the table when absent; this state may run first.
            DynamoDbBackend.create(
                            DynamoDbBackendOptions.builder()
                                    .table(TABLE)
                                    .clients(sync, async)
                                    .build(),
                            Cachekit.contextOf(CachekitConfig.builder().build()))
                    .close();
            for (int i = 0; i < KEY_COUNT; i++) {
                sync.putItem(put(readKey(i)));
            }
            for (int i = 0; i < KEY_COUNT; i++) {
                byte[] read = checkHit(sync.getItem(get(readKey(i))));
                expect(
                        VALUE,
                        read == null ? null : new String(read, StandardCharsets.UTF_8),
                        "the raw GetItem of " + readKey(i));
            }
            missed.reset();
        }

        GetItemRequest get(String key) {
            return GetItemRequest.builder()
                    .tableName(TABLE)
                    .key(Map.of("pk", AttributeValue.fromS(PREFIX + key)))
                    .consistentRead(true)
                    .build();
        }

        PutItemRequest put(String key) {
            long ttl = System.currentTimeMillis() / 1000 + TTL.toSeconds() + 1;
            return PutItemRequest.builder()
                    .tableName(TABLE)
                    .item(Map.of(
                            "pk", AttributeValue.fromS(PREFIX + key),
                            "v", AttributeValue.fromB(SdkBytes.fromByteArrayUnsafe(VALUE_BYTES)),
                            "ttl", AttributeValue.fromN(Long.toString(ttl))))
                    .build();
        }

        byte[] checkHit(GetItemResponse response) {
            AttributeValue value = response.hasItem() ? response.item().get("v") : null;
            if (value == null) {
                missed.increment();
                return null;
            }
            return value.b().asByteArrayUnsafe();
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
