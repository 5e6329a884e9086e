package io.cachekit.spring;

import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.springframework.aop.framework.AopProxyUtils;
import org.springframework.aop.support.AopUtils;
import org.springframework.cache.Cache;
import org.springframework.cache.interceptor.CacheOperationInvocationContext;
import org.springframework.cache.interceptor.CacheResolver;
import org.springframework.core.ResolvableType;

/**
 * Resolves the caches of a Spring cache operation to {@link CachekitSpringCache} views typed by the method's
 * return type, so that values stored as JSON come back as the declared type: {@code User find(long)} reads
 * {@code User}, {@code CompletableFuture<List<User>> all()} reads {@code List<User>}, {@code Optional<User>}
 * reads {@code User}. Caches of other kinds are returned as they are.
 *
 * <p>Installed by the auto-configuration as the default resolver when the application defines no {@code
 * CachingConfigurer}. Thread-safe; views are made once per method and cache name.
 */
public final class CachekitCacheResolver implements CacheResolver {
    private final org.springframework.cache.CacheManager cacheManager;
    private final ConcurrentMap<ViewKey, Cache> views = new ConcurrentHashMap<>();

    /** A resolver over {@code cacheManager}. */
    public CachekitCacheResolver(org.springframework.cache.CacheManager cacheManager) {
        this.cacheManager = Objects.requireNonNull(cacheManager, "cacheManager");
    }

    @Override
    public Collection<? extends Cache> resolveCaches(CacheOperationInvocationContext<?> context) {
        Collection<String> names = context.getOperation().getCacheNames();
        List<Cache> caches = new ArrayList<>(names.size());
        Class<?> targetClass = AopProxyUtils.ultimateTargetClass(context.getTarget());
        for (String name : names) {
            caches.add(views.computeIfAbsent(
                    new ViewKey(context.getMethod(), targetClass, name),
                    key -> view(name, key.method(), key.targetClass())));
        }
        return caches;
    }

    private Cache view(String name, Method method, Class<?> targetClass) {
        Cache cache = cacheManager.getCache(name);
        if (cache == null) {
            throw new IllegalArgumentException("Cannot find cache named '" + name + "' for " + method);
        }
        if (cache instanceof CachekitSpringCache cachekit) {
            return cachekit.typed(valueType(method, targetClass));
        }
        return cache;
    }

    /** The type a cached method's values have: its return type without a future or an Optional around it. */
    static Type valueType(Method method, Class<?> targetClass) {
        Method specific = AopUtils.getMostSpecificMethod(method, targetClass);
        Type type = specific.getGenericReturnType();
        Class<?> raw = specific.getReturnType();
        boolean wrapped = CompletionStage.class.isAssignableFrom(raw) || raw == Optional.class;
        if (wrapped) {
            type = type instanceof ParameterizedType p ? p.getActualTypeArguments()[0] : Object.class;
        }
        if (type instanceof WildcardType w) {
            type = w.getUpperBounds().length > 0 ? w.getUpperBounds()[0] : Object.class;
        }
        if (hasTypeVariable(type)) {
            // A generic method or class: resolve against the target class, keeping only the raw class.
            ResolvableType resolvable = ResolvableType.forMethodReturnType(specific, targetClass);
            if (wrapped) {
                resolvable = resolvable.getGeneric(0);
            }
            type = resolvable.resolve(Object.class);
        }
        return type;
    }

    private static boolean hasTypeVariable(Type type) {
        if (type instanceof TypeVariable<?> || type instanceof WildcardType) {
            return true;
        }
        if (type instanceof ParameterizedType p) {
            for (Type arg : p.getActualTypeArguments()) {
                if (hasTypeVariable(arg)) {
                    return true;
                }
            }
        }
        return type instanceof java.lang.reflect.GenericArrayType g && hasTypeVariable(g.getGenericComponentType());
    }

    private record ViewKey(Method method, Class<?> targetClass, String name) {}
}
