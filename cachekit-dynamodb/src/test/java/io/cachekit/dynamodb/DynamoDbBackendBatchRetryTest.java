package io.cachekit.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.cachekit.CacheTimeoutException;
import io.cachekit.dynamodb.internal.ItemLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Bulk reads and writes of the DynamoDB backend when DynamoDB answers with unprocessed items, as it does under
 * throttling (simulated by SDK interceptors on clients of the test's own): the items are sent again until done,
 * and items that stay unprocessed, or a resend that runs out of the operation's time, end with a timeout.
 */
class DynamoDbBackendBatchRetryTest extends DynamoDbBackendTestBase {
    // ---------------------------------------------------------------- batches

    @Test
    void unprocessedItemsAreSentAgainUntilDone() {
        Unprocessing unprocessing = new Unprocessing(2);
        try (DynamoDbClient sync = clientWith(unprocessing);
                DynamoDbAsyncClient async = asyncClientWith(unprocessing);
                DynamoDbBackend flaky = backendOn(sync, async, Duration.ofSeconds(30))) {
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
        try (DynamoDbClient throttled = clientWith(unprocessing);
                DynamoDbAsyncClient async = asyncClientWith(unprocessing);
                DynamoDbBackend flaky = backendOn(throttled, async, Duration.ofMillis(700))) {
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
        try (DynamoDbClient sync = clientWith(unprocessing, stall);
                DynamoDbAsyncClient async = asyncClientWith(unprocessing, stall);
                DynamoDbBackend flaky = backendOn(sync, async, Duration.ofMillis(1500))) {
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
}
