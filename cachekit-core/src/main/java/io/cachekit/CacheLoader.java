package io.cachekit;

/**
 * Computes a value on a miss. May throw any exception: unchecked ones reach the caller as they are,
 * checked ones wrapped in a {@link CacheLoaderException}; in both cases nothing is cached.
 *
 * @param <T> the value's type
 */
@FunctionalInterface
public interface CacheLoader<T> {
    T load() throws Exception;
}
