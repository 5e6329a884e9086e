package io.cachekit.http;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A complete response that a handler produced, as a server adapter captured it: what {@link
 * HttpResponseCache} decides about and stores.
 *
 * <p>{@code headers} must hold every header the response would carry that matters to caching, in particular
 * every {@code Set-Cookie}, even those written by other components. The body array is not copied.
 *
 * @param status the status the handler set
 * @param headers header names to values; copied into an unmodifiable map
 * @param body the complete body; never null
 * @param tags the response's tags (surrogate keys) as collected by the adapter, such as {@code product:7};
 *     never null
 */
public record CapturedResponse(int status, Map<String, List<String>> headers, byte[] body, List<String> tags) {

    /** Checks the parts and copies the headers. */
    public CapturedResponse {
        Objects.requireNonNull(headers, "headers");
        Objects.requireNonNull(body, "body");
        tags = List.copyOf(tags);
        Map<String, List<String>> copy = new LinkedHashMap<>();
        headers.forEach((name, values) -> copy.put(name, Collections.unmodifiableList(new ArrayList<>(values))));
        headers = Collections.unmodifiableMap(copy);
    }

    /** A response without tags. */
    public CapturedResponse(int status, Map<String, List<String>> headers, byte[] body) {
        this(status, headers, body, List.of());
    }

    /** Every value of a header, by case-insensitive name; empty when absent. */
    public List<String> headers(String name) {
        List<String> values = new ArrayList<>();
        headers.forEach((n, v) -> {
            if (n.equalsIgnoreCase(name)) {
                values.addAll(v);
            }
        });
        return values;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CapturedResponse r
                && status == r.status
                && headers.equals(r.headers)
                && tags.equals(r.tags)
                && Arrays.equals(body, r.body);
    }

    @Override
    public int hashCode() {
        return Objects.hash(status, headers, tags, Arrays.hashCode(body));
    }

    @Override
    public String toString() {
        return "CapturedResponse{status=" + status + ", headers=" + headers.keySet() + ", body=" + body.length
                + " bytes, tags=" + tags + "}";
    }
}
