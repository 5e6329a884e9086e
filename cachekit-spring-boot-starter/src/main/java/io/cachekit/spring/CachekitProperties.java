package io.cachekit.spring;

import io.cachekit.CachekitConfig;
import io.cachekit.ErrorPolicy;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;

/**
 * The {@code cachekit.*} properties: which backend and namespace the {@link io.cachekit.Cache} bean uses, its
 * defaults and error policies, the Spring {@code CacheManager} bridge, and HTTP response caching.
 *
 * <p>Bound by Spring Boot once at startup; read by the auto-configuration only while the context starts, so
 * it is not shared between threads. Invalid values fail the startup with the property's name.
 */
@ConfigurationProperties("cachekit")
public class CachekitProperties {

    /**
     * The backend URI: memory://, or one of the backends on the class path, such as
     * redis://localhost:6379/0 or postgresql://localhost:5432/app. The query may hold the backend's
     * options. Credentials in it are never logged.
     */
    private String backend = "memory://";

    /** The namespace of the Cache bean and of @Cached methods that name none. */
    private String namespace = "default";

    /** A prefix before every namespace, to share one store between applications; empty for none. */
    private String prefix = "";

    /** The TTL of writes that give none: a duration such as 30s, 5m, 2h, 1d, or 'never'. */
    private String ttl = "1h";

    /** Whether caching is on; when off every read misses and every cached method runs. */
    private boolean enabled = true;

    /** The longest one backend operation may take before it fails as a timeout. */
    private Duration timeout = Duration.ofSeconds(2);

    /** How long a caller waits for another caller's load of the same key before loading itself. */
    private Duration loadTimeout = Duration.ofSeconds(30);

    /** What a backend failure does to a direct call of the Cache bean: throw or fail-open. */
    private ErrorPolicy errorPolicy = ErrorPolicy.THROW;

    /**
     * What a backend failure does to method caching (@Cached, the Spring cache bridge): fail-open answers from
     * the method and counts the error; throw hands it to the caller (or to Spring's CacheErrorHandler).
     */
    private ErrorPolicy methodErrorPolicy = ErrorPolicy.FAIL_OPEN;

    /**
     * lazy: the application starts while the store is unreachable and connects in the background; eager:
     * startup waits for the store and fails without it.
     */
    private String connect = "lazy";

    /** Whether a remote store sits behind a circuit breaker that fails calls at once after repeated failures. */
    private boolean breaker = true;

    /** How long an open circuit breaker fails calls at once before it lets probe calls through. */
    private Duration breakerCoolOff = Duration.ofSeconds(5);

    /** Calls the circuit breaker sees before it may open; it opens when half of the recent ones failed. */
    private int breakerMinimumCalls = 10;

    /**
     * How long this application may keep the versions of tags it read (such as 500ms) before reading them again;
     * unset, every read of a tagged entry reads them from the store. Within it, an invalidation made by another
     * instance may go unseen here.
     */
    private Duration tagVersionCache;

    private final CacheManager cacheManager = new CacheManager();

    @NestedConfigurationProperty
    private final CachekitHttpProperties http = new CachekitHttpProperties();

    private final MethodCaching methodCaching = new MethodCaching();

    public String getBackend() {
        return backend;
    }

    public void setBackend(String backend) {
        this.backend = backend;
    }

    public String getNamespace() {
        return namespace;
    }

    public void setNamespace(String namespace) {
        this.namespace = namespace;
    }

    public String getPrefix() {
        return prefix;
    }

    public void setPrefix(String prefix) {
        this.prefix = prefix;
    }

    public String getTtl() {
        return ttl;
    }

    public void setTtl(String ttl) {
        this.ttl = ttl;
    }

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public Duration getTimeout() {
        return timeout;
    }

    public void setTimeout(Duration timeout) {
        this.timeout = timeout;
    }

    public Duration getLoadTimeout() {
        return loadTimeout;
    }

    public void setLoadTimeout(Duration loadTimeout) {
        this.loadTimeout = loadTimeout;
    }

    public ErrorPolicy getErrorPolicy() {
        return errorPolicy;
    }

    public void setErrorPolicy(ErrorPolicy errorPolicy) {
        this.errorPolicy = errorPolicy;
    }

    public ErrorPolicy getMethodErrorPolicy() {
        return methodErrorPolicy;
    }

    public void setMethodErrorPolicy(ErrorPolicy methodErrorPolicy) {
        this.methodErrorPolicy = methodErrorPolicy;
    }

    public String getConnect() {
        return connect;
    }

    public void setConnect(String connect) {
        this.connect = connect;
    }

    public boolean isBreaker() {
        return breaker;
    }

