package io.cachekit.internal;

import io.cachekit.CacheEntry;
import io.cachekit.CacheSerializationException;
import io.cachekit.ErrorPolicy;
import io.cachekit.internal.OperationTimers.Operation;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/** The value path over a store of bytes: every value is written and read as an {@link Envelope}. Thread-safe. */
final class EnvelopeStore extends ValueStore {
    /** What {@link #fetch} returns when the store failed open. */
    private static final byte[] UNAVAILABLE_BYTES = new byte[0];

    /** An envelope found in the way of a conditional write is replaced at most this often when dead. */
    private static final int SET_IF_ABSENT_ATTEMPTS = 2;

    EnvelopeStore(CacheRuntime runtime, String storedNamespace) {
        super(runtime, storedNamespace);
    }

    @Override
    Object get(String key, Type type, Class<?> raw, ErrorPolicy policy, int flags) {
        return read(key, fetch(key, policy), type, raw, flags, false);
    }

    @Override
    CompletableFuture<Object> getAsync(String key, Type type, Class<?> raw, ErrorPolicy policy, int flags) {
        return fetchAsync(key, policy).thenApply(bytes -> read(key, bytes, type, raw, flags, true));
    }

    private Object read(String key, byte[] bytes, Type type, Class<?> raw, int flags, boolean async) {
        if (bytes == null || bytes == UNAVAILABLE_BYTES) {
            miss(flags);
            return bytes == null ? MISS : UNAVAILABLE;
        }
        Object v = outcome(key, entries.decode(bytes, type, raw), type, flags, async);
        return (flags & FRESHNESS) != 0 && !isMiss(v) && entries.isStale(bytes) ? new Stale(v) : v;
    }

    @Override
    CacheEntry<Object> getEntry(String key, Type type, Class<?> raw, ErrorPolicy policy) {
        return entry(key, fetch(key, policy), type, raw, false);
    }

    @Override
    CompletableFuture<CacheEntry<Object>> getEntryAsync(String key, Type type, Class<?> raw, ErrorPolicy policy) {
        return fetchAsync(key, policy).thenApply(bytes -> entry(key, bytes, type, raw, true));
    }

    private CacheEntry<Object> entry(String key, byte[] bytes, Type type, Class<?> raw, boolean async) {
        Object v = read(key, bytes, type, raw, COUNT | STRICT, async);
        return isMiss(v) ? null : new CacheEntry<>(v, remaining(Envelope.expiresAt(bytes)));
    }

    @Override
    Map<String, Object> getMany(List<String> keys, Type type, Class<?> raw, ErrorPolicy policy) {
        Map<String, byte[]> stored;
        long t0 = startTimer();
        try {
            stored = backend.getMany(storedNamespace, keys);
        } catch (RuntimeException e) {
            fail(Operation.GET_MANY, e, policy);
            stats.misses.add(keys.size());
            return new LinkedHashMap<>();
        } finally {
            stopTimer(Operation.GET_MANY, t0);
        }
        return decodeMany(keys, stored, type, raw, false);
    }

    @Override
    CompletableFuture<Map<String, Object>> getManyAsync(
            List<String> keys, Type type, Class<?> raw, ErrorPolicy policy) {
        long t0 = startTimer();
        return start(() -> backend.getManyAsync(storedNamespace, keys)).handle((stored, error) -> {
            stopTimer(Operation.GET_MANY, t0);
            if (error != null) {
                fail(Operation.GET_MANY, asRuntime(Operation.GET_MANY, error), policy);
                stats.misses.add(keys.size());
                return new LinkedHashMap<>();
            }
            return decodeMany(keys, stored, type, raw, true);
        });
    }

    private Map<String, Object> decodeMany(
            List<String> keys, Map<String, byte[]> stored, Type type, Class<?> raw, boolean async) {
        Map<String, Object> found = new LinkedHashMap<>();
        for (String key : keys) {
            Object v = read(key, stored.get(key), type, raw, COUNT | STRICT, async);
            if (!isMiss(v)) {
                found.put(key, v);
            }
        }
        return found;
    }

    @Override
    void set(String key, Object value, Duration resolvedTtl, ErrorPolicy policy) {
        setStale(key, value, resolvedTtl, null, policy);
    }

    @Override
    void setStale(String key, Object value, Duration resolvedTtl, Duration staleFor, ErrorPolicy policy) {
        byte[] bytes;
        try {
            bytes = entries.encode(value, resolvedTtl, staleFor);
        } catch (CacheSerializationException e) {
            fail(Operation.SET, e, policy);
            return;
        }
        long t0 = startTimer();
        try {
            backend.set(storedNamespace, key, bytes, storeTtl(hardTtl(resolvedTtl, staleFor)));
            stats.puts.increment();
        } catch (RuntimeException e) {
            fail(Operation.SET, e, policy);
        } finally {
            stopTimer(Operation.SET, t0);
        }
    }

    @Override
    CompletableFuture<Void> setAsync(String key, Object value, Duration resolvedTtl, ErrorPolicy policy) {
        return setStaleAsync(key, value, resolvedTtl, null, policy);
    }

    @Override
    CompletableFuture<Void> setStaleAsync(
            String key, Object value, Duration resolvedTtl, Duration staleFor, ErrorPolicy policy) {
        byte[] bytes;
        try {
            bytes = entries.encode(value, resolvedTtl, staleFor);
        } catch (CacheSerializationException e) {
            return failAsync(Operation.SET, e, policy, null);
        }
        Duration ttl = storeTtl(hardTtl(resolvedTtl, staleFor));
        return guard(Operation.SET, policy, () -> backend.setAsync(storedNamespace, key, bytes, ttl))
                .thenRun(stats.puts::increment);
    }

