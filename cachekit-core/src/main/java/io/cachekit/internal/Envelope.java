package io.cachekit.internal;

/**
 * The stored form of a value in a byte store: a 12-byte header (format 1) or a 20-byte one (format 2, for
 * entries that may be served stale), then the payload.
 *
 * <pre>
 * byte 0       magic 0xCA
 * byte 1       format version: 1, or 2 when bytes 12-19 follow
 * byte 2       codec id: 0 none (null value), 1 raw bytes, 2 UTF-8 string, 3 JSON, 4 JDK, 16-127 custom
 * byte 3       flags: bit 0 null value, bit 1 compressed (reserved)
 * bytes 4-11   absolute expiry, epoch milliseconds, big-endian; 0 = never
 * bytes 12-19  format 2 only: fresh until, epoch milliseconds; past it the entry is stale (served while
 *              one caller refreshes it, or while the loader fails) until the expiry
 * then         payload
 * </pre>
 *
 * The expiry lets Cachekit ignore entries that a store returns after their time (stores that delete late).
 * Entries without a stale window are written in format 1, so every format-1 reader reads them; format-1
 * entries are fresh until they expire.
 */
public final class Envelope {
    public static final int HEADER_LENGTH = 12;
    public static final int STALE_HEADER_LENGTH = 20;
    public static final byte MAGIC = (byte) 0xCA;
    public static final byte VERSION = 1;
    public static final byte STALE_VERSION = 2;

    public static final int CODEC_NONE = 0;
    public static final int CODEC_BYTES = 1;
    public static final int CODEC_STRING = 2;

    public static final int FLAG_NULL = 1;

    private Envelope() {}

    /** A format-1 header followed by {@code payload}. */
    public static byte[] wrap(int codecId, int flags, long expiresAtMillis, byte[] payload) {
        byte[] out = new byte[HEADER_LENGTH + payload.length];
        header(out, VERSION, codecId, flags, expiresAtMillis);
        System.arraycopy(payload, 0, out, HEADER_LENGTH, payload.length);
        return out;
    }

    /** A format-2 header, fresh until {@code freshUntilMillis}, followed by {@code payload}. */
    public static byte[] wrapStale(
            int codecId, int flags, long expiresAtMillis, long freshUntilMillis, byte[] payload) {
        byte[] out = new byte[STALE_HEADER_LENGTH + payload.length];
        header(out, STALE_VERSION, codecId, flags, expiresAtMillis);
        writeLong(out, HEADER_LENGTH, freshUntilMillis);
        System.arraycopy(payload, 0, out, STALE_HEADER_LENGTH, payload.length);
        return out;
    }

    private static void header(byte[] out, byte version, int codecId, int flags, long expiresAtMillis) {
        out[0] = MAGIC;
        out[1] = version;
        out[2] = (byte) codecId;
        out[3] = (byte) flags;
        writeLong(out, 4, expiresAtMillis);
    }

    private static void writeLong(byte[] out, int offset, long v) {
        for (int i = 0; i < 8; i++) {
            out[offset + i] = (byte) (v >>> (56 - 8 * i));
        }
    }

    private static long readLong(byte[] bytes, int offset) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (bytes[offset + i] & 0xFFL);
        }
        return v;
    }

    /** Whether {@code bytes} starts with a header this version can read. */
    public static boolean isReadable(byte[] bytes) {
        if (bytes.length < HEADER_LENGTH || bytes[0] != MAGIC || (bytes[3] & ~3) != 0) {
            return false;
        }
        return bytes[1] == VERSION || (bytes[1] == STALE_VERSION && bytes.length >= STALE_HEADER_LENGTH);
    }

    /** Where the payload of a readable envelope starts. */
    public static int headerLength(byte[] bytes) {
        return bytes[1] == STALE_VERSION ? STALE_HEADER_LENGTH : HEADER_LENGTH;
    }

    /** Whether a readable entry is past its fresh time at {@code nowMillis} (format 1: never before expiry). */
    public static boolean isStale(byte[] bytes, long nowMillis) {
        return bytes[1] == STALE_VERSION && readLong(bytes, HEADER_LENGTH) <= nowMillis;
    }

    public static int codecId(byte[] bytes) {
        return bytes[2] & 0xFF;
    }

    public static int flags(byte[] bytes) {
        return bytes[3] & 0xFF;
    }

    /** The absolute expiry in epoch milliseconds, 0 when the entry never expires. */
    public static long expiresAt(byte[] bytes) {
        return readLong(bytes, 4);
    }

    /** Whether the entry had expired at {@code nowMillis}. */
    public static boolean isExpired(byte[] bytes, long nowMillis) {
        long expiresAt = expiresAt(bytes);
        return expiresAt != 0 && expiresAt <= nowMillis;
    }
}
