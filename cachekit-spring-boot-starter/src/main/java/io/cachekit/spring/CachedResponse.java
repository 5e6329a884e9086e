package io.cachekit.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Caches the whole HTTP response of a Spring MVC handler method (or of every handler of a controller class):
 * status, headers and body, served again without calling the handler until the TTL runs out, with {@code
 * ETag}, {@code 304 Not Modified}, {@code Cache-Control: max-age}, {@code Age} and {@code X-Cache}.
 *
 * <p>The rules (methods, what is stored, per-user keys) are those of {@code cachekit.http.*}; see {@link
 * io.cachekit.http.HttpResponseCache}. The annotation overrides the TTL, and adds Vary headers.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface CachedResponse {

    /**
     * How long the response is served from the cache: a duration such as {@code 30s}, {@code 5m}, {@code 2h}
     * or {@code PT30S}; empty for {@code cachekit.http.ttl}. Must be positive and finite.
     */
    String ttl() default "";

    /** Request headers, besides {@code cachekit.http.vary-headers}, whose values select different responses. */
    String[] varyHeaders() default {};
}
