package io.cachekit.key;

import io.cachekit.CacheKeyException;
import io.cachekit.internal.Types;
import io.cachekit.spi.StoredKeys;
import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.Currency;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The canonical text of a method argument, the part of a cache key that depends on it.
 *
 * <p>Injective: unequal values give unequal text, and equal values (sets and maps in any iteration order) give
 * equal text in every JVM, whatever its default charset, locale or time zone, and across restarts; {@code
 * hashCode()} and identity are never used. Where the declared type does not fix a value's type, the text starts
 * with a tag naming it ({@code int:1}, {@code long:1}, {@code char:"x"}, {@code str:"x"}, {@code list:[..]},
 * {@code set:[..]}, {@code map:{..}}, {@code opt:[..]}, otherwise the class name, such as {@code
 * com.example.Point:{x:1,y:2}}), so values of different types never meet. Strings and characters are quoted,
 * with quotes, backslashes, control characters and unpaired surrogates escaped; numbers are decimal; booleans
 * and null are literals; enums their quoted names; {@code java.time} values, UUIDs, URIs, locales and zones
 * their quoted {@code toString}; {@code byte[]} quoted base64; arrays, lists and other ordered collections
 * {@code [..]} in order; sets {@code [..]} sorted by their elements' text; maps {@code {k:v,..}} sorted by the
 * keys' text; {@code Optional} {@code []} or {@code [x]}; records {@code {name:value,..}} in component order;
 * any other object {@code {"name":value,..}} over its public getters and fields sorted by name, at any depth.
 * An object with no properties (a service, a request, a stream) fails with a {@link CacheKeyException} telling
 * to leave it out with {@link io.cachekit.CacheKeyIgnore}; so does a structure nested deeper than 64 levels (a
 * cycle).
 *
 * <p>Stateless and thread-safe.
 */
public final class ArgumentEncoder {
    private static final int MAX_DEPTH = 64;

    /** The tag of each runtime class; scalar kinds have short tags. */
    private static final ClassValue<String> TAGS = new ClassValue<>() {
        @Override
        protected String computeValue(Class<?> c) {
            return tagOf(c);
        }
    };

    /** The properties of beans, sorted by name. */
    private static final ClassValue<List<Property>> PROPERTIES = new ClassValue<>() {
        @Override
        protected List<Property> computeValue(Class<?> c) {
            return properties(c);
        }
    };

    private ArgumentEncoder() {}

