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
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A remote backend behind a circuit breaker (Resilience4j): once enough calls in the sliding window have
 * failed or timed out, calls fail at once with a {@link CacheBackendException} for the cool-off, so a dead
 * or paused store costs nothing instead of a timeout per call; then a few probe calls decide whether to
 * close again. No thread of its own: the breaker moves to half-open on the first call after the cool-off.
 *
 * <p>Failures that say nothing of the store's health (a value over its limit, bad arguments) are not
 * counted. Thread-safe.
 */
final class BreakerBackend implements CacheBackend {
    private final CacheBackend delegate;
    private final CircuitBreaker breaker;

    BreakerBackend(CacheBackend delegate, CachekitConfig config) {
        this.delegate = delegate;
        this.breaker = CircuitBreaker.of(delegate.name(), settings(config));
    }

    private static CircuitBreakerConfig settings(CachekitConfig config) {
        return CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(Math.max(20, config.breakerMinimumCalls() * 2))
                .minimumNumberOfCalls(config.breakerMinimumCalls())
                .failureRateThreshold(50)
                .waitDurationInOpenState(config.breakerCoolOff())
                .permittedNumberOfCallsInHalfOpenState(3)
                .automaticTransitionFromOpenToHalfOpenEnabled(false)
                .recordException(BreakerBackend::isStoreFailure)
                .build();
    }

    private static boolean isStoreFailure(Throwable error) {
        return error instanceof CacheBackendException && !(error instanceof CacheValueTooLargeException);
    }

    /** The breaker's state as a {@link BackendStatus}. */
    BackendStatus status() {
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
        delegate.close();
    }

    private void run(String operation, Runnable work) {
        call(operation, () -> {
            work.run();
            return null;
        });
    }

    private <T> T call(String operation, Supplier<T> work) {
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

    private <T> CompletableFuture<T> callAsync(String operation, Supplier<CompletableFuture<T>> work) {
        try {
            acquire(operation);
        } catch (CacheBackendException e) {
            return CompletableFuture.failedFuture(e);
        }
        long start = System.nanoTime();
        CompletableFuture<T> future;
        try {
            future = work.get();
        } catch (RuntimeException e) {
            breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, e);
            return CompletableFuture.failedFuture(e);
        }
        // Bookkeeping only, on whichever thread completes the future; the caller's continuations hop off it.
        future.whenComplete((result, error) -> {
            long nanos = System.nanoTime() - start;
            if (error == null) {
                breaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
            } else {
                breaker.onError(nanos, TimeUnit.NANOSECONDS, unwrapCompletion(error));
            }
        });
        return future;
    }

    private void acquire(String operation) {
        if (!breaker.tryAcquirePermission()) {
            throw new CacheBackendException(delegate.name() + " " + operation
                    + ": circuit breaker open after repeated store failures; calls fail at once for up to "
                    + breaker.getCircuitBreakerConfig()
                            .getWaitIntervalFunctionInOpenState()
                            .apply(1) + " ms");
        }
    }

    private static Throwable unwrapCompletion(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }
}
