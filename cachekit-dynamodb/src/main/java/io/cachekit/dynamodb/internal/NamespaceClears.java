package io.cachekit.dynamodb.internal;

import io.cachekit.CacheBackendException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;

/**
 * A namespace's clear: one {@code UpdateItem ADD g 1} per generation item, whatever the namespace holds, then
 * a wait of the generation reuse time, after which no process reads with a generation it asked for before the
 * updates ({@link EntryReads}). The new generations are learned, so this process reads with them at once.
 *
 * <p>The sync method throws Cachekit's exceptions; the async one never blocks (it waits on a timer), and
 * leaves its failures for {@link SdkCalls#mapErrors}. Not API; thread-safe.
 */
public final class NamespaceClears {
    private final DynamoDbClients clients;
    private final Requests requests;
    private final SdkCalls calls;
    private final Generations generations;
    private final Duration reuse;
    private final String target;

    /**
     * @param clients the clients to call
     * @param requests builds the updates, for its table
     * @param calls makes each call within the deadline
     * @param generations learns the new generations
     * @param reuse the generation reuse time, which every clear waits; zero for none
     * @param target where the backend works, for messages
     */
    public NamespaceClears(
            DynamoDbClients clients,
            Requests requests,
            SdkCalls calls,
            Generations generations,
            Duration reuse,
            String target) {
        this.clients = clients;
        this.requests = requests;
        this.calls = calls;
        this.generations = generations;
        this.reuse = reuse;
        this.target = target;
    }

    /** Clears {@code namespace}, returning once no process reads its entries written before the call. */
    public void clear(String namespace, long deadline) {
        for (int shard = 0; shard < ItemLayout.GENERATION_SHARDS; shard++) {
            String gk = ItemLayout.generationKey(namespace, shard);
            long askedAt = System.nanoTime();
            UpdateItemResponse response =
                    calls.call("clear", deadline, o -> clients.sync().updateItem(requests.increment(gk, o)));
            generations.learnFrom(gk, response, askedAt);
        }
        if (reuse.isZero()) {
            return;
        }
        try {
            TimeUnit.NANOSECONDS.sleep(reuse.toNanos());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CacheBackendException("dynamodb clear on " + target + ": interrupted after the namespace's"
                    + " generations were incremented; other processes may read its old entries for up to " + reuse);
        }
    }

    /** {@link #clear} on the async client; the wait is on a timer, not a thread. */
    public CompletableFuture<Void> clearAsync(String namespace, long deadline) {
        CompletableFuture<?>[] updates = new CompletableFuture<?>[ItemLayout.GENERATION_SHARDS];
        for (int shard = 0; shard < ItemLayout.GENERATION_SHARDS; shard++) {
            String gk = ItemLayout.generationKey(namespace, shard);
            long askedAt = System.nanoTime();
            updates[shard] = calls.callAsync(
                            "clear", deadline, o -> clients.async().updateItem(requests.increment(gk, o)))
                    .thenAccept(response -> generations.learnFrom(gk, response, askedAt));
        }
        CompletableFuture<Void> updated = CompletableFuture.allOf(updates);
        if (reuse.isZero()) {
            return updated;
        }
        // Only this future's completion runs on the JDK's timer thread; Cachekit hands it to its executor.
        Executor afterWait = CompletableFuture.delayedExecutor(reuse.toNanos(), TimeUnit.NANOSECONDS, Runnable::run);
        return updated.thenCompose(v -> CompletableFuture.runAsync(() -> {}, afterWait));
    }
}
