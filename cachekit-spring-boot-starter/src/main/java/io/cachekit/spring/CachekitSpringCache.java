package io.cachekit.spring;

import io.cachekit.Cache;
import io.cachekit.CacheEntry;
import io.cachekit.CacheException;
import io.cachekit.Tags;
import io.cachekit.TypeRef;
import io.cachekit.spi.WarningLimiter;
import io.cachekit.spring.internal.SpringCacheKeys;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;
import org.springframework.cache.support.SimpleValueWrapper;

/**
 * A Spring {@link org.springframework.cache.Cache} on a Cachekit namespace, so that {@code @Cacheable}, {@code
 * @CachePut} and {@code @CacheEvict} run on any Cachekit backend. The Spring cache name is the namespace.
 *
 * <ul>
 *   <li>Keys become Cachekit keys through their canonical text (see {@link SpringCacheKeys}), never through
 *       {@code hashCode()}.
 *   <li>Values are decoded into this view's value type: {@link CachekitCacheResolver} hands {@code @Cacheable}
 *       a view typed by the method's return type (unwrapping {@code CompletableFuture} and {@code Optional}),
 *       so JSON entries on remote backends come back as the declared type. The untyped view decodes into
 *       {@code Object} (maps and lists for JSON).
 *   <li>{@code null} values are cached, and told apart from misses.
 *   <li>{@link #get(Object, Class)} of an entry holding another type throws an {@link IllegalStateException}
 *       naming both types, and leaves it; the other reads of a typed view treat it as a miss and replace it.
 *   <li>{@link #putIfAbsent} is atomic on stores with a conditional write (in-memory, Redis, PostgreSQL).
 *   <li>{@link #get(Object, Callable)} ({@code sync = true}) and {@link #retrieve(Object, Supplier)} run one
 *       load per key at a time in the process; {@link #retrieve(Object)} and the loading variant never block.
 *   <li>Backend failures: with {@code methodErrorPolicy} fail-open they are logged at a limited rate, counted,
 *       and read as misses or skipped writes; with throw they reach Spring's {@code CacheErrorHandler}.
 *   <li>Tags: a view made with {@link Tags} (the starter's {@code cachekit.cache-manager.tags.<name>}) tags every
 *       entry it writes, so {@link #invalidateTags} or {@link Cache#invalidateTags} invalidates them with the
 *       entries of other caches and {@code @Cached} methods carrying the same tags; {@link #put(Object, Object,
 *       Tags)} tags one entry.
 * </ul>
 *
 * <p>Thread-safe.
 */
public final class CachekitSpringCache implements org.springframework.cache.Cache {
    private static final WarningLimiter WARNINGS =
            new WarningLimiter(LoggerFactory.getLogger(CachekitSpringCache.class), Duration.ofSeconds(30));

    private final String name;
    private final Cache cache;
    private final Duration ttl;
    private final boolean failOpen;
    private final TypeRef<Object> valueType;
    private final Tags tags;

    /**
     * A view of {@code cache}'s namespace.
     *
     * @param name the Spring cache name
     * @param cache the cache of the namespace
     * @param ttl the TTL of writes, or null for the cache's default
     * @param failOpen whether backend failures are swallowed (fail-open) rather than thrown
     * @param valueType the type values are decoded into
     */
    public CachekitSpringCache(String name, Cache cache, Duration ttl, boolean failOpen, Type valueType) {
        this(name, cache, ttl, Tags.none(), failOpen, valueType);
    }

    /**
     * A view of {@code cache}'s namespace whose writes are tagged with {@code tags}.
     *
     * @param name the Spring cache name
     * @param cache the cache of the namespace
     * @param ttl the TTL of writes, or null for the cache's default
     * @param tags the tags of every entry written through this view ({@link Tags#none()} for none)
     * @param failOpen whether backend failures are swallowed (fail-open) rather than thrown
     * @param valueType the type values are decoded into
     */
    public CachekitSpringCache(String name, Cache cache, Duration ttl, Tags tags, boolean failOpen, Type valueType) {
        this.name = Objects.requireNonNull(name, "name");
        this.cache = Objects.requireNonNull(cache, "cache");
        this.ttl = ttl;
        this.tags = Objects.requireNonNull(tags, "tags");
        this.failOpen = failOpen;
        this.valueType = TypeRef.of(Objects.requireNonNull(valueType, "valueType"));
    }

