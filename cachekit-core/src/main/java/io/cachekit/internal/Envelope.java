package io.cachekit.internal;

/**
 * The stored form of a value in a byte store: a 12-byte header, then the payload.
 *
 * <pre>
 * byte 0      magic 0xCA
 * byte 1      format version (1)
 * byte 2      codec id: 0 none (null value), 1 raw bytes, 2 UTF-8 string, 3 JSON, 4 JDK, 16-127 custom
 * byte 3      flags: bit 0 null value, bit 1 compressed (reserved)
 * bytes 4-11  absolute expiry, epoch milliseconds, big-endian; 0 = never
 * bytes 12-   payload
 * </pre>
 *
 * The expiry lets Cachekit ignore entries that a store returns after their time (stores that delete late).
 */
public final class Envelope {
    public static final int HEADER_LENGTH = 12;
    public static final byte MAGIC = (byte) 0xCA;
    public static final byte VERSION = 1;

    public static final int CODEC_NONE = 0;
    public static final int CODEC_BYTES = 1;
    public static final int CODEC_STRING = 2;

    public static final int FLAG_NULL = 1;

    private Envelope() {}

    /** A header followed by {@code payload}. */
    public static byte[] wrap(int codecId, int flags, long expiresAtMillis, byte[] payload) {
        byte[] out = new byte[HEADER_LENGTH + payload.length];
        out[0] = MAGIC;
        out[1] = VERSION;
        out[2] = (byte) codecId;
        out[3] = (byte) flags;
        for (int i = 0; i < 8; i++) {
            out[4 + i] = (byte) (expiresAtMillis >>> (56 - 8 * i));
        }
        System.arraycopy(payload, 0, out, HEADER_LENGTH, payload.length);
        return out;
    }

    /** Whether {@code bytes} starts with a header this version can read. */
    public static boolean isReadable(byte[] bytes) {
        return bytes.length >= HEADER_LENGTH && bytes[0] == MAGIC && bytes[1] == VERSION && (bytes[3] & ~3) == 0;
    }

    public static int codecId(byte[] bytes) {
        return bytes[2] & 0xFF;
    }

    public static int flags(byte[] bytes) {
        return bytes[3] & 0xFF;
    }

    /** The absolute expiry in epoch milliseconds, 0 when the entry never expires. */
    public static long expiresAt(byte[] bytes) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (bytes[4 + i] & 0xFFL);
        }
        return v;
    }

    /** Whether the entry had expired at {@code nowMillis}. */
    public static boolean isExpired(byte[] bytes, long nowMillis) {
        long expiresAt = expiresAt(bytes);
        return expiresAt != 0 && expiresAt <= nowMillis;
    }
}
