package io.cachekit.spring.internal;

import io.cachekit.CacheEvict;
import io.cachekit.Cached;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Objects;
import org.aopalliance.aop.Advice;
import org.springframework.aop.ClassFilter;
import org.springframework.aop.Pointcut;
import org.springframework.aop.support.AbstractPointcutAdvisor;
import org.springframework.aop.support.StaticMethodMatcherPointcut;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.core.annotation.AnnotationUtils;

/**
 * Applies {@link CachedMethodInterceptor} to the methods of Spring beans annotated with {@link Cached} or
 * {@link CacheEvict}, and checks every such annotation once all singletons exist, so that a wrong one fails
 * the startup rather than the first call. Thread-safe; not API.
 */
public final class CachedMethodAdvisor extends AbstractPointcutAdvisor implements SmartInitializingSingleton {
    private static final long serialVersionUID = 1L;
    private static final List<Class<? extends java.lang.annotation.Annotation>> ANNOTATIONS =
            List.of(Cached.class, CacheEvict.class);

    private final transient CachedMethodInterceptor interceptor;
    private final transient Pointcut pointcut;

    public CachedMethodAdvisor(CachedMethodInterceptor interceptor) {
        this.interceptor = Objects.requireNonNull(interceptor, "interceptor");
        this.pointcut = new StaticMethodMatcherPointcut() {
            @Override
            public boolean matches(Method method, Class<?> targetClass) {
                return interceptor.matches(method, targetClass);
            }

            @Override
            public ClassFilter getClassFilter() {
                return type -> AnnotationUtils.isCandidateClass(type, ANNOTATIONS);
            }
        };
    }

    @Override
    public Pointcut getPointcut() {
        return pointcut;
    }

    @Override
    public Advice getAdvice() {
        return interceptor;
    }

    @Override
    public void afterSingletonsInstantiated() {
        interceptor.validate();
    }
}
