package io.cachekit;

import io.cachekit.FailureHandlingTest.UnreliableBackend;
import io.cachekit.spi.BackendContext;
import io.cachekit.spi.CacheBackend;
import io.cachekit.spi.CacheBackendProvider;
import java.net.URI;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The {@code flaky://<store>} scheme of the core's tests: a store whose reachability, credentials and
 * health a test switches, to exercise lazy start and the circuit breaker through the public API.
 */
public final class FlakyStoreProvider implements CacheBackendProvider {
    private static final ConcurrentMap<String, Store> STORES = new ConcurrentHashMap<>();

    /** One named store's switches and what it saw. */
    static final class Store {
        volatile boolean reachable;
        volatile boolean rejectsCredentials;
        final AtomicInteger connects = new AtomicInteger();
        final AtomicInteger closes = new AtomicInteger();
        volatile UnreliableBackend backend;
    }

    /** The store of that name, created unreachable. */
    static Store store(String name) {
        return STORES.computeIfAbsent(name, n -> new Store());
    }

    @Override
    public Set<String> schemes() {
        return Set.of("flaky");
    }

    @Override
    public Set<String> options() {
        return Set.of();
    }

    @Override
    public CacheBackend create(URI uri, BackendContext context) {
        Store store = store(uri.getHost());
        if (store.rejectsCredentials) {
            throw new CacheBackendException("flaky: authentication failed for user app");
        }
        if (!store.reachable) {
            throw new StoreUnreachableException("flaky: connection refused");
        }
        store.connects.incrementAndGet();
        UnreliableBackend backend = new UnreliableBackend(context) {
            @Override
            public void close() {
                store.closes.incrementAndGet();
            }
        };
        store.backend = backend;
        return backend;
    }
}
