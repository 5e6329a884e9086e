package io.cachekit.spring;

import io.cachekit.BackendStatus;
import io.cachekit.Cache;
import io.cachekit.CacheStats;
import io.cachekit.CachekitConfig;
import io.cachekit.http.HttpResponseCache;
import io.cachekit.spi.CacheBackend;
import io.cachekit.spring.internal.NamespaceRegistry;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * The {@code cachekit} actuator endpoint: {@code GET /actuator/cachekit} lists the namespaces this
 * application has used with their counters and, under {@code tags}, where tag versions are kept; {@code GET
 * /actuator/cachekit/{namespace}} shows one namespace (404 for a namespace not used here); {@code DELETE
 * /actuator/cachekit/{namespace}} clears one (any valid namespace; 400 for an invalid name); {@code DELETE
 * /actuator/cachekit/tags/{tag}} invalidates a tag, in every namespace and instance (400 for an invalid tag; the
 * rest of the path is the tag, so {@code tags/user:42} is the tag {@code user:42} and {@code tags/a/b} the tag
 * {@code a/b}); {@code DELETE /actuator/cachekit?url=/items/7} purges every stored HTTP response of a URL (every
 * host, user and variant; 400 for something that is not a URL with a path, or when response caching is off).
 *
 * <p>Counters are this process's, since it started. Expose it like any endpoint ({@code
 * management.endpoints.web.exposure.include=cachekit}) and secure it: clearing and invalidating are writes.
 * Thread-safe.
 */
@Endpoint(id = "cachekit")
public class CachekitEndpoint {
    private final Cache cache;
    private final NamespaceRegistry namespaces;
    private final Supplier<HttpResponseCache> responses;

    /** The endpoint of an application without response caching. */
    public CachekitEndpoint(Cache cache, NamespaceRegistry namespaces) {
        this(cache, namespaces, () -> null);
    }

    /**
     * @param responses the response cache, or a supplier of null when response caching is off
     */
    public CachekitEndpoint(Cache cache, NamespaceRegistry namespaces, Supplier<HttpResponseCache> responses) {
        this.cache = Objects.requireNonNull(cache, "cache");
        this.namespaces = Objects.requireNonNull(namespaces, "namespaces");
        this.responses = Objects.requireNonNull(responses, "responses");
    }

    /** The backend, its state and every used namespace with its counters. */
    @ReadOperation
    public CachekitReport report() {
        Map<String, NamespaceReport> stats = new LinkedHashMap<>();
        for (String namespace : namespaces.namespaces()) {
            stats.put(
                    namespace, NamespaceReport.of(cache.withNamespace(namespace).stats()));
        }
        CachekitConfig config = cache.config();
        String tagNamespace = config.keyPrefix().isEmpty()
                ? CachekitConfig.TAGS_NAMESPACE
                : config.keyPrefix() + "/" + CachekitConfig.TAGS_NAMESPACE;
        return new CachekitReport(
                backendName(),
                cache.backendStatus(),
                config.enabled(),
                stats,
                new TagsReport(tagNamespace, config.tagVersionCache()));
    }

    /** The counters of one namespace, or {@code null} (404) for one the application has not used. */
    @ReadOperation
    public @Nullable NamespaceReport namespace(@Selector String namespace) {
        if (!namespaces.contains(namespace)) {
            return null;
        }
        return NamespaceReport.of(cache.withNamespace(namespace).stats());
    }

    /** Clears one namespace. */
    @DeleteOperation
    public void clear(@Selector String namespace) {
        Cache target;
        try {
            target = cache.withNamespace(namespace);
        } catch (IllegalArgumentException e) {
            throw new InvalidEndpointRequestException(e.getMessage(), "Invalid namespace");
        }
        target.clear();
    }

    /**
     * {@code DELETE /actuator/cachekit/tags/{tag}}: invalidates the tag (see {@link Cache#invalidateTags}).
     *
     * @param section must be {@code tags}
     * @param tag the path after {@code tags/}, which is the tag
     */
    @DeleteOperation
    public void invalidateTag(@Selector String section, @Selector(match = Selector.Match.ALL_REMAINING) String[] tag) {
        if (!"tags".equals(section)) {
            throw new InvalidEndpointRequestException(
                    "No section '" + section + "': DELETE /actuator/cachekit/tags/{tag} invalidates a tag",
                    "Unknown section");
        }
        try {
            cache.invalidateTags(String.join("/", tag));
        } catch (IllegalArgumentException e) {
            throw new InvalidEndpointRequestException(e.getMessage(), "Invalid tag");
        }
    }

    /**
     * Purges every stored response of {@code url}: a path with its query as clients send it ({@code
     * /items/7?lang=en}), or an absolute URL, whose host is ignored.
     *
     * @throws InvalidEndpointRequestException (400) for something that is not a URL with a path, or when
     *     response caching is off
     */
    @DeleteOperation
    public void purge(String url) {
        HttpResponseCache responseCache = responses.get();
        if (responseCache == null) {
            throw new InvalidEndpointRequestException(
                    "HTTP response caching is not enabled in this application", "Response caching is off");
        }
        try {
            responseCache.purge(url);
        } catch (IllegalArgumentException e) {
            throw new InvalidEndpointRequestException(e.getMessage(), "Invalid URL");
        }
    }

    private String backendName() {
        try {
            return cache.unwrap(CacheBackend.class).name();
        } catch (IllegalArgumentException e) {
            return "unknown"; // a Cache bean the application made without a Cachekit backend
        }
    }

    /**
     * The endpoint's answer.
     *
     * @param backend the backend's name, such as {@code memory} or {@code redis}
     * @param backendStatus the store's state: connecting, up, or failing fast behind an open breaker
     * @param enabled whether caching is on
     * @param namespaces each namespace's counters, by name
     * @param tags where tag versions are kept, and for how long this instance may keep copies of them
     */
    public record CachekitReport(
            String backend,
            BackendStatus backendStatus,
            boolean enabled,
            Map<String, NamespaceReport> namespaces,
            TagsReport tags) {}

    /**
     * Tags: {@code DELETE /actuator/cachekit/tags/{tag}} invalidates one.
     *
     * @param namespace the reserved namespace of tag versions in the store (shared by every namespace of the key
     *     prefix)
     * @param versionCache how long this instance may keep versions it read ({@code cachekit.tag-version-cache}),
     *     null when it reads them on every tagged read
     */
    public record TagsReport(String namespace, Duration versionCache) {}

    /** The counters of one namespace; see {@link CacheStats}. */
    public record NamespaceReport(
            long hits,
            long misses,
            double hitRate,
            long puts,
            long evictions,
            long errors,
            long corruptEntries,
            long loads,
            long loadFailures) {

        static NamespaceReport of(CacheStats s) {
            return new NamespaceReport(
                    s.hits(),
                    s.misses(),
                    s.hitRate(),
                    s.puts(),
                    s.evictions(),
                    s.errors(),
                    s.corruptEntries(),
                    s.loads(),
                    s.loadFailures());
        }
    }
}
