package io.cachekit;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

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

    <T> CompletableFuture<T> get(String key, Class<T> type);

    <T> CompletableFuture<T> get(String key, TypeRef<T> type);

    /** Completes with the entry, or with {@code null} on a miss. */
    <T> CompletableFuture<CacheEntry<T>> getWithTtl(String key, Class<T> type);

    <T> CompletableFuture<CacheEntry<T>> getWithTtl(String key, TypeRef<T> type);

    CompletableFuture<Void> set(String key, Object value);

    CompletableFuture<Void> set(String key, Object value, Duration ttl);

    /** See {@link Cache#set(String, Object, Duration, Tags)}. */
    CompletableFuture<Void> set(String key, Object value, Duration ttl, Tags tags);

    /** Completes with whether {@code value} was written; see {@link Cache#setIfAbsent}. */
    CompletableFuture<Boolean> setIfAbsent(String key, Object value, Duration ttl);

    /** See {@link Cache#setIfAbsent(String, Object, Duration, Tags)}. */
    CompletableFuture<Boolean> setIfAbsent(String key, Object value, Duration ttl, Tags tags);

    CompletableFuture<Void> delete(String key);

    CompletableFuture<Boolean> has(String key);

    CompletableFuture<Void> clear();

    <T> CompletableFuture<Map<String, T>> getMany(Collection<String> keys, Class<T> type);

    <T> CompletableFuture<Map<String, T>> getMany(Collection<String> keys, TypeRef<T> type);

    CompletableFuture<Void> setMany(Map<String, ?> entries);

    CompletableFuture<Void> setMany(Map<String, ?> entries, Duration ttl);

    /** See {@link Cache#setMany(Map, Duration, Tags)}. */
    CompletableFuture<Void> setMany(Map<String, ?> entries, Duration ttl, Tags tags);

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
    <T> CompletableFuture<T> getOrLoad(
            String key, Class<T> type, Duration ttl, Supplier<? extends CompletableFuture<? extends T>> loader);

    <T> CompletableFuture<T> getOrLoad(
            String key, TypeRef<T> type, Duration ttl, Supplier<? extends CompletableFuture<? extends T>> loader);

    /** See {@link Cache#getOrLoad(String, Class, Duration, Tags, io.cachekit.CacheLoader)}. */
    <T> CompletableFuture<T> getOrLoad(
            String key,
            Class<T> type,
            Duration ttl,
            Tags tags,
            Supplier<? extends CompletableFuture<? extends T>> loader);

    /** See {@link Cache#getOrLoad(String, TypeRef, Duration, Tags, io.cachekit.CacheLoader)}. */
    <T> CompletableFuture<T> getOrLoad(
            String key,
            TypeRef<T> type,
            Duration ttl,
            Tags tags,
            Supplier<? extends CompletableFuture<? extends T>> loader);

    /**
     * {@link #getOrLoad(String, TypeRef, Duration, Supplier)} with a stale window: an entry older than {@code ttl}
     * but younger than {@code ttl + staleFor} completes the future at once while one caller refreshes it on the
     * configured executor; a failed refresh keeps the stale entry, and is logged and counted.
     *
     * @throws IllegalArgumentException if {@code staleFor} is zero or negative
     */
    <T> CompletableFuture<T> getOrLoad(
            String key,
            TypeRef<T> type,
            Duration ttl,
            Duration staleFor,
            Supplier<? extends CompletableFuture<? extends T>> loader);

    /** See {@link Cache#getOrLoad(String, TypeRef, Duration, Duration, Tags, io.cachekit.CacheLoader)}. */
    <T> CompletableFuture<T> getOrLoad(
            String key,
            TypeRef<T> type,
            Duration ttl,
            Duration staleFor,
            Tags tags,
            Supplier<? extends CompletableFuture<? extends T>> loader);
}
