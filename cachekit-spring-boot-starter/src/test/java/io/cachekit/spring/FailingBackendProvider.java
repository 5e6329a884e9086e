package io.cachekit.spring;

import io.cachekit.spi.BackendContext;
import io.cachekit.spi.CacheBackend;
import io.cachekit.spi.CacheBackendProvider;
import io.cachekit.tck.UnavailableBackend;
import java.net.URI;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The {@code failing://} backend: a store that is down ({@link UnavailableBackend}). Every operation
 * fails and is counted; closing is recorded. Registered for the tests through {@link
 * java.util.ServiceLoader}, so {@code cachekit.backend=failing://} selects it like any backend.
 */
public final class FailingBackendProvider implements CacheBackendProvider {
    /** Every backend this provider made, in order. */
    static final List<UnavailableBackend> CREATED = new CopyOnWriteArrayList<>();

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
        UnavailableBackend backend = new UnavailableBackend();
        CREATED.add(backend);
        return backend;
    }
}
