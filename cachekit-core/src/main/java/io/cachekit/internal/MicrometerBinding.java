package io.cachekit.internal;

import io.cachekit.BackendStatus;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * Publishes a namespace's counters and operation latencies to Micrometer. Loaded only when Micrometer is on
 * the class path.
 *
 * <p>Meters: {@code cachekit.gets} (tag {@code result=hit|miss}), {@code cachekit.puts}, {@code
 * cachekit.evictions}, {@code cachekit.errors}, {@code cachekit.corrupt}, {@code cachekit.loads} (tag
 * {@code result=success|failure}) and the timer {@code cachekit.operation} (tag {@code operation}); all
 * tagged {@code namespace} and {@code backend}. Counters are read from the striped counters when scraped, so
 * the hit path pays nothing for them.
 */
final class MicrometerBinding {
    private MicrometerBinding() {}

    static OperationTimers bind(
            Object registryOrNull, String namespace, String backend, NamespaceStats stats, boolean timed) {
        MeterRegistry registry = registryOrNull == null ? Metrics.globalRegistry : (MeterRegistry) registryOrNull;
        Tags tags = Tags.of("namespace", namespace, "backend", backend);
        counter(registry, "cachekit.gets", tags.and("result", "hit"), stats, s -> s.hits());
        counter(registry, "cachekit.gets", tags.and("result", "miss"), stats, s -> s.misses());
        counter(registry, "cachekit.puts", tags, stats, s -> s.puts());
        counter(registry, "cachekit.evictions", tags, stats, s -> s.evictions());
        counter(registry, "cachekit.errors", tags, stats, s -> s.errors());
        counter(registry, "cachekit.corrupt", tags, stats, s -> s.corrupt());
        counter(registry, "cachekit.loads", tags.and("result", "success"), stats, s -> s.loads() - s.loadFailures());
        counter(registry, "cachekit.loads", tags.and("result", "failure"), stats, s -> s.loadFailures());
        if (!timed) {
            return OperationTimers.NONE;
        }
        Map<OperationTimers.Operation, Timer> timers = new EnumMap<>(OperationTimers.Operation.class);
        for (OperationTimers.Operation op : OperationTimers.Operation.values()) {
            timers.put(
                    op,
                    Timer.builder("cachekit.operation")
                            .description("Latency of backend operations")
                            .tags(tags.and("operation", op.tag))
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
     * The gauge {@code cachekit.breaker.state}, one series per state ({@code connecting}, {@code up},
     * {@code open}, {@code half_open}, {@code closed}) of which the current one reads 1, tagged {@code
     * namespace} (the root's) and {@code backend}.
     */
    static void bindBackendStatus(
            Object registryOrNull, String namespace, String backend, Supplier<BackendStatus> status) {
        MeterRegistry registry = registryOrNull == null ? Metrics.globalRegistry : (MeterRegistry) registryOrNull;
        for (BackendStatus state : BackendStatus.values()) {
            Gauge.builder("cachekit.breaker.state", status, s -> s.get() == state ? 1 : 0)
                    .description("The store's state as the cache sees it: 1 for the current state")
                    .strongReference(true)
                    .tags(Tags.of(
                            "namespace",
                            namespace,
                            "backend",
                            backend,
                            "state",
                            state.name().toLowerCase(java.util.Locale.ROOT)))
                    .register(registry);
        }
    }

    private static void counter(
            MeterRegistry registry, String name, Tags tags, NamespaceStats stats, ToDoubleFunction<NamespaceStats> f) {
        FunctionCounter.builder(name, stats, f).tags(tags).register(registry);
    }
}
