package io.cachekit.key;

import io.cachekit.CacheKeyIgnore;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** See {@link KeyGenerator#standard()}. Thread-safe. */
final class StandardKeyGenerator implements KeyGenerator {
    static final StandardKeyGenerator INSTANCE = new StandardKeyGenerator();

    /** Encoded arguments longer than this are replaced by their digest, so keys stay short. */
    private static final int MAX_PLAIN_LENGTH = 64;

    private final ConcurrentMap<Method, MethodShape> shapes = new ConcurrentHashMap<>();

    private StandardKeyGenerator() {}

    @Override
    public String generate(Method method, Object[] args) {
        MethodShape shape = shapes.get(method);
        if (shape == null) {
            shape = shapes.computeIfAbsent(method, MethodShape::of);
        }
        StringBuilder sb =
                new StringBuilder(shape.id.length() + 32).append(shape.id).append(':');
        int start = sb.length();
        sb.append('[');
        boolean first = true;
        for (int i = 0; i < args.length; i++) {
            if (shape.ignored[i]) {
                continue;
            }
            if (!first) {
                sb.append(',');
            }
            first = false;
            ArgumentEncoder.encode(args[i], sb);
        }
        sb.append(']');
        if (sb.length() - start > MAX_PLAIN_LENGTH) {
            String digest = ArgumentEncoder.digest(sb.substring(start));
            sb.setLength(start);
            sb.append('#').append(digest);
        }
        return sb.toString();
    }

    /** What the key of a method depends on besides its arguments. */
    private record MethodShape(String id, boolean[] ignored) {
        private static String simpleName(Class<?> type) {
            String name = type.getName();
            return name.substring(name.lastIndexOf('.') + 1); // keeps Outer$Inner of nested types
        }

        static MethodShape of(Method method) {
            StringBuilder signature = new StringBuilder(
                            method.getDeclaringClass().getName())
                    .append('.')
                    .append(method.getName())
                    .append('(');
            Class<?>[] types = method.getParameterTypes();
            for (int i = 0; i < types.length; i++) {
                if (i > 0) {
                    signature.append(',');
                }
                signature.append(types[i].getTypeName());
            }
            signature.append(')');
            // Short, because every hit hashes and compares the whole key: the simple names for people reading
            // the store, and a digest of the full signature so that equal simple names never collide.
            String id = simpleName(method.getDeclaringClass()) + "." + method.getName() + "~"
                    + ArgumentEncoder.digest(signature.toString()).substring(0, 8);
            Annotation[][] annotations = method.getParameterAnnotations();
            boolean[] ignored = new boolean[types.length];
            for (int i = 0; i < annotations.length; i++) {
                for (Annotation a : annotations[i]) {
                    if (a instanceof CacheKeyIgnore) {
                        ignored[i] = true;
                    }
                }
            }
            return new MethodShape(id, ignored);
        }
    }
}
