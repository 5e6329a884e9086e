package io.cachekit.internal;

import io.cachekit.CacheEntry;
import io.cachekit.CacheSerializationException;
import io.cachekit.ErrorPolicy;
import io.cachekit.internal.OperationTimers.Operation;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The value path over a store of bytes: every value is written and read as an {@link Envelope}. A tagged envelope
 * (format 3) costs one more bulk read of its tags' versions when it is read; an untagged one costs nothing more.
 * Thread-safe.
 */
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
        byte[] bytes = fetch(key, policy);
        return read(key, bytes, type, raw, flags, false, tagState(bytes, policy));
    }

    @Override
    CompletableFuture<Object> getAsync(String key, Type type, Class<?> raw, ErrorPolicy policy, int flags) {
        return fetchAsync(key, policy)
                .thenCompose(bytes ->
                        afterTagCheck(bytes, policy, (b, state) -> read(key, b, type, raw, flags, true, state)));
    }

    /**
     * The value of stored {@code bytes}: {@code tagState} says whether a tagged entry's tags are still valid
     * ({@link TagVersions#UNTAGGED} for an untagged one, which is never checked).
     */
    private Object read(String key, byte[] bytes, Type type, Class<?> raw, int flags, boolean async, int tagState) {
        if (bytes == null || bytes == UNAVAILABLE_BYTES || tagState == TagVersions.UNKNOWN) {
            miss(flags);
            return bytes == null ? MISS : UNAVAILABLE;
        }
        if (tagState == TagVersions.INVALID) {
            return miss(flags); // invalidated: left for the next write to replace, as a delete could race with it
        }
        Object v = outcome(key, entries.decode(bytes, type, raw), type, flags, async);
        return (flags & FRESHNESS) != 0 && !isMiss(v) && entries.isStale(bytes) ? new Stale(v) : v;
    }

    /**
     * Whether {@code bytes} is a live tagged entry, whose tags are checked before it is used (null and {@link
     * #UNAVAILABLE_BYTES} are not).
     */
    private boolean tagged(byte[] bytes) {
        return bytes != null && bytes.length > 1 && bytes[1] == Envelope.TAGGED_VERSION && entries.isLive(bytes);
    }

    /** The state of {@code bytes}' tags: one bulk read of their versions for a tagged entry, nothing otherwise. */
    private int tagState(byte[] bytes, ErrorPolicy policy) {
        return tagged(bytes) ? tags().check(Envelope.tags(bytes), policy) : TagVersions.UNTAGGED;
    }

    /** Applies {@code then} to {@code bytes} and the state of its tags, checked without blocking. */
    private <R> CompletableFuture<R> afterTagCheck(byte[] bytes, ErrorPolicy policy, TagStateFunction<R> then) {
        if (!tagged(bytes)) {
            return CompletableFuture.completedFuture(then.apply(bytes, TagVersions.UNTAGGED));
        }
        return tags().checkAsync(Envelope.tags(bytes), policy).thenApply(state -> then.apply(bytes, state));
    }

    @FunctionalInterface
    private interface TagStateFunction<R> {
        R apply(byte[] bytes, int tagState);
    }

    @Override
    CacheEntry<Object> getEntry(String key, Type type, Class<?> raw, ErrorPolicy policy) {
        byte[] bytes = fetch(key, policy);
        return entry(key, bytes, type, raw, false, tagState(bytes, policy));
    }

    @Override
    CompletableFuture<CacheEntry<Object>> getEntryAsync(String key, Type type, Class<?> raw, ErrorPolicy policy) {
        return fetchAsync(key, policy)
                .thenCompose(
                        bytes -> afterTagCheck(bytes, policy, (b, state) -> entry(key, b, type, raw, true, state)));
    }

    private CacheEntry<Object> entry(String key, byte[] bytes, Type type, Class<?> raw, boolean async, int tagState) {
        Object v = read(key, bytes, type, raw, COUNT | STRICT, async, tagState);
        return isMiss(v) ? null : new CacheEntry<>(v, remaining(Envelope.expiresAt(bytes)));
    }

    @Override
    Map<String, Object> getMany(List<String> keys, Type type, Class<?> raw, ErrorPolicy policy, int flags) {
        Map<String, byte[]> stored;
        long t0 = startTimer();
        try {
            stored = backend.getMany(storedNamespace, keys);
        } catch (RuntimeException e) {
            fail(Operation.GET_MANY, e, policy);
            return failedMany(keys, flags);
        } finally {
            stopTimer(Operation.GET_MANY, t0);
        }
        Set<String> tags = tagsOf(stored);
        Map<String, Long> versions = tags.isEmpty() ? Map.of() : tags().current(tags, policy);
        return decodeMany(keys, stored, type, raw, flags, false, versions);
    }

    @Override
    CompletableFuture<Map<String, Object>> getManyAsync(
            List<String> keys, Type type, Class<?> raw, ErrorPolicy policy, int flags) {
        long t0 = startTimer();
        return start(() -> backend.getManyAsync(storedNamespace, keys))
                .handle((stored, error) -> {
                    stopTimer(Operation.GET_MANY, t0);
                    if (error != null) {
                        fail(Operation.GET_MANY, asRuntime(Operation.GET_MANY, error), policy);
                        return null;
                    }
                    return stored;
                })
                .thenCompose(stored -> {
                    if (stored == null) {
                        return CompletableFuture.completedFuture(failedMany(keys, flags));
                    }
                    Set<String> tags = tagsOf(stored);
                    CompletableFuture<Map<String, Long>> versions = tags.isEmpty()
                            ? CompletableFuture.completedFuture(Map.of())
                            : tags().currentAsync(tags, policy);
                    return versions.thenApply(v -> decodeMany(keys, stored, type, raw, flags, true, v));
                });
    }

    /** A bulk read that failed open: every key a counted miss, and null for the caller. */
    private Map<String, Object> failedMany(List<String> keys, int flags) {
        if ((flags & COUNT) != 0) {
            stats.misses.add(keys.size());
        }
        return null;
    }

    /** Every tag of the tagged entries among {@code stored}, so that one bulk read checks them all. */
    private Set<String> tagsOf(Map<String, byte[]> stored) {
        Set<String> tags = new HashSet<>();
        for (byte[] bytes : stored.values()) {
            if (tagged(bytes)) {
                tags.addAll(Arrays.asList(Envelope.tags(bytes).tags()));
            }
        }
        return tags;
    }

    /** {@code versions}: the current versions of the entries' tags, or null when they could not be read. */
    private Map<String, Object> decodeMany(
            List<String> keys,
            Map<String, byte[]> stored,
            Type type,
            Class<?> raw,
            int flags,
            boolean async,
            Map<String, Long> versions) {
        Map<String, Object> found = new LinkedHashMap<>();
        for (String key : keys) {
            byte[] bytes = stored.get(key);
            int state = tagged(bytes) ? TagVersions.state(Envelope.tags(bytes), versions) : TagVersions.UNTAGGED;
            Object v = read(key, bytes, type, raw, flags, async, state);
            if (!isMiss(v)) {
                found.put(key, v);
            }
        }
        return found;
    }

    @Override
    void set(String key, Object value, Duration resolvedTtl, ErrorPolicy policy) {
        write(key, value, resolvedTtl, null, null, policy);
    }

    @Override
    void write(String key, Object value, Duration resolvedTtl, Duration staleFor, TagStamp stamp, ErrorPolicy policy) {
        byte[] bytes;
        try {
            bytes = entries.encode(value, resolvedTtl, staleFor, stamp);
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
        return writeAsync(key, value, resolvedTtl, null, null, policy);
    }

    @Override
    CompletableFuture<Void> writeAsync(
            String key, Object value, Duration resolvedTtl, Duration staleFor, TagStamp stamp, ErrorPolicy policy) {
        byte[] bytes;
        try {
            bytes = entries.encode(value, resolvedTtl, staleFor, stamp);
        } catch (CacheSerializationException e) {
            return failAsync(Operation.SET, e, policy, null);
        }
        Duration ttl = storeTtl(hardTtl(resolvedTtl, staleFor));
        return guard(Operation.SET, policy, () -> backend.setAsync(storedNamespace, key, bytes, ttl))
                .thenRun(stats.puts::increment);
    }

    @Override
    void setMany(Map<String, ?> values, Duration resolvedTtl, TagStamp stamp, ErrorPolicy policy) {
        Map<String, byte[]> encoded;
        try {
            encoded = encodeMany(values, resolvedTtl, stamp);
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
    CompletableFuture<Void> setManyAsync(
            Map<String, ?> values, Duration resolvedTtl, TagStamp stamp, ErrorPolicy policy) {
        Map<String, byte[]> encoded;
        try {
            encoded = encodeMany(values, resolvedTtl, stamp);
        } catch (CacheSerializationException e) {
            return failAsync(Operation.SET_MANY, e, policy, null);
        }
        return guard(
                        Operation.SET_MANY,
                        policy,
                        () -> backend.setManyAsync(storedNamespace, encoded, storeTtl(resolvedTtl)))
                .thenRun(() -> stats.puts.add(encoded.size()));
    }

    private Map<String, byte[]> encodeMany(Map<String, ?> values, Duration resolvedTtl, TagStamp stamp) {
        // Sized for every entry up front: a bulk write of a hundred keys would otherwise resize the table four times.
        Map<String, byte[]> encoded = new LinkedHashMap<>((int) (values.size() / 0.75f) + 1);
        values.forEach(
                (k, v) -> encoded.put(Objects.requireNonNull(k, "key"), entries.encode(v, resolvedTtl, null, stamp)));
        return encoded;
    }

    @Override
    boolean setIfAbsent(String key, Object value, Duration resolvedTtl, TagStamp stamp, ErrorPolicy policy) {
        byte[] bytes;
        try {
            bytes = entries.encode(value, resolvedTtl, null, stamp);
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
                if (entries.isLive(existing) && tagState(existing, policy) != TagVersions.INVALID) {
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
    CompletableFuture<Boolean> setIfAbsentAsync(
            String key, Object value, Duration resolvedTtl, TagStamp stamp, ErrorPolicy policy) {
        byte[] bytes;
        try {
            bytes = entries.encode(value, resolvedTtl, null, stamp);
        } catch (CacheSerializationException e) {
            return failAsync(Operation.SET, e, policy, false);
        }
        long t0 = startTimer();
        return setIfAbsentAsync(key, bytes, resolvedTtl, policy, SET_IF_ABSENT_ATTEMPTS)
                .handle((written, error) -> {
                    stopTimer(Operation.SET, t0);
                    if (error != null) {
                        fail(Operation.SET, asRuntime(Operation.SET, error), policy);
                        return false;
                    }
                    return written;
                });
    }

    private CompletableFuture<Boolean> setIfAbsentAsync(
            String key, byte[] bytes, Duration ttl, ErrorPolicy policy, int attempts) {
        return start(() -> backend.setIfAbsentAsync(storedNamespace, key, bytes, storeTtl(ttl)))
                .thenCompose(existing -> {
                    if (existing == null) {
                        stats.puts.increment();
                        return CompletableFuture.completedFuture(true);
                    }
                    return afterTagCheck(
                                    existing, policy, (b, state) -> entries.isLive(b) && state != TagVersions.INVALID)
                            .thenCompose(live -> {
                                if (live || attempts <= 1) {
                                    return CompletableFuture.completedFuture(false);
                                }
                                if (!Envelope.isReadable(existing)) {
                                    stats.corrupt.increment();
                                }
                                return start(() -> backend.deleteAsync(storedNamespace, key))
                                        .thenCompose(
                                                ignored -> setIfAbsentAsync(key, bytes, ttl, policy, attempts - 1));
                            });
                });
    }

    /**
     * An expired, invalidated or corrupt envelope in the way of a conditional write: removed, so the next attempt
     * can write.
     */
    private void removeDead(String key, byte[] existing) {
        if (!Envelope.isReadable(existing)) {
            stats.corrupt.increment();
        }
        backend.delete(storedNamespace, key);
    }

    @Override
    boolean has(String key, ErrorPolicy policy) {
        byte[] bytes = fetch(key, policy);
        return isPresent(bytes, tagState(bytes, policy));
    }

    @Override
    CompletableFuture<Boolean> hasAsync(String key, ErrorPolicy policy) {
        return fetchAsync(key, policy).thenCompose(bytes -> afterTagCheck(bytes, policy, this::isPresent));
    }

    private boolean isPresent(byte[] bytes, int tagState) {
        return bytes != null
                && bytes != UNAVAILABLE_BYTES
                && entries.isLive(bytes)
                && (tagState == TagVersions.UNTAGGED || tagState == TagVersions.VALID);
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
