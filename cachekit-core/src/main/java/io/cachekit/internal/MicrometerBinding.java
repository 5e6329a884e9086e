package io.cachekit.internal;

import io.cachekit.BackendStatus;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Publishes a namespace's counters and operation latencies to Micrometer. Loaded only when Micrometer is on the
 * class path.
 *
 * <p>The standard cache meters, named and tagged as Micrometer's cache binders ({@code CacheMeterBinder}) and
 * Spring Boot's cache metrics name and tag them, so existing dashboards show Cachekit's namespaces: {@code
 * cache.gets} (tag {@code result=hit|miss}), {@code cache.puts}, and where the store reports them {@code
 * cache.evictions} and the gauge {@code cache.size}; tagged {@code cache} and {@code name} (the namespace) and
 * {@code cache.manager} ({@link #CACHE_MANAGER}). Beside them Cachekit's own, tagged {@code namespace} and {@code
 * backend}: {@code cachekit.errors}, {@code cachekit.corrupt}, {@code cachekit.loads} (tag {@code
 * result=success|failure}), the timer {@code cachekit.operation} (tag {@code operation}) and the gauge {@code
 * cachekit.breaker.state}. Counters are read from the striped counters when scraped, so the hit path pays nothing
 * for them; caches of one namespace on one registry add up ({@link SharedMeters}).
 */
final class MicrometerBinding {
    /** The value of the {@code cache.manager} tag of the standard meters. */
    static final String CACHE_MANAGER = "cachekit";

    private MicrometerBinding() {}

    static MeterRegistry registry(@Nullable Object registryOrNull) {
        return registryOrNull == null ? Metrics.globalRegistry : (MeterRegistry) registryOrNull;
    }

    /**
     * Binds the meters of one namespace.
     *
     * @param size the number of entries the store holds in the namespace, or null when it does not know
     * @param evictionsKnown whether the store reports evictions
     * @param timed whether to time backend operations
     */
    static OperationTimers bind(
            @Nullable Object registryOrNull,
            String namespace,
            String backend,
            NamespaceStats stats,
            @Nullable LongSupplier size,
            boolean evictionsKnown,
            boolean timed) {
        MeterRegistry registry = registry(registryOrNull);
        Tags standard = Tags.of("cache", namespace, "cache.manager", CACHE_MANAGER, "name", namespace);
        SharedMeters.counter(
                registry,
                "cache.gets",
                standard.and("result", "hit"),
                "The number of times cache lookup methods have returned a cached value.",
                stats,
                NamespaceStats::hits);
        SharedMeters.counter(
                registry,
                "cache.gets",
                standard.and("result", "miss"),
                "The number of times cache lookup methods have not returned a value.",
                stats,
                NamespaceStats::misses);
        SharedMeters.counter(
                registry,
                "cache.puts",
                standard,
                "The number of entries added to the cache.",
                stats,
                NamespaceStats::puts);
        if (evictionsKnown) {
            SharedMeters.counter(
                    registry,
                    "cache.evictions",
                    standard,
                    "The number of times the cache was evicted.",
                    stats,
                    NamespaceStats::evictions);
        }
        if (size != null) {
            SharedMeters.gauge(
                    registry,
                    "cache.size",
                    standard,
                    "The number of entries in this cache. This may be an approximation.",
                    stats,
                    s -> size.getAsLong());
        }

        Tags own = Tags.of("namespace", namespace, "backend", backend);
        SharedMeters.counter(
                registry,
                "cachekit.errors",
                own,
                "Backend failures met, whether thrown or failed open.",
                stats,
                NamespaceStats::errors);
        SharedMeters.counter(
                registry,
                "cachekit.corrupt",
                own,
                "Stored entries that could not be read and were deleted.",
                stats,
                NamespaceStats::corrupt);
        SharedMeters.counter(
                registry,
                "cachekit.loads",
                own.and("result", "success"),
                "Loader runs that returned.",
                stats,
                s -> s.loads() - s.loadFailures());
        SharedMeters.counter(
                registry,
                "cachekit.loads",
                own.and("result", "failure"),
                "Loader runs that threw.",
                stats,
                NamespaceStats::loadFailures);
        if (!timed) {
            return OperationTimers.NONE;
        }
        // Micrometer hands every registration of one id the same timer, so caches of one namespace share it.
        Map<OperationTimers.Operation, Timer> timers = new EnumMap<>(OperationTimers.Operation.class);
        for (OperationTimers.Operation op : OperationTimers.Operation.values()) {
            timers.put(
                    op,
                    Timer.builder("cachekit.operation")
                            .description("Latency of backend operations")
                            .tags(own.and("operation", op.tag))
                            .register(registry));
        }
        return new OperationTimers() {
            @Override
            public boolean enabled() {
                return true;
            }

            @Override
            public void record(Operation operation, long nanos) {
                timers.get(operation).record(nanos, TimeUnit.NANOSECONDS);
            }
        };
    }

    /**
     * The gauge {@code cachekit.breaker.state}, one series per state ({@code connecting}, {@code up}, {@code open},
     * {@code half_open}, {@code closed}) reading how many caches of that namespace (the root's) and backend are in
     * it: 1 for the current state when there is one cache. {@code status} is held weakly: its owner keeps it.
     */
    static void bindBackendStatus(
            @Nullable Object registryOrNull, String namespace, String backend, Supplier<BackendStatus> status) {
        MeterRegistry registry = registry(registryOrNull);
        for (BackendStatus state : BackendStatus.values()) {
            SharedMeters.gauge(
                    registry,
                    "cachekit.breaker.state",
                    Tags.of(
                            "namespace",
                            namespace,
                            "backend",
                            backend,
                            "state",
                            state.name().toLowerCase(Locale.ROOT)),
                    "The store's state as the cache sees it: 1 for the current state",
                    status,
                    s -> s.get() == state ? 1 : 0);
        }
    }

    /** Takes a closed cache's sources out of the meters; counters keep what they counted. */
    static void retire(@Nullable Object registryOrNull, Object source) {
        SharedMeters.retire(registry(registryOrNull), source);
    }
}
