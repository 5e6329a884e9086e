package io.cachekit.internal;

import io.cachekit.CacheEntry;
import io.cachekit.ErrorPolicy;
import io.cachekit.memory.MemoryBackend;
import io.cachekit.spi.CacheBackend;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The value path over an in-memory backend that holds references: values are kept as they are, so a hit costs
 * a lookup, one deadline check, a type check and a per-thread counter increment, with no codec and no
 * allocation besides the lookup key. Entries written through the byte SPI (bytes, not references) are read as
 * envelopes. Never blocks, so the async methods return completed futures. Thread-safe.
 */
final class ReferenceStore extends ValueStore {
    private final MemoryBackend memory;

    ReferenceStore(CacheRuntime runtime, String storedNamespace) {
        super(runtime, storedNamespace);
        this.memory = (MemoryBackend) runtime.backend;
    }

    /** Whether {@code backend} is an in-memory backend holding references. */
    static boolean supports(CacheBackend backend) {
        return backend instanceof MemoryBackend m && m.storesReferences();
    }

    /** Whether the backend's own work is too cheap to be worth timing or counting evictions of elsewhere. */
    static boolean inMemory(CacheBackend backend) {
        return backend instanceof MemoryBackend;
    }

    /** Entries the in-memory backend dropped in {@code storedNamespace}; 0 for other backends. */
    static long evictions(CacheBackend backend, String storedNamespace) {
        return backend instanceof MemoryBackend m ? m.evictionCount(storedNamespace) : 0L;
    }

    @Override
    Object get(String key, Type type, Class<?> raw, ErrorPolicy policy, int flags) {
        Object v = memory.getReference(storedNamespace, key);
        // The common hit, a plain object of the very class asked for, in a method small enough to be inlined whole.
        if (v != null && v.getClass() == raw && raw != MemoryBackend.EncodedEntry.class) {
            return hit(v, flags);
        }
        return other(key, v, type, raw, policy, flags);
    }

    /** {@link #get} of anything but the common hit: a miss, a cached null, bytes, a wrapped or a subclass value. */
    private Object other(String key, Object v, Type type, Class<?> raw, ErrorPolicy policy, int flags) {
        if (v == null) {
            return miss(flags);
        }
        if (v == MemoryBackend.NULL_VALUE) {
            return hit(null, flags);
        }
        if (v instanceof MemoryBackend.EncodedEntry e) {
            if (invalidated(v, policy)) {
                return miss(flags);
            }
            Object decoded = outcome(key, entries.decode(e.bytes(), type, raw), type, flags, false);
            return (flags & FRESHNESS) != 0 && !isMiss(decoded) && entries.isStale(e.bytes())
                    ? new Stale(decoded)
                    : decoded;
        }
        if (v instanceof Wrapped w) {
            if (w.stamp != null && invalidated(w, policy)) {
                return miss(flags);
            }
            Object r = w.value == null ? hit(null, flags) : typed(key, w.value, type, raw, flags);
            return (flags & FRESHNESS) != 0 && !isMiss(r) && clock.millis() >= w.freshUntilMillis ? new Stale(r) : r;
        }
        return typed(key, v, type, raw, flags);
    }

    /** Whether a stored object is a tagged entry whose tags were invalidated (or cannot be checked). */
    private boolean invalidated(Object v, ErrorPolicy policy) {
        TagStamp stamp = null;
        if (v instanceof Wrapped w) {
            stamp = w.stamp;
        } else if (v instanceof MemoryBackend.EncodedEntry e
                && entries.isLive(e.bytes())
                && Envelope.hasTags(e.bytes())) {
            stamp = Envelope.tags(e.bytes());
        }
        return stamp != null && tags().check(stamp, policy) != TagVersions.VALID;
    }

    private Object typed(String key, Object v, Type type, Class<?> raw, int flags) {
        if (!raw.isInstance(v)) {
            return mismatch(key, v.getClass().getTypeName(), type, flags);
        }
        return hit(v, flags);
    }

    @Override
    CompletableFuture<Object> getAsync(String key, Type type, Class<?> raw, ErrorPolicy policy, int flags) {
        return completed(() -> get(key, type, raw, policy, flags));
    }

    @Override
    CacheEntry<Object> getEntry(String key, Type type, Class<?> raw, ErrorPolicy policy) {
        Object v = get(key, type, raw, policy, COUNT | STRICT);
        if (v == MISS) {
            return null;
        }
        return new CacheEntry<>(v, remaining(memory.expiresAt(storedNamespace, key)));
    }

    @Override
    CompletableFuture<CacheEntry<Object>> getEntryAsync(String key, Type type, Class<?> raw, ErrorPolicy policy) {
        return completed(() -> getEntry(key, type, raw, policy));
    }

