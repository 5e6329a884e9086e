package io.cachekit.dynamodb.internal;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;

/**
 * The generations this process last read, per generation item, so that a write knows which generation to
 * tag its entry with without reading it first. Reads never use it: they fetch the generation with the entry.
 *
 * <p>A known generation is used for writes for {@link #FRESH_NANOS} after it was read; after that a write
 * reads it again. A write tagged with a generation that a clear in another process has since passed is
 * invisible (a miss), never a stale hit. Bounded: past {@link #MAX_ENTRIES} items it starts afresh.
 * Thread-safe.
 */
public final class Generations {
    /** How long a generation read is trusted for writes. */
    public static final long FRESH_NANOS = TimeUnit.SECONDS.toNanos(1);

    static final int MAX_ENTRIES = 10_000;

    private record Known(long generation, long readAtNanos) {}

    private final ConcurrentHashMap<String, Known> known = new ConcurrentHashMap<>();

    /** The generation of {@code generationKey} when it was read in the last second, else {@code -1}. */
    public long fresh(String generationKey) {
        Known k = known.get(generationKey);
        if (k == null || System.nanoTime() - k.readAtNanos > FRESH_NANOS) {
            return -1;
        }
        return k.generation;
    }

    /**
     * Records a generation just read from the table (or returned by a clear's update). While the known one is
     * fresh, a lower one (a read that started before a clear and ended after it) does not replace it;
     * afterwards any value does, so a table created anew is followed.
     */
    public void learn(String generationKey, long generation) {
        if (known.size() >= MAX_ENTRIES && !known.containsKey(generationKey)) {
            known.clear();
        }
        long now = System.nanoTime();
        known.merge(generationKey, new Known(generation, now), (old, read) -> {
            boolean oldFresh = now - old.readAtNanos <= FRESH_NANOS;
            return oldFresh && old.generation > read.generation ? old : read;
        });
    }

    /**
     * Learns the generation that {@code items}, the items of a read by partition key, hold for {@code
     * generationKey}, as {@link #learn(String, long)}.
     *
     * @return that generation, 0 when its item is absent
     */
    public long learnFrom(String generationKey, Map<String, Map<String, AttributeValue>> items) {
        long generation = ItemLayout.generationOf(items.get(generationKey));
        learn(generationKey, generation);
        return generation;
    }

    /**
     * Learns the generation a clear's {@code UpdateItem} returned ({@code UPDATED_NEW}) for {@code
     * generationKey}; a response without it changes nothing.
     */
    public void learnFrom(String generationKey, UpdateItemResponse response) {
        AttributeValue g =
                response.attributes() == null ? null : response.attributes().get(ItemLayout.GENERATION);
        if (g != null && g.n() != null) {
            learn(generationKey, Long.parseLong(g.n()));
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
