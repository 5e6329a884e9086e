package io.cachekit;

/**
 * Wraps a checked exception thrown by a loader passed to {@code getOrLoad}. Unchecked exceptions and
 * errors from a loader reach the caller unwrapped. Every caller waiting on the same load receives the same
 * exception, and nothing is cached.
 */
public class CacheLoaderException extends CacheException {
    private static final long serialVersionUID = 1L;

    /** A loader's failure {@code cause}, described by {@code message}. */
    public CacheLoaderException(String message, Throwable cause) {
        super(message, cause);
    }
}
