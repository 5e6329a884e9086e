package io.cachekit.dynamodb.internal;

import io.cachekit.CacheBackendException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Chunking, backoff and bounded concurrency for DynamoDB's batch calls. Not API; stateless and thread-safe.
 */
public final class Batches {
    /** The first backoff before unprocessed items are sent again. */
    static final long BASE_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    /** The longest backoff between two sends of unprocessed items. */
    static final long MAX_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    private Batches() {}

    /** {@code items} in consecutive lists of at most {@code size}. */
    public static <T> List<List<T>> chunks(List<T> items, int size) {
        List<List<T>> chunks = new ArrayList<>((items.size() + size - 1) / size);
        for (int from = 0; from < items.size(); from += size) {
            chunks.add(items.subList(from, Math.min(items.size(), from + size)));
        }
        return chunks;
    }

    /**
     * The backoff before send number {@code attempt + 1} of unprocessed items: exponential from 20 ms up to
     * 500 ms, with jitter (between half and all of it), as DynamoDB advises for batch calls.
     */
    static long backoffNanos(int attempt) {
        long ceiling = attempt >= 10 ? MAX_BACKOFF_NANOS : Math.min(MAX_BACKOFF_NANOS, BASE_BACKOFF_NANOS << attempt);
        return ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1);
    }

    /**
     * Sleeps the backoff of {@code attempt}, or throws the timeout when the deadline would pass first.
     *
     * @param deadline a {@link System#nanoTime()} value
     */
    public static void pause(int attempt, long deadline, Supplier<? extends CacheBackendException> timeout) {
        long delay = backoffNanos(attempt);
        if (System.nanoTime() + delay >= deadline) {
            throw timeout.get();
        }
        try {
            TimeUnit.NANOSECONDS.sleep(delay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CacheBackendException("dynamodb: interrupted while waiting to send unprocessed items", e);
        }
    }

    /**
     * A future that completes after the backoff of {@code attempt} (on the JDK's delayed executor, which
     * blocks no one), or fails with the timeout when the deadline would pass first.
     */
    public static CompletableFuture<Void> later(
            int attempt, long deadline, Supplier<? extends CacheBackendException> timeout) {
        long delay = backoffNanos(attempt);
        if (System.nanoTime() + delay >= deadline) {
            return CompletableFuture.failedFuture(timeout.get());
        }
        return CompletableFuture.runAsync(() -> {}, CompletableFuture.delayedExecutor(delay, TimeUnit.NANOSECONDS));
    }

    /**
     * Runs {@code task} on every item with at most {@code concurrency} of them in flight; completes when all
     * have, or fails with the first failure (items not yet started are then left alone).
     */
    public static <T> CompletableFuture<Void> forEach(
            List<T> items, int concurrency, Function<T, CompletableFuture<Void>> task) {
        AtomicInteger next = new AtomicInteger();
        AtomicBoolean failed = new AtomicBoolean();
        int lanes = Math.min(concurrency, items.size());
        CompletableFuture<?>[] running = new CompletableFuture<?>[lanes];
        for (int i = 0; i < lanes; i++) {
            running[i] = lane(items, next, failed, task);
        }
        return CompletableFuture.allOf(running);
    }

    private static <T> CompletableFuture<Void> lane(
            List<T> items, AtomicInteger next, AtomicBoolean failed, Function<T, CompletableFuture<Void>> task) {
        int index = next.getAndIncrement();
        if (index >= items.size() || failed.get()) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> current;
        try {
            current = task.apply(items.get(index));
        } catch (RuntimeException e) {
            current = CompletableFuture.failedFuture(e);
        }
        return current.whenComplete((v, e) -> {
                    if (e != null) {
                        failed.set(true);
                    }
                })
                .thenCompose(v -> lane(items, next, failed, task));
    }
}
