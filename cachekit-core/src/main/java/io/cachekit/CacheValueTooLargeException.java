package io.cachekit;

/**
 * A value is larger than the store accepts (its item, document or value limit): nothing was written. It
 * says nothing of the store's health, so it never opens the circuit breaker.
 */
public class CacheValueTooLargeException extends CacheBackendException {
    private static final long serialVersionUID = 1L;

    /** A refusal described by {@code message}. */
    public CacheValueTooLargeException(String message) {
        super(message);
    }
}
