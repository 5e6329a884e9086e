package io.cachekit.dynamodb.internal;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A get of one entry: a {@code GetItem} of the entry alone while this process knows its shard's generation
 * from a read within the reuse time ({@link Generations#freshForReads}), else (or when that read cannot settle
 * it) one {@code BatchGetItem} of the entry and its generation item. Both strongly consistent.
 *
 * <p>Why a reused generation is safe: a clear waits the reuse time after its update before it returns, and the
 * reuse time runs from when the request that returned the generation was sent. A read that was served after a
 * clear returned therefore finds, when its answer is in, that the generation it used is no longer fresh, and
 * reads again with the generation item.
 *
 * <p>Sync methods throw Cachekit's exceptions; async ones never block, and leave their failures for {@link
 * SdkCalls#mapErrors}. Not API; thread-safe.
 */
public final class EntryReads {
    /** Marks a read that a reused generation cannot settle: compared by identity. */
    private static final byte[] UNSETTLED = new byte[0];

    private final DynamoDbClients clients;
    private final Requests requests;
    private final SdkCalls calls;
    private final BatchCalls batches;
    private final Generations generations;
    private final Clock clock;

    /**
     * @param clients the clients to call
     * @param requests builds the requests, for its table
     * @param calls makes each call within the deadline
     * @param batches reads an entry with its generation item
     * @param generations the generations this process knows, which the reads add to
     * @param clock judges expiry
     */
    public EntryReads(
            DynamoDbClients clients,
            Requests requests,
            SdkCalls calls,
            BatchCalls batches,
            Generations generations,
            Clock clock) {
        this.clients = clients;
        this.requests = requests;
        this.calls = calls;
        this.batches = batches;
        this.generations = generations;
        this.clock = clock;
    }

    /**
     * The live value of the entry under {@code pk}, whose generation item is {@code gk}; {@code null} when it
     * is absent, expired or of an older generation.
     */
    public byte[] get(String operation, String pk, String gk, long deadline) {
        long known = generations.freshForReads(gk);
        if (known >= 0) {
            Map<String, AttributeValue> item = calls.call(
                            operation, deadline, o -> clients.sync().getItem(requests.get(pk, o)))
                    .item();
            byte[] value = settle(item, gk, known);
            if (value != UNSETTLED) {
                return value;
            }
        }
        long askedAt = System.nanoTime();
        Map<String, Map<String, AttributeValue>> items = batches.get(operation, List.of(gk, pk), deadline);
        return liveValue(items, pk, gk, askedAt);
    }

    /** {@link #get} on the async client. */
    public CompletableFuture<byte[]> getAsync(String operation, String pk, String gk, long deadline) {
        long known = generations.freshForReads(gk);
        if (known < 0) {
            return withGeneration(operation, pk, gk, deadline);
        }
        return calls.callAsync(operation, deadline, o -> clients.async().getItem(requests.get(pk, o)))
                .thenCompose(response -> {
                    byte[] value = settle(response.item(), gk, known);
                    return value != UNSETTLED
                            ? CompletableFuture.completedFuture(value)
                            : withGeneration(operation, pk, gk, deadline);
                });
    }

    private CompletableFuture<byte[]> withGeneration(String operation, String pk, String gk, long deadline) {
        long askedAt = System.nanoTime();
        return batches.getAsync(operation, List.of(gk, pk), deadline)
                .thenApply(items -> liveValue(items, pk, gk, askedAt));
    }

    private byte[] liveValue(Map<String, Map<String, AttributeValue>> items, String pk, String gk, long askedAt) {
        long generation = generations.learnFrom(gk, items, askedAt);
        return ItemLayout.liveValue(items.get(pk), generation, clock.millis());
    }

    /**
     * What an entry read with the reused generation {@code known} says: a miss when the entry is absent or of
     * an older generation (generations only grow); its value when it is of {@code known} and {@code known} is
     * still fresh now that the answer is in; else {@link #UNSETTLED} (a newer entry, or a generation past its
     * reuse time, when a clear may have returned before the read was served).
     */
    private byte[] settle(Map<String, AttributeValue> item, String gk, long known) {
        long generation = ItemLayout.entryGeneration(item);
        if (generation < known) {
            return null;
        }
        if (generation == known && generations.freshForReads(gk) == known) {
            return ItemLayout.liveValue(item, known, clock.millis());
        }
        return UNSETTLED;
    }
}
