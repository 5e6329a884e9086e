package io.cachekit.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Caches the whole HTTP response of a Spring MVC handler method (or of every handler of a controller class):
 * status, headers and body, served again without calling the handler while fresh, with {@code ETag}, {@code
 * 304 Not Modified}, {@code Cache-Control}, {@code Age}, {@code X-Cache} and {@code Cache-Status}.
 *
 * <p>The rules (methods, what is stored, keys, per-user entries, compression) are those of {@code
 * cachekit.http.*}; see {@link io.cachekit.http.HttpResponseCache}. The annotation overrides the TTL and the
 * stale windows, adds Vary headers and tags, and may opt a {@code POST} handler in. Invalid values fail the
 * startup, naming the method.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface CachedResponse {

    /**
     * The longest the response is fresh: a duration such as {@code 30s}, {@code 5m}, {@code 2h} or {@code
     * PT30S}; empty for {@code cachekit.http.ttl}. Must be positive and finite. The handler's own {@code
     * s-maxage}, {@code max-age} or {@code Expires} may shorten it.
     */
    String ttl() default "";

    /**
     * How long after it stops being fresh the response may be served while one request refreshes it in the
     * background (RFC 5861 {@code stale-while-revalidate}), such as {@code 1m}; {@code 0s} for not at all;
     * empty for {@code cachekit.http.stale-while-revalidate}. The handler's own directive takes its place.
     */
    String staleWhileRevalidate() default "";

    /**
     * How long after it stops being fresh the response may be served when the handler throws or answers 5xx
     * (RFC 5861 {@code stale-if-error}), such as {@code 10m}; {@code 0s} for not at all; empty for {@code
     * cachekit.http.stale-if-error}. The handler's own directive takes its place.
     */
    String staleIfError() default "";

    /** Request headers, besides {@code cachekit.http.vary-headers}, whose values select different responses. */
    String[] varyHeaders() default {};

    /**
     * Tags (surrogate keys) of the response, such as {@code product:{id}} and {@code catalog}: {@code {name}}
     * is replaced by the request's path variable of that name, which every path of the mapping must have.
     * Tags are also read from the response header {@code cachekit.http.tag-header}. {@code
     * Cache.invalidateTags}, {@code HttpResponseCache.purgeTags} or {@code DELETE /actuator/cachekit/tags/{tag}}
     * purge every response carrying one.
     */
    String[] tags() default {};

    /**
     * Whether {@code POST} requests to this handler are cached, keyed by their body's SHA-256 and content type:
     * for handlers that only read (a search, a GraphQL query). Form posts are never cached. Other {@code POST}s
     * are never cached, and invalidate the responses stored for their URL.
     */
    boolean cachePost() default false;
}
