package io.cachekit.internal;

import io.cachekit.BackendStatus;
import io.cachekit.Cache;
import io.cachekit.CacheEntry;
import io.cachekit.CacheLoader;
import io.cachekit.CacheLoaderException;
import io.cachekit.CacheStats;
import io.cachekit.CachekitConfig;
import io.cachekit.ErrorPolicy;
import io.cachekit.Tags;
import io.cachekit.TypeRef;
import io.cachekit.spi.CacheBackend;
import io.cachekit.spi.Durations;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The {@link Cache} of one namespace: resolves TTLs and applies the on/off switch, reads the versions of the tags
 * of tagged writes ({@link TagVersions}), then hands values to the namespace's {@link ValueStore} and loads to the
 * runtime's {@link SingleFlight}. Thread-safe.
 */
public final class DefaultCache implements Cache {
    private static final int DIRECT_READ = ValueStore.COUNT | ValueStore.STRICT;

    final CacheRuntime runtime;
    final ValueStore store;
    private final String namespace;
    private final boolean enabled;
    private final Duration defaultTtl;
    private final ErrorPolicy errorPolicy;
    private final DefaultAsyncCache async;
    /**
     * Whether this is the cache {@link #create} made, which owns the runtime and its backend: only its {@link
     * #close} closes them. Views made by {@link #withNamespace} own nothing.
     */
    private volatile boolean owner;

    /** A cache over {@code backend} in the namespace of {@code config}; closing it closes the backend. */
    public static Cache create(CachekitConfig config, CacheBackend backend) {
        DefaultCache root = new DefaultCache(new CacheRuntime(config, backend), config.namespace());
        root.owner = true;
        return root;
    }

