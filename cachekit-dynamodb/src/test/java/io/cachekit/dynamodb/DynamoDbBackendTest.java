package io.cachekit.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.cachekit.BackendStatus;
import io.cachekit.Cache;
import io.cachekit.CacheBackendException;
import io.cachekit.CacheTimeoutException;
import io.cachekit.CacheValueTooLargeException;
import io.cachekit.Cachekit;
import io.cachekit.CachekitConfig;
import io.cachekit.dynamodb.TestDynamo.Requests;
import io.cachekit.dynamodb.internal.ItemLayout;
import io.cachekit.spi.BackendContext;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * What the DynamoDB backend does beyond the common contract, on the shared dynalite: its item layout, the
 * requests each operation makes (counted by an SDK interceptor on the test's own clients), clear without a
 * Scan, the item size limit, batches with unprocessed items, expiry, and its table.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DynamoDbBackendTest {
    private static final String TABLE = "cachekit_backend_test";

    private final Requests requests = new Requests();
    private final ExecutorService executor = Executors.newFixedThreadPool(4);
    private DynamoDbClient client;
    private DynamoDbAsyncClient asyncClient;
    private DynamoDbBackend backend;

    @BeforeAll
    void createBackend() {
        client = TestDynamo.client(TestDynamo.ENDPOINT, requests);
        asyncClient = TestDynamo.asyncClient(TestDynamo.ENDPOINT, requests);
        backend = DynamoDbBackend.create(
                DynamoDbBackendOptions.builder()
                        .table(TABLE)
                        .clients(client, asyncClient)
                        .build(),
                context(Duration.ofSeconds(60), Clock.systemUTC()));
    }

    @AfterAll
    void close() {
        backend.close();
        client.close();
        asyncClient.close();
        executor.shutdownNow();
    }

    @AfterEach
    void forgetRequests() {
        requests.reset();
    }

    private BackendContext context(Duration timeout, Clock clock) {
        return new BackendContext(timeout, clock, executor);
    }

    private static String newNamespace() {
        return "t-" + UUID.randomUUID().toString().substring(0, 12);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private Map<String, AttributeValue> rawItem(String pk) {
        return client.getItem(b -> b.tableName(TABLE).key(ItemLayout.key(pk)).consistentRead(true))
                .item();
    }

    // ---------------------------------------------------------------- requests per operation

    @Test
    void aHitIsOneBatchGetItemAndAWriteOnePutItem() {
        String ns = newNamespace();
        backend.set(ns, "k", bytes("v"), Duration.ofMinutes(1));
        requests.reset();

        assertThat(backend.get(ns, "k")).isEqualTo(bytes("v"));
        assertThat(requests.operations()).containsExactly("BatchGetItem");
        requests.reset();

        assertThat(backend.getAsync(ns, "k").join()).isEqualTo(bytes("v"));
        assertThat(requests.operations()).containsExactly("BatchGetItem");
        requests.reset();

        // The generation of k's shard was read just now, so a write there needs no read first (unless this
        // thread stalled for over a second: then the write reads the generation again, which is allowed).
        String k2 = sameShard(ns, "k");
        backend.set(ns, "k", bytes("w"), null);
        backend.setAsync(ns, k2, bytes("w"), null).join();
        assertThat(requests.operations()).filteredOn("PutItem"::equals).hasSize(2);
        assertThat(requests.operations()).isSubsetOf("PutItem", "BatchGetItem");
        requests.reset();

        backend.delete(ns, "k");
        backend.deleteAsync(ns, k2).join();
        assertThat(requests.operations()).containsExactly("DeleteItem", "DeleteItem");
        assertThat(backend.get(ns, "k")).isNull();
        assertThat(backend.get(ns, k2)).isNull();

        // A key of a shard whose generation this process never read: one read of it, then the write.
        String elsewhere = otherShard(ns, "k");
        backend.set(ns, elsewhere, bytes("x"), null);
        assertThat(requests.operations()).endsWith("BatchGetItem", "PutItem");
    }

    private static String sameShard(String ns, String key) {
        int shard = ItemLayout.shard(ItemLayout.entryKey(ns, key));
        for (int i = 0; ; i++) {
            if (ItemLayout.shard(ItemLayout.entryKey(ns, key + i)) == shard) {
                return key + i;
            }
        }
    }

    private static String otherShard(String ns, String key) {
        int shard = ItemLayout.shard(ItemLayout.entryKey(ns, key));
        for (int i = 0; ; i++) {
            if (ItemLayout.shard(ItemLayout.entryKey(ns, key + "-" + i)) != shard) {
                return key + "-" + i;
            }
        }
    }

    @Test
    void aNamespaceOf10000EntriesIsClearedWithOneUpdatePerGenerationItemAndNoScan() {
        String big = newNamespace();
        String other = newNamespace();
        Map<String, byte[]> entries = new LinkedHashMap<>();
        for (int i = 0; i < 10_000; i++) {
            entries.put("key-" + i, bytes("value-" + i));
        }
        Map<String, byte[]> others = new LinkedHashMap<>();
        for (int i = 0; i < 300; i++) {
            others.put("key-" + i, bytes("other-" + i));
        }
        backend.setMany(big, entries, Duration.ofHours(1));
        backend.setManyAsync(other, others, null).join();
        assertThat(requests.operations())
                .as("setMany writes 25 items a request")
                .filteredOn("BatchWriteItem"::equals)
                .hasSize(10_000 / 25 + 300 / 25);
        assertThat(backend.getMany(big, List.of("key-0", "key-9999"))).hasSize(2);
        requests.reset();

        backend.clear(big);

        assertThat(requests.operations())
                .as("clear increments each generation item once, whatever the namespace holds")
                .containsOnly("UpdateItem")
                .hasSize(ItemLayout.GENERATION_SHARDS);
        requests.reset();

        assertThat(backend.getMany(big, entries.keySet()))
                .as("every entry is gone")
                .isEmpty();
        assertThat(requests.operations())
                .as("reads of 100 items a request, the 8 generation items first")
                .containsOnly("BatchGetItem")
                .hasSize((10_000 + ItemLayout.GENERATION_SHARDS + 99) / 100);
        assertThat(backend.getManyAsync(other, others.keySet()).join())
                .as("the other namespace is untouched")
                .hasSize(300)
                .allSatisfy((key, value) -> assertThat(value).isEqualTo(others.get(key)));

        requests.reset();
        backend.clearAsync(other).join();
        assertThat(requests.operations()).containsOnly("UpdateItem").hasSize(ItemLayout.GENERATION_SHARDS);
        assertThat(backend.get(other, "key-7")).isNull();
        assertThat(requests.operations()).doesNotContain("Scan", "Query");
    }

    // ---------------------------------------------------------------- clear across processes

    @Test
    void afterClearReturnsNoBackendReadsAnEntryWrittenBeforeIt() {
        String ns = newNamespace();
        try (DynamoDbBackend other = DynamoDbBackend.create(
                TestDynamo.options(TABLE).build(), context(Duration.ofSeconds(10), Clock.systemUTC()))) {
            backend.set(ns, "k", bytes("before"), null);
            backend.setMany(ns, Map.of("a", bytes("1"), "b", bytes("2")), null);
            assertThat(other.get(ns, "k")).isEqualTo(bytes("before"));

            other.clear(ns);

            assertThat(backend.get(ns, "k"))
                    .as("the writer, which knew the old generation")
                    .isNull();
            assertThat(backend.getMany(ns, List.of("k", "a", "b"))).isEmpty();
            assertThat(backend.getAsync(ns, "a").join()).isNull();
            assertThat(other.get(ns, "k")).isNull();

            other.set(ns, "k", bytes("after"), null);
            assertThat(backend.get(ns, "k"))
                    .as("a write after the clear is seen")
                    .isEqualTo(bytes("after"));
            backend.set(ns, "b", bytes("after too"), null);
            assertThat(other.get(ns, "b")).isEqualTo(bytes("after too"));
        }
    }

    @Test
    void setsRacingAClearNeverMakeAnOlderEntryVisibleAfterIt() throws Exception {
        try (DynamoDbBackend clearer = DynamoDbBackend.create(
                TestDynamo.options(TABLE).build(), context(Duration.ofSeconds(10), Clock.systemUTC()))) {
            for (int round = 0; round < 5; round++) {
                String ns = newNamespace();
                AtomicBoolean clearStarted = new AtomicBoolean();
                AtomicBoolean stop = new AtomicBoolean();
                // The highest write number whose set returned before the clear started.
                AtomicLong doneBeforeClear = new AtomicLong(-1);
                AtomicInteger written = new AtomicInteger();
                Future<?> writer = executor.submit(() -> {
                    for (long n = 0; !stop.get(); n++) {
                        backend.set(ns, "k", bytes(Long.toString(n)), null);
                        written.incrementAndGet();
                        if (!clearStarted.get()) {
                            doneBeforeClear.set(n);
                        }
                    }
                    return null;
                });
                await().until(() -> written.get() >= 3);
                clearStarted.set(true);
                clearer.clear(ns);
                long limit = doneBeforeClear.get();
                for (DynamoDbBackend reader : List.of(clearer, backend)) {
                    byte[] seen = reader.get(ns, "k");
                    if (seen != null) {
                        assertThat(Long.parseLong(new String(seen, StandardCharsets.UTF_8)))
                                .as("a write that completed before the clear started is never read after it")
                                .isGreaterThan(limit);
                    }
                }
                stop.set(true);
                writer.get();
            }
        }
    }

    // ---------------------------------------------------------------- setIfAbsent

    @Test
    void setIfAbsentReadsTheEntryWithItsGenerationAndWritesOnlyOverADeadOne() {
        String ns = newNamespace();
        for (boolean viaAsync : List.of(false, true)) {
            String key = viaAsync ? "async" : "sync";
            requests.reset();
            byte[] first = viaAsync
                    ? backend.setIfAbsentAsync(ns, key, bytes("first"), Duration.ofMinutes(1))
                            .join()
                    : backend.setIfAbsent(ns, key, bytes("first"), Duration.ofMinutes(1));
            assertThat(first).as("written").isNull();
            assertThat(requests.operations())
                    .as("a consistent read of the entry and its generation, then the conditional put")
                    .containsExactly("BatchGetItem", "PutItem");
            requests.reset();

            byte[] second = viaAsync
                    ? backend.setIfAbsentAsync(ns, key, bytes("second"), null).join()
                    : backend.setIfAbsent(ns, key, bytes("second"), null);
            assertThat(second).as("the live entry's bytes").isEqualTo(bytes("first"));
            assertThat(requests.operations())
                    .as("a live entry answers from the read")
                    .containsExactly("BatchGetItem");
            assertThat(backend.get(ns, key)).isEqualTo(bytes("first"));

            Map<String, AttributeValue> item = rawItem(ItemLayout.entryKey(ns, key));
            assertThat(item).containsKeys("v", "g", "exp", "ttl");
        }
    }

    @Test
    void setIfAbsentReplacesAnEntryThatAnotherProcessClearedThoughTheWriterRemembersTheOldGeneration() {
        String ns = newNamespace();
        try (DynamoDbBackend other = DynamoDbBackend.create(
                TestDynamo.options(TABLE).build(), context(Duration.ofSeconds(10), Clock.systemUTC()))) {
            backend.set(ns, "k", bytes("before"), null);
            backend.set(ns, "a", bytes("before"), null);
            other.clear(ns);

            assertThat(backend.setIfAbsent(ns, "k", bytes("after"), null)).isNull();
            assertThat(backend.setIfAbsentAsync(ns, "a", bytes("after"), null).join())
                    .isNull();
            assertThat(other.get(ns, "k")).isEqualTo(bytes("after"));
            assertThat(other.get(ns, "a")).isEqualTo(bytes("after"));
            assertThat(other.setIfAbsent(ns, "k", bytes("again"), null)).isEqualTo(bytes("after"));
            assertThat(other.setIfAbsentAsync(ns, "a", bytes("again"), null).join())
                    .isEqualTo(bytes("after"));
        }
    }

    @Test
    void ofConcurrentCallersInTwoProcessesExactlyOneWrites() throws Exception {
        int callers = 16;
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        try (DynamoDbBackend other = DynamoDbBackend.create(
                TestDynamo.options(TABLE).build(), context(Duration.ofSeconds(30), Clock.systemUTC()))) {
            for (int round = 0; round < 10; round++) {
                String ns = newNamespace();
                CountDownLatch start = new CountDownLatch(1);
                List<Future<byte[]>> results = new ArrayList<>();
                for (int i = 0; i < callers; i++) {
                    DynamoDbBackend process = i % 2 == 0 ? backend : other;
                    boolean viaAsync = (i / 2) % 2 == 0;
                    byte[] mine = bytes("caller-" + i);
                    results.add(pool.submit(() -> {
                        start.await();
                        return viaAsync
                                ? process.setIfAbsentAsync(ns, "k", mine, null).join()
                                : process.setIfAbsent(ns, "k", mine, null);
                    }));
                }
                start.countDown();
                int written = 0;
                List<byte[]> existing = new ArrayList<>();
                for (Future<byte[]> result : results) {
                    byte[] r = result.get(60, java.util.concurrent.TimeUnit.SECONDS);
                    if (r == null) {
                        written++;
                    } else {
                        existing.add(r);
                    }
                }
                assertThat(written).as("round %d: callers that wrote", round).isEqualTo(1);
                byte[] stored = other.get(ns, "k");
                assertThat(existing)
                        .as("every other caller got the winner's bytes")
                        .allSatisfy(r -> assertThat(r).isEqualTo(stored));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aCallerThatLosesTheRaceGetsTheWinnersBytesFromTheFailedConditionOrFromARead() {
        Racing racing = new Racing();
        try (DynamoDbClient raw = TestDynamo.client(TestDynamo.ENDPOINT, new Requests());
                DynamoDbClient sync = DynamoDbClient.builder()
                        .endpointOverride(java.net.URI.create(TestDynamo.ENDPOINT))
                        .region(TestDynamo.REGION)
                        .credentialsProvider(TestDynamo.credentials())
                        .overrideConfiguration(
                                c -> c.addExecutionInterceptor(requests).addExecutionInterceptor(racing))
                        .build();
                DynamoDbAsyncClient async = DynamoDbAsyncClient.builder()
                        .endpointOverride(java.net.URI.create(TestDynamo.ENDPOINT))
                        .region(TestDynamo.REGION)
                        .credentialsProvider(TestDynamo.credentials())
                        .overrideConfiguration(
                                c -> c.addExecutionInterceptor(requests).addExecutionInterceptor(racing))
                        .build();
                DynamoDbBackend racer = DynamoDbBackend.create(
                        DynamoDbBackendOptions.builder()
                                .table(TABLE)
                                .clients(sync, async)
                                .build(),
                        context(Duration.ofSeconds(30), Clock.systemUTC()))) {
            racing.raw = raw;
            for (boolean allOld : List.of(false, true)) {
                for (boolean viaAsync : List.of(false, true)) {
                    String ns = newNamespace();
                    racing.returnOldItem = allOld;
                    racing.winner.set(ItemLayout.entryItem(
                            ItemLayout.entryKey(ns, "k"), bytes("winner"), 0, null, Instant.now(), null));
                    requests.reset();
                    byte[] result = viaAsync
                            ? racer.setIfAbsentAsync(ns, "k", bytes("loser"), null)
                                    .join()
                            : racer.setIfAbsent(ns, "k", bytes("loser"), null);
                    assertThat(result).isEqualTo(bytes("winner"));
                    assertThat(requests.operations())
                            .as(
                                    allOld
                                            ? "DynamoDB returned the item in the way with the failed condition"
                                            : "dynalite does not return it: one consistent read of it")
                            .containsExactlyElementsOf(
                                    allOld
                                            ? List.of("BatchGetItem", "PutItem")
                                            : List.of("BatchGetItem", "PutItem", "BatchGetItem"));
                    assertThat(racer.get(ns, "k")).isEqualTo(bytes("winner"));
                }
            }
            assertThat(racing.allOldAsked)
                    .as("every conditional put asks for ALL_OLD")
                    .isTrue();

            // A winner whose entry is gone before the loser reads it: the loser goes round again and writes.
            for (boolean viaAsync : List.of(false, true)) {
                String ns = newNamespace();
                racing.returnOldItem = false;
                racing.deleteAfterFailure = true;
                racing.winner.set(ItemLayout.entryItem(
                        ItemLayout.entryKey(ns, "k"), bytes("winner"), 0, null, Instant.now(), null));
                requests.reset();
                byte[] result = viaAsync
                        ? racer.setIfAbsentAsync(ns, "k", bytes("second"), null).join()
                        : racer.setIfAbsent(ns, "k", bytes("second"), null);
                assertThat(result).isNull();
                assertThat(requests.operations()).containsExactly("BatchGetItem", "PutItem", "BatchGetItem", "PutItem");
                assertThat(racer.get(ns, "k")).isEqualTo(bytes("second"));
            }
        }
    }

    /**
     * Makes a conditional put lose a race: just before the next one is sent, another writer's item (the
     * {@link #winner}) is put with a client of its own. With {@link #returnOldItem} it also does what DynamoDB
     * does for {@code ReturnValuesOnConditionCheckFailure=ALL_OLD} and dynalite does not: the failed
     * condition's exception carries the item in the way. With {@link #deleteAfterFailure} the winner's entry is
     * deleted right after the loser's condition failed.
     */
    static final class Racing implements ExecutionInterceptor {
        final AtomicReference<Map<String, AttributeValue>> winner = new AtomicReference<>();
        volatile DynamoDbClient raw;
        volatile boolean returnOldItem;
        volatile boolean deleteAfterFailure;
        volatile boolean allOldAsked = true;

        @Override
        public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
            if (context.request() instanceof PutItemRequest put && put.conditionExpression() != null) {
                if (put.returnValuesOnConditionCheckFailure() != ReturnValuesOnConditionCheckFailure.ALL_OLD) {
                    allOldAsked = false;
                }
                Map<String, AttributeValue> item = winner.getAndSet(null);
                if (item != null) {
                    raw.putItem(b -> b.tableName(TABLE).item(item));
                }
            }
        }

        @Override
        public Throwable modifyException(Context.FailedExecution context, ExecutionAttributes attributes) {
            Throwable error = context.exception();
            Throwable cause =
                    error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (!(cause instanceof ConditionalCheckFailedException failed)
                    || !(context.request() instanceof PutItemRequest put)) {
                return error;
            }
            Map<String, AttributeValue> key = Map.of(ItemLayout.PK, put.item().get(ItemLayout.PK));
            if (deleteAfterFailure) {
                deleteAfterFailure = false;
                raw.deleteItem(b -> b.tableName(TABLE).key(key));
                return error;
            }
            if (!returnOldItem) {
                return error;
            }
            Map<String, AttributeValue> old = raw.getItem(
                            b -> b.tableName(TABLE).key(key).consistentRead(true))
                    .item();
            ConditionalCheckFailedException withItem =
                    failed.toBuilder().item(old).build();
            return error == cause ? withItem : new CompletionException(withItem);
        }
    }

    // ---------------------------------------------------------------- item size

    @Test
    void anItemOverTheLimitFailsBeforeAnythingIsSent() {
        String ns = newNamespace();
        backend.set(ns, "big", bytes("small before"), null);
        byte[] big = new byte[ItemLayout.MAX_ITEM_BYTES];
        requests.reset();

        assertThatThrownBy(() -> backend.set(ns, "big", big, null))
                .isInstanceOf(CacheValueTooLargeException.class)
                .hasMessageContaining("400 KB")
                .hasMessageContaining("nothing was written");
        assertThat(backend.setAsync(ns, "big", big, Duration.ofMinutes(1)))
                .failsWithin(Duration.ofSeconds(10))
                .withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(CacheValueTooLargeException.class);
        assertThatThrownBy(() -> backend.setIfAbsent(ns, "absent", big, null))
                .isInstanceOf(CacheValueTooLargeException.class);
        assertThat(backend.setIfAbsentAsync(ns, "absent", big, null))
                .failsWithin(Duration.ofSeconds(10))
                .withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(CacheValueTooLargeException.class);
        Map<String, byte[]> many = new LinkedHashMap<>();
        many.put("fits", bytes("x"));
        many.put("big", big);
        assertThatThrownBy(() -> backend.setMany(ns, many, null)).isInstanceOf(CacheValueTooLargeException.class);
        assertThat(backend.setManyAsync(ns, many, null))
                .failsWithin(Duration.ofSeconds(10))
                .withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(CacheValueTooLargeException.class);
        assertThat(requests.operations()).as("nothing was sent").isEmpty();

        assertThat(backend.get(ns, "big")).isEqualTo(bytes("small before"));
        assertThat(backend.get(ns, "fits")).as("a bulk write is refused whole").isNull();
        assertThat(backend.get(ns, "absent")).isNull();
    }

    @Test
    void valuesOverTheLimitNeverOpenTheCircuitBreaker() {
        CachekitConfig config = CachekitConfig.builder()
                .namespace(newNamespace())
                .breakerMinimumCalls(4)
                .operationTimeout(Duration.ofSeconds(10))
                .executor(executor)
                .build();
        DynamoDbBackend own = DynamoDbBackend.create(TestDynamo.options(TABLE).build(), Cachekit.contextOf(config));
        try (Cache cache = Cachekit.create(config, own)) {
            byte[] big = new byte[ItemLayout.MAX_ITEM_BYTES];
            for (int i = 0; i < 10; i++) {
                assertThatThrownBy(() -> cache.set("big", big)).isInstanceOf(CacheValueTooLargeException.class);
                assertThat(cache.async().set("big", big))
                        .failsWithin(Duration.ofSeconds(10))
                        .withThrowableOfType(ExecutionException.class)
                        .withCauseInstanceOf(CacheValueTooLargeException.class);
                assertThatThrownBy(() -> cache.setIfAbsent("big", big, null))
                        .isInstanceOf(CacheValueTooLargeException.class);
            }
            assertThat(cache.backendStatus())
                    .as("30 values over the limit say nothing of the store's health")
                    .isEqualTo(BackendStatus.UP);
            cache.set("small", "fits");
            assertThat(cache.get("small", String.class)).isEqualTo("fits");
        }
    }

    @Test
    void aValueJustUnderTheLimitIsStored() {
        String ns = newNamespace();
        String key = "k".repeat(100);
        int largest = (int) (ItemLayout.MAX_ITEM_BYTES - ItemLayout.entryItemSize(ItemLayout.entryKey(ns, key), 0));
        byte[] value = new byte[largest];
        new java.util.Random(1).nextBytes(value);
        backend.set(ns, key, value, Duration.ofMinutes(1));
        assertThat(backend.get(ns, key)).isEqualTo(value);
        assertThatThrownBy(() -> backend.set(ns, key, new byte[largest + 1], null))
                .isInstanceOf(CacheBackendException.class);
    }

    // ---------------------------------------------------------------- keys

    @Test
    void keysOverThePartitionKeyLimitAreStoredUnderADigestThatEveryBackendFinds() {
        String ns = newNamespace();
        String longKey = "x".repeat(3000);
        String otherLongKey = "x".repeat(2999) + "y";
        backend.set(ns, longKey, bytes("long"), null);
        backend.set(ns, otherLongKey, bytes("other"), null);
        backend.set(ns, "tab\there", bytes("control"), null);
        backend.set(ns, "readable key ✓", bytes("readable"), null);

        assertThat(rawItem(ns + ":readable key ✓"))
                .as("readable keys stay readable")
                .isNotEmpty();
        String digestKey = ItemLayout.entryKey(ns, longKey);
        assertThat(digestKey).startsWith(ns + "#").hasSize(ns.length() + 1 + 43);
        assertThat(rawItem(digestKey)).isNotEmpty();
        assertThat(ItemLayout.entryKey(ns, "tab\there")).startsWith(ns + "#");

        try (DynamoDbBackend other = DynamoDbBackend.create(
                TestDynamo.options(TABLE).build(), context(Duration.ofSeconds(10), Clock.systemUTC()))) {
            assertThat(other.get(ns, longKey)).isEqualTo(bytes("long"));
            assertThat(other.get(ns, otherLongKey)).isEqualTo(bytes("other"));
            assertThat(other.get(ns, "tab\there")).isEqualTo(bytes("control"));
            assertThat(other.getMany(ns, List.of(longKey, otherLongKey, "readable key ✓")))
                    .hasSize(3);
        }
    }

    // ---------------------------------------------------------------- expiry

    @Test
    void expiryIsStoredInMillisecondsAndTheTtlAttributeInSecondsRoundedUp() {
        Instant now = Instant.parse("2030-01-01T00:00:00.250Z");
        Clock fixed = Clock.fixed(now, ZoneOffset.UTC);
        String ns = newNamespace();
        try (DynamoDbBackend atNoon = DynamoDbBackend.create(
                        TestDynamo.options(TABLE).build(), context(Duration.ofSeconds(10), fixed));
                DynamoDbBackend capped = DynamoDbBackend.create(
                        TestDynamo.options(TABLE).maxItemAge(Duration.ofDays(1)).build(),
                        context(Duration.ofSeconds(10), fixed))) {
            atNoon.set(ns, "short", bytes("v"), Duration.ofMillis(1500));
            atNoon.set(ns, "sub-millisecond", bytes("v"), Duration.ofNanos(1));
            atNoon.set(ns, "forever", bytes("v"), null);
            capped.set(ns, "capped-forever", bytes("v"), null);
            capped.set(ns, "capped-short", bytes("v"), Duration.ofSeconds(10));

            Map<String, AttributeValue> item = rawItem(ItemLayout.entryKey(ns, "short"));
            assertThat(item.get("exp").n()).isEqualTo(Long.toString(now.toEpochMilli() + 1500));
            assertThat(item.get("ttl").n()).isEqualTo(Long.toString(now.getEpochSecond() + 2));
            Map<String, AttributeValue> tiny = rawItem(ItemLayout.entryKey(ns, "sub-millisecond"));
            assertThat(tiny.get("exp").n()).isEqualTo(Long.toString(now.toEpochMilli() + 1));
            Map<String, AttributeValue> forever = rawItem(ItemLayout.entryKey(ns, "forever"));
            assertThat(forever).doesNotContainKeys("exp", "ttl");
            Map<String, AttributeValue> cappedForever = rawItem(ItemLayout.entryKey(ns, "capped-forever"));
            assertThat(cappedForever).doesNotContainKey("exp");
            assertThat(cappedForever.get("ttl").n()).isEqualTo(Long.toString(now.getEpochSecond() + 86_401));
            assertThat(rawItem(ItemLayout.entryKey(ns, "capped-short"))
                            .get("ttl")
                            .n())
                    .isEqualTo(Long.toString(now.getEpochSecond() + 11));

            assertThat(atNoon.get(ns, "short")).isEqualTo(bytes("v"));
            assertThat(capped.get(ns, "capped-forever")).isEqualTo(bytes("v"));
        }
    }

    @Test
    void expiredItemsAreFilteredOnReadInRealTimeThoughTheStoreKeepsThem() {
        String ns = newNamespace();
        backend.set(ns, "real", bytes("v"), Duration.ofMillis(500));
        backend.set(ns, "kept", bytes("v"), Duration.ofMinutes(10));
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> backend.get(ns, "real") == null);
        assertThat(backend.getAsync(ns, "real").join()).isNull();
        assertThat(backend.getMany(ns, List.of("real", "kept"))).containsOnlyKeys("kept");
        assertThat(rawItem(ItemLayout.entryKey(ns, "real")))
                .as("dynalite never deletes by TTL; the read filtered it")
                .isNotEmpty();
        assertThat(backend.setIfAbsent(ns, "real", bytes("new"), null))
                .as("an expired item the store still holds is no obstacle")
                .isNull();
        assertThat(backend.setIfAbsentAsync(ns, "kept", bytes("new"), null).join())
                .isEqualTo(bytes("v"));
        assertThat(backend.get(ns, "real")).isEqualTo(bytes("new"));
    }

    // ---------------------------------------------------------------- batches

    @Test
    void unprocessedItemsAreSentAgainUntilDone() {
        Unprocessing unprocessing = new Unprocessing(2);
        try (DynamoDbClient sync = DynamoDbClient.builder()
                        .endpointOverride(java.net.URI.create(TestDynamo.ENDPOINT))
                        .region(TestDynamo.REGION)
                        .credentialsProvider(TestDynamo.credentials())
                        .overrideConfiguration(c -> c.addExecutionInterceptor(unprocessing))
                        .build();
                DynamoDbAsyncClient async = DynamoDbAsyncClient.builder()
                        .endpointOverride(java.net.URI.create(TestDynamo.ENDPOINT))
                        .region(TestDynamo.REGION)
                        .credentialsProvider(TestDynamo.credentials())
                        .overrideConfiguration(c -> c.addExecutionInterceptor(unprocessing))
                        .build();
                DynamoDbBackend flaky = DynamoDbBackend.create(
                        DynamoDbBackendOptions.builder()
                                .table(TABLE)
                                .clients(sync, async)
                                .build(),
                        context(Duration.ofSeconds(30), Clock.systemUTC()))) {
            for (boolean viaAsync : List.of(false, true)) {
                String ns = newNamespace();
                Map<String, byte[]> entries = new HashMap<>();
                for (int i = 0; i < 260; i++) {
                    entries.put("k" + i, bytes("v" + i));
                }
                unprocessing.reset(2);
                if (viaAsync) {
                    flaky.setManyAsync(ns, entries, null).join();
                } else {
                    flaky.setMany(ns, entries, null);
                }
                assertThat(unprocessing.writesHeldBack())
                        .as("some writes came back unprocessed")
                        .isPositive();
                unprocessing.reset(2);
                Map<String, byte[]> found = viaAsync
                        ? flaky.getManyAsync(ns, entries.keySet()).join()
                        : flaky.getMany(ns, entries.keySet());
                assertThat(unprocessing.readsHeldBack())
                        .as("some reads came back unprocessed")
                        .isPositive();
                assertThat(found).hasSize(260).allSatisfy((k, v) -> assertThat(v)
                        .isEqualTo(entries.get(k)));
            }
        }
    }

    @Test
    void itemsThatStayUnprocessedEndWithATimeout() {
        Unprocessing unprocessing = new Unprocessing(Integer.MAX_VALUE);
        try (DynamoDbClient throttled = DynamoDbClient.builder()
                        .endpointOverride(java.net.URI.create(TestDynamo.ENDPOINT))
                        .region(TestDynamo.REGION)
                        .credentialsProvider(TestDynamo.credentials())
                        .overrideConfiguration(c -> c.addExecutionInterceptor(unprocessing))
                        .build();
                DynamoDbAsyncClient async = DynamoDbAsyncClient.builder()
                        .endpointOverride(java.net.URI.create(TestDynamo.ENDPOINT))
                        .region(TestDynamo.REGION)
                        .credentialsProvider(TestDynamo.credentials())
                        .overrideConfiguration(c -> c.addExecutionInterceptor(unprocessing))
                        .build();
                DynamoDbBackend flaky = DynamoDbBackend.create(
                        DynamoDbBackendOptions.builder()
                                .table(TABLE)
                                .clients(throttled, async)
                                .build(),
                        context(Duration.ofMillis(700), Clock.systemUTC()))) {
            String ns = newNamespace();
            Map<String, byte[]> entries = Map.of("a", bytes("1"), "b", bytes("2"));
            assertThatThrownBy(() -> flaky.setMany(ns, entries, null))
                    .isInstanceOf(CacheTimeoutException.class)
                    .hasMessageContaining("unprocessed");
            assertThat(flaky.setManyAsync(ns, entries, null))
                    .failsWithin(Duration.ofSeconds(10))
                    .withThrowableOfType(ExecutionException.class)
                    .withCauseInstanceOf(CacheTimeoutException.class);
            assertThatThrownBy(() -> flaky.getMany(ns, List.of("a", "b"))).isInstanceOf(CacheTimeoutException.class);
            assertThat(flaky.getManyAsync(ns, List.of("a", "b")))
                    .failsWithin(Duration.ofSeconds(10))
                    .withThrowableOfType(ExecutionException.class)
                    .withCauseInstanceOf(CacheTimeoutException.class);
        }
    }

    @Test
    void aResendWhoseOwnRequestRunsOutOfTimeStillNamesTheUnprocessedItems() {
        Unprocessing unprocessing = new Unprocessing(0);
        StallingResends stall = new StallingResends();
        try (DynamoDbClient sync = DynamoDbClient.builder()
                        .endpointOverride(java.net.URI.create(TestDynamo.ENDPOINT))
                        .region(TestDynamo.REGION)
                        .credentialsProvider(TestDynamo.credentials())
                        .overrideConfiguration(
                                c -> c.addExecutionInterceptor(unprocessing).addExecutionInterceptor(stall))
                        .build();
                DynamoDbAsyncClient async = DynamoDbAsyncClient.builder()
                        .endpointOverride(java.net.URI.create(TestDynamo.ENDPOINT))
                        .region(TestDynamo.REGION)
                        .credentialsProvider(TestDynamo.credentials())
                        .overrideConfiguration(
                                c -> c.addExecutionInterceptor(unprocessing).addExecutionInterceptor(stall))
                        .build();
                DynamoDbBackend flaky = DynamoDbBackend.create(
                        DynamoDbBackendOptions.builder()
                                .table(TABLE)
                                .clients(sync, async)
                                .build(),
                        context(Duration.ofMillis(1500), Clock.systemUTC()))) {
            String ns = newNamespace();
            Map<String, byte[]> entries = Map.of("a", bytes("1"), "b", bytes("2"));
            List<String> keys = List.of("a", "b");
            for (boolean viaAsync : List.of(false, true)) {
                for (boolean reads : List.of(false, true)) {
                    unprocessing.only(reads ? BatchGetItemResponse.class : BatchWriteItemResponse.class);
                    unprocessing.reset(1);
                    stall.arm(reads ? "BatchGetItem" : "BatchWriteItem");
                    Throwable failure;
                    try {
                        if (viaAsync) {
                            CompletableFuture<?> f =
                                    reads ? flaky.getManyAsync(ns, keys) : flaky.setManyAsync(ns, entries, null);
                            failure = catchThrowable(() -> f.get(30, java.util.concurrent.TimeUnit.SECONDS))
                                    .getCause();
                        } else {
                            failure = catchThrowable(() -> {
                                if (reads) {
                                    flaky.getMany(ns, keys);
                                } else {
                                    flaky.setMany(ns, entries, null);
                                }
                            });
                        }
                    } finally {
                        stall.release();
                    }
                    assertThat(stall.stalled())
                            .as(
                                    "async %s, reads %s: the resend was held past the deadline (%s)",
                                    viaAsync, reads, failure)
                            .isTrue();
                    assertThat(failure)
                            .as("async %s, reads %s", viaAsync, reads)
                            .isInstanceOf(CacheTimeoutException.class)
                            .hasMessageContaining("unprocessed");
                }
            }
        }
    }

    /**
     * Holds the answer to the second request of one batch operation (its first resend of unprocessed items)
     * until the test releases it, as a store that is slow to answer would, so that the request itself runs out
     * of the operation's time.
     */
    static final class StallingResends implements ExecutionInterceptor {
        private final AtomicInteger seen = new AtomicInteger();
        private volatile String operation;
        private volatile CountDownLatch release = new CountDownLatch(0);
        private volatile boolean stalled;

        void arm(String operationName) {
            seen.set(0);
            stalled = false;
            release = new CountDownLatch(1);
            operation = operationName;
        }

        boolean stalled() {
            return stalled;
        }

        void release() {
            operation = null;
            release.countDown();
        }

        @Override
        public void afterTransmission(Context.AfterTransmission context, ExecutionAttributes attributes) {
            String name = attributes.getAttribute(
                    software.amazon.awssdk.core.interceptor.SdkExecutionAttribute.OPERATION_NAME);
            if (name.equals(operation) && seen.incrementAndGet() == 2) {
                stalled = true;
                try {
                    // The sync client interrupts this wait at its call timeout; the async one fails its future
                    // from its own timer, while the answer waits here.
                    release.await(30, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /**
     * Rewrites batch responses as DynamoDB does under throttling: half of the items of the first {@code n}
     * responses come back as unprocessed (writes are applied anyway; sending them again is harmless).
     */
    static final class Unprocessing implements ExecutionInterceptor {
        private final AtomicInteger left = new AtomicInteger();
        private final AtomicInteger readsHeldBack = new AtomicInteger();
        private final AtomicInteger writesHeldBack = new AtomicInteger();
        private volatile Class<? extends SdkResponse> only;

        Unprocessing(int responses) {
            left.set(responses);
        }

        void reset(int responses) {
            left.set(responses);
            readsHeldBack.set(0);
            writesHeldBack.set(0);
        }

        /** From now on, rewrites only responses of this type (reads or writes); the others pass. */
        void only(Class<? extends SdkResponse> responseType) {
            only = responseType;
        }

        int readsHeldBack() {
            return readsHeldBack.get();
        }

        int writesHeldBack() {
            return writesHeldBack.get();
        }

        @Override
        public SdkResponse modifyResponse(Context.ModifyResponse context, ExecutionAttributes attributes) {
            SdkResponse response = context.response();
            if (only != null && !only.isInstance(response)) {
                return response;
            }
            if (response instanceof BatchGetItemResponse r && r.hasResponses() && take()) {
                Map<String, List<Map<String, AttributeValue>>> kept = new HashMap<>();
                Map<String, KeysAndAttributes> unprocessed = new HashMap<>();
                r.responses().forEach((table, items) -> {
                    List<Map<String, AttributeValue>> keep = new ArrayList<>(items.subList(0, items.size() / 2));
                    List<Map<String, AttributeValue>> back = items.subList(items.size() / 2, items.size()).stream()
                            .map(item -> Map.of(ItemLayout.PK, item.get(ItemLayout.PK)))
                            .toList();
                    kept.put(table, keep);
                    if (!back.isEmpty()) {
                        readsHeldBack.addAndGet(back.size());
                        unprocessed.put(
                                table,
                                KeysAndAttributes.builder()
                                        .keys(back)
                                        .consistentRead(true)
                                        .build());
                    }
                });
                return r.toBuilder()
                        .responses(kept)
                        .unprocessedKeys(unprocessed)
                        .build();
            }
            if (response instanceof BatchWriteItemResponse r && take()) {
                List<WriteRequest> sent = attributes
                                .getAttribute(
                                        software.amazon.awssdk.core.interceptor.SdkExecutionAttribute.OPERATION_NAME)
                                .equals("BatchWriteItem")
                        ? ((software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest) context.request())
                                .requestItems()
                                .get(TABLE)
                        : List.of();
                List<WriteRequest> back = sent.subList(0, (sent.size() + 1) / 2);
                writesHeldBack.addAndGet(back.size());
                return r.toBuilder().unprocessedItems(Map.of(TABLE, back)).build();
            }
            return response;
        }

        private boolean take() {
            return left.getAndUpdate(n -> n == Integer.MAX_VALUE ? n : Math.max(0, n - 1)) > 0;
        }
    }

    // ---------------------------------------------------------------- table

    @Test
    void aMissingTableIsCreatedWithTheExpectedKeyOrRefusedWhenCreationIsOff() {
        String table = "cachekit_new_" + UUID.randomUUID().toString().substring(0, 8);
        assertThatThrownBy(() -> DynamoDbBackend.create(
                        TestDynamo.options(table).createTable(false).build(),
                        context(Duration.ofSeconds(10), Clock.systemUTC())))
                .isInstanceOf(CacheBackendException.class)
                .hasMessageContaining("does not exist")
                .hasMessageContaining("createTable");
        assertThatThrownBy(() -> client.describeTable(b -> b.tableName(table)))
                .isInstanceOf(ResourceNotFoundException.class);

        try (DynamoDbBackend created = DynamoDbBackend.create(
                TestDynamo.options(table).build(), context(Duration.ofSeconds(10), Clock.systemUTC()))) {
            var description = client.describeTable(b -> b.tableName(table)).table();
            assertThat(description.keySchema())
                    .containsExactly(KeySchemaElement.builder()
                            .attributeName("pk")
                            .keyType(KeyType.HASH)
                            .build());
            assertThat(description.billingModeSummary().billingMode()).isEqualTo(BillingMode.PAY_PER_REQUEST);
            created.set("ns", "k", bytes("v"), null);
            assertThat(created.get("ns", "k")).isEqualTo(bytes("v"));
        } finally {
            client.deleteTable(b -> b.tableName(table));
        }
    }

    @Test
    void aTableWithAnotherKeyIsRefused() {
        String table = "cachekit_other_key_" + UUID.randomUUID().toString().substring(0, 8);
        client.createTable(b -> b.tableName(table)
                .keySchema(KeySchemaElement.builder()
                        .attributeName("id")
                        .keyType(KeyType.HASH)
                        .build())
                .attributeDefinitions(AttributeDefinition.builder()
                        .attributeName("id")
                        .attributeType(ScalarAttributeType.S)
                        .build())
                .billingMode(BillingMode.PAY_PER_REQUEST));
        try {
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> client.describeTable(b -> b.tableName(table))
                                    .table()
                                    .tableStatus()
                            == software.amazon.awssdk.services.dynamodb.model.TableStatus.ACTIVE);
            assertThatThrownBy(() -> DynamoDbBackend.create(
                            TestDynamo.options(table).build(), context(Duration.ofSeconds(10), Clock.systemUTC())))
                    .isInstanceOf(CacheBackendException.class)
                    .hasMessageContaining("only key is the string partition key 'pk'");
        } finally {
            client.deleteTable(b -> b.tableName(table));
        }
    }

    @Test
    void unwrapReachesTheClientsAndAClosedBackendFailsClearly() {
        DynamoDbBackend own = DynamoDbBackend.create(
                TestDynamo.options(TABLE).build(), context(Duration.ofSeconds(10), Clock.systemUTC()));
        assertThat(own.unwrap(DynamoDbClient.class)).isNotNull();
        assertThat(own.unwrap(DynamoDbAsyncClient.class)).isNotNull();
        assertThat(own.unwrap(DynamoDbBackendOptions.class).table()).isEqualTo(TABLE);
        assertThatThrownBy(() -> own.unwrap(String.class)).isInstanceOf(IllegalArgumentException.class);
        own.close();
        own.close();
        assertThatThrownBy(() -> own.get("ns", "k"))
                .isInstanceOf(CacheBackendException.class)
                .hasMessageContaining("closed");
        CompletableFuture<byte[]> closed = own.getAsync("ns", "k");
        assertThat(closed).isCompletedExceptionally();

        assertThat(backend.unwrap(DynamoDbClient.class))
                .as("the application's clients are the backend's")
                .isSameAs(client);
    }
}
