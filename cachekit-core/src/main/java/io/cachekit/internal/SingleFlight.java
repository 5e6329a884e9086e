package io.cachekit.internal;

import io.cachekit.CacheLoaderException;
import io.cachekit.ErrorPolicy;
import io.cachekit.Tags;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One load per (namespace, key, type) at a time in a process, for sync and async callers alike (they share
 * one map, so either kind waits for the other's load).
 *
 * <p>The caller that registers a load (the winner) re-reads (another load may just have finished), runs the
 * loader, writes its result (failing open), leaves the map, and only then completes the flight, so that a caller
 * woken by the completion who calls again starts a new load. Every path leaves the map. Waiters receive the
 * winner's value or exception; they wait at most the configured load timeout, after which each runs the loader
 * itself without writing (the winner still writes), and a sync waiter can be interrupted. A load that asks for
 * its own key on the thread running it fails at once with an {@link IllegalStateException} rather than waiting
 * for itself.
 *
 * <p>Tagged loads read their tags' versions before the loader runs, so an invalidation that lands while it runs
 * leaves the entry written invalid. A waiter of a tagged load may have started after an invalidation that the
 * winner's load predates, so it does not take the winner's value on trust: it reads the entry again (its tags
 * checked), and loads by itself when that entry is not valid. Thread-safe.
 */
final class SingleFlight {
    private final ConcurrentMap<FlightKey, Flight> flights = new ConcurrentHashMap<>();
    private final long timeoutNanos;
    private final Executor executor;

    SingleFlight(Duration loadTimeout, Executor executor) {
        this.timeoutNanos = loadTimeout.toNanos();
        this.executor = executor;
    }

    /** A registered load: its outcome, and the thread running its loader while it runs synchronously. */
    private static final class Flight {
        final CompletableFuture<Object> result = new CompletableFuture<>();
        volatile Thread owner;

        Flight(Thread owner) {
            this.owner = owner;
        }
    }

    /**
     * What loads of one kind read and write, and how; made once per cached method, so that a hit allocates
     * nothing for it.
     */
    record Load(
            ValueStore store,
            Type type,
            Class<?> raw,
            Duration resolvedTtl,
            Duration staleFor,
            ErrorPolicy policy,
            boolean cacheNull,
            int readFlags) {

        /**
         * @param staleFor how long past {@code resolvedTtl} an entry may be served while it is refreshed in the
         *     background (and while its refresh fails); null for none
         */
        Load {
            if (staleFor != null) {
                readFlags |= ValueStore.FRESHNESS;
            }
        }

        /** Writes a loaded value carrying {@code stamp} (null: untagged); fails open. */
        void write(String key, Object value, TagStamp stamp) {
            store.write(key, value, resolvedTtl, staleFor, stamp, ErrorPolicy.FAIL_OPEN);
        }

        CompletableFuture<Void> writeAsync(String key, Object value, TagStamp stamp) {
            return store.writeAsync(key, value, resolvedTtl, staleFor, stamp, ErrorPolicy.FAIL_OPEN);
        }

        /** The versions of {@code tags} before a load: null when untagged, {@link TagVersions#UNAVAILABLE} on failure. */
        TagStamp stamp(Tags tags) {
            return tags == null || tags.isEmpty() ? null : store.tags().stamp(tags, ErrorPolicy.FAIL_OPEN);
        }

        CompletableFuture<TagStamp> stampAsync(Tags tags) {
            return tags == null || tags.isEmpty()
                    ? CompletableFuture.completedFuture(null)
                    : store.tags().stampAsync(tags, ErrorPolicy.FAIL_OPEN);
        }

        /** Whether a value loaded after {@code stamp} was taken is written. */
        boolean writes(TagStamp stamp, Object value) {
            return stamp != TagVersions.UNAVAILABLE && (value != null || cacheNull);
        }

        /** The flags of a read inside a load: neither counted nor wrapped as stale. */
        int innerReadFlags() {
            return readFlags & ~ValueStore.COUNT & ~ValueStore.FRESHNESS;
        }
    }

    /**
     * The cached or loaded value; throws the loader's exception unchanged. The write after a load fails open: the
     * value is returned even when it could not be stored.
     */
    Object load(Load load, String key, Tags tags, CallMode mode, ThrowingSupplier<?> loader) throws Throwable {
        Object cached = mode == CallMode.REFRESH ? ValueStore.MISS : firstRead(load, key);
        return load(cached, load, key, tags, mode, loader);
    }

    /** The read a load starts with (not made in REFRESH mode): a hit needs nothing more. */
    static Object firstRead(Load load, String key) {
        return load.store.get(key, load.type, load.raw, load.policy, load.readFlags);
    }

    /**
     * {@link #load(Load, String, Tags, CallMode, ThrowingSupplier)} after its {@link #firstRead} gave {@code cached},
     * so that a caller can make the read before it has a loader, and make one only on a miss.
     */
    Object load(Object cached, Load load, String key, Tags tags, CallMode mode, ThrowingSupplier<?> loader)
            throws Throwable {
        ValueStore store = load.store;
        // When the store has just failed (open), neither re-read nor write: each would wait for the timeout.
        boolean storeDown = false;
        if (mode != CallMode.REFRESH) {
            storeDown = cached == ValueStore.UNAVAILABLE;
            if (cached instanceof ValueStore.Stale stale) {
                refreshInBackground(load, key, tags, () -> {
                    try {
                        return CompletableFuture.completedFuture(loader.get());
                    } catch (Throwable t) {
                        return CompletableFuture.failedFuture(t);
                    }
                });
                return stale.value();
            }
            if (!ValueStore.isMiss(cached)) {
                return cached;
            }
        }
        FlightKey flightKey = new FlightKey(store.storedNamespace, key, load.type);
        Flight mine = new Flight(Thread.currentThread());
        Flight running = flights.putIfAbsent(flightKey, mine);
        if (running != null) {
            return await(running, load, key, tags, loader);
        }
        Object value = ValueStore.MISS;
        Throwable failure = null;
        try {
            if (mode != CallMode.REFRESH && !storeDown) {
                value = store.get(key, load.type, load.raw, load.policy, load.innerReadFlags());
                storeDown = value == ValueStore.UNAVAILABLE;
            }
            if (ValueStore.isMiss(value)) {
                value = loadAndWrite(load, key, tags, loader, !storeDown);
            }
        } catch (Throwable t) {
            failure = t;
        } finally {
            // Leave the map before waking the waiters, so a caller that retries at once starts a new load.
            flights.remove(flightKey, mine);
            mine.owner = null;
        }
        if (failure != null) {
            mine.result.completeExceptionally(failure);
            throw failure;
        }
        mine.result.complete(value);
        return value;
    }

    /** Takes the stamp of {@code tags}, runs the loader, and writes its value when {@code write} and it can. */
    private static Object loadAndWrite(Load load, String key, Tags tags, ThrowingSupplier<?> loader, boolean write)
            throws Throwable {
        TagStamp stamp = write ? load.stamp(tags) : TagVersions.UNAVAILABLE;
        Object value = runLoader(load.store, loader);
        if (load.writes(stamp, value)) {
            load.write(key, value, stamp);
        }
        return value;
    }

    /**
     * What a waiter of a tagged load returns: the entry read again with its tags checked, else a value it loads
     * itself, as the winner's value may predate an invalidation that returned before this waiter was called. When
     * the store is down, the winner's value.
     */
    private static Object revalidate(Load load, String key, Tags tags, Object winners, ThrowingSupplier<?> loader)
            throws Throwable {
        Object again = load.store.get(key, load.type, load.raw, load.policy, load.innerReadFlags());
        if (again == ValueStore.UNAVAILABLE) {
            return winners;
        }
        return ValueStore.isMiss(again) ? loadAndWrite(load, key, tags, loader, true) : again;
    }

    private static Object runLoader(ValueStore store, ThrowingSupplier<?> loader) throws Throwable {
        store.stats.loads.increment();
        try {
            return loader.get();
        } catch (Throwable t) {
            store.stats.loadFailures.increment();
            throw t;
        }
    }

    private Object await(Flight running, Load load, String key, Tags tags, ThrowingSupplier<?> loader)
            throws Throwable {
        if (running.owner == Thread.currentThread()) {
            throw reentrant(load, key);
        }
        Object winners;
        try {
            winners = running.result.get(timeoutNanos, TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() != null ? e.getCause() : e;
        } catch (TimeoutException e) {
            return runLoader(load.store, loader); // the winner is slow: answer without it, and leave the write to it
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CacheLoaderException(
                    "Interrupted while waiting for the load of key '" + key + "' by another caller", e);
        }
        return tags == null || tags.isEmpty() ? winners : revalidate(load, key, tags, winners, loader);
    }

    /** The async load: completes with the cached or loaded value, or with the loader's exception (never cached). */
    CompletableFuture<Object> loadAsync(
            Load load, String key, Tags tags, CallMode mode, Supplier<? extends CompletableFuture<?>> loader) {
        ValueStore store = load.store;
        CompletableFuture<Object> first = mode == CallMode.REFRESH
                ? CompletableFuture.completedFuture(ValueStore.MISS)
                : store.getAsync(key, load.type, load.raw, load.policy, load.readFlags);
        return first.thenCompose(cached -> {
            if (cached instanceof ValueStore.Stale stale) {
                refreshInBackground(load, key, tags, loader);
                return CompletableFuture.completedFuture(stale.value());
            }
            if (!ValueStore.isMiss(cached)) {
                return CompletableFuture.completedFuture(cached);
            }
            FlightKey flightKey = new FlightKey(store.storedNamespace, key, load.type);
            Flight mine = new Flight(null);
            Flight running = flights.putIfAbsent(flightKey, mine);
            if (running != null) {
                return awaitAsync(running, load, key, tags, loader);
            }
            boolean storeDown = cached == ValueStore.UNAVAILABLE;
            CompletableFuture<Object> again = mode == CallMode.REFRESH || storeDown
                    ? CompletableFuture.completedFuture(cached)
                    : store.getAsync(key, load.type, load.raw, load.policy, load.innerReadFlags());
            boolean[] loaded = new boolean[1];
            // The loader is the user's code: it runs on the executor, never on the thread that completed
            // the read (a store client's I/O thread, or a timer).
            again.thenComposeAsync(
                            v -> {
                                if (!ValueStore.isMiss(v)) {
                                    return CompletableFuture.completedFuture(v);
                                }
                                loaded[0] = true;
                                return loadAndWriteAsync(load, key, tags, mine, loader, v != ValueStore.UNAVAILABLE);
                            },
                            executor)
                    .whenComplete((value, error) -> {
                        // Leave the map first: callers woken by the completion may call again at once, and must
                        // start a new load rather than join this finished one.
                        flights.remove(flightKey, mine);
                        if (error != null) {
                            if (loaded[0]) {
                                store.stats.loadFailures.increment();
                            }
                            mine.result.completeExceptionally(ValueStore.unwrap(error));
                        } else {
                            mine.result.complete(value);
                        }
                    });
            return mine.result.thenApply(v -> v); // a dependent, so callers cannot complete the shared one
        });
    }

    /**
     * Refreshes a stale entry on the executor, unless a load of the key already runs: the callers keep getting
     * the stale value meanwhile. A failed refresh keeps the stale entry until it expires, and is counted and
     * logged.
     */
    private void refreshInBackground(
            Load load, String key, Tags tags, Supplier<? extends CompletableFuture<?>> loader) {
        ValueStore store = load.store;
        FlightKey flightKey = new FlightKey(store.storedNamespace, key, load.type);
        Flight mine = new Flight(null);
        if (flights.putIfAbsent(flightKey, mine) != null) {
            return;
        }
        CompletableFuture.supplyAsync(() -> loadAndWriteAsync(load, key, tags, mine, loader, true), executor)
                .thenCompose(f -> f)
                .whenComplete((value, error) -> {
                    flights.remove(flightKey, mine);
                    if (error != null) {
                        Throwable cause = ValueStore.unwrap(error);
                        store.stats.loadFailures.increment();
                        store.refreshFailed(key, cause);
                        mine.result.completeExceptionally(cause);
                    } else {
                        mine.result.complete(value);
                    }
                });
    }

    /**
     * {@link #loadAndWrite} without blocking: the stamp, then the loader (started on the executor unless the stamp
     * is at hand on this executor thread already), then the write.
     */
    private CompletableFuture<Object> loadAndWriteAsync(
            Load load,
            String key,
            Tags tags,
            Flight flight,
            Supplier<? extends CompletableFuture<?>> loader,
            boolean write) {
        CompletableFuture<TagStamp> stamp =
                write ? load.stampAsync(tags) : CompletableFuture.completedFuture(TagVersions.UNAVAILABLE);
        Function<TagStamp, CompletableFuture<Object>> run = s -> startLoader(load.store, flight, loader)
                .thenCompose(value -> load.writes(s, value)
                        ? load.writeAsync(key, value, s).thenApply(x -> value)
                        : CompletableFuture.completedFuture(value));
        return stamp.isDone() ? stamp.thenCompose(run) : stamp.thenComposeAsync(run, executor);
    }

    /** {@link #revalidate} without blocking. */
    private CompletableFuture<Object> revalidateAsync(
            Load load, String key, Tags tags, Object winners, Supplier<? extends CompletableFuture<?>> loader) {
        return load.store
                .getAsync(key, load.type, load.raw, load.policy, load.innerReadFlags())
                .thenComposeAsync(
                        again -> {
                            if (again == ValueStore.UNAVAILABLE) {
                                return CompletableFuture.completedFuture(winners);
                            }
                            if (!ValueStore.isMiss(again)) {
                                return CompletableFuture.completedFuture(again);
                            }
                            return loadAndWriteAsync(load, key, tags, new Flight(null), loader, true);
                        },
                        executor);
    }

    /** Starts the loader, marking this thread as the flight's owner while the loader runs on it. */
    private static CompletableFuture<Object> startLoader(
            ValueStore store, Flight flight, Supplier<? extends CompletableFuture<?>> loader) {
        store.stats.loads.increment();
        flight.owner = Thread.currentThread();
        try {
            return ValueStore.start(loader);
        } finally {
            flight.owner = null;
        }
    }

    private CompletableFuture<Object> awaitAsync(
            Flight running, Load load, String key, Tags tags, Supplier<? extends CompletableFuture<?>> loader) {
        if (running.owner == Thread.currentThread()) {
            return CompletableFuture.failedFuture(reentrant(load, key));
        }
        CompletableFuture<Object> winners =
                running.result.thenApply(v -> v).orTimeout(timeoutNanos, TimeUnit.NANOSECONDS);
        CompletableFuture<Object> checked = tags == null || tags.isEmpty()
                ? winners
                : winners.thenCompose(v -> revalidateAsync(load, key, tags, v, loader));
        return checked.exceptionallyComposeAsync(
                e -> {
                    Throwable cause = ValueStore.unwrap(e);
                    if (!(cause instanceof TimeoutException) || running.result.isDone()) {
                        return CompletableFuture.failedFuture(cause);
                    }
                    // The winner is slow: answer without it, on the executor rather than the timer thread.
                    load.store.stats.loads.increment();
                    return ValueStore.<Object>start(loader);
                },
                executor);
    }

    private static IllegalStateException reentrant(Load load, String key) {
        return new IllegalStateException("The load of key '" + key + "' in namespace '"
                + load.store.storedNamespace + "' asked for the same key on the thread running it, and would wait"
                + " for itself: a loader (or cached method) must not depend on its own result");
    }

    /** Loads in flight, for tests: every path must leave none behind. */
    int inFlight() {
        return flights.size();
    }
}
