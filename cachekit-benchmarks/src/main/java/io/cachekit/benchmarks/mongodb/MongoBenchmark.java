package io.cachekit.benchmarks.mongodb;

import static io.cachekit.benchmarks.ReadWriteKeys.KEY_COUNT;
import static io.cachekit.benchmarks.ReadWriteKeys.TTL;
import static io.cachekit.benchmarks.ReadWriteKeys.expect;
import static io.cachekit.benchmarks.ReadWriteKeys.recordKey;
import static io.cachekit.benchmarks.ReadWriteKeys.stringKey;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.ReplaceOneModel;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.result.UpdateResult;
import io.cachekit.AsyncCache;
import io.cachekit.Cache;
import io.cachekit.Cachekit;
import io.cachekit.CachekitConfig;
import io.cachekit.benchmarks.BlockingExecutors;
import io.cachekit.benchmarks.Payloads;
import io.cachekit.benchmarks.ReadWriteKeys;
import io.cachekit.benchmarks.UserRecord;
import io.cachekit.benchmarks.report.Goal;
import io.cachekit.benchmarks.report.ReportRow;
import io.cachekit.mongodb.MongoBackend;
import io.cachekit.mongodb.MongoBackendOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.bson.BsonBinary;
import org.bson.BsonDateTime;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;
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
 * Cachekit's MongoDB backend against the raw MongoDB Java driver (mongodb-driver-sync, the same version) doing a
 * {@code find} by {@code _id} and a {@code replaceOne} with upsert of the same bytes on the same server.
 *
 * <p>The server is the one {@code -Dcachekit.mongodb.uri=mongodb://...} names, by default {@code
 * mongodb://127.0.0.1:27117}, where {@code scripts/bench-servers/mongodb.sh} runs mongo-java-server (a MongoDB
 * wire-protocol server in Java, in memory; no real mongod can be installed on the build machines) in a JVM of its
 * own, which stays warm across the group's forks. Both sides talk to it over TCP through the same driver, so the
 * ratio compares the client paths; its absolute numbers say nothing about mongod. Each side has a collection of its
 * own ({@code bench_cachekit}, {@code bench_raw}, with the same indexes: Cachekit creates both), dropped at the
 * start of every fork, and a five-second operation timeout. The raw rows do what a careful application writes by
 * hand: a {@code find} by {@code _id} of the value and {@code expiresAt} that treats an expired document as a miss
 * (MongoDB's TTL monitor deletes them only about once a minute), checking {@code expiresAt} in the client as
 * Cachekit does (on mongo-java-server a filter on it beside {@code _id} made each find several times slower, for
 * both sides), and a {@code replaceOne} that sets {@code expiresAt}, with the ~1 KB JSON record encoded and decoded
 * by Jackson on every call (the same payload bytes as Cachekit's); a 100-character string is the second value. The
 * driver is blocking, so Cachekit's async calls run on its bounded executor and the raw async rows on an executor
 * built the same way. Setup checks that every measured read is a hit, and teardown fails the run if one was not.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 1, time = 1)
@Measurement(iterations = 2, time = 1)
public class MongoBenchmark {
    static final int IN_FLIGHT = 16;
    static final String DATABASE = "cachekit";
    static final String CACHEKIT_COLLECTION = "bench_cachekit";
    static final String RAW_COLLECTION = "bench_raw";
    static final Duration TIMEOUT = Duration.ofSeconds(5);

    // ---------------------------------------------------------------- Cachekit rows

    @Benchmark
    @ReportRow(
            label = "Cachekit `Cache.get` of the ~1 KB JSON record (MongoDB)",
            compareTo = "rawFind",
            goals = {@Goal(atLeast = 0.95, source = "issue 17"), @Goal(atLeast = 0.9, source = "issue 11")},
            order = 10)
    public UserRecord cachekitGet(CachekitState state, ReadWriteKeys keys) {
        return state.cache.get(keys.nextRecordRead(), UserRecord.class);
    }

    @Benchmark
    @ReportRow(
            label = "Cachekit `Cache.set` of the ~1 KB JSON record (MongoDB)",
            compareTo = "rawReplaceOne",
            goals = {@Goal(atLeast = 0.95, source = "issue 17"), @Goal(atLeast = 0.9, source = "issue 11")},
            order = 11)
    public void cachekitSet(CachekitState state, ReadWriteKeys keys) {
        state.cache.set(keys.nextRecordWrite(), Payloads.RECORD, TTL);
    }

    @Benchmark
    @OperationsPerInvocation(IN_FLIGHT)
    @ReportRow(
            label = "Cachekit `AsyncCache.get` of the record (MongoDB, " + IN_FLIGHT + " in flight)",
            compareTo = "rawAsyncFind",
            goals = {@Goal(atLeast = 0.95, source = "issue 17"), @Goal(atLeast = 0.9, source = "issue 11")},
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
            label = "Cachekit `AsyncCache.set` of the record (MongoDB, " + IN_FLIGHT + " in flight)",
            compareTo = "rawAsyncReplaceOne",
            goals = {@Goal(atLeast = 0.95, source = "issue 17"), @Goal(atLeast = 0.9, source = "issue 11")},
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
            label = "Cachekit `Cache.get` of a 100-character string (MongoDB)",
            compareTo = "rawFindString",
            goals = {@Goal(atLeast = 0.95, source = "issue 17"), @Goal(atLeast = 0.9, source = "issue 11")},
            threads = 1,
            order = 30)
    public String cachekitGetString(CachekitState state, ReadWriteKeys keys) {
        return state.cache.get(keys.nextStringRead(), String.class);
    }

    @Benchmark
    @ReportRow(
            label = "Cachekit `Cache.set` of a 100-character string (MongoDB)",
            compareTo = "rawReplaceOneString",
            goals = {@Goal(atLeast = 0.95, source = "issue 17"), @Goal(atLeast = 0.9, source = "issue 11")},
            threads = 1,
            order = 31)
    public void cachekitSetString(CachekitState state, ReadWriteKeys keys) {
        state.cache.set(keys.nextStringWrite(), Payloads.STRING, TTL);
    }

    // ---------------------------------------------------------------- raw driver rows

    @Benchmark
    @ReportRow(label = "Raw driver `find` by `_id` + Jackson")
    public UserRecord rawFind(RawState state, ReadWriteKeys keys) {
        return state.checkHit(Payloads.decode(state.get(keys.nextRecordRead())));
    }

    @Benchmark
    @ReportRow(
            label = "Raw driver `find` by `_id` + Jackson, the same code again (control)",
            compareTo = "rawFind",
            control = true,
            threads = 1,
            order = 900)
    public UserRecord rawFindControl(RawState state, ReadWriteKeys keys) {
        return rawFind(state, keys);
    }

    @Benchmark
    @ReportRow(label = "Raw driver `replaceOne` with upsert + Jackson")
    public UpdateResult rawReplaceOne(RawState state, ReadWriteKeys keys) {
        return state.set(keys.nextRecordWrite(), Payloads.encode(Payloads.RECORD));
    }

    @Benchmark
    @OperationsPerInvocation(IN_FLIGHT)
    @ReportRow(label = "Raw driver `find` + Jackson on an executor (" + IN_FLIGHT + " in flight)")
    public void rawAsyncFind(RawState state, ReadWriteKeys keys, Blackhole blackhole) {
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
    @ReportRow(label = "Raw driver `replaceOne` + Jackson on an executor (" + IN_FLIGHT + " in flight)")
    public void rawAsyncReplaceOne(RawState state, ReadWriteKeys keys) {
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
    @ReportRow(label = "Raw driver `find` by `_id` of the string")
    public String rawFindString(RawState state, ReadWriteKeys keys) {
        return state.checkHit(Payloads.decodeString(state.get(keys.nextStringRead())));
    }

    @Benchmark
    @ReportRow(label = "Raw driver `replaceOne` with upsert of the string")
    public UpdateResult rawReplaceOneString(RawState state, ReadWriteKeys keys) {
        return state.set(keys.nextStringWrite(), Payloads.STRING.getBytes(StandardCharsets.UTF_8));
    }

    // ---------------------------------------------------------------- subjects

    /**
     * The server both sides use: the one {@code cachekit.mongodb.uri} names, by default the mongo-java-server that
     * {@code scripts/bench-servers/mongodb.sh} runs in a JVM of its own on port 27117.
     */
    @State(Scope.Benchmark)
    public static class Server {
        String uri;

        @Setup(Level.Trial)
        public void setUp() {
            uri = System.getProperty("cachekit.mongodb.uri", "mongodb://127.0.0.1:27117");
        }

        /** Drops a collection, then lets Cachekit create it with its indexes. */
        void recreate(String collection) {
            try (MongoClient client = MongoClients.create(uri)) {
                client.getDatabase(DATABASE).getCollection(collection).drop();
            }
            CachekitConfig config = CachekitConfig.builder().build();
            MongoBackend.create(options(collection), Cachekit.contextOf(config)).close();
        }

        MongoBackendOptions options(String collection) {
            return MongoBackendOptions.builder()
                    .connectionString(uri)
                    .database(DATABASE)
                    .collection(collection)
                    .build();
        }
    }

    /** Cachekit on its MongoDB backend, collection {@code bench_cachekit}, with its own client. */
    @State(Scope.Benchmark)
    public static class CachekitState {
        Cache cache;
        AsyncCache async;
        private long missesAfterSetup;

        @Setup(Level.Trial)
        public void setUp(Server server) {
            Payloads.checkSameBytes();
            server.recreate(CACHEKIT_COLLECTION);
            CachekitConfig config = CachekitConfig.builder()
                    .namespace("bench-cachekit")
                    .operationTimeout(TIMEOUT)
                    .build();
            MongoBackend backend = MongoBackend.create(server.options(CACHEKIT_COLLECTION), Cachekit.contextOf(config));
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

    /** The raw driver on collection {@code bench_raw}, namespace {@code bench-raw}, in Cachekit's layout. */
    @State(Scope.Benchmark)
    public static class RawState {
        private static final String NAMESPACE = "bench-raw";
        private static final ReplaceOptions UPSERT = new ReplaceOptions().upsert(true);
        private static final BsonDocument VALUE_AND_EXPIRY =
                new BsonDocument("value", new BsonInt32(1)).append("expiresAt", new BsonInt32(1));

        private MongoClient client;
        private MongoCollection<BsonDocument> collection;
        ExecutorService executor;
        private final LongAdder missed = new LongAdder();

        @Setup(Level.Trial)
        public void setUp(Server server) {
            Payloads.checkSameBytes();
            server.recreate(RAW_COLLECTION);
            client = MongoClients.create(server.uri);
            collection = client.getDatabase(DATABASE)
                    .getCollection(RAW_COLLECTION, BsonDocument.class)
                    .withTimeout(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            executor = BlockingExecutors.create("raw-mongo");
            List<ReplaceOneModel<BsonDocument>> writes = new ArrayList<>();
            for (int i = 0; i < KEY_COUNT; i++) {
                writes.add(replacement(recordKey(i), Payloads.RECORD_BYTES));
                writes.add(replacement(stringKey(i), Payloads.STRING_BYTES));
            }
            collection.bulkWrite(writes, new BulkWriteOptions().ordered(false));
            for (int i = 0; i < KEY_COUNT; i++) {
                expect(Payloads.RECORD, Payloads.decode(get(recordKey(i))), "the raw find of " + recordKey(i));
                expect(Payloads.STRING, Payloads.decodeString(get(stringKey(i))), "the raw find of " + stringKey(i));
            }
            missed.reset();
        }

        byte[] get(String key) {
            BsonDocument filter = new BsonDocument("_id", new BsonString(NAMESPACE + ":" + key));
            BsonDocument found =
                    collection.find(filter).projection(VALUE_AND_EXPIRY).first();
            // Every document set() writes has an expiresAt: one not after now is expired, a miss.
            return found == null || found.getDateTime("expiresAt").getValue() <= System.currentTimeMillis()
                    ? null
                    : found.getBinary("value").getData();
        }

        UpdateResult set(String key, byte[] value) {
            String id = NAMESPACE + ":" + key;
            return collection.replaceOne(new BsonDocument("_id", new BsonString(id)), document(id, value), UPSERT);
        }

        private static BsonDocument document(String id, byte[] value) {
            return new BsonDocument("_id", new BsonString(id))
                    .append("ns", new BsonString(NAMESPACE))
                    .append("value", new BsonBinary(value))
                    .append("expiresAt", new BsonDateTime(System.currentTimeMillis() + TTL.toMillis()));
        }

        private static ReplaceOneModel<BsonDocument> replacement(String key, byte[] value) {
            String id = NAMESPACE + ":" + key;
            return new ReplaceOneModel<>(new BsonDocument("_id", new BsonString(id)), document(id, value), UPSERT);
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
                    throw new IllegalStateException("A measured raw find missed");
                }
            } finally {
                executor.shutdownNow();
                client.close();
            }
        }
    }
}