    /** The same cache, decoding values into {@code type}. */
    public CachekitSpringCache typed(Type type) {
        return type.equals(valueType.type()) ? this : new CachekitSpringCache(name, cache, ttl, tags, failOpen, type);
    }

    /** The tags of every entry this view writes. */
    public Tags tags() {
        return tags;
    }

    /** The type values are decoded into. */
    public Type valueType() {
        return valueType.type();
    }

    /** The TTL of writes, or null for the cache's default. */
    public Duration ttl() {
        return ttl;
    }

    @Override
    public String getName() {
        return name;
    }

    /** The Cachekit {@link Cache} of this namespace. */
    @Override
    public Cache getNativeCache() {
        return cache;
    }

    /**
     * The entry, or null on a miss. An entry that does not fit this view's value type (written by another
     * method of this cache name) is a miss here, so {@code @Cacheable} computes and overwrites it.
     */
    @Override
    public @Nullable ValueWrapper get(Object key) {
        String k = SpringCacheKeys.key(key);
        CacheEntry<Object> entry;
        try {
            entry = cache.getWithTtl(k, valueType);
        } catch (CacheException e) {
            failed("get", e);
            return null;
        } catch (IllegalStateException otherType) {
            return null;
        }
        return entry == null ? null : new SimpleValueWrapper(entry.value());
    }

