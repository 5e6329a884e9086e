package io.cachekit.internal;

import io.cachekit.AsyncCache;
import io.cachekit.Cache;
import io.cachekit.CacheEntry;
import io.cachekit.Tags;
import io.cachekit.TypeRef;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The async view of a {@link DefaultCache}: the same rules, over the async half of its {@link ValueStore} and
 * the shared {@link SingleFlight}; never a blocking call. Thread-safe.
 */
final class DefaultAsyncCache implements AsyncCache {
    private static final int DIRECT_READ = ValueStore.COUNT | ValueStore.STRICT;

    private final DefaultCache cache;
    private final ValueStore store;

    DefaultAsyncCache(DefaultCache cache) {
        this.cache = cache;
        this.store = cache.store;
    }

    @Override
    public Cache sync() {
        return cache;
    }

    @Override
    public <T> CompletableFuture<T> get(String key, Class<T> type) {
        return getValue(key, type, Types.raw(type));
    }

    @Override
    public <T> CompletableFuture<T> get(String key, TypeRef<T> type) {
        return getValue(key, type.type(), Types.raw(type.type()));
    }

    @SuppressWarnings("unchecked")
    private <T> CompletableFuture<T> getValue(String key, Type type, Class<?> raw) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(type, "type");
        if (!cache.enabled()) {
            store.stats.misses.increment();
            return CompletableFuture.completedFuture(null);
        }
        return store.getAsync(key, type, raw, cache.errorPolicy(), DIRECT_READ)
                .thenApply(v -> ValueStore.isMiss(v) ? null : (T) v);
    }

    @Override
    public <T> CompletableFuture<CacheEntry<T>> getWithTtl(String key, Class<T> type) {
        return getEntry(key, type, Types.raw(type));
    }

    @Override
    public <T> CompletableFuture<CacheEntry<T>> getWithTtl(String key, TypeRef<T> type) {
        return getEntry(key, type.type(), Types.raw(type.type()));
    }

    @SuppressWarnings("unchecked")
    private <T> CompletableFuture<CacheEntry<T>> getEntry(String key, Type type, Class<?> raw) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(type, "type");
        if (!cache.enabled()) {
            store.stats.misses.increment();
            return CompletableFuture.completedFuture(null);
        }
        return store.getEntryAsync(key, type, raw, cache.errorPolicy()).thenApply(e -> (CacheEntry<T>) e);
    }

    @Override
    public CompletableFuture<Void> set(String key, Object value) {
        return set(key, value, null);
    }

    @Override
    public CompletableFuture<Void> set(String key, Object value, Duration ttl) {
        Objects.requireNonNull(key, "key");
        Duration resolved = cache.resolveTtl(ttl);
        if (!cache.enabled()) {
            return CompletableFuture.completedFuture(null);
        }
        return store.setAsync(key, value, resolved, cache.errorPolicy());
    }

    @Override
    public CompletableFuture<Void> set(String key, Object value, Duration ttl, Tags tags) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(tags, "tags");
        Duration resolved = cache.resolveTtl(ttl);
        if (!cache.enabled()) {
            return CompletableFuture.completedFuture(null);
        }
        return stamp(tags)
                .thenCompose(stamp -> stamp == TagVersions.UNAVAILABLE
                        ? CompletableFuture.completedFuture(null)
                        : store.writeAsync(key, value, resolved, null, stamp, cache.errorPolicy()));
    }

    /** The versions of {@code tags} before a write: null when there are none. */
    private CompletableFuture<TagStamp> stamp(Tags tags) {
        return tags.isEmpty()
                ? CompletableFuture.completedFuture(null)
                : cache.runtime.tags().stampAsync(tags, cache.errorPolicy());
    }

    @Override
    public CompletableFuture<Boolean> setIfAbsent(String key, Object value, Duration ttl) {
        return setIfAbsent(key, value, ttl, Tags.none());
    }

    @Override
    public CompletableFuture<Boolean> setIfAbsent(String key, Object value, Duration ttl, Tags tags) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(tags, "tags");
        Duration resolved = cache.resolveTtl(ttl);
        if (!cache.enabled()) {
            return CompletableFuture.completedFuture(false);
        }
        return stamp(tags)
                .thenCompose(stamp -> stamp == TagVersions.UNAVAILABLE
                        ? CompletableFuture.completedFuture(false)
                        : store.setIfAbsentAsync(key, value, resolved, stamp, cache.errorPolicy()));
    }

    @Override
    public CompletableFuture<Void> delete(String key) {
        Objects.requireNonNull(key, "key");
        if (!cache.enabled()) {
            return CompletableFuture.completedFuture(null);
        }
        return store.deleteAsync(key, cache.errorPolicy());
    }

    @Override
    public CompletableFuture<Boolean> has(String key) {
        Objects.requireNonNull(key, "key");
        if (!cache.enabled()) {
            return CompletableFuture.completedFuture(false);
        }
        return store.hasAsync(key, cache.errorPolicy());
    }

    @Override
    public CompletableFuture<Void> clear() {
        return store.clearAsync(cache.errorPolicy());
    }

    @Override
    public <T> CompletableFuture<Map<String, T>> getMany(Collection<String> keys, Class<T> type) {
        return getManyValues(keys, type, Types.raw(type));
    }

    @Override
    public <T> CompletableFuture<Map<String, T>> getMany(Collection<String> keys, TypeRef<T> type) {
        return getManyValues(keys, type.type(), Types.raw(type.type()));
    }

    @SuppressWarnings("unchecked")
    private <T> CompletableFuture<Map<String, T>> getManyValues(Collection<String> keys, Type type, Class<?> raw) {
        List<String> list = DefaultCache.checkKeys(keys);
        Objects.requireNonNull(type, "type");
        if (!cache.enabled() || list.isEmpty()) {
            store.stats.misses.add(cache.enabled() ? 0 : list.size());
            return CompletableFuture.completedFuture(new HashMap<>());
        }
        return store.getManyAsync(list, type, raw, cache.errorPolicy(), ValueStore.COUNT | ValueStore.STRICT)
                .thenApply(m -> m == null ? new HashMap<>() : (Map<String, T>) m);
    }

    @Override
    public CompletableFuture<Void> setMany(Map<String, ?> entries) {
        return setMany(entries, null);
    }

    @Override
    public CompletableFuture<Void> setMany(Map<String, ?> entries, Duration ttl) {
        return setMany(entries, ttl, Tags.none());
    }

    @Override
    public CompletableFuture<Void> setMany(Map<String, ?> entries, Duration ttl, Tags tags) {
        Objects.requireNonNull(entries, "entries");
        Objects.requireNonNull(tags, "tags");
        Duration resolved = cache.resolveTtl(ttl);
        if (!cache.enabled() || entries.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        return stamp(tags)
                .thenCompose(stamp -> stamp == TagVersions.UNAVAILABLE
                        ? CompletableFuture.completedFuture(null)
                        : store.setManyAsync(entries, resolved, stamp, cache.errorPolicy()));
    }

    @Override
    public CompletableFuture<Void> invalidateTags(String... tags) {
        Objects.requireNonNull(tags, "tags");
        return invalidateTags(Arrays.asList(tags));
    }

    @Override
    public CompletableFuture<Void> invalidateTags(Collection<String> tags) {
        return cache.runtime.tags().invalidateAsync(Tags.checkAll(tags), cache.errorPolicy());
    }

    @Override
    public <T> CompletableFuture<T> getOrLoad(
            String key, Class<T> type, Duration ttl, Supplier<? extends CompletableFuture<? extends T>> loader) {
        return getOrLoadValue(key, type, Types.raw(type), ttl, null, null, loader);
    }

    @Override
    public <T> CompletableFuture<T> getOrLoad(
            String key, TypeRef<T> type, Duration ttl, Supplier<? extends CompletableFuture<? extends T>> loader) {
        return getOrLoadValue(key, type.type(), Types.raw(type.type()), ttl, null, null, loader);
    }

    @Override
    public <T> CompletableFuture<T> getOrLoad(
            String key,
            Class<T> type,
            Duration ttl,
            Tags tags,
            Supplier<? extends CompletableFuture<? extends T>> loader) {
        Objects.requireNonNull(tags, "tags");
        return getOrLoadValue(key, type, Types.raw(type), ttl, null, tags, loader);
    }

    @Override
    public <T> CompletableFuture<T> getOrLoad(
            String key,
            TypeRef<T> type,
            Duration ttl,
            Tags tags,
            Supplier<? extends CompletableFuture<? extends T>> loader) {
        Objects.requireNonNull(tags, "tags");
        return getOrLoadValue(key, type.type(), Types.raw(type.type()), ttl, null, tags, loader);
    }

    @Override
    public <T> CompletableFuture<T> getOrLoad(
            String key,
            TypeRef<T> type,
            Duration ttl,
            Duration staleFor,
            Supplier<? extends CompletableFuture<? extends T>> loader) {
        return getOrLoadValue(
                key, type.type(), Types.raw(type.type()), ttl, DefaultCache.checkStaleFor(staleFor), null, loader);
    }

    @Override
    public <T> CompletableFuture<T> getOrLoad(
            String key,
            TypeRef<T> type,
            Duration ttl,
            Duration staleFor,
            Tags tags,
            Supplier<? extends CompletableFuture<? extends T>> loader) {
        Objects.requireNonNull(tags, "tags");
        return getOrLoadValue(
                key, type.type(), Types.raw(type.type()), ttl, DefaultCache.checkStaleFor(staleFor), tags, loader);
    }

    /** {@code staleFor} and {@code tags} may be null (none). */
    @SuppressWarnings("unchecked")
    private <T> CompletableFuture<T> getOrLoadValue(
            String key,
            Type type,
            Class<?> raw,
            Duration ttl,
            Duration staleFor,
            Tags tags,
            Supplier<? extends CompletableFuture<? extends T>> loader) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(loader, "loader");
        Duration resolved = cache.resolveTtl(ttl);
        return load(cache.directLoad(type, raw, resolved, staleFor), key, tags, CallMode.NORMAL, loader)
                .thenApply(v -> (T) v);
    }

    /** The async single-flight load behind getOrLoad and method caching, tagged with {@code tags} (may be null). */
    CompletableFuture<Object> load(
            SingleFlight.Load load,
            String key,
            Tags tags,
            CallMode mode,
            Supplier<? extends CompletableFuture<?>> loader) {
        if (!cache.enabled()) {
            store.stats.loads.increment();
            return ValueStore.start(loader);
        }
        return cache.runtime.flights.loadAsync(load, key, tags, mode, loader);
    }
}
