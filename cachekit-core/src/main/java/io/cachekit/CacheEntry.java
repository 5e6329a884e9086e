package io.cachekit;

import java.time.Duration;
import java.util.Optional;

/**
 * A value read from the cache together with the time it has left.
 *
 * <p>Returned only for hits, so a {@code null} {@link #value()} is a cached null, not a miss.
 *
 * @param value the cached value; {@code null} when a null was cached
 * @param remainingTtl the time left before the entry expires, empty when it never expires
 * @param <T> the value's type
 */
public record CacheEntry<T>(T value, Optional<Duration> remainingTtl) {
    public CacheEntry {
        java.util.Objects.requireNonNull(remainingTtl, "remainingTtl");
    }
}
