package io.cachekit.http.internal;

import io.cachekit.spi.StoredKeys;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The keys under which responses are stored, in two levels (as Squid and Apache httpd's mod_cache store
 * variants):
 *
 * <ul>
 *   <li>{@link #urlKey}: {@code u:} and a digest of the path as sent and the query parameters, decoded and
 *       sorted by name (repeated parameters keep their order). It holds the URL's {@link UrlRecord}: every
 *       stored response of the URL, for every host, method, user and variant, is reachable only through it,
 *       so deleting it purges them all at once.
 *   <li>{@link #variantKey}: {@code r:} and a digest of the record's token, the scheme and host (unless left
 *       out), the method ({@code GET} for {@code HEAD}), for {@code POST} the content type and the body's
 *       SHA-256, the configured Vary headers' values, the SHA-256 of the per-user header's value, and the
 *       request's values of the headers the stored response named in its own {@code Vary}.
 * </ul>
 *
 * <p>Every part is length-prefixed, so different requests never share a text; the texts are hashed, so
 * neither the query nor a credential reaches the store in clear. Stateless; not API.
 */
public final class RequestKeys {
    private RequestKeys() {}

    /**
     * What a request contributes to its variant key besides the record's token and learned Vary values.
     *
     * @param origin {@code scheme://host[:port]} in lower case, or null when hosts share entries
     * @param method {@code GET} (also for {@code HEAD}) or {@code POST}
     * @param contentType the request's content type for {@code POST}, else null
     * @param bodyDigest the SHA-256 of the request body for {@code POST}, else null
     * @param vary each configured Vary header's name (lower case) to its values, in name order
     * @param user the per-user header's value, or null when there is none or the request lacks it
     */
    public record Variant(
            String origin,
            String method,
            String contentType,
            byte[] bodyDigest,
            Map<String, List<String>> vary,
            String user) {}

    /** The key of a URL's record: the path as sent and the canonical query. */
    public static String urlKey(String path, String rawQuery) {
        StringBuilder text = new StringBuilder(64);
        field(text, "url1");
        field(text, path);
        List<String[]> params = queryParameters(rawQuery);
        text.append(params.size()).append('#');
        for (String[] p : params) {
            field(text, p[0]);
            field(text, p[1]);
        }
        return "u:" + digest(text);
    }

    /**
     * The key of one stored response of a URL.
     *
     * @param token the URL record's token, or {@code "-"} when the URL has no record yet (a key that is only
     *     used to coalesce requests, never to store)
     * @param learnedVary the header names of the stored response's own {@code Vary}, lower case and sorted
     * @param headers the request's values of a header, by name
     */
    public static String variantKey(
            String token, Variant variant, List<String> learnedVary, Function<String, List<String>> headers) {
        StringBuilder text = new StringBuilder(128);
        field(text, "var1");
        field(text, token);
        field(text, variant.origin() == null ? "*" : variant.origin());
        field(text, variant.method());
        if (variant.bodyDigest() != null) {
            field(text, variant.contentType() == null ? "" : variant.contentType());
            field(text, HexFormat.of().formatHex(variant.bodyDigest()));
        }
        text.append(variant.vary().size()).append('#');
        variant.vary().forEach((name, values) -> values(text, name, values));
        field(text, variant.user() == null ? "-" : "u" + HexFormat.of().formatHex(EntityTags.sha256(variant.user())));
        text.append(learnedVary.size()).append('#');
        for (String name : learnedVary) {
            List<String> values = headers.apply(name);
            values(text, name, name.equals("accept-encoding") ? List.of(Compression.acceptedCodings(values)) : values);
        }
        return "r:" + digest(text);
    }

    private static void values(StringBuilder text, String name, List<String> values) {
        field(text, name);
        text.append(values.size()).append('#');
        for (String v : values) {
            field(text, v.trim());
        }
    }

    /**
     * The query's parameters as decoded {name, value} pairs, sorted by name only: the values of a repeated
     * parameter keep the order in which they were sent, since {@code ?x=2&x=1} may mean something else than
     * {@code ?x=1&x=2}.
     */
    static List<String[]> queryParameters(String rawQuery) {
        List<String[]> params = new ArrayList<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return params;
        }
        for (String part : rawQuery.split("&")) {
            if (part.isEmpty()) {
                continue;
            }
            int eq = part.indexOf('=');
            String name = eq < 0 ? part : part.substring(0, eq);
            String value = eq < 0 ? "" : part.substring(eq + 1);
            params.add(new String[] {decode(name), decode(value)});
        }
        params.sort(Comparator.comparing(p -> p[0])); // List.sort is stable
        return params;
    }

    /** {@code scheme://host} in lower case, with the port unless it is the scheme's default. */
    public static String origin(String scheme, String host) {
        String s = scheme.toLowerCase(Locale.ROOT);
        String h = host.toLowerCase(Locale.ROOT);
        if ((s.equals("http") && h.endsWith(":80")) || (s.equals("https") && h.endsWith(":443"))) {
            h = h.substring(0, h.lastIndexOf(':'));
        }
        return s + "://" + h;
    }

    /**
     * The URL key of {@code location} (a {@code Location} or {@code Content-Location} value, resolved against
     * the request's URL) when it has the request's origin; null for another origin or something that is not a
     * URI.
     */
    public static String sameOriginUrlKey(String scheme, String host, String path, String location) {
        try {
            URI base = new URI(scheme + "://" + host + path);
            URI target = base.resolve(new URI(location.trim()));
            if (target.getScheme() == null
                    || target.getRawAuthority() == null
                    || target.getRawPath() == null
                    || !origin(target.getScheme(), target.getRawAuthority())
                            .equals(origin(base.getScheme(), base.getRawAuthority()))) {
                return null;
            }
            return urlKey(target.getRawPath(), target.getRawQuery());
        } catch (URISyntaxException | IllegalArgumentException e) {
            return null; // not a URI: nothing of ours to invalidate
        }
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s; // a malformed escape: the raw text still identifies the parameter
        }
    }

    private static String digest(StringBuilder text) {
        return StoredKeys.base64Url(EntityTags.sha256(text.toString()));
    }

    private static void field(StringBuilder out, String value) {
        out.append(value.length()).append(':').append(value);
    }
}
