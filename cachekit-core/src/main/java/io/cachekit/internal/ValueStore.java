package io.cachekit.internal;

import io.cachekit.CacheBackendException;
import io.cachekit.CacheEntry;
import io.cachekit.CacheException;
import io.cachekit.ErrorPolicy;
import io.cachekit.internal.OperationTimers.Operation;
import io.cachekit.spi.CacheBackend;
import java.lang.reflect.Type;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;

/**
 * The value path of one namespace, the one seam between the caches and how values are kept: an {@link
 * EnvelopeStore} writes envelopes to a store of bytes, a {@link ReferenceStore} keeps the objects themselves in
 * the in-memory backend. Both count hits and misses, apply the error policy to backend failures, and treat
 * entries alike: a corrupt one is a counted miss and is deleted; a live one that does not fit the requested type
 * is left in place and is an {@link IllegalStateException} naming both types when the read is {@link #STRICT}
 * (the direct API), a miss otherwise (method caching, which then overwrites it).
 *
 * <p>Reads return the value, null for a cached null, {@link #MISS}, or {@link #UNAVAILABLE} when the store failed
 * and the policy is to fail open. A tagged entry (written with a {@link TagStamp}) whose tags were invalidated
 * since is a miss, checked against the runtime's {@link TagVersions}. Thread-safe.
 */
abstract sealed class ValueStore permits EnvelopeStore, ReferenceStore {
    /** No usable entry; distinct from a cached null. */
    static final Object MISS = new Object();
    /** The store failed and the policy is to fail open: a miss, with the store down. */
    static final Object UNAVAILABLE = new Object();

    /** Read flag: count the read as a hit or miss. */
    static final int COUNT = 1;
    /** Read flag: an entry of another type is an IllegalStateException rather than a miss. */
    static final int STRICT = 2;
    /** Read flag: a live entry past its fresh time comes back wrapped in {@link Stale}. */
    static final int FRESHNESS = 4;

    /** A live entry past its fresh time, read with {@link #FRESHNESS}: serve it, and refresh it. */
    record Stale(Object value) {}

    final String storedNamespace;
    final CacheBackend backend;
    final CacheRuntime runtime;
    final NamespaceStats stats;
    final EntryCodec entries;
    private final OperationTimers timers;
    private final ErrorLog errorLog;
    final Clock clock;

    ValueStore(CacheRuntime runtime, String storedNamespace) {
        this.storedNamespace = storedNamespace;
        this.runtime = runtime;
        this.backend = runtime.backend;
        CacheRuntime.Namespace ns = runtime.namespace(storedNamespace);
        this.stats = ns.stats();
        this.timers = ns.timers();
        this.errorLog = runtime.errorLog;
        this.clock = runtime.config.clock();
        this.entries = new EntryCodec(runtime.config.codec(), clock);
    }

    /** The store of {@code storedNamespace}: by reference on an in-memory backend that holds references. */
    static ValueStore of(CacheRuntime runtime, String storedNamespace) {
        return ReferenceStore.supports(runtime.backend)
                ? new ReferenceStore(runtime, storedNamespace)
                : new EnvelopeStore(runtime, storedNamespace);
    }

    static boolean isMiss(Object v) {
        return v == MISS || v == UNAVAILABLE;
    }

    // ---------------------------------------------------------------- the value path

    abstract Object get(String key, Type type, Class<?> raw, ErrorPolicy policy, int flags);

    abstract CompletableFuture<Object> getAsync(String key, Type type, Class<?> raw, ErrorPolicy policy, int flags);

    /** A strict, counted read with the remaining TTL; null on a miss. */
    abstract CacheEntry<Object> getEntry(String key, Type type, Class<?> raw, ErrorPolicy policy);

    abstract CompletableFuture<CacheEntry<Object>> getEntryAsync(
            String key, Type type, Class<?> raw, ErrorPolicy policy);

    /**
     * Reads of distinct keys with {@code flags} ({@link #COUNT}, {@link #STRICT}): the hits, in the order of {@code
     * keys}; null when the store failed and the policy is to fail open.
     */
    abstract Map<String, Object> getMany(List<String> keys, Type type, Class<?> raw, ErrorPolicy policy, int flags);

    abstract CompletableFuture<Map<String, Object>> getManyAsync(
            List<String> keys, Type type, Class<?> raw, ErrorPolicy policy, int flags);

