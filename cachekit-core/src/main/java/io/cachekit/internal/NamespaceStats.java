package io.cachekit.internal;

import io.cachekit.CacheStats;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/** The counters of one namespace; striped so that concurrent hits do not contend. Thread-safe. */
public final class NamespaceStats {
    final HitCounter hits = new HitCounter();
    final LongAdder misses = new LongAdder();
    final LongAdder puts = new LongAdder();
    final LongAdder errors = new LongAdder();
    final LongAdder corrupt = new LongAdder();
    final LongAdder loads = new LongAdder();
    final LongAdder loadFailures = new LongAdder();
    private final LongSupplier evictions;

    NamespaceStats(LongSupplier evictions) {
        this.evictions = evictions;
    }

    public long hits() {
        return hits.sum();
    }

    public long misses() {
        return misses.sum();
    }

    public long puts() {
        return puts.sum();
    }

    public long errors() {
        return errors.sum();
    }

    public long corrupt() {
        return corrupt.sum();
    }

    public long loads() {
        return loads.sum();
    }

    public long loadFailures() {
        return loadFailures.sum();
    }

    public long evictions() {
        return evictions.getAsLong();
    }

    CacheStats snapshot() {
        return new CacheStats(hits(), misses(), puts(), evictions(), errors(), corrupt(), loads(), loadFailures());
    }
}
