package io.cachekit.http;

import java.util.List;
import java.util.Objects;

/**
 * What response caching does with one request, as decided by {@link HttpResponseCache#plan}. Immutable and
 * thread-safe.
 */
public final class RequestPlan {

    /** The four ways a request is handled. */
    public enum Mode {
        /** Not cacheable (method, range, or an unkeyed identity header): the cache is not involved. */
        PASS,
        /** The client sent {@code Cache-Control: no-store}: the handler answers; nothing is read or stored. */
        BYPASS,
        /** The client sent {@code Cache-Control: no-cache}: the handler answers and its response is stored. */
        REFRESH,
        /** Served from the cache when stored; otherwise the handler answers and its response is stored. */
        LOOKUP
    }

    private final Mode mode;
    private final String key;
    private final ResponseCachePolicy policy;
    private final String method;
    private final boolean storesResponse;
    private final boolean perUser;
    private final List<String> ifNoneMatch;

    RequestPlan(
            Mode mode,
            String key,
            ResponseCachePolicy policy,
            String method,
            boolean storesResponse,
            boolean perUser,
            List<String> ifNoneMatch) {
        this.mode = Objects.requireNonNull(mode, "mode");
        this.key = key;
        this.policy = Objects.requireNonNull(policy, "policy");
        this.method = Objects.requireNonNull(method, "method");
        this.storesResponse = storesResponse;
        this.perUser = perUser;
        this.ifNoneMatch = List.copyOf(ifNoneMatch);
    }

    public Mode mode() {
        return mode;
    }

    /** The cache key, or null in {@link Mode#PASS}. */
    public String key() {
        return key;
    }

    public ResponseCachePolicy policy() {
        return policy;
    }

    /** The request method, upper case. */
    public String method() {
        return method;
    }

    /**
     * Whether a response produced for this request may be stored: false for {@link Mode#PASS} and {@link
     * Mode#BYPASS}, and for {@code HEAD}, which is answered from {@code GET} entries but never stores its own.
     */
    public boolean storesResponse() {
        return storesResponse;
    }

    /** Whether the key includes the per-user header's value, so responses go out as {@code private}. */
    public boolean perUser() {
        return perUser;
    }

    /** The request's {@code If-None-Match} values for {@code GET} and {@code HEAD}; empty otherwise. */
    public List<String> ifNoneMatch() {
        return ifNoneMatch;
    }

    /** Whether the body is left out of replies ({@code HEAD}). */
    public boolean headOnly() {
        return method.equals("HEAD");
    }

    @Override
    public String toString() {
        return "RequestPlan{" + mode + " " + method + (key == null ? "" : " " + key) + "}";
    }
}
