package io.cachekit.spring;

import io.cachekit.Cache;
import io.cachekit.http.HttpResponseCache;
import io.cachekit.http.ResponseCacheFilter;
import io.cachekit.spring.internal.NamespaceRegistry;
import io.cachekit.spring.internal.SpringResponseCachePolicies;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * HTTP response caching for Spring MVC applications: registers a {@link ResponseCacheFilter} for the
 * {@code REQUEST} and {@code ASYNC} dispatches that caches the responses of handlers annotated with {@link
 * CachedResponse} and of the paths in {@code cachekit.http.paths}, in the namespace {@code
 * cachekit.http.namespace} of the {@link Cache} bean's backend.
 *
 * <p>The {@link HttpResponseCache} is a bean too, for purging URLs. The filter's order is {@code
 * cachekit.http.filter-order} (0 by default, after Spring Security's filter
 * chain), so that only authorized requests are served cached responses. Turned off by {@code
 * cachekit.http.enabled=false}.
 */
@AutoConfiguration(after = CachekitAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({Filter.class, RequestMappingHandlerMapping.class})
@ConditionalOnBooleanProperty(name = "cachekit.http.enabled", matchIfMissing = true)
public final class CachekitHttpAutoConfiguration {

    /** The name of the filter's registration bean; define a bean of this name to replace it. */
    public static final String FILTER_BEAN_NAME = "cachekitResponseCacheFilter";

    @Bean
    @ConditionalOnMissingBean
    SpringResponseCachePolicies cachekitResponseCachePolicies(
            CachekitProperties properties, ObjectProvider<RequestMappingHandlerMapping> mappings) {
        CachekitHttpProperties http = properties.getHttp();
        return new SpringResponseCachePolicies(
                http.toPolicy(), http.getPaths(), http.getPostPaths(), () -> mappings.orderedStream()
                        .toList());
    }

    /**
     * The response cache, in the namespace {@code cachekit.http.namespace}: inject it to purge a URL's
     * responses ({@link HttpResponseCache#purge}).
     */
    @Bean
    @ConditionalOnMissingBean
    HttpResponseCache cachekitHttpResponseCache(
            Cache cache, CachekitProperties properties, NamespaceRegistry namespaces) {
        String namespace = properties.getHttp().getNamespace();
        Cache responses;
        try {
            responses = cache.withNamespace(namespace);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Invalid cachekit.http.namespace: " + e.getMessage(), e);
        }
        namespaces.add(namespace);
        return new HttpResponseCache(responses);
    }

    @Bean(FILTER_BEAN_NAME)
    @ConditionalOnMissingBean(name = FILTER_BEAN_NAME)
    FilterRegistrationBean<ResponseCacheFilter> cachekitResponseCacheFilter(
            HttpResponseCache responseCache, CachekitProperties properties, SpringResponseCachePolicies policies) {
        ResponseCacheFilter filter = new ResponseCacheFilter(responseCache, policies);
        FilterRegistrationBean<ResponseCacheFilter> registration = new FilterRegistrationBean<>(filter);
        registration.setName(FILTER_BEAN_NAME);
        registration.setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.ASYNC);
        registration.setAsyncSupported(true);
        registration.setOrder(properties.getHttp().getFilterOrder());
        return registration;
    }
}
