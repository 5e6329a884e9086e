package io.cachekit.internal;

import io.cachekit.BackendStatus;
import io.cachekit.Cache;
import io.cachekit.CacheBackendException;
import io.cachekit.CacheEntry;
import io.cachekit.CacheException;
import io.cachekit.CacheLoader;
import io.cachekit.CacheLoaderException;
import io.cachekit.CacheSerializationException;
import io.cachekit.CacheStats;
import io.cachekit.CachekitConfig;
import io.cachekit.ErrorPolicy;
import io.cachekit.TypeRef;
import io.cachekit.codec.Codec;
import io.cachekit.internal.OperationTimers.Operation;
import io.cachekit.memory.MemoryBackend;
import io.cachekit.spi.CacheBackend;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The {@link Cache} of one namespace: turns values into envelopes (or keeps references on the in-memory
 * backend), applies TTLs, the error policy and counters, and runs single-flight loads. Thread-safe.
 */
public final class DefaultCache implements Cache {
    /** What a read returns when there is no usable entry; distinct from a cached null. */
    static final Object MISS = new Object();
    /** What a read returns when the store failed and the policy is to fail open: a miss, store down. */
    static final Object UNAVAILABLE = new Object();
    /** What {@link #fetch} returns when the store failed open. */
    static final byte[] UNAVAILABLE_BYTES = new byte[0];
    /** What decoding returns for an entry that cannot be read into the requested type. */
    private static final Object FOREIGN = new Object();

    private static final byte[] EMPTY = new byte[0];

    final CacheRuntime runtime;
    private final String namespace;
    final String storedNamespace;
    private final CacheBackend backend;
    private final MemoryBackend references;
    private final Codec codec;
    private final Clock clock;
    private final boolean enabled;
    private final Duration defaultTtl;
    private final ErrorPolicy errorPolicy;
    private final NamespaceStats stats;
    private final OperationTimers timers;
    private final DefaultAsyncCache async;

    /** A cache over {@code backend} in the namespace of {@code config}. */
    public static Cache create(CachekitConfig config, CacheBackend backend) {
        return new DefaultCache(new CacheRuntime(config, backend), config.namespace());
    }

    DefaultCache(CacheRuntime runtime, String namespace) {
        this.runtime = runtime;
        this.namespace = namespace;
        CachekitConfig config = runtime.config;
        // '/' never occurs in a namespace or prefix, so "shop/users" cannot be mistaken for namespace "shop"
        // in stores whose keys are "<namespace>:<key>".
        this.storedNamespace = config.keyPrefix().isEmpty() ? namespace : config.keyPrefix() + "/" + namespace;
        this.backend = runtime.backend;
        this.references = runtime.references;
        this.codec = config.codec();
        this.clock = config.clock();
        this.enabled = config.enabled();
        this.defaultTtl = config.defaultTtl();
        this.errorPolicy = config.errorPolicy();
        CacheRuntime.Namespace ns = runtime.namespace(storedNamespace);
        this.stats = ns.stats();
        this.timers = ns.timers();
        this.async = new DefaultAsyncCache(this);
    }

    // ---------------------------------------------------------------- public API

    @Override
    public String namespace() {
        return namespace;
    }

    @Override
    public <T> T get(String key, Class<T> type) {
        return getValue(key, type, Types.raw(type));
    }

    @Override
    public <T> T get(String key, TypeRef<T> type) {
        return getValue(key, type.type(), Types.raw(type.type()));
    }

    @SuppressWarnings("unchecked")
    private <T> T getValue(String key, Type type, Class<?> raw) {
        Objects.requireNonNull(key, "key");
        if (!enabled) {
            stats.misses.increment();
            return null;
        }
        Object v = read(key, type, raw, errorPolicy, true);
        return isMiss(v) ? null : (T) v;
    }

    static boolean isMiss(Object v) {
        return v == MISS || v == UNAVAILABLE;
    }

    @Override
    public <T> CacheEntry<T> getWithTtl(String key, Class<T> type) {
        return getEntry(key, type, Types.raw(type));
    }

    @Override
    public <T> CacheEntry<T> getWithTtl(String key, TypeRef<T> type) {
        return getEntry(key, type.type(), Types.raw(type.type()));
    }

