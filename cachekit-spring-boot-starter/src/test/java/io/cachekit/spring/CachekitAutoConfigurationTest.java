package io.cachekit.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.cachekit.Cache;
import io.cachekit.Cached;
import io.cachekit.Cachekit;
import io.cachekit.CachekitConfig;
import io.cachekit.ErrorPolicy;
import io.cachekit.Tags;
import io.cachekit.http.HttpResponseCache;
import io.cachekit.http.ResponseCacheFilter;
import io.cachekit.http.ResponseCachePolicy;
import io.cachekit.spring.internal.CachedMethodAdvisor;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.cache.CacheManager;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.cache.concurrent.ConcurrentMapCacheManager;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.config.annotation.EnableWebMvc;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/** What the auto-configuration creates, from which properties, and when it backs off. */
class CachekitAutoConfigurationTest {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(
                    CachekitAutoConfiguration.class,
                    CachekitCacheManagerAutoConfiguration.class,
                    CachekitMethodCachingAutoConfiguration.class,
                    CachekitHttpAutoConfiguration.class,
                    CachekitEndpointAutoConfiguration.class));

    @Test
    void defaultsGiveAnInMemoryCache() {
        runner.run(context -> {
            assertThat(context).hasSingleBean(Cache.class).hasSingleBean(CachedMethodAdvisor.class);
            CachekitConfig config = context.getBean(CachekitConfig.class);
            assertThat(config.backend()).isEqualTo("memory://");
            assertThat(config.namespace()).isEqualTo("default");
            assertThat(config.defaultTtl()).isEqualTo(Duration.ofHours(1));
            assertThat(config.errorPolicy()).isEqualTo(ErrorPolicy.THROW);
            assertThat(config.methodErrorPolicy()).isEqualTo(ErrorPolicy.FAIL_OPEN);
            assertThat(context).doesNotHaveBean(CacheManager.class);
            assertThat(context).doesNotHaveBean(FilterRegistrationBean.class);
        });
    }

    @Test
    void propertiesReachTheConfiguration() {
        runner.withPropertyValues(
                        "cachekit.backend=memory://?maxSize=100",
                        "cachekit.namespace=orders",
                        "cachekit.prefix=shop",
                        "cachekit.ttl=5m",
                        "cachekit.enabled=false",
                        "cachekit.timeout=250ms",
                        "cachekit.error-policy=fail-open",
                        "cachekit.method-error-policy=throw")
                .run(context -> {
                    CachekitConfig config = context.getBean(CachekitConfig.class);
                    assertThat(config.backend()).isEqualTo("memory://?maxSize=100");
                    assertThat(config.namespace()).isEqualTo("orders");
                    assertThat(config.keyPrefix()).isEqualTo("shop");
                    assertThat(config.defaultTtl()).isEqualTo(Duration.ofMinutes(5));
                    assertThat(config.enabled()).isFalse();
                    assertThat(config.operationTimeout()).isEqualTo(Duration.ofMillis(250));
                    assertThat(config.errorPolicy()).isEqualTo(ErrorPolicy.FAIL_OPEN);
                    assertThat(config.methodErrorPolicy()).isEqualTo(ErrorPolicy.THROW);
                    assertThat(context.getBean(Cache.class).namespace()).isEqualTo("orders");
                });
    }

    @Test
    void neverMeansNoExpiry() {
        runner.withPropertyValues("cachekit.ttl=never")
                .run(context -> assertThat(context.getBean(CachekitConfig.class).defaultTtl())
                        .isEqualTo(Cache.NO_EXPIRY));
    }

    @Test
    void invalidValuesFailTheStartupNamingTheProperty() {
        runner.withPropertyValues("cachekit.ttl=0s").run(context -> assertThat(context)
                .hasFailed()
                .getFailure()
                .rootCause()
                .hasMessageContaining("TTL must be positive"));
        runner.withPropertyValues("cachekit.namespace=no spaces")
                .run(context -> assertThat(context).getFailure().hasStackTraceContaining("Invalid cachekit.namespace"));
        runner.withPropertyValues("cachekit.backend=nosuch://x")
                .run(context ->
                        assertThat(context).getFailure().hasStackTraceContaining("Unknown backend scheme 'nosuch'"));
    }

    @Test
    void customizersAdjustTheConfiguration() {
        runner.withBean(CachekitConfigCustomizer.class, () -> builder -> builder.namespace("custom"))
                .run(context ->
                        assertThat(context.getBean(Cache.class).namespace()).isEqualTo("custom"));
    }

    @Test
    void anApplicationCacheReplacesTheAutoConfiguredOne() {
        runner.withBean("myCache", Cache.class, () -> Cachekit.fromUri("memory://?namespace=mine"))
                .run(context -> {
                    assertThat(context).hasSingleBean(Cache.class);
                    assertThat(context.getBean(Cache.class).namespace()).isEqualTo("mine");
                });
    }

    @Test
    void theCacheIsClosedWithTheContext() {
        FailingBackendProvider.CREATED.clear();
        runner.withPropertyValues("cachekit.backend=failing://").run(context -> {
            assertThat(context).hasSingleBean(Cache.class);
            assertThat(FailingBackendProvider.CREATED).hasSize(1);
            assertThat(FailingBackendProvider.CREATED.get(0).isClosed()).isFalse();
        });
        assertThat(FailingBackendProvider.CREATED.get(0).isClosed()).isTrue();
    }

    @Test
    void springCachingGetsTheBridgeWhenEnabled() {
        runner.withUserConfiguration(CachingEnabled.class)
                .withPropertyValues("cachekit.cache-manager.ttl.users=10m", "cachekit.cache-manager.ttl.forever=never")
                .run(context -> {
                    CachekitCacheManager manager = context.getBean(CachekitCacheManager.class);
                    assertThat(manager.getCacheNames()).contains("users", "forever");
                    assertThat(manager.getCache("users").ttl()).isEqualTo(Duration.ofMinutes(10));
                    assertThat(manager.getCache("forever").ttl()).isEqualTo(Cache.NO_EXPIRY);
                    assertThat(manager.getCache("other").ttl()).isNull();
                });
    }

    @Test
    void tagPropertiesReachTheConfigurationAndTheBridge() {
        runner.withUserConfiguration(CachingEnabled.class)
                .withPropertyValues(
                        "cachekit.tag-version-cache=250ms",
                        "cachekit.cache-manager.tags.users=users,people",
                        "cachekit.cache-manager.tags.teams=teams")
                .run(context -> {
                    assertThat(context.getBean(CachekitConfig.class).tagVersionCache())
                            .isEqualTo(Duration.ofMillis(250));
                    CachekitCacheManager manager = context.getBean(CachekitCacheManager.class);
                    assertThat(manager.getCacheNames()).contains("users", "teams");
                    assertThat(manager.getCache("users").tags()).isEqualTo(Tags.of("users", "people"));
                    assertThat(manager.getCache("users").typed(String.class).tags())
                            .isEqualTo(Tags.of("users", "people"));
                    assertThat(manager.getCache("other").tags()).isEqualTo(Tags.none());
                });
        runner.withUserConfiguration(CachingEnabled.class)
                .withPropertyValues("cachekit.cache-manager.tags.users=ok,")
                .run(context ->
                        assertThat(context).getFailure().hasMessageContaining("cachekit.cache-manager.tags.users"));
    }

    @Test
    void theBridgeBacksOffForAnApplicationCacheManagerOrWhenDisabled() {
        runner.withUserConfiguration(CachingEnabled.class, OwnCacheManager.class)
                .run(context ->
                        assertThat(context.getBean(CacheManager.class)).isInstanceOf(ConcurrentMapCacheManager.class));
        runner.withUserConfiguration(CachingEnabled.class)
                .withPropertyValues("cachekit.cache-manager.enabled=false")
                // Spring's own complaint: caching is enabled and nothing (not Cachekit) provided a CacheManager.
                .run(context -> assertThat(context)
                        .getFailure()
                        .hasMessageContaining("No qualifying bean of type 'org.springframework.cache.CacheManager'"));
    }

    @Test
    void invalidCachedAnnotationsFailTheStartup() {
        runner.withBean(BadTtl.class).run(context -> assertThat(context)
                .hasFailed()
                .getFailure()
                .hasStackTraceContaining("BadTtl.value")
                .hasStackTraceContaining("invalid ttl"));
    }

    @Test
    void theFilterIsRegisteredInServletApplications() {
        new WebApplicationContextRunner()
                .withConfiguration(
                        AutoConfigurations.of(CachekitAutoConfiguration.class, CachekitHttpAutoConfiguration.class))
                .withPropertyValues("cachekit.http.paths=/api/**", "cachekit.http.ttl=90s")
                .run(context -> {
                    FilterRegistrationBean<?> registration = context.getBean(
                            CachekitHttpAutoConfiguration.FILTER_BEAN_NAME, FilterRegistrationBean.class);
                    assertThat(registration.getFilter()).isInstanceOf(ResponseCacheFilter.class);
                    assertThat(registration.isAsyncSupported()).isTrue();
                });
        new WebApplicationContextRunner()
                .withConfiguration(
                        AutoConfigurations.of(CachekitAutoConfiguration.class, CachekitHttpAutoConfiguration.class))
                .withPropertyValues("cachekit.http.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(FilterRegistrationBean.class));
        new WebApplicationContextRunner()
                .withConfiguration(
                        AutoConfigurations.of(CachekitAutoConfiguration.class, CachekitHttpAutoConfiguration.class))
                .withPropertyValues("cachekit.http.paths=/api/{*rest}/x")
                .run(context -> assertThat(context)
                        .getFailure()
                        .hasStackTraceContaining("Invalid cachekit.http.paths pattern"));
    }

    @Test
    void httpPropertiesReachThePolicy() {
        new WebApplicationContextRunner()
                .withConfiguration(
                        AutoConfigurations.of(CachekitAutoConfiguration.class, CachekitHttpAutoConfiguration.class))
                .withPropertyValues(
                        "cachekit.http.request-cache-control=ignore",
                        "cachekit.http.key-includes-host=false",
                        "cachekit.http.stale-while-revalidate=30s",
                        "cachekit.http.stale-if-error=10m",
                        "cachekit.http.compression=false",
                        "cachekit.http.compression-min-size=4KB",
                        "cachekit.http.tag-header=Surrogate-Key",
                        "cachekit.http.post-paths=/search/**")
                .run(context -> {
                    ResponseCachePolicy policy =
                            context.getBean(CachekitProperties.class).getHttp().toPolicy();
                    assertThat(policy.requestCacheControl()).isEqualTo(ResponseCachePolicy.RequestCacheControl.IGNORE);
                    assertThat(policy.keyIncludesHost()).isFalse();
                    assertThat(policy.staleWhileRevalidate()).isEqualTo(Duration.ofSeconds(30));
                    assertThat(policy.staleIfError()).isEqualTo(Duration.ofMinutes(10));
                    assertThat(policy.compression()).isFalse();
                    assertThat(policy.compressionMinBytes()).isEqualTo(4096);
                    assertThat(policy.tagHeader()).isEqualTo("surrogate-key");
                    assertThat(context).hasSingleBean(HttpResponseCache.class);
                });
        new WebApplicationContextRunner()
                .withConfiguration(
                        AutoConfigurations.of(CachekitAutoConfiguration.class, CachekitHttpAutoConfiguration.class))
                .withPropertyValues("cachekit.http.methods=GET,POST")
                .run(context ->
                        assertThat(context).getFailure().hasStackTraceContaining("Invalid cachekit.http.methods"));
    }

    @Test
    void aTagNamingNoPathVariableFailsTheStartup() {
        new WebApplicationContextRunner()
                .withConfiguration(
                        AutoConfigurations.of(CachekitAutoConfiguration.class, CachekitHttpAutoConfiguration.class))
                .withUserConfiguration(Mvc.class, BadTags.class)
                .run(context -> assertThat(context)
                        .hasFailed()
                        .getFailure()
                        .hasStackTraceContaining("BadTags.product")
                        .hasStackTraceContaining("names {productId}"));
    }

    @Configuration(proxyBeanMethods = false)
    @EnableWebMvc
    static class Mvc {}

    @RestController
    static class BadTags {
        @GetMapping("/products/{id}")
        @CachedResponse(tags = "product:{productId}")
        String product(@PathVariable String id) {
            return id;
        }
    }

    @Test
    void optionalLibrariesMayBeMissing() {
        new WebApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(
                        CachekitAutoConfiguration.class,
                        CachekitMethodCachingAutoConfiguration.class,
                        CachekitHttpAutoConfiguration.class,
                        CachekitEndpointAutoConfiguration.class))
                .withClassLoader(new FilteredClassLoader(
                        MeterRegistry.class, RequestMappingHandlerMapping.class, Endpoint.class))
                .run(context -> {
                    assertThat(context).hasNotFailed().hasSingleBean(Cache.class);
                    assertThat(context).doesNotHaveBean(FilterRegistrationBean.class);
                    assertThat(context).doesNotHaveBean(CachekitEndpoint.class);
                });
    }

    @Configuration(proxyBeanMethods = false)
    @EnableCaching
    static class CachingEnabled {}

    @Configuration(proxyBeanMethods = false)
    static class OwnCacheManager {
        @Bean
        CacheManager cacheManager() {
            return new ConcurrentMapCacheManager();
        }
    }

    static class BadTtl {
        @Cached(ttl = "-5s")
        public String value(String key) {
            return key;
        }
    }
}
