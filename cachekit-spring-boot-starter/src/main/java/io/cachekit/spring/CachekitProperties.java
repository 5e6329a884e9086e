package io.cachekit.spring;

import io.cachekit.CachekitConfig;
import io.cachekit.ErrorPolicy;
import io.cachekit.http.ResponseCachePolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

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

    private final Http http = new Http();

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

    public Http getHttp() {
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

    /** HTTP response caching (servlet web applications with Spring MVC). */
    public static class Http {
        /** Whether to register the response caching filter. */
        private boolean enabled = true;

        /** The namespace that holds cached responses. */
        private String namespace = "http";

        /**
         * Path patterns (Spring PathPattern syntax, such as /api/** or /weather/{city}) whose responses are
         * cached with the settings below; controller methods annotated @CachedResponse are cached as well.
         */
        private List<String> paths = new ArrayList<>();

        /**
         * Path patterns whose POST requests are cached, keyed by their body's SHA-256 and content type: for
         * endpoints that only read (a search, a GraphQL query). Other POSTs are never cached.
         */
        private List<String> postPaths = new ArrayList<>();

        /** The request methods whose responses are cached: GET and HEAD, or one of them. */
        private List<String> methods = new ArrayList<>(List.of("GET", "HEAD"));

        /**
         * The longest time responses are fresh, unless @CachedResponse says otherwise; a handler's own
         * s-maxage, max-age or Expires may shorten it.
         */
        private Duration ttl = Duration.ofSeconds(60);

        /**
         * How long after it stops being fresh a response may be served while one request refreshes it in the
         * background (RFC 5861 stale-while-revalidate); 0 for not at all.
         */
        private Duration staleWhileRevalidate = Duration.ZERO;

        /**
         * How long after it stops being fresh a response may be served when the handler throws or answers 5xx
         * (RFC 5861 stale-if-error); 0 for not at all.
         */
        private Duration staleIfError = Duration.ZERO;

        /** Request headers whose values select different responses, such as Accept-Language. */
        private List<String> varyHeaders = new ArrayList<>();

        /**
         * The request header that identifies the user (such as Authorization): each value gets its own entries,
         * keyed by its SHA-256. Empty for shared entries.
         */
        private String perUserHeader = "";

        /**
         * Request headers that identify a user; requests carrying one that is not the per-user header or a Vary
         * header are not cached, so no user is served another's response.
         */
        private List<String> identityHeaders = new ArrayList<>(List.of("Authorization", "Cookie"));

        /** The largest response body that is cached; larger ones stream through. */
        private DataSize maxBodySize = DataSize.ofMegabytes(1);

        /**
         * What client Cache-Control no-store and no-cache do: honor (no-store bypasses the cache, no-cache
         * refreshes it, coalesced per response) or ignore.
         */
        private ResponseCachePolicy.RequestCacheControl requestCacheControl =
                ResponseCachePolicy.RequestCacheControl.HONOR;

        /**
         * Whether the scheme and host the client addressed are part of the key, so that an application that
         * answers per host (per tenant) never serves one host's response to another.
         */
        private boolean keyIncludesHost = true;

        /** Whether compressible cached responses are also sent gzip-coded to clients that accept it. */
        private boolean compression = true;

        /** The smallest cached body that is compressed. */
        private DataSize compressionMinSize = DataSize.ofKilobytes(1);

        /**
         * A response header from which the handler's tags (surrogate keys, separated by commas or spaces) are
         * read, such as Surrogate-Key or Cache-Tag; it is removed before the response leaves. Empty for none.
         */
        private String tagHeader = "";

        /** The order of the filter; it should come after authentication and authorization filters. */
        private int filterOrder = 0;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public String getNamespace() {
            return namespace;
        }

        public void setNamespace(String namespace) {
            this.namespace = namespace;
        }

        public List<String> getPaths() {
            return paths;
        }

        public void setPaths(List<String> paths) {
            this.paths = paths;
        }

        public List<String> getMethods() {
            return methods;
        }

        public void setMethods(List<String> methods) {
            this.methods = methods;
        }

        public Duration getTtl() {
            return ttl;
        }

        public void setTtl(Duration ttl) {
            this.ttl = ttl;
        }

        public List<String> getVaryHeaders() {
            return varyHeaders;
        }

        public void setVaryHeaders(List<String> varyHeaders) {
            this.varyHeaders = varyHeaders;
        }

        public String getPerUserHeader() {
            return perUserHeader;
        }

        public void setPerUserHeader(String perUserHeader) {
            this.perUserHeader = perUserHeader;
        }

        public List<String> getIdentityHeaders() {
            return identityHeaders;
        }

        public void setIdentityHeaders(List<String> identityHeaders) {
            this.identityHeaders = identityHeaders;
        }

        public DataSize getMaxBodySize() {
            return maxBodySize;
        }

        public void setMaxBodySize(DataSize maxBodySize) {
            this.maxBodySize = maxBodySize;
        }

        public List<String> getPostPaths() {
            return postPaths;
        }

        public void setPostPaths(List<String> postPaths) {
            this.postPaths = postPaths;
        }

        public Duration getStaleWhileRevalidate() {
            return staleWhileRevalidate;
        }

        public void setStaleWhileRevalidate(Duration staleWhileRevalidate) {
            this.staleWhileRevalidate = staleWhileRevalidate;
        }

        public Duration getStaleIfError() {
            return staleIfError;
        }

        public void setStaleIfError(Duration staleIfError) {
            this.staleIfError = staleIfError;
        }

        public ResponseCachePolicy.RequestCacheControl getRequestCacheControl() {
            return requestCacheControl;
        }

        public void setRequestCacheControl(ResponseCachePolicy.RequestCacheControl requestCacheControl) {
            this.requestCacheControl = requestCacheControl;
        }

        public boolean isKeyIncludesHost() {
            return keyIncludesHost;
        }

        public void setKeyIncludesHost(boolean keyIncludesHost) {
            this.keyIncludesHost = keyIncludesHost;
        }

        public boolean isCompression() {
            return compression;
        }

        public void setCompression(boolean compression) {
            this.compression = compression;
        }

        public DataSize getCompressionMinSize() {
            return compressionMinSize;
        }

        public void setCompressionMinSize(DataSize compressionMinSize) {
            this.compressionMinSize = compressionMinSize;
        }

        public String getTagHeader() {
            return tagHeader;
        }

        public void setTagHeader(String tagHeader) {
            this.tagHeader = tagHeader;
        }

        public int getFilterOrder() {
            return filterOrder;
        }

        public void setFilterOrder(int filterOrder) {
            this.filterOrder = filterOrder;
        }

        /**
         * The response caching policy these properties describe.
         *
         * @throws IllegalArgumentException naming the property whose value is invalid
         */
        public ResponseCachePolicy toPolicy() {
            ResponseCachePolicy.Builder builder = ResponseCachePolicy.builder();
            apply("cachekit.http.methods", () -> builder.methods(methods));
            apply("cachekit.http.ttl", () -> builder.ttl(ttl));
            apply("cachekit.http.vary-headers", () -> builder.varyHeaders(varyHeaders));
            apply("cachekit.http.per-user-header", () -> builder.perUserHeader(perUserHeader));
            apply("cachekit.http.identity-headers", () -> builder.identityHeaders(identityHeaders));
            apply("cachekit.http.max-body-size", () -> builder.maxBodyBytes(maxBodySize.toBytes()));
            apply("cachekit.http.stale-while-revalidate", () -> builder.staleWhileRevalidate(staleWhileRevalidate));
            apply("cachekit.http.stale-if-error", () -> builder.staleIfError(staleIfError));
            apply("cachekit.http.request-cache-control", () -> builder.requestCacheControl(requestCacheControl));
            apply(
                    "cachekit.http.compression-min-size",
                    () -> builder.compressionMinBytes(compressionMinSize.toBytes()));
            apply("cachekit.http.tag-header", () -> builder.tagHeader(tagHeader));
            builder.keyIncludesHost(keyIncludesHost);
            builder.compression(compression);
            return builder.build();
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