    public void setBreaker(boolean breaker) {
        this.breaker = breaker;
    }

    public Duration getBreakerCoolOff() {
        return breakerCoolOff;
    }

    public void setBreakerCoolOff(Duration breakerCoolOff) {
        this.breakerCoolOff = breakerCoolOff;
    }

    public int getBreakerMinimumCalls() {
        return breakerMinimumCalls;
    }

    public void setBreakerMinimumCalls(int breakerMinimumCalls) {
        this.breakerMinimumCalls = breakerMinimumCalls;
    }

    public Duration getTagVersionCache() {
        return tagVersionCache;
    }

    public void setTagVersionCache(Duration tagVersionCache) {
        this.tagVersionCache = tagVersionCache;
    }

    public CacheManager getCacheManager() {
        return cacheManager;
    }

    public CachekitHttpProperties getHttp() {
        return http;
    }

    public MethodCaching getMethodCaching() {
        return methodCaching;
    }

    /**
     * The configuration these properties describe, before customizers.
     *
     * @throws IllegalArgumentException naming the property whose value is invalid
     */
    public CachekitConfig.Builder toConfigBuilder() {
        CachekitConfig.Builder builder = CachekitConfig.builder();
        apply("cachekit.backend", () -> builder.backend(backend));
        apply("cachekit.namespace", () -> builder.namespace(namespace));
        apply("cachekit.prefix", () -> builder.keyPrefix(prefix == null ? "" : prefix));
        apply("cachekit.ttl", () -> builder.defaultTtl(CachekitConfig.parseTtl(ttl)));
        apply("cachekit.timeout", () -> builder.operationTimeout(timeout));
        apply("cachekit.load-timeout", () -> builder.loadTimeout(loadTimeout));
        apply("cachekit.error-policy", () -> builder.errorPolicy(errorPolicy));
        apply("cachekit.method-error-policy", () -> builder.methodErrorPolicy(methodErrorPolicy));
        apply("cachekit.connect", () -> builder.properties(java.util.Map.of("connect", connect)));
        apply("cachekit.breaker-cool-off", () -> builder.breakerCoolOff(breakerCoolOff));
        apply("cachekit.breaker-minimum-calls", () -> builder.breakerMinimumCalls(breakerMinimumCalls));
        apply("cachekit.tag-version-cache", () -> builder.tagVersionCache(tagVersionCache));
        builder.circuitBreaker(breaker);
        builder.enabled(enabled);
        return builder;
    }

    static void apply(String property, Runnable setter) {
        try {
            setter.run();
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("Invalid " + property + ": " + e.getMessage(), e);
        }
    }

    /** The Spring {@code CacheManager} bridge: {@code @Cacheable} and friends on Cachekit. */
    public static class CacheManager {
        /**
         * Whether to provide a CacheManager on Cachekit when the application enables Spring caching
         * (@EnableCaching) and defines no CacheManager of its own.
         */
        private boolean enabled = true;

        /** The TTL of each Spring cache by name, such as cachekit.cache-manager.ttl.users=10m; others use cachekit.ttl. */
        private Map<String, String> ttl = new LinkedHashMap<>();

        /**
         * The tags of every entry of a Spring cache by name, such as cachekit.cache-manager.tags.users=users,people;
         * Cache.invalidateTags (or DELETE /actuator/cachekit/tags/users) then invalidates them all, with every other
         * entry carrying the tag.
         */
        private Map<String, List<String>> tags = new LinkedHashMap<>();

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public Map<String, String> getTtl() {
            return ttl;
        }

        public void setTtl(Map<String, String> ttl) {
            this.ttl = ttl;
        }

        public Map<String, List<String>> getTags() {
            return tags;
        }

        public void setTags(Map<String, List<String>> tags) {
            this.tags = tags;
        }
    }

    /** The {@code @Cached}/{@code @CacheEvict} advisor on Spring beans. */
    public static class MethodCaching {
        /** The default {@link #getOrder() order}: just before Spring's transaction and cache advisors' default. */
        public static final int DEFAULT_ORDER = org.springframework.core.Ordered.LOWEST_PRECEDENCE - 1;

        /**
         * Order of the advisor among the advice of a bean: lower runs first, outside the others. The default runs
         * it outside @Transactional (and Spring's @Cacheable) at their default order: a hit starts no
         * transaction, and a value is cached only after its transaction committed. Set it above the
         * transaction advisor's order to cache inside the transaction instead.
         */
        private int order = DEFAULT_ORDER;

        public int getOrder() {
            return order;
        }

        public void setOrder(int order) {
            this.order = order;
        }
    }
}
