package io.cachekit.dynamodb.internal;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;

/**
 * The generations this process last read, per generation item, each with the {@link System#nanoTime()} at
 * which the request that returned it was sent: the generation was current at some moment after that.
 *
 * <p>Writes use a known generation for {@link #FRESH_NANOS} ({@link #fresh}): a write tagged with a generation
 * that a clear has since passed is invisible (a miss), never a stale hit. Reads use one only for the read
 * reuse time ({@link #freshForReads}), and only because a clear waits that long before it returns: a
 * generation asked for before a clear's update is past its reuse time by the time that clear returns, in
 * every process (each measures the time on its own monotonic clock, so wall-clock skew does not matter).
 * Bounded: past {@link #MAX_ENTRIES} items it starts afresh. Thread-safe.
 */
public final class Generations {
    /** How long a generation read is trusted for writes. */
    public static final long FRESH_NANOS = TimeUnit.SECONDS.toNanos(1);

    static final int MAX_ENTRIES = 10_000;

    private record Known(long generation, long askedAtNanos) {}

    private final ConcurrentHashMap<String, Known> known = new ConcurrentHashMap<>();
    private final long readReuseNanos;

    /**
     * @param readReuse how long a read may use a generation without reading it again; zero: never
     */
    public Generations(Duration readReuse) {
        this.readReuseNanos = readReuse.toNanos();
    }

    /** The generation of {@code generationKey} when asked for in the last second, else {@code -1}. */
    public long fresh(String generationKey) {
        return freshWithin(generationKey, FRESH_NANOS);
    }

    /**
     * The generation of {@code generationKey} when asked for within the read reuse time, else {@code -1}. A
     * read that used it must call this again once its answer is in, and trust the answer only when it
     * returns the same generation.
     */
    public long freshForReads(String generationKey) {
        return readReuseNanos == 0 ? -1 : freshWithin(generationKey, readReuseNanos);
    }

    private long freshWithin(String generationKey, long nanos) {
        Known k = known.get(generationKey);
        if (k == null || System.nanoTime() - k.askedAtNanos > nanos) {
            return -1;
        }
        return k.generation;
    }

    /**
     * Records a generation returned by a request sent at {@code askedAtNanos} (a read, or a clear's update).
     * While the known one is fresh, a lower one (a read that started before a clear and ended after it) does
     * not replace it; afterwards any value does, so a table created anew is followed.
     */
    public void learn(String generationKey, long generation, long askedAtNanos) {
        if (known.size() >= MAX_ENTRIES && !known.containsKey(generationKey)) {
            known.clear();
        }
        long now = System.nanoTime();
        known.merge(generationKey, new Known(generation, askedAtNanos), (old, read) -> {
            if (old.generation == read.generation) {
                return old.askedAtNanos - read.askedAtNanos >= 0 ? old : read;
            }
            boolean oldFresh = now - old.askedAtNanos <= Math.max(FRESH_NANOS, readReuseNanos);
            return oldFresh && old.generation > read.generation ? old : read;
        });
    }

    /**
     * Learns the generation that {@code items}, the items of a read by partition key sent at {@code
     * askedAtNanos}, hold for {@code generationKey}, as {@link #learn}.
     *
     * @return that generation, 0 when its item is absent
     */
    public long learnFrom(String generationKey, Map<String, Map<String, AttributeValue>> items, long askedAtNanos) {
        long generation = ItemLayout.generationOf(items.get(generationKey));
        learn(generationKey, generation, askedAtNanos);
        return generation;
    }

    /**
     * Learns the generation a clear's {@code UpdateItem} sent at {@code askedAtNanos} returned ({@code
     * UPDATED_NEW}) for {@code generationKey}; a response without it changes nothing.
     */
    public void learnFrom(String generationKey, UpdateItemResponse response, long askedAtNanos) {
        AttributeValue g =
                response.attributes() == null ? null : response.attributes().get(ItemLayout.GENERATION);
        if (g != null && g.n() != null) {
            learn(generationKey, Long.parseLong(g.n()), askedAtNanos);
        }
    }

    /**
     * The {@link #fresh} generations of {@code generationKeys}, those not known left out.
     *
     * @return a new map, thread-safe, that the caller may add the generations it reads to
     */
    public Map<String, Long> freshOf(Collection<String> generationKeys) {
        Map<String, Long> known = new ConcurrentHashMap<>();
        for (String gk : generationKeys) {
            long g = fresh(gk);
            if (g >= 0) {
                known.put(gk, g);
            }
        }
        return known;
    }
}
