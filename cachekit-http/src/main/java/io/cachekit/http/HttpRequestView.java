package io.cachekit.http;

import java.util.List;

/**
 * The parts of an HTTP request that response caching reads, so that {@link HttpResponseCache} works with any
 * server framework. Implementations only read the request; they need not be thread-safe, since a view is
 * used by the threads that handle its request, one at a time.
 */
public interface HttpRequestView {

    /** The request method, such as {@code GET}. */
    String method();

    /** The scheme the client used, {@code http} or {@code https} (after any trusted proxy's forwarding). */
    String scheme();

    /**
     * The host the client addressed, with the port when it is not the scheme's default, such as {@code
     * api.example.com} or {@code localhost:8080} (the {@code Host} header, or a trusted proxy's forwarded one).
     */
    String host();

    /** The path as sent, still percent-encoded, without the query; never null. */
    String path();

    /** The query as sent, without the {@code ?}, or null when there is none. */
    String rawQuery();

    /** Every value of the named header (case-insensitive name), in order; empty when absent, never null. */
    List<String> headers(String name);

    /**
     * The complete request body, when the adapter read it for a {@code POST} that may be cached (see {@link
     * ResponseCachePolicy#cachePost()}); null otherwise, and then such a {@code POST} is not cached.
     */
    default byte[] body() {
        return null;
    }
}
