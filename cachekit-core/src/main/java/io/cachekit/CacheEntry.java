package io.cachekit;

import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A value read from the cache together with the time it has left.
 *
 * <p>Returned only for hits ({@link Cache#find}, {@link Cache#getWithTtl}), so a {@code null} {@link #value()} is
 * a cached null, not a miss.
 *
 * @param value the cached value; {@code null} when a null was cached
 * @param remainingTtl the time left before the entry expires, empty when it never expires
 * @param <T> the value's type
 */
public record CacheEntry<T>(@Nullable T value, Optional<Duration> remainingTtl) {
    /** Checks that {@code remainingTtl} is not null. */
    public CacheEntry {
        java.util.Objects.requireNonNull(remainingTtl, "remainingTtl");
    }
}
