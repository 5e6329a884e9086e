package io.cachekit.internal;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.cachekit.Cache;
import io.cachekit.ErrorPolicy;
import io.cachekit.Tags;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The versions of tags, kept as ordinary entries of one reserved namespace per key prefix ({@code _tags}, or
 * {@code <prefix>/_tags}), so tags cross every namespace of the prefix. Symfony Cache's TagAwareAdapter is the
 * model.
 *
 * <ul>
 *   <li>A tag's version is 8 random bytes, written without expiry; a tag that has none yet gets one when an entry
 *       is first written with it (a conditional write, so concurrent writers agree).
 *   <li>A tagged entry carries the versions its tags had before its value was computed ({@link TagStamp}); a read
 *       fetches the current versions of every tag it met in one bulk read and treats an entry whose versions
 *       changed, or whose tag has no version any more (evicted), as a miss.
 *   <li>Invalidation writes a new random version for each tag, one bulk write: O(tags), never a scan. Versions are
 *       random rather than counted, so one evicted and created again never repeats an old one.
 * </ul>
 *
 * <p>With {@code tagVersionCache} set (and a remote store), versions read are kept in this process for that
 * long, so within it an invalidation made by another process may go unseen here; invalidations made here are seen
 * at once. Writes always read versions from the store. Thread-safe.
 */
final class TagVersions {
    /** A stamp that could not be taken because the store failed (open): the write it was for is skipped. */
    static final TagStamp UNAVAILABLE = new TagStamp(new String[0], new long[0]);

    /** The outcome of checking an entry's tags: not tagged, still valid, invalidated, or unknown (store down). */
    static final int UNTAGGED = 0;

    static final int VALID = 1;
    static final int INVALID = 2;
    static final int UNKNOWN = 3;

    private static final int VERSION_BYTES = 8;

    private final ValueStore store;
    private final boolean inMemory;
    private final SecureRandom random = new SecureRandom();
    /** Versions read lately, when the user opted in; null otherwise. */
    private final com.github.benmanes.caffeine.cache.Cache<String, Long> known;
    /** Invalidations made by this process so far, so that a read overtaken by one keeps no local copy. */
    private final AtomicLong invalidations = new AtomicLong();

    TagVersions(ValueStore store, Duration localWindow, Clock clock, boolean inMemory) {
        this.store = store;
        this.inMemory = inMemory;
        if (localWindow == null || inMemory) {
            this.known = null; // an in-memory store answers as fast as a local copy would
        } else {
            boolean system = clock.equals(Clock.systemUTC()) || clock.equals(Clock.systemDefaultZone());
            Ticker ticker = system ? Ticker.systemTicker() : () -> clock.millis() * 1_000_000L;
            this.known = Caffeine.newBuilder()
                    .expireAfterWrite(localWindow)
                    .maximumSize(100_000)
                    .ticker(ticker)
                    .executor(Runnable::run)
                    .build();
        }
    }

    // ---------------------------------------------------------------- reads

    /**
     * The current versions of {@code tags} (tags without one are left out), or null when the store failed and
     * {@code policy} is to fail open.
     */
    Map<String, Long> current(Collection<String> tags, ErrorPolicy policy) {
        Map<String, Long> found = new HashMap<>();
        List<String> missing = fromLocal(tags, found);
        if (missing.isEmpty()) {
            return found;
        }
        long epoch = invalidations.get();
        return merge(store.getMany(missing, byte[].class, byte[].class, policy, 0), found, epoch);
    }

    /** {@link #current} without blocking. */
    CompletableFuture<Map<String, Long>> currentAsync(Collection<String> tags, ErrorPolicy policy) {
        Map<String, Long> found = new HashMap<>();
        List<String> missing = fromLocal(tags, found);
        if (missing.isEmpty()) {
            return CompletableFuture.completedFuture(found);
        }
        long epoch = invalidations.get();
        return store.getManyAsync(missing, byte[].class, byte[].class, policy, 0)
                .thenApply(read -> merge(read, found, epoch));
    }

