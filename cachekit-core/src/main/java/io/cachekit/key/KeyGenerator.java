package io.cachekit.key;

import java.lang.reflect.Method;

/**
 * Builds the argument part of the default key of a cached method call (when {@link io.cachekit.Cached#key()}
 * is empty). The cache puts the method's identity before it (the proxied type or bean class, the proxy's name
 * or target class, the method's name and parameter types), so a generator only has to tell calls of one method
 * apart.
 *
 * <p>Keys must be equal for equal arguments in every JVM and across restarts, and unequal for unequal
 * arguments, so implementations must not use {@code hashCode()} or identity. Parameters annotated with {@link
 * io.cachekit.CacheKeyIgnore} must not influence the key. The namespace and global prefix are added by the
 * cache, not here.
 *
 * <p>Implementations are thread-safe. They throw {@link io.cachekit.CacheKeyException} for an argument they
 * cannot encode.
 */
@FunctionalInterface
public interface KeyGenerator {

    /**
     * The argument part of the key of a call.
     *
     * @param method the method called, as declared (bridge methods are resolved to the method they bridge)
     * @param args the arguments, never null (empty for no parameters)
     */
    String generate(Method method, Object[] args);

    /**
     * The standard generator: the arguments encoded canonically by {@link ArgumentEncoder} against their
     * declared types, such as {@code ["Paris",3]}, and replaced by {@code #} and a SHA-256 digest when longer
     * than 64 characters.
     */
    static KeyGenerator standard() {
        return StandardKeyGenerator.INSTANCE;
    }
}
