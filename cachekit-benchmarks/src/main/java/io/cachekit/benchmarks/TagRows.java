package io.cachekit.benchmarks;

import io.cachekit.Cache;
import io.cachekit.Tags;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * What the tag rows of a group read and write: {@link #KEY_COUNT} untagged entries ({@code u:N}) and as many
 * entries with two tags each ({@code t:N}, tagged {@code user:N} and {@code org:N%16}), written by {@link
 * #populate}; the tags an invalidation row invalidates ({@code gone:N}, carried by no entry, so that reads stay
 * hits); and the keys a write row overwrites ({@code s:N}). A store that never sees a tag holds as many entries
 * (the {@code t:N} entries untagged, and one filler entry per tag version the other store keeps), so that the
 * untagged hit of both meets a table of the same size. One instance per benchmark thread, each walking its own
 * shuffled order without allocating in the measured path.
 */
public final class TagRows {
    /** Keys of each kind; a power of two, so the cursors wrap with a mask. */
    public static final int KEY_COUNT = 512;

    /** Organisations the tagged entries spread over ({@code org:N}). */
    private static final int ORG_COUNT = 16;

    /** Distinct tags of the tagged entries: one {@code user:N} each, and the organisations. */
    static final int TAG_COUNT = KEY_COUNT + ORG_COUNT;

    /** The TTL of every write. */
    public static final Duration TTL = Duration.ofMinutes(10);

    private final String[] untagged;
    private final String[] tagged;
    private final String[] invalidated;
    private final String[] writes;
    private int nextUntagged;
    private int nextTagged;
    private int nextInvalidated;
    private int nextWrite;

    /** The keys of the thread with index {@code seed}, in an order of its own. */
    public TagRows(int seed) {
        untagged = shuffled(seed, "u:");
        tagged = shuffled(seed + 1000, "t:");
        invalidated = shuffled(seed + 2000, "gone:");
        writes = shuffled(seed + 3000, "s:");
    }

    /** The tags of the tagged entry {@code t:i}. */
    public static Tags tagsOf(int i) {
        return Tags.of("user:" + i, "org:" + (i % ORG_COUNT));
    }

    /**
     * Writes {@code value} under every untagged key, and under every tagged key: with its tags when {@code
     * withTagged}, else untagged and beside one filler entry ({@code pad:N}) per tag version the tags would have
     * stored. The untagged entries are all written first, so that they lie in memory as they do in a store that
     * never sees a tag: written between the tagged ones, they were spread among the tag versions and stamps, and
     * a hit of them cost about 7% more on the in-memory backend for that alone. Checks that each reads back, and
     * returns the cache's miss count afterwards.
     */
    public static long populate(Cache cache, Object value, boolean withTagged) {
        for (int i = 0; i < KEY_COUNT; i++) {
            cache.set("u:" + i, value, TTL);
        }
        for (int i = 0; i < KEY_COUNT; i++) {
            if (withTagged) {
                cache.set("t:" + i, value, TTL, tagsOf(i));
            } else {
                cache.set("t:" + i, value, TTL);
            }
        }
        if (!withTagged) {
            for (int i = 0; i < TAG_COUNT; i++) {
                cache.set("pad:" + i, value, TTL);
            }
        }
        for (int i = 0; i < KEY_COUNT; i++) {
            ReadWriteKeys.expect(value, cache.get("u:" + i, value.getClass()), "Cache.get of u:" + i);
            ReadWriteKeys.expect(value, cache.get("t:" + i, value.getClass()), "Cache.get of t:" + i);
        }
        return cache.stats().misses();
    }

    /** The next untagged key to read. */
    public String nextUntagged() {
        String key = untagged[nextUntagged];
        nextUntagged = (nextUntagged + 1) & (KEY_COUNT - 1);
        return key;
    }

    /** The next tagged key to read. */
    public String nextTagged() {
        String key = tagged[nextTagged];
        nextTagged = (nextTagged + 1) & (KEY_COUNT - 1);
        return key;
    }

    /** The next tag to invalidate. */
    public String nextInvalidated() {
        String tag = invalidated[nextInvalidated];
        nextInvalidated = (nextInvalidated + 1) & (KEY_COUNT - 1);
        return tag;
    }

    /** The next key to overwrite. */
    public String nextWrite() {
        String key = writes[nextWrite];
        nextWrite = (nextWrite + 1) & (KEY_COUNT - 1);
        return key;
    }

    private static String[] shuffled(int seed, String prefix) {
        List<String> keys = new ArrayList<>(KEY_COUNT);
        for (int i = 0; i < KEY_COUNT; i++) {
            keys.add(prefix + i);
        }
        Collections.shuffle(keys, new Random(seed));
        return keys.toArray(new String[0]);
    }
}
