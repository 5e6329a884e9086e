package io.cachekit.spring;

import io.cachekit.Cache;
import io.cachekit.http.HttpResponseCache;
import io.cachekit.spring.internal.NamespaceRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/** Provides the {@link CachekitEndpoint} when Spring Boot's actuator is present and the endpoint is available. */
@AutoConfiguration(after = CachekitAutoConfiguration.class)
@ConditionalOnClass({Endpoint.class, ConditionalOnAvailableEndpoint.class})
@ConditionalOnAvailableEndpoint(CachekitEndpoint.class)
public final class CachekitEndpointAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean({Cache.class, NamespaceRegistry.class})
    CachekitEndpoint cachekitEndpoint(
            Cache cache, NamespaceRegistry namespaces, ObjectProvider<HttpResponseCache> responses) {
        return new CachekitEndpoint(cache, namespaces, responses::getIfAvailable);
    }
}
