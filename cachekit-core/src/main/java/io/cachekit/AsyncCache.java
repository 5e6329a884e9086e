package io.cachekit;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The async view of a {@link Cache}: the same operations and rules, returning {@link CompletableFuture}s.
 *
 * <p>No method blocks the calling thread. Backends with an async client use it; the others run on a
 * bounded executor. Failures complete the future exceptionally with the exceptions the sync methods throw
 * (under {@link ErrorPolicy#FAIL_OPEN} a backend failure completes as a miss instead). Thread-safe.
 */
public interface AsyncCache {

    /** The sync view. */
    Cache sync();

    /** Completes with the value, or with {@code null} on a miss or for a cached null; see {@link Cache#get}. */
    <T> CompletableFuture<@Nullable T> get(String key, Class<T> type);

    /** {@link #get(String, Class)} decoded into a generic type. */
    <T> CompletableFuture<@Nullable T> get(String key, TypeRef<T> type);

    /**
     * Completes with the entry, or empty on a miss; a cached null is an entry whose value is {@code null}. See
     * {@link Cache#find(String, Class)}.
     */
    default <T> CompletableFuture<Optional<CacheEntry<T>>> find(String key, Class<T> type) {
        return getWithTtl(key, type).thenApply(Optional::ofNullable);
    }

    /** {@link #find(String, Class)} for a generic type. */
    default <T> CompletableFuture<Optional<CacheEntry<T>>> find(String key, TypeRef<T> type) {
        return getWithTtl(key, type).thenApply(Optional::ofNullable);
    }

    /** Completes with the entry, or with {@code null} on a miss. */
    <T> CompletableFuture<@Nullable CacheEntry<T>> getWithTtl(String key, Class<T> type);

    /** {@link #getWithTtl(String, Class)} decoded into a generic type. */
    <T> CompletableFuture<@Nullable CacheEntry<T>> getWithTtl(String key, TypeRef<T> type);

    /** Stores {@code value} (which may be null) with the default TTL; see {@link Cache#set(String, Object)}. */
    CompletableFuture<Void> set(String key, @Nullable Object value);

    /**
     * Stores {@code value} (which may be null) with {@code ttl} ({@code null} for the default); see {@link
     * Cache#set(String, Object, Duration)}.
     */
    CompletableFuture<Void> set(String key, @Nullable Object value, @Nullable Duration ttl);

    /** See {@link Cache#set(String, Object, Duration, Tags)}. */
    CompletableFuture<Void> set(String key, @Nullable Object value, @Nullable Duration ttl, Tags tags);

    /** Completes with whether {@code value} was written; see {@link Cache#setIfAbsent}. */
    CompletableFuture<Boolean> setIfAbsent(String key, @Nullable Object value, @Nullable Duration ttl);

    /** See {@link Cache#setIfAbsent(String, Object, Duration, Tags)}. */
    CompletableFuture<Boolean> setIfAbsent(String key, @Nullable Object value, @Nullable Duration ttl, Tags tags);

    /** Removes the entry; removing an absent key is not an error. */
    CompletableFuture<Void> delete(String key);

    /** Completes with whether a live entry exists (a cached null counts). */
    CompletableFuture<Boolean> has(String key);

    /** Removes every entry of this namespace, and nothing of any other namespace. */
    CompletableFuture<Void> clear();

    /** Completes with the hits among {@code keys}: absent keys are left out, cached nulls map to null. */
    <T> CompletableFuture<Map<String, @Nullable T>> getMany(Collection<String> keys, Class<T> type);

    /** {@link #getMany(Collection, Class)} decoded into a generic type. */
    <T> CompletableFuture<Map<String, @Nullable T>> getMany(Collection<String> keys, TypeRef<T> type);

    /** Stores every entry (values may be null) with the default TTL. */
    CompletableFuture<Void> setMany(Map<String, ?> entries);

    /** Stores every entry (values may be null) with {@code ttl} ({@code null} for the default). */
    CompletableFuture<Void> setMany(Map<String, ?> entries, @Nullable Duration ttl);

    /** See {@link Cache#setMany(Map, Duration, Tags)}. */
    CompletableFuture<Void> setMany(Map<String, ?> entries, @Nullable Duration ttl, Tags tags);

    /** See {@link Cache#invalidateTags(String...)}: completes once every new version is written. */
    CompletableFuture<Void> invalidateTags(String... tags);

    /** See {@link Cache#invalidateTags(java.util.Collection)}. */
    CompletableFuture<Void> invalidateTags(Collection<String> tags);

    /**
     * Completes with the cached value, or starts {@code loader} once per key and type in this process (shared
     * with sync callers), caches its value with {@code ttl} ({@code null} for the default) and completes with
     * it. A failed load completes every waiter exceptionally and caches nothing. Waiters wait at most {@link
     * io.cachekit.CachekitConfig#loadTimeout()}, then start the loader themselves (without writing); a load that
     * asks for its own key while starting completes exceptionally with an {@link IllegalStateException}.
     */
    <T> CompletableFuture<@Nullable T> getOrLoad(
            String key,
            Class<T> type,
            @Nullable Duration ttl,
            Supplier<? extends CompletableFuture<? extends @Nullable T>> loader);

    /** {@link #getOrLoad(String, Class, Duration, Supplier)} for a generic type. */
    <T> CompletableFuture<@Nullable T> getOrLoad(
            String key,
            TypeRef<T> type,
            @Nullable Duration ttl,
            Supplier<? extends CompletableFuture<? extends @Nullable T>> loader);

    /** {@link #getOrLoad(String, Class, Duration, Supplier)} with the default TTL. */
    default <T> CompletableFuture<@Nullable T> getOrLoad(
            String key, Class<T> type, Supplier<? extends CompletableFuture<? extends @Nullable T>> loader) {
        return getOrLoad(key, type, null, loader);
    }

    /** {@link #getOrLoad(String, TypeRef, Duration, Supplier)} with the default TTL. */
    default <T> CompletableFuture<@Nullable T> getOrLoad(
            String key, TypeRef<T> type, Supplier<? extends CompletableFuture<? extends @Nullable T>> loader) {
        return getOrLoad(key, type, null, loader);
    }

    /** See {@link Cache#getOrLoad(String, Class, Duration, Tags, io.cachekit.CacheLoader)}. */
    <T> CompletableFuture<@Nullable T> getOrLoad(
            String key,
            Class<T> type,
            @Nullable Duration ttl,
            Tags tags,
            Supplier<? extends CompletableFuture<? extends @Nullable T>> loader);

    /** See {@link Cache#getOrLoad(String, TypeRef, Duration, Tags, io.cachekit.CacheLoader)}. */
    <T> CompletableFuture<@Nullable T> getOrLoad(
            String key,
            TypeRef<T> type,
            @Nullable Duration ttl,
            Tags tags,
            Supplier<? extends CompletableFuture<? extends @Nullable T>> loader);

    /**
     * {@link #getOrLoad(String, TypeRef, Duration, Supplier)} with a stale window: an entry older than {@code ttl}
     * but younger than {@code ttl + staleFor} completes the future at once while one caller refreshes it on the
     * configured executor; a failed refresh keeps the stale entry, and is logged and counted.
     *
     * @throws IllegalArgumentException if {@code staleFor} is zero or negative
     */
    <T> CompletableFuture<@Nullable T> getOrLoad(
            String key,
            TypeRef<T> type,
            @Nullable Duration ttl,
            Duration staleFor,
            Supplier<? extends CompletableFuture<? extends @Nullable T>> loader);

    /** {@link #getOrLoad(String, TypeRef, Duration, Duration, Supplier)} for a class. */
    default <T> CompletableFuture<@Nullable T> getOrLoad(
            String key,
            Class<T> type,
            @Nullable Duration ttl,
            Duration staleFor,
            Supplier<? extends CompletableFuture<? extends @Nullable T>> loader) {
        return getOrLoad(key, TypeRef.of(type), ttl, staleFor, loader);
    }

    /** See {@link Cache#getOrLoad(String, TypeRef, Duration, Duration, Tags, io.cachekit.CacheLoader)}. */
    <T> CompletableFuture<@Nullable T> getOrLoad(
            String key,
            TypeRef<T> type,
            @Nullable Duration ttl,
            Duration staleFor,
            Tags tags,
            Supplier<? extends CompletableFuture<? extends @Nullable T>> loader);
}
