package io.cachekit.key;

import io.cachekit.CacheKeyIgnore;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Type;
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
        StringBuilder sb = new StringBuilder(32).append('[');
        boolean first = true;
        for (int i = 0; i < args.length; i++) {
            if (shape.ignored[i]) {
                continue;
            }
            if (!first) {
                sb.append(',');
            }
            first = false;
            ArgumentEncoder.encode(args[i], shape.declared[i], sb);
        }
        sb.append(']');
        if (sb.length() > MAX_PLAIN_LENGTH) {
            return "#" + ArgumentEncoder.digest(sb.toString());
        }
        return sb.toString();
    }

    /** What the text of a method's arguments depends on besides their values. */
    private record MethodShape(Type[] declared, boolean[] ignored) {
        static MethodShape of(Method method) {
            Annotation[][] annotations = method.getParameterAnnotations();
            boolean[] ignored = new boolean[annotations.length];
            for (int i = 0; i < annotations.length; i++) {
                for (Annotation a : annotations[i]) {
                    if (a instanceof CacheKeyIgnore) {
                        ignored[i] = true;
                    }
                }
            }
            return new MethodShape(method.getGenericParameterTypes(), ignored);
        }
    }
}
