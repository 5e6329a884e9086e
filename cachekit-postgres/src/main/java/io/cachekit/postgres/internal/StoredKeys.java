package io.cachekit.postgres.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Maps cache keys to the bytes stored in the {@code key bytea} column, deterministically and without
 * collisions.
 *
 * <p>Why bytea: a PostgreSQL {@code text} value cannot hold the NUL character, and Java strings may hold
 * unpaired surrogates that UTF-8 cannot encode, while a cache key may be any string. Keys are encoded as
 * WTF-8: plain UTF-8 for every well-formed string (so {@code convert_from(key, 'UTF8')} shows them in
 * {@code psql}), with unpaired surrogates written in the three-byte form that strict UTF-8 forbids. The
 * encoding is one-to-one.
 *
 * <p>Why a digest for long keys: a B-tree index entry must fit in about a third of a page (some 2.7 kB),
 * so an encoded key longer than {@link #MAX_PLAIN_KEY_BYTES} is stored as the byte {@code 0xFF} followed
 * by the SHA-256 of its encoding. WTF-8 never contains {@code 0xFF}, so a digest can never equal a plain
 * key.
 *
 * <p>Stateless and thread-safe.
 */
public final class StoredKeys {
    /** Encoded keys up to this length are stored as they are. */
    public static final int MAX_PLAIN_KEY_BYTES = 1024;

    private static final byte DIGEST_MARKER = (byte) 0xFF;

    private StoredKeys() {}

    /** The bytes stored for {@code key}. */
    public static byte[] encode(String key) {
        byte[] wtf8 = wtf8(key);
        if (wtf8.length <= MAX_PLAIN_KEY_BYTES) {
            return wtf8;
        }
        byte[] digest = sha256(wtf8);
        byte[] stored = new byte[digest.length + 1];
        stored[0] = DIGEST_MARKER;
        System.arraycopy(digest, 0, stored, 1, digest.length);
        return stored;
    }

    /** WTF-8: UTF-8 of each code point, where an unpaired surrogate counts as a code point of its own. */
    static byte[] wtf8(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isSurrogate(s.charAt(i))) {
                return wtf8WithSurrogates(s);
            }
        }
        // Without surrogates WTF-8 is UTF-8, which the JDK encodes far faster than the loop below.
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] wtf8WithSurrogates(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length() + 8);
        // String.codePoints() joins valid surrogate pairs and yields unpaired surrogates as they are.
        s.codePoints().forEach(cp -> {
            if (cp < 0x80) {
                out.write(cp);
            } else if (cp < 0x800) {
                out.write(0xC0 | (cp >>> 6));
                out.write(0x80 | (cp & 0x3F));
            } else if (cp < 0x10000) {
                out.write(0xE0 | (cp >>> 12));
                out.write(0x80 | ((cp >>> 6) & 0x3F));
                out.write(0x80 | (cp & 0x3F));
            } else {
                out.write(0xF0 | (cp >>> 18));
                out.write(0x80 | ((cp >>> 12) & 0x3F));
                out.write(0x80 | ((cp >>> 6) & 0x3F));
                out.write(0x80 | (cp & 0x3F));
            }
        });
        return out.toByteArray();
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            // Every Java platform is required to provide SHA-256.
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
