package io.cachekit.http;

import io.cachekit.http.internal.CacheControl;
import io.cachekit.http.internal.Compression;
import io.cachekit.http.internal.EntityTags;
import io.cachekit.http.internal.RequestKeys;
import io.cachekit.http.internal.UrlRecord;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * What response caching does with one request, as decided by {@link HttpResponseCache#plan}. Immutable; used
 * by the threads that handle its request, one at a time.
 */
public final class RequestPlan {

    /** The four ways a request is handled. */
    public enum Mode {
        /**
         * Not cacheable (an unsafe method, a range, an unkeyed identity header, a {@code POST} whose body could
         * not be read): the cache is not involved.
         */
        PASS,
        /** The client sent {@code Cache-Control: no-store}: the handler answers; nothing is read or stored. */
        BYPASS,
        /**
         * The client sent {@code Cache-Control: no-cache}: the handler answers (once for concurrent refreshes of
         * the same variant) and its response is stored.
         */
        REFRESH,
        /** Served from the cache when stored; otherwise the handler answers and its response is stored. */
        LOOKUP
    }

    private final Mode mode;
    private final ResponseCachePolicy policy;
    private final String method;
    private final String urlKey;
    private final RequestKeys.Variant variant;
    private final HttpRequestView request;
    private final List<String> ifNoneMatch;
    private final boolean acceptsGzip;

    RequestPlan(
            Mode mode,
            ResponseCachePolicy policy,
            String method,
            String urlKey,
            RequestKeys.Variant variant,
            HttpRequestView request,
            List<String> ifNoneMatch,
            boolean acceptsGzip) {
        this.mode = Objects.requireNonNull(mode, "mode");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.method = Objects.requireNonNull(method, "method");
        this.urlKey = urlKey;
        this.variant = variant;
        this.request = request;
        this.ifNoneMatch = List.copyOf(ifNoneMatch);
        this.acceptsGzip = acceptsGzip;
    }

    /** How {@code request} is handled under {@code policy}; every request passes while caching is disabled. */
    static RequestPlan of(HttpRequestView request, ResponseCachePolicy policy, boolean enabled) {
        String method = request.method().toUpperCase(Locale.ROOT);
        boolean post = method.equals("POST") && policy.cachePost();
        if (!enabled
                || !(policy.methods().contains(method) || post)
                || !request.headers("Range").isEmpty()) {
            return pass(policy, method);
        }
        for (String header : policy.unkeyedIdentityHeaders()) {
            if (!request.headers(header).isEmpty()) {
                return pass(policy, method);
            }
        }
        byte[] body = post ? request.body() : null;
        if (post && body == null) {
            return pass(policy, method);
        }
        RequestPlan.Mode mode = RequestPlan.Mode.LOOKUP;
        if (policy.requestCacheControl() == ResponseCachePolicy.RequestCacheControl.HONOR) {
            List<String> cacheControl = request.headers("Cache-Control");
            CacheControl directives = CacheControl.parse(cacheControl);
            if (directives.noStore()) {
                mode = RequestPlan.Mode.BYPASS;
            } else if (directives.noCache()
                    || (cacheControl.isEmpty()
                            && CacheControl.parse(request.headers("Pragma")).noCache())) {
                mode = RequestPlan.Mode.REFRESH;
            }
        }
        Map<String, List<String>> vary = new LinkedHashMap<>();
        for (String name : policy.varyHeaders()) {
            vary.put(name, request.headers(name));
        }
        String user = null;
        if (policy.perUserHeader() != null) {
            List<String> values = request.headers(policy.perUserHeader());
            user = values.isEmpty() ? null : String.join("\n", values);
        }
        List<String> contentType = request.headers("Content-Type");
        RequestKeys.Variant variant = new RequestKeys.Variant(
                policy.keyIncludesHost() ? RequestKeys.origin(request.scheme(), request.host()) : null,
                post ? "POST" : "GET",
                post && !contentType.isEmpty() ? contentType.get(0).trim() : null,
                post ? EntityTags.sha256(body) : null,
                vary,
                user);
        return new RequestPlan(
                mode,
                policy,
                method,
                RequestKeys.urlKey(request.path(), request.rawQuery()),
                variant,
                request,
                post ? List.of() : request.headers("If-None-Match"),
                policy.compression() && Compression.acceptsGzip(request.headers("Accept-Encoding")));
    }

    private static RequestPlan pass(ResponseCachePolicy policy, String method) {
        return new RequestPlan(Mode.PASS, policy, method, null, null, null, List.of(), false);
    }

    /** How the request is handled. */
    public Mode mode() {
        return mode;
    }

    /** The policy the request is handled under. */
    public ResponseCachePolicy policy() {
        return policy;
    }

    /** The request method, upper case. */
    public String method() {
        return method;
    }

    /** The key of the URL's record, which leads to every stored response of the URL; null in {@link Mode#PASS}. */
    public String urlKey() {
        return urlKey;
    }

    /**
     * Whether a response produced for this request may be stored: in {@link Mode#LOOKUP} and {@link
     * Mode#REFRESH}.
     */
    public boolean storesResponse() {
        return mode == Mode.LOOKUP || mode == Mode.REFRESH;
    }

    /**
     * Whether the handler is to run as for a {@code GET}: a {@code HEAD} that may store a response fills the
     * {@code GET} entry, so that concurrent {@code HEAD}s and {@code GET}s of a cold key run the handler once.
     */
    public boolean runsAsGet() {
        return method.equals("HEAD") && storesResponse();
    }

    /** Whether the key includes the per-user header's value, so responses go out as {@code private}. */
    public boolean perUser() {
        return variant != null && variant.user() != null;
    }

    /** The request's {@code If-None-Match} values for {@code GET} and {@code HEAD}; empty otherwise. */
    public List<String> ifNoneMatch() {
        return ifNoneMatch;
    }

    /** Whether the client accepts the gzip coding. */
    public boolean acceptsGzip() {
        return acceptsGzip;
    }

    /** Whether the body is left out of replies ({@code HEAD}). */
    public boolean headOnly() {
        return method.equals("HEAD");
    }

    /** The key of this request's stored response under a URL record, or under none (never stored under it). */
    String variantKey(UrlRecord record) {
        return record == null
                ? RequestKeys.variantKey("-", variant, List.of(), request::headers)
                : RequestKeys.variantKey(record.token(), variant, record.varyNames(), request::headers);
    }

    /**
     * The key under which requests for the same response are coalesced: the URL and the variant, without the
     * record's token, so that a request that finds the record its leader just created joins that leader.
     */
    String flightKey(UrlRecord record) {
        List<String> vary = record == null ? List.of() : record.varyNames();
        return urlKey + " " + RequestKeys.variantKey("-", variant, vary, request::headers);
    }

    @Override
    public String toString() {
        return "RequestPlan{" + mode + " " + method + (urlKey == null ? "" : " " + urlKey) + "}";
    }
}
