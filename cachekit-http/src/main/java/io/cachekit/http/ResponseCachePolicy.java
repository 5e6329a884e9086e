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
 * What response caching applies to and how: request methods, TTL, body size limit, the request headers
 * that take part in the key, and the header that makes entries per user.
 *
 * <p>Defaults: methods {@code GET} and {@code HEAD}, TTL 60 seconds, bodies up to 1 MiB, no Vary headers,
 * no per-user header, identity headers {@code Authorization} and {@code Cookie}, request {@code
 * Cache-Control} honoured.
 *
 * <p>Immutable and thread-safe. Built with {@link #builder()}, whose setters reject invalid values at once
 * with an {@link IllegalArgumentException} or {@link NullPointerException}. Header names are kept in lower
 * case and compared without regard to case.
 */
public final class ResponseCachePolicy {
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final ResponseCachePolicy DEFAULTS = builder().build();

    private final Set<String> methods;
    private final Duration ttl;
    private final int maxBodyBytes;
    private final List<String> varyHeaders;
    private final String perUserHeader;
    private final Set<String> identityHeaders;
    private final boolean honorRequestCacheControl;

    private ResponseCachePolicy(Builder b) {
        this.methods = Set.copyOf(b.methods);
        this.ttl = b.ttl;
        this.maxBodyBytes = b.maxBodyBytes;
        this.varyHeaders = List.copyOf(b.varyHeaders);
        this.perUserHeader = b.perUserHeader;
        this.identityHeaders = Set.copyOf(b.identityHeaders);
        this.honorRequestCacheControl = b.honorRequestCacheControl;
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
        b.ttl = ttl;
        b.maxBodyBytes = maxBodyBytes;
        b.varyHeaders = new TreeSet<>(varyHeaders);
        b.perUserHeader = perUserHeader;
        b.identityHeaders = new TreeSet<>(identityHeaders);
        b.honorRequestCacheControl = honorRequestCacheControl;
        return b;
    }

    /** This policy with another TTL. */
    public ResponseCachePolicy withTtl(Duration ttl) {
        return ttl.equals(this.ttl) ? this : toBuilder().ttl(ttl).build();
    }

    /** The request methods whose responses are cached, upper case. */
    public Set<String> methods() {
        return methods;
    }

    /** How long a stored response is served. */
    public Duration ttl() {
        return ttl;
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

    /** Whether request {@code Cache-Control: no-store} and {@code no-cache} (and {@code Pragma}) are obeyed. */
    public boolean honorRequestCacheControl() {
        return honorRequestCacheControl;
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
                && ttl.equals(p.ttl)
                && maxBodyBytes == p.maxBodyBytes
                && varyHeaders.equals(p.varyHeaders)
                && Objects.equals(perUserHeader, p.perUserHeader)
                && identityHeaders.equals(p.identityHeaders)
                && honorRequestCacheControl == p.honorRequestCacheControl;
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                methods, ttl, maxBodyBytes, varyHeaders, perUserHeader, identityHeaders, honorRequestCacheControl);
    }

    @Override
    public String toString() {
        return "ResponseCachePolicy{methods=" + new TreeSet<>(methods) + ", ttl=" + ttl + ", maxBodyBytes="
                + maxBodyBytes + ", varyHeaders=" + varyHeaders + ", perUserHeader=" + perUserHeader
                + ", identityHeaders=" + new TreeSet<>(identityHeaders) + ", honorRequestCacheControl="
                + honorRequestCacheControl + "}";
    }

    /** Builds a {@link ResponseCachePolicy}. Not thread-safe; every setter validates its argument at once. */
    public static final class Builder {
        private Set<String> methods = new LinkedHashSet<>(List.of("GET", "HEAD"));
        private Duration ttl = Duration.ofSeconds(60);
        private int maxBodyBytes = 1024 * 1024;
        private Set<String> varyHeaders = new TreeSet<>();
        private String perUserHeader;
        private Set<String> identityHeaders = new TreeSet<>(List.of("authorization", "cookie"));
        private boolean honorRequestCacheControl = true;

        private Builder() {}

        /** The request methods to cache, such as {@code GET} and {@code HEAD}; at least one. */
        public Builder methods(Collection<String> methods) {
            Objects.requireNonNull(methods, "methods");
            Set<String> checked = new LinkedHashSet<>();
            for (String m : methods) {
                checked.add(token("method", m).toUpperCase(Locale.ROOT));
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

        /** How long responses are served from the cache: positive and finite. */
        public Builder ttl(Duration ttl) {
            CachekitConfig.checkTtl(ttl);
            if (ttl.equals(Cache.NO_EXPIRY)) {
                throw new IllegalArgumentException("HTTP responses need a finite TTL, for their max-age");
            }
            this.ttl = ttl;
            return this;
        }

        /** The largest body stored, in bytes: 0 to 2^31 - 9 (bodies are held in one array). */
        public Builder maxBodyBytes(long maxBodyBytes) {
            if (maxBodyBytes < 0 || maxBodyBytes > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException(
                        "maxBodyBytes must be between 0 and " + (Integer.MAX_VALUE - 8) + ", got " + maxBodyBytes);
            }
            this.maxBodyBytes = (int) maxBodyBytes;
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
            this.perUserHeader = header == null || header.isEmpty()
                    ? null
                    : token("per-user header", header).toLowerCase(Locale.ROOT);
            return this;
        }

        /** See {@link ResponseCachePolicy#identityHeaders()}; empty to cache requests whatever they carry. */
        public Builder identityHeaders(Collection<String> headers) {
            this.identityHeaders = headerNames("identity header", headers);
            return this;
        }

        /** Whether request {@code Cache-Control} is obeyed; turn off to keep clients from bypassing the cache. */
        public Builder honorRequestCacheControl(boolean honor) {
            this.honorRequestCacheControl = honor;
            return this;
        }

        public ResponseCachePolicy build() {
            return new ResponseCachePolicy(this);
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
