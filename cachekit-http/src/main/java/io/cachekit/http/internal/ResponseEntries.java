package io.cachekit.http.internal;

import io.cachekit.http.CapturedResponse;
import io.cachekit.http.ResponseCachePolicy;
import io.cachekit.http.StoredResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What of a captured response may be stored, and the entry made of it. Stateless; not API.
 *
 * <p>Stored: 2xx responses except {@code 206}, without {@code Set-Cookie}, without {@code Cache-Control}
 * {@code private}, {@code no-store} or {@code no-cache}, with a positive freshness lifetime (see {@link
 * Freshness}), without {@code Vary: *}, and with a body no larger than the policy's limit.
 */
public final class ResponseEntries {
    /** Headers the cache sets itself, or that belong to one connection or one response only. */
    private static final Set<String> NOT_REPLAYED = Set.of(
            "age",
            "cache-status",
            "connection",
            "content-length",
            "date",
            "etag",
            "keep-alive",
            "proxy-authenticate",
            "proxy-connection",
            "set-cookie",
            "set-cookie2",
            "te",
            "trailer",
            "transfer-encoding",
            "upgrade",
            "x-cache");

    private ResponseEntries() {}

    /** Whether {@code response} may be stored under {@code policy}, its freshness aside. */
    public static boolean isStorable(ResponseCachePolicy policy, CapturedResponse response) {
        int status = response.status();
        if (status < 200 || status > 299 || status == 206) {
            return false;
        }
        if (!response.headers("Set-Cookie").isEmpty()
                || !response.headers("Set-Cookie2").isEmpty()) {
            return false;
        }
        CacheControl directives = CacheControl.parse(response.headers("Cache-Control"));
        if (directives.noStore() || directives.isPrivate() || directives.noCache()) {
            return false;
        }
        return varyNames(response) != null && response.body().length <= policy.maxBodyBytes();
    }

    /**
     * The request headers the response names in its {@code Vary}, lower case, sorted and distinct; null for
     * {@code Vary: *}, which no stored response can satisfy.
     */
    public static List<String> varyNames(CapturedResponse response) {
        Set<String> names = new TreeSet<>();
        for (String vary : response.headers("Vary")) {
            for (String name : vary.split(",")) {
                String n = name.trim().toLowerCase(Locale.ROOT);
                if (n.equals("*")) {
                    return null;
                }
                if (!n.isEmpty()) {
                    names.add(n);
                }
            }
        }
        return List.copyOf(names);
    }

    /**
     * The entry for a storable response: its replayed headers, its entity tag (the handler's valid one, else
     * the SHA-256 of the body), its gzip coding when the policy compresses and the response is compressible,
     * its tags, and its times.
     */
    public static StoredResponse entry(
            ResponseCachePolicy policy, CapturedResponse captured, Freshness freshness, long nowMillis) {
        String etag = null;
        for (String value : captured.headers("ETag")) {
            if (EntityTags.isValid(value)) {
                etag = value.trim();
                break;
            }
        }
        if (etag == null) {
            etag = EntityTags.strongTag(captured.body());
        }
        byte[] gzip = policy.compression() && Compression.compressible(captured, policy.compressionMinBytes())
                ? Compression.gzip(captured.body())
                : null;
        if (gzip != null && gzip.length >= captured.body().length) {
            gzip = null; // incompressible after all: send it as it is
        }
        return new StoredResponse(
                captured.status(),
                replayed(captured.headers()),
                captured.body(),
                gzip,
                etag,
                ResponseTagging.normalize(captured.tags()),
                nowMillis,
                nowMillis + freshness.lifetimeMillis(),
                freshness.staleWhileRevalidateMillis(),
                freshness.staleIfErrorMillis());
    }

    private static Map<String, List<String>> replayed(Map<String, List<String>> headers) {
        Map<String, List<String>> kept = new LinkedHashMap<>();
        headers.forEach((name, values) -> {
            if (!NOT_REPLAYED.contains(name.toLowerCase(Locale.ROOT)) && !values.isEmpty()) {
                kept.computeIfAbsent(name, n -> new ArrayList<>()).addAll(values);
            }
        });
        return kept;
    }
}
