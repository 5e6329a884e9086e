package io.cachekit.tck;

import io.cachekit.CacheBackendException;
import io.cachekit.spi.CacheBackend;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend whose store is down, for testing what sits above a backend (HTTP caching, Spring integration):
 * every operation fails with a {@link CacheBackendException}, sync ones by throwing and async ones with a
 * failed future, and is counted. Backends themselves are tested against their real servers. Thread-safe.
 */
public final class UnavailableBackend implements CacheBackend {
    private final AtomicInteger failures = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();

    /** Operations that failed so far. */
    public int failures() {
        return failures.get();
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return closed.get();
    }

    private CacheBackendException down(String operation) {
        failures.incrementAndGet();
        return new CacheBackendException("unavailable " + operation + ": connection refused");
    }

    @Override
    public String name() {
        return "unavailable";
    }

    @Override
    public byte[] get(String namespace, String key) {
        throw down("get");
    }

    @Override
    public void set(String namespace, String key, byte[] value, Duration ttl) {
        throw down("set");
    }

    @Override
    public void delete(String namespace, String key) {
        throw down("delete");
    }

    @Override
    public void clear(String namespace) {
        throw down("clear");
    }

    @Override
    public Map<String, byte[]> getMany(String namespace, Collection<String> keys) {
        throw down("getMany");
    }

    @Override
    public void setMany(String namespace, Map<String, byte[]> entries, Duration ttl) {
        throw down("setMany");
    }

    @Override
    public CompletableFuture<byte[]> getAsync(String namespace, String key) {
        return CompletableFuture.failedFuture(down("get"));
    }

    @Override
    public CompletableFuture<Void> setAsync(String namespace, String key, byte[] value, Duration ttl) {
        return CompletableFuture.failedFuture(down("set"));
    }

    @Override
    public CompletableFuture<Void> deleteAsync(String namespace, String key) {
        return CompletableFuture.failedFuture(down("delete"));
    }

    @Override
    public CompletableFuture<Void> clearAsync(String namespace) {
        return CompletableFuture.failedFuture(down("clear"));
    }

    @Override
    public CompletableFuture<Map<String, byte[]>> getManyAsync(String namespace, Collection<String> keys) {
        return CompletableFuture.failedFuture(down("getMany"));
    }

    @Override
    public CompletableFuture<Void> setManyAsync(String namespace, Map<String, byte[]> entries, Duration ttl) {
        return CompletableFuture.failedFuture(down("setMany"));
    }

    @Override
    public void close() {
        closed.set(true);
    }
}
