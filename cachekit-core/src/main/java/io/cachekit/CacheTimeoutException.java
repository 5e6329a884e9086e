package io.cachekit;

/** The backing store did not answer within the configured operation timeout. */
public class CacheTimeoutException extends CacheBackendException {
    private static final long serialVersionUID = 1L;

    /** A timeout described by {@code message}. */
    public CacheTimeoutException(String message) {
        super(message);
    }

    /** A timeout described by {@code message}, caused by {@code cause}. */
    public CacheTimeoutException(String message, Throwable cause) {
        super(message, cause);
    }
}
