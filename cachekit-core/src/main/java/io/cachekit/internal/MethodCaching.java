package io.cachekit.internal;

import io.cachekit.CacheEvict;
import io.cachekit.Cached;
import io.cachekit.CachekitConfig;
import io.cachekit.ErrorPolicy;
import io.cachekit.TypeRef;
import io.cachekit.key.ArgumentEncoder;
import io.cachekit.key.KeyGenerator;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Proxy;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Method caching: the {@link Cached}/{@link CacheEvict} proxy of an interface, and memoized functions.
 * Annotations are read and checked once, when the proxy is made; a call only looks up its plan.
 */
public final class MethodCaching {
    private static final Object[] NO_ARGS = new Object[0];

    private MethodCaching() {}

    /** See {@link io.cachekit.Cache#proxy}. */
    public static <T> T proxy(DefaultCache cache, Class<T> type, T target) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(target, "target");
        if (!type.isInterface()) {
            throw new IllegalArgumentException(type.getName() + " is not an interface; proxies are made of interfaces");
        }
        Map<Method, Plan> plans = plans(cache, type);
        Object proxy =
                Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, new Handler(type, target, plans));
        return type.cast(proxy);
    }

    /**
     * The plans of every annotated method of {@code type}, checked now.
     *
     * @throws IllegalArgumentException for an invalid annotation, naming the method
     */
    public static Map<Method, Plan> plans(DefaultCache cache, Class<?> type) {
        Map<Method, Plan> plans = new HashMap<>();
        for (Method method : type.getMethods()) {
            Plan plan = plan(cache, method, type);
            if (plan != null) {
                plans.put(method, plan);
            }
        }
        return plans;
    }

    /** The plan of one method, or null when it carries neither annotation. */
    public static Plan plan(DefaultCache cache, Method method, Class<?> type) {
        Cached cached = method.getAnnotation(Cached.class);
        CacheEvict evict = method.getAnnotation(CacheEvict.class);
        if (cached != null && evict != null) {
            throw invalid(method, "cannot be both @Cached and @CacheEvict");
        }
        if (cached != null) {
            return cachedPlan(cache, method, cached);
        }
        if (evict != null) {
            return evictPlan(cache, method, evict, type);
        }
        return null;
    }

    private static CachedPlan cachedPlan(DefaultCache cache, Method method, Cached cached) {
        Class<?> returnType = method.getReturnType();
        if (returnType == void.class || returnType == Void.class) {
            throw invalid(method, "returns nothing, so there is nothing to cache");
        }
        boolean async = CompletionStage.class.isAssignableFrom(returnType);
        if (async && !returnType.isAssignableFrom(CompletableFuture.class)) {
            throw invalid(
                    method,
                    "returns " + returnType.getName() + "; async methods must return CompletableFuture"
                            + " or CompletionStage");
        }
        Type valueType = async ? futureValueType(method.getGenericReturnType()) : method.getGenericReturnType();
        Duration ttl;
        try {
            ttl = cached.ttl().isEmpty() ? null : CachekitConfig.parseTtl(cached.ttl());
        } catch (IllegalArgumentException e) {
            throw invalid(method, "has an invalid ttl: " + e.getMessage());
        }
        DefaultCache target = namespaced(cache, cached.namespace(), method);
        KeyFunction key = keyFunction(cache.config().keyGenerator(), cached.key(), method);
        return new CachedPlan(
                target, key, target.resolveTtl(ttl), valueType, Types.raw(valueType), cached.cacheNull(), async);
    }

    private static Type futureValueType(Type returnType) {
        if (returnType instanceof ParameterizedType p) {
            return p.getActualTypeArguments()[0];
        }
        return Object.class;
    }

    private static EvictPlan evictPlan(DefaultCache cache, Method method, CacheEvict evict, Class<?> type) {
        int given = (evict.key().isEmpty() ? 0 : 1) + (evict.method().isEmpty() ? 0 : 1) + (evict.allEntries() ? 1 : 0);
        if (given != 1) {
            throw invalid(method, "@CacheEvict needs exactly one of key, method and allEntries");
        }
        KeyFunction key = null;
        DefaultCache target = namespaced(cache, evict.namespace(), method);
        if (!evict.key().isEmpty()) {
            key = keyFunction(cache.config().keyGenerator(), evict.key(), method);
        } else if (!evict.method().isEmpty()) {
            Method sibling;
            try {
                sibling = type.getMethod(evict.method(), method.getParameterTypes());
            } catch (NoSuchMethodException e) {
                throw invalid(
                        method,
                        "@CacheEvict names method '" + evict.method() + "', but " + type.getName()
                                + " has no such method with the same parameter types");
            }
            Cached cached = sibling.getAnnotation(Cached.class);
            if (cached == null) {
                throw invalid(method, "@CacheEvict names method '" + evict.method() + "', which is not @Cached");
            }
            if (evict.namespace().isEmpty()) {
                target = namespaced(cache, cached.namespace(), sibling);
            }
            key = keyFunction(cache.config().keyGenerator(), cached.key(), sibling);
        }
        boolean async = CompletionStage.class.isAssignableFrom(method.getReturnType());
        return new EvictPlan(target, key, async);
    }

    private static DefaultCache namespaced(DefaultCache cache, String namespace, Method method) {
        if (namespace.isEmpty()) {
            return cache;
        }
        try {
            return (DefaultCache) cache.withNamespace(namespace);
        } catch (IllegalArgumentException e) {
            throw invalid(method, "has an invalid namespace: " + e.getMessage());
        }
    }

    private static KeyFunction keyFunction(KeyGenerator generator, String template, Method method) {
        if (template.isEmpty()) {
            return args -> generator.generate(method, args);
        }
        KeyTemplate compiled = KeyTemplate.compile(template, method);
        return compiled::render;
    }

    private static IllegalArgumentException invalid(Method method, String problem) {
        return new IllegalArgumentException(KeyTemplate.describe(method) + " " + problem);
    }

    /** See {@link io.cachekit.Cache#memoize}. */
    public static <A, R> Function<A, R> memoize(
            DefaultCache cache, String name, TypeRef<R> resultType, Duration ttl, Function<A, R> function) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(resultType, "resultType");
        Objects.requireNonNull(function, "function");
        if (name.isBlank()) {
            throw new IllegalArgumentException("A memoized function needs a stable, non-blank name");
        }
        Duration resolved = cache.resolveTtl(ttl);
        Type type = resultType.type();
        Class<?> raw = Types.raw(type);
        ErrorPolicy policy = cache.config().methodErrorPolicy();
        String prefix = "memo:" + name + ":";
        return arg -> {
            CallMode mode = CallMode.current();
            if (mode == CallMode.BYPASS) {
                return function.apply(arg);
            }
            String encoded = ArgumentEncoder.encode(arg);
            String key = prefix + (encoded.length() > 64 ? "#" + ArgumentEncoder.digest(encoded) : encoded);
            try {
                @SuppressWarnings("unchecked")
                R value = (R) cache.load(key, type, raw, resolved, () -> function.apply(arg), policy, true, mode);
                return value;
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException("unreachable: functions throw no checked exception", t);
            }
        };
    }

    /** What a call of an annotated method does. */
    public sealed interface Plan permits CachedPlan, EvictPlan {}

    /** The key of a call from its arguments. */
    @FunctionalInterface
    interface KeyFunction {
        String key(Object[] args);
    }

    /** A {@link Cached} method. */
    public record CachedPlan(
            DefaultCache cache,
            KeyFunction key,
            Duration ttl,
            Type valueType,
            Class<?> raw,
            boolean cacheNull,
            boolean async)
            implements Plan {

        /** Runs one call of the method through the cache; {@code invoker} calls the real method. */
        public Object invoke(Object[] args, ThrowingSupplier<?> invoker) throws Throwable {
            CallMode mode = CallMode.current();
            if (mode == CallMode.BYPASS) {
                return invoker.get();
            }
            String k = key.key(args);
            ErrorPolicy policy = cache.config().methodErrorPolicy();
            if (!async) {
                return cache.load(k, valueType, raw, ttl, invoker, policy, cacheNull, mode);
            }
            return cache.async().load(k, valueType, raw, ttl, () -> callAsync(invoker), policy, cacheNull, mode);
        }
    }

    /** A {@link CacheEvict} method; {@code key} is null when it evicts the whole namespace. */
    public record EvictPlan(DefaultCache cache, KeyFunction key, boolean async) implements Plan {

        /** Runs the real method, then evicts if it returned normally (or its future completed normally). */
        public Object invoke(Object[] args, ThrowingSupplier<?> invoker) throws Throwable {
            String k = key == null ? null : key.key(args); // before the call: arguments may be mutated by it
            Object result = invoker.get();
            ErrorPolicy policy = cache.config().methodErrorPolicy();
            if (async && result instanceof CompletionStage<?> stage) {
                return stage.toCompletableFuture().thenCompose(value -> (k == null
                                ? cache.async().clear(policy)
                                : cache.async().delete(k, policy))
                        .thenApply(ignored -> value));
            }
            if (k == null) {
                cache.clear(policy);
            } else {
                cache.delete(k, policy);
            }
            return result;
        }
    }

    private static CompletableFuture<?> callAsync(ThrowingSupplier<?> invoker) {
        try {
            Object result = invoker.get();
            if (result == null) {
                return CompletableFuture.failedFuture(new NullPointerException("the method returned a null future"));
            }
            return ((CompletionStage<?>) result).toCompletableFuture();
        } catch (Throwable t) {
            return CompletableFuture.failedFuture(t);
        }
    }

    private static final class Handler implements InvocationHandler {
        private final Object target;
        private final Map<Method, Plan> plans;
        /** Accessible copies of the interface's methods, so interfaces that are not public can be proxied. */
        private final Map<Method, Method> accessible = new HashMap<>();

        Handler(Class<?> type, Object target, Map<Method, Plan> plans) {
            this.target = target;
            this.plans = plans;
            for (Method m : type.getMethods()) {
                m.setAccessible(true);
                accessible.put(m, m);
            }
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            Object[] a = args == null ? NO_ARGS : args;
            Plan plan = plans.get(method);
            if (plan instanceof CachedPlan cached) {
                return cached.invoke(a, () -> call(method, a));
            }
            if (plan instanceof EvictPlan evict) {
                return evict.invoke(a, () -> call(method, a));
            }
            if (method.getDeclaringClass() == Object.class) {
                return switch (method.getName()) {
                    case "equals" -> proxy == a[0];
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "toString" -> "CachingProxy[" + target + "]";
                    default -> call(method, a);
                };
            }
            return call(method, a);
        }

        private Object call(Method method, Object[] args) throws Throwable {
            try {
                return accessible.getOrDefault(method, method).invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }
    }
}
