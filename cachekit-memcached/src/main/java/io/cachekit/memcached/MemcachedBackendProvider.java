package io.cachekit.memcached;

import io.cachekit.spi.BackendContext;
import io.cachekit.spi.CacheBackend;
import io.cachekit.spi.CacheBackendProvider;
import java.net.URI;
import java.util.Set;

/**
 * Creates {@link MemcachedBackend}s for {@code memcached://} URIs, such as {@code
 * memcached://cache1:11211,cache2:11211?namespace=app}; see {@link MemcachedBackendOptions#fromUri(URI)} for
 * their form and options. Found by {@link java.util.ServiceLoader}. Stateless and thread-safe.
 */
public final class MemcachedBackendProvider implements CacheBackendProvider {

    @Override
    public Set<String> schemes() {
        return Set.of("memcached");
    }

    @Override
    public Set<String> options() {
        return MemcachedBackendOptions.URI_OPTIONS;
    }

    /**
     * Connects to the servers that {@code uri} names.
     *
     * @throws IllegalArgumentException for an invalid URI or option
     * @throws io.cachekit.StoreUnreachableException when no server accepts a connection
     */
    @Override
    public CacheBackend create(URI uri, BackendContext context) {
        return new MemcachedBackend(MemcachedBackendOptions.fromUri(uri), context);
    }
}
