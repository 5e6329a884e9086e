package io.cachekit.tck;

import io.cachekit.AsyncCache;
import io.cachekit.Cache;
import io.cachekit.CacheEntry;
import io.cachekit.CacheLoader;
import io.cachekit.CacheLoaderException;
import io.cachekit.Tags;
import io.cachekit.TypeRef;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The cache operations the contract exercises, over the sync API or over the async view (each future
 * awaited, its failure rethrown as the sync method would throw it). Thread-safe.
 */
public interface CacheOps {

    /** Which API a test goes through. */
    enum Path {
        /** The sync API. */
        SYNC,
        /** The async view, each future awaited. */
        ASYNC
    }

    /** The cache the operations go to. */
    Cache cache();

    /** See {@link Cache#get(String, Class)}. */
    <T> T get(String key, Class<T> type);

    /** See {@link Cache#get(String, TypeRef)}. */
    <T> T get(String key, TypeRef<T> type);

    /** See {@link Cache#getWithTtl(String, Class)}. */
    <T> CacheEntry<T> getWithTtl(String key, Class<T> type);

    /** See {@link Cache#set(String, Object)}. */
    void set(String key, Object value);

    /** See {@link Cache#set(String, Object, Duration)}. */
    void set(String key, Object value, Duration ttl);

    /** See {@link Cache#setIfAbsent}. */
    boolean setIfAbsent(String key, Object value, Duration ttl);

    /** See {@link Cache#delete}. */
    void delete(String key);

    /** See {@link Cache#has}. */
    boolean has(String key);

    /** See {@link Cache#clear}. */
    void clear();

    /** See {@link Cache#getMany(Collection, Class)}. */
    <T> Map<String, T> getMany(Collection<String> keys, Class<T> type);

    /** See {@link Cache#setMany(Map, Duration)}. */
    void setMany(Map<String, ?> entries, Duration ttl);

    /** See {@link Cache#getOrLoad(String, Class, Duration, CacheLoader)}. */
    <T> T getOrLoad(String key, Class<T> type, Duration ttl, CacheLoader<T> loader);

    /** A tagged write; see {@link Cache#set(String, Object, Duration, Tags)}. */
    void set(String key, Object value, Duration ttl, Tags tags);

    /** A tagged conditional write; see {@link Cache#setIfAbsent(String, Object, Duration, Tags)}. */
    boolean setIfAbsent(String key, Object value, Duration ttl, Tags tags);

    /** Tagged writes; see {@link Cache#setMany(Map, Duration, Tags)}. */
    void setMany(Map<String, ?> entries, Duration ttl, Tags tags);

    /** A tagged load; see {@link Cache#getOrLoad(String, Class, Duration, Tags, CacheLoader)}. */
    <T> T getOrLoad(String key, Class<T> type, Duration ttl, Tags tags, CacheLoader<T> loader);

    /** See {@link Cache#invalidateTags(String...)}. */
    void invalidateTags(String... tags);

    /** The operations of {@code cache} over {@code path}; async loaders run on {@code executor}. */
    static CacheOps of(Cache cache, Path path, Executor executor) {
        return path == Path.SYNC ? new SyncOps(cache) : new AsyncOps(cache, executor);
    }

    /** Straight calls of the sync API. */
    record SyncOps(Cache cache) implements CacheOps {
        @Override
        public <T> T get(String key, Class<T> type) {
            return cache.get(key, type);
        }

        @Override
        public <T> T get(String key, TypeRef<T> type) {
            return cache.get(key, type);
        }

        @Override
        public <T> CacheEntry<T> getWithTtl(String key, Class<T> type) {
            return cache.getWithTtl(key, type);
        }

        @Override
        public void set(String key, Object value) {
            cache.set(key, value);
        }

        @Override
        public void set(String key, Object value, Duration ttl) {
            cache.set(key, value, ttl);
        }

        @Override
        public boolean setIfAbsent(String key, Object value, Duration ttl) {
            return cache.setIfAbsent(key, value, ttl);
        }

        @Override
        public void delete(String key) {
            cache.delete(key);
        }

        @Override
        public boolean has(String key) {
            return cache.has(key);
        }

        @Override
        public void clear() {
            cache.clear();
        }

        @Override
        public <T> Map<String, T> getMany(Collection<String> keys, Class<T> type) {
            return cache.getMany(keys, type);
        }

