package io.cachekit.internal;

import io.cachekit.CacheKeyException;
import io.cachekit.key.ArgumentEncoder;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A compiled key template such as {@code "user:{id}"}, {@code "{0}:{1}"} or {@code "{order.customer.id}"}.
 *
 * <p>Placeholders name a parameter (by name when compiled with {@code -parameters}, or by index) and
 * optionally a path of properties (record components, {@code getX()}/{@code isX()} getters or public fields).
 * A value declared {@code String} is inserted as it is, any other value in its canonical text ({@link
 * ArgumentEncoder}, tagged with its type where the declared type does not fix it).
 *
 * <p>Rendering is injective: {@code %} and the first character of the literal that follows a placeholder are
 * escaped in its value as {@code %XXXX} (the char's code in hex), as are unpaired surrogates, and {@code null}
 * is {@code %null}; so {@code ("a:b", "c")} and {@code ("a", "b:c")} never meet in {@code "{0}:{1}"}, nor
 * {@code null} and {@code "null"}. For the same reason templates whose placeholders touch (no literal between
 * them), whose literals contain {@code %}, or whose literal after a placeholder starts with a hex digit ({@code
 * 0-9}, {@code A-F}) are refused. Compiled once per method; every problem is reported at compile time as a
 * {@link CacheKeyException}. Immutable and thread-safe.
 */
final class KeyTemplate {
    private static final char ESCAPE = '%';
    private static final char NO_STOP = '\uFFFF';

    private final List<Object> parts; // String literals and Placeholder

    private KeyTemplate(List<Object> parts) {
        this.parts = parts;
    }

    static KeyTemplate compile(String template, Method method) {
        return compile(template, method, "Key");
    }

    /**
     * Compiles a template of {@code kind} ({@code "Key"} or {@code "Tag"}, which problems are reported as): tags
     * follow the same rules as keys, so that they are rendered as injectively.
     */
    static KeyTemplate compile(String template, Method method, String kind) {
        List<Object> parts = new ArrayList<>();
        Parameter[] parameters = method.getParameters();
        Type[] declared = method.getGenericParameterTypes();
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
                throw problem(kind, template, method, "has an unclosed '{'");
            }
            String[] path = template.substring(open + 1, close).trim().split("\\.");
            int index = parameterIndex(path[0], parameters, kind, template, method);
            parts.add(new Placeholder(index, declared[index], Arrays.copyOfRange(path, 1, path.length), NO_STOP));
            i = close + 1;
        }
        return new KeyTemplate(withStops(parts, kind, template, method));
    }

    /** Gives each placeholder the character that ends it (the first of the next literal), refusing ambiguity. */
    private static List<Object> withStops(List<Object> parts, String kind, String template, Method method) {
        List<Object> out = new ArrayList<>(parts.size());
        for (int p = 0; p < parts.size(); p++) {
            Object part = parts.get(p);
            if (part instanceof String literal) {
                if (literal.indexOf(ESCAPE) >= 0) {
                    throw problem(kind, template, method, "contains '%', which escapes characters in values");
                }
                out.add(literal);
                continue;
            }
            Placeholder placeholder = (Placeholder) part;
            Object next = p + 1 < parts.size() ? parts.get(p + 1) : null;
            if (next instanceof Placeholder) {
                throw problem(
                        kind,
                        template,
                        method,
                        "has placeholders with nothing between them, so values could"
                                + " shift from one to the other: put a separator such as ':' between them");
            }
            char stop = next == null ? NO_STOP : ((String) next).charAt(0);
            if (Character.digit(stop, 16) >= 0 && !Character.isLowerCase(stop)) {
                throw problem(
                        kind,
                        template,
                        method,
                        "has a placeholder followed by '" + stop
                                + "', which escaped values contain: start the literal after it with another character");
            }
            out.add(new Placeholder(placeholder.index, placeholder.declared, placeholder.properties, stop));
        }
        return List.copyOf(out);
    }

    private static CacheKeyException problem(String kind, String template, Method method, String problem) {
        return new CacheKeyException(kind + " template '" + template + "' of " + describe(method) + " " + problem);
    }

    private static int parameterIndex(
            String name, Parameter[] parameters, String kind, String template, Method method) {
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
        throw problem(
                kind,
                template,
                method,
                "names '" + name + "', which is not a parameter (use a parameter index"
                        + " such as {0}, or compile with -parameters)");
    }

    String render(Object[] args) {
        StringBuilder sb = new StringBuilder();
        for (Object part : parts) {
            if (part instanceof String literal) {
                sb.append(literal);
            } else {
                ((Placeholder) part).render(args, sb);
            }
        }
        return sb.toString();
    }

    static String describe(Method method) {
        return method.getDeclaringClass().getName() + "." + method.getName();
    }

    /** Appends {@code text} with {@code %}, {@code stop} and unpaired surrogates escaped. */
    private static void escape(CharSequence text, char stop, StringBuilder out) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean lone = Character.isSurrogate(c)
                    && !(Character.isHighSurrogate(c)
                            && i + 1 < text.length()
                            && Character.isLowSurrogate(text.charAt(i + 1)))
                    && !(Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(text.charAt(i - 1)));
            if (c == ESCAPE || c == stop || lone) {
                out.append(ESCAPE).append(String.format(Locale.ROOT, "%04X", (int) c));
            } else {
                out.append(c);
            }
        }
    }

    private record Placeholder(int index, Type declared, String[] properties, char stop) {
        void render(Object[] args, StringBuilder out) {
            Object value = args[index];
            Type type = declared;
            for (String property : properties) {
                if (value == null) {
                    break;
                }
                Object[] read = readProperty(value, property);
                value = read[0];
                type = (Type) read[1];
            }
            if (value == null) {
                out.append(ESCAPE).append("null");
            } else if (type == String.class) {
                escape((String) value, stop, out);
            } else {
                StringBuilder text = new StringBuilder();
                ArgumentEncoder.encode(value, type, text);
                escape(text, stop, out);
            }
        }

        /** The property's value and declared type. */
        private static Object[] readProperty(Object target, String property) {
            Class<?> type = target.getClass();
            String capitalized = Character.toUpperCase(property.charAt(0)) + property.substring(1);
            for (String name : new String[] {property, "get" + capitalized, "is" + capitalized}) {
                try {
                    Method m = type.getMethod(name);
                    return new Object[] {m.invoke(target), m.getGenericReturnType()};
                } catch (NoSuchMethodException e) {
                    // try the next accessor form
                } catch (ReflectiveOperationException | RuntimeException e) {
                    throw new CacheKeyException(
                            "Cannot read '" + property + "' of " + type.getName() + " for a key", e);
                }
            }
            try {
                Field f = type.getField(property);
                return new Object[] {f.get(target), f.getGenericType()};
            } catch (ReflectiveOperationException e) {
                throw new CacheKeyException("No property '" + property + "' on " + type.getName() + " for a key", e);
            }
        }
    }
}
