package io.cachekit.http;

import java.util.List;

/**
 * The parts of an HTTP request that response caching reads, so that {@link HttpResponseCache} works with any
 * server framework. Implementations only read the request; they need not be thread-safe, since a view is
 * used by the thread that handles its request.
 */
public interface HttpRequestView {

    /** The request method, such as {@code GET}. */
    String method();

    /** The path as sent, still percent-encoded, without the query; never null. */
    String path();

    /** The query as sent, without the {@code ?}, or null when there is none. */
    String rawQuery();

    /** Every value of the named header (case-insensitive name), in order; empty when absent, never null. */
    List<String> headers(String name);
}
