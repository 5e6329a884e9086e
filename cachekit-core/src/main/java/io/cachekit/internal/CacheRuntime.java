package io.cachekit.internal;

import io.cachekit.CachekitConfig;
import io.cachekit.memory.MemoryBackend;
import io.cachekit.spi.CacheBackend;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What every namespace of one cache shares: the backend, the configuration, the loads in flight (one map for
 * sync and async callers, so both wait on the same load), per-namespace counters and the error log.
 */
final class CacheRuntime {
    final CachekitConfig config;
    final CacheBackend backend;
    /** The in-memory backend when it holds values by reference; null otherwise. */
    final MemoryBackend references;

    final ErrorLog errorLog = new ErrorLog();
    final ConcurrentMap<FlightKey, CompletableFuture<Object>> flights = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Namespace> namespaces = new ConcurrentHashMap<>();
    private final boolean micrometer = micrometerPresent();
    private final AtomicBoolean closed = new AtomicBoolean();

    CacheRuntime(CachekitConfig config, CacheBackend backend) {
        this.config = config;
        this.backend = backend;
        this.references = backend instanceof MemoryBackend m && m.storesReferences() ? m : null;
        if (micrometer && !(backend instanceof MemoryBackend)) {
            MicrometerBinding.bindBackendStatus(
                    config.meterRegistry(), config.namespace(), backend.name(), () -> BackendGuards.status(backend));
        }
    }

    /** The counters and timers of a stored namespace, created on first use. */
    Namespace namespace(String storedNamespace) {
        Namespace ns = namespaces.get(storedNamespace);
        return ns != null ? ns : namespaces.computeIfAbsent(storedNamespace, this::newNamespace);
    }

    private Namespace newNamespace(String storedNamespace) {
        NamespaceStats stats = new NamespaceStats(
                backend instanceof MemoryBackend m ? () -> m.evictionCount(storedNamespace) : () -> 0L);
        OperationTimers timers = OperationTimers.NONE;
        if (micrometer) {
            // The in-memory backend answers in nanoseconds: timing it would cost more than the operation.
            timers = MicrometerBinding.bind(
                    config.meterRegistry(),
                    storedNamespace,
                    backend.name(),
                    stats,
                    !(backend instanceof MemoryBackend));
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
            backend.close();
        }
    }

    record Namespace(NamespaceStats stats, OperationTimers timers) {}
}
