package io.cachekit.mongodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.ReadPreference;
import com.mongodb.WriteConcern;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import io.cachekit.BackendStatus;
import io.cachekit.Cache;
import io.cachekit.CacheBackendException;
import io.cachekit.CacheValueTooLargeException;
import io.cachekit.Cached;
import io.cachekit.Cachekit;
import io.cachekit.CachekitConfig;
import io.cachekit.mongodb.internal.Entries;
import io.cachekit.spi.BackendContext;
import io.cachekit.tck.ManualClock;
import io.cachekit.tck.ServerProcess;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.bson.BsonBinary;
import org.bson.BsonBinarySubType;
import org.bson.BsonDocument;
import org.bson.BsonInt64;
import org.bson.BsonString;
import org.bson.RawBsonDocument;
import org.bson.codecs.BsonDocumentCodec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What the backend writes and reads, index setup, documents of another layout, the 16 MiB limit, and the
 * settings the connection string carries; against mongo-java-server in a process of the test's own on port
 * 27103 (system property {@code cachekit.mongodb.testPort}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MongoBackendTest {
    private final ServerProcess server =
            WireProtocolServer.onPort(Integer.getInteger("cachekit.mongodb.testPort", 27103));
    private final ExecutorService executor = Executors.newFixedThreadPool(4);
    private MongoClient raw;

    @BeforeAll
    void startServer() {
        server.start();
        raw = MongoClients.create(WireProtocolServer.uri(server));
    }

    @AfterAll
    void stopServer() {
        raw.close();
        executor.shutdownNow();
        server.close();
    }

    private static String unique(String prefix) {
        return prefix + "_" + UUID.randomUUID().toString().substring(0, 8);
    }

    private BackendContext context() {
        return new BackendContext(Duration.ofSeconds(5), Clock.systemUTC(), executor);
    }

    private MongoBackendOptions.Builder options(String collection) {
        return MongoBackendOptions.builder()
                .connectionString(WireProtocolServer.uri(server))
                .database("cachekit_test")
                .collection(collection);
    }

    private MongoCollection<BsonDocument> rawCollection(String collection) {
        return raw.getDatabase("cachekit_test").getCollection(collection, BsonDocument.class);
    }

    private static BsonDocument byId(String id) {
        return new BsonDocument("_id", new BsonString(id));
    }

    // ------------------------------------------------------------------ layout

    @Test
    void documentsHoldNamespaceBinaryValueAndADateExpiry() {
        String name = unique("layout");
        ManualClock storeClock = new ManualClock(Instant.parse("2030-01-01T00:00:00Z"));
        try (MongoBackend backend = MongoBackend.create(options(name).build(), context(), storeClock)) {
            backend.set("users", "42", new byte[] {1, 2, 3}, Duration.ofSeconds(90));
            BsonDocument doc = rawCollection(name).find(byId("users:42")).first();
            assertThat(doc).isNotNull();
            assertThat(doc.getString("ns").getValue()).isEqualTo("users");
            assertThat(doc.getBinary("value").getType()).isEqualTo(BsonBinarySubType.BINARY.getValue());
            assertThat(doc.getBinary("value").getData()).containsExactly(1, 2, 3);
            assertThat(doc.getDateTime("expiresAt").getValue())
                    .as("a BSON Date, so that a TTL index can expire it")
                    .isEqualTo(Instant.parse("2030-01-01T00:01:30Z").toEpochMilli());

            backend.set("users", "42", new byte[] {4}, null);
            BsonDocument replaced = rawCollection(name).find(byId("users:42")).first();
            assertThat(replaced.containsKey("expiresAt"))
                    .as("a write without expiry removes the old expiry")
                    .isFalse();
            assertThat(replaced.getBinary("value").getData()).containsExactly(4);

            backend.set("users", "century", new byte[] {5}, Duration.ofDays(36_500));
            assertThat(rawCollection(name).find(byId("users:century")).first().containsKey("expiresAt"))
                    .as("100 years and more: never expires")
                    .isFalse();
        }
    }

    @Test
    void longKeysAndControlCharactersBecomeADigestId() {
        String name = unique("ids");
        try (MongoBackend backend = MongoBackend.create(options(name).build(), context())) {
            String longKey = "k".repeat(Entries.MAX_ID_BYTES);
            backend.set("ns", longKey, new byte[] {1}, null);
            backend.set("ns", "tab\tkey", new byte[] {2}, null);
            backend.set("ns", "k".repeat(Entries.MAX_ID_BYTES - 3), new byte[] {3}, null);
            List<String> ids = new ArrayList<>();
            rawCollection(name).find().forEach(d -> ids.add(d.getString("_id").getValue()));
            assertThat(ids).hasSize(3);
            assertThat(ids).filteredOn(id -> id.startsWith("ns#")).hasSize(2).allSatisfy(id -> assertThat(id)
                    .hasSize(3 + 43));
            assertThat(ids).contains("ns:" + "k".repeat(Entries.MAX_ID_BYTES - 3));
            assertThat(backend.get("ns", longKey)).containsExactly(1);
            assertThat(backend.get("ns", "tab\tkey")).containsExactly(2);
        }
    }

    @Test
    void expiredDocumentsAreFilteredOnReadThoughTheServerKeepsThem() {
        String name = unique("expiry");
        ManualClock storeClock = new ManualClock();
        try (MongoBackend backend = MongoBackend.create(options(name).build(), context(), storeClock)) {
            backend.set("ns", "short", new byte[] {1}, Duration.ofSeconds(10));
            backend.set("ns", "long", new byte[] {2}, Duration.ofMinutes(10));
            backend.set("ns", "never", new byte[] {3}, null);
            storeClock.advance(Duration.ofSeconds(11));
            assertThat(backend.get("ns", "short")).isNull();
            assertThat(backend.getMany("ns", List.of("short", "long", "never"))).containsOnlyKeys("long", "never");
            // mongo-java-server has no TTL monitor: the expired document is still there, only filtered out.
            // On mongod the monitor deletes it within about a minute.
            assertThat(rawCollection(name).countDocuments(byId("ns:short"))).isEqualTo(1);
        }
    }

    // ------------------------------------------------------------------ conditional writes

    @Test
    void setIfAbsentWritesOverAnAbsentOrExpiredDocumentOnlyAndOtherwiseReturnsTheLiveOne() {
        String name = unique("ifabsent");
        ManualClock storeClock = new ManualClock();
        try (MongoBackend backend = MongoBackend.create(options(name).build(), context(), storeClock)) {
            assertThat(backend.setIfAbsent("ns", "k", new byte[] {1}, Duration.ofSeconds(10)))
                    .as("absent: written")
                    .isNull();
            assertThat(backend.setIfAbsent("ns", "k", new byte[] {2}, null))
                    .as("live: the stored bytes, unchanged")
                    .containsExactly(1);
            BsonDocument doc = rawCollection(name).find(byId("ns:k")).first();
            assertThat(doc.getBinary("value").getData()).containsExactly(1);
            assertThat(doc.getDateTime("expiresAt").getValue()).isEqualTo(storeClock.millis() + 10_000);

            storeClock.advance(Duration.ofSeconds(10));
            assertThat(backend.setIfAbsent("ns", "k", new byte[] {3}, null))
                    .as("expired by the store's clock (the TTL monitor has not run): replaced")
                    .isNull();
            BsonDocument replaced = rawCollection(name).find(byId("ns:k")).first();
            assertThat(replaced.getBinary("value").getData()).containsExactly(3);
            assertThat(replaced.containsKey("expiresAt"))
                    .as("the whole document is replaced")
                    .isFalse();

            storeClock.advance(Duration.ofDays(3650));
            assertThat(backend.setIfAbsent("ns", "k", new byte[] {4}, null))
                    .as("an entry without expiry stays live")
                    .containsExactly(3);

            // Another program's document: a number in expiresAt never compares with a date, so it is live to the
            // store, and Cachekit gets bytes that are no envelope (which it deletes as a corrupt entry).
            rawCollection(name)
                    .insertOne(byId("ns:foreign")
                            .append("value", new BsonString("x"))
                            .append("expiresAt", new BsonInt64(1)));
            assertThat(backend.setIfAbsent("ns", "foreign", new byte[] {5}, null))
                    .isEmpty();
            assertThat(rawCollection(name)
                            .find(byId("ns:foreign"))
                            .first()
                            .getString("value")
                            .getValue())
                    .isEqualTo("x");
        }
    }

    @Test
    void setIfAbsentWritesOnceAmongConcurrentCallersOfSeparateClients() throws Exception {
        // One backend, and so one MongoClient, per simulated process: only the server can decide the winner.
        String name = unique("race");
        int processes = 3;
        int callersPerProcess = 4;
        int rounds = 20;
        ManualClock storeClock = new ManualClock();
        List<MongoBackend> backends = new ArrayList<>();
        ExecutorService callers = Executors.newFixedThreadPool(processes * callersPerProcess);
        try {
            for (int p = 0; p < processes; p++) {
                backends.add(MongoBackend.create(options(name).build(), context(), storeClock));
            }
            for (int round = 0; round < rounds; round++) {
                String key = "k" + round;
                if (round % 2 == 1) {
                    // Odd rounds race over an expired document instead of an absent one.
                    backends.get(0).set("ns", key, new byte[] {-1}, Duration.ofSeconds(1));
                    storeClock.advance(Duration.ofSeconds(2));
                }
                CountDownLatch start = new CountDownLatch(1);
                List<Future<byte[]>> results = new ArrayList<>();
                for (int p = 0; p < processes; p++) {
                    MongoBackend backend = backends.get(p);
                    for (int c = 0; c < callersPerProcess; c++) {
                        byte[] value = {(byte) p, (byte) c};
                        boolean async = c % 2 == 1;
                        results.add(callers.submit(() -> {
                            start.await(10, TimeUnit.SECONDS);
                            return async
                                    ? backend.setIfAbsentAsync("ns", key, value, Duration.ofMinutes(1))
                                            .get(30, TimeUnit.SECONDS)
                                    : backend.setIfAbsent("ns", key, value, Duration.ofMinutes(1));
                        }));
                    }
                }
                start.countDown();
                List<byte[]> answers = new ArrayList<>();
                for (Future<byte[]> r : results) {
                    answers.add(r.get(30, TimeUnit.SECONDS));
                }
                byte[] stored = backends.get(0).get("ns", key);
                assertThat(answers)
                        .as("round %d: exactly one caller wrote", round)
                        .filteredOn(Objects::isNull)
                        .hasSize(1);
                assertThat(answers)
                        .as("round %d: every other caller got the winner's bytes", round)
                        .filteredOn(Objects::nonNull)
                        .hasSize(processes * callersPerProcess - 1)
                        .allSatisfy(a -> assertThat(a).isEqualTo(stored));
                assertThat(stored).hasSize(2);
            }
        } finally {
            callers.shutdownNow();
            backends.forEach(MongoBackend::close);
        }
    }

    @Test
    void setIfAbsentOfAValueOverTheLimitThrowsAndWritesNothing() throws Exception {
        String name = unique("ifabsentsize");
        try (MongoBackend backend = MongoBackend.create(options(name).build(), context())) {
            long overhead = Entries.documentSize("ns:k", "ns", 0, false);
            byte[] over = new byte[(int) (Entries.MAX_DOCUMENT_BYTES - overhead + 1)];
            assertThatThrownBy(() -> backend.setIfAbsent("ns", "k", over, null))
                    .isInstanceOf(CacheValueTooLargeException.class)
                    .hasMessageContaining("over MongoDB's limit of 16777216 bytes");
            assertThatThrownBy(() ->
                            backend.setIfAbsentAsync("ns", "k", over, null).get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(CacheValueTooLargeException.class);
            assertThat(rawCollection(name).countDocuments()).isZero();
        }
    }

    // ------------------------------------------------------------------ indexes

    @Test
    void indexesAreCreatedAtStartAndFoundAgainByTheNextInstance() {
        String name = unique("indexes");
        try (MongoBackend first = MongoBackend.create(options(name).build(), context())) {
            Map<String, BsonDocument> indexes = indexes(name);
            assertThat(indexes).containsKeys("expiresAt_1", "ns_1");
            assertThat(indexes.get("expiresAt_1").getDocument("key")).isEqualTo(BsonDocument.parse("{expiresAt: 1}"));
            assertThat(indexes.get("expiresAt_1")
                            .get("expireAfterSeconds")
                            .asNumber()
                            .longValue())
                    .isZero();
            assertThat(indexes.get("ns_1").getDocument("key")).isEqualTo(BsonDocument.parse("{ns: 1}"));
            try (MongoBackend second =
                    MongoBackend.create(options(name).createIndexes(false).build(), context())) {
                second.set("ns", "k", new byte[] {1}, null);
                assertThat(first.get("ns", "k")).containsExactly(1);
            }
        }
    }

    @Test
    void anIndexOfTheSameNameThatDiffersIsAClearError() {
        // mongod would refuse to create ours beside it (IndexOptionsConflict); mongo-java-server would accept it
        // silently, so the backend compares the index list itself.
        String name = unique("conflict");
        rawCollection(name)
                .createIndex(
                        Indexes.ascending("expiresAt"),
                        new IndexOptions().name("expiresAt_1").expireAfter(3600L, TimeUnit.SECONDS));
        assertThatThrownBy(() -> MongoBackend.create(options(name).build(), context()))
                .isInstanceOf(CacheBackendException.class)
                .hasMessageContaining("'expiresAt_1' {\"expiresAt\": 1} with expireAfterSeconds 3600")
                .hasMessageContaining("Cachekit needs 'expiresAt_1' {\"expiresAt\": 1} with expireAfterSeconds 0")
                .hasMessageContaining("cachekit_test." + name);

        String plain = unique("plain");
        rawCollection(plain).createIndex(Indexes.ascending("expiresAt"), new IndexOptions().name("expiresAt_1"));
        assertThatThrownBy(() -> MongoBackend.create(options(plain).build(), context()))
                .isInstanceOf(CacheBackendException.class)
                .hasMessageContaining("has the index 'expiresAt_1' {\"expiresAt\": 1}, but");

        String otherKey = unique("otherkey");
        rawCollection(otherKey).createIndex(Indexes.ascending("ns", "value"), new IndexOptions().name("ns_1"));
        assertThatThrownBy(() -> MongoBackend.create(options(otherKey).build(), context()))
                .isInstanceOf(CacheBackendException.class)
                .hasMessageContaining("'ns_1' {\"ns\": 1, \"value\": 1}");
    }

    @Test
    void indexesUnderOtherNamesServeWhenTheyAreEqual() {
        String name = unique("othernames");
        rawCollection(name)
                .createIndex(
                        Indexes.ascending("expiresAt"),
                        new IndexOptions().name("ttl").expireAfter(0L, TimeUnit.SECONDS));
        rawCollection(name).createIndex(Indexes.ascending("ns"), new IndexOptions().name("by_namespace"));
        MongoBackend.create(options(name).build(), context()).close();
        assertThat(indexes(name)).containsOnlyKeys("_id_", "ttl", "by_namespace");
    }

    @Test
    void missingIndexesFailWhenTheBackendMayNotCreateThem() {
        String name = unique("nocreate");
        assertThatThrownBy(() ->
                        MongoBackend.create(options(name).createIndexes(false).build(), context()))
                .isInstanceOf(CacheBackendException.class)
                .hasMessageContaining("lacks the index(es) 'expiresAt_1'")
                .hasMessageContaining("createIndexes is false");
        assertThat(indexes(name)).doesNotContainKey("expiresAt_1");
    }

    private Map<String, BsonDocument> indexes(String collection) {
        Map<String, BsonDocument> byName = new LinkedHashMap<>();
        rawCollection(collection)
                .listIndexes(BsonDocument.class)
                .forEach(d -> byName.put(d.getString("name").getValue(), d));
        return byName;
    }

    // ------------------------------------------------------------------ foreign documents and sizes

    @Test
    void documentsOfAnotherLayoutAreACountedMissNeverAnException() {
        String name = unique("foreign");
        try (MongoBackend backend = MongoBackend.create(options(name).build(), context());
                Cache cache = Cachekit.create(
                        CachekitConfig.builder()
                                .namespace("app")
                                .executor(executor)
                                .build(),
                        backend)) {
            MongoCollection<BsonDocument> docs = rawCollection(name);
            docs.insertOne(byId("app:text").append("ns", new BsonString("app")).append("value", new BsonString("hi")));
            docs.insertOne(byId("app:none").append("ns", new BsonString("app")));
            docs.insertOne(
                    byId("app:uuid").append("value", new BsonBinary(BsonBinarySubType.UUID_STANDARD, new byte[16])));
            // The Python original's layout: an integer expiry, which no TTL index ever expires.
            docs.insertOne(byId("app:python")
                    .append("value", new BsonString("pickled"))
                    .append("expiresAt", new BsonInt64(1)));

            List<String> keys = List.of("text", "none", "uuid", "python");
            for (String key : keys) {
                assertThat(cache.get(key, String.class)).as(key).isNull();
            }
            assertThat(cache.stats().corruptEntries()).isEqualTo(4);
            assertThat(cache.stats().hits()).isZero();
            assertThat(docs.countDocuments())
                    .as("each is deleted as a corrupt entry")
                    .isZero();

            docs.insertOne(byId("app:bulk").append("value", new BsonString("x")));
            cache.set("good", "v");
            assertThat(backend.getMany("app", List.of("bulk", "good")))
                    .containsOnlyKeys("bulk", "good")
                    .hasEntrySatisfying("bulk", bytes -> assertThat(bytes).isEmpty());
            assertThat(cache.getMany(List.of("bulk", "good"), String.class)).containsOnly(Map.entry("good", "v"));
        }
    }

    @Test
    void theSixteenMebibyteLimitIsCheckedExactlyBeforeAnythingIsSent() {
        String name = unique("size");
        try (MongoBackend backend = MongoBackend.create(options(name).build(), context())) {
            long overhead = Entries.documentSize("ns:k", "ns", 0, true);
            // mongo-java-server refuses a replacement whose update statement (the document plus a few dozen
            // bytes around it) exceeds 16 MiB, where mongod allows 16 KiB more; so the largest value written
            // here leaves that room, and the check of the limit itself needs no server.
            byte[] large = new byte[(int) (Entries.MAX_DOCUMENT_BYTES - overhead - 1024)];
            large[large.length - 1] = 7;
            backend.set("ns", "k", large, Duration.ofMinutes(1));
            BsonDocument stored = rawCollection(name).find(byId("ns:k")).first();
            assertThat((long) new RawBsonDocument(stored, new BsonDocumentCodec())
                            .getByteBuffer()
                            .remaining())
                    .as("the computed size is the real one")
                    .isEqualTo(Entries.documentSize("ns:k", "ns", large.length, true));
            assertThat(backend.get("ns", "k")).hasSize(large.length).endsWith(7);

            byte[] over = new byte[(int) (Entries.MAX_DOCUMENT_BYTES - overhead + 1)];
            assertThatThrownBy(() -> backend.set("ns", "k", over, Duration.ofMinutes(1)))
                    .isInstanceOf(CacheValueTooLargeException.class)
                    .hasMessageContaining("makes a document of 16777217 bytes")
                    .hasMessageContaining("over MongoDB's limit of 16777216 bytes")
                    .hasMessageContaining("nothing was written");
            assertThat(backend.get("ns", "k")).as("the old value stays").hasSize(large.length);

            Map<String, byte[]> batch = new LinkedHashMap<>();
            batch.put("small", new byte[] {1});
            batch.put("k", over);
            assertThatThrownBy(() -> backend.setMany("ns", batch, Duration.ofMinutes(1)))
                    .isInstanceOf(CacheValueTooLargeException.class);
            assertThat(backend.get("ns", "small"))
                    .as("nothing of the batch is written")
                    .isNull();
        }
    }

    // ------------------------------------------------------------------ through Cachekit

    /**
     * {@code cache} once it has connected: a cache from a URI starts connecting in the background when the first
     * attempt takes longer than creation waits (a loaded machine), and until then runs without the store.
     */
    private static Cache connected(Cache cache) {
        try {
            Awaitility.await("connected")
                    .atMost(Duration.ofSeconds(60))
                    .until(() -> cache.backendStatus() != BackendStatus.CONNECTING);
            assertThat(cache.backendStatus()).isEqualTo(BackendStatus.UP);
            return cache;
        } catch (RuntimeException | AssertionError e) {
            cache.close();
            throw e;
        }
    }

    /** A service whose results are cached. */
    public interface Prices {
        @Cached(ttl = "10m")
        int price(String item);
    }

    @Test
    void methodCachingThroughTheUriRunsTheRealMethodOncePerArgument() {
        String name = unique("proxy");
        AtomicInteger calls = new AtomicInteger();
        try (Cache cache = connected(Cachekit.fromUri(WireProtocolServer.uri(server) + "/cachekit_test?collection="
                + name + "&namespace=prices&timeout=2s"))) {
            Prices prices = cache.proxy(Prices.class, item -> {
                calls.incrementAndGet();
                return item.length();
            });
            assertThat(prices.price("apple")).isEqualTo(5);
            assertThat(prices.price("apple")).isEqualTo(5);
            assertThat(prices.price("kiwi")).isEqualTo(4);
            assertThat(calls).as("one real call per argument").hasValue(2);
            assertThat(rawCollection(name).countDocuments(new BsonDocument("ns", new BsonString("prices"))))
                    .isEqualTo(2);
            cache.clear();
            assertThat(prices.price("apple")).isEqualTo(5);
            assertThat(calls).as("cleared: the real method runs again").hasValue(3);
        }
    }

    @Test
    void writeConcernAndReadPreferenceComeFromTheConnectionString() {
        String name = unique("settings");
        try (Cache cache = connected(Cachekit.fromUri(WireProtocolServer.uri(server) + "/cachekit_test?collection="
                + name + "&w=majority&journal=true&readPreference=primaryPreferred&namespace=s"))) {
            @SuppressWarnings("unchecked")
            MongoCollection<BsonDocument> collection = cache.unwrap(MongoCollection.class);
            assertThat(collection.getWriteConcern()).isEqualTo(WriteConcern.MAJORITY.withJournal(true));
            assertThat(collection.getReadPreference()).isEqualTo(ReadPreference.primaryPreferred());
            assertThat(collection.getNamespace().getFullName()).isEqualTo("cachekit_test." + name);
            cache.set("k", "v");
            assertThat(cache.get("k", String.class)).isEqualTo("v");
        }
    }

    @Test
    void aSuppliedClientIsUsedAndNeverClosed() {
        String name = unique("supplied");
        try (MongoClient app = MongoClients.create(WireProtocolServer.uri(server))) {
            MongoBackend backend = MongoBackend.create(
                    MongoBackendOptions.builder()
                            .client(app)
                            .database("cachekit_test")
                            .collection(name)
                            .build(),
                    context());
            backend.set("ns", "k", new byte[] {1}, Duration.ofMinutes(1));
            assertThat(backend.unwrap(MongoClient.class)).isSameAs(app);
            backend.close();
            assertThatThrownBy(() -> backend.get("ns", "k"))
                    .isInstanceOf(CacheBackendException.class)
                    .hasMessageContaining("closed");
            assertThat(app.getDatabase("cachekit_test").getCollection(name).countDocuments())
                    .as("the application's client still works")
                    .isEqualTo(1);
        }
    }

    @Test
    void asyncOperationsRunOnTheContextsExecutor() throws Exception {
        String name = unique("async");
        try (MongoBackend backend = MongoBackend.create(options(name).build(), context())) {
            backend.setAsync("ns", "k", new byte[] {9}, Duration.ofMinutes(1)).get(10, TimeUnit.SECONDS);
            backend.setManyAsync("ns", Map.of("a", new byte[] {1}, "b", new byte[] {2}), null)
                    .get(10, TimeUnit.SECONDS);
            assertThat(backend.getAsync("ns", "k").get(10, TimeUnit.SECONDS)).containsExactly(9);
            assertThat(backend.getManyAsync("ns", List.of("a", "b", "c")).get(10, TimeUnit.SECONDS))
                    .containsOnlyKeys("a", "b");
            backend.clearAsync("ns").get(10, TimeUnit.SECONDS);
            assertThat(backend.getAsync("ns", "a").get(10, TimeUnit.SECONDS)).isNull();
        }
    }
}
