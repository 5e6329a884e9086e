package io.cachekit.internal;

import io.cachekit.BackendStatus;
import io.cachekit.CacheBackendException;
import io.cachekit.CacheValueTooLargeException;
import io.cachekit.CachekitConfig;
import io.cachekit.spi.CacheBackend;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A remote backend as the core uses it: behind a circuit breaker, with its async results handed to the
 * configured executor.
 *
 * <p>The breaker (Resilience4j, unless the configuration turns it off): once enough calls in the sliding
 * window have failed or timed out, calls fail at once with a {@link CacheBackendException} for the
 * cool-off, so a dead or paused store costs nothing instead of a timeout per call; then a few probe calls
 * decide whether to close again. No thread of its own: the breaker moves to half-open on the first call
 * after the cool-off. Failures that say nothing of the store's health (a value over its limit, bad
 * arguments) are not counted.
 *
 * <p>The hand-off: every async result completes on the executor ({@link SharedExecutor#completions()} unless
 * configured), never on the client's I/O or timer thread, so decoding, loaders and the caller's callbacks
 * cannot block an event loop. A result that completes on the calling thread or on a thread of Cachekit's own
 * pools (a blocking backend's work done on {@link SharedExecutor#shared()}) completes there, without a second
 * hand-off. Thread-safe.
 */
final class GuardedBackend implements CacheBackend {
    private final CacheBackend delegate;
    /** Null when the configuration turns the breaker off. */
    private final CircuitBreaker breaker;

    private final Executor executor;
    /** Set by {@link #close}: calls then fail at once, saying so, and never count against the store. */
    private volatile boolean closed;

    GuardedBackend(CacheBackend delegate, CachekitConfig config) {
        this.delegate = delegate;
        this.breaker = config.circuitBreaker() ? CircuitBreaker.of(delegate.name(), settings(config)) : null;
        this.executor = config.executor() != null ? config.executor() : SharedExecutor.completions();
    }

    private static CircuitBreakerConfig settings(CachekitConfig config) {
        return CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(Math.max(20, config.breakerMinimumCalls() * 2))
                // Every call records its outcome in the window: the default, synchronized window made the
                // blocking backends' threads queue on one monitor, and on few cores a preempted holder stalls all.
                .slidingWindowSynchronizationStrategy(
                        CircuitBreakerConfig.SlidingWindowSynchronizationStrategy.LOCK_FREE)
                .minimumNumberOfCalls(config.breakerMinimumCalls())
                .failureRateThreshold(50)
                .waitDurationInOpenState(config.breakerCoolOff())
                .permittedNumberOfCallsInHalfOpenState(3)
                .automaticTransitionFromOpenToHalfOpenEnabled(false)
                .recordException(GuardedBackend::isStoreFailure)
                .build();
    }

    private static boolean isStoreFailure(Throwable error) {
        return error instanceof CacheBackendException && !(error instanceof CacheValueTooLargeException);
    }

    /** The breaker's state as a {@link BackendStatus}. */
    BackendStatus status() {
        if (breaker == null) {
            return BackendStatus.UP;
        }
        return switch (breaker.getState()) {
            case OPEN, FORCED_OPEN -> BackendStatus.OPEN;
            case HALF_OPEN -> BackendStatus.HALF_OPEN;
            default -> BackendStatus.UP;
        };
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public byte[] get(String namespace, String key) {
        return call("get", () -> delegate.get(namespace, key));
    }

    @Override
    public void set(String namespace, String key, byte[] value, Duration ttl) {
        run("set", () -> delegate.set(namespace, key, value, ttl));
    }

    @Override
    public byte[] setIfAbsent(String namespace, String key, byte[] value, Duration ttl) {
        return call("setIfAbsent", () -> delegate.setIfAbsent(namespace, key, value, ttl));
    }

    @Override
    public CompletableFuture<byte[]> setIfAbsentAsync(String namespace, String key, byte[] value, Duration ttl) {
        return callAsync("setIfAbsent", () -> delegate.setIfAbsentAsync(namespace, key, value, ttl));
    }

    @Override
    public void delete(String namespace, String key) {
        run("delete", () -> delegate.delete(namespace, key));
    }

    @Override
    public void clear(String namespace) {
        run("clear", () -> delegate.clear(namespace));
    }

    @Override
    public Map<String, byte[]> getMany(String namespace, Collection<String> keys) {
        return call("getMany", () -> delegate.getMany(namespace, keys));
    }

    @Override
    public void setMany(String namespace, Map<String, byte[]> entries, Duration ttl) {
        run("setMany", () -> delegate.setMany(namespace, entries, ttl));
    }

    @Override
    public CompletableFuture<byte[]> getAsync(String namespace, String key) {
        return callAsync("get", () -> delegate.getAsync(namespace, key));
    }

    @Override
    public CompletableFuture<Void> setAsync(String namespace, String key, byte[] value, Duration ttl) {
        return callAsync("set", () -> delegate.setAsync(namespace, key, value, ttl));
    }

    @Override
    public CompletableFuture<Void> deleteAsync(String namespace, String key) {
        return callAsync("delete", () -> delegate.deleteAsync(namespace, key));
    }

    @Override
    public CompletableFuture<Void> clearAsync(String namespace) {
        return callAsync("clear", () -> delegate.clearAsync(namespace));
    }

    @Override
    public CompletableFuture<Map<String, byte[]>> getManyAsync(String namespace, Collection<String> keys) {
        return callAsync("getMany", () -> delegate.getManyAsync(namespace, keys));
    }

    @Override
    public CompletableFuture<Void> setManyAsync(String namespace, Map<String, byte[]> entries, Duration ttl) {
        return callAsync("setMany", () -> delegate.setManyAsync(namespace, entries, ttl));
    }

    @Override
    public <T> T unwrap(Class<T> type) {
        if (type.isInstance(this)) {
            return type.cast(this);
        }
        return delegate.unwrap(type);
    }

    @Override
    public void close() {
        closed = true;
        delegate.close();
    }

    private CacheBackendException closed(String operation) {
        return new CacheBackendException(delegate.name() + " " + operation + ": the backend is closed");
    }

    private void run(String operation, Runnable work) {
        call(operation, () -> {
            work.run();
            return null;
        });
    }

    private <T> T call(String operation, Supplier<T> work) {
        if (closed) {
            throw closed(operation);
        }
        if (breaker == null) {
            return work.get();
        }
        acquire(operation);
        long start = System.nanoTime();
        try {
            T result = work.get();
            breaker.onSuccess(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            return result;
        } catch (RuntimeException e) {
            breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, e);
            throw e;
        }
    }

    /**
     * Runs an async operation through the breaker, and completes what it returns on the executor: a store
     * client completes its futures on its own I/O thread (or a timer thread after a timeout), and whatever
     * the caller chains on them (decoding, a loader, the user's callbacks) must never run there.
     */
    private <T> CompletableFuture<T> callAsync(String operation, Supplier<CompletableFuture<T>> work) {
        if (closed) {
            return CompletableFuture.failedFuture(closed(operation));
        }
        if (breaker != null && !breaker.tryAcquirePermission()) {
            return CompletableFuture.failedFuture(open(operation));
        }
        long start = System.nanoTime();
        CompletableFuture<T> future;
        try {
            future = work.get();
        } catch (RuntimeException e) {
            if (breaker != null) {
                breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, e);
            }
            return CompletableFuture.failedFuture(e);
        }
        Thread caller = Thread.currentThread();
        CompletableFuture<T> result = new CompletableFuture<>();
        future.whenComplete((value, error) -> {
            if (breaker != null) {
                long nanos = System.nanoTime() - start;
                if (error == null) {
                    breaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
                } else {
                    breaker.onError(nanos, TimeUnit.NANOSECONDS, unwrapCompletion(error));
                }
            }
            // The caller's own thread and Cachekit's pools need no hand-off: only a client's I/O or timer
            // thread does, and each hand-off costs a thread wake-up.
            if (Thread.currentThread() == caller || SharedExecutor.onOwnThread()) {
                complete(result, value, error);
                return;
            }
            try {
                executor.execute(() -> complete(result, value, error));
            } catch (RejectedExecutionException e) {
                result.completeExceptionally(new CacheBackendException(
                        delegate.name() + " " + operation + ": the executor refused the result's hand-off", e));
            }
        });
        return result;
    }

    private static <T> void complete(CompletableFuture<T> result, T value, Throwable error) {
        if (error == null) {
            result.complete(value);
        } else {
            result.completeExceptionally(unwrapCompletion(error));
        }
    }

    private void acquire(String operation) {
        if (!breaker.tryAcquirePermission()) {
            throw open(operation);
        }
    }

    private CacheBackendException open(String operation) {
        return new CacheBackendException(delegate.name() + " " + operation
                + ": circuit breaker open after repeated store failures; calls fail at once for up to "
                + breaker.getCircuitBreakerConfig()
                        .getWaitIntervalFunctionInOpenState()
                        .apply(1) + " ms");
    }

    private static Throwable unwrapCompletion(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }
}
