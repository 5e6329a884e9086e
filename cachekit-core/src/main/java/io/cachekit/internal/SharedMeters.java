package io.cachekit.internal;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.function.ToDoubleFunction;

/**
 * One counter or gauge per registry and meter id, summing every source bound under that id. Micrometer keeps the
 * first meter registered under an id and ignores the function of a later registration, so two caches of one
 * namespace on one registry (two roots on one store, or two Spring contexts in one JVM) would otherwise count
 * only the first. Loaded only when Micrometer is on the class path. Thread-safe.
 *
 * <p>Sources are held weakly, so a cache that is dropped without being closed is not kept alive by its meters.
 * Counters stay monotonic: a source that leaves (its cache closed, or collected) adds the last value it reported
 * to a retired total, and a counter never goes down.
 */
final class SharedMeters {
    /**
     * Per registry domain (weakly: a registry that is dropped takes its sums with it), the sum behind each meter id.
     */
    private static final Map<MeterRegistry, Map<Key, Sum>> SUMS = new WeakHashMap<>();

    private SharedMeters() {}

    /** Binds {@code source}'s count, read by {@code count}, to the function counter {@code name} with {@code tags}. */
    static <S> void counter(
            MeterRegistry registry,
            String name,
            Tags tags,
            String description,
            S source,
            ToDoubleFunction<? super S> count) {
        Sum sum = sum(registry, new Key(name, tags), true);
        sum.add(source, count);
        FunctionCounter.builder(name, sum, Sum::value)
                .tags(tags)
                .description(description)
                .register(registry);
    }

    /** Binds {@code source}'s value to the gauge {@code name} with {@code tags}: the gauge reads the sum of the live ones. */
    static <S> void gauge(
            MeterRegistry registry,
            String name,
            Tags tags,
            String description,
            S source,
            ToDoubleFunction<? super S> value) {
        Sum sum = sum(registry, new Key(name, tags), false);
        sum.add(source, value);
        Gauge.builder(name, sum, Sum::value).tags(tags).description(description).register(registry);
    }

    /**
     * Removes {@code source} from every meter of {@code registry}: a counter keeps what it last counted, a gauge
     * stops adding it.
     */
    static void retire(MeterRegistry registry, Object source) {
        List<Sum> sums;
        synchronized (SUMS) {
            Map<Key, Sum> byKey = SUMS.get(domain(registry));
            if (byKey == null) {
                return;
            }
            sums = new ArrayList<>(byKey.values());
        }
        for (Sum sum : sums) {
            sum.retire(source);
        }
    }

    private static Sum sum(MeterRegistry registry, Key key, boolean monotonic) {
        synchronized (SUMS) {
            return SUMS.computeIfAbsent(domain(registry), r -> new HashMap<>())
                    .computeIfAbsent(key, k -> new Sum(monotonic));
        }
    }

    /**
     * Where meters of one id must share a sum: Micrometer's global registry forwards every meter to the registries
     * added to it (Spring Boot adds the application's), so a cache bound to the global registry and one bound to
     * such a registry register the same id in the same place, and one sum serves both. Any other registry is its
     * own domain.
     */
    private static MeterRegistry domain(MeterRegistry registry) {
        CompositeMeterRegistry global = Metrics.globalRegistry;
        return registry == global || global.getRegistries().contains(registry) ? global : registry;
    }

    private record Key(String name, Tags tags) {}

    /** The sum behind one meter. */
    static final class Sum {
        private final boolean monotonic;
        private final List<Part<?>> parts = new ArrayList<>();
        /** What sources that left had counted (counters only). */
        private double retired;

        Sum(boolean monotonic) {
            this.monotonic = monotonic;
        }

        synchronized <S> void add(S source, ToDoubleFunction<? super S> read) {
            // Drop sources collected since (a registry nobody scrapes would otherwise keep a part per cache ever made).
            for (Iterator<Part<?>> it = parts.iterator(); it.hasNext(); ) {
                Part<?> part = it.next();
                if (part.source.get() == null) {
                    retired += monotonic ? part.last : 0;
                    it.remove();
                }
            }
            parts.add(new Part<>(new WeakReference<>(source), read));
        }

        synchronized double value() {
            double total = retired;
            for (Iterator<Part<?>> it = parts.iterator(); it.hasNext(); ) {
                Part<?> part = it.next();
                double v = part.read();
                if (Double.isNaN(v)) { // collected without being closed: keep what it last reported
                    retired += monotonic ? part.last : 0;
                    total += monotonic ? part.last : 0;
                    it.remove();
                } else {
                    total += v;
                }
            }
            return total;
        }

        synchronized void retire(Object source) {
            for (Iterator<Part<?>> it = parts.iterator(); it.hasNext(); ) {
                Part<?> part = it.next();
                Object s = part.source.get();
                if (s == source || s == null) {
                    double v = s == null ? part.last : part.read();
                    retired += monotonic ? (Double.isNaN(v) ? part.last : v) : 0;
                    it.remove();
                }
            }
        }
    }

    /** One source of a sum and what it last reported. Guarded by its sum's lock. */
    private static final class Part<S> {
        final WeakReference<S> source;
        final ToDoubleFunction<? super S> reader;
        double last;

        Part(WeakReference<S> source, ToDoubleFunction<? super S> reader) {
            this.source = source;
            this.reader = reader;
        }

        /** The source's value, remembered; NaN once the source was collected. */
        double read() {
            S s = source.get();
            if (s == null) {
                return Double.NaN;
            }
            last = reader.applyAsDouble(s);
            return last;
        }
    }
}
