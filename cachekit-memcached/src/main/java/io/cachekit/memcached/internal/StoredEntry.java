package io.cachekit.memcached.internal;

/**
 * The bytes this backend stores for an entry: a 10-byte header of its own, then the bytes Cachekit handed it
 * (its envelope), unchanged. Not API; stateless and thread-safe.
 *
 * <pre>
 * byte 0     0xCB  (magic)
 * byte 1     0x47  ('G': format 1, with a generation)
 * bytes 2-9  the namespace generation the entry was written under, big-endian
 * bytes 10-  Cachekit's bytes
 * </pre>
 *
 * A read returns Cachekit's bytes only when the generation equals the namespace's current one on that server.
 */
public final class StoredEntry {
    /** Length of the header before Cachekit's bytes. */
    public static final int HEADER_LENGTH = 10;

    private static final byte MAGIC = (byte) 0xCB;
    private static final byte FORMAT = 0x47;

    /** The first byte of Cachekit's own envelope: bytes that start with it but lack this header are not checked. */
    private static final byte CACHEKIT_ENVELOPE_MAGIC = (byte) 0xCA;

    private StoredEntry() {}

    /** {@code value} under the header of {@code generation}. */
    public static byte[] wrap(long generation, byte[] value) {
        byte[] stored = new byte[HEADER_LENGTH + value.length];
        stored[0] = MAGIC;
        stored[1] = FORMAT;
        for (int i = 0; i < 8; i++) {
            stored[2 + i] = (byte) (generation >>> (56 - 8 * i));
        }
        System.arraycopy(value, 0, stored, HEADER_LENGTH, value.length);
        return stored;
    }

    /** Whether {@code stored} has this backend's header. */
    public static boolean isWrapped(byte[] stored) {
        return stored.length >= HEADER_LENGTH && stored[0] == MAGIC && stored[1] == FORMAT;
    }

    /** The generation of a {@linkplain #isWrapped wrapped} entry. */
    public static long generation(byte[] stored) {
        long g = 0;
        for (int i = 0; i < 8; i++) {
            g = (g << 8) | (stored[2 + i] & 0xFF);
        }
        return g;
    }

    /**
     * What a read returns for the stored bytes {@code stored}, given the namespace's current generation on that
     * server ({@code null} when it has none):
     *
     * <ul>
     *   <li>{@code null} (a miss) when nothing is stored, or when the entry was written under another generation
     *       (before a clear) or the generation is missing (evicted or never made);
     *   <li>Cachekit's bytes when the generations are equal;
     *   <li>bytes another client wrote under the key: unchanged, so that Cachekit counts them as corrupt and
     *       deletes them; except bytes that would pass for Cachekit's envelope without this header, which cannot
     *       be checked against the generation and are a miss.
     * </ul>
     */
    public static byte[] read(byte[] stored, Long currentGeneration) {
        if (stored == null) {
            return null;
        }
        if (!isWrapped(stored)) {
            return stored.length > 0 && stored[0] == CACHEKIT_ENVELOPE_MAGIC ? null : stored;
        }
        if (currentGeneration == null || generation(stored) != currentGeneration) {
            return null;
        }
        return java.util.Arrays.copyOfRange(stored, HEADER_LENGTH, stored.length);
    }
}
