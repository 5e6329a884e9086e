package io.cachekit.tck;

/**
 * What a backend's store can do beyond the contract every backend meets. A backend test declares what its
 * store lacks by overriding {@link CacheBackendContract#capabilities()}; the tests that need a missing
 * capability are reported as skipped, naming it.
 */
public enum BackendCapability {
    /**
     * The store drops (or stops returning) expired entries by real time on its own, within seconds: a native
     * TTL or an expiry filter on read. The in-memory backend expires on the configured clock instead, which
     * the clock-driven tests cover.
     */
    STORE_EXPIRY
}
