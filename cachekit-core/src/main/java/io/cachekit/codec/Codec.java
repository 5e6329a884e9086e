package io.cachekit.codec;

import java.lang.reflect.Type;

/**
 * Turns values into bytes and back, for backends that store bytes.
 *
 * <p>{@code byte[]} and {@code String} values never reach a codec: Cachekit stores them as they are. A
 * codec decodes into the type the caller declares (a class, or a generic type such as a method's return
 * type), so it need not write type information into the payload.
 *
 * <p>Implementations are immutable and thread-safe. {@link #encode} throws any runtime exception for a value
 * it cannot write (Cachekit reports it as a {@link io.cachekit.CacheSerializationException}); {@link
 * #decode} throws any runtime exception for a payload it cannot read into the type (Cachekit treats the
 * entry as corrupt: a counted miss, deleted).
 */
public interface Codec {

    /**
     * The id written into every entry this codec encodes: 16 to 127 for custom codecs; Cachekit's own use
     * lower ids. Entries are decoded only by the codec whose id they carry.
     */
    int id();

    /** A short name for logs and errors, such as {@code json}. */
    String name();

    /** Encodes a non-null value. */
    byte[] encode(Object value);

    /** Decodes {@code length} bytes from {@code offset} into {@code type}. */
    Object decode(byte[] bytes, int offset, int length, Type type);
}
