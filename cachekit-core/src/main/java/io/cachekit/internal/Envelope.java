package io.cachekit.internal;

/**
 * The stored form of a value in a byte store: a 12-byte header (format 1), a 20-byte one (format 2, for entries
 * that may be served stale) or a header with a tags section (format 3, for tagged entries), then the payload.
 *
 * <pre>
 * byte 0       magic 0xCA
 * byte 1       format version: 1, 2 when bytes 12-19 follow, 3 when bytes 12-19 and a tags section follow
 * byte 2       codec id: 0 none (null value), 1 raw bytes, 2 UTF-8 string, 3 JSON, 4 JDK, 16-127 custom
 * byte 3       flags: bit 0 null value, bit 1 compressed (reserved)
 * bytes 4-11   absolute expiry, epoch milliseconds, big-endian; 0 = never
 * bytes 12-19  formats 2 and 3: fresh until, epoch milliseconds; past it the entry is stale (served while
 *              one caller refreshes it, or while the loader fails) until the expiry. Format 3: 0 = no stale
 *              window, fresh until the expiry
 * bytes 20-21  format 3 only: where the payload starts (big-endian)
 * byte 22      format 3 only: the number of tags n, 1 to 32
 * n times      format 3 only: the tag's length c in chars (1 to 200), its 2c bytes of UTF-16BE (lossless for
 *              any string), the tag's version when the entry was written (8 bytes, big-endian)
 * then         payload
 * </pre>
 *
 * The expiry lets Cachekit ignore entries that a store returns after their time (stores that delete late).
 * Entries without a stale window or tags are written in format 1, so every format-1 reader reads them and an
 * untagged read parses no more than it did; format-1 entries are fresh until they expire. A reader that does not
 * know format 3 sees a tagged entry as unreadable, a miss: never as an untagged value.
 */
public final class Envelope {
    public static final int HEADER_LENGTH = 12;
    public static final int STALE_HEADER_LENGTH = 20;
    public static final byte MAGIC = (byte) 0xCA;
    public static final byte VERSION = 1;
    public static final byte STALE_VERSION = 2;
    public static final byte TAGGED_VERSION = 3;
    /** The shortest format-3 header: bytes 0-22 and no tag, which is never written. */
    static final int TAGGED_HEADER_START = 23;

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

    /**
     * A format-3 header carrying {@code stamp}, fresh until {@code freshUntilMillis} (0 when the entry has no stale
     * window), followed by {@code payload}.
     */
    static byte[] wrapTagged(
            int codecId, int flags, long expiresAtMillis, long freshUntilMillis, TagStamp stamp, byte[] payload) {
        int offset = TAGGED_HEADER_START;
        for (String tag : stamp.tags()) {
            offset += 1 + 2 * tag.length() + 8;
        }
        byte[] out = new byte[offset + payload.length];
        header(out, TAGGED_VERSION, codecId, flags, expiresAtMillis);
        writeLong(out, HEADER_LENGTH, freshUntilMillis);
        out[20] = (byte) (offset >>> 8);
        out[21] = (byte) offset;
        out[22] = (byte) stamp.tags().length;
        int pos = TAGGED_HEADER_START;
        for (int i = 0; i < stamp.tags().length; i++) {
            String tag = stamp.tags()[i];
            out[pos++] = (byte) tag.length();
            for (int c = 0; c < tag.length(); c++) {
                char ch = tag.charAt(c);
                out[pos++] = (byte) (ch >>> 8);
                out[pos++] = (byte) ch;
            }
            writeLong(out, pos, stamp.versions()[i]);
            pos += 8;
        }
        System.arraycopy(payload, 0, out, offset, payload.length);
        return out;
    }

    /** The tags and versions of a readable format-3 envelope. */
    static TagStamp tags(byte[] bytes) {
        int n = bytes[22] & 0xFF;
        String[] tags = new String[n];
        long[] versions = new long[n];
        int pos = TAGGED_HEADER_START;
        for (int i = 0; i < n; i++) {
            int length = bytes[pos++] & 0xFF;
            char[] chars = new char[length];
            for (int c = 0; c < length; c++) {
                chars[c] = (char) (((bytes[pos] & 0xFF) << 8) | (bytes[pos + 1] & 0xFF));
                pos += 2;
            }
            tags[i] = new String(chars);
            versions[i] = readLong(bytes, pos);
            pos += 8;
        }
        return new TagStamp(tags, versions);
    }

    /** Whether a readable envelope carries tags (format 3), whose versions decide whether it is still valid. */
    public static boolean hasTags(byte[] bytes) {
        return bytes[1] == TAGGED_VERSION;
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
        return bytes[1] == VERSION
                || (bytes[1] == STALE_VERSION && bytes.length >= STALE_HEADER_LENGTH)
                || (bytes[1] == TAGGED_VERSION && tagsSectionIsWellFormed(bytes));
    }

    /** Whether the tags section of a format-3 envelope lies within it and ends where the payload starts. */
    private static boolean tagsSectionIsWellFormed(byte[] bytes) {
        if (bytes.length < TAGGED_HEADER_START) {
            return false;
        }
        int offset = ((bytes[20] & 0xFF) << 8) | (bytes[21] & 0xFF);
        int n = bytes[22] & 0xFF;
        if (offset > bytes.length || n < 1 || n > io.cachekit.Tags.MAX_TAGS) {
            return false;
        }
        int pos = TAGGED_HEADER_START;
        for (int i = 0; i < n; i++) {
            if (pos >= offset) {
                return false;
            }
            int length = bytes[pos] & 0xFF;
            if (length < 1 || length > io.cachekit.Tags.MAX_LENGTH) {
                return false;
            }
            pos += 1 + 2 * length + 8;
        }
        return pos == offset;
    }

    /** Where the payload of a readable envelope starts. */
    public static int headerLength(byte[] bytes) {
        return switch (bytes[1]) {
            case STALE_VERSION -> STALE_HEADER_LENGTH;
            case TAGGED_VERSION -> ((bytes[20] & 0xFF) << 8) | (bytes[21] & 0xFF);
            default -> HEADER_LENGTH;
        };
    }

    /** Whether a readable entry is past its fresh time at {@code nowMillis} (format 1: never before expiry). */
    public static boolean isStale(byte[] bytes, long nowMillis) {
        if (bytes[1] == VERSION) {
            return false;
        }
        long freshUntil = readLong(bytes, HEADER_LENGTH);
        return (bytes[1] == STALE_VERSION || freshUntil != 0) && freshUntil <= nowMillis;
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
