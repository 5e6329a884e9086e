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
        if (v == null) {
            return miss(flags);
        }
        if (v == MemoryBackend.NULL_VALUE) {
            return hit(null, flags);
        }
        if (v instanceof MemoryBackend.EncodedEntry e) {
            Object decoded = outcome(key, entries.decode(e.bytes(), type, raw), type, flags, false);
            return (flags & FRESHNESS) != 0 && !isMiss(decoded) && entries.isStale(e.bytes())
                    ? new Stale(decoded)
                    : decoded;
        }
        if (v instanceof Timed t) {
            Object r = t.value == null ? hit(null, flags) : typed(key, t.value, type, raw, flags);
            return (flags & FRESHNESS) != 0 && !isMiss(r) && clock.millis() >= t.freshUntilMillis ? new Stale(r) : r;
        }
        return typed(key, v, type, raw, flags);
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
    Map<String, Object> getMany(List<String> keys, Type type, Class<?> raw, ErrorPolicy policy) {
        Map<String, Object> found = new LinkedHashMap<>();
        for (String key : keys) {
            Object v = get(key, type, raw, policy, COUNT | STRICT);
            if (v != MISS) {
                found.put(key, v);
            }
        }
        return found;
    }

    @Override
    CompletableFuture<Map<String, Object>> getManyAsync(
            List<String> keys, Type type, Class<?> raw, ErrorPolicy policy) {
        return completed(() -> getMany(keys, type, raw, policy));
    }

    @Override
    void set(String key, Object value, Duration resolvedTtl, ErrorPolicy policy) {
        memory.setReference(storedNamespace, key, value, storeTtl(resolvedTtl));
        stats.puts.increment();
    }

    /**
     * An object kept with a stale window: fresh until {@code freshUntilMillis}, then stale until the backend's
     * deadline. Only entries written with a stale window pay for this wrapper.
     */
    private record Timed(Object value, long freshUntilMillis) {}

    @Override
    void setStale(String key, Object value, Duration resolvedTtl, Duration staleFor, ErrorPolicy policy) {
        if (staleFor == null || resolvedTtl == io.cachekit.Cache.NO_EXPIRY) {
            set(key, value, resolvedTtl, policy);
            return;
        }
        long now = clock.millis();
        long freshUntil = resolvedTtl.toMillis() > Long.MAX_VALUE - now ? Long.MAX_VALUE : now + resolvedTtl.toMillis();
        memory.setReference(
                storedNamespace, key, new Timed(value, freshUntil), storeTtl(hardTtl(resolvedTtl, staleFor)));
        stats.puts.increment();
    }

    @Override
    CompletableFuture<Void> setStaleAsync(
            String key, Object value, Duration resolvedTtl, Duration staleFor, ErrorPolicy policy) {
        return completed(() -> {
            setStale(key, value, resolvedTtl, staleFor, policy);
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
    void setMany(Map<String, ?> values, Duration resolvedTtl, ErrorPolicy policy) {
        values.forEach((k, v) -> set(Objects.requireNonNull(k, "key"), v, resolvedTtl, policy));
    }

    @Override
    CompletableFuture<Void> setManyAsync(Map<String, ?> values, Duration resolvedTtl, ErrorPolicy policy) {
        return completed(() -> {
            setMany(values, resolvedTtl, policy);
            return null;
        });
    }

    @Override
    boolean setIfAbsent(String key, Object value, Duration resolvedTtl, ErrorPolicy policy) {
        Object existing = memory.setReferenceIfAbsent(storedNamespace, key, value, storeTtl(resolvedTtl));
        if (existing instanceof MemoryBackend.EncodedEntry e && !entries.isLive(e.bytes())) {
            // Bytes written through the SPI whose own expiry has passed: replace them.
            memory.setReference(storedNamespace, key, value, storeTtl(resolvedTtl));
            existing = null;
        }
        if (existing == null) {
            stats.puts.increment();
            return true;
        }
        return false;
    }

    @Override
    CompletableFuture<Boolean> setIfAbsentAsync(String key, Object value, Duration resolvedTtl, ErrorPolicy policy) {
        return completed(() -> setIfAbsent(key, value, resolvedTtl, policy));
    }

    @Override
    boolean has(String key, ErrorPolicy policy) {
        Object v = memory.getReference(storedNamespace, key);
        return v instanceof MemoryBackend.EncodedEntry e ? entries.isLive(e.bytes()) : v != null;
    }

    @Override
    CompletableFuture<Boolean> hasAsync(String key, ErrorPolicy policy) {
        return completed(() -> has(key, policy));
    }
}
