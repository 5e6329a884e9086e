package io.cachekit.http;

import io.cachekit.Cache;
import io.cachekit.CachekitConfig;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * What response caching applies to and how: methods, TTL and stale windows, body size limit, the request
 * headers that take part in the key, the header that makes entries per user, compression, and how client
 * directives and tags are read.
 *
 * <p>Defaults: methods {@code GET} and {@code HEAD}, {@code POST} not cached, TTL 60 seconds, no stale
 * windows, bodies up to 1 MiB, no Vary headers, no per-user header, identity headers {@code Authorization}
 * and {@code Cookie}, scheme and host in the key, request {@code Cache-Control} honoured, gzip for bodies of
 * 1 KiB and more, no tag header.
 *
 * <p>Immutable and thread-safe. Built with {@link #builder()}, whose setters reject invalid values at once
 * with an {@link IllegalArgumentException} or {@link NullPointerException}. Header names are kept in lower
 * case and compared without regard to case.
 */
public final class ResponseCachePolicy {
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final Set<String> CACHEABLE_METHODS = Set.of("GET", "HEAD");
    private static final ResponseCachePolicy DEFAULTS = builder().build();

    /** What the cache does with a client's {@code Cache-Control: no-store / no-cache} (and {@code Pragma}). */
    public enum RequestCacheControl {
        /** {@code no-store} bypasses the cache, {@code no-cache} refreshes the entry (coalesced per key). */
        HONOR,
        /** Client directives are ignored, so that clients cannot make requests reach the handler. */
        IGNORE
    }

    private final Set<String> methods;
    private final boolean cachePost;
    private final Duration ttl;
    private final Duration staleWhileRevalidate;
    private final Duration staleIfError;
    private final int maxBodyBytes;
    private final List<String> varyHeaders;
    private final String perUserHeader;
    private final Set<String> identityHeaders;
    /** The identity headers that are not keyed: a request carrying one passes (computed once, read per request). */
    private final List<String> unkeyedIdentityHeaders;
    /** The {@code Vary} of a response that names none of its own, uncompressed and compressed. */
    private final String varyValue;

    private final String varyValueCompressed;

    private final RequestCacheControl requestCacheControl;
    private final boolean keyIncludesHost;
    private final boolean compression;
    private final int compressionMinBytes;
    private final String tagHeader;

    private ResponseCachePolicy(Builder b) {
        this.methods = Set.copyOf(b.methods);
        this.cachePost = b.cachePost;
        this.ttl = b.ttl;
        this.staleWhileRevalidate = b.staleWhileRevalidate;
        this.staleIfError = b.staleIfError;
        this.maxBodyBytes = b.maxBodyBytes;
        this.varyHeaders = List.copyOf(b.varyHeaders);
        this.perUserHeader = b.perUserHeader;
        this.identityHeaders = Set.copyOf(b.identityHeaders);
        this.unkeyedIdentityHeaders =
                identityHeaders.stream().filter(h -> !isKeyed(h)).sorted().toList();
        this.varyValue = Replies.mergedVary(List.of(), this, false);
        this.varyValueCompressed = Replies.mergedVary(List.of(), this, true);
        this.requestCacheControl = b.requestCacheControl;
        this.keyIncludesHost = b.keyIncludesHost;
        this.compression = b.compression;
        this.compressionMinBytes = b.compressionMinBytes;
        this.tagHeader = b.tagHeader;
    }

    /** The policy with every default. */
    public static ResponseCachePolicy defaults() {
        return DEFAULTS;
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this policy's values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.methods = new LinkedHashSet<>(methods);
        b.cachePost = cachePost;
        b.ttl = ttl;
        b.staleWhileRevalidate = staleWhileRevalidate;
        b.staleIfError = staleIfError;
        b.maxBodyBytes = maxBodyBytes;
        b.varyHeaders = new TreeSet<>(varyHeaders);
        b.perUserHeader = perUserHeader;
        b.identityHeaders = new TreeSet<>(identityHeaders);
        b.requestCacheControl = requestCacheControl;
        b.keyIncludesHost = keyIncludesHost;
        b.compression = compression;
        b.compressionMinBytes = compressionMinBytes;
        b.tagHeader = tagHeader;
        return b;
    }

    /** This policy with another TTL. */
    public ResponseCachePolicy withTtl(Duration ttl) {
        return ttl.equals(this.ttl) ? this : toBuilder().ttl(ttl).build();
    }

    /** The safe methods whose responses are cached, upper case: {@code GET} and {@code HEAD}, or one of them. */
    public Set<String> methods() {
        return methods;
    }

    /**
     * Whether {@code POST} requests given this policy are cached, keyed by their body's SHA-256 and content
     * type: for query endpoints (search, GraphQL) only, so a policy with it is given per path by a {@link
     * ResponseCacheFilter.PolicySelector}. Other {@code POST}s, and every other unsafe method, are never
     * cached and invalidate their URL instead.
     */
    public boolean cachePost() {
        return cachePost;
    }

    /**
     * The longest a stored response is fresh. A handler's own {@code s-maxage}, {@code max-age} or {@code
     * Expires} shortens it, never lengthens it.
     */
    public Duration ttl() {
        return ttl;
    }

    /**
     * How long after it stops being fresh a response may be served while one request refreshes it in the
     * background (RFC 5861); a handler's {@code stale-while-revalidate} takes its place. Zero for none.
     */
    public Duration staleWhileRevalidate() {
        return staleWhileRevalidate;
    }

    /**
     * How long after it stops being fresh a response may be served when the handler throws or answers 5xx
     * (RFC 5861); a handler's {@code stale-if-error} takes its place. Zero for none.
     */
    public Duration staleIfError() {
        return staleIfError;
    }

    /** The largest body that is stored; larger ones are streamed to the client and not stored. */
    public int maxBodyBytes() {
        return maxBodyBytes;
    }

    /** The request headers whose values are part of the key, lower case and sorted. */
    public List<String> varyHeaders() {
        return varyHeaders;
    }

    /** The request header whose value makes entries per user (its SHA-256 is in the key), or null. */
    public String perUserHeader() {
        return perUserHeader;
    }

    /**
     * Request headers that identify a user, lower case. A request carrying one of them is served without the
     * cache unless that header is the per-user header or a Vary header, so that one user's response is never
     * served to another.
     */
    public Set<String> identityHeaders() {
        return identityHeaders;
    }

    /** Whether client {@code Cache-Control: no-store / no-cache} (and {@code Pragma}) are obeyed. */
    public RequestCacheControl requestCacheControl() {
        return requestCacheControl;
    }

    /**
     * Whether the scheme and host the client addressed are part of the key, so that an application that
     * answers per host (per tenant) never serves one host's response to another.
     */
    public boolean keyIncludesHost() {
        return keyIncludesHost;
    }

    /** Whether compressible responses are also stored gzip-coded and sent so to clients that accept it. */
    public boolean compression() {
        return compression;
    }

    /** The smallest body that is compressed. */
    public int compressionMinBytes() {
        return compressionMinBytes;
    }

    /**
     * The response header from which the handler's tags (surrogate keys) are read, lower case, or null; the
     * header is removed before the response leaves.
     */
    public String tagHeader() {
        return tagHeader;
    }

    /** The {@linkplain #identityHeaders() identity headers} that are not {@linkplain #isKeyed keyed}. */
    List<String> unkeyedIdentityHeaders() {
        return unkeyedIdentityHeaders;
    }

    /** The {@code Vary} sent with a stored response that names none of its own. */
    String varyValue(boolean compressed) {
        return compressed ? varyValueCompressed : varyValue;
    }

    /** Whether {@code header} is part of the key (a Vary header or the per-user header). */
    public boolean isKeyed(String header) {
        String name = header.toLowerCase(Locale.ROOT);
        return varyHeaders.contains(name) || name.equals(perUserHeader);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ResponseCachePolicy p
                && methods.equals(p.methods)
                && cachePost == p.cachePost
                && ttl.equals(p.ttl)
                && staleWhileRevalidate.equals(p.staleWhileRevalidate)
                && staleIfError.equals(p.staleIfError)
                && maxBodyBytes == p.maxBodyBytes
                && varyHeaders.equals(p.varyHeaders)
                && Objects.equals(perUserHeader, p.perUserHeader)
                && identityHeaders.equals(p.identityHeaders)
                && requestCacheControl == p.requestCacheControl
                && keyIncludesHost == p.keyIncludesHost
                && compression == p.compression
                && compressionMinBytes == p.compressionMinBytes
                && Objects.equals(tagHeader, p.tagHeader);
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                methods,
                cachePost,
                ttl,
                staleWhileRevalidate,
                staleIfError,
                maxBodyBytes,
                varyHeaders,
                perUserHeader,
                identityHeaders,
                requestCacheControl,
                keyIncludesHost,
                compression,
                compressionMinBytes,
                tagHeader);
    }

    @Override
    public String toString() {
        return "ResponseCachePolicy{methods=" + new TreeSet<>(methods) + ", cachePost=" + cachePost + ", ttl=" + ttl
                + ", staleWhileRevalidate=" + staleWhileRevalidate + ", staleIfError=" + staleIfError
                + ", maxBodyBytes=" + maxBodyBytes + ", varyHeaders=" + varyHeaders + ", perUserHeader="
                + perUserHeader + ", identityHeaders=" + new TreeSet<>(identityHeaders) + ", requestCacheControl="
                + requestCacheControl + ", keyIncludesHost=" + keyIncludesHost + ", compression=" + compression
                + ", compressionMinBytes=" + compressionMinBytes + ", tagHeader=" + tagHeader + "}";
    }

    /** Builds a {@link ResponseCachePolicy}. Not thread-safe; every setter validates its argument at once. */
    public static final class Builder {
        private Set<String> methods = new LinkedHashSet<>(List.of("GET", "HEAD"));
        private boolean cachePost;
        private Duration ttl = Duration.ofSeconds(60);
        private Duration staleWhileRevalidate = Duration.ZERO;
        private Duration staleIfError = Duration.ZERO;
        private int maxBodyBytes = 1024 * 1024;
        private Set<String> varyHeaders = new TreeSet<>();
        private String perUserHeader;
        private Set<String> identityHeaders = new TreeSet<>(List.of("authorization", "cookie"));
        private RequestCacheControl requestCacheControl = RequestCacheControl.HONOR;
        private boolean keyIncludesHost = true;
        private boolean compression = true;
        private int compressionMinBytes = 1024;
        private String tagHeader;

        private Builder() {}

        /**
         * The safe methods to cache: {@code GET} and {@code HEAD} (a {@code HEAD} is answered from, and on a
         * miss fills, the {@code GET} entry). Unsafe methods are rejected: see {@link #cachePost(boolean)}.
         */
        public Builder methods(Collection<String> methods) {
            Objects.requireNonNull(methods, "methods");
            Set<String> checked = new LinkedHashSet<>();
            for (String m : methods) {
                String method = token("method", m).toUpperCase(Locale.ROOT);
                if (!CACHEABLE_METHODS.contains(method)) {
                    throw new IllegalArgumentException("Only GET and HEAD responses are cached by method, got '" + m
                            + "'; POST is cached per path with cachePost, other methods never");
                }
                checked.add(method);
            }
            if (checked.isEmpty()) {
                throw new IllegalArgumentException("At least one method must be cached");
            }
            this.methods = checked;
            return this;
        }

        /** See {@link #methods(Collection)}. */
        public Builder methods(String... methods) {
            return methods(List.of(methods));
        }

        /** See {@link ResponseCachePolicy#cachePost()}. */
        public Builder cachePost(boolean cachePost) {
            this.cachePost = cachePost;
            return this;
        }

        /** The longest time responses are fresh: positive and finite. */
        public Builder ttl(Duration ttl) {
            CachekitConfig.checkTtl(ttl);
            if (ttl.equals(Cache.NO_EXPIRY)) {
                throw new IllegalArgumentException("HTTP responses need a finite TTL, for their max-age");
            }
            this.ttl = ttl;
            return this;
        }

        /** See {@link ResponseCachePolicy#staleWhileRevalidate()}: zero or positive, at most a year. */
        public Builder staleWhileRevalidate(Duration window) {
            this.staleWhileRevalidate = window("staleWhileRevalidate", window);
            return this;
        }

        /** See {@link ResponseCachePolicy#staleIfError()}: zero or positive, at most a year. */
        public Builder staleIfError(Duration window) {
            this.staleIfError = window("staleIfError", window);
            return this;
        }

        /** The largest body stored, in bytes: 0 to 2^31 - 9 (bodies are held in one array). */
        public Builder maxBodyBytes(long maxBodyBytes) {
            this.maxBodyBytes = size("maxBodyBytes", maxBodyBytes);
            return this;
        }

        /** Request headers whose values select different responses, such as {@code Accept-Language}. */
        public Builder varyHeaders(Collection<String> headers) {
            this.varyHeaders = headerNames("vary header", headers);
            return this;
        }

        /** See {@link #varyHeaders(Collection)}. */
        public Builder varyHeaders(String... headers) {
            return varyHeaders(List.of(headers));
        }

        /**
         * The request header that identifies the user, such as {@code Authorization}: each value gets its own
         * entries, keyed by its SHA-256 so that the value itself is never stored. {@code null} or empty for
         * none.
         */
        public Builder perUserHeader(String header) {
            this.perUserHeader = optionalHeader("per-user header", header);
            return this;
        }

        /** See {@link ResponseCachePolicy#identityHeaders()}; empty to cache requests whatever they carry. */
        public Builder identityHeaders(Collection<String> headers) {
            this.identityHeaders = headerNames("identity header", headers);
            return this;
        }

        /** See {@link ResponseCachePolicy#requestCacheControl()}. */
        public Builder requestCacheControl(RequestCacheControl requestCacheControl) {
            this.requestCacheControl = Objects.requireNonNull(requestCacheControl, "requestCacheControl");
            return this;
        }

        /** See {@link ResponseCachePolicy#keyIncludesHost()}; turn off only for single-host applications. */
        public Builder keyIncludesHost(boolean keyIncludesHost) {
            this.keyIncludesHost = keyIncludesHost;
            return this;
        }

        /** See {@link ResponseCachePolicy#compression()}. */
        public Builder compression(boolean compression) {
            this.compression = compression;
            return this;
        }

        /** See {@link ResponseCachePolicy#compressionMinBytes()}: 0 to 2^31 - 9. */
        public Builder compressionMinBytes(long bytes) {
            this.compressionMinBytes = size("compressionMinBytes", bytes);
            return this;
        }

        /**
         * See {@link ResponseCachePolicy#tagHeader()}, such as {@code Surrogate-Key} or {@code Cache-Tag};
         * {@code null} or empty for none.
         */
        public Builder tagHeader(String header) {
            this.tagHeader = optionalHeader("tag header", header);
            return this;
        }

        /** The policy with the values set so far; the builder may be used again. */
        public ResponseCachePolicy build() {
            return new ResponseCachePolicy(this);
        }

        private static Duration window(String what, Duration window) {
            Objects.requireNonNull(window, what);
            if (window.isNegative() || window.compareTo(Duration.ofDays(365)) > 0) {
                throw new IllegalArgumentException(what + " must be between 0 and 365 days, got " + window);
            }
            return window;
        }

        private static int size(String what, long bytes) {
            if (bytes < 0 || bytes > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException(
                        what + " must be between 0 and " + (Integer.MAX_VALUE - 8) + ", got " + bytes);
            }
            return (int) bytes;
        }

        private static String optionalHeader(String what, String header) {
            return header == null || header.isEmpty()
                    ? null
                    : token(what, header).toLowerCase(Locale.ROOT);
        }

        private static Set<String> headerNames(String what, Collection<String> headers) {
            Objects.requireNonNull(headers, what + "s");
            Set<String> names = new TreeSet<>();
            for (String h : headers) {
                names.add(token(what, h).toLowerCase(Locale.ROOT));
            }
            return names;
        }

        private static String token(String what, String value) {
            Objects.requireNonNull(value, what);
            String v = value.trim();
            if (!TOKEN.matcher(v).matches()) {
                throw new IllegalArgumentException(what + " must be an HTTP token, got '" + value + "'");
            }
            return v;
        }
    }
}