    /** Writes {@code value}; {@code resolvedTtl} is positive or {@code Cache.NO_EXPIRY}. */
    abstract void set(String key, Object value, Duration resolvedTtl, ErrorPolicy policy);

    abstract CompletableFuture<Void> setAsync(String key, Object value, Duration resolvedTtl, ErrorPolicy policy);

    /**
     * Writes {@code value} fresh for {@code resolvedTtl}, then stale for {@code staleFor} (null: never stale)
     * before it expires, carrying {@code stamp} (null: untagged; never {@link TagVersions#UNAVAILABLE}).
     */
    abstract void write(
            String key, Object value, Duration resolvedTtl, Duration staleFor, TagStamp stamp, ErrorPolicy policy);

    abstract CompletableFuture<Void> writeAsync(
            String key, Object value, Duration resolvedTtl, Duration staleFor, TagStamp stamp, ErrorPolicy policy);

    /** Writes every value, each carrying {@code stamp} (null: untagged). */
    abstract void setMany(Map<String, ?> values, Duration resolvedTtl, TagStamp stamp, ErrorPolicy policy);

    abstract CompletableFuture<Void> setManyAsync(
            Map<String, ?> values, Duration resolvedTtl, TagStamp stamp, ErrorPolicy policy);

    /**
     * Writes {@code value} carrying {@code stamp} (null: untagged) unless a live entry exists; whether it wrote. A
     * tagged entry in the way whose tags were invalidated is no live entry.
     */
    abstract boolean setIfAbsent(String key, Object value, Duration resolvedTtl, TagStamp stamp, ErrorPolicy policy);

    abstract CompletableFuture<Boolean> setIfAbsentAsync(
            String key, Object value, Duration resolvedTtl, TagStamp stamp, ErrorPolicy policy);

    /** The tag versions of this store's key prefix. */
    final TagVersions tags() {
        return runtime.tags();
    }

    abstract boolean has(String key, ErrorPolicy policy);

    /** A background refresh of a stale entry failed: the stale entry stays; logged at a limited rate. */
    final void refreshFailed(String key, Throwable error) {
        errorLog.warnRefresh(storedNamespace, error);
    }

    abstract CompletableFuture<Boolean> hasAsync(String key, ErrorPolicy policy);

    final void delete(String key, ErrorPolicy policy) {
        long t0 = startTimer();
        try {
            backend.delete(storedNamespace, key);
        } catch (RuntimeException e) {
            fail(Operation.DELETE, e, policy);
        } finally {
            stopTimer(Operation.DELETE, t0);
        }
    }

    final CompletableFuture<Void> deleteAsync(String key, ErrorPolicy policy) {
        return guard(Operation.DELETE, policy, () -> backend.deleteAsync(storedNamespace, key));
    }

    final void clear(ErrorPolicy policy) {
        long t0 = startTimer();
        try {
            backend.clear(storedNamespace);
        } catch (RuntimeException e) {
            fail(Operation.CLEAR, e, policy);
        } finally {
            stopTimer(Operation.CLEAR, t0);
        }
    }

    final CompletableFuture<Void> clearAsync(ErrorPolicy policy) {
        return guard(Operation.CLEAR, policy, () -> backend.clearAsync(storedNamespace));
    }

    // ---------------------------------------------------------------- outcomes shared by both stores

    /** Turns what {@link EntryCodec#decode} gave into the value or {@link #MISS}, counting and cleaning up. */
    final Object outcome(String key, Object decoded, Type type, int flags, boolean async) {
        if (decoded == EntryCodec.CORRUPT) {
            stats.corrupt.increment();
            deleteQuietly(key, async);
            return miss(flags);
        }
        if (decoded == EntryCodec.EXPIRED) {
            return miss(flags);
        }
        if (decoded instanceof EntryCodec.Mismatch m) {
            return mismatch(key, m.stored(), type, flags);
        }
        return hit(decoded, flags);
    }

    final Object hit(Object value, int flags) {
        if ((flags & COUNT) != 0) {
            stats.hits.increment();
        }
        return value;
    }

    final Object miss(int flags) {
        if ((flags & COUNT) != 0) {
            stats.misses.increment();
        }
        return MISS;
    }

