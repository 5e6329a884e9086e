package io.cachekit.benchmarks.mongodb;

import static io.cachekit.benchmarks.ReadWriteKeys.KEY_COUNT;
import static io.cachekit.benchmarks.ReadWriteKeys.expect;
import static io.cachekit.benchmarks.ReadWriteKeys.readKey;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.result.UpdateResult;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import io.cachekit.Cache;
import io.cachekit.Cachekit;
import io.cachekit.CachekitConfig;
import io.cachekit.benchmarks.ReadWriteKeys;
import io.cachekit.benchmarks.report.ReportRow;
import io.cachekit.mongodb.MongoBackend;
import io.cachekit.mongodb.MongoBackendOptions;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.bson.BsonBinary;
import org.bson.BsonDateTime;
import org.bson.BsonDocument;
import org.bson.BsonString;
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
 * Cachekit's MongoDB backend against the raw MongoDB Java driver (mongodb-driver-sync, the same version)
 * doing the same work on the same collection of the same server: {@code find} by {@code _id} and {@code
 * replaceOne} with upsert.
 *
 * <p>The server is the one {@code -Dcachekit.mongodb.uri=mongodb://...} names. Without it, each fork starts
 * mongo-java-server (a MongoDB wire-protocol server in Java, in memory; no real mongod can be installed on
 * the build machines) on a free loopback port in the benchmark's own JVM: both sides then talk to it over TCP
 * through the same driver, so the ratio still compares the client paths, but the server shares the JVM and
 * its absolute numbers say nothing about mongod. Reads walk 1,024 pre-written keys holding 100-character
 * strings; writes cycle over another 1,024 keys with a ten-minute TTL. The raw rows do what a careful
 * application would write by hand: a {@code find} that filters out expired documents (MongoDB's TTL monitor
 * deletes them only about once a minute) and a {@code replaceOne} that sets {@code expiresAt}. Cachekit adds
 * its envelope (codec, flags, expiry) and key handling on top. Setup checks that every measured read is a
 * hit, and teardown fails the run if one was not.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
// One thread, as in the PostgreSQL group: every operation is a round trip to a server on the same (small)
// machine, and more client threads make the rows swing between iterations.
@Threads(1)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
public class MongoBenchmark {
    static final String DATABASE = "cachekit";
    static final String COLLECTION = "cachekit_benchmark";
    static final Duration TTL = Duration.ofMinutes(10);
    static final String VALUE = "v".repeat(100);

    // ---------------------------------------------------------------- rows

    @Benchmark
    @ReportRow(
            label = "Cachekit `Cache.get` (MongoDB backend)",
            baseline = "rawDriverFind",
            atLeast = 0.9,
            target = "Cachekit get on MongoDB >= 0.9 x a raw driver find by _id")
    public String cachekitGet(CachekitState state, ReadWriteKeys keys) {
        return state.cache.get(keys.nextRead(), String.class);
    }

    @Benchmark
    @ReportRow(
            label = "Cachekit `Cache.set` (MongoDB backend)",
            baseline = "rawDriverReplaceOne",
            atLeast = 0.9,
            target = "Cachekit set on MongoDB >= 0.9 x a raw driver replaceOne with upsert")
    public void cachekitSet(CachekitState state, ReadWriteKeys keys) {
        state.cache.set(keys.nextWrite(), VALUE, TTL);
    }

    @Benchmark
    @ReportRow(label = "Raw driver `find` by `_id` (mongodb-driver-sync)")
    public String rawDriverFind(RawState state, ReadWriteKeys keys) {
        return state.get(keys.nextRead());
    }

    @Benchmark
    @ReportRow(label = "Raw driver `replaceOne` with upsert (mongodb-driver-sync)")
    public UpdateResult rawDriverReplaceOne(RawState state, ReadWriteKeys keys) {
        return state.set(keys.nextWrite(), VALUE, TTL);
    }

    // ---------------------------------------------------------------- subjects

    /** The server both sides use: the one {@code cachekit.mongodb.uri} names, or mongo-java-server in this JVM. */
    @State(Scope.Benchmark)
    public static class Server {
        String uri;
        private MongoServer embedded;

        @Setup(Level.Trial)
        public void setUp() {
            uri = System.getProperty("cachekit.mongodb.uri");
            if (uri == null) {
                embedded = new MongoServer(new MemoryBackend());
                embedded.bind("127.0.0.1", 0);
                InetSocketAddress address = embedded.getLocalAddress();
                uri = "mongodb://127.0.0.1:" + address.getPort();
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            if (embedded != null) {
                embedded.shutdownNow();
            }
        }
    }

    /** Cachekit on its MongoDB backend, namespace {@code bench-cachekit}, with its own client. */
    @State(Scope.Benchmark)
    public static class CachekitState {
        Cache cache;
        private long missesAfterSetup;

        @Setup(Level.Trial)
        public void setUp(Server server) {
            CachekitConfig config = CachekitConfig.builder()
                    .namespace("bench-cachekit")
                    .operationTimeout(Duration.ofSeconds(5))
                    .build();
            MongoBackend backend = MongoBackend.create(
                    MongoBackendOptions.builder()
                            .connectionString(server.uri)
                            .database(DATABASE)
                            .collection(COLLECTION)
                            .build(),
                    Cachekit.contextOf(config));
            cache = Cachekit.create(config, backend);
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

    /** The raw driver, namespace {@code bench-raw}, in the same collection and the same document layout. */
    @State(Scope.Benchmark)
    public static class RawState {
        private static final String NAMESPACE = "bench-raw";
        private static final ReplaceOptions UPSERT = new ReplaceOptions().upsert(true);

        private MongoClient client;
        private MongoCollection<BsonDocument> collection;
        private final LongAdder missed = new LongAdder();

        @Setup(Level.Trial)
        public void setUp(Server server) {
            client = MongoClients.create(server.uri);
            collection = client.getDatabase(DATABASE)
                    .getCollection(COLLECTION, BsonDocument.class)
                    .withTimeout(5, TimeUnit.SECONDS);
            for (int i = 0; i < KEY_COUNT; i++) {
                set(readKey(i), VALUE, TTL);
            }
            for (int i = 0; i < KEY_COUNT; i++) {
                expect(VALUE, get(readKey(i)), "the raw find of " + readKey(i));
            }
            missed.reset();
        }

        String get(String key) {
            BsonDocument filter = new BsonDocument("_id", new BsonString(NAMESPACE + ":" + key))
                    .append("expiresAt", new BsonDocument("$gt", new BsonDateTime(System.currentTimeMillis())));
            BsonDocument found = collection.find(filter).first();
            if (found == null) {
                missed.increment();
                return null;
            }
            return new String(found.getBinary("value").getData(), StandardCharsets.UTF_8);
        }

        UpdateResult set(String key, String value, Duration ttl) {
            String id = NAMESPACE + ":" + key;
            BsonDocument document = new BsonDocument("_id", new BsonString(id))
                    .append("ns", new BsonString(NAMESPACE))
                    .append("value", new BsonBinary(value.getBytes(StandardCharsets.UTF_8)))
                    .append("expiresAt", new BsonDateTime(System.currentTimeMillis() + ttl.toMillis()));
            return collection.replaceOne(new BsonDocument("_id", new BsonString(id)), document, UPSERT);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            try {
                if (missed.sum() != 0) {
                    throw new IllegalStateException("A measured raw find missed");
                }
            } finally {
                client.close();
            }
        }
    }
}
