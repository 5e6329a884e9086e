package io.cachekit.redis;

import io.cachekit.spi.BackendContext;
import io.cachekit.spi.CacheBackend;
import io.cachekit.spi.CacheBackendProvider;
import java.net.URI;
import java.util.Set;

/**
 * Creates {@link RedisBackend}s for {@code redis://}, {@code rediss://} (TLS), {@code redis-cluster://} and
 * {@code rediss-cluster://} URIs; see {@link RedisBackendOptions#fromUri(URI)} for their form and options.
 * Found by {@link java.util.ServiceLoader}. Stateless and thread-safe.
 */
public final class RedisBackendProvider implements CacheBackendProvider {

    @Override
    public String name() {
        return "redis";
    }

    @Override
    public Set<String> schemes() {
        return Set.of("redis", "rediss", "redis-cluster", "rediss-cluster");
    }

    @Override
    public Set<String> options() {
        return RedisBackendOptions.URI_OPTIONS;
    }

    /**
     * Connects to the server or Cluster that {@code uri} names.
     *
     * @throws IllegalArgumentException for an invalid URI or option
     * @throws io.cachekit.CacheBackendException when the server cannot be reached
     */
    @Override
    public CacheBackend create(URI uri, BackendContext context) {
        return new RedisBackend(RedisBackendOptions.fromUri(uri), context);
    }
}
