package io.cachekit.firestore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.google.cloud.Timestamp;
import com.google.cloud.firestore.Blob;
import com.google.cloud.firestore.CollectionReference;
import com.google.cloud.firestore.DocumentReference;
import com.google.cloud.firestore.DocumentSnapshot;
import com.google.cloud.firestore.Firestore;
import com.google.cloud.firestore.Precondition;
import io.cachekit.BackendStatus;
import io.cachekit.Cache;
import io.cachekit.CacheBackendException;
import io.cachekit.CacheValueTooLargeException;
import io.cachekit.Cached;
import io.cachekit.Cachekit;
import io.cachekit.CachekitConfig;
import io.cachekit.firestore.internal.DocumentLayout;
import io.cachekit.firestore.internal.FirestoreErrors;
import io.cachekit.spi.BackendContext;
import io.cachekit.spi.StoredKeys;
import io.cachekit.tck.ManualClock;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What the Firestore backend writes and how it reads, clears and refuses, checked against the documents in
 * the emulator (127.0.0.1:8700 unless {@code cachekit.firestore.host} says otherwise) through a raw client.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FirestoreBackendTest {
    private final ExecutorService executor = Executors.newFixedThreadPool(4);
    private ManualClock clock;
    private BackendContext context;

    private Firestore raw;
    private String collection;
    private FirestoreBackend backend;
    private String ns;

    @BeforeAll
    void connectRawClient() {
        raw = FirestoreTestEmulator.rawClient();
    }

    @AfterAll
    void closeRawClient() {
        executor.shutdownNow();
        if (raw != null) {
            FirestoreTestEmulator.close(raw);
        }
    }

    @BeforeEach
    void newBackend() {
        clock = new ManualClock(Instant.parse("2026-03-04T05:06:07.008Z"));
        context = new BackendContext(Duration.ofSeconds(10), clock, executor);
        collection = FirestoreTestEmulator.newCollection();
        backend = open("");
        ns = "ns-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @AfterEach
    void closeBackend() {
        backend.close();
    }

    private FirestoreBackend open(String options) {
        return (FirestoreBackend) FirestoreTestEmulator.connect(
                FirestoreTestEmulator.uri(collection) + (options.isEmpty() ? "" : "&" + options), context);
    }

    private DocumentSnapshot rawDocument(String namespace, String key) throws Exception {
        return raw.collection(collection)
                .document(DocumentLayout.documentId(namespace, key))
                .get()
                .get(30, TimeUnit.SECONDS);
    }

    private int rawCount(String namespace) throws Exception {
        return raw.collection(collection)
                .whereEqualTo("ns", namespace)
                .get()
                .get(30, TimeUnit.SECONDS)
                .size();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------- layout and expiry

    @Test
    void anEntryIsOneDocumentWithNamespaceValueAndATimestampExpiry() throws Exception {
        backend.set(ns, "user:42", bytes("payload"), Duration.ofSeconds(90));
        DocumentSnapshot document = rawDocument(ns, "user:42");
        assertThat(document.exists()).isTrue();
        assertThat(document.getId()).isEqualTo(StoredKeys.digest(ns, "user:42"));
        assertThat(document.getData()).containsOnlyKeys("ns", "value", "expiresAt");
        assertThat(document.get("ns")).isEqualTo(ns);
        assertThat(document.get("value")).isEqualTo(Blob.fromBytes(bytes("payload")));
        assertThat(document.get("expiresAt"))
                .as("a Timestamp, the type a Firestore TTL policy needs")
                .isInstanceOf(Timestamp.class)
                .isEqualTo(Timestamp.parseTimestamp("2026-03-04T05:07:37.008Z"));
    }

    @Test
    void anEntryWithoutTtlHasNoExpiryAndAWriteReplacesAnEarlierOne() throws Exception {
        backend.set(ns, "k", bytes("first"), Duration.ofSeconds(5));
        backend.set(ns, "k", bytes("second"), null);
        DocumentSnapshot document = rawDocument(ns, "k");
        assertThat(document.getData()).containsOnlyKeys("ns", "value", "expiresAt");
        assertThat(document.get("expiresAt"))
                .as("null: no TTL policy deletes it")
                .isNull();
        clock.advance(Duration.ofDays(1));
        assertThat(backend.get(ns, "k")).isEqualTo(bytes("second"));
    }

    @Test
    void expiredDocumentsAreMissesOnEveryReadAndStayForTheTtlPolicy() throws Exception {
        backend.set(ns, "short", bytes("s"), Duration.ofSeconds(10));
        backend.set(ns, "long", bytes("l"), Duration.ofMinutes(10));
        clock.advance(Duration.ofSeconds(9));
        assertThat(backend.get(ns, "short")).isEqualTo(bytes("s"));
        clock.advance(Duration.ofSeconds(1));
        assertThat(backend.get(ns, "short")).as("expired at its deadline").isNull();
        assertThat(backend.getAsync(ns, "short").get(30, TimeUnit.SECONDS)).isNull();
        assertThat(backend.getMany(ns, List.of("short", "long"))).containsOnlyKeys("long");
        assertThat(backend.getManyAsync(ns, List.of("short", "long")).get(30, TimeUnit.SECONDS))
                .containsOnlyKeys("long");
        assertThat(rawDocument(ns, "short").exists())
                .as("Firestore's TTL policy deletes it, not the read")
                .isTrue();
    }

    // ---------------------------------------------------------------- size limit

    /** The largest value whose document fits in 1 MiB, by the layout's size rules. */
    private int largestValue(String namespace, String key, boolean expires) {
        long overhead = DocumentLayout.documentBytes(
                DocumentLayout.pathBytes(collection), DocumentLayout.documentId(namespace, key), namespace, 0, expires);
        return (int) (DocumentLayout.MAX_DOCUMENT_BYTES - overhead);
    }

    @Test
    void aDocumentOverOneMebibyteIsAClearErrorAndNothingIsWritten() throws Exception {
        backend.set(ns, "big", bytes("small before"), null);
        byte[] tooBig = new byte[largestValue(ns, "big", true) + 1];
        assertThatThrownBy(() -> backend.set(ns, "big", tooBig, Duration.ofMinutes(1)))
                .as("not a failure of the store, so it never opens the circuit breaker")
                .isInstanceOf(CacheValueTooLargeException.class)
                .hasMessageContaining("1048576")
                .hasMessageContaining("nothing was written");
        assertThat(backend.setAsync(ns, "big", tooBig, Duration.ofMinutes(1)))
                .failsWithin(Duration.ofSeconds(10))
                .withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(CacheValueTooLargeException.class);
        assertThat(rawDocument(ns, "big").get("value")).isEqualTo(Blob.fromBytes(bytes("small before")));

        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("a", bytes("1"));
        entries.put("b", new byte[DocumentLayout.MAX_DOCUMENT_BYTES]);
        entries.put("c", bytes("3"));
        assertThatThrownBy(() -> backend.setMany(ns, entries, null)).isInstanceOf(CacheValueTooLargeException.class);
        assertThat(backend.setManyAsync(ns, entries, null))
                .failsWithin(Duration.ofSeconds(10))
                .withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(CacheValueTooLargeException.class);
        assertThat(backend.getMany(ns, List.of("a", "b", "c")))
                .as("no entry of a bulk write with one oversized document")
                .isEmpty();
    }

    @Test
    void setIfAbsentOfADocumentOverOneMebibyteWritesNothing() throws Exception {
        byte[] tooBig = new byte[largestValue(ns, "big", false) + 1];
        assertThatThrownBy(() -> backend.setIfAbsent(ns, "big", tooBig, null))
                .isInstanceOf(CacheValueTooLargeException.class)
                .hasMessageContaining("firestore setIfAbsent");
        assertThat(backend.setIfAbsentAsync(ns, "big", tooBig, null))
                .failsWithin(Duration.ofSeconds(10))
                .withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(CacheValueTooLargeException.class);
        assertThat(rawDocument(ns, "big").exists()).isFalse();
    }

    @Test
    void oversizedValuesNeverOpenTheCircuitBreaker() {
        try (Cache cache = Cachekit.fromUri(FirestoreTestEmulator.uri(collection) + "&namespace=" + ns)) {
            byte[] tooBig = new byte[DocumentLayout.MAX_DOCUMENT_BYTES];
            for (int i = 0; i < 25; i++) {
                assertThatThrownBy(() -> cache.set("big", tooBig)).isInstanceOf(CacheValueTooLargeException.class);
            }
            assertThat(cache.backendStatus())
                    .as("25 refused values are no failures of the store")
                    .isEqualTo(BackendStatus.UP);
            cache.set("small", "v");
            assertThat(cache.get("small", String.class)).isEqualTo("v");
        }
    }

    @Test
    void theLargestDocumentThatFitsIsWrittenAndReadBack() {
        byte[] largest = new byte[largestValue(ns, "edge", true)];
        largest[largest.length - 1] = 7;
        backend.set(ns, "edge", largest, Duration.ofMinutes(1));
        assertThat(backend.get(ns, "edge")).isEqualTo(largest);
        byte[] largestWithoutExpiry = new byte[largestValue(ns, "edge2", false)];
        backend.set(ns, "edge2", largestWithoutExpiry, null);
        assertThat(backend.get(ns, "edge2")).hasSize(largestWithoutExpiry.length);
        assertThatThrownBy(() -> backend.set(ns, "edge2", new byte[largestWithoutExpiry.length + 1], null))
                .isInstanceOf(CacheBackendException.class);
    }

    @Test
    void theEmulatorAgreesWithTheSizeRules() throws Exception {
        Assumptions.assumeTrue(
                FirestoreTestEmulator.isGoogleEmulator(),
                "only Google's emulator enforces Firestore's 1 MiB document limit; @firestore-emulator/server does not");
        Map<String, Object> fields = new HashMap<>();
        fields.put("ns", ns);
        fields.put("value", Blob.fromBytes(new byte[largestValue(ns, "raw", false) + 1]));
        fields.put("expiresAt", null);
        var write = raw.collection(collection)
                .document(DocumentLayout.documentId(ns, "raw"))
                .set(fields);
        assertThatThrownBy(() -> write.get(30, TimeUnit.SECONDS))
                .as("one byte over the computed limit")
                .isInstanceOf(ExecutionException.class);
    }

    // ---------------------------------------------------------------- setIfAbsent

    /**
     * {@code callers} concurrent setIfAbsent calls of one key, each writing "v" + its index, on four backends
     * with clients of their own (as in four processes), every other one async; their results in caller order.
     */
    private List<byte[]> setIfAbsentConcurrently(String key, int callers) throws Exception {
        List<FirestoreBackend> writers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            writers.add(open(""));
        }
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<byte[]>> futures = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                FirestoreBackend writer = writers.get(i % writers.size());
                byte[] value = bytes("v" + i);
                boolean async = i % 2 == 1;
                futures.add(pool.submit(() -> {
                    assertThat(start.await(30, TimeUnit.SECONDS)).isTrue();
                    return async
                            ? writer.setIfAbsentAsync(ns, key, value, null).get(30, TimeUnit.SECONDS)
                            : writer.setIfAbsent(ns, key, value, null);
                }));
            }
            start.countDown();
            List<byte[]> results = new ArrayList<>();
            for (Future<byte[]> future : futures) {
                results.add(future.get(60, TimeUnit.SECONDS));
            }
            return results;
        } finally {
            pool.shutdownNow();
            writers.forEach(FirestoreBackend::close);
        }
    }

    /** Exactly one caller wrote (returned null), its value is stored, and every other caller got that value. */
    private void assertOneWriter(String key, List<byte[]> results) throws Exception {
        List<Integer> writers = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            if (results.get(i) == null) {
                writers.add(i);
            }
        }
        assertThat(writers).as("callers that wrote").hasSize(1);
        byte[] stored = backend.get(ns, key);
        assertThat(stored).isEqualTo(bytes("v" + writers.get(0)));
        assertThat(results)
                .filteredOn(Objects::nonNull)
                .hasSize(results.size() - 1)
                .allSatisfy(existing -> assertThat(existing).isEqualTo(stored));
    }

    /**
     * Firestore and Google's emulator enforce an update-time precondition; @firestore-emulator/server enforces
     * only the exists precondition (it ignores update times, and its transactions isolate nothing), so there
     * concurrent replacements of one expired document may all succeed.
     */
    private static void assumeUpdateTimePreconditions() {
        Assumptions.assumeTrue(
                FirestoreTestEmulator.isGoogleEmulator(),
                "only Google's emulator enforces update-time preconditions, as Firestore does;"
                        + " @firestore-emulator/server ignores them");
    }

    @Test
    void theEmulatorEnforcesThePreconditionsThatSetIfAbsentRestsOn() throws Exception {
        assumeUpdateTimePreconditions();
        DocumentReference document = raw.collection(collection).document(DocumentLayout.documentId(ns, "pre"));
        Map<String, Object> fields = DocumentLayout.fields(ns, bytes("a"), null);
        document.create(fields).get(30, TimeUnit.SECONDS);
        Throwable exists = catchThrowable(() -> document.create(fields).get(30, TimeUnit.SECONDS));
        assertThat(FirestoreErrors.hasStatus(exists, Status.Code.ALREADY_EXISTS))
                .as("create of an existing document: %s", exists)
                .isTrue();

        Timestamp read = document.get().get(30, TimeUnit.SECONDS).getUpdateTime();
        document.update(DocumentLayout.fields(ns, bytes("b"), null), Precondition.updatedAt(read))
                .get(30, TimeUnit.SECONDS);
        Throwable stale = catchThrowable(
                () -> document.update(DocumentLayout.fields(ns, bytes("c"), null), Precondition.updatedAt(read))
                        .get(30, TimeUnit.SECONDS));
        assertThat(FirestoreErrors.hasStatus(stale, Status.Code.FAILED_PRECONDITION))
                .as("update of a version that is no longer there: %s", stale)
                .isTrue();
        assertThat(backend.get(ns, "pre")).isEqualTo(bytes("b"));
    }

    @Test
    void setIfAbsentWritesOnceAmongWritersWithClientsOfTheirOwn() throws Exception {
        assertOneWriter("free", setIfAbsentConcurrently("free", 12));
    }

    @Test
    void anExpiredDocumentIsReplacedByExactlyOneOfConcurrentWriters() throws Exception {
        assumeUpdateTimePreconditions();
        backend.set(ns, "expired", bytes("old"), Duration.ofSeconds(10));
        clock.advance(Duration.ofSeconds(10));
        assertThat(rawDocument(ns, "expired").exists())
                .as("still there: only Firestore's TTL policy deletes it")
                .isTrue();
        assertOneWriter("expired", setIfAbsentConcurrently("expired", 12));
        assertThat(rawDocument(ns, "expired").get("expiresAt"))
                .as("the old expiry is gone with the old value")
                .isNull();
    }

    @Test
    void setIfAbsentLeavesALiveEntryUntouchedAndReturnsIt() throws Exception {
        backend.set(ns, "k", bytes("first"), Duration.ofSeconds(30));
        Timestamp written = rawDocument(ns, "k").getUpdateTime();
        clock.advance(Duration.ofSeconds(29));
        assertThat(backend.setIfAbsent(ns, "k", bytes("second"), null)).isEqualTo(bytes("first"));
        assertThat(backend.setIfAbsentAsync(ns, "k", bytes("third"), null).get(30, TimeUnit.SECONDS))
                .isEqualTo(bytes("first"));
        assertThat(rawDocument(ns, "k").getUpdateTime()).as("not written again").isEqualTo(written);

        clock.advance(Duration.ofSeconds(1));
        assertThat(backend.setIfAbsent(ns, "k", bytes("fourth"), Duration.ofMinutes(1)))
                .as("expired at its deadline: written")
                .isNull();
        DocumentSnapshot document = rawDocument(ns, "k");
        assertThat(document.getData()).containsOnlyKeys("ns", "value", "expiresAt");
        assertThat(document.get("value")).isEqualTo(Blob.fromBytes(bytes("fourth")));
        assertThat(document.get("expiresAt")).isEqualTo(Timestamp.parseTimestamp("2026-03-04T05:07:37.008Z"));

        assertThat(backend.setIfAbsentAsync(ns, "fresh", bytes("x"), null).get(30, TimeUnit.SECONDS))
                .isNull();
        assertThat(backend.get(ns, "fresh")).isEqualTo(bytes("x"));
    }

    @Test
    void setIfAbsentThroughACacheWritesOnceAndReplacesExpiredEntries() {
        try (Cache cache = Cachekit.create(
                CachekitConfig.builder().namespace(ns).clock(clock).build(), backend)) {
            assertThat(cache.setIfAbsent("k", "first", Duration.ofSeconds(5))).isTrue();
            assertThat(cache.setIfAbsent("k", "second", null)).isFalse();
            assertThat(cache.async().setIfAbsent("k", "third", null).join()).isFalse();
            assertThat(cache.get("k", String.class)).isEqualTo("first");
            clock.advance(Duration.ofSeconds(6));
            assertThat(cache.async().setIfAbsent("k", "fourth", null).join()).isTrue();
            assertThat(cache.get("k", String.class)).isEqualTo("fourth");
        }
    }

    // ---------------------------------------------------------------- clear and bulk

    @Test
    void clearOfOneNamespaceLeavesAnotherUntouchedOverManyPages() throws Exception {
        try (FirestoreBackend paged = open("batchSize=7")) {
            String other = ns + "-x"; // the cleared namespace's text is its prefix
            String third = "other-" + UUID.randomUUID().toString().substring(0, 8);
            for (int i = 0; i < 40; i++) {
                paged.set(ns, "k" + i, bytes("v" + i), null);
            }
            for (int i = 0; i < 12; i++) {
                paged.set(other, "k" + i, bytes("o" + i), null);
                paged.set(third, "k" + i, bytes("t" + i), Duration.ofMinutes(5));
            }
            paged.clear(ns);
            assertThat(rawCount(ns)).isZero();
            assertThat(rawCount(other)).isEqualTo(12);
            assertThat(rawCount(third)).isEqualTo(12);
            assertThat(paged.get(other, "k3")).isEqualTo(bytes("o3"));

            paged.clearAsync(other).get(30, TimeUnit.SECONDS);
            assertThat(rawCount(other)).isZero();
            assertThat(rawCount(third)).isEqualTo(12);
            paged.clear(ns); // an empty namespace
            paged.clearAsync(ns).get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void setManyWritesSeveralBatchesAndGetManyReadsThemInOneCall() throws Exception {
        try (FirestoreBackend paged = open("batchSize=7")) {
            Map<String, byte[]> entries = new LinkedHashMap<>();
            for (int i = 0; i < 30; i++) {
                entries.put("bulk-" + i, bytes("value-" + i));
            }
            paged.setMany(ns, entries, Duration.ofMinutes(1));
            List<String> keys = new ArrayList<>(entries.keySet());
            keys.add("bulk-3"); // twice
            keys.add("absent");
            Map<String, byte[]> found = paged.getMany(ns, keys);
            assertThat(found).hasSize(30).doesNotContainKey("absent");
            assertThat(found.get("bulk-29")).isEqualTo(bytes("value-29"));

            Map<String, byte[]> more = new LinkedHashMap<>();
            for (int i = 0; i < 15; i++) {
                more.put("async-" + i, bytes("a" + i));
            }
            paged.setManyAsync(ns, more, null).get(30, TimeUnit.SECONDS);
            assertThat(paged.getManyAsync(ns, more.keySet()).get(30, TimeUnit.SECONDS))
                    .hasSize(15);
            assertThat(rawCount(ns)).isEqualTo(45);
            assertThat(paged.getMany(ns, List.of())).isEmpty();
        }
    }

    // ---------------------------------------------------------------- foreign documents

    @Test
    void documentsOfAnotherWriterAreCountedAsCorruptAndDeletedNeverThrown() throws Exception {
        CollectionReference documents = raw.collection(collection);
        documents
                .document(DocumentLayout.documentId(ns, "string-value"))
                .set(Map.of("ns", ns, "value", "not bytes"))
                .get(30, TimeUnit.SECONDS);
        documents
                .document(DocumentLayout.documentId(ns, "string-expiry"))
                .set(Map.of("ns", ns, "value", Blob.fromBytes(bytes("x")), "expiresAt", "tomorrow"))
                .get(30, TimeUnit.SECONDS);
        documents
                .document(DocumentLayout.documentId(ns, "no-fields"))
                .set(Map.of())
                .get(30, TimeUnit.SECONDS);
        documents.document("unrelated").set(Map.of("ns", 42, "other", true)).get(30, TimeUnit.SECONDS);

        assertThat(backend.get(ns, "string-value")).isEmpty();
        assertThat(backend.getMany(ns, List.of("string-expiry", "no-fields")))
                .hasEntrySatisfying("string-expiry", bytes -> assertThat(bytes).isEmpty())
                .hasEntrySatisfying("no-fields", bytes -> assertThat(bytes).isEmpty());
        assertThat(backend.setIfAbsent(ns, "string-value", bytes("mine"), null))
                .as("in the way, returned as bytes that are no envelope, and not overwritten")
                .isEmpty();
        assertThat(rawDocument(ns, "string-value").get("value")).isEqualTo("not bytes");

        try (Cache cache = Cachekit.create(
                CachekitConfig.builder().namespace(ns).clock(clock).build(), backend)) {
            for (String key : List.of("string-value", "string-expiry", "no-fields")) {
                assertThat(cache.get(key, String.class)).as(key).isNull();
            }
            assertThat(cache.stats().corruptEntries()).isEqualTo(3);
            Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(rawCount(ns))
                    .isZero());
            cache.set("k", "v");
            cache.clear();
            assertThat(cache.has("k")).isFalse();
        }
        assertThat(documents
                        .document("unrelated")
                        .get()
                        .get(30, TimeUnit.SECONDS)
                        .exists())
                .isTrue();
    }

    // ---------------------------------------------------------------- collections and clients

    @Test
    void aSubcollectionPathHoldsTheEntries() throws Exception {
        String parent = FirestoreTestEmulator.newCollection();
        String path = parent + "/tenant-a/cache";
        try (FirestoreBackend nested =
                (FirestoreBackend) FirestoreTestEmulator.connect(FirestoreTestEmulator.uri(path), context)) {
            nested.set(ns, "k", bytes("v"), null);
            assertThat(nested.get(ns, "k")).isEqualTo(bytes("v"));
            assertThat(raw.collection(path)
                            .document(DocumentLayout.documentId(ns, "k"))
                            .get()
                            .get(30, TimeUnit.SECONDS)
                            .exists())
                    .isTrue();
            nested.clear(ns);
            assertThat(nested.get(ns, "k")).isNull();
        }
    }

    @Test
    void aSuppliedClientIsUsedAndNeverClosed() throws Exception {
        FirestoreBackend supplied = FirestoreBackend.create(
                FirestoreBackendOptions.builder()
                        .firestore(raw)
                        .collection(collection)
                        .build(),
                context);
        assertThat(supplied.unwrap(Firestore.class)).isSameAs(raw);
        assertThat(supplied.toString()).contains(FirestoreTestEmulator.PROJECT).contains(collection);
        supplied.set(ns, "k", bytes("v"), null);
        assertThat(backend.get(ns, "k")).isEqualTo(bytes("v"));
        supplied.close();
        assertThat(rawDocument(ns, "k").exists())
                .as("the raw client still works")
                .isTrue();
        assertThatThrownBy(() -> supplied.get(ns, "k"))
                .isInstanceOf(CacheBackendException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void aClosedBackendFailsEveryOperation() {
        backend.close();
        backend.close();
        assertThatThrownBy(() -> backend.get(ns, "k")).isInstanceOf(CacheBackendException.class);
        assertThatThrownBy(() -> backend.set(ns, "k", bytes("v"), null)).isInstanceOf(CacheBackendException.class);
        assertThatThrownBy(() -> backend.clear(ns)).isInstanceOf(CacheBackendException.class);
        assertThatThrownBy(() -> backend.getMany(ns, List.of())).isInstanceOf(CacheBackendException.class);
        assertThatThrownBy(() -> backend.setIfAbsent(ns, "k", bytes("v"), null))
                .isInstanceOf(CacheBackendException.class)
                .hasMessageContaining("closed");
        assertThat(backend.getAsync(ns, "k"))
                .failsWithin(Duration.ofSeconds(10))
                .withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(CacheBackendException.class);
    }

    @Test
    void nullArgumentsAreRejected() {
        assertThatThrownBy(() -> backend.get(null, "k")).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> backend.get(ns, null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> backend.set(ns, "k", null, null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> backend.getAsync(ns, null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> backend.setMany(ns, null, null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> backend.setIfAbsent(ns, null, bytes("v"), null))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> backend.setIfAbsentAsync(ns, "k", null, null))
                .isInstanceOf(NullPointerException.class);
    }

    // ---------------------------------------------------------------- through Cachekit

    /** A service whose results are cached. */
    interface Rates {
        @Cached(ttl = "10m")
        String rate(String currency);

        @Cached(ttl = "10m")
        CompletableFuture<String> rateAsync(String currency);
    }

    @Test
    void methodResultsAreCachedInFirestore() {
        AtomicInteger calls = new AtomicInteger();
        Rates real = new Rates() {
            @Override
            public String rate(String currency) {
                calls.incrementAndGet();
                return "rate of " + currency;
            }

            @Override
            public CompletableFuture<String> rateAsync(String currency) {
                calls.incrementAndGet();
                return CompletableFuture.completedFuture("async rate of " + currency);
            }
        };
        try (Cache cache = Cachekit.fromUri(FirestoreTestEmulator.uri(collection) + "&namespace=" + ns)) {
            Rates rates = cache.proxy(Rates.class, real);
            for (int i = 0; i < 3; i++) {
                assertThat(rates.rate("EUR")).isEqualTo("rate of EUR");
            }
            assertThat(calls).as("one real call, then hits").hasValue(1);
            for (int i = 0; i < 3; i++) {
                assertThat(rates.rateAsync("NOK").join()).isEqualTo("async rate of NOK");
            }
            assertThat(calls).as("one real async call, then hits").hasValue(2);
            assertThat(cache.stats().hits()).isEqualTo(4);
            cache.clear();
            assertThat(rates.rate("EUR")).isEqualTo("rate of EUR");
            assertThat(calls).as("loaded again after clear").hasValue(3);
        }
    }
}