    @Override
    Map<String, Object> getMany(List<String> keys, Type type, Class<?> raw, ErrorPolicy policy, int flags) {
        Map<String, Object> found = new LinkedHashMap<>();
        for (String key : keys) {
            Object v = get(key, type, raw, policy, flags);
            if (v != MISS) {
                found.put(key, v);
            }
        }
        return found;
    }

    @Override
    CompletableFuture<Map<String, Object>> getManyAsync(
            List<String> keys, Type type, Class<?> raw, ErrorPolicy policy, int flags) {
        return completed(() -> getMany(keys, type, raw, policy, flags));
    }

    @Override
    void set(String key, Object value, Duration resolvedTtl, ErrorPolicy policy) {
        memory.setReference(storedNamespace, key, value, storeTtl(resolvedTtl));
        stats.puts.increment();
    }

    /**
     * An object kept with a stale window or tags: fresh until {@code freshUntilMillis} ({@code Long.MAX_VALUE} for
     * no window), then stale until the backend's deadline; valid while the versions of {@code stamp} are current
     * (null: untagged). Only entries written with a window or tags pay for this wrapper, and a hit on any other
     * entry makes no more type checks for it than before.
     */
    private record Wrapped(Object value, long freshUntilMillis, TagStamp stamp) {}

    @Override
    void write(String key, Object value, Duration resolvedTtl, Duration staleFor, TagStamp stamp, ErrorPolicy policy) {
        boolean window = staleFor != null && resolvedTtl != io.cachekit.Cache.NO_EXPIRY;
        if (!window && stamp == null) {
            set(key, value, resolvedTtl, policy);
            return;
        }
        long freshUntil = Long.MAX_VALUE;
        Duration ttl = resolvedTtl;
        if (window) {
            long now = clock.millis();
            freshUntil = resolvedTtl.toMillis() > Long.MAX_VALUE - now ? Long.MAX_VALUE : now + resolvedTtl.toMillis();
            ttl = hardTtl(resolvedTtl, staleFor);
        }
        memory.setReference(storedNamespace, key, new Wrapped(value, freshUntil, stamp), storeTtl(ttl));
        stats.puts.increment();
    }

    @Override
    CompletableFuture<Void> writeAsync(
            String key, Object value, Duration resolvedTtl, Duration staleFor, TagStamp stamp, ErrorPolicy policy) {
        return completed(() -> {
            write(key, value, resolvedTtl, staleFor, stamp, policy);
            return null;
        });
    }

    @Override
    CompletableFuture<Void> setAsync(String key, Object value, Duration resolvedTtl, ErrorPolicy policy) {
        return completed(() -> {
            set(key, value, resolvedTtl, policy);
            return null;
        });
    }

    @Override
    void setMany(Map<String, ?> values, Duration resolvedTtl, TagStamp stamp, ErrorPolicy policy) {
        values.forEach((k, v) -> write(Objects.requireNonNull(k, "key"), v, resolvedTtl, null, stamp, policy));
    }

    @Override
    CompletableFuture<Void> setManyAsync(
            Map<String, ?> values, Duration resolvedTtl, TagStamp stamp, ErrorPolicy policy) {
        return completed(() -> {
            setMany(values, resolvedTtl, stamp, policy);
            return null;
        });
    }

    @Override
    boolean setIfAbsent(String key, Object value, Duration resolvedTtl, TagStamp stamp, ErrorPolicy policy) {
        Object stored = stamp == null ? value : new Wrapped(value, Long.MAX_VALUE, stamp);
        Object existing = memory.setReferenceIfAbsent(storedNamespace, key, stored, storeTtl(resolvedTtl));
        if ((existing instanceof MemoryBackend.EncodedEntry e && !entries.isLive(e.bytes()))
                || (existing != null && invalidated(existing, policy))) {
            // Bytes written through the SPI whose own expiry has passed, or an entry whose tags were invalidated:
            // replace them.
            memory.setReference(storedNamespace, key, stored, storeTtl(resolvedTtl));
            existing = null;
        }
        if (existing == null) {
            stats.puts.increment();
            return true;
        }
        return false;
    }

    @Override
    CompletableFuture<Boolean> setIfAbsentAsync(
            String key, Object value, Duration resolvedTtl, TagStamp stamp, ErrorPolicy policy) {
        return completed(() -> setIfAbsent(key, value, resolvedTtl, stamp, policy));
    }

    @Override
    boolean has(String key, ErrorPolicy policy) {
        Object v = memory.getReference(storedNamespace, key);
        if (v instanceof MemoryBackend.EncodedEntry e && !entries.isLive(e.bytes())) {
            return false;
        }
        return v != null && !invalidated(v, policy);
    }

    @Override
    CompletableFuture<Boolean> hasAsync(String key, ErrorPolicy policy) {
        return completed(() -> has(key, policy));
    }
}
