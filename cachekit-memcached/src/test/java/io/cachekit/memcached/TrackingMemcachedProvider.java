package io.cachekit.memcached;

import io.cachekit.spi.BackendContext;
import io.cachekit.spi.CacheBackend;
import io.cachekit.spi.CacheBackendProvider;
import java.net.URI;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import net.rubyeye.xmemcached.MemcachedClient;

/**
 * Test-only provider of the scheme {@value #SCHEME}: creates ordinary {@link MemcachedBackend}s (as {@code
 * memcached://} would) and remembers them, so that the failure test can wait, after it restarted its servers,
 * until every backend has reconnected to every server. xmemcached reconnects each server on its own schedule,
 * and the failure contract's check that "the cache uses the store again" probes one key, that is one server.
 */
public final class TrackingMemcachedProvider implements CacheBackendProvider {
    static final String SCHEME = "memcached-tracked";

    private static final List<MemcachedBackend> CREATED = new CopyOnWriteArrayList<>();

    @Override
    public Set<String> schemes() {
        return Set.of(SCHEME);
    }

    @Override
    public Set<String> options() {
        return MemcachedBackendOptions.URI_OPTIONS;
    }

    @Override
    public CacheBackend create(URI uri, BackendContext context) {
        URI memcached = URI.create("memcached" + uri.toString().substring(SCHEME.length()));
        MemcachedBackend backend = new MemcachedBackend(MemcachedBackendOptions.fromUri(memcached), context);
        CREATED.add(backend);
        return backend;
    }

    /** Whether every backend made here and not closed yet has an open connection to each of its servers. */
    static boolean allConnected() {
        CREATED.removeIf(backend -> backend.unwrap(MemcachedClient.class).isShutdown());
        for (MemcachedBackend backend : CREATED) {
            var sessions = backend.unwrap(MemcachedClient.class).getConnector().getSessionSet();
            if (sessions.size() < backend.options().servers().size()
                    || sessions.stream().anyMatch(session -> session.isClosed())) {
                return false;
            }
        }
        return true;
    }
}
