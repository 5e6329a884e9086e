package io.cachekit;

import io.cachekit.internal.DefaultCache;
import io.cachekit.internal.MethodCaching;
import java.lang.reflect.Method;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The caching of one {@link Cached} or {@link CacheEvict} method, for frameworks that intercept calls
 * themselves (the Spring starter's advice applies it to beans). It behaves as {@link Cache#proxy} does: the same
 * keys, TTL per annotation, single flight, fail-open on backend failures, {@code CompletableFuture} and {@code
 * Optional} results, and the same checks when it is made.
 *
 * <p>Immutable and thread-safe.
 */
public final class CachedMethod {
    private final MethodCaching.Plan plan;

    private CachedMethod(MethodCaching.Plan plan) {
        this.plan = plan;
    }

    /**
     * The caching of {@code method} called on instances of {@code type}, or {@code null} when the method carries
     * neither annotation. Default keys name {@code type}, and generic return types are resolved against it (a
     * bean's class, for instance). {@code @CacheEvict(method = ...)} names a method of {@code type} or of an
     * interface it implements.
     *
     * @param cache a cache made by {@link Cachekit#create} or {@link Cachekit#fromUri}
     * @param type the class or interface the method is called through
     * @param method the annotated method, as declared on {@code type} or on a supertype
     * @throws IllegalArgumentException for an invalid annotation or an uncacheable return type (naming the method),
     *     or for a cache that Cachekit did not make
     */
    public static @Nullable CachedMethod of(Cache cache, Class<?> type, Method method) {
        Objects.requireNonNull(cache, "cache");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(method, "method");
        if (!(cache instanceof DefaultCache defaultCache)) {
            throw new IllegalArgumentException(
                    "Method caching needs a cache made by Cachekit.create or Cachekit.fromUri; got " + cache);
        }
        MethodCaching.Plan plan = MethodCaching.plan(defaultCache, method, type, type, null, null);
        return plan == null ? null : new CachedMethod(plan);
    }

    /** The namespace the method's entries live in (its annotation's, or the cache's). */
    public String namespace() {
        return plan.cache().namespace();
    }

    /** Whether this method caches results ({@link Cached}) rather than evicting ({@link CacheEvict}). */
    public boolean caches() {
        return plan instanceof MethodCaching.CachedPlan;
    }

    /**
     * Runs one call through the cache.
     *
     * @param args the call's arguments (never null; empty for none)
     * @param invocation calls the real method; called at most once
     * @return the cached or real result (for async methods a {@code CompletableFuture} of it)
     * @throws Throwable what the real method throws, unchanged
     */
    public @Nullable Object invoke(@Nullable Object[] args, Invocation invocation) throws Throwable {
        Objects.requireNonNull(args, "args");
        Objects.requireNonNull(invocation, "invocation");
        return plan.invoke(args, invocation::proceed);
    }

    /** Calls the real method. */
    @FunctionalInterface
    public interface Invocation {
        /** Calls the real method and returns its result; throws what it throws. */
        Object proceed() throws Throwable;
    }

    @Override
    public String toString() {
        return "CachedMethod{" + plan + "}";
    }
}
