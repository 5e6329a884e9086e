package io.cachekit.memory;

import com.github.benmanes.caffeine.cache.Caffeine;
import io.cachekit.CacheBackendException;
import io.cachekit.spi.BackendContext;
import io.cachekit.spi.CacheBackend;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * The in-memory backend, on Caffeine: bounded by entry count (or by bytes when storing by value), with a
 * TTL per entry.
 *
 * <p>Caffeine bounds the cache; the TTL is checked by this class on every read, against the deadline the
 * entry was written with (one clock read per hit, and no bookkeeping on a hit, which Caffeine's own expiry
 * would add). An expired entry is removed when it is read, and counted as an eviction; one that is never
 * read again stays until the size bound evicts it or its namespace is cleared, so memory stays bounded.
 *
 * <p>It starts no thread: Caffeine's maintenance (eviction) runs on the calling threads. By default
 * values are held by reference, so a hit costs no decoding; the {@code Cache} uses {@link
 * #getReference}/{@link #setReference} for that. The byte methods of {@link CacheBackend} hold encoded
 * entries; an entry stored one way is not readable the other way ({@link #get} of an entry stored by
 * reference fails with a {@link CacheBackendException}).
 *
 * <p>{@link #clear(String)} walks every entry of the cache to remove one namespace: O(entries), no I/O.
 *
 * <p>Thread-safe. Operations never block on I/O, so the async methods return completed futures.
 */
public final class MemoryBackend implements CacheBackend {
    /** Stands for a cached null in {@link #getReference}. */
    public static final Object NULL_VALUE = new Object() {
        @Override
        public String toString() {
            return "NULL_VALUE";
        }
    };

    /** The deadline of an entry that never expires. */
    private static final long NEVER = Long.MAX_VALUE;
    /** TTLs from this length on never expire: the deadline would overflow the tick counter. */
    private static final long MAX_TTL_NANOS = Long.MAX_VALUE / 4;

    private final MemoryBackendOptions options;
    private final Clock clock;
    /** Whether ticks come from System.nanoTime (the system clock) rather than from {@link #clock}. */
    private final boolean systemTicks;

    private final com.github.benmanes.caffeine.cache.Cache<NamespacedKey, Entry> cache;
    private final ConcurrentMap<String, LongAdder> evictions = new ConcurrentHashMap<>();
    /** Entries per namespace: up on an insert of a new key, down on every removal (explicit, expiry or size). */
    private final ConcurrentMap<String, LongAdder> sizes = new ConcurrentHashMap<>();
    /** Set by {@link #close}; every operation checks it, so a closed backend never looks like an empty one. */
    private volatile boolean closed;

    /** Creates a backend with the given options; the context's clock drives expiry. */
    public MemoryBackend(MemoryBackendOptions options, BackendContext context) {
        this.options = Objects.requireNonNull(options, "options");
        this.clock = context.clock();
        this.systemTicks = clock.equals(Clock.systemUTC()) || clock.equals(Clock.systemDefaultZone());
        Caffeine<Object, Object> builder = Caffeine.newBuilder().executor(Runnable::run); // no thread of its own
        if (options.maxWeightBytes() > 0) {
            builder.maximumWeight(options.maxWeightBytes()).weigher((NamespacedKey k, Entry e) -> e.weight(k));
        } else {
            builder.maximumSize(options.maxSize());
        }
        this.cache = builder.evictionListener(
                        (NamespacedKey k, Entry e, com.github.benmanes.caffeine.cache.RemovalCause cause) -> {
                            if (k != null && cause.wasEvicted()) {
                                countEviction(k.namespace);
                                resize(k.namespace, -1);
                            }
                        })
                .build();
    }

    /** Monotonic nanoseconds for the system clock; the configured clock's time otherwise (tests). */
    private long tick() {
        return systemTicks ? System.nanoTime() : clock.millis() * 1_000_000L;
    }

    /** The live entry of a key: null when absent, and removed (counted as evicted) when expired. */
    private Entry live(NamespacedKey k) {
        Entry e = cache.getIfPresent(k);
        if (e == null || e.deadline == NEVER || tick() - e.deadline < 0) {
            return e;
        }
        if (cache.asMap().remove(k, e)) {
            countEviction(k.namespace);
            resize(k.namespace, -1);
        }
        return null;
    }

    private void countEviction(String namespace) {
        evictions.computeIfAbsent(namespace, ns -> new LongAdder()).increment();
    }

    private void resize(String namespace, int delta) {
        sizes.computeIfAbsent(namespace, ns -> new LongAdder()).add(delta);
    }

    /** Puts an entry, counting it when its key was absent. */
    private void put(NamespacedKey k, Entry e) {
        if (cache.asMap().put(k, e) == null) {
            resize(k.namespace, 1);
        }
    }

    @Override
    public String name() {
        return "memory";
    }

    /** The options this backend was created with. */
    public MemoryBackendOptions options() {
        return options;
    }

    /** Whether the cache should hold values by reference (the default) rather than encoded. */
    public boolean storesReferences() {
        return !options.storeByValue();
    }

    /**
     * Returns the value stored by reference: {@code null} when absent or expired, {@link #NULL_VALUE} for a
     * cached null, an {@link EncodedEntry} when the entry was stored as bytes, otherwise the object itself.
     */
    public @Nullable Object getReference(String namespace, String key) {
        checkOpen("get");
        Entry e = live(new NamespacedKey(namespace, key));
        if (e == null) {
            return null;
        }
        return e.encoded ? new EncodedEntry((byte[]) e.value) : e.value;
    }

    /**
     * The absolute expiry (epoch millis of the backend's clock) of a live entry, {@code 0} when it never
     * expires, or {@code -1} when absent.
     */
    public long expiresAt(String namespace, String key) {
        checkOpen("get");
        Entry e = live(new NamespacedKey(namespace, key));
        return e == null ? -1 : e.expiresAtMillis;
    }

    /** Stores {@code value} (which may be null) by reference; {@code ttl} null means never. */
    public void setReference(String namespace, String key, @Nullable Object value, @Nullable Duration ttl) {
        checkOpen("set");
        put(new NamespacedKey(namespace, key), newEntry(value == null ? NULL_VALUE : value, false, ttl));
    }

    /**
     * Stores {@code value} by reference only when the key holds no live entry, atomically; returns {@code null}
     * when it was stored, otherwise what {@link #getReference} returns for the entry left in place.
     */
    public @Nullable Object setReferenceIfAbsent(
            String namespace, String key, @Nullable Object value, @Nullable Duration ttl) {
        checkOpen("setIfAbsent");
        Entry existing = putIfAbsent(
                new NamespacedKey(namespace, key), newEntry(value == null ? NULL_VALUE : value, false, ttl));
        if (existing == null) {
            return null;
        }
        return existing.encoded ? new EncodedEntry((byte[]) existing.value) : existing.value;
    }

    /** Puts {@code fresh} unless a live entry exists, which is returned; an expired one is replaced. */
    private Entry putIfAbsent(NamespacedKey k, Entry fresh) {
        Entry[] existing = new Entry[1];
        boolean[] inserted = new boolean[1];
        cache.asMap().compute(k, (ignored, old) -> {
            if (old != null && (old.deadline == NEVER || tick() - old.deadline < 0)) {
                existing[0] = old;
                return old;
            }
            inserted[0] = old == null;
            return fresh;
        });
        if (inserted[0]) {
            resize(k.namespace, 1);
        }
        return existing[0];
    }

    /** Entries dropped for size or expiry in {@code namespace} since this backend was created. */
    public long evictionCount(String namespace) {
        LongAdder count = evictions.get(namespace);
        return count == null ? 0 : count.sum();
    }

    /**
     * The number of entries held in {@code namespace}, expired ones not read since included (they leave when read,
     * cleared or evicted); 0 once closed.
     */
    public long size(String namespace) {
        LongAdder size = sizes.get(namespace);
        return size == null ? 0 : Math.max(0, size.sum());
    }

    /** The approximate number of entries, all namespaces together. */
    public long estimatedSize() {
        return cache.estimatedSize();
    }

    @Override
    public byte @Nullable [] get(String namespace, String key) {
        checkOpen("get");
        Entry e = live(new NamespacedKey(namespace, key));
        if (e == null) {
            return null;
        }
        if (!e.encoded) {
            throw new CacheBackendException("memory entry '" + key + "' was stored by reference, not as bytes");
        }
        return (byte[]) e.value;
    }

    @Override
    public void set(String namespace, String key, byte[] value, Duration ttl) {
        checkOpen("set");
        Objects.requireNonNull(value, "value");
        put(new NamespacedKey(namespace, key), newEntry(value, true, ttl));
    }

    @Override
    public byte @Nullable [] setIfAbsent(String namespace, String key, byte[] value, @Nullable Duration ttl) {
        checkOpen("setIfAbsent");
        Objects.requireNonNull(value, "value");
        Entry existing = putIfAbsent(new NamespacedKey(namespace, key), newEntry(value, true, ttl));
        if (existing != null && !existing.encoded) {
            throw new CacheBackendException("memory entry '" + key + "' was stored by reference, not as bytes");
        }
        return existing == null ? null : (byte[]) existing.value;
    }

    @Override
    public CompletableFuture<byte[]> setIfAbsentAsync(String namespace, String key, byte[] value, Duration ttl) {
        try {
            return CompletableFuture.completedFuture(setIfAbsent(namespace, key, value, ttl));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public void delete(String namespace, String key) {
        checkOpen("delete");
        NamespacedKey k = new NamespacedKey(namespace, key);
        if (cache.asMap().remove(k) != null) {
            resize(namespace, -1);
        }
    }

    @Override
    public void clear(String namespace) {
        checkOpen("clear");
        for (NamespacedKey k : cache.asMap().keySet()) {
            if (k.namespace.equals(namespace) && cache.asMap().remove(k) != null) {
                resize(namespace, -1);
            }
        }
    }

    @Override
    public Map<String, byte[]> getMany(String namespace, Collection<String> keys) {
        checkOpen("getMany");
        Map<String, byte[]> found = new HashMap<>();
        for (String key : keys) {
            byte[] value = get(namespace, key);
            if (value != null) {
                found.put(key, value);
            }
        }
        return found;
    }

    @Override
    public CompletableFuture<byte[]> getAsync(String namespace, String key) {
        try {
            return CompletableFuture.completedFuture(get(namespace, key));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletableFuture<Void> setAsync(String namespace, String key, byte[] value, Duration ttl) {
        return run(() -> set(namespace, key, value, ttl));
    }

    @Override
    public CompletableFuture<Void> deleteAsync(String namespace, String key) {
        return run(() -> delete(namespace, key));
    }

    @Override
    public CompletableFuture<Void> clearAsync(String namespace) {
        return run(() -> clear(namespace));
    }

    @Override
    public CompletableFuture<Map<String, byte[]>> getManyAsync(String namespace, Collection<String> keys) {
        try {
            return CompletableFuture.completedFuture(getMany(namespace, keys));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletableFuture<Void> setManyAsync(String namespace, Map<String, byte[]> entries, Duration ttl) {
        return run(() -> setMany(namespace, entries, ttl));
    }

    private static CompletableFuture<Void> run(Runnable r) {
        try {
            r.run();
            return CompletableFuture.completedFuture(null);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public <T> T unwrap(Class<T> type) {
        if (type.isInstance(cache)) {
            return type.cast(cache);
        }
        return CacheBackend.super.unwrap(type);
    }

    /**
     * Drops every entry; from then on every operation fails with a {@link CacheBackendException} saying the
     * backend is closed. Idempotent.
     */
    @Override
    public void close() {
        closed = true;
        cache.invalidateAll();
        sizes.clear();
    }

    private void checkOpen(String operation) {
        if (closed) {
            throw new CacheBackendException("memory " + operation + ": the backend is closed");
        }
    }

    private Entry newEntry(Object value, boolean encoded, Duration ttl) {
        long ttlNanos = ttl == null ? NEVER : saturatedNanos(ttl);
        if (ttlNanos >= MAX_TTL_NANOS) {
            return new Entry(value, encoded, NEVER, 0);
        }
        return new Entry(value, encoded, tick() + ttlNanos, clock.millis() + ttl.toMillis());
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return NEVER;
        }
    }

    /** Bytes stored by the byte methods, returned by {@link #getReference}. */
    public record EncodedEntry(byte[] bytes) {}

    /** (namespace, key), with the hash computed once. */
    static final class NamespacedKey {
        final String namespace;
        final String key;
        private final int hash;

        NamespacedKey(String namespace, String key) {
            this.namespace = namespace;
            this.key = key;
            this.hash = 31 * namespace.hashCode() + key.hashCode();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof NamespacedKey other && key.equals(other.key) && namespace.equals(other.namespace);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    /** A stored value with its deadline in ticks ({@link #NEVER} = never) and its expiry in epoch millis. */
    static final class Entry {
        final Object value;
        final boolean encoded;
        final long deadline;
        final long expiresAtMillis;

        Entry(Object value, boolean encoded, long deadline, long expiresAtMillis) {
            this.value = value;
            this.encoded = encoded;
            this.deadline = deadline;
            this.expiresAtMillis = expiresAtMillis;
        }

        int weight(NamespacedKey k) {
            long w = 2L * (k.key.length() + k.namespace.length()) + 64 + (encoded ? ((byte[]) value).length : 0);
            return (int) Math.min(Integer.MAX_VALUE, w);
        }
    }
}
