package io.cachekit;

/**
 * The store could not be reached: connection refused, reset or timed out, a host that does not resolve,
 * or a server that is still starting. A backend provider throws it from {@code create} when its store
 * does not answer, so that Cachekit can start without the store and connect in the background; any
 * other failure at creation (bad credentials, a bad option) stays an error.
 */
public class StoreUnreachableException extends CacheBackendException {
    private static final long serialVersionUID = 1L;

    /** A failure with {@code message}. */
    public StoreUnreachableException(String message) {
        super(message);
    }

    /** A failure with {@code message}, caused by {@code cause}. */
    public StoreUnreachableException(String message, Throwable cause) {
        super(message, cause);
    }
}
