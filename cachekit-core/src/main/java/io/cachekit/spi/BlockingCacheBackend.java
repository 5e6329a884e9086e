package io.cachekit.spi;

import io.cachekit.CacheBackendException;
import io.cachekit.CacheTimeoutException;
import io.cachekit.internal.OperationTimeouts;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

/**
 * Base class for backends whose client blocks: the async methods run the sync ones on the context's
 * bounded executor, so an async caller (or an event loop) is never blocked. Each async operation also
 * completes with a {@link CacheTimeoutException} once the context's operation timeout has passed; one that
 * times out while still queued is then not run at all.
 *
 * <p>When the executor's queue is full the future fails at once with a {@link CacheBackendException}
 * rather than queueing without bound.
 */
public abstract class BlockingCacheBackend implements CacheBackend {

    /** What this backend was created with. */
    protected final BackendContext context;

    private final OperationTimeouts timeouts;

    /** A backend whose async methods run on {@code context}'s executor, bounded by its operation timeout. */
    protected BlockingCacheBackend(BackendContext context) {
        this.context = Objects.requireNonNull(context, "context");
        this.timeouts = new OperationTimeouts(context.operationTimeout());
    }

    @Override
    public CompletableFuture<byte[]> getAsync(String namespace, String key) {
        return submit("get", () -> get(namespace, key));
    }

    @Override
    public CompletableFuture<Void> setAsync(String namespace, String key, byte[] value, Duration ttl) {
        return submit("set", () -> {
            set(namespace, key, value, ttl);
            return null;
        });
    }

    @Override
    public CompletableFuture<byte[]> setIfAbsentAsync(String namespace, String key, byte[] value, Duration ttl) {
        return submit("setIfAbsent", () -> setIfAbsent(namespace, key, value, ttl));
    }

    @Override
    public CompletableFuture<Void> deleteAsync(String namespace, String key) {
        return submit("delete", () -> {
            delete(namespace, key);
            return null;
        });
    }

    @Override
    public CompletableFuture<Void> clearAsync(String namespace) {
        return submit("clear", () -> {
            clear(namespace);
            return null;
        });
    }

    @Override
    public CompletableFuture<Map<String, byte[]>> getManyAsync(String namespace, Collection<String> keys) {
        return submit("getMany", () -> getMany(namespace, keys));
    }

    @Override
    public CompletableFuture<Void> setManyAsync(String namespace, Map<String, byte[]> entries, Duration ttl) {
        return submit("setMany", () -> {
            setMany(namespace, entries, ttl);
            return null;
        });
    }

    /**
     * Runs {@code work} on the context's executor: the future fails with a {@link CacheBackendException} at once
     * when the executor is saturated, and with a {@link CacheTimeoutException} once the operation timeout has
     * passed; any other failure of {@code work} is passed on unchanged. For subclasses that override an async
     * method, to run its blocking part as the others do.
     *
     * @param operation the operation's name, for messages
     * @param work what to run; it may block
     */
    protected final <T> CompletableFuture<T> submit(String operation, Supplier<T> work) {
        Objects.requireNonNull(work, "work");
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            context.executor().execute(() -> run(result, work));
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(
                    new CacheBackendException(name() + " " + operation + ": async executor is saturated", e));
        }
        return timeouts.watch(
                result,
                () -> new CacheTimeoutException(
                        name() + " " + operation + " did not finish within " + context.operationTimeout()));
    }

    private static <T> void run(CompletableFuture<T> result, Supplier<T> work) {
        // Timed out while queued: its caller has its answer, so the store is spared the call.
        if (result.isDone()) {
            return;
        }
        try {
            result.complete(work.get());
        } catch (Throwable e) {
            result.completeExceptionally(e);
        }
    }
}
