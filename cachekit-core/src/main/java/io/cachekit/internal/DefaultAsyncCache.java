package io.cachekit.internal;

import io.cachekit.AsyncCache;
import io.cachekit.Cache;
import io.cachekit.CacheEntry;
import io.cachekit.CacheSerializationException;
import io.cachekit.ErrorPolicy;
import io.cachekit.TypeRef;
import io.cachekit.internal.OperationTimers.Operation;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The async view of a {@link DefaultCache}: backend futures all the way, never a blocking call; the
 * in-memory backend answers with completed futures. Thread-safe.
 */
final class DefaultAsyncCache implements AsyncCache {
    private final DefaultCache cache;

    DefaultAsyncCache(DefaultCache cache) {
        this.cache = cache;
    }

    @Override
    public Cache sync() {
        return cache;
    }

    @Override
    public <T> CompletableFuture<T> get(String key, Class<T> type) {
        return getValue(key, type, Types.raw(type));
    }

    @Override
    public <T> CompletableFuture<T> get(String key, TypeRef<T> type) {
        return getValue(key, type.type(), Types.raw(type.type()));
    }

    @SuppressWarnings("unchecked")
    private <T> CompletableFuture<T> getValue(String key, Type type, Class<?> raw) {
        Objects.requireNonNull(key, "key");
        return read(key, type, raw, cache.errorPolicy(), true).thenApply(v -> DefaultCache.isMiss(v) ? null : (T) v);
    }

    @Override
    public <T> CompletableFuture<CacheEntry<T>> getWithTtl(String key, Class<T> type) {
        return getEntry(key, type, Types.raw(type));
    }

    @Override
    public <T> CompletableFuture<CacheEntry<T>> getWithTtl(String key, TypeRef<T> type) {
        return getEntry(key, type.type(), Types.raw(type.type()));
    }

    @SuppressWarnings("unchecked")
    private <T> CompletableFuture<CacheEntry<T>> getEntry(String key, Type type, Class<?> raw) {
        Objects.requireNonNull(key, "key");
        if (!cache.enabled() || cache.references() != null) {
            return completed(() -> cache.getWithTtl(key, TypeRef.of(type))).thenApply(e -> (CacheEntry<T>) e);
        }
        return fetch(key, cache.errorPolicy()).thenApply(bytes -> {
            if (bytes == null || bytes == DefaultCache.UNAVAILABLE_BYTES) {
                cache.namespaceStats().misses.increment();
                return null;
            }
            Object v = cache.decodeOrMiss(key, bytes, type, raw, true, true);
            return v == DefaultCache.MISS ? null : new CacheEntry<>((T) v, cache.remaining(Envelope.expiresAt(bytes)));
        });
    }

    @Override
    public CompletableFuture<Void> set(String key, Object value) {
        return set(key, value, null);
    }

    @Override
    public CompletableFuture<Void> set(String key, Object value, Duration ttl) {
        Objects.requireNonNull(key, "key");
        Duration resolved = cache.resolveTtl(ttl);
        if (!cache.enabled()) {
            return CompletableFuture.completedFuture(null);
        }
        return write(key, value, resolved, cache.errorPolicy());
    }

    @Override
    public CompletableFuture<Void> delete(String key) {
        return delete(key, cache.errorPolicy());
    }

    CompletableFuture<Void> delete(String key, ErrorPolicy policy) {
        Objects.requireNonNull(key, "key");
        if (!cache.enabled()) {
            return CompletableFuture.completedFuture(null);
        }
        return guard(Operation.DELETE, policy, () -> cache.backend().deleteAsync(cache.storedNamespace, key));
    }

    @Override
    public CompletableFuture<Boolean> has(String key) {
        Objects.requireNonNull(key, "key");
        if (!cache.enabled() || cache.references() != null) {
            return completed(() -> cache.has(key));
        }
        return fetch(key, cache.errorPolicy()).thenApply(cache::isLive);
    }

    @Override
    public CompletableFuture<Void> clear() {
        return clear(cache.errorPolicy());
    }

    CompletableFuture<Void> clear(ErrorPolicy policy) {
        return guard(Operation.CLEAR, policy, () -> cache.backend().clearAsync(cache.storedNamespace));
    }

    @Override
    public <T> CompletableFuture<Map<String, T>> getMany(Collection<String> keys, Class<T> type) {
        return getManyValues(keys, type, Types.raw(type));
    }

    @Override
    public <T> CompletableFuture<Map<String, T>> getMany(Collection<String> keys, TypeRef<T> type) {
        return getManyValues(keys, type.type(), Types.raw(type.type()));
    }

