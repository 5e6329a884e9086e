package io.cachekit;

/**
 * Root of the exceptions that Cachekit's direct API throws.
 *
 * <p>Subtypes say what went wrong: {@link CacheBackendException} (the store failed or is out of reach),
 * {@link CacheTimeoutException} (the store did not answer within the configured timeout),
 * {@link CacheSerializationException} (a value could not be encoded), {@link CacheKeyException} (a key
 * could not be built from method arguments) and {@link CacheLoaderException} (a loader threw a checked
 * exception). Method caching fails open on backend failures, so callers of cached methods see these only
 * for programming errors.
 */
public class CacheException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** A failure with {@code message}. */
    public CacheException(String message) {
        super(message);
    }

    /** A failure with {@code message}, caused by {@code cause}. */
    public CacheException(String message, Throwable cause) {
        super(message, cause);
    }
}
