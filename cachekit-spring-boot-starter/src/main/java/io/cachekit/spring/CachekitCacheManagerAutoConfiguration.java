package io.cachekit.spring;

import io.cachekit.Cache;
import io.cachekit.CachekitConfig;
import io.cachekit.ErrorPolicy;
import io.cachekit.Tags;
import io.cachekit.spring.internal.NamespaceRegistry;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.cache.CacheManager;
import org.springframework.cache.annotation.CachingConfigurer;
import org.springframework.cache.interceptor.CacheAspectSupport;
import org.springframework.cache.interceptor.CacheResolver;
import org.springframework.context.annotation.Bean;

/**
 * Runs Spring's caching annotations on Cachekit: when the application enables caching ({@code
 * @EnableCaching}) and defines no {@link CacheManager}, provides a {@link CachekitCacheManager} whose caches are
 * Cachekit namespaces, and (unless the application has a {@link CachingConfigurer}) the {@link
 * CachekitCacheResolver} that decodes values into each method's return type.
 *
 * <p>Comes before Spring Boot's own cache auto-configuration, which then backs off. Turned off by {@code
 * cachekit.cache-manager.enabled=false}.
 */
@AutoConfiguration(
        after = CachekitAutoConfiguration.class,
        beforeName = "org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration")
@ConditionalOnBean(CacheAspectSupport.class)
@ConditionalOnMissingBean(CacheManager.class)
@ConditionalOnBooleanProperty(name = "cachekit.cache-manager.enabled", matchIfMissing = true)
public final class CachekitCacheManagerAutoConfiguration {

    @Bean
    CachekitCacheManager cacheManager(Cache cache, CachekitProperties properties, NamespaceRegistry namespaces) {
        Map<String, Duration> ttls = new LinkedHashMap<>();
        properties
                .getCacheManager()
                .getTtl()
                .forEach((name, ttl) -> CachekitProperties.apply(
                        "cachekit.cache-manager.ttl." + name, () -> ttls.put(name, CachekitConfig.parseTtl(ttl))));
        Map<String, Tags> tags = new LinkedHashMap<>();
        properties
                .getCacheManager()
                .getTags()
                .forEach((name, list) -> CachekitProperties.apply(
                        "cachekit.cache-manager.tags." + name, () -> tags.put(name, Tags.of(list))));
        boolean failOpen = cache.config().methodErrorPolicy() == ErrorPolicy.FAIL_OPEN;
        return new CachekitCacheManager(cache, ttls, tags, failOpen, name -> namespaces.add(name));
    }

    @Bean
    @ConditionalOnMissingBean(CachingConfigurer.class)
    CachingConfigurer cachekitCachingConfigurer(CachekitCacheManager cacheManager) {
        CachekitCacheResolver resolver = new CachekitCacheResolver(cacheManager);
        return new CachingConfigurer() {
            @Override
            public CacheManager cacheManager() {
                return cacheManager;
            }

            @Override
            public CacheResolver cacheResolver() {
                return resolver;
            }
        };
    }
}
