package io.cachekit.internal;

import io.cachekit.CacheEvict;
import io.cachekit.CacheKeyIgnore;
import io.cachekit.Cached;
import io.cachekit.CachekitConfig;
import io.cachekit.ErrorPolicy;
import io.cachekit.Tags;
import io.cachekit.TypeRef;
import io.cachekit.key.ArgumentEncoder;
import io.cachekit.key.KeyGenerator;
import io.cachekit.spi.Durations;
import java.io.InputStream;
import java.io.Reader;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.Collection;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Spliterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.BaseStream;

/**
 * Method caching: the {@link Cached}/{@link CacheEvict} proxy of an interface, the plans behind the public
 * {@code CachedMethod} (the Spring starter's advice), and memoized functions. Annotations, return types and
 * identities are read and checked once, when the proxy or plan is made; a call only looks up its plan. Not API.
 */
public final class MethodCaching {
    private static final Object[] NO_ARGS = new Object[0];
    /** The longest argument text the standard generator keeps before it digests it. */
    private static final int STANDARD_PLAIN_LENGTH = 64;

    private MethodCaching() {}

    /** See {@link io.cachekit.Cache#proxy(Class, Object, String)}; {@code name} may be null. */
    public static <T> T proxy(DefaultCache cache, Class<T> type, T target, String name) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(target, "target");
        if (!type.isInterface()) {
            throw new IllegalArgumentException(type.getName() + " is not an interface; proxies are made of interfaces");
        }
        if (name != null && name.isBlank()) {
            throw new IllegalArgumentException("A proxy's name must not be blank");
        }
        String stableClass = name == null ? MethodIdentity.stableName(target.getClass()) : null;
        Map<Method, Plan> plans = new HashMap<>();
        for (Method method : type.getMethods()) {
            Plan plan = plan(cache, MethodIdentity.bridged(method, type), type, target.getClass(), name, stableClass);
            if (plan != null) {
                plans.put(method, plan);
            }
        }
        if (name == null && !plans.isEmpty()) {
            cache.runtime.proxies.register(cache.store.storedNamespace, type, target, stableClass);
        }
        Object proxy =
                Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, new Handler(type, target, plans));
        return type.cast(proxy);
    }

    /**
     * The plan of one method called through {@code type}, or null when it carries neither annotation.
     *
     * @param targetClass resolves type variables that {@code type} leaves open; may be null
     * @param name the proxy's name, or null
     * @param stableClass the target's class name when stable, or null
     * @throws IllegalArgumentException for an invalid annotation or an uncacheable return type, naming the method
     */
    public static Plan plan(
            DefaultCache cache, Method method, Class<?> type, Class<?> targetClass, String name, String stableClass) {
        Cached cached = method.getAnnotation(Cached.class);
        CacheEvict evict = method.getAnnotation(CacheEvict.class);
        if (cached != null && evict != null) {
            throw invalid(method, "cannot be both @Cached and @CacheEvict");
        }
        Identity identity = new Identity(type, name, stableClass);
        if (cached != null) {
            return cachedPlan(cache, method, cached, targetClass, identity);
        }
        if (evict != null) {
            return evictPlan(cache, method, evict, identity);
        }
        return null;
    }

    /** What names a method's default keys besides the method: the proxied type and the proxy's qualifier. */
    private record Identity(Class<?> type, String name, String stableClass) {
        String of(Method method) {
            return MethodIdentity.of(type, name, stableClass, method);
        }
    }

    private static CachedPlan cachedPlan(
            DefaultCache cache, Method method, Cached cached, Class<?> targetClass, Identity identity) {
        Type returnType = Types.resolve(method.getGenericReturnType(), identity.type);
        if (Types.hasVariables(returnType) && targetClass != null) {
            returnType = Types.resolve(returnType, targetClass);
        }
        Class<?> rawReturn = Types.raw(returnType);
        if (rawReturn == Void.class) {
            throw invalid(method, "returns nothing, so there is nothing to cache");
        }
        boolean async = CompletionStage.class.isAssignableFrom(rawReturn);
        if (async && !rawReturn.isAssignableFrom(CompletableFuture.class)) {
            throw invalid(
                    method,
                    "returns " + rawReturn.getName() + "; async methods must return CompletableFuture"
                            + " or CompletionStage");
        }
        Type valueType = async ? Types.typeArgument(returnType, CompletionStage.class, 0) : returnType;
        if (Types.hasVariables(valueType)) {
            throw invalid(
                    method,
                    "returns " + returnType.getTypeName() + ", whose type variable cannot be resolved"
                            + " against " + identity.type.getName() + " or its target, so a stored value could not be"
                            + " decoded into it: declare a concrete type");
        }
        String refused = uncacheable(valueType);
        if (refused != null) {
            throw invalid(method, "returns " + returnType.getTypeName() + ", which cannot be cached: " + refused);
        }
        Duration ttl;
        try {
            ttl = cached.ttl().isEmpty() ? null : CachekitConfig.parseTtl(cached.ttl());
        } catch (IllegalArgumentException e) {
            throw invalid(method, "has an invalid ttl: " + e.getMessage());
        }
        Duration staleFor;
        try {
            staleFor =
                    cached.staleFor().isEmpty() ? null : DefaultCache.checkStaleFor(Durations.parse(cached.staleFor()));
        } catch (IllegalArgumentException e) {
            throw invalid(method, "has an invalid staleFor: " + e.getMessage());
        }
        DefaultCache target = namespaced(cache, cached.namespace(), method);
        KeyFunction key = keyFunction(cache.config().keyGenerator(), cached.key(), method, identity);
        TagTemplates tags = TagTemplates.compile(cached.tags(), method);
        SingleFlight.Load load = target.methodLoad(
                valueType, target.resolveTtl(ttl), staleFor, cache.config().methodErrorPolicy(), cached.cacheNull());
        return new CachedPlan(target, key, tags, load, async);
    }

    /**
     * Why values of {@code type} cannot be cached, or null when they can: single-use values would be handed to
     * the first caller consumed, or never be readable again.
     */
    static String uncacheable(Type type) {
        Class<?> raw = Types.raw(type);
        if (BaseStream.class.isAssignableFrom(raw)) {
            return "a stream can be consumed only once; return a List";
        }
        if (Iterator.class.isAssignableFrom(raw)
                || Spliterator.class.isAssignableFrom(raw)
                || Enumeration.class.isAssignableFrom(raw)) {
            return "an iterator can be consumed only once; return a List";
        }
        if (Iterable.class.isAssignableFrom(raw) && !Collection.class.isAssignableFrom(raw)) {
            return "an Iterable that is not a Collection may be lazy or single-use; return a List or a Set";
        }
        if (InputStream.class.isAssignableFrom(raw) || Reader.class.isAssignableFrom(raw)) {
            return "an InputStream or Reader can be read only once; return byte[] or String";
        }
        if (Future.class.isAssignableFrom(raw) || CompletionStage.class.isAssignableFrom(raw)) {
            return "a future inside a value cannot be stored; return the future itself";
        }
        if (raw == Optional.class) {
            String inner = uncacheable(Types.typeArgument(type, Optional.class, 0));
            return inner == null ? null : "an Optional of it: " + inner;
        }
        return null;
    }

    private static EvictPlan evictPlan(DefaultCache cache, Method method, CacheEvict evict, Identity identity) {
        int given = (evict.key().isEmpty() ? 0 : 1) + (evict.method().isEmpty() ? 0 : 1) + (evict.allEntries() ? 1 : 0);
        if (given > 1 || (given == 0 && evict.tags().length == 0)) {
            throw invalid(
                    method,
                    "@CacheEvict needs one of key, method and allEntries, or tags (alone or besides one of them)");
        }
        TagTemplates tags = TagTemplates.compile(evict.tags(), method);
        KeyFunction key = null;
        DefaultCache target = namespaced(cache, evict.namespace(), method);
        KeyGenerator generator = cache.config().keyGenerator();
        if (!evict.key().isEmpty()) {
            key = keyFunction(generator, evict.key(), method, identity);
        } else if (!evict.method().isEmpty()) {
            Method sibling = cachedSibling(identity.type, evict.method(), method);
            Cached cached = sibling.getAnnotation(Cached.class);
            if (evict.namespace().isEmpty()) {
                target = namespaced(cache, cached.namespace(), sibling);
            }
            key = keyFunction(generator, cached.key(), sibling, identity);
        }
        boolean async = CompletionStage.class.isAssignableFrom(method.getReturnType());
        return new EvictPlan(target, key, evict.allEntries(), tags, async);
    }

    /** The {@link Cached} method named by {@code @CacheEvict(method = ...)}: on the type, or an interface of it. */
    private static Method cachedSibling(Class<?> type, String name, Method evicting) {
        Class<?>[] parameters = evicting.getParameterTypes();
        Method found = null;
        try {
            found = type.getMethod(name, parameters);
        } catch (NoSuchMethodException e) {
            // not public on the type itself: reported below
        }
        if (found != null && found.isAnnotationPresent(Cached.class)) {
            return found;
        }
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            for (Class<?> i : c.getInterfaces()) {
                try {
                    Method declared = i.getMethod(name, parameters);
                    if (declared.isAnnotationPresent(Cached.class)) {
                        return declared;
                    }
                } catch (NoSuchMethodException e) {
                    // look further
                }
            }
        }
        throw invalid(
                evicting,
                found == null
                        ? "@CacheEvict names method '" + name + "', but " + type.getName()
                                + " has no such method with the same parameter types"
                        : "@CacheEvict names method '" + name + "', which is not @Cached");
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

    private static KeyFunction keyFunction(KeyGenerator generator, String template, Method method, Identity identity) {
        if (template.isEmpty()) {
            return defaultKey(generator, method, identity.of(method) + ":");
        }
        KeyTemplate compiled = KeyTemplate.compile(template, method);
        return compiled::render;
    }

    /** The key of a method without a key template: {@code prefix} and what {@code generator} makes of the call. */
    static KeyFunction defaultKey(KeyGenerator generator, Method method, String prefix) {
        if (generator == KeyGenerator.standard() && oneStringParameter(method)) {
            // The standard generator's text of one plain string, ["text"], built in one copy with the prefix.
            String open = prefix + "[\"";
            return args -> args[0] instanceof String s && plain(s)
                    ? open + s + "\"]"
                    : prefix + generator.generate(method, args);
        }
        return args -> prefix + generator.generate(method, args);
    }

    /** Whether {@code method} takes one parameter, a String that is part of its key. */
    static boolean oneStringParameter(Method method) {
        if (method.getParameterCount() != 1 || method.getParameterTypes()[0] != String.class) {
            return false;
        }
        for (java.lang.annotation.Annotation a : method.getParameterAnnotations()[0]) {
            if (a instanceof CacheKeyIgnore) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether the standard generator writes {@code s} as is between quotes, and keeps the result: no char it escapes
     * (nor any surrogate, so as not to judge their pairing here) and short enough not to be digested.
     */
    static boolean plain(String s) {
        if (s.length() > STANDARD_PLAIN_LENGTH - 4) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == '"' || c == '\\' || Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
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
        String refused = uncacheable(resultType.type());
        if (refused != null) {
            throw new IllegalArgumentException(
                    "Memoized function '" + name + "' returns " + resultType + ", which cannot be cached: " + refused);
        }
        SingleFlight.Load load = cache.methodLoad(
                resultType.type(), cache.resolveTtl(ttl), null, cache.config().methodErrorPolicy(), true);
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
                R value = (R) cache.load(load, key, null, mode, () -> function.apply(arg));
                return value;
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException("unreachable: functions throw no checked exception", t);
            }
        };
    }

    /** What a call of an annotated method does. */
    public sealed interface Plan permits CachedPlan, EvictPlan {
        /** The cache the method reads or evicts. */
        DefaultCache cache();

        /** Runs one call; {@code invoker} calls the real method. */
        Object invoke(Object[] args, ThrowingSupplier<?> invoker) throws Throwable;
    }

    /** The key of a call from its arguments. */
    @FunctionalInterface
    interface KeyFunction {
        String key(Object[] args);
    }

    /** A {@link Cached} method; {@code tags} is null when its entries are untagged. */
    public record CachedPlan(
            DefaultCache cache, KeyFunction key, TagTemplates tags, SingleFlight.Load load, boolean async)
            implements Plan {

        @Override
        public Object invoke(Object[] args, ThrowingSupplier<?> invoker) throws Throwable {
            CallMode mode = CallMode.current();
            if (mode == CallMode.BYPASS) {
                return invoker.get();
            }
            String k = key.key(args);
            Tags t = tags == null ? null : tags.render(args);
            if (!async) {
                return cache.load(load, k, t, mode, invoker);
            }
            return cache.async().load(load, k, t, mode, () -> callAsync(invoker));
        }

        /**
         * {@link #invoke} of a proxy's call, making its invoker only on a miss (a hit then allocates nothing for
         * it).
         */
        Object invoke(Object[] args, Handler handler, Method method) throws Throwable {
            CallMode mode = CallMode.current();
            if (async || mode != CallMode.NORMAL || !cache.enabled()) {
                return invoke(args, () -> handler.call(method, args));
            }
            String k = key.key(args);
            Tags t = tags == null ? null : tags.render(args);
            Object cached = SingleFlight.firstRead(load, k);
            if (!ValueStore.isMiss(cached) && !(cached instanceof ValueStore.Stale)) {
                return cached;
            }
            return cache.runtime.flights.load(cached, load, k, t, mode, () -> handler.call(method, args));
        }
    }

    /**
     * A {@link CacheEvict} method: {@code key} is null unless it evicts one entry, {@code tags} null unless it
     * invalidates tags.
     */
    public record EvictPlan(DefaultCache cache, KeyFunction key, boolean allEntries, TagTemplates tags, boolean async)
            implements Plan {

        /** Runs the real method, then evicts if it returned normally (or its future completed normally). */
        @Override
        public Object invoke(Object[] args, ThrowingSupplier<?> invoker) throws Throwable {
            // Before the call: arguments may be mutated by it.
            String k = key == null ? null : key.key(args);
            Tags t = tags == null ? null : tags.render(args);
            Object result = invoker.get();
            ErrorPolicy policy = cache.config().methodErrorPolicy();
            ValueStore store = cache.store;
            if (async && result instanceof CompletionStage<?> stage) {
                return stage.toCompletableFuture()
                        .thenCompose(value -> evictAsync(k, t, policy, store).thenApply(ignored -> value));
            }
            if (allEntries) {
                store.clear(policy);
            } else if (k != null && cache.enabled()) {
                store.delete(k, policy);
            }
            if (t != null) {
                store.tags().invalidate(t.asList(), policy);
            }
            return result;
        }

        private CompletableFuture<Void> evictAsync(String k, Tags t, ErrorPolicy policy, ValueStore store) {
            CompletableFuture<Void> evicted = allEntries
                    ? store.clearAsync(policy)
                    : k != null && cache.enabled()
                            ? store.deleteAsync(k, policy)
                            : CompletableFuture.completedFuture(null);
            return t == null
                    ? evicted
                    : evicted.thenCompose(ignored -> store.tags().invalidateAsync(t.asList(), policy));
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
                return cached.invoke(a, this, method);
            }
            if (plan != null) {
                return plan.invoke(a, () -> call(method, a));
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
