package io.cachekit;

/** What a backend failure (error or timeout) does to the operation that met it. */
public enum ErrorPolicy {
    /** Throw a {@link CacheBackendException}. The default of the direct API. */
    THROW,
    /**
     * Log at a limited rate, count in the error metric, and go on as if the cache were empty: a read is a
     * miss, a write is skipped, a loader still runs and its value is returned. The default of method caching.
     */
    FAIL_OPEN
}
