package io.cachekit.memcached.internal;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToIntFunction;

/**
 * Namespace generations: how {@code clear} works without flushing or enumerating anything.
 *
 * <p>Each namespace has one generation counter on every server, a memcached number stored without expiry at
 * a key of the form {@code namespace#gen.<n>}, where {@code n} is the smallest number whose key the ketama ring
 * places on that server ({@link #keys}). Every entry records the generation of its server when it was written
 * ({@link StoredEntry}); a read fetches the entry and its server's generation in one multi-get, which goes to
 * that one server, and returns the entry only when they are equal. {@code clear} increments the generation on
 * every server, so no entry written before it is ever read again, by any process.
 *
 * <p>Generations never repeat: a missing counter (never made, evicted, or its server restarted) is created
 * atomically (binary {@code incr} with an initial value) with a fresh random value in {@code [1, 2^62)}, never
 * with a number used before, so entries of an earlier counter never match it.
 *
 * <p>Each generation this process learns (by a read, a write or a clear) is recorded with the moment its request
 * was <em>sent</em>, never a later one. Writes reuse it for up to {@link #WRITE_REUSE_NANOS}; after that a write
 * fetches it first. A write with an outdated generation is safe: its entry is never read with the current one.
 * Gets reuse it for the read reuse time ({@code generationReuse}, {@link #readable}): they then fetch the entry
 * alone and accept it only when its generation is that one and still within the reuse time once the answer is
 * in. A clear returns only after waiting that time, so by then no process holds a generation it asked for before
 * the clear's increments. Not API; thread-safe.
 */
public final class Generations {
    /** How long writes reuse a generation this process saw, instead of fetching it: one second. */
    public static final long WRITE_REUSE_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** Bound of both maps: past it they start over (a cost of a few fetches, never a wrong answer). */
    private static final int MAX_TRACKED = 10_000;

    /** How many candidate keys a namespace may try before a server is declared unreachable by the ring. */
    private static final int MAX_PROBES = 100_000;

    private static final SecureRandom RANDOM = new SecureRandom();

    private final int serverCount;
    private final ToIntFunction<String> serverOf;
    private final long readReuseNanos;
    private final long refreshAfterNanos;
    private final ConcurrentHashMap<String, String[]> keys = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Seen> seen = new ConcurrentHashMap<>();

    private record Seen(long generation, long atNanos) {}

    /**
     * @param serverCount how many servers the ring has
     * @param serverOf the index of the server the ring places a key on, or -1 when it has none
     * @param readReuseNanos how long gets reuse a generation; zero for never
     */
    public Generations(int serverCount, ToIntFunction<String> serverOf, long readReuseNanos) {
        this.serverCount = serverCount;
        this.serverOf = serverOf;
        this.readReuseNanos = readReuseNanos;
        // Half the shorter reuse time: a generation seen again is re-recorded before either use runs out.
        this.refreshAfterNanos = Math.min(WRITE_REUSE_NANOS, readReuseNanos > 0 ? readReuseNanos : Long.MAX_VALUE) / 2;
    }

    /** The generation keys of {@code namespace}, one per server, by server index. */
    public String[] keys(String namespace) {
        String[] found = keys.get(namespace);
        if (found != null) {
            return found;
        }
        found = probe(namespace);
        if (keys.size() >= MAX_TRACKED) {
            keys.clear();
        }
        keys.put(namespace, found);
        return found;
    }

    private String[] probe(String namespace) {
        String[] found = new String[serverCount];
        int missing = serverCount;
        for (int n = 0; missing > 0; n++) {
            if (n >= MAX_PROBES) {
                throw new IllegalStateException("the ketama ring places no key on one of the servers");
            }
            String candidate = MemcachedKeys.generationKey(namespace, n);
            int server = serverOf.applyAsInt(candidate);
            if (server >= 0 && found[server] == null) {
                found[server] = candidate;
                missing--;
            }
        }
        return found;
    }

    /** The generation a write may use for {@code key} without fetching it, or {@code null}. */
    public Long reusable(String key, long nowNanos) {
        Seen s = seen.get(key);
        return s != null && nowNanos - s.atNanos < WRITE_REUSE_NANOS ? s.generation : null;
    }

    /**
     * The generation a get may check an entry of {@code key}'s server against without fetching the counter:
     * one asked for less than the read reuse time before {@code nowNanos}; else {@code null}.
     */
    public Long readable(String key, long nowNanos) {
        if (readReuseNanos == 0) {
            return null;
        }
        Seen s = seen.get(key);
        return s != null && nowNanos - s.atNanos < readReuseNanos ? s.generation : null;
    }

    /**
     * Records the generation of {@code key} as the server answered a request sent at {@code askedAtNanos} (never
     * a later moment: gets trust it for the read reuse time from then); {@code null} forgets it.
     */
    public void saw(String key, Long generation, long askedAtNanos) {
        if (generation == null) {
            seen.remove(key);
            return;
        }
        Seen previous = seen.get(key);
        // Only refresh an equal generation now and then, so that the hit path rarely allocates.
        if (previous != null
                && previous.generation == generation
                && askedAtNanos - previous.atNanos < refreshAfterNanos) {
            return;
        }
        if (seen.size() >= MAX_TRACKED) {
            seen.clear();
        }
        seen.put(key, new Seen(generation, askedAtNanos));
    }

    /** A fresh random generation for a counter that is missing: in {@code [1, 2^62)}. */
    public static long fresh() {
        return 1 + (RANDOM.nextLong() >>> 2) % ((1L << 62) - 1);
    }

    /**
     * The generation stored in memcached ({@code incr} keeps numbers as decimal text, padded with spaces when
     * they shrink), or {@code null} when {@code bytes} is absent or not such a number.
     */
    public static Long parse(byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        String text = new String(bytes, StandardCharsets.US_ASCII).trim();
        if (text.isEmpty() || text.length() > 19) {
            return null;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return null;
            }
        }
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
