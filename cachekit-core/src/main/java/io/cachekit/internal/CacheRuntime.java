package io.cachekit.internal;

import io.cachekit.BackendStatus;
import io.cachekit.CachekitConfig;
import io.cachekit.memory.MemoryBackend;
import io.cachekit.spi.CacheBackend;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * What every namespace of one cache shares: the backend, the configuration, the loads in flight (one map for
 * sync and async callers, so both wait on the same load), per-namespace counters and the error log.
 */
final class CacheRuntime {
    final CachekitConfig config;
    final CacheBackend backend;
    final ErrorLog errorLog = new ErrorLog();
    /** The loads in flight of every namespace, sync and async alike. */
    final SingleFlight flights;
    /** The proxies made so far, so that two that nothing tells apart are refused. */
    final ProxyRegistry proxies = new ProxyRegistry();
    /** The store's state for the breaker gauge, which holds it weakly: this field keeps it while the runtime lives. */
    private final Supplier<BackendStatus> status;

    private final ConcurrentMap<String, Namespace> namespaces = new ConcurrentHashMap<>();
    private final boolean micrometer = micrometerPresent();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Made on first use, so that caches that never tag have no tag namespace (nor its meters). */
    private volatile TagVersions tags;

    CacheRuntime(CachekitConfig config, CacheBackend backend) {
        this.config = config;
        this.backend = backend;
        this.flights = new SingleFlight(
                config.loadTimeout(), config.executor() != null ? config.executor() : SharedExecutor.completions());
        this.status = () -> closed() ? BackendStatus.CLOSED : BackendGuards.status(backend);
        if (micrometer && !ReferenceStore.inMemory(backend)) {
            MicrometerBinding.bindBackendStatus(config.meterRegistry(), config.namespace(), backend.name(), status);
        }
    }

    /**
     * The namespace the backend receives for {@code namespace}: {@code prefix/namespace} under a key prefix. '/'
     * never occurs in a namespace or prefix, so "shop/users" cannot be mistaken for namespace "shop" in stores whose
     * keys are "namespace:key".
     */
    String storedNamespace(String namespace) {
        return config.keyPrefix().isEmpty() ? namespace : config.keyPrefix() + "/" + namespace;
    }

    /** The tag versions of this runtime's key prefix, kept in the reserved namespace {@code _tags}. */
    TagVersions tags() {
        TagVersions t = tags;
        if (t == null) {
            synchronized (this) {
                t = tags;
                if (t == null) {
                    ValueStore store = ValueStore.of(this, storedNamespace(CachekitConfig.TAGS_NAMESPACE));
                    t = new TagVersions(
                            store, config.tagVersionCache(), config.clock(), ReferenceStore.inMemory(backend));
                    tags = t;
                }
            }
        }
        return t;
    }

    /** The counters and timers of a stored namespace, created on first use. */
    Namespace namespace(String storedNamespace) {
        Namespace ns = namespaces.get(storedNamespace);
        return ns != null ? ns : namespaces.computeIfAbsent(storedNamespace, this::newNamespace);
    }

    private Namespace newNamespace(String storedNamespace) {
        NamespaceStats stats = new NamespaceStats(() -> ReferenceStore.evictions(backend, storedNamespace));
        OperationTimers timers = OperationTimers.NONE;
        if (micrometer) {
            // Only the in-memory backend knows its evictions and size per namespace. It answers in nanoseconds:
            // timing it would cost more than the operation.
            boolean inMemory = ReferenceStore.inMemory(backend);
            LongSupplier size = backend instanceof MemoryBackend m ? () -> m.size(storedNamespace) : null;
            timers = MicrometerBinding.bind(
                    config.meterRegistry(), storedNamespace, backend.name(), stats, size, inMemory, !inMemory);
        }
        return new Namespace(stats, timers);
    }

    /** Checked here, not in MicrometerBinding: loading that class needs Micrometer on the class path. */
    private static boolean micrometerPresent() {
        try {
            Class.forName("io.micrometer.core.instrument.MeterRegistry", false, CacheRuntime.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    boolean closed() {
        return closed.get();
    }

    void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                backend.close();
            } finally {
                if (micrometer) {
                    // The meters keep what this runtime counted, and stop reading it.
                    for (Namespace ns : namespaces.values()) {
                        MicrometerBinding.retire(config.meterRegistry(), ns.stats());
                    }
                    MicrometerBinding.retire(config.meterRegistry(), status);
                }
            }
        }
    }

    record Namespace(NamespaceStats stats, OperationTimers timers) {}
}
