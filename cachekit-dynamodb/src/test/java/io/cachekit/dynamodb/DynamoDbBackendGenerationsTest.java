package io.cachekit.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cachekit.dynamodb.TestDynamo.Requests;
import io.cachekit.dynamodb.internal.ItemLayout;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;

/**
 * How the DynamoDB backend uses its namespace generations, on the shared dynalite, counting the requests each
 * operation makes: a hit, a write and a delete (a generation read only for a shard not yet read), clear as one
 * update per generation item without a Scan, seen by other processes and by writers racing it, and setIfAbsent,
 * which reads the entry with its generation and settles races between callers and processes.
 */
class DynamoDbBackendGenerationsTest extends DynamoDbBackendTestBase {
    // ---------------------------------------------------------------- requests per operation

    @Test
    void aHitIsOneGetItemWhileItsGenerationIsReusedAndOneBatchGetItemOtherwise() {
        String ns = newNamespace();
        try (DynamoDbBackend reusing = backendWithReuse(Duration.ofSeconds(10));
                DynamoDbBackend never = backendWithReuse(Duration.ZERO)) {
            reusing.set(ns, "k", bytes("v"), Duration.ofMinutes(1)); // reads k's generation, then puts
            requests.reset();

            assertThat(reusing.get(ns, "k")).isEqualTo(bytes("v"));
            assertThat(reusing.getAsync(ns, "k").join()).isEqualTo(bytes("v"));
            assertThat(requests.operations())
                    .as("the generation the set read is reused: the entry alone")
                    .containsExactly("GetItem", "GetItem");
            requests.reset();

            assertThat(never.get(ns, "k")).isEqualTo(bytes("v"));
            assertThat(never.getAsync(ns, "k").join()).isEqualTo(bytes("v"));
            assertThat(requests.operations())
                    .as("with no reuse time, the entry with its generation item")
                    .containsExactly("BatchGetItem", "BatchGetItem");
            requests.reset();

            String elsewhere = otherShard(ns, "k");
            assertThat(reusing.getAsync(ns, elsewhere).join()).isNull();
            assertThat(reusing.get(ns, elsewhere)).isNull();
            assertThat(requests.operations())
                    .as("a shard whose generation was never read: read with the entry first, then reused")
                    .containsExactly("BatchGetItem", "GetItem");
        }
    }

    @Test
    void anEntryNewerThanTheReusedGenerationIsReadAgainWithItsGenerationItem() {
        String ns = newNamespace();
        String k2 = sameShard(ns, "k");
        try (DynamoDbBackend reader = backendWithReuse(Duration.ofSeconds(10));
                DynamoDbBackend hasty = backendWithReuse(Duration.ZERO)) {
            reader.set(ns, "k", bytes("old"), null);
            reader.set(ns, k2, bytes("old"), null);
            assertThat(reader.get(ns, "k")).isEqualTo(bytes("old"));
            // A clear that does not wait (no reuse time) and writes of the new generation, while the reader still
            // reuses the old one: it finds entries newer than its generation and must not call them dead.
            hasty.clear(ns);
            hasty.set(ns, "k", bytes("new"), null);
            hasty.set(ns, k2, bytes("new"), null);
            requests.reset();

            assertThat(reader.get(ns, "k")).isEqualTo(bytes("new"));
            assertThat(requests.operations()).containsExactly("GetItem", "BatchGetItem");
            requests.reset();
            assertThat(reader.getAsync(ns, k2).join()).isEqualTo(bytes("new"));
            assertThat(requests.operations())
                    .as("the newer generation is known now, for every key of the shard")
                    .containsExactly("GetItem");
        }
    }

    @Test
    void writesReuseTheGenerationTheyReadAndDeletesReadNone() {
        String ns = newNamespace();
        backend.set(ns, "k", bytes("v"), Duration.ofMinutes(1));
        assertThat(backend.get(ns, "k")).isEqualTo(bytes("v"));
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

    /** A backend on the counted clients with this generation reuse time. */
    private DynamoDbBackend backendWithReuse(Duration reuse) {
        return DynamoDbBackend.create(
                DynamoDbBackendOptions.builder()
                        .table(TABLE)
                        .clients(client, asyncClient)
                        .generationReuse(reuse)
                        .build(),
                context(Duration.ofSeconds(60), Clock.systemUTC()));
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
        try (DynamoDbBackend other = DynamoDbBackend.create(
                TestDynamo.options(TABLE).build(), context(Duration.ofSeconds(10), Clock.systemUTC()))) {
            for (boolean viaAsync : List.of(false, true)) {
                String ns = newNamespace();
                backend.set(ns, "k", bytes("before"), null);
                backend.setMany(ns, Map.of("a", bytes("1"), "b", bytes("2")), null);
                assertThat(other.get(ns, "k")).isEqualTo(bytes("before"));
                // Read just before the clear: the reader would reuse this generation if the clear did not wait.
                assertThat(backend.get(ns, "k")).isEqualTo(bytes("before"));
                assertThat(backend.getAsync(ns, "a").join()).isEqualTo(bytes("1"));

                if (viaAsync) {
                    other.clearAsync(ns).join();
                } else {
                    other.clear(ns);
                }

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
                DynamoDbClient sync = clientWith(requests, racing);
                DynamoDbAsyncClient async = asyncClientWith(requests, racing);
                DynamoDbBackend racer = backendOn(sync, async, Duration.ofSeconds(30))) {
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
}
