package io.cachekit;

/**
 * The backing store failed: connection refused or lost, a server error, or a limit of the store (such as
 * its maximum value size) that the value exceeds. The message names the backend and the operation; it
 * never contains credentials.
 */
public class CacheBackendException extends CacheException {
    private static final long serialVersionUID = 1L;

    /** A failure with {@code message}. */
    public CacheBackendException(String message) {
        super(message);
    }

    /** A failure with {@code message}, caused by {@code cause}. */
    public CacheBackendException(String message, Throwable cause) {
        super(message, cause);
    }
}
