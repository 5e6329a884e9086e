package io.cachekit.internal;

import io.cachekit.key.ArgumentEncoder;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * The identity of a cached method in default keys: {@code Type.method~sig} or {@code Type[name].method~sig},
 * where {@code Type} is the simple name of the proxied interface (or bean class), not of the type that declares
 * the method, so that two interfaces inheriting one method never share entries; and {@code sig} is 8 characters
 * of the SHA-256 of the proxied type's full name, the proxy's qualifier (its name, or its target's class when
 * that name is stable), the method's name and its parameter types. Overloads differ by parameter types; a bridge
 * method has the identity of the method it bridges. Stateless; not API.
 */
final class MethodIdentity {
    private MethodIdentity() {}

    /**
     * The identity of {@code method} called through {@code type}.
     *
     * @param name the proxy's name, or null
     * @param targetClass the target's class when its name is stable, or null
     */
    static String of(Class<?> type, String name, String targetClass, Method method) {
        StringBuilder signature = new StringBuilder(type.getName())
                .append('|')
                .append(name != null ? "name:" + name : targetClass != null ? "class:" + targetClass : "")
                .append('|')
                .append(method.getName())
                .append('(');
        Class<?>[] parameters = method.getParameterTypes();
        for (int i = 0; i < parameters.length; i++) {
            signature.append(i > 0 ? "," : "").append(parameters[i].getTypeName());
        }
        signature.append(')');
        StringBuilder id = new StringBuilder(simpleName(type));
        if (name != null) {
            id.append('[').append(name).append(']');
        }
        // Short, because every hit hashes and compares the whole key: simple names for people reading the
        // store, and a digest of the full identity so that equal simple names never collide.
        return id.append('.')
                .append(method.getName())
                .append('~')
                .append(ArgumentEncoder.digest(signature.toString()), 0, 8)
                .toString();
    }

    private static String simpleName(Class<?> type) {
        String name = type.getName();
        return name.substring(name.lastIndexOf('.') + 1); // keeps Outer$Inner of nested types
    }

    /**
     * The name of {@code c} when it is the same in every JVM and build: not for lambdas and other hidden
     * classes, JDK or library proxies, anonymous, local or synthetic classes, whose names are numbered.
     */
    static String stableName(Class<?> c) {
        if (c.isHidden()
                || c.isSynthetic()
                || c.isAnonymousClass()
                || c.isLocalClass()
                || Proxy.isProxyClass(c)
                || c.getName().contains("$$")) {
            return null;
        }
        return c.getName();
    }

    /** The method a bridge method bridges (same name and arity, narrower types), or {@code method} itself. */
    static Method bridged(Method method, Class<?> type) {
        if (!method.isBridge()) {
            return method;
        }
        for (Method candidate : type.getMethods()) {
            if (!candidate.isBridge()
                    && candidate.getName().equals(method.getName())
                    && candidate.getParameterCount() == method.getParameterCount()
                    && method.getReturnType().isAssignableFrom(candidate.getReturnType())
                    && narrower(candidate.getParameterTypes(), method.getParameterTypes())) {
                return candidate;
            }
        }
        return method;
    }

    private static boolean narrower(Class<?>[] candidate, Class<?>[] bridge) {
        for (int i = 0; i < bridge.length; i++) {
            if (!bridge[i].isAssignableFrom(candidate[i])) {
                return false;
            }
        }
        return true;
    }
}