    @SuppressWarnings("unchecked")
    private <T> CompletableFuture<Map<String, T>> getManyValues(Collection<String> keys, Type type, Class<?> raw) {
        List<String> list = DefaultCache.checkKeys(keys);
        if (!cache.enabled() || cache.references() != null || list.isEmpty()) {
            return completed(() -> (Map<String, T>) cache.getMany(list, TypeRef.of(type)));
        }
        long t0 = cache.startTimer();
        CompletableFuture<Map<String, byte[]>> stored =
                start(() -> cache.backend().getManyAsync(cache.storedNamespace, list));
        return stored.handle((map, error) -> {
            cache.stopTimer(Operation.GET_MANY, t0);
            if (error != null) {
                cache.fail(Operation.GET_MANY, asRuntime(error), cache.errorPolicy());
                cache.namespaceStats().misses.add(list.size());
                return new HashMap<>();
            }
            return cache.decodeMany(list, map, type, raw, true);
        });
    }

    @Override
    public CompletableFuture<Void> setMany(Map<String, ?> entries) {
        return setMany(entries, null);
    }

    @Override
    public CompletableFuture<Void> setMany(Map<String, ?> entries, Duration ttl) {
        Objects.requireNonNull(entries, "entries");
        Duration resolved = cache.resolveTtl(ttl);
        if (!cache.enabled() || cache.references() != null || entries.isEmpty()) {
            return completed(() -> {
                cache.setMany(entries, resolved);
                return null;
            });
        }
        Map<String, byte[]> encoded;
        try {
            encoded = cache.encodeMany(entries, resolved);
        } catch (CacheSerializationException e) {
            return failedOrOpen(Operation.SET_MANY, e, cache.errorPolicy());
        }
        return guard(Operation.SET_MANY, cache.errorPolicy(), () -> cache.backend()
                        .setManyAsync(cache.storedNamespace, encoded, DefaultCache.storeTtl(resolved)))
                .thenRun(() -> cache.namespaceStats().puts.add(encoded.size()));
    }

    @Override
    public <T> CompletableFuture<T> getOrLoad(
            String key, Class<T> type, Duration ttl, Supplier<? extends CompletableFuture<? extends T>> loader) {
        return getOrLoadValue(key, type, Types.raw(type), ttl, loader);
    }

    @Override
    public <T> CompletableFuture<T> getOrLoad(
            String key, TypeRef<T> type, Duration ttl, Supplier<? extends CompletableFuture<? extends T>> loader) {
        return getOrLoadValue(key, type.type(), Types.raw(type.type()), ttl, loader);
    }