    /** Puts the locally known versions of {@code tags} into {@code found}; returns the others. */
    private List<String> fromLocal(Collection<String> tags, Map<String, Long> found) {
        if (known == null) {
            return tags instanceof List<String> list ? list : new ArrayList<>(tags);
        }
        List<String> missing = new ArrayList<>(tags.size());
        for (String tag : tags) {
            Long v = known.getIfPresent(tag);
            if (v != null) {
                found.put(tag, v);
            } else {
                missing.add(tag);
            }
        }
        return missing;
    }

    private Map<String, Long> merge(Map<String, Object> read, Map<String, Long> found, long epoch) {
        if (read == null) {
            return null;
        }
        read.forEach((tag, value) -> {
            Long v = version(value);
            if (v != null) {
                found.put(tag, v);
                keepLocally(tag, v, epoch);
            }
        });
        return found;
    }

    /** Whether every tag of {@code stamp} still has the version it was stamped with in {@code current}. */
    static boolean matches(TagStamp stamp, Map<String, Long> current) {
        for (int i = 0; i < stamp.tags().length; i++) {
            Long v = current.get(stamp.tags()[i]);
            if (v == null || v != stamp.versions()[i]) {
                return false;
            }
        }
        return true;
    }

    /** {@link #VALID}, {@link #INVALID} or {@link #UNKNOWN} for an entry stamped with {@code stamp}. */
    int check(TagStamp stamp, ErrorPolicy policy) {
        if (!inMemory) {
            return state(stamp, current(Arrays.asList(stamp.tags()), policy));
        }
        // A lookup per tag: in memory that is what a bulk read would do, without building its maps.
        for (int i = 0; i < stamp.tags().length; i++) {
            Object v = store.get(stamp.tags()[i], byte[].class, byte[].class, policy, 0);
            if (!(v instanceof byte[] b && b.length == VERSION_BYTES && toLong(b) == stamp.versions()[i])) {
                return v == ValueStore.UNAVAILABLE ? UNKNOWN : INVALID;
            }
        }
        return VALID;
    }

    /** {@link #check} without blocking. */
    CompletableFuture<Integer> checkAsync(TagStamp stamp, ErrorPolicy policy) {
        return currentAsync(Arrays.asList(stamp.tags()), policy).thenApply(current -> state(stamp, current));
    }

    static int state(TagStamp stamp, Map<String, Long> current) {
        if (current == null) {
            return UNKNOWN;
        }
        return matches(stamp, current) ? VALID : INVALID;
    }

    // ---------------------------------------------------------------- stamps (before a write)

    /**
     * The versions of {@code tags} now, read from the store (never from the local copy) and created for tags that
     * have none; {@link #UNAVAILABLE} when the store failed and {@code policy} is to fail open. Taken before a value
     * is computed, so an invalidation that lands while it is computed leaves the new entry invalid.
     */
    TagStamp stamp(Tags tags, ErrorPolicy policy) {
        List<String> list = tags.asList();
        long epoch = invalidations.get();
        Map<String, Object> read = store.getMany(list, byte[].class, byte[].class, policy, 0);
        if (read == null) {
            return UNAVAILABLE;
        }
        long[] versions = new long[list.size()];
        for (int i = 0; i < versions.length; i++) {
            String tag = list.get(i);
            Long v = version(read.get(tag));
            if (v == null) {
                v = create(tag, policy);
                if (v == null) {
                    return UNAVAILABLE;
                }
            }
            versions[i] = v;
        }
        return remember(list, versions, epoch);
    }

    /** {@link #stamp} without blocking. */
    CompletableFuture<TagStamp> stampAsync(Tags tags, ErrorPolicy policy) {
        List<String> list = tags.asList();
        long epoch = invalidations.get();
        return store.getManyAsync(list, byte[].class, byte[].class, policy, 0).thenCompose(read -> {
            if (read == null) {
                return CompletableFuture.completedFuture(UNAVAILABLE);
            }
            long[] versions = new long[list.size()];
            AtomicBoolean unknown = new AtomicBoolean();
            List<CompletableFuture<Void>> created = new ArrayList<>();
            for (int i = 0; i < versions.length; i++) {
                int index = i;
                Long v = version(read.get(list.get(i)));
                if (v != null) {
                    versions[i] = v;
                } else {
                    created.add(createAsync(list.get(i), policy).thenAccept(c -> {
                        if (c == null) {
                            unknown.set(true);
                        } else {
                            versions[index] = c;
                        }
                    }));
                }
            }
            return CompletableFuture.allOf(created.toArray(CompletableFuture[]::new))
                    .thenApply(ignored -> unknown.get() ? UNAVAILABLE : remember(list, versions, epoch));
        });
    }

