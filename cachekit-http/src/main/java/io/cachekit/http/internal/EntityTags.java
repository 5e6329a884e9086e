package io.cachekit.http.internal;

import io.cachekit.spi.StoredKeys;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * Entity tags: the strong tag of a body, and {@code If-None-Match} evaluation (RFC 9110 section 13.1.2):
 * {@code *} matches any stored response; otherwise the header is a comma-separated list of tags, each
 * {@code "opaque"} or {@code W/"opaque"}, compared with the weak comparison (the {@code W/} prefix is
 * ignored on both sides). Malformed list members are skipped. Stateless; not API.
 */
public final class EntityTags {
    private EntityTags() {}

    /**
     * The strong entity tag of {@code body}: the SHA-256 of the bytes, base64url, quoted. The same bytes give
     * the same tag in every process, so tags stay valid across restarts and between instances.
     */
    public static String strongTag(byte[] body) {
        return "\"" + Base64.getUrlEncoder().withoutPadding().encodeToString(sha256(body)) + "\"";
    }

    /**
     * The entity tag of the gzip-coded representation of the response tagged {@code etag}: the same tag with
     * {@code -gzip} at the end of its opaque part ({@code "abc"} gives {@code "abc-gzip"}, {@code W/"abc"} gives
     * {@code W/"abc-gzip"}), as Apache httpd's mod_deflate does, so each encoding has its own validator.
     *
     * @param etag a valid entity tag (see {@link #isValid})
     */
    public static String gzipTag(String etag) {
        String t = etag.trim();
        return t.substring(0, t.length() - 1) + "-gzip\"";
    }

    /** Whether any {@code If-None-Match} value matches {@code etag} (weak comparison), or is {@code *}. */
    public static boolean noneMatchSatisfied(List<String> ifNoneMatch, String etag) {
        String opaque = opaque(etag);
        for (String header : ifNoneMatch) {
            if (matches(header, opaque)) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(String header, String opaque) {
        if (header.trim().equals("*")) {
            return true;
        }
        int i = 0;
        int n = header.length();
        while (i < n) {
            char c = header.charAt(i);
            if (c == ',' || c == ' ' || c == '\t') {
                i++;
                continue;
            }
            int start = i;
            if (header.startsWith("W/", i)) {
                i += 2;
            }
            if (i < n && header.charAt(i) == '"') {
                int close = header.indexOf('"', i + 1);
                if (close < 0) {
                    return false; // unterminated: nothing after it can be read
                }
                if (opaque != null && header.substring(i, close + 1).equals(opaque)) {
                    return true;
                }
                i = close + 1;
            } else {
                // Not an entity tag: skip to the next member.
                while (i < n && header.charAt(i) != ',') {
                    i++;
                }
                if (i == start) {
                    i++;
                }
            }
        }
        return false;
    }

    /** The quoted opaque part of a tag, without any {@code W/}; null for something that is not a tag. */
    static String opaque(String etag) {
        if (etag == null) {
            return null;
        }
        String t = etag.trim();
        if (t.startsWith("W/")) {
            t = t.substring(2);
        }
        return t.length() >= 2 && t.charAt(0) == '"' && t.charAt(t.length() - 1) == '"' ? t : null;
    }

    /** Whether {@code etag} is a syntactically valid entity tag. */
    public static boolean isValid(String etag) {
        String o = opaque(etag);
        return o != null && o.indexOf('"', 1) == o.length() - 1;
    }

    /** The SHA-256 of {@code bytes} (the digest every module takes from {@link StoredKeys#sha256}). */
    public static byte[] sha256(byte[] bytes) {
        return StoredKeys.sha256(bytes);
    }

    static byte[] sha256(String text) {
        return sha256(text.getBytes(StandardCharsets.UTF_8));
    }
}
