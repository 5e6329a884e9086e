package io.cachekit.http.internal;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Cache keys of requests: {@code METHOD:digest}, where the digest is the SHA-256 (base64url) of a canonical
 * text of the method, the path as sent, the query parameters decoded and sorted by name then value, the
 * values of each Vary header (sorted by name), and the SHA-256 of the per-user header's value.
 *
 * <p>Every part is length-prefixed, so different requests never share a text. The per-user value is hashed
 * before it enters the text and the text is hashed again, so neither the user's credential nor the query
 * reaches the store in clear. Stateless; not API.
 */
public final class RequestKeys {
    private RequestKeys() {}

    /**
     * The key of a request.
     *
     * @param varyValues each Vary header's name (lower case) to its values, in name order; absent headers map
     *     to empty lists
     * @param userValue the per-user header's value, or null when there is no per-user header or the request
     *     lacks it
     */
    public static String key(
            String method, String path, String rawQuery, Map<String, List<String>> varyValues, String userValue) {
        StringBuilder text = new StringBuilder(128);
        field(text, "v1");
        field(text, method);
        field(text, path);
        List<String[]> params = queryParameters(rawQuery);
        text.append(params.size()).append('#');
        for (String[] p : params) {
            field(text, p[0]);
            field(text, p[1]);
        }
        text.append(varyValues.size()).append('#');
        varyValues.forEach((name, values) -> {
            field(text, name);
            text.append(values.size()).append('#');
            for (String v : values) {
                field(text, v.trim());
            }
        });
        field(text, userValue == null ? "-" : "u" + HexFormat.of().formatHex(EntityTags.sha256(userValue)));
        return method + ":"
                + Base64.getUrlEncoder().withoutPadding().encodeToString(EntityTags.sha256(text.toString()));
    }

    /** The query's parameters as decoded {name, value} pairs, sorted by name then value. */
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
        params.sort((a, b) -> {
            int c = a[0].compareTo(b[0]);
            return c != 0 ? c : a[1].compareTo(b[1]);
        });
        return params;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s; // a malformed escape: the raw text still identifies the parameter
        }
    }

    private static void field(StringBuilder out, String value) {
        out.append(value.length()).append(':').append(value);
    }
}