    @Override
    void setMany(Map<String, ?> values, Duration resolvedTtl, ErrorPolicy policy) {
        Map<String, byte[]> encoded;
        try {
            encoded = encodeMany(values, resolvedTtl);
        } catch (CacheSerializationException e) {
            fail(Operation.SET_MANY, e, policy);
            return;
        }
        long t0 = startTimer();
        try {
            backend.setMany(storedNamespace, encoded, storeTtl(resolvedTtl));
            stats.puts.add(encoded.size());
        } catch (RuntimeException e) {
            fail(Operation.SET_MANY, e, policy);
        } finally {
            stopTimer(Operation.SET_MANY, t0);
        }
    }

    @Override
    CompletableFuture<Void> setManyAsync(Map<String, ?> values, Duration resolvedTtl, ErrorPolicy policy) {
        Map<String, byte[]> encoded;
        try {
            encoded = encodeMany(values, resolvedTtl);
        } catch (CacheSerializationException e) {
            return failAsync(Operation.SET_MANY, e, policy, null);
        }
        return guard(
                        Operation.SET_MANY,
                        policy,
                        () -> backend.setManyAsync(storedNamespace, encoded, storeTtl(resolvedTtl)))
                .thenRun(() -> stats.puts.add(encoded.size()));
    }

    private Map<String, byte[]> encodeMany(Map<String, ?> values, Duration resolvedTtl) {
        Map<String, byte[]> encoded = new LinkedHashMap<>();
        values.forEach((k, v) -> encoded.put(Objects.requireNonNull(k, "key"), entries.encode(v, resolvedTtl)));
        return encoded;
    }

    @Override
    boolean setIfAbsent(String key, Object value, Duration resolvedTtl, ErrorPolicy policy) {
        byte[] bytes;
        try {
            bytes = entries.encode(value, resolvedTtl);
        } catch (CacheSerializationException e) {
            fail(Operation.SET, e, policy);
            return false;
        }
        long t0 = startTimer();
        try {
            for (int attempt = 0; attempt < SET_IF_ABSENT_ATTEMPTS; attempt++) {
                byte[] existing = backend.setIfAbsent(storedNamespace, key, bytes, storeTtl(resolvedTtl));
                if (existing == null) {
                    stats.puts.increment();
                    return true;
                }
                if (entries.isLive(existing)) {
                    return false;
                }
                removeDead(key, existing);
            }
            return false;
        } catch (RuntimeException e) {
            fail(Operation.SET, e, policy);
            return false;
        } finally {
            stopTimer(Operation.SET, t0);
        }
    }

    @Override
    CompletableFuture<Boolean> setIfAbsentAsync(String key, Object value, Duration resolvedTtl, ErrorPolicy policy) {
        byte[] bytes;
        try {
            bytes = entries.encode(value, resolvedTtl);
        } catch (CacheSerializationException e) {
            return failAsync(Operation.SET, e, policy, false);
        }
        long t0 = startTimer();
        return setIfAbsentAsync(key, bytes, resolvedTtl, SET_IF_ABSENT_ATTEMPTS).handle((written, error) -> {
            stopTimer(Operation.SET, t0);
            if (error != null) {
                fail(Operation.SET, asRuntime(Operation.SET, error), policy);
                return false;
            }
            return written;
        });
    }

    private CompletableFuture<Boolean> setIfAbsentAsync(String key, byte[] bytes, Duration ttl, int attempts) {
        return start(() -> backend.setIfAbsentAsync(storedNamespace, key, bytes, storeTtl(ttl)))
                .thenCompose(existing -> {
                    if (existing == null) {
                        stats.puts.increment();
                        return CompletableFuture.completedFuture(true);
                    }
                    if (entries.isLive(existing) || attempts <= 1) {
                        return CompletableFuture.completedFuture(false);
                    }
                    if (!Envelope.isReadable(existing)) {
                        stats.corrupt.increment();
                    }
                    return start(() -> backend.deleteAsync(storedNamespace, key))
                            .thenCompose(ignored -> setIfAbsentAsync(key, bytes, ttl, attempts - 1));
                });
    }

    /** An expired or corrupt envelope in the way of a conditional write: removed, so the next attempt can write. */
    private void removeDead(String key, byte[] existing) {
        if (!Envelope.isReadable(existing)) {
            stats.corrupt.increment();
        }
        backend.delete(storedNamespace, key);
    }

    @Override
    boolean has(String key, ErrorPolicy policy) {
        byte[] bytes = fetch(key, policy);
        return bytes != null && bytes != UNAVAILABLE_BYTES && entries.isLive(bytes);
    }

    @Override
    CompletableFuture<Boolean> hasAsync(String key, ErrorPolicy policy) {
        return fetchAsync(key, policy)
                .thenApply(bytes -> bytes != null && bytes != UNAVAILABLE_BYTES && entries.isLive(bytes));
    }

    /** The stored bytes, null when absent, or {@link #UNAVAILABLE_BYTES} when the read failed open. */
    private byte[] fetch(String key, ErrorPolicy policy) {
        long t0 = startTimer();
        try {
            return backend.get(storedNamespace, key);
        } catch (RuntimeException e) {
            fail(Operation.GET, e, policy);
            return UNAVAILABLE_BYTES;
        } finally {
            stopTimer(Operation.GET, t0);
        }
    }

    private CompletableFuture<byte[]> fetchAsync(String key, ErrorPolicy policy) {
        long t0 = startTimer();
        return start(() -> backend.getAsync(storedNamespace, key)).handle((bytes, error) -> {
            stopTimer(Operation.GET, t0);
            if (error != null) {
                fail(Operation.GET, asRuntime(Operation.GET, error), policy);
                return UNAVAILABLE_BYTES;
            }
            return bytes;
        });
    }
}
