package io.cachekit.internal;

import io.cachekit.Cache;
import io.cachekit.CacheSerializationException;
import io.cachekit.codec.Codec;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;

/**
 * Values to envelopes and back (see {@link Envelope}): {@code null}, {@code byte[]} and {@code String} as they
 * are, anything else through the configured codec. Decoding tells three failures apart: bytes that are no
 * readable envelope (or a payload that no type can be read from) are corrupt; an expired envelope is a miss; a
 * readable payload that does not fit the requested type is a {@link Mismatch}. Immutable and thread-safe.
 */
final class EntryCodec {
    /** The bytes are not an entry this version can read. */
    static final Object CORRUPT = new Object();
    /** The entry's own expiry has passed (stores that delete late return it). */
    static final Object EXPIRED = new Object();

    private static final byte[] EMPTY = new byte[0];

    private final Codec codec;
    private final Clock clock;

    EntryCodec(Codec codec, Clock clock) {
        this.codec = codec;
        this.clock = clock;
    }

    /** A live entry holding a value of another type: {@code stored} describes what it holds. */
    record Mismatch(String stored) {}

    /**
     * The envelope of {@code value} expiring after {@code resolvedTtl}.
     *
     * @throws CacheSerializationException when the codec cannot write the value
     */
    byte[] encode(Object value, Duration resolvedTtl) {
        return encode(value, resolvedTtl, null);
    }

    /**
     * The envelope of {@code value}, fresh for {@code resolvedTtl} and then stale for {@code staleFor} before it
     * expires; {@code staleFor} null for an entry that is never stale.
     *
     * @throws CacheSerializationException when the codec cannot write the value
     */
    byte[] encode(Object value, Duration resolvedTtl, Duration staleFor) {
        return encode(value, resolvedTtl, staleFor, null);
    }

    /**
     * {@link #encode(Object, Duration, Duration)} carrying the tag versions {@code stamp} (format 3), or untagged
     * when {@code stamp} is null (format 1 or 2).
     *
     * @throws CacheSerializationException when the codec cannot write the value
     */
    byte[] encode(Object value, Duration resolvedTtl, Duration staleFor, TagStamp stamp) {
        long freshUntil = expiresAt(resolvedTtl);
        long expiresAt = freshUntil;
        if (staleFor != null && freshUntil != 0) {
            try {
                expiresAt = expiresAt(resolvedTtl.plus(staleFor));
            } catch (ArithmeticException e) {
                expiresAt = 0; // longer than a Duration can hold: never expires
            }
        }
        if (value == null) {
            return wrap(Envelope.CODEC_NONE, Envelope.FLAG_NULL, expiresAt, freshUntil, stamp, EMPTY);
        }
        if (value instanceof byte[] b) {
            return wrap(Envelope.CODEC_BYTES, 0, expiresAt, freshUntil, stamp, b);
        }
        if (value instanceof String s) {
            return wrap(Envelope.CODEC_STRING, 0, expiresAt, freshUntil, stamp, s.getBytes(StandardCharsets.UTF_8));
        }
        byte[] payload;
        try {
            payload = codec.encode(value);
        } catch (RuntimeException e) {
            throw new CacheSerializationException(
                    "Codec " + codec.name() + " cannot encode a "
                            + value.getClass().getName(),
                    e);
        }
        return wrap(codec.id(), 0, expiresAt, freshUntil, stamp, payload);
    }

    /** The smallest format that holds the entry: 1, 2 with a stale window, 3 with tags. */
    private static byte[] wrap(
            int codecId, int flags, long expiresAt, long freshUntil, TagStamp stamp, byte[] payload) {
        boolean stale = expiresAt != freshUntil;
        if (stamp != null) {
            return Envelope.wrapTagged(codecId, flags, expiresAt, stale ? freshUntil : 0, stamp, payload);
        }
        return stale
                ? Envelope.wrapStale(codecId, flags, expiresAt, freshUntil, payload)
                : Envelope.wrap(codecId, flags, expiresAt, payload);
    }

    /** Whether a readable, live entry is past its fresh time (it may be served while it is refreshed). */
    boolean isStale(byte[] bytes) {
        return Envelope.isStale(bytes, clock.millis());
    }

    private long expiresAt(Duration ttl) {
        if (ttl == Cache.NO_EXPIRY) {
            return 0;
        }
        long millis;
        try {
            millis = ttl.toMillis() + (ttl.toNanosPart() % 1_000_000 == 0 ? 0 : 1); // never round down to 0
        } catch (ArithmeticException e) {
            return 0; // longer than the epoch can count: never
        }
        long now = clock.millis();
        return millis > Long.MAX_VALUE - now ? 0 : now + millis;
    }

    /** Whether {@code bytes} is a readable envelope that has not expired. */
    boolean isLive(byte[] bytes) {
        return Envelope.isReadable(bytes) && !Envelope.isExpired(bytes, clock.millis());
    }

    /**
     * The value of an entry read as {@code type}: the value (null for a cached null), {@link #CORRUPT}, {@link
     * #EXPIRED}, or a {@link Mismatch}.
     */
    Object decode(byte[] bytes, Type type, Class<?> raw) {
        if (!Envelope.isReadable(bytes)) {
            return CORRUPT;
        }
        if (Envelope.isExpired(bytes, clock.millis())) {
            return EXPIRED;
        }
        if ((Envelope.flags(bytes) & Envelope.FLAG_NULL) != 0) {
            return null;
        }
        int offset = Envelope.headerLength(bytes);
        int length = bytes.length - offset;
        int codecId = Envelope.codecId(bytes);
        Object v;
        if (codecId == Envelope.CODEC_BYTES) {
            v = Arrays.copyOfRange(bytes, offset, bytes.length);
        } else if (codecId == Envelope.CODEC_STRING) {
            v = new String(bytes, offset, length, StandardCharsets.UTF_8);
        } else if (codecId == codec.id()) {
            try {
                v = codec.decode(bytes, offset, length, type);
            } catch (RuntimeException e) {
                return readableAsAnything(bytes, offset, length);
            }
        } else {
            return CORRUPT; // another codec's entry: never decoded by this one
        }
        return v == null || raw.isInstance(v) ? v : new Mismatch(v.getClass().getTypeName());
    }

    /** After a failed decode: a mismatch when the payload reads as some value, corrupt otherwise. */
    private Object readableAsAnything(byte[] bytes, int offset, int length) {
        try {
            Object any = codec.decode(bytes, offset, length, Object.class);
            return new Mismatch((any == null ? "null" : any.getClass().getTypeName()) + " (" + codec.name() + ")");
        } catch (RuntimeException e) {
            return CORRUPT;
        }
    }
}