        @Override
        public void setMany(Map<String, ?> entries, Duration ttl) {
            cache.setMany(entries, ttl);
        }

        @Override
        public <T> T getOrLoad(String key, Class<T> type, Duration ttl, CacheLoader<T> loader) {
            return cache.getOrLoad(key, type, ttl, loader);
        }

        @Override
        public void set(String key, Object value, Duration ttl, Tags tags) {
            cache.set(key, value, ttl, tags);
        }

        @Override
        public boolean setIfAbsent(String key, Object value, Duration ttl, Tags tags) {
            return cache.setIfAbsent(key, value, ttl, tags);
        }

        @Override
        public void setMany(Map<String, ?> entries, Duration ttl, Tags tags) {
            cache.setMany(entries, ttl, tags);
        }

        @Override
        public <T> T getOrLoad(String key, Class<T> type, Duration ttl, Tags tags, CacheLoader<T> loader) {
            return cache.getOrLoad(key, type, ttl, tags, loader);
        }

        @Override
        public void invalidateTags(String... tags) {
            cache.invalidateTags(tags);
        }
    }

    /** The async view, each future awaited for at most 30 seconds. */
    record AsyncOps(Cache cache, Executor executor) implements CacheOps {
        private AsyncCache async() {
            return cache.async();
        }

        @Override
        public <T> T get(String key, Class<T> type) {
            return await(async().get(key, type));
        }

        @Override
        public <T> T get(String key, TypeRef<T> type) {
            return await(async().get(key, type));
        }

        @Override
        public <T> CacheEntry<T> getWithTtl(String key, Class<T> type) {
            return await(async().getWithTtl(key, type));
        }

        @Override
        public void set(String key, Object value) {
            await(async().set(key, value));
        }

        @Override
        public void set(String key, Object value, Duration ttl) {
            await(async().set(key, value, ttl));
        }

        @Override
        public boolean setIfAbsent(String key, Object value, Duration ttl) {
            return await(async().setIfAbsent(key, value, ttl));
        }

        @Override
        public void delete(String key) {
            await(async().delete(key));
        }

        @Override
        public boolean has(String key) {
            return await(async().has(key));
        }

        @Override
        public void clear() {
            await(async().clear());
        }

        @Override
        public <T> Map<String, T> getMany(Collection<String> keys, Class<T> type) {
            return await(async().getMany(keys, type));
        }

        @Override
        public void setMany(Map<String, ?> entries, Duration ttl) {
            await(async().setMany(entries, ttl));
        }

        @Override
        public <T> T getOrLoad(String key, Class<T> type, Duration ttl, CacheLoader<T> loader) {
            return await(async().getOrLoad(key, type, ttl, () -> onExecutor(loader)));
        }

        @Override
        public void set(String key, Object value, Duration ttl, Tags tags) {
            await(async().set(key, value, ttl, tags));
        }

        @Override
        public boolean setIfAbsent(String key, Object value, Duration ttl, Tags tags) {
            return await(async().setIfAbsent(key, value, ttl, tags));
        }

        @Override
        public void setMany(Map<String, ?> entries, Duration ttl, Tags tags) {
            await(async().setMany(entries, ttl, tags));
        }

        @Override
        public <T> T getOrLoad(String key, Class<T> type, Duration ttl, Tags tags, CacheLoader<T> loader) {
            return await(async().getOrLoad(key, type, ttl, tags, () -> onExecutor(loader)));
        }

        @Override
        public void invalidateTags(String... tags) {
            await(async().invalidateTags(tags));
        }

        /** Runs {@code loader} on the executor, as an async loader that does I/O would. */
        private <T> CompletableFuture<T> onExecutor(CacheLoader<T> loader) {
            return CompletableFuture.supplyAsync(
                    () -> {
                        try {
                            return loader.load();
                        } catch (RuntimeException e) {
                            throw e;
                        } catch (Exception e) {
                            throw new CompletionException(e);
                        }
                    },
                    executor);
        }

        private static <T> T await(CompletableFuture<T> future) {
            try {
                return future.get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                while (cause instanceof CompletionException && cause.getCause() != null) {
                    cause = cause.getCause();
                }
                if (cause instanceof RuntimeException re) {
                    throw re;
                }
                if (cause instanceof Error err) {
                    throw err;
                }
                throw new CacheLoaderException("Loader failed", cause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            } catch (TimeoutException e) {
                throw new AssertionError("async operation did not complete within 30 s", e);
            }
        }
    }
}
