package io.cachekit;

import org.jspecify.annotations.Nullable;

/**
 * Computes a value on a miss. May throw any exception: unchecked ones reach the caller as they are,
 * checked ones wrapped in a {@link CacheLoaderException}; in both cases nothing is cached.
 *
 * @param <T> the value's type
 */
@FunctionalInterface
public interface CacheLoader<T> {
    /** The value to cache and return; {@code null} is a value too, and is cached. */
    @Nullable
    T load() throws Exception;
}
