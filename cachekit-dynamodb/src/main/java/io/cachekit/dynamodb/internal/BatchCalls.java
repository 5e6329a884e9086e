package io.cachekit.dynamodb.internal;

import io.cachekit.CacheBackendException;
import io.cachekit.CacheTimeoutException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Bulk reads and writes of any size: {@code BatchGetItem} calls of at most {@value ItemLayout#MAX_BATCH_GET}
 * items (strongly consistent), {@code BatchWriteItem} calls of at most {@value ItemLayout#MAX_BATCH_WRITE}.
 * DynamoDB may leave part of a batch unprocessed (throttling, the response size limit); those items are sent
 * again after a backoff ({@link Batches}) until none are left or the deadline passes.
 *
 * <p>The sync methods throw Cachekit's exceptions. The async ones never block and never throw; their
 * failures are mapped only where a request sent unprocessed items again, the rest is left for {@link
 * SdkCalls#mapErrors}. Deadlines are {@link System#nanoTime()} values. Not API; thread-safe.
 */
public final class BatchCalls {
    /** How many batch requests of one async bulk operation are in flight at once. */
    private static final int ASYNC_BATCH_CONCURRENCY = 8;

    private final String table;
    private final DynamoDbClient client;
    private final DynamoDbAsyncClient asyncClient;
    private final Requests requests;
    private final SdkCalls calls;
    private final DynamoDbErrors errors;

    /**
     * @param clients the clients to call
     * @param requests builds the batch requests, for its table
     * @param calls makes each call within the deadline
     * @param errors maps failures and makes timeouts
     */
    public BatchCalls(DynamoDbClients clients, Requests requests, SdkCalls calls, DynamoDbErrors errors) {
        this.table = requests.table();
        this.client = clients.sync();
        this.asyncClient = clients.async();
        this.requests = requests;
        this.calls = calls;
        this.errors = errors;
    }

    /**
     * Reads the items under {@code pks}, in batches one after the other.
     *
     * @return the items found, by partition key; absent ones are missing
     * @throws CacheTimeoutException when the deadline passes, naming the items left unprocessed if any
     * @throws CacheBackendException on any other failure
     */
    public Map<String, Map<String, AttributeValue>> get(String operation, List<String> pks, long deadline) {
        Map<String, Map<String, AttributeValue>> found = new HashMap<>();
        for (List<String> chunk : Batches.chunks(pks, ItemLayout.MAX_BATCH_GET)) {
            KeysAndAttributes pending =
                    Requests.keysToRead(chunk.stream().map(ItemLayout::key).toList());
            for (int attempt = 0; ; attempt++) {
                KeysAndAttributes request = pending;
                BatchGetItemResponse response;
                try {
                    response = calls.call(operation, deadline, o -> client.batchGetItem(requests.batchGet(request, o)));
                } catch (CacheTimeoutException e) {
                    throw attempt == 0
                            ? e
                            : stillUnprocessed(
                                    operation, unprocessedReads(request.keys().size()), e);
                }
                collect(response, found);
                KeysAndAttributes left = response.unprocessedKeys().get(table);
                if (left == null || left.keys().isEmpty()) {
                    break;
                }
                pending = Requests.keysToRead(left.keys());
                Batches.pause(
                        attempt,
                        deadline,
                        () -> errors.timeout(
                                operation, unprocessedReads(left.keys().size())));
            }
        }
        return found;
    }

    /** {@link #get} on the async client, with up to {@value #ASYNC_BATCH_CONCURRENCY} batches in flight. */
    public CompletableFuture<Map<String, Map<String, AttributeValue>>> getAsync(
            String operation, List<String> pks, long deadline) {
        Map<String, Map<String, AttributeValue>> found = new ConcurrentHashMap<>();
        List<List<String>> chunks = Batches.chunks(pks, ItemLayout.MAX_BATCH_GET);
        if (chunks.size() == 1) {
            return getChunkAsync(operation, Requests.keysToRead(ItemLayout.keys(chunks.get(0))), deadline, found, 0)
                    .thenApply(v -> found);
        }
        return Batches.forEach(
                        chunks,
                        ASYNC_BATCH_CONCURRENCY,
                        chunk -> getChunkAsync(
                                operation, Requests.keysToRead(ItemLayout.keys(chunk)), deadline, found, 0))
                .thenApply(v -> found);
    }

    private CompletableFuture<Void> getChunkAsync(
            String operation,
            KeysAndAttributes pending,
            long deadline,
            Map<String, Map<String, AttributeValue>> found,
            int attempt) {
        return resent(
                        calls.callAsync(
                                operation, deadline, o -> asyncClient.batchGetItem(requests.batchGet(pending, o))),
                        attempt,
                        operation,
                        unprocessedReads(pending.keys().size()))
                .thenCompose(response -> {
                    collect(response, found);
                    KeysAndAttributes left = response.unprocessedKeys().get(table);
                    if (left == null || left.keys().isEmpty()) {
                        return CompletableFuture.completedFuture(null);
                    }
                    return Batches.later(
                                    attempt,
                                    deadline,
                                    () -> errors.timeout(
                                            operation,
                                            unprocessedReads(left.keys().size())))
                            .thenCompose(v -> getChunkAsync(
                                    operation, Requests.keysToRead(left.keys()), deadline, found, attempt + 1));
                });
    }

    /**
     * Writes {@code writes}, in batches one after the other.
     *
     * @throws CacheTimeoutException when the deadline passes, naming the items left unprocessed if any
     * @throws CacheBackendException on any other failure
     */
    public void write(String operation, List<WriteRequest> writes, long deadline) {
        for (List<WriteRequest> chunk : Batches.chunks(writes, ItemLayout.MAX_BATCH_WRITE)) {
            writeChunk(operation, chunk, deadline);
        }
    }

    /** {@link #write} on the async client, with up to {@value #ASYNC_BATCH_CONCURRENCY} batches in flight. */
    public CompletableFuture<Void> writeAsync(String operation, List<WriteRequest> writes, long deadline) {
        return Batches.forEach(
                Batches.chunks(writes, ItemLayout.MAX_BATCH_WRITE),
                ASYNC_BATCH_CONCURRENCY,
                chunk -> writeChunkAsync(operation, chunk, deadline, 0));
    }

    private void writeChunk(String operation, List<WriteRequest> chunk, long deadline) {
        List<WriteRequest> pending = chunk;
        for (int attempt = 0; ; attempt++) {
            List<WriteRequest> request = pending;
            BatchWriteItemResponse response;
            try {
                response = calls.call(operation, deadline, o -> client.batchWriteItem(requests.batchWrite(request, o)));
            } catch (CacheTimeoutException e) {
                throw attempt == 0 ? e : stillUnprocessed(operation, unprocessedWrites(request.size()), e);
            }
            List<WriteRequest> left = response.unprocessedItems().get(table);
            if (left == null || left.isEmpty()) {
                return;
            }
            pending = left;
            Batches.pause(attempt, deadline, () -> errors.timeout(operation, unprocessedWrites(left.size())));
        }
    }

    private CompletableFuture<Void> writeChunkAsync(
            String operation, List<WriteRequest> pending, long deadline, int attempt) {
        return resent(
                        calls.callAsync(
                                operation, deadline, o -> asyncClient.batchWriteItem(requests.batchWrite(pending, o))),
                        attempt,
                        operation,
                        unprocessedWrites(pending.size()))
                .thenCompose(response -> {
                    List<WriteRequest> left = response.unprocessedItems().get(table);
                    if (left == null || left.isEmpty()) {
                        return CompletableFuture.completedFuture(null);
                    }
                    return Batches.later(
                                    attempt, deadline, () -> errors.timeout(operation, unprocessedWrites(left.size())))
                            .thenCompose(v -> writeChunkAsync(operation, left, deadline, attempt + 1));
                });
    }

    private static String unprocessedReads(int items) {
        return items + " items stayed unprocessed (throttled or over the response size limit)";
    }

    private static String unprocessedWrites(int items) {
        return items + " items stayed unprocessed";
    }

    /**
     * The failure of a request that sent unprocessed items again: a timeout names them (as the pause before it
     * does), whether the deadline fell in the pause or in the request; any other failure as {@link
     * DynamoDbErrors#map}.
     */
    private CacheBackendException stillUnprocessed(String operation, String detail, Throwable error) {
        CacheBackendException mapped = errors.map(operation, error);
        if (!(mapped instanceof CacheTimeoutException)) {
            return mapped;
        }
        CacheTimeoutException timeout = errors.timeout(operation, detail);
        timeout.initCause(mapped);
        return timeout;
    }

    /** {@link #stillUnprocessed} for the async request of send number {@code attempt + 1}. */
    private <T> CompletableFuture<T> resent(
            CompletableFuture<T> request, int attempt, String operation, String detail) {
        if (attempt == 0) {
            return request;
        }
        return request.exceptionallyCompose(
                e -> CompletableFuture.failedFuture(stillUnprocessed(operation, detail, e)));
    }

    private void collect(BatchGetItemResponse response, Map<String, Map<String, AttributeValue>> found) {
        List<Map<String, AttributeValue>> items = response.responses().get(table);
        if (items == null) {
            return;
        }
        for (Map<String, AttributeValue> item : items) {
            AttributeValue pk = item.get(ItemLayout.PK);
            if (pk != null && pk.s() != null) {
                found.put(pk.s(), item);
            }
        }
    }
}