    /**
     * The value as {@code type}, or null on a miss or for a cached null.
     *
     * @throws IllegalStateException when the entry holds a value that is not a {@code type}, as Spring's contract
     *     says; the entry stays
     */
    @Override
    public <T> @Nullable T get(Object key, @Nullable Class<T> type) {
        if (type == null) {
            ValueWrapper wrapper = get(key);
            @SuppressWarnings("unchecked")
            T value = wrapper == null ? null : (T) wrapper.get();
            return value;
        }
        String k = SpringCacheKeys.key(key);
        try {
            CacheEntry<T> entry = cache.getWithTtl(k, type);
            return entry == null ? null : entry.value();
        } catch (CacheException e) {
            failed("get", e);
            return null;
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> @Nullable T get(Object key, Callable<T> valueLoader) {
        String k = SpringCacheKeys.key(key);
        try {
            return (T) cache.getOrLoad(k, valueType, ttl, tags, () -> call(key, valueLoader));
        } catch (ValueRetrievalException e) {
            throw e;
        } catch (CacheException e) {
            failed("get", e);
            return call(key, valueLoader);
        } catch (IllegalStateException otherType) {
            // An entry of another type: load as on a miss and replace it.
            T value = call(key, valueLoader);
            put(key, value);
            return value;
        }
    }

    private static <T> T call(Object key, Callable<T> valueLoader) {
        try {
            return valueLoader.call();
        } catch (Exception e) {
            throw new ValueRetrievalException(key, valueLoader, e);
        }
    }

    /**
     * Completes with a {@link ValueWrapper} on a hit (its value may be null), or with null on a miss. Never
     * returns null itself: whether the key is present is known only when the backend answers.
     */
    @Override
    public @Nullable CompletableFuture<?> retrieve(Object key) {
        String k = SpringCacheKeys.key(key);
        CompletableFuture<CacheEntry<Object>> read = cache.async()
                .getWithTtl(k, valueType)
                .exceptionally(e -> {
                    if (unwrap(e) instanceof IllegalStateException) {
                        return null; // an entry of another type: a miss for this view
                    }
                    if (!failOpen) {
                        throw e instanceof CompletionException ce ? ce : new CompletionException(e);
                    }
                    failed("retrieve", rethrowUnlessCacheFailure(e));
                    return null;
                });
        return read.thenApply(entry -> entry == null ? null : new SimpleValueWrapper(entry.value()));
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> CompletableFuture<T> retrieve(Object key, Supplier<CompletableFuture<T>> valueLoader) {
        String k = SpringCacheKeys.key(key);
        AtomicBoolean loaderCalled = new AtomicBoolean();
        Supplier<CompletableFuture<T>> loader = () -> {
            loaderCalled.set(true);
            return valueLoader.get();
        };
        CompletableFuture<T> result = (CompletableFuture<T>) cache.async().getOrLoad(k, valueType, ttl, tags, loader);
        return result.exceptionallyCompose(e -> {
            Throwable cause = unwrap(e);
            if (cause instanceof IllegalStateException && !loaderCalled.get()) {
                // An entry of another type: load as on a miss and replace it.
                return valueLoader.get().thenCompose(value -> cache.async()
                        .set(k, value, ttl, tags)
                        .handle((ok, error) -> value));
            }
            if (failOpen && cause instanceof CacheException ce && !loaderCalled.get()) {
                failed("retrieve", ce);
                return valueLoader.get();
            }
            return CompletableFuture.failedFuture(cause);
        });
    }

    @Override
    public void put(Object key, @Nullable Object value) {
        put(key, value, tags);
    }

    /**
     * Writes {@code value} tagged with {@code tags} (instead of this view's tags), as {@link #put(Object, Object)}
     * does otherwise.
     */
    public void put(Object key, @Nullable Object value, Tags tags) {
        String k = SpringCacheKeys.key(key);
        try {
            cache.set(k, value, ttl, tags);
        } catch (CacheException e) {
            failed("put", e);
        }
    }

    /**
     * Invalidates every entry tagged with one of {@code tags}, in this namespace and every other of the key prefix,
     * in every process (see {@link Cache#invalidateTags}); backend failures as for the other writes.
     *
     * @throws IllegalArgumentException for an empty or over-long tag
     */
    public void invalidateTags(String... tags) {
        try {
            cache.invalidateTags(tags);
        } catch (CacheException e) {
            failed("invalidateTags", e);
        }
    }

    /**
     * Writes {@code value} unless the key holds a live entry, atomically on stores with a conditional write (the
     * in-memory, Redis and PostgreSQL backends): of concurrent callers in every process, one writes.
     *
     * @return null when {@code value} was written, otherwise the entry left in place
     */
    @Override
    public @Nullable ValueWrapper putIfAbsent(Object key, @Nullable Object value) {
        String k = SpringCacheKeys.key(key);
        try {
            for (int attempt = 0; attempt < 3; attempt++) {
                if (cache.setIfAbsent(k, value, ttl, tags)) {
                    return null;
                }
                CacheEntry<Object> existing = cache.getWithTtl(k, valueType);
                if (existing != null) {
                    return new SimpleValueWrapper(existing.value());
                }
                // Gone between the two calls (evicted or expired): try to write again.
            }
            return get(key);
        } catch (CacheException e) {
            failed("putIfAbsent", e);
            return null;
        }
    }

    @Override
    public void evict(Object key) {
        String k = SpringCacheKeys.key(key);
        try {
            cache.delete(k);
        } catch (CacheException e) {
            failed("evict", e);
        }
    }

    /**
     * Removes the entry and tells whether it was present; the two steps are not atomic (a concurrent writer may
     * come between them), which Spring's contract allows.
     */
    @Override
    public boolean evictIfPresent(Object key) {
        String k = SpringCacheKeys.key(key);
        try {
            boolean present = cache.has(k);
            cache.delete(k);
            return present;
        } catch (CacheException e) {
            failed("evict", e);
            return false;
        }
    }

    /** Clears the namespace; whether it held entries is not known, so this answers false. */
    @Override
    public boolean invalidate() {
        clear();
        return false;
    }

    @Override
    public void clear() {
        try {
            cache.clear();
        } catch (CacheException e) {
            failed("clear", e);
        }
    }

    private void failed(String operation, CacheException e) {
        if (!failOpen) {
            throw e;
        }
        WARNINGS.warn("Spring cache '" + name + "' " + operation + " failed; going on without the cache", e);
    }

    private static CacheException rethrowUnlessCacheFailure(Throwable e) {
        Throwable cause = unwrap(e);
        if (cause instanceof CacheException ce) {
            return ce;
        }
        throw cause instanceof RuntimeException re ? re : new CompletionException(cause);
    }

    private static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    @Override
    public String toString() {
        return "CachekitSpringCache{name=" + name + ", valueType=" + valueType + (tags.isEmpty() ? "" : ", " + tags)
                + "}";
    }
}