    @SuppressWarnings("unchecked")
    private <T> CacheEntry<T> getEntry(String key, Type type, Class<?> raw) {
        Objects.requireNonNull(key, "key");
        if (!enabled) {
            stats.misses.increment();
            return null;
        }
        if (references != null) {
            Object v = readReference(key, type, raw, true);
            if (v == MISS) {
                return null;
            }
            return new CacheEntry<>((T) v, remaining(references.expiresAt(storedNamespace, key)));
        }
        byte[] bytes = fetch(key, errorPolicy);
        if (bytes == null || bytes == UNAVAILABLE_BYTES) {
            stats.misses.increment();
            return null;
        }
        Object v = decodeOrMiss(key, bytes, type, raw, true, false);
        return v == MISS ? null : new CacheEntry<>((T) v, remaining(Envelope.expiresAt(bytes)));
    }

    Optional<Duration> remaining(long expiresAt) {
        if (expiresAt <= 0) {
            return Optional.empty();
        }
        return Optional.of(Duration.ofMillis(Math.max(0, expiresAt - clock.millis())));
    }

    @Override
    public void set(String key, Object value) {
        set(key, value, null);
    }

    @Override
    public void set(String key, Object value, Duration ttl) {
        Objects.requireNonNull(key, "key");
        Duration resolved = resolveTtl(ttl);
        if (enabled) {
            write(key, value, resolved, errorPolicy);
        }
    }

    @Override
    public void delete(String key) {
        delete(key, errorPolicy);
    }

    void delete(String key, ErrorPolicy policy) {
        Objects.requireNonNull(key, "key");
        if (!enabled) {
            return;
        }
        long t0 = startTimer();
        try {
            backend.delete(storedNamespace, key);
        } catch (RuntimeException e) {
            fail(Operation.DELETE, e, policy);
        } finally {
            stopTimer(Operation.DELETE, t0);
        }
    }

    @Override
    public boolean has(String key) {
        Objects.requireNonNull(key, "key");
        if (!enabled) {
            return false;
        }
        if (references != null) {
            return references.getReference(storedNamespace, key) != null;
        }
        byte[] bytes = fetch(key, errorPolicy);
        return isLive(bytes);
    }

    boolean isLive(byte[] bytes) {
        return bytes != null && Envelope.isReadable(bytes) && !Envelope.isExpired(bytes, clock.millis());
    }

    @Override
    public void clear() {
        clear(errorPolicy);
    }

    void clear(ErrorPolicy policy) {
        long t0 = startTimer();
        try {
            backend.clear(storedNamespace);
        } catch (RuntimeException e) {
            fail(Operation.CLEAR, e, policy);
        } finally {
            stopTimer(Operation.CLEAR, t0);
        }
    }

    @Override
    public <T> Map<String, T> getMany(Collection<String> keys, Class<T> type) {
        return getManyValues(keys, type, Types.raw(type));
    }

    @Override
    public <T> Map<String, T> getMany(Collection<String> keys, TypeRef<T> type) {
        return getManyValues(keys, type.type(), Types.raw(type.type()));
    }

    private <T> Map<String, T> getManyValues(Collection<String> keys, Type type, Class<?> raw) {
        List<String> list = checkKeys(keys);
        if (!enabled || list.isEmpty()) {
            stats.misses.add(enabled ? 0 : list.size());
            return new HashMap<>();
        }
        if (references != null) {
            Map<String, T> found = new LinkedHashMap<>();
            for (String key : list) {
                putIfHit(found, key, readReference(key, type, raw, true));
            }
            return found;
        }
        Map<String, byte[]> stored;
        long t0 = startTimer();
        try {
            stored = backend.getMany(storedNamespace, list);
        } catch (RuntimeException e) {
            fail(Operation.GET_MANY, e, errorPolicy);
            stats.misses.add(list.size());
            return new HashMap<>();
        } finally {
            stopTimer(Operation.GET_MANY, t0);
        }
        return decodeMany(list, stored, type, raw, false);
    }

    <T> Map<String, T> decodeMany(
            List<String> keys, Map<String, byte[]> stored, Type type, Class<?> raw, boolean async) {
        Map<String, T> found = new LinkedHashMap<>();
        for (String key : keys) {
            byte[] bytes = stored.get(key);
            if (bytes == null) {
                stats.misses.increment();
            } else {
                putIfHit(found, key, decodeOrMiss(key, bytes, type, raw, true, async));
            }
        }
        return found;
    }

    @SuppressWarnings("unchecked")
    private static <T> void putIfHit(Map<String, T> found, String key, Object v) {
        if (v != MISS) {
            found.put(key, (T) v);
        }
    }

    static List<String> checkKeys(Collection<String> keys) {
        Objects.requireNonNull(keys, "keys");
        List<String> list = List.copyOf(new java.util.LinkedHashSet<>(keys)); // rejects null keys
        return list;
    }

    @Override
    public void setMany(Map<String, ?> entries) {
        setMany(entries, null);
    }

