package io.cachekit.http;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A response as the cache holds it: status, the headers that are replayed, the body bytes (and, for
 * compressible responses, their gzip coding), its entity tag, its tags, and its times: when it was stored,
 * until when it is fresh, and for how long after that it may still be served stale (RFC 5861), while it is
 * refreshed in the background ({@code stale-while-revalidate}) or when the handler fails ({@code
 * stale-if-error}).
 *
 * <p>Immutable apart from {@link #body()} and {@link #gzipBody()}, which return the stored arrays themselves
 * so that a hit copies nothing: callers must not modify them. Thread-safe.
 *
 * @param status the HTTP status, 200 to 299 (or {@code POST} responses' 2xx)
 * @param headers header names (as the handler wrote them) to their values, in order; never null
 * @param body the body bytes; never null, empty for an empty body
 * @param gzipBody the body in the gzip coding, or null when the response is not sent compressed
 * @param etag the entity tag of {@code body}, quoted as sent, such as {@code "3q2-7w"}; never null
 * @param tags the response's tags (surrogate keys), never null
 * @param storedAtMillis when the response was stored, epoch milliseconds of the cache's clock
 * @param freshUntilMillis until when the response is fresh, epoch milliseconds of the cache's clock
 * @param staleWhileRevalidateMillis how long after {@code freshUntilMillis} it may be served while it is
 *     refreshed in the background; 0 for not at all
 * @param staleIfErrorMillis how long after {@code freshUntilMillis} it may be served when the handler fails;
 *     0 for not at all
 */
public record StoredResponse(
        int status,
        Map<String, List<String>> headers,
        byte[] body,
        byte[] gzipBody,
        String etag,
        List<String> tags,
        long storedAtMillis,
        long freshUntilMillis,
        long staleWhileRevalidateMillis,
        long staleIfErrorMillis) {

    /** Checks the parts and copies the headers. */
    public StoredResponse {
        Objects.requireNonNull(headers, "headers");
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(etag, "etag");
        tags = List.copyOf(tags);
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("Not an HTTP status: " + status);
        }
        if (freshUntilMillis < storedAtMillis || staleWhileRevalidateMillis < 0 || staleIfErrorMillis < 0) {
            throw new IllegalArgumentException("Inconsistent times of a stored response");
        }
        Map<String, List<String>> copy = new LinkedHashMap<>();
        headers.forEach((name, values) -> copy.put(
                Objects.requireNonNull(name, "header name"), Collections.unmodifiableList(new ArrayList<>(values))));
        headers = Collections.unmodifiableMap(copy);
    }

    /** The first value of a header, by case-insensitive name, or null. */
    public @Nullable String header(String name) {
        for (Map.Entry<String, List<String>> e : headers.entrySet()) {
            if (e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
                return e.getValue().get(0);
            }
        }
        return null;
    }

    /** Every value of a header, by case-insensitive name; empty when absent. */
    public List<String> headerValues(String name) {
        List<String> values = new ArrayList<>();
        headers.forEach((n, v) -> {
            if (n.equalsIgnoreCase(name)) {
                values.addAll(v);
            }
        });
        return values;
    }

    /** How long the response is fresh after it was stored (its freshness lifetime), in milliseconds. */
    public long lifetimeMillis() {
        return freshUntilMillis - storedAtMillis;
    }

    /** When the response can no longer be served at all, fresh or stale. */
    public long expiresAtMillis() {
        return freshUntilMillis + Math.max(staleWhileRevalidateMillis, staleIfErrorMillis);
    }

    /** Whether the response is fresh at {@code nowMillis}. */
    public boolean isFresh(long nowMillis) {
        return nowMillis < freshUntilMillis;
    }

    /** Whether at {@code nowMillis} it may be served stale while one request refreshes it in the background. */
    public boolean mayRevalidateInBackground(long nowMillis) {
        return !isFresh(nowMillis) && nowMillis < freshUntilMillis + staleWhileRevalidateMillis;
    }

    /** Whether at {@code nowMillis} it may be served stale in place of a failed handler's answer. */
    public boolean mayServeOnError(long nowMillis) {
        return !isFresh(nowMillis) && nowMillis < freshUntilMillis + staleIfErrorMillis;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StoredResponse r
                && status == r.status
                && storedAtMillis == r.storedAtMillis
                && freshUntilMillis == r.freshUntilMillis
                && staleWhileRevalidateMillis == r.staleWhileRevalidateMillis
                && staleIfErrorMillis == r.staleIfErrorMillis
                && etag.equals(r.etag)
                && tags.equals(r.tags)
                && headers.equals(r.headers)
                && Arrays.equals(body, r.body)
                && Arrays.equals(gzipBody, r.gzipBody);
    }

    @Override
    public int hashCode() {
        return Objects.hash(status, headers, Arrays.hashCode(body), etag, tags, storedAtMillis, freshUntilMillis);
    }

    @Override
    public String toString() {
        return "StoredResponse{status=" + status + ", headers=" + headers.keySet() + ", body=" + body.length
                + " bytes, gzip=" + (gzipBody == null ? "none" : gzipBody.length + " bytes") + ", etag=" + etag
                + ", tags=" + tags + ", storedAt=" + storedAtMillis + ", freshUntil=" + freshUntilMillis
                + ", staleWhileRevalidate=" + staleWhileRevalidateMillis + "ms, staleIfError=" + staleIfErrorMillis
                + "ms}";
    }
}
