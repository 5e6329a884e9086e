package io.cachekit.http;

import io.cachekit.CacheBackendException;
import io.cachekit.spi.CacheBackend;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/** A backend whose store is down: every operation fails, and the attempts are counted. */
final class FailingBackend implements CacheBackend {
    final AtomicInteger attempts = new AtomicInteger();

    private CacheBackendException down(String operation) {
        attempts.incrementAndGet();
        return new CacheBackendException("failing " + operation + ": connection refused");
    }

    @Override
    public String name() {
        return "failing";
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
        // nothing to release
    }
}