    @Override
    public void setMany(Map<String, ?> entries, Duration ttl) {
        Objects.requireNonNull(entries, "entries");
        Duration resolved = resolveTtl(ttl);
        if (!enabled || entries.isEmpty()) {
            return;
        }
        if (references != null) {
            entries.forEach((k, v) -> {
                Objects.requireNonNull(k, "key");
                references.setReference(storedNamespace, k, v, storeTtl(resolved));
                stats.puts.increment();
            });
            return;
        }
        Map<String, byte[]> encoded;
        try {
            encoded = encodeMany(entries, resolved);
        } catch (CacheSerializationException e) {
            fail(Operation.SET_MANY, e, errorPolicy);
            return;
        }
        long t0 = startTimer();
        try {
            backend.setMany(storedNamespace, encoded, storeTtl(resolved));
            stats.puts.add(encoded.size());
        } catch (RuntimeException e) {
            fail(Operation.SET_MANY, e, errorPolicy);
        } finally {
            stopTimer(Operation.SET_MANY, t0);
        }
    }

    Map<String, byte[]> encodeMany(Map<String, ?> entries, Duration resolved) {
        Map<String, byte[]> encoded = new LinkedHashMap<>();
        entries.forEach((k, v) -> encoded.put(Objects.requireNonNull(k, "key"), encode(v, resolved)));
        return encoded;
    }

    @Override
    public <T> T getOrLoad(String key, Class<T> type, Duration ttl, CacheLoader<? extends T> loader) {
        return getOrLoadValue(key, type, Types.raw(type), ttl, loader);
    }

    @Override
    public <T> T getOrLoad(String key, TypeRef<T> type, Duration ttl, CacheLoader<? extends T> loader) {
        return getOrLoadValue(key, type.type(), Types.raw(type.type()), ttl, loader);
    }

