package io.cachekit.http.internal;

import io.cachekit.http.CapturedResponse;
import io.cachekit.http.ResponseCachePolicy;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.OptionalLong;

/**
 * How long a captured response may be served: fresh, then stale while revalidating, then stale on error.
 *
 * <p>The freshness lifetime is the policy's TTL, shortened by the handler's own: {@code s-maxage} first (this
 * is a shared cache), else {@code max-age}, else {@code Expires} less {@code Date} (or now). Directives are
 * read one by one ({@link CacheControl}), never by comparing whole header values. A lifetime of zero or less
 * means the response is not stored. The stale windows are the handler's {@code stale-while-revalidate} and
 * {@code stale-if-error} when it sent them, else the policy's; {@code must-revalidate} or {@code
 * proxy-revalidate} allow none.
 *
 * @param lifetimeMillis how long the response is fresh, positive
 * @param staleWhileRevalidateMillis how long after that it may be served while it is refreshed
 * @param staleIfErrorMillis how long after that it may be served in place of a failed answer
 */
public record Freshness(long lifetimeMillis, long staleWhileRevalidateMillis, long staleIfErrorMillis) {
    private static final long MAX_WINDOW_SECONDS = 365L * 24 * 3600;

    /**
     * The freshness of {@code response} under {@code policy} at {@code nowMillis}, or null when it is not
     * fresh at all (so not stored).
     */
    public static Freshness of(ResponseCachePolicy policy, CapturedResponse response, long nowMillis) {
        CacheControl directives = CacheControl.parse(response.headers("Cache-Control"));
        long policySeconds = Math.max(1, policy.ttl().toSeconds());
        long lifetimeMillis = policy.ttl().toMillis();
        OptionalLong own = directives.sMaxAge();
        if (own.isEmpty()) {
            own = directives.maxAge();
        }
        if (own.isPresent()) {
            lifetimeMillis = Math.min(lifetimeMillis, Math.min(own.getAsLong(), policySeconds) * 1000);
        } else {
            List<String> expires = response.headers("Expires");
            if (!expires.isEmpty()) {
                long expiresAt = date(expires, Long.MIN_VALUE);
                long base = date(response.headers("Date"), nowMillis);
                lifetimeMillis = expiresAt == Long.MIN_VALUE ? 0 : Math.min(lifetimeMillis, expiresAt - base);
            }
        }
        if (lifetimeMillis <= 0) {
            return null;
        }
        if (directives.mustRevalidate()) {
            return new Freshness(lifetimeMillis, 0, 0);
        }
        return new Freshness(
                lifetimeMillis,
                window(
                        directives.staleWhileRevalidate(),
                        policy.staleWhileRevalidate().toMillis()),
                window(directives.staleIfError(), policy.staleIfError().toMillis()));
    }

    /** How long the response is kept: fresh, then for the longer of its stale windows. */
    public long totalMillis() {
        return lifetimeMillis + Math.max(staleWhileRevalidateMillis, staleIfErrorMillis);
    }

    private static long window(OptionalLong fromHandler, long configured) {
        return fromHandler.isPresent() ? Math.min(fromHandler.getAsLong(), MAX_WINDOW_SECONDS) * 1000 : configured;
    }

    /**
     * The first value as an HTTP-date in epoch milliseconds; {@code otherwise} when absent or invalid (an
     * invalid {@code Expires}, such as {@code 0}, means already expired: RFC 9111 section 5.3).
     */
    private static long date(List<String> values, long otherwise) {
        if (values.isEmpty()) {
            return otherwise;
        }
        try {
            return ZonedDateTime.parse(values.get(0).trim(), DateTimeFormatter.RFC_1123_DATE_TIME)
                    .toInstant()
                    .toEpochMilli();
        } catch (DateTimeParseException e) {
            return otherwise;
        }
    }
}
