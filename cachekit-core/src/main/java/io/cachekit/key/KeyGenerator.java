package io.cachekit.key;

import java.lang.reflect.Method;

/**
 * Builds the default key of a cached method call (when {@link io.cachekit.Cached#key()} is empty).
 *
 * <p>Keys must be equal for equal arguments in every JVM and across restarts, so implementations must not
 * use {@code hashCode()} or identity, and must differ between methods. Parameters annotated with {@link
 * io.cachekit.CacheKeyIgnore} must not influence the key. The namespace and global prefix are added by the
 * cache, not here.
 *
 * <p>Implementations are thread-safe. They throw {@link io.cachekit.CacheKeyException} for an argument they
 * cannot encode.
 */
@FunctionalInterface
public interface KeyGenerator {

    /**
     * The key of a call.
     *
     * @param method the interface method called
     * @param args the arguments, never null (empty for no parameters)
     */
    String generate(Method method, Object[] args);

    /**
     * The standard generator: {@code method-id:encoded-args}. The method id is the declaring type's simple
     * name, the method name, and 8 characters of the SHA-256 of the full signature (declaring type with its
     * package, name, parameter types), such as {@code WeatherService.forecast~Xb3kQ9aZ}; the arguments are
     * encoded canonically by {@link ArgumentEncoder}, and replaced by {@code #} and a SHA-256 digest when
     * longer than 64 characters.
     */
    static KeyGenerator standard() {
        return StandardKeyGenerator.INSTANCE;
    }
}
