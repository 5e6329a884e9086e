package io.cachekit.benchmarks;

import io.cachekit.spi.CacheBackend;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A backend that does no work: every get returns the same stored bytes, every set only keeps a reference to
 * what it was given. Cachekit on it costs what Cachekit itself costs per call (keys, envelope, codec, counters,
 * circuit breaker), without any store.
 */
public final class NoopBackend implements CacheBackend {
    private final byte[] stored;
    private byte[] lastWritten; // a plain field: written on every set, read only after the run

    /** A backend whose every get returns {@code stored}. */
    public NoopBackend(byte[] stored) {
        this.stored = stored;
    }

    /** The bytes of the last set, for checks outside the measurement. */
    public byte[] lastWritten() {
        return lastWritten;
    }

    @Override
    public String name() {
        return "noop";
    }

    @Override
    public byte[] get(String namespace, String key) {
        return stored;
    }

    @Override
    public void set(String namespace, String key, byte[] value, Duration ttl) {
        lastWritten = value;
    }

    @Override
    public void delete(String namespace, String key) {}

    @Override
    public void clear(String namespace) {}

    @Override
    public CompletableFuture<byte[]> getAsync(String namespace, String key) {
        return CompletableFuture.completedFuture(stored);
    }

    @Override
    public CompletableFuture<Void> setAsync(String namespace, String key, byte[] value, Duration ttl) {
        lastWritten = value;
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> deleteAsync(String namespace, String key) {
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> clearAsync(String namespace) {
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Map<String, byte[]>> getManyAsync(String namespace, Collection<String> keys) {
        Map<String, byte[]> found = new HashMap<>();
        keys.forEach(k -> found.put(k, stored));
        return CompletableFuture.completedFuture(found);
    }

    @Override
    public CompletableFuture<Void> setManyAsync(String namespace, Map<String, byte[]> entries, Duration ttl) {
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public void close() {}
}
