package io.cachekit.memory;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Policy;
import com.github.benmanes.caffeine.cache.RemovalCause;
import io.cachekit.CacheBackendException;
import io.cachekit.memory.StoredForms.DeadlineExpiry;
import io.cachekit.memory.StoredForms.NamespacedKey;
import io.cachekit.memory.StoredForms.Timed;
import io.cachekit.spi.BackendContext;
import io.cachekit.spi.CacheBackend;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
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
 * <p>Layout: an entry without expiry is stored as the value itself; an entry with a TTL as the value and its
 * deadline (one small object). The keys of the backend's first namespace are the keys themselves; those of other
 * namespaces pair namespace and key.
 *
 * <p>TTLs are exact: a read of an entry with a TTL checks its deadline against the backend's clock (one clock
 * read, as Caffeine's own expiry makes), so an entry past its TTL is never returned; a read of an entry without
 * expiry reads no clock. Expired entries are also freed without being read: Caffeine's variable expiry holds
 * every deadline in its timer wheel, which its maintenance advances on the calling threads (after writes, and
 * after reads every so often) to the latest time this backend read from its clock (on writes and on reads of
 * entries with a TTL). An expired entry that is read is removed at once. Either way it is counted as an eviction.
 *
 * <p>It starts no thread: Caffeine's maintenance (eviction and expiry) runs on the calling threads. By default
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

    /** TTLs from this length on never expire: the deadline would overflow the tick counter. */
    private static final long MAX_TTL_NANOS = Long.MAX_VALUE / 4;
    /**
     * How far the clock must have moved before a hit publishes it to Caffeine: publishing is a write to a shared
     * field, so hits on many threads would contend on it; expiry does not need it finer.
     */
    private static final long PUBLISH_NANOS = 1_000_000L;

    private static final VarHandle LAST_TICK;
    private static final VarHandle FIRST_NAMESPACE;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            LAST_TICK = lookup.findVarHandle(MemoryBackend.class, "lastTick", long.class);
            FIRST_NAMESPACE = lookup.findVarHandle(MemoryBackend.class, "firstNamespace", String.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final MemoryBackendOptions options;
    private final Clock clock;
    /** Whether ticks come from System.nanoTime (the system clock) rather than from {@link #clock}. */
    private final boolean systemTicks;
    /** The clock's millis at tick 0 when ticks come from the clock, so ticks stay far from overflow. */
    private final long originMillis;

    private final com.github.benmanes.caffeine.cache.Cache<Object, Object> cache;
    private final Policy<Object, Object> policy;
    /**
     * Whether hits are recorded in Caffeine's eviction policy (its read buffer, drained into its frequency sketch and
     * access order). Like Caffeine itself for caches without expiry, this starts once the cache has been half full:
     * before, no eviction is near, and a quiet read costs a lookup and nothing else.
     */
    private volatile boolean recordReads;

    private final ConcurrentMap<String, LongAdder> evictions = new ConcurrentHashMap<>();
    /** Entries per namespace: up on an insert of a new key, down on every removal (explicit, expiry or size). */
    private final ConcurrentMap<String, LongAdder> sizes = new ConcurrentHashMap<>();
    /**
     * The latest tick read from the clock, which is Caffeine's time: it never runs ahead of the clock, so Caffeine
     * never drops an entry early, and it advances with every write and with reads of entries with a TTL, so its
     * maintenance frees what has expired.
     */
    @SuppressWarnings("unused") // through LAST_TICK
    private volatile long lastTick;
    /** The namespace whose keys are stored bare (the first one used); set once. */
    @SuppressWarnings("unused") // through FIRST_NAMESPACE
    private volatile String firstNamespace;
    /** Set by {@link #close}; every operation checks it, so a closed backend never looks like an empty one. */
    private volatile boolean closed;

    /** Creates a backend with the given options; the context's clock drives expiry. */
    public MemoryBackend(MemoryBackendOptions options, BackendContext context) {
        this.options = Objects.requireNonNull(options, "options");
        this.clock = context.clock();
        this.systemTicks = clock.equals(Clock.systemUTC()) || clock.equals(Clock.systemDefaultZone());
        this.originMillis = systemTicks ? 0 : clock.millis();
        this.lastTick = tick();
        Caffeine<Object, Object> builder = Caffeine.newBuilder()
                .executor(Runnable::run) // no thread of its own
                .ticker(() -> lastTick)
                .expireAfter(DeadlineExpiry.INSTANCE);
        if (options.maxWeightBytes() > 0) {
            builder.maximumWeight(options.maxWeightBytes()).weigher(this::weight);
        } else {
            builder.maximumSize(options.maxSize());
        }
        this.cache = builder.evictionListener((Object k, Object v, RemovalCause cause) -> {
                    if (k != null && cause.wasEvicted()) {
                        String namespace = namespaceOf(k);
                        countEviction(namespace);
                        resize(namespace, -1);
                    }
                })
                .build();
        this.policy = cache.policy();
        this.recordReads = options.maxWeightBytes() > 0;
    }

    /** Monotonic nanoseconds for the system clock; the configured clock's time otherwise (tests). */
    private long tick() {
        return systemTicks ? System.nanoTime() : (clock.millis() - originMillis) * 1_000_000L;
    }

    /** Reads the clock and hands the time to Caffeine. */
    private long now() {
        long now = tick();
        publish(now);
        return now;
    }

    /** Moves Caffeine's time forward to {@code now}; never backward, so it never passes the clock. */
    private void publish(long now) {
        for (long last = (long) LAST_TICK.getOpaque(this); now - last > 0; last = (long) LAST_TICK.getOpaque(this)) {
            if (LAST_TICK.compareAndSet(this, last, now)) {
                return;
            }
        }
    }

    /** The key an entry is stored under: the key itself in the first namespace, else the pair. */
    private Object keyOf(String namespace, String key) {
        String first = firstNamespace;
        if (first == namespace) {
            return key;
        }
        if (first == null) {
            FIRST_NAMESPACE.compareAndSet(this, null, namespace);
            first = firstNamespace;
        }
        return first.equals(namespace) ? key : new NamespacedKey(namespace, key);
    }

    private String namespaceOf(Object storedKey) {
        return storedKey instanceof NamespacedKey k ? k.namespace : firstNamespace;
    }

    /**
     * What is stored for a live entry: {@code null} when absent, and removed (counted as evicted) when expired;
     * otherwise the value, {@link #NULL_VALUE} or an {@link EncodedEntry}.
     */
    private Object live(Object k) {
        Object stored = recordReads ? cache.getIfPresent(k) : policy.getIfPresentQuietly(k);
        if (!(stored instanceof Timed t)) {
            return stored;
        }
        long now = tick();
        if (now - t.deadline < 0) {
            if (now - (long) LAST_TICK.getOpaque(this) >= PUBLISH_NANOS) {
                publish(now);
            }
            return t.value;
        }
        publish(now);
        // When Caffeine's time has reached the deadline too, it removes the entry as expired and counts it itself.
        if (cache.asMap().remove(k, stored)) {
            String namespace = namespaceOf(k);
            countEviction(namespace);
            resize(namespace, -1);
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
    private void put(Object k, Object stored) {
        if (cache.asMap().put(k, stored) == null) {
            inserted(k);
        }
    }

    /** Counts a new entry, and starts recording hits once the cache has been half full. */
    private void inserted(Object k) {
        resize(namespaceOf(k), 1);
        if (!recordReads && cache.estimatedSize() >= options.maxSize() / 2) {
            recordReads = true;
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
        return live(keyOf(namespace, key));
    }

    /**
     * The absolute expiry (epoch millis of the backend's clock) of a live entry, {@code 0} when it never
     * expires, or {@code -1} when absent.
     */
    public long expiresAt(String namespace, String key) {
        checkOpen("get");
        Object k = keyOf(namespace, key);
        Object stored = policy.getIfPresentQuietly(k);
        if (!(stored instanceof Timed t)) {
            return stored == null ? -1 : 0;
        }
        long remaining = t.deadline - tick();
        return remaining > 0 ? clock.millis() + remaining / 1_000_000L : -1; // an expired one is removed when read
    }

    /** Stores {@code value} (which may be null) by reference; {@code ttl} null means never. */
    public void setReference(String namespace, String key, @Nullable Object value, @Nullable Duration ttl) {
        checkOpen("set");
        put(keyOf(namespace, key), stored(value == null ? NULL_VALUE : value, ttl));
    }

    /**
     * Stores {@code value} by reference only when the key holds no live entry, atomically; returns {@code null}
     * when it was stored, otherwise what {@link #getReference} returns for the entry left in place.
     */
    public @Nullable Object setReferenceIfAbsent(
            String namespace, String key, @Nullable Object value, @Nullable Duration ttl) {
        checkOpen("setIfAbsent");
        return putIfAbsent(keyOf(namespace, key), stored(value == null ? NULL_VALUE : value, ttl));
    }

    /**
     * Puts {@code fresh} unless a live entry exists, whose value (unwrapped) is returned; an expired one is
     * replaced.
     */
    private Object putIfAbsent(Object k, Object fresh) {
        Object[] existing = new Object[1];
        boolean[] inserted = new boolean[1];
        cache.asMap().compute(k, (ignored, old) -> {
            // Caffeine passes null for an entry expired by its time; the deadline is checked against the clock.
            if (old != null && !(old instanceof Timed t && tick() - t.deadline >= 0)) {
                existing[0] = old instanceof Timed t ? t.value : old;
                return old;
            }
            inserted[0] = old == null;
            return fresh;
        });
        if (inserted[0]) {
            inserted(k);
        }
        return existing[0];
    }

    /** Entries dropped for size or expiry in {@code namespace} since this backend was created. */
    public long evictionCount(String namespace) {
        LongAdder count = evictions.get(namespace);
        return count == null ? 0 : count.sum();
    }

    /**
     * The number of entries held in {@code namespace}, expired ones not yet freed included (Caffeine's maintenance
     * frees them within about a second of their expiry while the backend is in use, and a read may free one
     * sooner); 0 once closed.
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
        Object stored = live(keyOf(namespace, key));
        if (stored == null) {
            return null;
        }
        if (!(stored instanceof EncodedEntry e)) {
            throw new CacheBackendException("memory entry '" + key + "' was stored by reference, not as bytes");
        }
        return e.bytes();
    }

    @Override
    public void set(String namespace, String key, byte[] value, Duration ttl) {
        checkOpen("set");
        Objects.requireNonNull(value, "value");
        put(keyOf(namespace, key), stored(new EncodedEntry(value), ttl));
    }

    @Override
    public byte @Nullable [] setIfAbsent(String namespace, String key, byte[] value, @Nullable Duration ttl) {
        checkOpen("setIfAbsent");
        Objects.requireNonNull(value, "value");
        Object existing = putIfAbsent(keyOf(namespace, key), stored(new EncodedEntry(value), ttl));
        if (existing == null) {
            return null;
        }
        if (!(existing instanceof EncodedEntry e)) {
            throw new CacheBackendException("memory entry '" + key + "' was stored by reference, not as bytes");
        }
        return e.bytes();
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
        // An entry Caffeine finds expired is removed as such, and counted by the eviction listener.
        if (cache.asMap().remove(keyOf(namespace, key)) != null) {
            resize(namespace, -1);
        }
    }

    @Override
    public void clear(String namespace) {
        checkOpen("clear");
        for (Object k : cache.asMap().keySet()) {
            if (namespace.equals(namespaceOf(k)) && cache.asMap().remove(k) != null) {
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

    /** What is stored for {@code value}: itself when it never expires, else with its deadline. */
    private Object stored(Object value, Duration ttl) {
        long now = now(); // every write moves Caffeine's time on, so that its maintenance frees what has expired
        long ttlNanos = ttl == null ? Long.MAX_VALUE : saturatedNanos(ttl);
        if (ttlNanos >= MAX_TTL_NANOS) {
            return value;
        }
        return new Timed(value, now + ttlNanos);
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    private int weight(Object k, Object stored) {
        long keyChars = k instanceof NamespacedKey nk
                ? nk.key.length() + nk.namespace.length()
                : ((String) k).length() + firstNamespace.length();
        Object value = stored instanceof Timed t ? t.value : stored;
        long w = 2L * keyChars + 64 + (value instanceof EncodedEntry e ? e.bytes().length : 0);
        return (int) Math.min(Integer.MAX_VALUE, w);
    }

    /** Bytes stored by the byte methods, returned by {@link #getReference}. */
    public record EncodedEntry(byte[] bytes) {}
}
