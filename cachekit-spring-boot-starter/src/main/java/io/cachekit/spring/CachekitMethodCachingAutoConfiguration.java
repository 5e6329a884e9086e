package io.cachekit.spring;

import io.cachekit.Cache;
import io.cachekit.spring.internal.CachedMethodAdvisor;
import io.cachekit.spring.internal.CachedMethodInterceptor;
import io.cachekit.spring.internal.NamespaceRegistry;
import org.springframework.aop.config.AopConfigUtils;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar;
import org.springframework.context.annotation.Role;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotationMetadata;

/**
 * Caches {@link io.cachekit.Cached} methods of Spring beans and runs their {@link io.cachekit.CacheEvict}
 * methods' evictions, with the TTL, namespace and key each annotation gives, through Spring AOP proxies
 * (no AspectJ weaver needed). The entries live on the {@link Cache} bean's backend, in its namespace unless
 * the annotation names another.
 *
 * <p>Registers Spring's infrastructure auto-proxy creator if the application has none; Spring Boot's AOP
 * auto-configuration decides whether classes or interfaces are proxied ({@code spring.aop.proxy-target-class},
 * classes by default). As with every proxy, calls from a bean to its own methods are not intercepted.
 *
 * <p>The advisor's order is {@code cachekit.method-caching.order}: by default just before Spring's transaction
 * and cache advisors at theirs, so {@code @Cached} runs outside {@code @Transactional}.
 */
@AutoConfiguration(after = CachekitAutoConfiguration.class)
@Import(CachekitMethodCachingAutoConfiguration.ProxyCreatorRegistrar.class)
@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
public final class CachekitMethodCachingAutoConfiguration {

    @Bean
    @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
    @ConditionalOnMissingBean
    static CachedMethodAdvisor cachekitCachedMethodAdvisor(
            ObjectProvider<Cache> cache, ObjectProvider<NamespaceRegistry> namespaces, Environment environment) {
        CachedMethodAdvisor advisor = new CachedMethodAdvisor(
                new CachedMethodInterceptor(cache::getObject, name -> namespaces.ifAvailable(r -> r.add(name))));
        // Read from the environment rather than CachekitProperties: this infrastructure bean is created before
        // the configuration properties are bound.
        advisor.setOrder(Binder.get(environment)
                .bind("cachekit.method-caching.order", Integer.class)
                .orElse(CachekitProperties.MethodCaching.DEFAULT_ORDER));
        return advisor;
    }

    /** Makes sure some auto-proxy creator exists, as {@code @EnableCaching} does for Spring's annotations. */
    static final class ProxyCreatorRegistrar implements ImportBeanDefinitionRegistrar {
        @Override
        public void registerBeanDefinitions(AnnotationMetadata metadata, BeanDefinitionRegistry registry) {
            AopConfigUtils.registerAutoProxyCreatorIfNecessary(registry);
        }
    }
}
