package io.cachekit.spi;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.function.IntPredicate;

/**
 * The one place where backends turn a namespace and a key into what their store holds: lossless bytes,
 * digests, and the readable-or-digest form for stores with key limits. Every backend calls these, so
 * equal keys map to equal stored keys in every process and distinct keys never meet.
 *
 * <p>Keys may be any Java string, including control characters and unpaired surrogates. {@link #wtf8}
 * encodes every string losslessly (plain UTF-8 for well-formed strings), where {@link
 * String#getBytes} would replace a lone surrogate with {@code ?} and make keys collide.
 *
 * <p>Stateless and thread-safe; every method rejects {@code null} arguments with a {@link
 * NullPointerException}.
 */
public final class StoredKeys {
    /** Separates a namespace from its key in textual layouts; namespaces never contain it. */
    public static final char SEPARATOR = ':';

    /**
     * Separates a namespace from a key digest in {@link #readableOrDigest}; namespaces never contain it, so
     * a digest form never equals a readable one.
     */
    public static final char DIGEST_SEPARATOR = '#';

    private static final byte DIGEST_MARKER = (byte) 0xFF;

    private static final MessageDigest SHA256_PROTOTYPE = newSha256();

    private static final Base64.Encoder BASE64_URL = Base64.getUrlEncoder().withoutPadding();

    private StoredKeys() {}

    /** {@code namespace:key}, as text. */
    public static String namespaced(String namespace, String key) {
        return namespace + SEPARATOR + key;
    }

    /** The lossless bytes of {@code namespace:key} ({@link #wtf8}). */
    public static byte[] namespacedBytes(String namespace, String key) {
        return wtf8(namespaced(namespace, key));
    }

    /**
     * WTF-8: the UTF-8 of each code point, where an unpaired surrogate counts as a code point of its own
     * (three bytes). One-to-one over all Java strings, and equal to UTF-8 for well-formed ones.
     */
    public static byte[] wtf8(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isSurrogate(s.charAt(i))) {
                return wtf8WithSurrogates(s);
            }
        }
        // Without surrogates WTF-8 is UTF-8, which the JDK encodes far faster than the loop below.
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The SHA-256 digest of {@code bytes}. */
    public static byte[] sha256(byte[] bytes) {
        MessageDigest digest;
        try {
            // A clone of a digest that never digests: cheaper than a provider lookup, and the prototype's state
            // is only ever read.
            digest = (MessageDigest) SHA256_PROTOTYPE.clone();
        } catch (CloneNotSupportedException e) {
            digest = newSha256();
        }
        return digest.digest(bytes);
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            // Every Java platform is required to provide SHA-256.
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    /** URL-safe Base64 without padding (43 characters for a SHA-256), usable in ids, paths and keys. */
    public static String base64Url(byte[] bytes) {
        return BASE64_URL.encodeToString(bytes);
    }

    /** The URL-safe Base64 SHA-256 of {@code namespace:key}'s lossless bytes: 43 characters. */
    public static String digest(String namespace, String key) {
        return base64Url(sha256(namespacedBytes(namespace, key)));
    }

    /**
     * The readable form {@code namespace:key} when every character of the key passes {@code allowed} and
     * its UTF-8 fits in {@code maxBytes}; otherwise {@code namespace#digest} ({@link #digest}). The two
     * forms never meet, because a namespace contains neither separator.
     *
     * @param maxBytes the store's key limit in bytes; must leave room for the digest form
     * @param allowed the characters the store accepts in a key (checked per UTF-16 unit)
     * @throws IllegalArgumentException if the digest form of {@code namespace} would not fit {@code maxBytes}
     */
    public static String readableOrDigest(String namespace, String key, int maxBytes, IntPredicate allowed) {
        if (namespace.length() + 1 + 43 > maxBytes) {
            throw new IllegalArgumentException("namespace '" + namespace + "' is too long for a key limit of "
                    + maxBytes + " bytes (at most " + (maxBytes - 44) + " characters)");
        }
        if (namespace.length() + 1 + key.length() <= maxBytes && allAllowed(key, allowed)) {
            String readable = namespaced(namespace, key);
            // Allowed characters are checked first, so surrogates (never allowed by sane predicates) are gone.
            if (utf8Length(readable) <= maxBytes) {
                return readable;
            }
        }
        return namespace + DIGEST_SEPARATOR + digest(namespace, key);
    }

    /**
     * The lossless bytes of {@code key} ({@link #wtf8}) when they fit in {@code maxBytes}; otherwise the
     * byte {@code 0xFF} followed by their SHA-256 (33 bytes). WTF-8 never contains {@code 0xFF}, so a
     * digest never equals a plain key. For stores that hold binary keys with a length limit.
     *
     * @param maxBytes at least 33
     */
    public static byte[] bytesOrDigest(String key, int maxBytes) {
        byte[] plain = wtf8(key);
        if (plain.length <= maxBytes) {
            return plain;
        }
        byte[] digest = sha256(plain);
        byte[] stored = new byte[digest.length + 1];
        stored[0] = DIGEST_MARKER;
        System.arraycopy(digest, 0, stored, 1, digest.length);
        return stored;
    }

    /** Printable ASCII without space: what memcached's text protocol and most key-value stores accept. */
    public static boolean isPrintableAsciiExceptSpace(int c) {
        return c > 0x20 && c < 0x7F;
    }

    private static boolean allAllowed(String key, IntPredicate allowed) {
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (Character.isSurrogate(c) || !allowed.test(c)) {
                return false;
            }
        }
        return true;
    }

    private static int utf8Length(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            n += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
        }
        return n;
    }

    private static byte[] wtf8WithSurrogates(String s) {
        byte[] out = new byte[s.length() * 3];
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            int cp = c;
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                cp = Character.toCodePoint(c, s.charAt(++i));
            }
            if (cp < 0x80) {
                out[n++] = (byte) cp;
            } else if (cp < 0x800) {
                out[n++] = (byte) (0xC0 | (cp >> 6));
                out[n++] = (byte) (0x80 | (cp & 0x3F));
            } else if (cp < 0x10000) {
                out[n++] = (byte) (0xE0 | (cp >> 12));
                out[n++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                out[n++] = (byte) (0x80 | (cp & 0x3F));
            } else {
                out[n++] = (byte) (0xF0 | (cp >> 18));
                out[n++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                out[n++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                out[n++] = (byte) (0x80 | (cp & 0x3F));
            }
        }
        return Arrays.copyOf(out, n);
    }
}
