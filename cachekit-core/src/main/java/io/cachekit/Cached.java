package io.cachekit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Caches the result of an interface method (through {@link Cache#proxy}) or of a Spring bean method
 * (through the starter's aspect).
 *
 * <p>Calls with equal arguments share one entry; concurrent calls of a missing entry run the method once in
 * the process. Methods returning {@link java.util.concurrent.CompletableFuture} are cached without blocking:
 * the future's value is cached when it completes, and a failed future is never cached. Exceptions are never
 * cached. Backend failures fail open: the real method answers and the error is logged and counted. With {@link
 * #tags()}, entries are invalidated together by tag, across methods, namespaces and processes.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Cached {

    /**
     * Time to live: empty for the cache's default, {@code never} for no expiry, or a duration such as {@code
     * 30s}, {@code 5m}, {@code 2h}, {@code 1d}, {@code PT30S}. Zero or negative durations are rejected.
     */
    String ttl() default "";

    /** Namespace of the entries; empty for the namespace of the cache the proxy was made from. */
    String namespace() default "";

    /**
     * Key template; empty for the default key (the method's identity and a canonical encoding of its
     * arguments). Placeholders name parameters or their properties: {@code "user:{id}"}, {@code
     * "{0}:{1}"}, {@code "{order.customer.id}"}. A template key does not include the method's identity, so
     * {@link CacheEvict} can name the same key.
     */
    String key() default "";

    /**
     * How long past its TTL an entry may still be served, empty for not at all: a duration such as {@code 10m}.
     * A call that finds such a stale entry gets it at once while one call refreshes it in the background; while
     * the refresh (the real method or the store) fails, the stale value is served and the failure logged and
     * counted, until the entry is {@code ttl + staleFor} old.
     */
    String staleFor() default "";

    /** Whether a null result is cached (as a hit) rather than computed again on every call. */
    boolean cacheNull() default true;

    /**
     * Tags of each entry, as templates with the placeholders and escaping of {@link #key()}: {@code "user:{0}"},
     * {@code "org:{order.customer.orgId}"}, or a constant such as {@code "prices"}. {@code "user:{0}"} of the
     * argument {@code 42} is the tag {@code user:42}, which {@link Cache#invalidateTags} and {@link
     * CacheEvict#tags()} name. At most {@value Tags#MAX_TAGS}, each at most {@value Tags#MAX_LENGTH} characters
     * once rendered (a longer one fails the call with an {@link IllegalArgumentException}). The tags' versions
     * are read before the method runs, so an invalidation while it runs leaves its entry invalid.
     */
    String[] tags() default {};
}
