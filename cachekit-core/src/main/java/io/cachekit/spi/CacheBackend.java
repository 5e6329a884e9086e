package io.cachekit.spi;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * A store of bytes: the service provider interface that each Cachekit backend implements.
 *
 * <p>Values are opaque byte arrays (Cachekit's envelope: format version, codec, flags, absolute expiry
 * and payload). A backend stores and returns them unchanged; it never interprets them. Every entry lives
 * in a namespace, and {@link #clear(String)} removes one namespace only, without scanning or flushing
 * anything else in the store.
 *
 * <h2>Keys and namespaces</h2>
 *
 * Namespaces match {@code [A-Za-z0-9_./-]{1,201}} (Cachekit validates them): a cache's namespace, or
 * {@code prefix/namespace} under a global key prefix; they never contain {@code :}, so a store may use
 * {@code namespace:key} as its key layout without ambiguity. Keys are any string,
 * including the empty string, unicode and control characters; a backend whose store cannot hold a key
 * as given (length, characters) maps it deterministically, typically to a digest, so equal keys map to
 * equal stored keys in every process.
 *
 * <h2>TTL</h2>
 *
 * {@code ttl} is positive, or {@code null} for an entry that never expires. A store that expires late
 * may return an expired entry: Cachekit also checks the expiry written in the envelope, so this is
 * allowed, but the store must eventually remove expired entries by itself (a native TTL feature or a
 * bounded purge).
 *
 * <h2>Errors and timeouts</h2>
 *
 * Every operation ends within the timeout given in the {@link BackendContext}: with a result, a {@link
 * io.cachekit.CacheTimeoutException}, a {@link io.cachekit.CacheValueTooLargeException} for a value over the
 * store's size limit (nothing written), or a {@link io.cachekit.CacheBackendException} for any other
 * failure of the store. A store that cannot be reached is best reported as a {@link
 * io.cachekit.StoreUnreachableException}. Backends map their driver's
 * errors to these types in one place. Async methods report the same exceptions by completing their
 * future exceptionally; they never block the calling thread, and a backend with a native async client
 * uses it. {@link BlockingCacheBackend} implements the async methods for stores with blocking clients.
 *
 * <h2>Threads</h2>
 *
 * Implementations are thread-safe. Arrays passed in or returned are owned by the receiver afterwards.
 */
public interface CacheBackend extends AutoCloseable {

    /** The backend's short name, such as {@code memory} or {@code redis}, used in logs and metric tags. */
    String name();

    /** Returns the stored bytes, or {@code null} when the key is absent. */
    byte @Nullable [] get(String namespace, String key);

    /** Stores {@code value}, replacing any previous value and its expiry. */
    void set(String namespace, String key, byte[] value, @Nullable Duration ttl);

    /** Removes the entry if present; removing an absent key is not an error. */
    void delete(String namespace, String key);

    /**
     * Stores {@code value} only when {@code key} holds no live entry (by the store's own expiry), and returns
     * {@code null}; otherwise leaves the entry and returns its bytes. Stores with a conditional write make this
     * atomic, so that of concurrent callers in every process exactly one writes: every backend of Cachekit's
     * does. This default reads, then writes, which is not atomic: override it.
     */
    default byte @Nullable [] setIfAbsent(String namespace, String key, byte[] value, @Nullable Duration ttl) {
        byte[] existing = get(namespace, key);
        if (existing != null) {
            return existing;
        }
        set(namespace, key, value, ttl);
        return null;
    }

    /** Removes every entry of {@code namespace} and nothing else. */
    void clear(String namespace);

    /**
     * Returns the entries present among {@code keys}; absent keys are left out of the map. The default
     * reads one key at a time; backends with a bulk read override it.
     */
    default Map<String, byte[]> getMany(String namespace, Collection<String> keys) {
        Map<String, byte[]> found = new java.util.HashMap<>();
        for (String key : keys) {
            byte[] value = get(namespace, key);
            if (value != null) {
                found.put(key, value);
            }
        }
        return found;
    }

    /** Stores every entry with the same TTL. The default writes one at a time; bulk writers override it. */
    default void setMany(String namespace, Map<String, byte[]> entries, @Nullable Duration ttl) {
        entries.forEach((key, value) -> set(namespace, key, value, ttl));
    }

    /** Async {@link #get}. */
    CompletableFuture<byte @Nullable []> getAsync(String namespace, String key);

    /** Async {@link #set}. */
    CompletableFuture<Void> setAsync(String namespace, String key, byte[] value, @Nullable Duration ttl);

    /** Async {@link #delete}. */
    CompletableFuture<Void> deleteAsync(String namespace, String key);

    /** {@link #setIfAbsent} without blocking; this default reads, then writes, which is not atomic. */
    default CompletableFuture<byte @Nullable []> setIfAbsentAsync(
            String namespace, String key, byte[] value, @Nullable Duration ttl) {
        return getAsync(namespace, key)
                .thenCompose(existing -> existing != null
                        ? CompletableFuture.completedFuture(existing)
                        : setAsync(namespace, key, value, ttl).thenApply(ignored -> null));
    }

    /** Async {@link #clear}. */
    CompletableFuture<Void> clearAsync(String namespace);

    /** Async {@link #getMany}. */
    CompletableFuture<Map<String, byte[]>> getManyAsync(String namespace, Collection<String> keys);

    /** Async {@link #setMany}. */
    CompletableFuture<Void> setManyAsync(String namespace, Map<String, byte[]> entries, @Nullable Duration ttl);

    /**
     * Returns the native client or resource of this backend if it is of the given type (for example
     * Lettuce's connection), so users can reach features Cachekit does not wrap.
     *
     * @throws IllegalArgumentException if the backend has nothing of that type
     */
    default <T> T unwrap(Class<T> type) {
        if (type.isInstance(this)) {
            return type.cast(this);
        }
        throw new IllegalArgumentException(name() + " backend cannot be unwrapped to " + type.getName());
    }

    /**
     * Releases connections and threads. Idempotent. After close every operation fails: a sync method throws, an
     * async one returns a failed future (or throws), with a {@link io.cachekit.CacheBackendException} whose
     * message says the backend is closed; never a miss or a silent no-op. The backend contract checks it.
     */
    @Override
    void close();
}