    @SuppressWarnings("unchecked")
    private <T> CompletableFuture<T> getOrLoadValue(
            String key,
            Type type,
            Class<?> raw,
            Duration ttl,
            Supplier<? extends CompletableFuture<? extends T>> loader) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(loader, "loader");
        Duration resolved = cache.resolveTtl(ttl);
        return load(key, type, raw, resolved, loader, cache.errorPolicy(), true, CallMode.NORMAL)
                .thenApply(v -> (T) v);
    }

    // ---------------------------------------------------------------- internals shared with method caching

    /** An async read: the value, null for a cached null, or {@link DefaultCache#MISS}. */
    CompletableFuture<Object> read(String key, Type type, Class<?> raw, ErrorPolicy policy, boolean count) {
        if (!cache.enabled()) {
            if (count) {
                cache.namespaceStats().misses.increment();
            }
            return CompletableFuture.completedFuture(DefaultCache.MISS);
        }
        if (cache.references() != null) {
            return completed(() -> cache.read(key, type, raw, policy, count));
        }
        return fetch(key, policy).thenApply(bytes -> {
            if (bytes == null || bytes == DefaultCache.UNAVAILABLE_BYTES) {
                if (count) {
                    cache.namespaceStats().misses.increment();
                }
                return bytes == null ? DefaultCache.MISS : DefaultCache.UNAVAILABLE;
            }
            return cache.decodeOrMiss(key, bytes, type, raw, count, true);
        });
    }

    private CompletableFuture<byte[]> fetch(String key, ErrorPolicy policy) {
        long t0 = cache.startTimer();
        return start(() -> cache.backend().getAsync(cache.storedNamespace, key)).handle((bytes, error) -> {
            cache.stopTimer(Operation.GET, t0);
            if (error != null) {
                cache.fail(Operation.GET, asRuntime(error), policy);
                return DefaultCache.UNAVAILABLE_BYTES;
            }
            return bytes;
        });
    }

    CompletableFuture<Void> write(String key, Object value, Duration resolvedTtl, ErrorPolicy policy) {
        if (cache.references() != null) {
            return completed(() -> {
                cache.write(key, value, resolvedTtl, policy);
                return null;
            });
        }
        byte[] bytes;
        try {
            bytes = cache.encode(value, resolvedTtl);
        } catch (CacheSerializationException e) {
            return failedOrOpen(Operation.SET, e, policy);
        }
        return guard(Operation.SET, policy, () -> cache.backend()
                        .setAsync(cache.storedNamespace, key, bytes, DefaultCache.storeTtl(resolvedTtl)))
                .thenRun(cache.namespaceStats().puts::increment);
    }

    /**
     * The async single-flight load: shares the in-flight map with sync callers. Completes with the cached
     * or loaded value, or exceptionally with the loader's exception (never cached).
     */
    CompletableFuture<Object> load(
            String key,
            Type type,
            Class<?> raw,
            Duration resolvedTtl,
            Supplier<? extends CompletableFuture<?>> loader,
            ErrorPolicy policy,
            boolean cacheNull,
            CallMode mode) {
        NamespaceStats stats = cache.namespaceStats();
        if (!cache.enabled()) {
            stats.loads.increment();
            return start(loader).thenApply(v -> v);
        }
        CompletableFuture<Object> first = mode == CallMode.REFRESH
                ? CompletableFuture.completedFuture(DefaultCache.MISS)
                : read(key, type, raw, policy, true);
        return first.thenCompose(cached -> {
            if (!DefaultCache.isMiss(cached)) {
                return CompletableFuture.completedFuture(cached);
            }
            FlightKey flightKey = new FlightKey(cache.storedNamespace, key);
            CompletableFuture<Object> flight = new CompletableFuture<>();
            CompletableFuture<Object> running = cache.runtime.flights.putIfAbsent(flightKey, flight);
            if (running != null) {
                return running.thenApply(v -> v); // a dependent, so callers cannot complete the shared one
            }
            // When the store has just failed (open), neither re-read nor write: each would wait for the timeout.
            boolean storeDown = cached == DefaultCache.UNAVAILABLE;
            CompletableFuture<Object> again = mode == CallMode.REFRESH || storeDown
                    ? CompletableFuture.completedFuture(cached)
                    : read(key, type, raw, policy, false);
            boolean[] loaded = new boolean[1];
            again.thenCompose(v -> {
                        if (!DefaultCache.isMiss(v)) {
                            return CompletableFuture.completedFuture(v);
                        }
                        loaded[0] = true;
                        stats.loads.increment();
                        boolean store = v != DefaultCache.UNAVAILABLE;
                        return start(loader)
                                .thenCompose(value -> store && (value != null || cacheNull)
                                        ? write(key, value, resolvedTtl, ErrorPolicy.FAIL_OPEN)
                                                .thenApply(x -> value)
                                        : CompletableFuture.completedFuture(value));
                    })
                    .whenComplete((value, error) -> {
                        // Leave the map first: callers woken by the completion may call again at once, and
                        // must start a new load rather than join this finished one.
                        cache.runtime.flights.remove(flightKey, flight);
                        if (error != null) {
                            if (loaded[0]) {
                                stats.loadFailures.increment();
                            }
                            flight.completeExceptionally(DefaultCache.unwrap(error));
                        } else {
                            flight.complete(value);
                        }
                    });
            return flight.thenApply(v -> v);
        });
    }

    // ---------------------------------------------------------------- helpers

    /** Runs a backend call, applying the error policy to its failure. */
    private CompletableFuture<Void> guard(
            Operation operation, ErrorPolicy policy, Supplier<? extends CompletableFuture<Void>> call) {
        long t0 = cache.startTimer();
        return start(call).handle((ok, error) -> {
            cache.stopTimer(operation, t0);
            if (error != null) {
                cache.fail(operation, asRuntime(error), policy);
            }
            return null;
        });
    }

    private CompletableFuture<Void> failedOrOpen(Operation operation, RuntimeException e, ErrorPolicy policy) {
        try {
            cache.fail(operation, e, policy);
            return CompletableFuture.completedFuture(null);
        } catch (RuntimeException thrown) {
            return CompletableFuture.failedFuture(thrown);
        }
    }

    /** Calls {@code call}, turning a synchronous throw into a failed future. */
    @SuppressWarnings("unchecked")
    private static <T> CompletableFuture<T> start(Supplier<? extends CompletableFuture<? extends T>> call) {
        try {
            CompletableFuture<? extends T> f = call.get();
            if (f == null) {
                return CompletableFuture.failedFuture(new NullPointerException("the loader returned no future"));
            }
            return (CompletableFuture<T>) f;
        } catch (RuntimeException | Error e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static <T> CompletableFuture<T> completed(Supplier<T> body) {
        try {
            return CompletableFuture.completedFuture(body.get());
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private RuntimeException asRuntime(Throwable error) {
        Throwable cause = DefaultCache.unwrap(error);
        return cause instanceof RuntimeException re ? re : cache.translate(Operation.GET, cause);
    }
}
