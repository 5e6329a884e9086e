package io.cachekit;

import io.cachekit.internal.BackendGuards;
import io.cachekit.internal.CallMode;
import io.cachekit.internal.DefaultCache;
import io.cachekit.internal.SharedExecutor;
import io.cachekit.spi.BackendContext;
import io.cachekit.spi.CacheBackend;
import io.cachekit.spi.CacheBackendProvider;
import io.cachekit.spi.Redaction;
import io.cachekit.spi.UriOptions;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Entry point: creates {@link Cache}s from a backend URI or a {@link CachekitConfig}, and scopes calls that
 * skip method caching.
 *
 * <pre>{@code
 * Cache cache = Cachekit.fromUri("memory://?maxSize=10000&namespace=app&ttl=5m");
 * cache.set("greeting", "hello", Duration.ofMinutes(1));
 * String greeting = cache.get("greeting", String.class);
 * }</pre>
 *
 * Backends are found with {@link java.util.ServiceLoader}: {@code memory://} is built in, the others come
 * with their modules ({@code cachekit-redis}, {@code cachekit-postgres}, ...). Thread-safe.
 */
public final class Cachekit {
    private Cachekit() {}

    /**
     * A cache on the backend named by {@code uri}. Besides the backend's own options the query may hold
     * Cachekit's: {@code namespace}, {@code prefix}, {@code ttl}, {@code enabled}, {@code timeout}, {@code
     * errorPolicy}, {@code methodErrorPolicy} (see {@link CachekitConfig#fromProperties}).
     *
     * @throws IllegalArgumentException for a malformed URI, an unknown scheme or an unknown option, naming
     *     the valid ones
     */
    public static Cache fromUri(String uri) {
        Objects.requireNonNull(uri, "uri");
        URI parsed = parse(uri);
        Map<String, String> backendOptions = new LinkedHashMap<>();
        Map<String, String> cachekitOptions = new LinkedHashMap<>();
        UriOptions.parseQuery(parsed.getRawQuery()).forEach((name, value) -> {
            if (CachekitConfig.PROPERTY_NAMES.contains(name) && !name.equals("backend")) {
                cachekitOptions.put(name, value);
            } else {
                backendOptions.put(name, value);
            }
        });
        String backendUri = withQuery(parsed, backendOptions);
        return create(CachekitConfig.builder()
                .backend(backendUri)
                .properties(cachekitOptions)
                .build());
    }

    /**
     * A cache on the backend named by {@link CachekitConfig#backend()}.
     *
     * <p>Creation does not wait for an unreachable store: unless {@link CachekitConfig#connectEagerly()}, a
     * store that does not answer within the operation timeout is connected in the background, and until it
     * answers the cache behaves as down (method caching runs the real method; the direct API throws a
     * {@link StoreUnreachableException} at once). Remote stores sit behind a circuit breaker unless {@link
     * CachekitConfig#circuitBreaker()} is off.
     *
     * @throws IllegalArgumentException for an unknown scheme or a bad option
     * @throws CacheBackendException when the store refuses the connection for another reason than being
     *     unreachable (bad credentials), or with {@code connect=eager} when it cannot be reached
     */
    public static Cache create(CachekitConfig config) {
        Objects.requireNonNull(config, "config");
        BackendContext context = contextOf(config);
        URI uri = parse(config.backend());
        CacheBackendProvider provider = provider(uri);
        CacheBackend backend = BackendGuards.open(
                config,
                context.executor(),
                provider.name(),
                Redaction.redactUri(config.backend()),
                () -> provider.create(uri, context));
        return DefaultCache.create(config, backend);
    }

    /**
     * A cache on a backend made by the caller (a custom one, or one built with its options class). A remote
     * backend is put behind a circuit breaker unless {@link CachekitConfig#circuitBreaker()} is off.
     */
    public static Cache create(CachekitConfig config, CacheBackend backend) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(backend, "backend");
        return DefaultCache.create(config, BackendGuards.guard(backend, config));
    }

    /** The context a backend created for {@code config} receives: its timeout, clock and executor. */
    public static BackendContext contextOf(CachekitConfig config) {
        return new BackendContext(
                config.operationTimeout(),
                config.clock(),
                config.executor() != null ? config.executor() : SharedExecutor.shared());
    }

    /**
     * Creates the backend named by {@code uri} through its provider.
     *
     * @throws IllegalArgumentException for an unknown scheme (naming the available ones) or a bad option
     */
    public static CacheBackend createBackend(String uri, BackendContext context) {
        URI parsed = parse(uri);
        return provider(parsed).create(parsed, context);
    }

    private static CacheBackendProvider provider(URI parsed) {
        String scheme = parsed.getScheme().toLowerCase(Locale.ROOT);
        for (CacheBackendProvider provider : providers()) {
            if (provider.schemes().contains(scheme)) {
                return provider;
            }
        }
        throw new IllegalArgumentException("Unknown backend scheme '" + scheme + "'; available: "
                + String.join(", ", schemes()) + " (other backends come with their modules, such as cachekit-redis)");
    }

    /** The schemes of the backends on the class path. */
    public static List<String> schemes() {
        return providers().stream()
                .flatMap(p -> p.schemes().stream())
                .collect(Collectors.toCollection(TreeSet::new))
                .stream()
                .toList();
    }

    /**
     * Runs {@code call} with method caching bypassed on this thread: cached methods called inside neither
     * read nor write the cache (the Python original's {@code skip_cache=True}).
     */
    public static <T> T bypass(Supplier<T> call) {
        return CallMode.with(CallMode.BYPASS, call);
    }

    /**
     * Runs {@code call} with method caching refreshing on this thread: cached methods called inside run
     * and store their new result without reading the cache.
     */
    public static <T> T refresh(Supplier<T> call) {
        return CallMode.with(CallMode.REFRESH, call);
    }

    private static List<CacheBackendProvider> providers() {
        return ServiceLoader.load(CacheBackendProvider.class, Cachekit.class.getClassLoader()).stream()
                .map(ServiceLoader.Provider::get)
                .toList();
    }

    private static URI parse(String uri) {
        try {
            // java.net.URI wants something after "//": read "memory://" as "memory:///".
            URI parsed = new URI(uri.endsWith("://") ? uri + "/" : uri);
            if (parsed.getScheme() == null) {
                throw new IllegalArgumentException("Backend URI needs a scheme such as memory:// or redis://, got '"
                        + Redaction.redactUri(uri) + "'");
            }
            return parsed;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("Malformed backend URI '" + Redaction.redactUri(uri) + "'");
        }
    }

    private static String withQuery(URI uri, Map<String, String> options) {
        String raw = uri.toString();
        int q = raw.indexOf('?');
        String base = q < 0 ? raw : raw.substring(0, q);
        if (options.isEmpty()) {
            return base;
        }
        return base + "?"
                + options.entrySet().stream()
                        .map(e -> encode(e.getKey()) + "=" + encode(e.getValue()))
                        .collect(Collectors.joining("&"));
    }

    private static String encode(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
    }
}
