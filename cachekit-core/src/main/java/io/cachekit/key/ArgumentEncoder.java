package io.cachekit.key;

import io.cachekit.CacheKeyException;
import java.lang.reflect.Array;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Currency;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The canonical text of a method argument, the part of a cache key that depends on it.
 *
 * <p>Equal values give equal text in every JVM and across restarts; {@code hashCode()} and identity are
 * never used. Strings and characters are quoted JSON strings; numbers are decimal; booleans and null are
 * literals; enums are their quoted names; {@code java.time} values, UUIDs, URIs and locales their quoted
 * {@code toString}; {@code byte[]} is quoted base64; arrays, lists and other ordered collections are {@code
 * [..]} in order; sets are {@code [..]} sorted by their elements' text; maps {@code {k:v,..}} sorted by key
 * text; {@code Optional} is {@code []} or {@code [x]}; records {@code {name:value,..}} in component order.
 * Any other object is written as JSON by Jackson with properties sorted by name; an object with no
 * properties (a service, a request, a stream) cannot be encoded and fails with a {@link CacheKeyException}
 * telling to leave it out with {@link io.cachekit.CacheKeyIgnore}.
 *
 * <p>Stateless and thread-safe.
 */
public final class ArgumentEncoder {
    private static final JsonMapper POJO_MAPPER = JsonMapper.builder()
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .enable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .build();

    private ArgumentEncoder() {}

    /**
     * 128 bits of the SHA-256 of {@code text}, base64url without padding (22 characters): collisions are out of
     * reach while keys stay short.
     */
    public static String digest(String text) {
        java.security.MessageDigest md;
        try {
            md = java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
        byte[] hash = md.digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(hash, 16));
    }

    /** The canonical text of {@code value}. */
    public static String encode(Object value) {
        StringBuilder sb = new StringBuilder();
        encode(value, sb);
        return sb.toString();
    }

    /** Appends the canonical text of {@code value} to {@code out}. */
    public static void encode(Object value, StringBuilder out) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof String s) {
            quote(s, out);
        } else if (value instanceof Integer
                || value instanceof Long
                || value instanceof Short
                || value instanceof Byte
                || value instanceof BigInteger
                || value instanceof Boolean) {
            out.append(value);
        } else if (value instanceof Double || value instanceof Float) {
            out.append(((Number) value).doubleValue());
        } else if (value instanceof BigDecimal d) {
            out.append(d.toString());
        } else if (value instanceof Character || value instanceof CharSequence) {
            quote(value.toString(), out);
        } else if (value instanceof Enum<?> e) {
            quote(e.name(), out);
        } else if (value instanceof TemporalAccessor
                || value instanceof java.time.Duration
                || value instanceof java.time.Period
                || value instanceof UUID
                || value instanceof URI
                || value instanceof Locale
                || value instanceof Currency
                || value instanceof java.time.ZoneId) {
            quote(value.toString(), out);
        } else if (value instanceof byte[] bytes) {
            quote("base64:" + Base64.getEncoder().encodeToString(bytes), out);
        } else if (value.getClass().isArray()) {
            int n = Array.getLength(value);
            out.append('[');
            for (int i = 0; i < n; i++) {
                if (i > 0) {
                    out.append(',');
                }
                encode(Array.get(value, i), out);
            }
            out.append(']');
        } else if (value instanceof Set<?> set) {
            List<String> parts = new ArrayList<>(set.size());
            for (Object element : set) {
                parts.add(encode(element));
            }
            parts.sort(null);
            out.append('[').append(String.join(",", parts)).append(']');
        } else if (value instanceof Collection<?> list) {
            out.append('[');
            boolean first = true;
            for (Object element : list) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                encode(element, out);
            }
            out.append(']');
        } else if (value instanceof Map<?, ?> map) {
            List<String> parts = new ArrayList<>(map.size());
            for (Map.Entry<?, ?> e : map.entrySet()) {
                parts.add(encode(e.getKey()) + ":" + encode(e.getValue()));
            }
            parts.sort(null);
            out.append('{').append(String.join(",", parts)).append('}');
        } else if (value instanceof Optional<?> optional) {
            out.append('[');
            optional.ifPresent(v -> encode(v, out));
            out.append(']');
        } else if (value.getClass().isRecord()) {
            encodeRecord(value, out);
        } else {
            encodePojo(value, out);
        }
    }

    private static void encodeRecord(Object record, StringBuilder out) {
        out.append('{');
        RecordComponent[] components = record.getClass().getRecordComponents();
        for (int i = 0; i < components.length; i++) {
            if (i > 0) {
                out.append(',');
            }
            RecordComponent c = components[i];
            out.append(c.getName()).append(':');
            try {
                var accessor = c.getAccessor();
                accessor.setAccessible(true);
                encode(accessor.invoke(record), out);
            } catch (IllegalAccessException | InvocationTargetException | RuntimeException e) {
                throw new CacheKeyException(
                        "Cannot read component " + c.getName() + " of "
                                + record.getClass().getName() + " for a cache key",
                        e);
            }
        }
        out.append('}');
    }

    private static void encodePojo(Object value, StringBuilder out) {
        try {
            out.append(POJO_MAPPER.writeValueAsString(value));
        } catch (JacksonException e) {
            throw new CacheKeyException(
                    "An argument of type " + value.getClass().getName()
                            + " has no stable encoding for a cache key: mark the parameter @CacheKeyIgnore, give the method"
                            + " a key template, or pass a record or value type",
                    e);
        }
    }

    private static void quote(String s, StringBuilder out) {
        out.append('"');
        int plain = 0;
        while (plain < s.length() && !needsEscape(s.charAt(plain))) {
            plain++;
        }
        if (plain == s.length()) {
            out.append(s); // the common case: nothing to escape, one copy
        } else {
            out.append(s, 0, plain);
            for (int i = plain; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"' -> out.append("\\\"");
                    case '\\' -> out.append("\\\\");
                    default -> {
                        if (c < 0x20) {
                            out.append(String.format("\\u%04x", (int) c));
                        } else {
                            out.append(c);
                        }
                    }
                }
            }
        }
        out.append('"');
    }

    private static boolean needsEscape(char c) {
        return c < 0x20 || c == '"' || c == '\\';
    }
}
