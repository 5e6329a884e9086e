package io.cachekit;

/**
 * A cache key could not be built: an argument of a type with no stable encoding, a key expression naming
 * an unknown parameter, or a null key. This is a programming error, so it is thrown even where backend
 * failures fail open.
 */
public class CacheKeyException extends CacheException {
    private static final long serialVersionUID = 1L;

    /** A failure with {@code message}. */
    public CacheKeyException(String message) {
        super(message);
    }

    /** A failure with {@code message}, caused by {@code cause}. */
    public CacheKeyException(String message, Throwable cause) {
        super(message, cause);
    }
}
