package io.cachekit.internal;

import io.cachekit.CacheKeyException;
import io.cachekit.key.ArgumentEncoder;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.List;

/**
 * A compiled key template such as {@code "user:{id}"}, {@code "{0}:{1}"} or {@code "{order.customer.id}"}.
 *
 * <p>Placeholders name a parameter (by name when compiled with {@code -parameters}, or by index) and
 * optionally a path of properties (record components, {@code getX()}/{@code isX()} getters or public
 * fields). Strings are inserted as they are, other values in their canonical text ({@link
 * ArgumentEncoder}). Compiled once per method; every problem is reported at compile time as a {@link
 * CacheKeyException}. Immutable and thread-safe.
 */
final class KeyTemplate {
    private final List<Object> parts; // String literals and Placeholder

    private KeyTemplate(List<Object> parts) {
        this.parts = parts;
    }

    static KeyTemplate compile(String template, Method method) {
        List<Object> parts = new ArrayList<>();
        Parameter[] parameters = method.getParameters();
        int i = 0;
        while (i < template.length()) {
            int open = template.indexOf('{', i);
            if (open < 0) {
                parts.add(template.substring(i));
                break;
            }
            if (open > i) {
                parts.add(template.substring(i, open));
            }
            int close = template.indexOf('}', open);
            if (close < 0) {
                throw new CacheKeyException("Unclosed '{' in key template '" + template + "' of " + describe(method));
            }
            String[] path = template.substring(open + 1, close).trim().split("\\.");
            int index = parameterIndex(path[0], parameters, template, method);
            parts.add(new Placeholder(index, java.util.Arrays.copyOfRange(path, 1, path.length)));
            i = close + 1;
        }
        return new KeyTemplate(List.copyOf(parts));
    }

    private static int parameterIndex(String name, Parameter[] parameters, String template, Method method) {
        if (!name.isEmpty() && name.chars().allMatch(Character::isDigit)) {
            int index = Integer.parseInt(name);
            if (index < parameters.length) {
                return index;
            }
        }
        for (int p = 0; p < parameters.length; p++) {
            if (parameters[p].isNamePresent() && parameters[p].getName().equals(name)) {
                return p;
            }
        }
        throw new CacheKeyException("Key template '" + template + "' of " + describe(method) + " names '" + name
                + "', which is not a parameter (use a parameter index such as {0}, or compile with -parameters)");
    }

    String render(Object[] args) {
        StringBuilder sb = new StringBuilder();
        for (Object part : parts) {
            if (part instanceof String literal) {
                sb.append(literal);
            } else {
                Placeholder p = (Placeholder) part;
                Object value = p.resolve(args[p.index]);
                if (value instanceof String s) {
                    sb.append(s);
                } else {
                    ArgumentEncoder.encode(value, sb);
                }
            }
        }
        return sb.toString();
    }

    static String describe(Method method) {
        return method.getDeclaringClass().getName() + "." + method.getName();
    }

    private record Placeholder(int index, String[] properties) {
        Object resolve(Object value) {
            for (String property : properties) {
                if (value == null) {
                    return null;
                }
                value = readProperty(value, property);
            }
            return value;
        }

        private static Object readProperty(Object target, String property) {
            Class<?> type = target.getClass();
            String capitalized = Character.toUpperCase(property.charAt(0)) + property.substring(1);
            for (String name : new String[] {property, "get" + capitalized, "is" + capitalized}) {
                try {
                    Method m = type.getMethod(name);
                    return m.invoke(target);
                } catch (NoSuchMethodException e) {
                    // try the next accessor form
                } catch (ReflectiveOperationException | RuntimeException e) {
                    throw new CacheKeyException(
                            "Cannot read '" + property + "' of " + type.getName() + " for a key", e);
                }
            }
            try {
                return type.getField(property).get(target);
            } catch (ReflectiveOperationException e) {
                throw new CacheKeyException("No property '" + property + "' on " + type.getName() + " for a key", e);
            }
        }
    }
}
