package io.cachekit.spring;

import io.cachekit.Cache;
import io.cachekit.CachekitConfig;
import io.cachekit.Tags;
import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Consumer;
import org.springframework.cache.CacheManager;

/**
 * A Spring {@link CacheManager} whose caches are Cachekit namespaces on one backend: the cache named {@code
 * users} is the namespace {@code users} (with the configured prefix), created on first use.
 *
 * <p>Cache names must be valid namespaces (letters, digits, {@code _ . -}, up to 100 characters); {@link
 * #getCache} throws an {@link IllegalArgumentException} for any other name. Each cache writes with its own
 * TTL when one is configured, otherwise with the Cachekit default, and tags its entries with its configured tags.
 * Thread-safe.
 */
public final class CachekitCacheManager implements CacheManager {
    private final Cache root;
    private final Map<String, Duration> ttls;
    private final Map<String, Tags> tags;
    private final boolean failOpen;
    private final Consumer<String> onNewCache;
    private final ConcurrentMap<String, CachekitSpringCache> caches = new ConcurrentHashMap<>();

    /**
     * @param root the cache whose backend and configuration every Spring cache shares
     * @param ttls TTLs by cache name (positive, or {@link Cache#NO_EXPIRY}); others use the default
     * @param failOpen whether backend failures read as misses and skipped writes rather than exceptions
     * @param onNewCache called with the name of each cache when it is first created
     */
    public CachekitCacheManager(Cache root, Map<String, Duration> ttls, boolean failOpen, Consumer<String> onNewCache) {
        this(root, ttls, Map.of(), failOpen, onNewCache);
    }

    /**
     * @param root the cache whose backend and configuration every Spring cache shares
     * @param ttls TTLs by cache name (positive, or {@link Cache#NO_EXPIRY}); others use the default
     * @param tags the tags of every entry of a cache, by cache name; others are untagged
     * @param failOpen whether backend failures read as misses and skipped writes rather than exceptions
     * @param onNewCache called with the name of each cache when it is first created
     */
    public CachekitCacheManager(
            Cache root,
            Map<String, Duration> ttls,
            Map<String, Tags> tags,
            boolean failOpen,
            Consumer<String> onNewCache) {
        this.root = Objects.requireNonNull(root, "root");
        Map<String, Duration> copy = new LinkedHashMap<>();
        ttls.forEach((name, ttl) -> copy.put(name, CachekitConfig.checkTtl(ttl)));
        this.ttls = Collections.unmodifiableMap(copy);
        this.tags = Map.copyOf(tags);
        this.failOpen = failOpen;
        this.onNewCache = Objects.requireNonNull(onNewCache, "onNewCache");
    }

    /** A manager with the default TTL for every cache, failing open. */
    public CachekitCacheManager(Cache root) {
        this(root, Map.of(), true, name -> {});
    }

    @Override
    public CachekitSpringCache getCache(String name) {
        Objects.requireNonNull(name, "name");
        CachekitSpringCache cache = caches.get(name);
        return cache != null ? cache : caches.computeIfAbsent(name, this::create);
    }

    private CachekitSpringCache create(String name) {
        Cache namespace;
        try {
            namespace = root.withNamespace(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "Spring cache name '" + name + "' cannot be a Cachekit namespace: " + e.getMessage(), e);
        }
        onNewCache.accept(name);
        return new CachekitSpringCache(
                name, namespace, ttls.get(name), tags.getOrDefault(name, Tags.none()), failOpen, Object.class);
    }

    /** The names of the caches used so far and of those with a configured TTL or tags. */
    @Override
    public Collection<String> getCacheNames() {
        Set<String> names = new TreeSet<>(caches.keySet());
        names.addAll(ttls.keySet());
        names.addAll(tags.keySet());
        return Collections.unmodifiableSet(names);
    }
}
