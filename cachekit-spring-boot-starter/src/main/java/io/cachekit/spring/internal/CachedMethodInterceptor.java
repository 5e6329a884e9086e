package io.cachekit.spring.internal;

import io.cachekit.Cache;
import io.cachekit.CacheEvict;
import io.cachekit.Cached;
import io.cachekit.CachedMethod;
import java.lang.reflect.Method;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.springframework.aop.framework.AopProxyUtils;
import org.springframework.aop.support.AopUtils;
import org.springframework.core.BridgeMethodResolver;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Runs calls of {@link Cached} and {@link CacheEvict} methods of Spring beans through Cachekit's public {@link
 * CachedMethod} (the same behaviour as {@code Cache.proxy}: keys, TTL per annotation, single flight, fail-open,
 * {@code CompletableFuture} and {@code Optional} results). Annotations are read on the bean's class, or on the
 * interface method it implements; keys name the bean's class, and generic return types are resolved against
 * it. Plans are made once per method and target class. Thread-safe; not API.
 */
public final class CachedMethodInterceptor implements MethodInterceptor {
    private final Supplier<Cache> cacheSupplier;
    private final Consumer<String> onNamespace;
    private final ConcurrentMap<MethodKey, Optional<CachedMethod>> plans = new ConcurrentHashMap<>();
    private final Set<MethodKey> candidates = ConcurrentHashMap.newKeySet();
    private volatile Cache cache;

    /**
     * @param cacheSupplier the Cache bean, looked up on first use so that proxying does not create it early
     * @param onNamespace told the namespace of each annotated method when its plan is made
     */
    public CachedMethodInterceptor(Supplier<Cache> cacheSupplier, Consumer<String> onNamespace) {
        this.cacheSupplier = Objects.requireNonNull(cacheSupplier, "cacheSupplier");
        this.onNamespace = Objects.requireNonNull(onNamespace, "onNamespace");
    }

    /** Whether calls of {@code method} on {@code targetClass} are cached or evict; remembers it for {@link #validate}. */
    public boolean matches(Method method, Class<?> targetClass) {
        Class<?> target = targetClass != null ? targetClass : method.getDeclaringClass();
        if (annotatedMethod(method, target) == null) {
            return false;
        }
        candidates.add(new MethodKey(method, target));
        return true;
    }

    /**
     * Makes the plan of every annotated method seen so far, so that an invalid annotation fails the startup.
     *
     * @throws IllegalArgumentException naming the method and what is wrong with its annotation
     */
    public void validate() {
        for (MethodKey key : candidates) {
            plan(key.method(), key.targetClass());
        }
    }

    @Override
    public Object invoke(MethodInvocation invocation) throws Throwable {
        Object target = invocation.getThis();
        Method method = invocation.getMethod();
        Class<?> targetClass = target != null ? AopProxyUtils.ultimateTargetClass(target) : method.getDeclaringClass();
        CachedMethod plan = plan(method, targetClass);
        return plan == null ? invocation.proceed() : plan.invoke(invocation.getArguments(), invocation::proceed);
    }

    private CachedMethod plan(Method method, Class<?> targetClass) {
        MethodKey key = new MethodKey(method, targetClass);
        Optional<CachedMethod> plan = plans.get(key);
        if (plan == null) {
            plan = plans.computeIfAbsent(key, k -> Optional.ofNullable(createPlan(method, targetClass)));
        }
        return plan.orElse(null);
    }

    private CachedMethod createPlan(Method method, Class<?> targetClass) {
        Method annotated = annotatedMethod(method, targetClass);
        if (annotated == null) {
            return null;
        }
        CachedMethod plan = CachedMethod.of(cache(), targetClass, annotated);
        if (plan != null) {
            onNamespace.accept(plan.namespace());
        }
        return plan;
    }

    private Cache cache() {
        Cache c = cache;
        if (c == null) {
            c = cacheSupplier.get();
            cache = c;
        }
        return c;
    }

    /** The method that carries the annotation: the bean class's method, or the interface method it implements. */
    static Method annotatedMethod(Method method, Class<?> targetClass) {
        Method specific = BridgeMethodResolver.findBridgedMethod(AopUtils.getMostSpecificMethod(method, targetClass));
        if (isAnnotated(specific)) {
            return specific;
        }
        if (isAnnotated(method)) {
            return method;
        }
        for (Class<?> type : ClassUtils.getAllInterfacesForClassAsSet(targetClass)) {
            Method declared = ReflectionUtils.findMethod(type, specific.getName(), specific.getParameterTypes());
            if (declared != null && isAnnotated(declared)) {
                return declared;
            }
        }
        return null;
    }

    private static boolean isAnnotated(Method method) {
        return method.isAnnotationPresent(Cached.class) || method.isAnnotationPresent(CacheEvict.class);
    }

    private record MethodKey(Method method, Class<?> targetClass) {}
}