    private TagStamp remember(List<String> tags, long[] versions, long epoch) {
        for (int i = 0; i < versions.length; i++) {
            keepLocally(tags.get(i), versions[i], epoch);
        }
        return new TagStamp(tags.toArray(String[]::new), versions);
    }

    /**
     * Keeps a version read from the store, unless an invalidation in this process may have come after the read
     * ({@code epoch} is the invalidation count before it): a copy older than this process's own invalidation must
     * never be kept. Put first and checked after, so an invalidation between the two is caught either way.
     */
    private void keepLocally(String tag, long version, long epoch) {
        if (known != null) {
            known.put(tag, version);
            if (invalidations.get() != epoch) {
                known.invalidate(tag);
            }
        }
    }

    /** Gives a tag without a version its first one; returns the version that won, or null when unknown. */
    private Long create(String tag, ErrorPolicy policy) {
        long v = random.nextLong();
        if (store.setIfAbsent(tag, bytes(v), Cache.NO_EXPIRY, null, policy)) {
            return v;
        }
        return version(store.get(tag, byte[].class, byte[].class, policy, 0)); // another writer's, just created
    }

    private CompletableFuture<Long> createAsync(String tag, ErrorPolicy policy) {
        long v = random.nextLong();
        return store.setIfAbsentAsync(tag, bytes(v), Cache.NO_EXPIRY, null, policy)
                .thenCompose(written -> written
                        ? CompletableFuture.completedFuture(v)
                        : store.getAsync(tag, byte[].class, byte[].class, policy, 0)
                                .thenApply(TagVersions::version));
    }

    // ---------------------------------------------------------------- invalidation

    /** Gives each tag a new random version in one bulk write; entries stamped with an older one are misses. */
    void invalidate(Collection<String> tags, ErrorPolicy policy) {
        if (!tags.isEmpty()) {
            store.setMany(newVersions(tags), Cache.NO_EXPIRY, null, policy);
            forget(tags);
        }
    }

    /** {@link #invalidate} without blocking. */
    CompletableFuture<Void> invalidateAsync(Collection<String> tags, ErrorPolicy policy) {
        if (tags.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        return store.setManyAsync(newVersions(tags), Cache.NO_EXPIRY, null, policy)
                .thenRun(() -> forget(tags));
    }

    private Map<String, byte[]> newVersions(Collection<String> tags) {
        Map<String, byte[]> fresh = new LinkedHashMap<>();
        for (String tag : tags) {
            fresh.put(tag, bytes(random.nextLong()));
        }
        return fresh;
    }

    /**
     * Drops local copies, so this process reads the new versions at once (even when the write failed open); counted
     * first, so a read that started before cannot keep what it read (see {@link #keepLocally}).
     */
    private void forget(Collection<String> tags) {
        if (known != null) {
            invalidations.incrementAndGet();
            known.invalidateAll(tags);
        }
    }

    // ---------------------------------------------------------------- the stored form of a version

    private static byte[] bytes(long v) {
        byte[] b = new byte[VERSION_BYTES];
        for (int i = 0; i < VERSION_BYTES; i++) {
            b[i] = (byte) (v >>> (56 - 8 * i));
        }
        return b;
    }

    /** The version held by a stored value, or null for a miss or anything that is not a version. */
    private static Long version(Object value) {
        return value instanceof byte[] b && b.length == VERSION_BYTES ? toLong(b) : null;
    }

    private static long toLong(byte[] b) {
        long v = 0;
        for (byte x : b) {
            v = (v << 8) | (x & 0xFFL);
        }
        return v;
    }
}
