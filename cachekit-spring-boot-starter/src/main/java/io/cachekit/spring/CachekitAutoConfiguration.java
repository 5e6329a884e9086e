package io.cachekit.spring;

import io.cachekit.Cache;
import io.cachekit.Cachekit;
import io.cachekit.CachekitConfig;
import io.cachekit.spring.internal.NamespaceRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * Creates the {@link Cache} bean from the {@code cachekit.*} properties (the Python original's {@code
 * get_cache()}): inject it anywhere. It is closed, with its backend, when the context closes.
 *
 * <p>Backs off when the application defines its own {@link CachekitConfig} or {@link Cache} bean. With
 * Micrometer and a {@code MeterRegistry} bean, every namespace publishes its counters and latencies there.
 */
@AutoConfiguration(
        afterName = {
            "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
            "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
            "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration"
        })
@EnableConfigurationProperties(CachekitProperties.class)
public final class CachekitAutoConfiguration {

    /** The configuration: the properties, then every {@link CachekitConfigCustomizer} in order. */
    @Bean
    @ConditionalOnMissingBean
    CachekitConfig cachekitConfig(CachekitProperties properties, ObjectProvider<CachekitConfigCustomizer> customizers) {
        CachekitConfig.Builder builder = properties.toConfigBuilder();
        customizers.orderedStream().forEach(c -> c.customize(builder));
        return builder.build();
    }

    /** The cache of the configured backend and namespace. */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    Cache cachekitCache(CachekitConfig config) {
        return Cachekit.create(config);
    }

    /** The namespaces the application uses, for the actuator endpoint. */
    @Bean
    @ConditionalOnMissingBean
    NamespaceRegistry cachekitNamespaceRegistry(Cache cache) {
        NamespaceRegistry registry = new NamespaceRegistry();
        registry.add(cache.namespace());
        return registry;
    }

    /** Publishes Cachekit's meters to the application's registry rather than Micrometer's global one. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(MeterRegistry.class)
    @ConditionalOnBean(MeterRegistry.class)
    static class MetricsConfiguration {
        @Bean
        @Order(Ordered.HIGHEST_PRECEDENCE)
        CachekitConfigCustomizer cachekitMeterRegistryCustomizer(ObjectProvider<MeterRegistry> registry) {
            return builder -> registry.ifAvailable(builder::meterRegistry);
        }
    }
}
