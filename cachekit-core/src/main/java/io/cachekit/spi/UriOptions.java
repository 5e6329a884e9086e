package io.cachekit.spi;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The query options of a backend URI, checked against the set a provider accepts.
 *
 * <p>Immutable. Every accessor fails with an {@link IllegalArgumentException} that names the option and
 * the value it could not read; creation fails on an option the provider does not know, naming the valid
 * ones.
 */
public final class UriOptions {
    private final String scheme;
    private final Map<String, String> values;

    private UriOptions(String scheme, Map<String, String> values) {
        this.scheme = scheme;
        this.values = Collections.unmodifiableMap(values);
    }

    /** Parses the query of {@code uri}, rejecting options outside {@code accepted}. */
    public static UriOptions parse(URI uri, Set<String> accepted) {
        Map<String, String> values = parseQuery(uri.getRawQuery());
        for (String name : values.keySet()) {
            if (!accepted.contains(name)) {
                throw new IllegalArgumentException("Unknown option '" + name + "' for " + uri.getScheme()
                        + "://; valid options: " + String.join(", ", new TreeSet<>(accepted)));
            }
        }
        return new UriOptions(uri.getScheme(), values);
    }

    /** Splits a raw query string into decoded name/value pairs, keeping their order. */
    public static Map<String, String> parseQuery(String rawQuery) {
        Map<String, String> values = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return values;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            if (values.put(name, value) != null) {
                throw new IllegalArgumentException("Option '" + name + "' is given twice");
            }
        }
        return values;
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    /** The raw value of an option, or {@code null} when absent. */
    public @Nullable String get(String name) {
        return values.get(name);
    }

    /** The value of an option, or {@code defaultValue} when absent. */
    public String getString(String name, String defaultValue) {
        String v = values.get(name);
        return v == null ? defaultValue : v;
    }

    /** An option read as a {@code long}, or {@code defaultValue} when absent; a malformed one is an {@link IllegalArgumentException}. */
    public long getLong(String name, long defaultValue) {
        String v = values.get(name);
        if (v == null) {
            return defaultValue;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    scheme + ":// option '" + name + "' must be an integer, got '" + v + "'");
        }
    }

    /** An option read as an {@code int}, or {@code defaultValue} when absent; a malformed one is an {@link IllegalArgumentException}. */
    public int getInt(String name, int defaultValue) {
        long v = getLong(name, defaultValue);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(scheme + ":// option '" + name + "' is out of range: " + v);
        }
        return (int) v;
    }

    /** An option read as {@code true} or {@code false}, or {@code defaultValue} when absent; anything else is an {@link IllegalArgumentException}. */
    public boolean getBoolean(String name, boolean defaultValue) {
        String v = values.get(name);
        if (v == null) {
            return defaultValue;
        }
        if (v.isEmpty() || v.equalsIgnoreCase("true")) {
            return true;
        }
        if (v.equalsIgnoreCase("false")) {
            return false;
        }
        throw new IllegalArgumentException(scheme + ":// option '" + name + "' must be true or false, got '" + v + "'");
    }

    /** A duration such as {@code 250ms}, {@code 30s}, {@code 5m}, {@code 2h}, {@code 1d} or ISO-8601. */
    public Duration getDuration(String name, Duration defaultValue) {
        String v = values.get(name);
        if (v == null) {
            return defaultValue;
        }
        try {
            return Durations.parse(v);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(scheme + ":// option '" + name + "': " + e.getMessage());
        }
    }

    /** The options as given, for logging; values are not secrets (credentials live in the URI's user info). */
    public Map<String, String> asMap() {
        return values;
    }
}