    @SuppressWarnings("unchecked")
    private <T> T getOrLoadValue(String key, Type type, Class<?> raw, Duration ttl, CacheLoader<? extends T> loader) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(loader, "loader");
        Duration resolved = resolveTtl(ttl);
        try {
            return (T) load(key, type, raw, resolved, loader::load, errorPolicy, true, CallMode.NORMAL);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new CacheLoaderException("Loader of key '" + key + "' failed", t);
        }
    }

    @Override
    public DefaultAsyncCache async() {
        return async;
    }

    @Override
    public Cache withNamespace(String namespace) {
        if (namespace.equals(this.namespace)) {
            return this;
        }
        // Validates the name with the same rule as the builder.
        CachekitConfig.builder().namespace(namespace);
        return new DefaultCache(runtime, namespace);
    }

    @Override
    public <T> T proxy(Class<T> type, T target) {
        return MethodCaching.proxy(this, type, target);
    }

    @Override
    public <A, R> Function<A, R> memoize(String name, TypeRef<R> resultType, Duration ttl, Function<A, R> function) {
        return MethodCaching.memoize(this, name, resultType, ttl, function);
    }

    @Override
    public <R> Supplier<R> memoize(String name, TypeRef<R> resultType, Duration ttl, Supplier<R> supplier) {
        Function<Object, R> f = memoize(name, resultType, ttl, ignored -> supplier.get());
        return () -> f.apply(null);
    }

    @Override
    public BackendStatus backendStatus() {
        return runtime.closed() ? BackendStatus.CLOSED : BackendGuards.status(backend);
    }

    @Override
    public CacheStats stats() {
        return stats.snapshot();
    }

    @Override
    public CachekitConfig config() {
        return runtime.config;
    }

    @Override
    public <T> T unwrap(Class<T> type) {
        if (type.isInstance(this)) {
            return type.cast(this);
        }
        return backend.unwrap(type);
    }

    @Override
    public void close() {
        runtime.close();
    }

    @Override
    public String toString() {
        return "Cache{namespace=" + namespace + ", backend=" + backend.name() + "}";
    }

    // ---------------------------------------------------------------- reads

    /** A read: the value, null for a cached null, or {@link #MISS}; counted when {@code count}. */
    Object read(String key, Type type, Class<?> raw, ErrorPolicy policy, boolean count) {
        if (references != null) {
            return readReference(key, type, raw, count);
        }
        byte[] bytes = fetch(key, policy);
        if (bytes == null || bytes == UNAVAILABLE_BYTES) {
            if (count) {
                stats.misses.increment();
            }
            return bytes == null ? MISS : UNAVAILABLE;
        }
        return decodeOrMiss(key, bytes, type, raw, count, false);
    }

    private Object readReference(String key, Type type, Class<?> raw, boolean count) {
        Object v = references.getReference(storedNamespace, key);
        if (v == null) {
            if (count) {
                stats.misses.increment();
            }
            return MISS;
        }
        if (v == MemoryBackend.NULL_VALUE) {
            if (count) {
                stats.hits.increment();
            }
            return null;
        }
        if (v instanceof MemoryBackend.EncodedEntry e) {
            return decodeOrMiss(key, e.bytes(), type, raw, count, false);
        }
        if (!raw.isInstance(v)) {
            return foreign(key, false, count);
        }
        if (count) {
            stats.hits.increment();
        }
        return v;
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

    /** Decodes a stored entry; expired entries are misses, unreadable ones are counted and deleted. */
    Object decodeOrMiss(String key, byte[] bytes, Type type, Class<?> raw, boolean count, boolean async) {
        if (!Envelope.isReadable(bytes)) {
            return foreign(key, async, count);
        }
        if (Envelope.isExpired(bytes, clock.millis())) {
            if (count) {
                stats.misses.increment();
            }
            return MISS;
        }
        Object v = decode(bytes, type, raw);
        if (v == FOREIGN) {
            return foreign(key, async, count);
        }
        if (count) {
            stats.hits.increment();
        }
        return v;
    }

    private Object decode(byte[] bytes, Type type, Class<?> raw) {
        if ((Envelope.flags(bytes) & Envelope.FLAG_NULL) != 0) {
            return null;
        }
        int offset = Envelope.HEADER_LENGTH;
        int length = bytes.length - offset;
        int codecId = Envelope.codecId(bytes);
        Object v;
        if (codecId == Envelope.CODEC_BYTES) {
            v = Arrays.copyOfRange(bytes, offset, bytes.length);
        } else if (codecId == Envelope.CODEC_STRING) {
            v = new String(bytes, offset, length, StandardCharsets.UTF_8);
        } else if (codecId == codec.id()) {
            try {
                v = codec.decode(bytes, offset, length, type);
            } catch (RuntimeException e) {
                return FOREIGN;
            }
        } else {
            return FOREIGN;
        }
        return v != null && raw.isInstance(v) ? v : FOREIGN;
    }

    /** An entry that cannot be read as asked: counted, deleted, and a miss. */
    private Object foreign(String key, boolean async, boolean count) {
        stats.corrupt.increment();
        if (count) {
            stats.misses.increment();
        }
        if (async) {
            backend.deleteAsync(storedNamespace, key).whenComplete((ok, e) -> {
                if (e != null) {
                    stats.errors.increment();
                    runtime.errorLog.warn(storedNamespace, "delete", backend.name(), unwrap(e));
                }
            });
        } else {
            try {
                backend.delete(storedNamespace, key);
            } catch (RuntimeException e) {
                stats.errors.increment();
                runtime.errorLog.warn(storedNamespace, "delete", backend.name(), e);
            }
        }
        return MISS;
    }

    // ---------------------------------------------------------------- writes

    void write(String key, Object value, Duration resolvedTtl, ErrorPolicy policy) {
        if (references != null) {
            references.setReference(storedNamespace, key, value, storeTtl(resolvedTtl));
            stats.puts.increment();
            return;
        }
        byte[] bytes;
        try {
            bytes = encode(value, resolvedTtl);
        } catch (CacheSerializationException e) {
            fail(Operation.SET, e, policy);
            return;
        }
        long t0 = startTimer();
        try {
            backend.set(storedNamespace, key, bytes, storeTtl(resolvedTtl));
            stats.puts.increment();
        } catch (RuntimeException e) {
            fail(Operation.SET, e, policy);
        } finally {
            stopTimer(Operation.SET, t0);
        }
    }

    byte[] encode(Object value, Duration resolvedTtl) {
        long expiresAt = expiresAt(resolvedTtl);
        if (value == null) {
            return Envelope.wrap(Envelope.CODEC_NONE, Envelope.FLAG_NULL, expiresAt, EMPTY);
        }
        if (value instanceof byte[] b) {
            return Envelope.wrap(Envelope.CODEC_BYTES, 0, expiresAt, b);
        }
        if (value instanceof String s) {
            return Envelope.wrap(Envelope.CODEC_STRING, 0, expiresAt, s.getBytes(StandardCharsets.UTF_8));
        }
        byte[] payload;
        try {
            payload = codec.encode(value);
        } catch (RuntimeException e) {
            throw new CacheSerializationException(
                    "Codec " + codec.name() + " cannot encode a "
                            + value.getClass().getName(),
                    e);
        }
        return Envelope.wrap(codec.id(), 0, expiresAt, payload);
    }

    private long expiresAt(Duration ttl) {
        if (ttl == NO_EXPIRY) {
            return 0;
        }
        long millis;
        try {
            millis = ttl.toMillis() + (ttl.toNanosPart() % 1_000_000 == 0 ? 0 : 1); // never round down to 0
        } catch (ArithmeticException e) {
            return 0; // longer than the epoch can count: never
        }
        long now = clock.millis();
        return millis > Long.MAX_VALUE - now ? 0 : now + millis;
    }

    /** The TTL a backend receives: null for never. */
    static Duration storeTtl(Duration resolvedTtl) {
        return resolvedTtl == NO_EXPIRY ? null : resolvedTtl;
    }

    Duration resolveTtl(Duration ttl) {
        return ttl == null ? defaultTtl : ttl.equals(NO_EXPIRY) ? NO_EXPIRY : CachekitConfig.checkTtl(ttl);
    }

    // ---------------------------------------------------------------- loads

    /**
     * The single-flight load behind {@code getOrLoad} and method caching. Returns the cached or loaded value;
     * throws the loader's exception unchanged. The write after a load fails open: the value is returned even
     * when it could not be stored.
     */
    Object load(
            String key,
            Type type,
            Class<?> raw,
            Duration resolvedTtl,
            ThrowingSupplier<?> loader,
            ErrorPolicy policy,
            boolean cacheNull,
            CallMode mode)
            throws Throwable {
        if (!enabled) {
            stats.loads.increment();
            return loader.get();
        }
        // When the store has just failed (open), neither re-read nor write: each would wait for the timeout.
        boolean storeDown = false;
        if (mode != CallMode.REFRESH) {
            Object cached = read(key, type, raw, policy, true);
            storeDown = cached == UNAVAILABLE;
            if (!isMiss(cached)) {
                return cached;
            }
        }
        FlightKey flightKey = new FlightKey(storedNamespace, key);
        CompletableFuture<Object> flight = new CompletableFuture<>();
        CompletableFuture<Object> running = runtime.flights.putIfAbsent(flightKey, flight);
        if (running != null) {
            return await(running);
        }
        Object value;
        try {
            value = MISS;
            if (mode != CallMode.REFRESH && !storeDown) {
                // Another caller may have finished loading between our miss and our registration.
                value = read(key, type, raw, policy, false);
                storeDown = value == UNAVAILABLE;
            }
            if (isMiss(value)) {
                stats.loads.increment();
                try {
                    value = loader.get();
                } catch (Throwable t) {
                    stats.loadFailures.increment();
                    throw t;
                }
                if (!storeDown && (value != null || cacheNull)) {
                    write(key, value, resolvedTtl, ErrorPolicy.FAIL_OPEN);
                }
            }
        } catch (Throwable t) {
            // Leave the map before waking the waiters, so a caller that retries at once starts a new load.
            runtime.flights.remove(flightKey, flight);
            flight.completeExceptionally(t);
            throw t;
        }
        runtime.flights.remove(flightKey, flight);
        flight.complete(value);
        return value;
    }

    private static Object await(CompletableFuture<Object> running) throws Throwable {
        try {
            return running.join();
        } catch (CompletionException e) {
            throw e.getCause() != null ? e.getCause() : e;
        }
    }

    // ---------------------------------------------------------------- errors and timing

    /** Counts a backend failure, then throws it (THROW) or logs it at a limited rate (FAIL_OPEN). */
    void fail(Operation operation, RuntimeException e, ErrorPolicy policy) {
        stats.errors.increment();
        if (policy == ErrorPolicy.THROW) {
            throw translate(operation, e);
        }
        runtime.errorLog.warn(storedNamespace, operation.tag, backend.name(), e);
    }

    RuntimeException translate(Operation operation, Throwable e) {
        if (e instanceof CacheException ce) {
            return ce;
        }
        return new CacheBackendException(backend.name() + " " + operation.tag + " failed: " + e, e);
    }

    static Throwable unwrap(Throwable e) {
        while ((e instanceof CompletionException || e instanceof java.util.concurrent.ExecutionException)
                && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    long startTimer() {
        return timers.enabled() ? System.nanoTime() : 0L;
    }

    void stopTimer(Operation operation, long t0) {
        if (t0 != 0L) {
            timers.record(operation, System.nanoTime() - t0);
        }
    }

    // Accessors for the async view and method caching.
    CacheBackend backend() {
        return backend;
    }

    MemoryBackend references() {
        return references;
    }

    NamespaceStats namespaceStats() {
        return stats;
    }

    boolean enabled() {
        return enabled;
    }

    ErrorPolicy errorPolicy() {
        return errorPolicy;
    }
}
