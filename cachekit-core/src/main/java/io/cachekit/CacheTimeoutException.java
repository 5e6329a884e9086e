package io.cachekit;

/** The backing store did not answer within the configured operation timeout. */
public class CacheTimeoutException extends CacheBackendException {
    private static final long serialVersionUID = 1L;

    public CacheTimeoutException(String message) {
        super(message);
    }

    public CacheTimeoutException(String message, Throwable cause) {
        super(message, cause);
    }
}
