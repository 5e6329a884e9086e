package io.cachekit;

/**
 * A value could not be encoded for storage (for example a type the codec cannot write). Entries that
 * cannot be decoded are not reported with this exception: they are counted, deleted and read as misses.
 */
public class CacheSerializationException extends CacheException {
    private static final long serialVersionUID = 1L;

    /** A failure with {@code message}, caused by {@code cause}. */
    public CacheSerializationException(String message, Throwable cause) {
        super(message, cause);
    }
}
