package io.cachekit.http.internal;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The directives of one or more {@code Cache-Control} header values (RFC 9111 section 5.2): names are case
 * insensitive, values may be tokens or quoted strings, and commas inside quotes do not split directives.
 * Malformed parts are skipped rather than rejected, as caches must. Immutable; not API.
 */
public final class CacheControl {
    private static final CacheControl EMPTY = new CacheControl(Map.of());

    private final Map<String, String> directives;

    private CacheControl(Map<String, String> directives) {
        this.directives = directives;
    }

    /** Parses every given header value; absent headers give no directives. */
    public static CacheControl parse(List<String> headerValues) {
        if (headerValues.isEmpty()) {
            return EMPTY;
        }
        Map<String, String> directives = new LinkedHashMap<>();
        for (String value : headerValues) {
            parseInto(value, directives);
        }
        return new CacheControl(Collections.unmodifiableMap(directives));
    }

    private static void parseInto(String value, Map<String, String> out) {
        int i = 0;
        int n = value.length();
        while (i < n) {
            while (i < n && (value.charAt(i) == ',' || Character.isWhitespace(value.charAt(i)))) {
                i++;
            }
            int nameStart = i;
            while (i < n && value.charAt(i) != '=' && value.charAt(i) != ',') {
                i++;
            }
            String name = value.substring(nameStart, i).trim().toLowerCase(Locale.ROOT);
            String argument = "";
            if (i < n && value.charAt(i) == '=') {
                i++;
                while (i < n && value.charAt(i) == ' ') {
                    i++;
                }
                if (i < n && value.charAt(i) == '"') {
                    StringBuilder sb = new StringBuilder();
                    i++;
                    while (i < n && value.charAt(i) != '"') {
                        char c = value.charAt(i);
                        if (c == '\\' && i + 1 < n) {
                            i++;
                            c = value.charAt(i);
                        }
                        sb.append(c);
                        i++;
                    }
                    i++; // the closing quote, or past the end of an unterminated string
                    argument = sb.toString();
                    while (i < n && value.charAt(i) != ',') {
                        i++;
                    }
                } else {
                    int argStart = i;
                    while (i < n && value.charAt(i) != ',') {
                        i++;
                    }
                    argument = value.substring(argStart, Math.min(i, n)).trim();
                }
            }
            if (!name.isEmpty()) {
                out.putIfAbsent(name, argument); // the first occurrence of a directive wins
            }
        }
    }

    /** Whether the directive is present, with or without an argument. */
    public boolean has(String directive) {
        return directives.containsKey(directive.toLowerCase(Locale.ROOT));
    }

    /** The argument of a directive, empty when it has none, or null when absent. */
    public String argument(String directive) {
        return directives.get(directive.toLowerCase(Locale.ROOT));
    }

    /** {@code no-store} */
    public boolean noStore() {
        return has("no-store");
    }

    /** {@code no-cache} (with or without field names: either way the response must be revalidated) */
    public boolean noCache() {
        return has("no-cache");
    }

    /** {@code private} (with or without field names) */
    public boolean isPrivate() {
        return has("private");
    }

    /**
     * {@code must-revalidate} or {@code proxy-revalidate}: a stored response must not be served stale (RFC 9111
     * sections 5.2.2.2 and 5.2.2.8).
     */
    public boolean mustRevalidate() {
        return has("must-revalidate") || has("proxy-revalidate");
    }

    /** {@code no-transform}: the content must not be changed, so not compressed either. */
    public boolean noTransform() {
        return has("no-transform");
    }

    /** {@code max-age} in seconds, when present with a valid non-negative number. */
    public OptionalLong maxAge() {
        return seconds("max-age");
    }

    /** {@code s-maxage} in seconds, when present with a valid non-negative number. */
    public OptionalLong sMaxAge() {
        return seconds("s-maxage");
    }

    /** {@code stale-while-revalidate} in seconds (RFC 5861), when present with a valid number. */
    public OptionalLong staleWhileRevalidate() {
        return seconds("stale-while-revalidate");
    }

    /** {@code stale-if-error} in seconds (RFC 5861), when present with a valid number. */
    public OptionalLong staleIfError() {
        return seconds("stale-if-error");
    }

    /**
     * The argument of a directive taking delta-seconds (RFC 9111 section 1.2.2): empty when the directive is
     * absent or its argument is not a non-negative decimal number; {@link Long#MAX_VALUE} for a number too
     * large for a long, which the RFC says to treat as a very large value.
     */
    public OptionalLong seconds(String directive) {
        String value = argument(directive);
        if (value == null || value.isEmpty()) {
            return OptionalLong.empty();
        }
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) < '0' || value.charAt(i) > '9') {
                return OptionalLong.empty();
            }
        }
        try {
            return OptionalLong.of(Long.parseLong(value));
        } catch (NumberFormatException e) {
            return OptionalLong.of(Long.MAX_VALUE);
        }
    }

    /** The directive names, lower case, in order of first appearance. */
    public Map<String, String> directives() {
        return directives;
    }

    @Override
    public String toString() {
        return "CacheControl" + directives;
    }
}