    /** A live entry of another type: an exception when strict, else a miss; never deleted. */
    final Object mismatch(String key, String stored, Type type, int flags) {
        if ((flags & STRICT) != 0) {
            throw new IllegalStateException("Entry '" + key + "' of namespace '" + storedNamespace + "' holds a "
                    + stored + ", which is not a " + type.getTypeName()
                    + "; read it as the type it was written with, or overwrite it");
        }
        return miss(flags);
    }

    final Optional<Duration> remaining(long expiresAt) {
        if (expiresAt <= 0) {
            return Optional.empty();
        }
        return Optional.of(Duration.ofMillis(Math.max(0, expiresAt - clock.millis())));
    }

    private void deleteQuietly(String key, boolean async) {
        if (async) {
            backend.deleteAsync(storedNamespace, key).whenComplete((ok, e) -> {
                if (e != null) {
                    stats.errors.increment();
                    errorLog.warn(storedNamespace, "delete", backend.name(), unwrap(e));
                }
            });
            return;
        }
        try {
            backend.delete(storedNamespace, key);
        } catch (RuntimeException e) {
            stats.errors.increment();
            errorLog.warn(storedNamespace, "delete", backend.name(), e);
        }
    }

    // ---------------------------------------------------------------- errors and timing

    /** Counts a backend failure, then throws it (THROW) or logs it at a limited rate (FAIL_OPEN). */
    final void fail(Operation operation, RuntimeException e, ErrorPolicy policy) {
        stats.errors.increment();
        if (policy == ErrorPolicy.THROW) {
            throw translate(operation, e);
        }
        errorLog.warn(storedNamespace, operation.tag, backend.name(), e);
    }

    /** A failed future under THROW, a completed one under FAIL_OPEN. */
    final <T> CompletableFuture<T> failAsync(Operation operation, RuntimeException e, ErrorPolicy policy, T open) {
        try {
            fail(operation, e, policy);
            return CompletableFuture.completedFuture(open);
        } catch (RuntimeException thrown) {
            return CompletableFuture.failedFuture(thrown);
        }
    }

    final RuntimeException translate(Operation operation, Throwable e) {
        if (e instanceof CacheException ce) {
            return ce;
        }
        return new CacheBackendException(backend.name() + " " + operation.tag + " failed: " + e, e);
    }

    final RuntimeException asRuntime(Operation operation, Throwable error) {
        Throwable cause = unwrap(error);
        return cause instanceof RuntimeException re ? re : translate(operation, cause);
    }

    static Throwable unwrap(Throwable e) {
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    final long startTimer() {
        return timers.enabled() ? System.nanoTime() : 0L;
    }

    final void stopTimer(Operation operation, long t0) {
        if (t0 != 0L) {
            timers.record(operation, System.nanoTime() - t0);
        }
    }

    /** Runs a backend call, applying the error policy to its failure. */
    final CompletableFuture<Void> guard(
            Operation operation, ErrorPolicy policy, Supplier<? extends CompletableFuture<Void>> call) {
        long t0 = startTimer();
        return start(call).handle((ok, error) -> {
            stopTimer(operation, t0);
            if (error != null) {
                fail(operation, asRuntime(operation, error), policy);
            }
            return null;
        });
    }

    /** Calls {@code call}, turning a synchronous throw or a null future into a failed future. */
    @SuppressWarnings("unchecked")
    static <T> CompletableFuture<T> start(Supplier<? extends CompletableFuture<? extends T>> call) {
        try {
            CompletableFuture<? extends T> f = call.get();
            if (f == null) {
                return CompletableFuture.failedFuture(new NullPointerException("no future was returned"));
            }
            return (CompletableFuture<T>) f;
        } catch (RuntimeException | Error e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Runs {@code body} now, as a completed or failed future. */
    static <T> CompletableFuture<T> completed(Supplier<T> body) {
        try {
            return CompletableFuture.completedFuture(body.get());
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** How long an entry with a stale window lives in the store: its TTL and the window. */
    static Duration hardTtl(Duration resolvedTtl, Duration staleFor) {
        if (staleFor == null || resolvedTtl == io.cachekit.Cache.NO_EXPIRY) {
            return resolvedTtl;
        }
        try {
            return resolvedTtl.plus(staleFor);
        } catch (ArithmeticException e) {
            return io.cachekit.Cache.NO_EXPIRY;
        }
    }

    /** The TTL a backend receives: null for never. */
    static Duration storeTtl(Duration resolvedTtl) {
        return resolvedTtl == io.cachekit.Cache.NO_EXPIRY ? null : resolvedTtl;
    }
}
