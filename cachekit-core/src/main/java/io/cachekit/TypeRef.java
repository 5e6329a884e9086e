package io.cachekit;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.Objects;

/**
 * A full generic type such as {@code List<User>}, captured by subclassing: {@code new TypeRef<List<User>>()
 * {}}. Values read with a {@code TypeRef} are decoded into that exact type, so no type information needs to
 * be stored with them.
 *
 * <p>Immutable; equal when the captured types are equal.
 *
 * @param <T> the captured type
 */
public abstract class TypeRef<T> {
    private final Type type;

    /** Captures the type argument of the anonymous subclass being created. */
    protected TypeRef() {
        Type superclass = getClass().getGenericSuperclass();
        if (!(superclass instanceof ParameterizedType parameterized)) {
            throw new IllegalStateException(
                    "TypeRef must be created with a type argument: new TypeRef<List<User>>() {}");
        }
        this.type = parameterized.getActualTypeArguments()[0];
    }

    private TypeRef(Type type) {
        this.type = Objects.requireNonNull(type, "type");
    }

    /** A reference to {@code type} as obtained by reflection, such as a method's generic return type. */
    public static TypeRef<Object> of(Type type) {
        return new TypeRef<>(type) {};
    }

    /** A reference to a plain class. */
    public static <T> TypeRef<T> of(Class<T> type) {
        return new TypeRef<>(type) {};
    }

    /** The captured type. */
    public Type type() {
        return type;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TypeRef<?> other && type.equals(other.type);
    }

    @Override
    public int hashCode() {
        return type.hashCode();
    }

    @Override
    public String toString() {
        return type.getTypeName();
    }
}