    /**
     * 128 bits of the SHA-256 of {@code text}, base64url without padding (22 characters): collisions are out of
     * reach while keys stay short. The text is hashed in a lossless byte form (UTF-8 with unpaired surrogates
     * kept, {@link StoredKeys#wtf8}), so strings that differ in any char never share a digest.
     */
    public static String digest(String text) {
        byte[] hash = StoredKeys.sha256(StoredKeys.wtf8(text));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(hash, 16));
    }

    /** The canonical text of {@code value}, whose declared type is {@code Object} (so tagged). */
    public static String encode(Object value) {
        StringBuilder sb = new StringBuilder();
        encode(value, Object.class, sb);
        return sb.toString();
    }

    /** Appends the canonical text of {@code value}, whose declared type is {@code Object}, to {@code out}. */
    public static void encode(Object value, StringBuilder out) {
        encode(value, Object.class, out);
    }

    /**
     * Appends the canonical text of {@code value} declared as {@code declared} (a method parameter's generic
     * type, for example) to {@code out}: a tag is written only where {@code declared} does not fix the value's
     * type.
     *
     * @throws CacheKeyException for a value with no stable encoding
     */
    public static void encode(Object value, Type declared, StringBuilder out) {
        encode(value, declared, out, 0);
    }

    private static void encode(Object value, Type declared, StringBuilder out, int depth) {
        if (value == null) {
            out.append("null");
            return;
        }
        if (depth > MAX_DEPTH) {
            throw new CacheKeyException("An argument nests deeper than " + MAX_DEPTH
                    + " levels (a cycle?) and has no stable encoding for a cache key: mark the parameter"
                    + " @CacheKeyIgnore or give the method a key template");
        }
        Class<?> type = value.getClass();
        String tag = TAGS.get(type);
        Class<?> declaredRaw = Types.raw(declared);
        if (!tag.equals(impliedTag(declaredRaw))) {
            out.append(tag).append(':');
            declared = type; // the tag fixes the type from here on
        }
        body(value, type, declared, out, depth);
    }

    private static void body(Object value, Class<?> type, Type declared, StringBuilder out, int depth) {
        if (value instanceof String s) {
            quote(s, out);
        } else if (value instanceof Integer
                || value instanceof Long
                || value instanceof Short
                || value instanceof Byte
                || value instanceof BigInteger
                || value instanceof Boolean
                || value instanceof Double
                || value instanceof Float) {
            out.append(value);
        } else if (value instanceof BigDecimal d) {
            out.append(d.toString());
        } else if (value instanceof Character || value instanceof CharSequence) {
            quote(value.toString(), out);
        } else if (value instanceof Enum<?> e) {
            quote(e.name(), out);
        } else if (value instanceof Date d) {
            out.append(d.getTime());
        } else if (value instanceof Class<?> c) {
            quote(c.getName(), out);
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
            quote(Base64.getEncoder().encodeToString(bytes), out);
        } else if (type.isArray()) {
            Class<?> component = type.getComponentType();
            int n = Array.getLength(value);
            out.append('[');
            for (int i = 0; i < n; i++) {
                out.append(i > 0 ? "," : "");
                encode(Array.get(value, i), component, out, depth + 1);
            }
            out.append(']');
        } else if (value instanceof Set<?> set) {
            Type element = Types.typeArgument(declared, Collection.class, 0);
            List<String> parts = new ArrayList<>(set.size());
            for (Object e : set) {
                parts.add(text(e, element, depth + 1));
            }
            sortedList(parts, out);
        } else if (value instanceof Collection<?> list) {
            Type element = Types.typeArgument(declared, Collection.class, 0);
            out.append('[');
            boolean first = true;
            for (Object e : list) {
                out.append(first ? "" : ",");
                first = false;
                encode(e, element, out, depth + 1);
            }
            out.append(']');
        } else if (value instanceof Map<?, ?> map) {
            Type keyType = Types.typeArgument(declared, Map.class, 0);
            Type valueType = Types.typeArgument(declared, Map.class, 1);
            List<String> parts = new ArrayList<>(map.size());
            for (Map.Entry<?, ?> e : map.entrySet()) {
                parts.add(text(e.getKey(), keyType, depth + 1) + ":" + text(e.getValue(), valueType, depth + 1));
            }
            parts.sort(Comparator.naturalOrder());
            out.append('{').append(String.join(",", parts)).append('}');
        } else if (value instanceof Optional<?> optional) {
            out.append('[');
            if (optional.isPresent()) {
                encode(optional.get(), Types.typeArgument(declared, Optional.class, 0), out, depth + 1);
            }
            out.append(']');
        } else if (type.isRecord()) {
            encodeRecord(value, type, out, depth);
        } else {
            encodeBean(value, type, out, depth);
        }
    }

    private static String text(Object value, Type declared, int depth) {
        StringBuilder sb = new StringBuilder();
        encode(value, declared, sb, depth);
        return sb.toString();
    }

    private static void sortedList(List<String> parts, StringBuilder out) {
        parts.sort(Comparator.naturalOrder());
        out.append('[').append(String.join(",", parts)).append(']');
    }

    /** The tag a value of runtime class {@code c} is written with where its declared type does not fix it. */
    private static String tagOf(Class<?> c) {
        if (c == String.class) {
            return "str";
        }
        if (c == Integer.class || c == Long.class || c == Short.class || c == Byte.class) {
            return c.getSimpleName().toLowerCase(Locale.ROOT).replace("integer", "int");
        }
        if (c == Double.class || c == Float.class) {
            return c.getSimpleName().toLowerCase(Locale.ROOT);
        }
        if (c == Character.class) {
            return "char";
        }
        if (c == Boolean.class) {
            return "bool";
        }
        if (c == BigInteger.class) {
            return "bigint";
        }
        if (c == BigDecimal.class) {
            return "bigdec";
        }
        if (List.class.isAssignableFrom(c)) {
            return "list"; // every List equals every other with the same elements
        }
        if (Set.class.isAssignableFrom(c)) {
            return "set";
        }
        if (Map.class.isAssignableFrom(c)) {
            return "map";
        }
        if (c == Optional.class) {
            return "opt";
        }
        if (c.getSuperclass() != null && c.getSuperclass().isEnum()) {
            return tagOf(c.getSuperclass()); // a constant with a body of its own
        }
        // A class of the unnamed package gets a leading '.', so that it can never be taken for a short tag.
        return c.getPackageName().isEmpty() ? "." + c.getTypeName() : c.getTypeName();
    }

    /** The tag every non-null value declared as {@code declared} has, or null when values may differ in tag. */
    private static String impliedTag(Class<?> declared) {
        if (declared == Object.class) {
            return null;
        }
        if (List.class.isAssignableFrom(declared)) {
            return "list";
        }
        if (Set.class.isAssignableFrom(declared)) {
            return "set";
        }
        if (Map.class.isAssignableFrom(declared)) {
            return "map";
        }
        if (declared.isEnum() || declared.isArray() || Modifier.isFinal(declared.getModifiers())) {
            return TAGS.get(declared); // for arrays, a subtype's tag differs and is written
        }
        return null;
    }

    private static void encodeRecord(Object record, Class<?> type, StringBuilder out, int depth) {
        out.append('{');
        RecordComponent[] components = type.getRecordComponents();
        for (int i = 0; i < components.length; i++) {
            RecordComponent c = components[i];
            out.append(i > 0 ? "," : "").append(c.getName()).append(':');
            Object v;
            try {
                Method accessor = c.getAccessor();
                accessor.setAccessible(true);
                v = accessor.invoke(record);
            } catch (ReflectiveOperationException | RuntimeException e) {
                throw new CacheKeyException(
                        "Cannot read component " + c.getName() + " of " + type.getName() + " for a cache key", e);
            }
            encode(v, Types.resolve(c.getGenericType(), type), out, depth + 1);
        }
        out.append('}');
    }

    private static void encodeBean(Object bean, Class<?> type, StringBuilder out, int depth) {
        List<Property> properties = PROPERTIES.get(type);
        if (properties.isEmpty()) {
            throw new CacheKeyException("An argument of type " + type.getName()
                    + " has no stable encoding for a cache key: mark the parameter @CacheKeyIgnore, give the method"
                    + " a key template, or pass a record or value type");
        }
        out.append('{');
        for (int i = 0; i < properties.size(); i++) {
            Property p = properties.get(i);
            out.append(i > 0 ? "," : "");
            quote(p.name, out);
            out.append(':');
            encode(p.read(bean), Types.resolve(p.type, type), out, depth + 1);
        }
        out.append('}');
    }

    private static List<Property> properties(Class<?> type) {
        java.util.TreeMap<String, Property> byName = new java.util.TreeMap<>();
        for (Method m : type.getMethods()) {
            if (Modifier.isStatic(m.getModifiers())
                    || m.getParameterCount() != 0
                    || m.getDeclaringClass() == Object.class
                    || m.isBridge()) {
                continue;
            }
            String name = m.getName();
            String property = null;
            if (name.startsWith("get") && name.length() > 3 && m.getReturnType() != void.class) {
                property = name.substring(3);
            } else if (name.startsWith("is") && name.length() > 2 && m.getReturnType() == boolean.class) {
                property = name.substring(2);
            }
            if (property != null) {
                byName.putIfAbsent(
                        decapitalize(property),
                        new Property(decapitalize(property), m, null, m.getGenericReturnType()));
            }
        }
        for (Field f : type.getFields()) {
            if (!Modifier.isStatic(f.getModifiers())) {
                byName.putIfAbsent(f.getName(), new Property(f.getName(), null, f, f.getGenericType()));
            }
        }
        return List.copyOf(byName.values());
    }

    /** The JavaBeans rule: {@code URL} stays, {@code Name} becomes {@code name}. */
    private static String decapitalize(String s) {
        if (s.length() > 1 && Character.isUpperCase(s.charAt(0)) && Character.isUpperCase(s.charAt(1))) {
            return s;
        }
        return Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }

    /** A bean property read through a public getter or field. */
    private record Property(String name, Method getter, Field field, Type type) {
        Object read(Object bean) {
            try {
                return getter != null ? getter.invoke(bean) : field.get(bean);
            } catch (ReflectiveOperationException | RuntimeException e) {
                throw new CacheKeyException(
                        "Cannot read '" + name + "' of " + bean.getClass().getName() + " for a cache key", e);
            }
        }
    }

    /**
     * Appends {@code s} in double quotes; quotes, backslashes, control characters and unpaired surrogates are
     * escaped as {@code \"}, {@code \\} and {@code \}{@code uXXXX}, so the text is well-formed UTF-16 and never
     * loses a char when a store encodes it.
     */
    public static void quote(String s, StringBuilder out) {
        out.append('"');
        int plain = 0;
        while (plain < s.length() && !needsEscape(s, plain)) {
            plain++;
        }
        if (plain == s.length()) {
            out.append(s); // the common case: nothing to escape, one copy
        } else {
            out.append(s, 0, plain);
            for (int i = plain; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == '"' || c == '\\') {
                    out.append('\\').append(c);
                } else if (needsEscape(s, i)) {
                    out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                } else {
                    out.append(c);
                }
            }
        }
        out.append('"');
    }

    private static boolean needsEscape(String s, int i) {
        char c = s.charAt(i);
        if (c < 0x20 || c == '"' || c == '\\') {
            return true;
        }
        if (Character.isHighSurrogate(c)) {
            return i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1));
        }
        if (Character.isLowSurrogate(c)) {
            return i == 0 || !Character.isHighSurrogate(s.charAt(i - 1));
        }
        return false;
    }
}
