package io.cachekit;

/**
 * Counters of one cache namespace since it was created. A snapshot: immutable, taken without locking, so
 * counters read together may be a few operations apart under load.
 *
 * @param hits reads that found a value (a cached null counts as a hit)
 * @param misses reads that found nothing, including expired and unreadable entries
 * @param puts values written
 * @param evictions entries the in-memory backend dropped for size or expiry (remote stores do not report it)
 * @param errors backend failures met, whether thrown or failed open
 * @param corruptEntries stored entries that could not be decoded and were deleted
 * @param loads loader runs by {@code getOrLoad} and method caching
 * @param loadFailures loader runs that threw
 */
public record CacheStats(
        long hits,
        long misses,
        long puts,
        long evictions,
        long errors,
        long corruptEntries,
        long loads,
        long loadFailures) {

    /** Hits divided by reads, or 1 when nothing was read yet. */
    public double hitRate() {
        long reads = hits + misses;
        return reads == 0 ? 1.0 : (double) hits / reads;
    }
}
