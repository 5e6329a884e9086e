package io.cachekit.internal;

import java.lang.reflect.Array;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Generic types as Cachekit decodes into them: type variables resolved against a context type (the proxied
 * interface, a bean's class, a parameterized supertype), as Spring's {@code ResolvableType} does, and raw classes
 * with primitives boxed for checking decoded values. Stateless and thread-safe; not API.
 */
public final class Types {
    private Types() {}

    /**
     * {@code type} with every type variable that {@code context} binds replaced by its binding, at any depth:
     * parameterized types, arrays and wildcards ({@code ? extends X} and {@code ? super X} become {@code X},
     * {@code ?} becomes {@code Object}, so the result can be decoded into). Variables that {@code context} does
     * not bind stay; see {@link #hasVariables}.
     *
     * @param context a class or a parameterized type whose hierarchy binds variables
     */
    public static Type resolve(Type type, Type context) {
        Map<TypeVariable<?>, Type> bindings = new HashMap<>();
        bind(context, bindings);
        return substitute(type, bindings);
    }

    /**
     * The {@code index}-th type argument of {@code generic} as seen from {@code type}, such as the value type of a
     * {@code CompletionStage} for {@code CompletableFuture<List<User>>}; a type variable when {@code type} does not
     * bind it (a raw type).
     */
    public static Type typeArgument(Type type, Class<?> generic, int index) {
        return resolve(generic.getTypeParameters()[index], type);
    }

    /** Whether {@code type} still contains a type variable anywhere. */
    public static boolean hasVariables(Type type) {
        if (type instanceof TypeVariable<?>) {
            return true;
        }
        if (type instanceof ParameterizedType p) {
            return Arrays.stream(p.getActualTypeArguments()).anyMatch(Types::hasVariables);
        }
        if (type instanceof GenericArrayType a) {
            return hasVariables(a.getGenericComponentType());
        }
        if (type instanceof WildcardType w) {
            return Arrays.stream(w.getUpperBounds()).anyMatch(Types::hasVariables)
                    || Arrays.stream(w.getLowerBounds()).anyMatch(Types::hasVariables);
        }
        return false;
    }

    private static void bind(Type type, Map<TypeVariable<?>, Type> bindings) {
        Class<?> raw;
        if (type instanceof ParameterizedType p) {
            raw = (Class<?>) p.getRawType();
            TypeVariable<?>[] variables = raw.getTypeParameters();
            Type[] arguments = p.getActualTypeArguments();
            for (int i = 0; i < variables.length && i < arguments.length; i++) {
                // Subtypes are visited first, so their bindings already resolve what they pass up.
                bindings.putIfAbsent(variables[i], substitute(arguments[i], bindings));
            }
        } else if (type instanceof Class<?> c) {
            raw = c;
        } else {
            return;
        }
        if (raw.getGenericSuperclass() != null) {
            bind(raw.getGenericSuperclass(), bindings);
        }
        for (Type i : raw.getGenericInterfaces()) {
            bind(i, bindings);
        }
    }

    private static Type substitute(Type type, Map<TypeVariable<?>, Type> bindings) {
        if (type instanceof TypeVariable<?> v) {
            Type bound = bindings.get(v);
            return bound != null ? bound : v;
        }
        if (type instanceof ParameterizedType p) {
            Type[] arguments = p.getActualTypeArguments().clone();
            for (int i = 0; i < arguments.length; i++) {
                arguments[i] = substitute(arguments[i], bindings);
            }
            Type owner = p.getOwnerType() == null ? null : substitute(p.getOwnerType(), bindings);
            return new Parameterized((Class<?>) p.getRawType(), arguments, owner);
        }
        if (type instanceof GenericArrayType a) {
            Type component = substitute(a.getGenericComponentType(), bindings);
            return component instanceof Class<?> c ? Array.newInstance(c, 0).getClass() : new GenericArray(component);
        }
        if (type instanceof WildcardType w) {
            Type[] lower = w.getLowerBounds();
            return substitute(lower.length > 0 ? lower[0] : w.getUpperBounds()[0], bindings);
        }
        return type;
    }

    /** The class of values of {@code type}, boxed; {@code Object} for type variables. */
    public static Class<?> raw(Type type) {
        if (type instanceof Class<?> c) {
            return boxed(c);
        }
        if (type instanceof ParameterizedType p) {
            return raw(p.getRawType());
        }
        if (type instanceof GenericArrayType a) {
            return Array.newInstance(raw(a.getGenericComponentType()), 0).getClass();
        }
        if (type instanceof WildcardType w) {
            return raw(w.getUpperBounds()[0]);
        }
        return Object.class; // an unresolved type variable: nothing narrower can be checked
    }

    /** The wrapper class of a primitive type, or {@code c} itself. */
    public static Class<?> boxed(Class<?> c) {
        if (!c.isPrimitive()) {
            return c;
        }
        if (c == int.class) {
            return Integer.class;
        }
        if (c == long.class) {
            return Long.class;
        }
        if (c == boolean.class) {
            return Boolean.class;
        }
        if (c == double.class) {
            return Double.class;
        }
        if (c == float.class) {
            return Float.class;
        }
        if (c == short.class) {
            return Short.class;
        }
        if (c == byte.class) {
            return Byte.class;
        }
        if (c == char.class) {
            return Character.class;
        }
        return Void.class;
    }

    /** A resolved parameterized type; equal to the JDK's own for the same raw type and arguments. */
    private record Parameterized(Class<?> rawType, Type[] arguments, Type ownerType) implements ParameterizedType {
        @Override
        public Type[] getActualTypeArguments() {
            return arguments.clone();
        }

        @Override
        public Type getRawType() {
            return rawType;
        }

        @Override
        public Type getOwnerType() {
            return ownerType;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ParameterizedType p
                    && rawType.equals(p.getRawType())
                    && Objects.equals(ownerType, p.getOwnerType())
                    && Arrays.equals(arguments, p.getActualTypeArguments());
        }

        @Override
        public int hashCode() {
            // The JDK's formula, so that equal types from either source hash alike.
            return Arrays.hashCode(arguments) ^ Objects.hashCode(ownerType) ^ rawType.hashCode();
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder(rawType.getTypeName()).append('<');
            for (int i = 0; i < arguments.length; i++) {
                sb.append(i > 0 ? ", " : "").append(arguments[i].getTypeName());
            }
            return sb.append('>').toString();
        }
    }

    /** A resolved array of a parameterized type. */
    private record GenericArray(Type component) implements GenericArrayType {
        @Override
        public Type getGenericComponentType() {
            return component;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof GenericArrayType a && component.equals(a.getGenericComponentType());
        }

        @Override
        public int hashCode() {
            return component.hashCode();
        }

        @Override
        public String toString() {
            return component.getTypeName() + "[]";
        }
    }
}
