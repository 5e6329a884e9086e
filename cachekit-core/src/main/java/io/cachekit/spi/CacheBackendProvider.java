package io.cachekit.spi;

import java.net.URI;
import java.util.Set;

/**
 * Creates backends from URIs; found with {@link java.util.ServiceLoader}, so adding a backend module to
 * the class path makes its scheme available to {@code Cachekit.fromUri} and to the Spring property
 * {@code cachekit.backend}.
 *
 * <p>Implementations are stateless and thread-safe. They list in {@link #options()} every query option
 * they accept and reject any other with an {@link IllegalArgumentException} naming the valid ones
 * ({@link UriOptions} does both).
 */
public interface CacheBackendProvider {

    /** The URI schemes this provider handles, such as {@code redis} and {@code rediss}. */
    Set<String> schemes();

    /**
     * The name of the backends this provider creates (their {@link CacheBackend#name()}), used in messages
     * and metrics while a backend is still connecting. By default the first of its schemes in sorted order.
     */
    default String name() {
        return new java.util.TreeSet<>(schemes()).first();
    }

    /** The query options this provider accepts, for error messages and documentation. */
    Set<String> options();

    /**
     * Creates a backend. A store that cannot be reached (connection refused or timed out, unknown host)
     * fails with a {@link io.cachekit.StoreUnreachableException}, so Cachekit can start without it and
     * connect in the background; other problems the store reports (bad credentials) fail with a {@link
     * io.cachekit.CacheBackendException}; a bad URI or option fails with an {@link
     * IllegalArgumentException}. It may block up to the context's timeout.
     *
     * @param uri the backend URI, with Cachekit's own options (namespace, prefix, ttl) already removed
     * @param context the timeout, clock and executor the backend must use
     */
    CacheBackend create(URI uri, BackendContext context);
}
