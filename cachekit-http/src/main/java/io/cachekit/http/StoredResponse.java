package io.cachekit.http;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A response as the cache holds it: status, the headers that are replayed, the body bytes, its entity tag,
 * and when it was stored and expires. A hit sends these back untouched, plus the freshness headers
 * ({@code Cache-Control}, {@code Age}, {@code X-Cache}).
 *
 * <p>Immutable apart from {@link #body()}, which returns the stored array itself so that a hit copies
 * nothing: callers must not modify it. Thread-safe.
 *
 * @param status the HTTP status, 200 to 299
 * @param headers header names (as the handler wrote them) to their values, in order; never null
 * @param body the body bytes; never null, empty for an empty body
 * @param etag the entity tag, quoted as sent, such as {@code "3q2-7w"}; never null
 * @param storedAtMillis when the response was stored, epoch milliseconds of the cache's clock
 * @param expiresAtMillis when the response stops being served, epoch milliseconds of the cache's clock
 */
public record StoredResponse(
        int status,
        Map<String, List<String>> headers,
        byte[] body,
        String etag,
        long storedAtMillis,
        long expiresAtMillis) {

    public StoredResponse {
        Objects.requireNonNull(headers, "headers");
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(etag, "etag");
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("Not an HTTP status: " + status);
        }
        Map<String, List<String>> copy = new LinkedHashMap<>();
        headers.forEach((name, values) -> copy.put(
                Objects.requireNonNull(name, "header name"), Collections.unmodifiableList(new ArrayList<>(values))));
        headers = Collections.unmodifiableMap(copy);
    }

    /** The first value of a header, by case-insensitive name, or null. */
    public String header(String name) {
        for (Map.Entry<String, List<String>> e : headers.entrySet()) {
            if (e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
                return e.getValue().get(0);
            }
        }
        return null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StoredResponse r
                && status == r.status
                && storedAtMillis == r.storedAtMillis
                && expiresAtMillis == r.expiresAtMillis
                && etag.equals(r.etag)
                && headers.equals(r.headers)
                && Arrays.equals(body, r.body);
    }

    @Override
    public int hashCode() {
        return Objects.hash(status, headers, Arrays.hashCode(body), etag, storedAtMillis, expiresAtMillis);
    }

    @Override
    public String toString() {
        return "StoredResponse{status=" + status + ", headers=" + headers.keySet() + ", body=" + body.length
                + " bytes, etag=" + etag + ", storedAt=" + storedAtMillis + ", expiresAt=" + expiresAtMillis + "}";
    }
}
