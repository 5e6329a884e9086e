package io.cachekit;

/**
 * What a cache knows of its store's health, from its circuit breaker and its background connection.
 *
 * @see Cache#backendStatus()
 */
public enum BackendStatus {
    /** The store has not answered yet: the cache connects in the background and behaves as down. */
    CONNECTING,
    /** Calls reach the store (the circuit breaker is closed, or there is none). */
    UP,
    /** The store failed repeatedly: calls fail at once until the cool-off has passed. */
    OPEN,
    /** The cool-off has passed: a few probe calls reach the store to decide between UP and OPEN. */
    HALF_OPEN,
    /** The cache was closed. */
    CLOSED
}
