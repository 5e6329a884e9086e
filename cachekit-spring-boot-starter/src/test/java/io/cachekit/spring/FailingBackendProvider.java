package io.cachekit.spring;

import io.cachekit.CacheBackendException;
import io.cachekit.spi.BackendContext;
import io.cachekit.spi.CacheBackend;
import io.cachekit.spi.CacheBackendProvider;
import java.net.URI;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The {@code failing://} backend: a store that is down. Every operation fails with a {@link
 * CacheBackendException} and is counted; closing is recorded. Registered for the tests through {@link
 * java.util.ServiceLoader}, so {@code cachekit.backend=failing://} selects it like any backend.
 */
public final class FailingBackendProvider implements CacheBackendProvider {
    /** Every backend this provider made, in order. */
    static final List<FailingBackend> CREATED = new CopyOnWriteArrayList<>();

    @Override
    public Set<String> schemes() {
        return Set.of("failing");
    }

    @Override
    public Set<String> options() {
        return Set.of();
    }

    @Override
    public CacheBackend create(URI uri, BackendContext context) {
        FailingBackend backend = new FailingBackend();
        CREATED.add(backend);
        return backend;
    }

    /** A backend whose store is unreachable. */
    static final class FailingBackend implements CacheBackend {
        final AtomicInteger failures = new AtomicInteger();
        final AtomicBoolean closed = new AtomicBoolean();

        private CacheBackendException down(String operation) {
            failures.incrementAndGet();
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
            closed.set(true);
        }
    }
}
