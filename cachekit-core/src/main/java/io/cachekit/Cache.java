package io.cachekit;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A cache namespace on one backend: what applications hold and call.
 *
 * <p>Create one with {@link Cachekit#fromUri(String)} or {@link Cachekit#create(CachekitConfig)}; derive
 * others on the same backend with {@link #withNamespace(String)}. Every entry belongs to this cache's
 * namespace, and {@link #clear()} removes that namespace only.
 *
 * <h2>Values</h2>
 *
 * Any value the configured codec can write (JSON by default: records, beans, collections, {@code
 * java.time} types), {@code byte[]} and {@code String} (stored as they are), and {@code null}: a cached
 * null is a hit, which {@link #find} (and {@link #getWithTtl}) tells apart from a miss; {@link #get} returns
 * {@code null} for both. Reads decode into the type asked for; generic types are asked for with a {@link TypeRef}.
 * Nullness is declared with JSpecify: what may be null is marked {@code @Nullable}, everything else is not.
 *
 * <h2>TTL</h2>
 *
 * Every write has a time to live: the configured default when none is given, a positive {@code Duration},
 * or {@link #NO_EXPIRY} for an entry that never expires. A zero or negative TTL is rejected with an {@link
 * IllegalArgumentException}: it is never read as "forever" or as "the default".
 *
 * <h2>Tags</h2>
 *
 * Writes may tag an entry ({@link Tags#of}, such as {@code user:42} and {@code org:7});
 * {@link #invalidateTags} then makes every entry carrying one of the tags a miss, in every namespace of this
 * cache's key prefix and in every process sharing the store, without knowing their keys. Invalidation writes one
 * small entry per tag, never scans; a read of a tagged entry costs one more bulk read (of its tags' versions), a
 * read of an untagged entry nothing more. See {@code docs/tags.md}.
 *
 * <h2>Errors</h2>
 *
 * Keys and types must not be null ({@link NullPointerException}). A backend failure throws a {@link
 * CacheBackendException} (or {@link CacheTimeoutException}) under {@link ErrorPolicy#THROW}, the default,
 * or reads as a miss under {@link ErrorPolicy#FAIL_OPEN}. A live entry read as a type it does not fit is
 * never returned: the read throws an {@link IllegalStateException} naming both types and the entry stays (as
 * Spring's {@code Cache.get(key, type)} does), on every backend alike. Only stored bytes that are not a
 * readable entry are corrupt: they are counted, deleted and reported as a miss. A value the codec cannot
 * write throws {@link CacheSerializationException}.
 *
 * <h2>Threads</h2>
 *
 * Thread-safe. Sync methods block the caller for at most the configured operation timeout; use {@link
 * #async()} on event loops.
 */
public interface Cache extends AutoCloseable {

    /** The TTL of an entry that never expires. */
    Duration NO_EXPIRY = ChronoUnit.FOREVER.getDuration();

    /** This cache's namespace, without the global key prefix. */
    String namespace();

    /** Returns the value, or {@code null} on a miss or for a cached null; {@link #find} tells them apart. */
    <T> @Nullable T get(String key, Class<T> type);

    /** Returns the value decoded into a generic type, or {@code null} on a miss or for a cached null. */
    <T> @Nullable T get(String key, TypeRef<T> type);

    /**
     * Looks an entry up: empty on a miss, otherwise the entry, whose {@link CacheEntry#value() value} is {@code
     * null} for a cached null. So a miss, a cached null and a value are three different answers; {@code
     * find(key, type).map(CacheEntry::value)} gives the value with a cached null read as empty. Counts and fails
     * as {@link #get} does.
     */
    default <T> Optional<CacheEntry<T>> find(String key, Class<T> type) {
        return Optional.ofNullable(getWithTtl(key, type));
    }

    /** {@link #find(String, Class)} for a generic type. */
    default <T> Optional<CacheEntry<T>> find(String key, TypeRef<T> type) {
        return Optional.ofNullable(getWithTtl(key, type));
    }

    /** Returns the value with its remaining TTL, or {@code null} on a miss. */
    <T> @Nullable CacheEntry<T> getWithTtl(String key, Class<T> type);

    /** Returns the value with its remaining TTL, or {@code null} on a miss. */
    <T> @Nullable CacheEntry<T> getWithTtl(String key, TypeRef<T> type);

    /** Stores {@code value} (which may be null) with the default TTL. */
    void set(String key, @Nullable Object value);

    /**
     * Stores {@code value} (which may be null) with {@code ttl} ({@code null} for the default), replacing any earlier
     * value and expiry.
     */
    void set(String key, @Nullable Object value, @Nullable Duration ttl);

    /**
     * Stores {@code value} (which may be null) with {@code ttl} ({@code null} for the default), tagged with {@code
     * tags}. The tags' versions are read before the write: an invalidation of one of them that returns before that
     * read leaves this entry valid, so compute the value after any change it depends on, or use {@link
     * #getOrLoad(String, Class, Duration, Tags, CacheLoader)}, which reads them before the loader runs.
     *
     * @throws IllegalArgumentException for a bad TTL
     */
    void set(String key, @Nullable Object value, @Nullable Duration ttl, Tags tags);

    /**
     * Stores {@code value} (which may be null) with {@code ttl} ({@code null} for the default) only when no live
     * entry exists, and tells whether it did. Atomic on stores with a conditional write (the in-memory, Redis and
     * PostgreSQL backends): of concurrent callers in every process, one writes. An expired or corrupt entry in
     * the way is replaced.
     */
    boolean setIfAbsent(String key, @Nullable Object value, @Nullable Duration ttl);

    /**
     * {@link #setIfAbsent(String, Object, Duration)} of an entry tagged with {@code tags}. An entry in the way whose
     * tags were invalidated is no live entry, and is replaced.
     */
    boolean setIfAbsent(String key, @Nullable Object value, @Nullable Duration ttl, Tags tags);

    /** Removes the entry; removing an absent key is not an error. */
    void delete(String key);

    /** Whether a live entry exists (a cached null counts). */
    boolean has(String key);

    /** Removes every entry of this namespace, and nothing of any other namespace. */
    void clear();

    /** Returns the hits among {@code keys}: absent keys are left out, cached nulls map to null. */
    <T> Map<String, @Nullable T> getMany(Collection<String> keys, Class<T> type);

    /** Returns the hits among {@code keys}, decoded into a generic type. */
    <T> Map<String, @Nullable T> getMany(Collection<String> keys, TypeRef<T> type);

    /** Stores every entry (values may be null) with the default TTL. */
    void setMany(Map<String, ?> entries);

    /** Stores every entry (values may be null) with {@code ttl} ({@code null} for the default). */
    void setMany(Map<String, ?> entries, @Nullable Duration ttl);

    /**
     * Stores every entry with {@code ttl} ({@code null} for the default), each tagged with {@code tags}; the tags'
     * versions are read once, before the write (see {@link #set(String, Object, Duration, Tags)}).
     */
    void setMany(Map<String, ?> entries, @Nullable Duration ttl, Tags tags);

    /**
     * Makes every entry tagged with one of {@code tags} a miss: in every namespace of this cache's key prefix, and
     * in every process on the same store once this returns (unless a process opted into {@link
     * CachekitConfig#tagVersionCache()}, which bounds how late it sees it). One bulk write of a new version per
     * tag, however many entries carry it; the entries themselves stay in the store until their TTL or the next
     * write of their key. Runs even while caching is disabled, so that a process with caching off still
     * invalidates what others cached. Invalidating a tag no entry carries is not an error.
     *
     * @throws IllegalArgumentException for an empty tag or one over {@value Tags#MAX_LENGTH} characters
     */
    void invalidateTags(String... tags);

    /** {@link #invalidateTags(String...)} of a collection. */
    void invalidateTags(Collection<String> tags);

    /**
     * Returns the cached value, or runs {@code loader}, caches its result with {@code ttl} and returns it.
     *
     * <p>Single-flight: while a load of a key runs, other callers of that key and type in this process (sync
     * or async) wait for it and receive its value, or its exception; a caller asking for the key as another
     * type never receives this load's value. Waiters wait at most {@link CachekitConfig#loadTimeout()}, then
     * run the loader themselves (without writing); a waiting thread can be interrupted ({@link
     * CacheLoaderException}, with the interrupt flag kept). A loader that asks for its own key on its own
     * thread fails at once with an {@link IllegalStateException} instead of waiting for itself. A failed load
     * caches nothing. A null result is cached. An entry of another type throws as {@link #get} does.
     */
    <T> @Nullable T getOrLoad(String key, Class<T> type, @Nullable Duration ttl, CacheLoader<? extends T> loader);

    /** {@link #getOrLoad(String, Class, Duration, CacheLoader)} for a generic type. */
    <T> @Nullable T getOrLoad(String key, TypeRef<T> type, @Nullable Duration ttl, CacheLoader<? extends T> loader);

    /**
     * {@link #getOrLoad(String, Class, Duration, CacheLoader)} writing an entry tagged with {@code tags}. The tags'
     * versions are read before the loader runs, so an invalidation that lands while it runs leaves the entry it
     * writes invalid, never the old value visible. A caller that waited for another caller's load checks the entry
     * that load wrote against the tags' current versions, and loads by itself when it was invalidated meanwhile.
     */
    <T> @Nullable T getOrLoad(
            String key, Class<T> type, @Nullable Duration ttl, Tags tags, CacheLoader<? extends T> loader);

    /** {@link #getOrLoad(String, Class, Duration, Tags, CacheLoader)} for a generic type. */
    <T> @Nullable T getOrLoad(
            String key, TypeRef<T> type, @Nullable Duration ttl, Tags tags, CacheLoader<? extends T> loader);

    /**
     * {@link #getOrLoad(String, Class, Duration, CacheLoader)} with a stale window: an entry older than {@code
     * ttl} but younger than {@code ttl + staleFor} is returned at once while one caller refreshes it with
     * {@code loader} on the configured executor; while that refresh fails (the loader or the store), the stale
     * value keeps being returned and the failure is logged at a limited rate and counted as a load failure.
     *
     * @param ttl the fresh time: positive, {@code null} for the default, or {@link #NO_EXPIRY}
     * @param staleFor positive
     * @throws IllegalArgumentException if {@code staleFor} is zero or negative
     */
    <T> @Nullable T getOrLoad(
            String key, TypeRef<T> type, @Nullable Duration ttl, Duration staleFor, CacheLoader<? extends T> loader);

    /** {@link #getOrLoad(String, TypeRef, Duration, Duration, CacheLoader)} for a class. */
    default <T> @Nullable T getOrLoad(
            String key, Class<T> type, @Nullable Duration ttl, Duration staleFor, CacheLoader<? extends T> loader) {
        return getOrLoad(key, TypeRef.of(type), ttl, staleFor, loader);
    }

    /**
     * A stale window and tags together: the entry is served stale past {@code ttl} while one caller refreshes it
     * (see {@link #getOrLoad(String, TypeRef, Duration, Duration, CacheLoader)}), but never once one of its tags
     * was invalidated: an invalidated entry is a miss, fresh or stale.
     */
    <T> @Nullable T getOrLoad(
            String key,
            TypeRef<T> type,
            @Nullable Duration ttl,
            Duration staleFor,
            Tags tags,
            CacheLoader<? extends T> loader);

    /** {@link #getOrLoad(String, Class, Duration, CacheLoader)} with the default TTL. */
    default <T> @Nullable T getOrLoad(String key, Class<T> type, CacheLoader<? extends T> loader) {
        return getOrLoad(key, type, null, loader);
    }

    /** {@link #getOrLoad(String, TypeRef, Duration, CacheLoader)} with the default TTL. */
    default <T> @Nullable T getOrLoad(String key, TypeRef<T> type, CacheLoader<? extends T> loader) {
        return getOrLoad(key, type, null, loader);
    }

    /** The same operations, returning futures that never block the calling thread. */
    AsyncCache async();

    /**
     * A view of another namespace on the same backend and configuration, sharing this cache's backend, loads in
     * flight and counters. It lives as long as the cache {@link Cachekit} created: closing the view does not
     * close the backend (see {@link #close()}).
     */
    Cache withNamespace(String namespace);

    /**
     * What this cache knows of its store's health: still connecting, up, or failing fast behind an open
     * circuit breaker. Never blocks and never calls the store.
     */
    BackendStatus backendStatus();

    /**
     * Wraps {@code target} in a proxy of {@code type} that caches the results of the methods annotated with
     * {@link Cached} and evicts for {@link CacheEvict}.
     *
     * <p>Default keys name {@code type} (so two interfaces inheriting one method never share entries) and the
     * target's class when its name is stable across JVMs (not a lambda, proxy, hidden, anonymous, local or
     * synthetic class). A second unnamed proxy of {@code type} in this namespace over another live target that
     * nothing tells apart from the first (same class, or a class without a stable name) is refused: name them
     * with {@link #proxy(Class, Object, String)}. Generic return types are resolved against {@code type} (then
     * the target's class), so {@code Repo<T>.find} returns {@code User} on a {@code UserRepo extends
     * Repo<User>}.
     *
     * <p>Fails fast, at this call, with an {@link IllegalArgumentException} naming the method: for an invalid
     * annotation, and for a return type whose values cannot be cached (a {@code Stream}, {@code Iterator},
     * {@code Iterable} that is not a {@code Collection}, {@code InputStream}, {@code Reader}, an {@code Optional}
     * or future of those, or a type variable that cannot be resolved). {@code Optional} results are cached as
     * they are (an empty one too), {@code CompletableFuture} and {@code CompletionStage} results when they
     * complete normally.
     *
     * @param type an interface
     * @throws IllegalStateException for a second proxy that nothing tells apart from the first
     */
    <T> T proxy(Class<T> type, T target);

    /**
     * {@link #proxy(Class, Object)} named {@code name}: its default keys name {@code name} instead of the
     * target's class, so proxies of one interface over different targets (one per shop, per region...) each
     * have their own entries. Proxies with the same name share entries.
     *
     * @param name a name stable across restarts, such as {@code "ebay"}
     */
    <T> T proxy(Class<T> type, T target, String name);

    /**
     * Caches a function's results by argument under the stable name {@code name}: a lambda has no identity
     * that survives a restart, so its name is part of every key. Backend failures fail open.
     */
    <A, R> Function<A, R> memoize(String name, TypeRef<R> resultType, @Nullable Duration ttl, Function<A, R> function);

    /** {@link #memoize(String, TypeRef, Duration, Function)} for a supplier: one cached value. */
    <R> Supplier<R> memoize(String name, TypeRef<R> resultType, @Nullable Duration ttl, Supplier<R> supplier);

    /** Counters of this namespace. */
    CacheStats stats();

    /** The configuration this cache was created with. */
    CachekitConfig config();

    /** Reaches the backend or its native client (see {@link io.cachekit.spi.CacheBackend#unwrap}). */
    <T> T unwrap(Class<T> type);

    /**
     * Closes this cache. The cache that {@link Cachekit} created owns the backend: closing it closes the backend,
     * and from then on every operation of it and of every view made with {@link #withNamespace} fails (a backend
     * failure saying the backend is closed, thrown under {@link ErrorPolicy#THROW} and logged as a miss under
     * {@link ErrorPolicy#FAIL_OPEN}; the in-memory backend holding references throws it under either). A view
     * owns nothing: closing it does nothing, and the backend stays open for the cache it came from and its other
     * views, so a view may be used in a try-with-resources block. Idempotent.
     */
    @Override
    void close();
}
