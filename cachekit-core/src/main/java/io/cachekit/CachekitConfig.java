package io.cachekit;

import io.cachekit.codec.Codec;
import io.cachekit.codec.JsonCodec;
import io.cachekit.key.KeyGenerator;
import io.cachekit.spi.Durations;
import io.cachekit.spi.Redaction;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executor;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The settings of a {@link Cache}: which backend, namespace, default TTL, codec, error policies, timeout,
 * clock, executor and metrics registry.
 *
 * <p>Immutable and thread-safe. Built with {@link #builder()}, whose setters reject invalid values at once,
 * or read from string properties with {@link #fromProperties(Map)} (the Spring starter's {@code cachekit.*}
 * and the query options of {@link Cachekit#fromUri(String)}).
 */
public final class CachekitConfig {
    /** Namespaces and prefixes: letters, digits, {@code _ . -}; 1 to 100 characters. */
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,100}");

    /**
     * The namespace that holds the versions of tags ({@link Tags}), one per key prefix ({@code _tags}, or {@code
     * <prefix>/_tags}); reserved, so no cache may use it.
     */
    public static final String TAGS_NAMESPACE = "_tags";

    /** The property names {@link #fromProperties} understands. */
    public static final Set<String> PROPERTY_NAMES = Set.of(
            "backend",
            "namespace",
            "prefix",
            "ttl",
            "enabled",
            "timeout",
            "loadTimeout",
            "errorPolicy",
            "methodErrorPolicy",
            "connect",
            "breaker",
            "breakerCoolOff",
            "breakerMinimumCalls",
            "tagVersionCache");

    private final String backend;
    private final String namespace;
    private final String keyPrefix;
    private final Duration defaultTtl;
    private final boolean enabled;
    private final Codec codec;
    private final KeyGenerator keyGenerator;
    private final ErrorPolicy errorPolicy;
    private final ErrorPolicy methodErrorPolicy;
    private final Duration operationTimeout;
    private final Duration loadTimeout;
    private final Clock clock;
    private final Executor executor;
    private final Object meterRegistry;
    private final boolean connectEagerly;
    private final boolean circuitBreaker;
    private final Duration breakerCoolOff;
    private final int breakerMinimumCalls;
    private final Duration tagVersionCache;

    private CachekitConfig(Builder b) {
        this.backend = b.backend;
        this.namespace = b.namespace;
        this.keyPrefix = b.keyPrefix;
        this.defaultTtl = b.defaultTtl;
        this.enabled = b.enabled;
        this.codec = b.codec;
        this.keyGenerator = b.keyGenerator;
        this.errorPolicy = b.errorPolicy;
        this.methodErrorPolicy = b.methodErrorPolicy;
        this.operationTimeout = b.operationTimeout;
        this.loadTimeout = b.loadTimeout;
        this.clock = b.clock;
        this.executor = b.executor;
        this.meterRegistry = b.meterRegistry;
        this.connectEagerly = b.connectEagerly;
        this.circuitBreaker = b.circuitBreaker;
        this.breakerCoolOff = b.breakerCoolOff;
        this.breakerMinimumCalls = b.breakerMinimumCalls;
        this.tagVersionCache = b.tagVersionCache;
    }

    /** A builder with the defaults: {@code memory://}, namespace {@code default}, TTL 1 hour, JSON, THROW. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this configuration's values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.backend = backend;
        b.namespace = namespace;
        b.keyPrefix = keyPrefix;
        b.defaultTtl = defaultTtl;
        b.enabled = enabled;
        b.codec = codec;
        b.keyGenerator = keyGenerator;
        b.errorPolicy = errorPolicy;
        b.methodErrorPolicy = methodErrorPolicy;
        b.operationTimeout = operationTimeout;
        b.loadTimeout = loadTimeout;
        b.clock = clock;
        b.executor = executor;
        b.meterRegistry = meterRegistry;
        b.connectEagerly = connectEagerly;
        b.circuitBreaker = circuitBreaker;
        b.breakerCoolOff = breakerCoolOff;
        b.breakerMinimumCalls = breakerMinimumCalls;
        b.tagVersionCache = tagVersionCache;
        return b;
    }

    /**
     * Reads the given properties over the defaults. Names: {@code backend} (a URI), {@code namespace},
     * {@code prefix}, {@code ttl} (a duration or {@code never}), {@code enabled}, {@code timeout}, {@code
     * loadTimeout}, {@code errorPolicy} and {@code methodErrorPolicy} ({@code throw} or {@code fail-open}), {@code
     * connect} ({@code lazy} or {@code eager}), {@code breaker} ({@code true} or {@code false}), {@code
     * breakerCoolOff} (a duration), {@code breakerMinimumCalls} and {@code tagVersionCache} (a duration).
     *
     * @throws IllegalArgumentException for an unknown name (listing the valid ones) or an invalid value
     */
    public static CachekitConfig fromProperties(Map<String, String> properties) {
        return builder().properties(properties).build();
    }

    /** The backend URI, such as {@code memory://} or {@code redis://host:6379/0}. */
    public String backend() {
        return backend;
    }

    /** The namespace of the cache made from this configuration. */
    public String namespace() {
        return namespace;
    }

    /** The global key prefix, empty when none. */
    public String keyPrefix() {
        return keyPrefix;
    }

    /** The TTL of writes that give none; {@link Cache#NO_EXPIRY} when entries never expire by default. */
    public Duration defaultTtl() {
        return defaultTtl;
    }

    /** When false every read misses, every write is skipped and every loader runs: caching is off. */
    public boolean enabled() {
        return enabled;
    }

    /** The codec that turns values into stored bytes (JSON unless set). */
    public Codec codec() {
        return codec;
    }

    /** How cached methods' keys are made. */
    public KeyGenerator keyGenerator() {
        return keyGenerator;
    }

    /** Policy of the direct API. */
    public ErrorPolicy errorPolicy() {
        return errorPolicy;
    }

    /** Policy of method caching ({@link Cached}, proxies, memoized functions). */
    public ErrorPolicy methodErrorPolicy() {
        return methodErrorPolicy;
    }

    /** The longest one backend operation may take. */
    public Duration operationTimeout() {
        return operationTimeout;
    }

    /**
     * How long a caller waits for a load of the same key that another caller runs; then it runs the loader
     * itself. 30 seconds by default.
     */
    public Duration loadTimeout() {
        return loadTimeout;
    }

    /** The clock of expiry checks (the system clock unless set, for tests). */
    public Clock clock() {
        return clock;
    }

    /**
     * The executor for blocking backend work, async results of remote stores and loaders, or {@code null} for
     * Cachekit's own: a shared bounded pool for blocking backend work and a pool of its own that async results
     * complete on and loaders start on.
     */
    public @Nullable Executor executor() {
        return executor;
    }

    /**
     * The Micrometer {@code MeterRegistry} given to {@link Builder#meterRegistry}, or {@code null} for Micrometer's
     * global one when present. Typed {@code Object} so that reading a configuration (as Spring does with its beans)
     * never needs Micrometer on the class path.
     */
    public @Nullable Object meterRegistry() {
        return meterRegistry;
    }

    /**
     * Whether creating a cache waits for its store ({@code connect=eager}) and fails when it cannot be
     * reached; by default ({@code connect=lazy}) it connects in the background and behaves as down until
     * the store answers.
     */
    public boolean connectEagerly() {
        return connectEagerly;
    }

    /** Whether calls to a remote store go through a circuit breaker ({@code breaker=true}, the default). */
    public boolean circuitBreaker() {
        return circuitBreaker;
    }

    /** How long an open circuit breaker fails calls at once before it lets probe calls through. */
    public Duration breakerCoolOff() {
        return breakerCoolOff;
    }

    /** How many calls the breaker sees before it may open; it opens when half of the recent ones failed. */
    public int breakerMinimumCalls() {
        return breakerMinimumCalls;
    }

    /**
     * How long this process may keep the versions of tags it read before reading them again, or {@code null}
     * (the default) for never: every read of a tagged entry then reads its tags' versions from the store. Within
     * the window an invalidation made by another process may go unseen here (this process's own are seen at once);
     * the in-memory backend never keeps copies.
     */
    public Duration tagVersionCache() {
        return tagVersionCache;
    }

    @Override
    public String toString() {
        return "CachekitConfig{backend=" + Redaction.redactUri(backend) + ", namespace=" + namespace + ", prefix="
                + keyPrefix + ", defaultTtl=" + defaultTtl + ", enabled=" + enabled + ", codec=" + codec.name()
                + ", errorPolicy=" + errorPolicy + ", methodErrorPolicy=" + methodErrorPolicy + ", timeout="
                + operationTimeout + ", connect=" + (connectEagerly ? "eager" : "lazy") + ", breaker=" + circuitBreaker
                + (tagVersionCache == null ? "" : ", tagVersionCache=" + tagVersionCache) + "}";
    }

    /**
     * Builds a {@link CachekitConfig}. Not thread-safe; each setter validates its argument and throws {@link
     * IllegalArgumentException} or {@link NullPointerException} at once.
     */
    public static final class Builder {
        private String backend = "memory://";
        private String namespace = "default";
        private String keyPrefix = "";
        private Duration defaultTtl = Duration.ofHours(1);
        private boolean enabled = true;
        private Codec codec = DefaultCodecHolder.JSON;
        private KeyGenerator keyGenerator = KeyGenerator.standard();
        private ErrorPolicy errorPolicy = ErrorPolicy.THROW;
        private ErrorPolicy methodErrorPolicy = ErrorPolicy.FAIL_OPEN;
        private Duration operationTimeout = Duration.ofSeconds(2);
        private Duration loadTimeout = Duration.ofSeconds(30);
        private Clock clock = Clock.systemUTC();
        private Executor executor;
        private Object meterRegistry;
        private boolean connectEagerly;
        private boolean circuitBreaker = true;
        private Duration breakerCoolOff = Duration.ofSeconds(5);
        private int breakerMinimumCalls = 10;
        private Duration tagVersionCache;

        private Builder() {}

        /** The backend URI, such as {@code memory://?maxSize=10000} or {@code redis://localhost:6379/0}. */
        public Builder backend(String uri) {
            Objects.requireNonNull(uri, "backend");
            if (!uri.contains("://")) {
                throw new IllegalArgumentException("Backend must be a URI such as memory:// or redis://host:6379, got '"
                        + Redaction.redactUri(uri) + "'");
            }
            this.backend = uri;
            return this;
        }

        /** The namespace: letters, digits, {@code _ . -}, 1 to 100 characters; not {@value CachekitConfig#TAGS_NAMESPACE}. */
        public Builder namespace(String namespace) {
            this.namespace = checkName("namespace", namespace);
            if (namespace.equals(TAGS_NAMESPACE)) {
                throw new IllegalArgumentException(
                        "namespace '" + TAGS_NAMESPACE + "' is reserved for the versions of tags; choose another");
            }
            return this;
        }

        /** A prefix put before every namespace, to share a store between applications; empty for none. */
        public Builder keyPrefix(String prefix) {
            Objects.requireNonNull(prefix, "prefix");
            this.keyPrefix = prefix.isEmpty() ? "" : checkName("prefix", prefix);
            return this;
        }

        /** The TTL of writes that give none: positive, or {@link Cache#NO_EXPIRY}. */
        public Builder defaultTtl(Duration ttl) {
            this.defaultTtl = checkTtl(ttl);
            return this;
        }

        /** Whether caching is on; when off, every read misses and every cached method runs. */
        public Builder enabled(boolean enabled) {
            this.enabled = enabled;
            return this;
        }

        /** The codec of values other than {@code byte[]} and {@code String}; JSON by default. */
        public Builder codec(Codec codec) {
            Objects.requireNonNull(codec, "codec");
            if (codec.id() < 3 || codec.id() > 127) {
                throw new IllegalArgumentException("Codec ids 0-2 are reserved, and ids end at 127; got " + codec.id());
            }
            this.codec = codec;
            return this;
        }

        /** How cached methods' keys are made. */
        public Builder keyGenerator(KeyGenerator keyGenerator) {
            this.keyGenerator = Objects.requireNonNull(keyGenerator, "keyGenerator");
            return this;
        }

        /** What a backend failure does to a direct call: throw (the default) or fail open. */
        public Builder errorPolicy(ErrorPolicy policy) {
            this.errorPolicy = Objects.requireNonNull(policy, "errorPolicy");
            return this;
        }

        /** What a backend failure does to method caching: fail open (the default) or throw. */
        public Builder methodErrorPolicy(ErrorPolicy policy) {
            this.methodErrorPolicy = Objects.requireNonNull(policy, "methodErrorPolicy");
            return this;
        }

        /** The longest one backend operation may take before it fails with {@link CacheTimeoutException}. */
        public Builder operationTimeout(Duration timeout) {
            this.operationTimeout = Durations.requirePositive("timeout", timeout);
            return this;
        }

        /** How long a caller waits for another caller's load of the same key; positive. */
        public Builder loadTimeout(Duration timeout) {
            this.loadTimeout = Durations.requirePositive("loadTimeout", timeout);
            return this;
        }

        /** The clock of expiry; tests pass a controllable one. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * An executor for blocking backend work, for completing async results of remote stores (never on a
         * client's I/O thread) and for starting loaders; Cachekit's own pools when not set. It should be bounded
         * and must not run tasks on the submitting thread.
         */
        public Builder executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * The Micrometer registry the caches publish their meters to; without one, Micrometer's global registry
         * when Micrometer is on the class path. Typed, yet Micrometer stays optional: only a caller of this method
         * needs it, and nothing else in Cachekit's API names a Micrometer type.
         */
        public Builder meterRegistry(io.micrometer.core.instrument.MeterRegistry registry) {
            this.meterRegistry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /** Whether creation waits for the store and fails when it is unreachable; see {@link #connectEagerly()}. */
        public Builder connectEagerly(boolean eager) {
            this.connectEagerly = eager;
            return this;
        }

        /** Whether calls to a remote store go through a circuit breaker; on by default. */
        public Builder circuitBreaker(boolean enabled) {
            this.circuitBreaker = enabled;
            return this;
        }

        /** How long an open breaker fails calls at once: positive; 5 seconds by default. */
        public Builder breakerCoolOff(Duration coolOff) {
            this.breakerCoolOff = Durations.requirePositive("breakerCoolOff", coolOff);
            return this;
        }

        /** Calls the breaker sees before it may open: 2 to 1000; 10 by default. */
        public Builder breakerMinimumCalls(int calls) {
            if (calls < 2 || calls > 1000) {
                throw new IllegalArgumentException("breakerMinimumCalls must be between 2 and 1000, got " + calls);
            }
            this.breakerMinimumCalls = calls;
            return this;
        }

        /**
         * How long tag versions read from the store may be kept in this process: positive, or {@code null} for
         * not at all (the default); see {@link CachekitConfig#tagVersionCache()}.
         */
        public Builder tagVersionCache(Duration window) {
            this.tagVersionCache = window == null ? null : Durations.requirePositive("tagVersionCache", window);
            return this;
        }

        /** Applies string properties; see {@link CachekitConfig#fromProperties(Map)}. */
        public Builder properties(Map<String, String> properties) {
            properties.forEach(this::property);
            return this;
        }

        private void property(String name, String value) {
            Objects.requireNonNull(value, () -> "property " + name);
            switch (name) {
                case "backend" -> backend(value);
                case "namespace" -> namespace(value);
                case "prefix" -> keyPrefix(value);
                case "ttl" -> defaultTtl(parseTtl(value));
                case "enabled" -> enabled(ConfigValues.parseBoolean(name, value));
                case "timeout" -> operationTimeout(Durations.parse(value));
                case "loadTimeout" -> loadTimeout(Durations.parse(value));
                case "errorPolicy" -> errorPolicy(ConfigValues.parsePolicy(name, value));
                case "methodErrorPolicy" -> methodErrorPolicy(ConfigValues.parsePolicy(name, value));
                case "connect" -> connectEagerly(ConfigValues.parseConnect(value));
                case "breaker" -> circuitBreaker(ConfigValues.parseBoolean(name, value));
                case "breakerCoolOff" -> breakerCoolOff(Durations.parse(value));
                case "breakerMinimumCalls" -> breakerMinimumCalls(ConfigValues.parseInt(name, value));
                case "tagVersionCache" -> tagVersionCache(Durations.parse(value));
                default ->
                    throw new IllegalArgumentException("Unknown Cachekit option '" + name + "'; valid options: "
                            + String.join(", ", new TreeSet<>(PROPERTY_NAMES)));
            }
        }

        /** The configuration; fails fast on settings that do not fit together. */
        public CachekitConfig build() {
            return new CachekitConfig(this);
        }
    }

    /** Parses a TTL: {@code never}, or a positive duration. */
    public static Duration parseTtl(String value) {
        if (value.trim().equalsIgnoreCase("never")) {
            return Cache.NO_EXPIRY;
        }
        return checkTtl(Durations.parse(value));
    }

    /** Checks that {@code ttl} is positive (or {@link Cache#NO_EXPIRY}) and returns it. */
    public static Duration checkTtl(Duration ttl) {
        Objects.requireNonNull(ttl, "ttl");
        if (ttl.isZero() || ttl.isNegative()) {
            throw new IllegalArgumentException(
                    "TTL must be positive, or Cache.NO_EXPIRY for entries that never expire;" + " got " + ttl);
        }
        return ttl;
    }

    static String checkName(String what, String value) {
        Objects.requireNonNull(value, what);
        if (!NAME.matcher(value).matches()) {
            throw new IllegalArgumentException(
                    what + " must be 1-100 letters, digits, '_', '.' or '-'; got '" + value + "'");
        }
        return value;
    }

    /** Holds the default codec so that building a config does not create a mapper each time. */
    private static final class DefaultCodecHolder {
        static final Codec JSON = new JsonCodec();
    }
}
