package io.cachekit.spring;

import io.cachekit.http.ResponseCachePolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.util.unit.DataSize;

/**
 * The {@code cachekit.http.*} properties: HTTP response caching (servlet web applications with Spring MVC).
 *
 * <p>Bound by Spring Boot once at startup, as part of {@link CachekitProperties}; read by the auto-configuration
 * only while the context starts, so it is not shared between threads.
 */
public class CachekitHttpProperties {
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
    private ResponseCachePolicy.RequestCacheControl requestCacheControl = ResponseCachePolicy.RequestCacheControl.HONOR;

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
        CachekitProperties.apply("cachekit.http.methods", () -> builder.methods(methods));
        CachekitProperties.apply("cachekit.http.ttl", () -> builder.ttl(ttl));
        CachekitProperties.apply("cachekit.http.vary-headers", () -> builder.varyHeaders(varyHeaders));
        CachekitProperties.apply("cachekit.http.per-user-header", () -> builder.perUserHeader(perUserHeader));
        CachekitProperties.apply("cachekit.http.identity-headers", () -> builder.identityHeaders(identityHeaders));
        CachekitProperties.apply("cachekit.http.max-body-size", () -> builder.maxBodyBytes(maxBodySize.toBytes()));
        CachekitProperties.apply(
                "cachekit.http.stale-while-revalidate", () -> builder.staleWhileRevalidate(staleWhileRevalidate));
        CachekitProperties.apply("cachekit.http.stale-if-error", () -> builder.staleIfError(staleIfError));
        CachekitProperties.apply(
                "cachekit.http.request-cache-control", () -> builder.requestCacheControl(requestCacheControl));
        CachekitProperties.apply(
                "cachekit.http.compression-min-size", () -> builder.compressionMinBytes(compressionMinSize.toBytes()));
        CachekitProperties.apply("cachekit.http.tag-header", () -> builder.tagHeader(tagHeader));
        builder.keyIncludesHost(keyIncludesHost);
        builder.compression(compression);
        return builder.build();
    }
}