    DefaultCache(CacheRuntime runtime, String namespace) {
        this.runtime = runtime;
        this.namespace = namespace;
        CachekitConfig config = runtime.config;
        this.store = ValueStore.of(runtime, runtime.storedNamespace(namespace));
        this.enabled = config.enabled();
        this.defaultTtl = config.defaultTtl();
        this.errorPolicy = config.errorPolicy();
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
        Objects.requireNonNull(type, "type");
        if (!enabled) {
            store.stats.misses.increment();
            return null;
        }
        Object v = store.get(key, type, raw, errorPolicy, DIRECT_READ);
        return ValueStore.isMiss(v) ? null : (T) v;
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
        Objects.requireNonNull(type, "type");
        if (!enabled) {
            store.stats.misses.increment();
            return null;
        }
        return (CacheEntry<T>) store.getEntry(key, type, raw, errorPolicy);
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
            store.set(key, value, resolved, errorPolicy);
        }
    }

    @Override
    public void set(String key, Object value, Duration ttl, Tags tags) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(tags, "tags");
        Duration resolved = resolveTtl(ttl);
        if (enabled) {
            TagStamp stamp = stamp(tags);
            if (stamp != TagVersions.UNAVAILABLE) {
                store.write(key, value, resolved, null, stamp, errorPolicy);
            }
        }
    }

    /** The versions of {@code tags} before a write: null when there are none. */
    private TagStamp stamp(Tags tags) {
        return tags.isEmpty() ? null : runtime.tags().stamp(tags, errorPolicy);
    }

    @Override
    public boolean setIfAbsent(String key, Object value, Duration ttl) {
        return setIfAbsent(key, value, ttl, Tags.none());
    }

    @Override
    public boolean setIfAbsent(String key, Object value, Duration ttl, Tags tags) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(tags, "tags");
        Duration resolved = resolveTtl(ttl);
        if (!enabled) {
            return false;
        }
        TagStamp stamp = stamp(tags);
        return stamp != TagVersions.UNAVAILABLE && store.setIfAbsent(key, value, resolved, stamp, errorPolicy);
    }

    @Override
    public void delete(String key) {
        Objects.requireNonNull(key, "key");
        if (enabled) {
            store.delete(key, errorPolicy);
        }
    }

    @Override
    public boolean has(String key) {
        Objects.requireNonNull(key, "key");
        return enabled && store.has(key, errorPolicy);
    }

    @Override
    public void clear() {
        store.clear(errorPolicy);
    }

    @Override
    public <T> Map<String, T> getMany(Collection<String> keys, Class<T> type) {
        return getManyValues(keys, type, Types.raw(type));
    }

    @Override
    public <T> Map<String, T> getMany(Collection<String> keys, TypeRef<T> type) {
        return getManyValues(keys, type.type(), Types.raw(type.type()));
    }

    @SuppressWarnings("unchecked")
    private <T> Map<String, T> getManyValues(Collection<String> keys, Type type, Class<?> raw) {
        List<String> list = checkKeys(keys);
        Objects.requireNonNull(type, "type");
        if (!enabled || list.isEmpty()) {
            store.stats.misses.add(enabled ? 0 : list.size());
            return new HashMap<>();
        }
        Map<String, Object> found = store.getMany(list, type, raw, errorPolicy, DIRECT_READ);
        return found == null ? new HashMap<>() : (Map<String, T>) found;
    }

    /** Distinct keys in their first order; rejects a null collection or key. */
    static List<String> checkKeys(Collection<String> keys) {
        Objects.requireNonNull(keys, "keys");
        return List.copyOf(new LinkedHashSet<>(keys));
    }

    @Override
    public void setMany(Map<String, ?> entries) {
        setMany(entries, null);
    }

    @Override
    public void setMany(Map<String, ?> entries, Duration ttl) {
        setMany(entries, ttl, Tags.none());
    }

    @Override
    public void setMany(Map<String, ?> entries, Duration ttl, Tags tags) {
        Objects.requireNonNull(entries, "entries");
        Objects.requireNonNull(tags, "tags");
        Duration resolved = resolveTtl(ttl);
        if (enabled && !entries.isEmpty()) {
            TagStamp stamp = stamp(tags);
            if (stamp != TagVersions.UNAVAILABLE) {
                store.setMany(entries, resolved, stamp, errorPolicy);
            }
        }
    }

    @Override
    public void invalidateTags(String... tags) {
        Objects.requireNonNull(tags, "tags");
        invalidateTags(Arrays.asList(tags));
    }

    @Override
    public void invalidateTags(Collection<String> tags) {
        runtime.tags().invalidate(Tags.checkAll(tags), errorPolicy);
    }

    @Override
    public <T> T getOrLoad(String key, Class<T> type, Duration ttl, CacheLoader<? extends T> loader) {
        return getOrLoadValue(key, type, Types.raw(type), ttl, null, null, loader);
    }

    @Override
    public <T> T getOrLoad(String key, TypeRef<T> type, Duration ttl, CacheLoader<? extends T> loader) {
        return getOrLoadValue(key, type.type(), Types.raw(type.type()), ttl, null, null, loader);
    }

    @Override
    public <T> T getOrLoad(String key, Class<T> type, Duration ttl, Tags tags, CacheLoader<? extends T> loader) {
        Objects.requireNonNull(tags, "tags");
        return getOrLoadValue(key, type, Types.raw(type), ttl, null, tags, loader);
    }

    @Override
    public <T> T getOrLoad(String key, TypeRef<T> type, Duration ttl, Tags tags, CacheLoader<? extends T> loader) {
        Objects.requireNonNull(tags, "tags");
        return getOrLoadValue(key, type.type(), Types.raw(type.type()), ttl, null, tags, loader);
    }

    @Override
    public <T> T getOrLoad(
            String key, TypeRef<T> type, Duration ttl, Duration staleFor, CacheLoader<? extends T> loader) {
        return getOrLoadValue(key, type.type(), Types.raw(type.type()), ttl, checkStaleFor(staleFor), null, loader);
    }

    @Override
    public <T> T getOrLoad(
            String key, TypeRef<T> type, Duration ttl, Duration staleFor, Tags tags, CacheLoader<? extends T> loader) {
        Objects.requireNonNull(tags, "tags");
        return getOrLoadValue(key, type.type(), Types.raw(type.type()), ttl, checkStaleFor(staleFor), tags, loader);
    }

    /** {@code staleFor} and {@code tags} may be null (none). */
    @SuppressWarnings("unchecked")
    private <T> T getOrLoadValue(
            String key,
            Type type,
            Class<?> raw,
            Duration ttl,
            Duration staleFor,
            Tags tags,
            CacheLoader<? extends T> loader) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(loader, "loader");
        Duration resolved = resolveTtl(ttl);
        try {
            return (T) load(directLoad(type, raw, resolved, staleFor), key, tags, CallMode.NORMAL, loader::load);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new CacheLoaderException("Loader of key '" + key + "' failed", t);
        }
    }

    /** Checks a stale window: positive (the entry stays servable that long past its TTL). */
    static Duration checkStaleFor(Duration staleFor) {
        return Durations.requirePositive("staleFor", staleFor);
    }

    SingleFlight.Load directLoad(Type type, Class<?> raw, Duration resolvedTtl, Duration staleFor) {
        return new SingleFlight.Load(store, type, raw, resolvedTtl, staleFor, errorPolicy, true, DIRECT_READ);
    }

    /** A load's description for method caching: type mismatches are misses, backend failures per {@code policy}. */
    SingleFlight.Load methodLoad(
            Type type, Duration resolvedTtl, Duration staleFor, ErrorPolicy policy, boolean cacheNull) {
        return new SingleFlight.Load(
                store, type, Types.raw(type), resolvedTtl, staleFor, policy, cacheNull, ValueStore.COUNT);
    }

    /**
     * The single-flight load behind getOrLoad and method caching, writing an entry tagged with {@code tags} (null or
     * empty: untagged); throws the loader's exception unchanged.
     */
    Object load(SingleFlight.Load load, String key, Tags tags, CallMode mode, ThrowingSupplier<?> loader)
            throws Throwable {
        if (!enabled) {
            store.stats.loads.increment();
            return loader.get();
        }
        return runtime.flights.load(load, key, tags, mode, loader);
    }

    @Override
    public DefaultAsyncCache async() {
        return async;
    }

    @Override
    public Cache withNamespace(String namespace) {
        if (namespace.equals(this.namespace) && !owner) {
            return this;
        }
        // Validates the name with the same rule as the builder.
        CachekitConfig.builder().namespace(namespace);
        return new DefaultCache(runtime, namespace);
    }

    @Override
    public <T> T proxy(Class<T> type, T target) {
        return MethodCaching.proxy(this, type, target, null);
    }

    @Override
    public <T> T proxy(Class<T> type, T target, String name) {
        Objects.requireNonNull(name, "name");
        return MethodCaching.proxy(this, type, target, name);
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
        return runtime.closed() ? BackendStatus.CLOSED : BackendGuards.status(store.backend);
    }

    @Override
    public CacheStats stats() {
        return store.stats.snapshot();
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
        return store.backend.unwrap(type);
    }

    /** Closes the runtime and its backend when this cache owns them; on a view, does nothing. */
    @Override
    public void close() {
        if (owner) {
            runtime.close();
        }
    }

    @Override
    public String toString() {
        return "Cache{namespace=" + namespace + ", backend=" + store.backend.name() + "}";
    }

    // ---------------------------------------------------------------- shared with the async view and method caching

    Duration resolveTtl(Duration ttl) {
        return ttl == null ? defaultTtl : ttl.equals(NO_EXPIRY) ? NO_EXPIRY : CachekitConfig.checkTtl(ttl);
    }

    boolean enabled() {
        return enabled;
    }

    ErrorPolicy errorPolicy() {
        return errorPolicy;
    }
}
