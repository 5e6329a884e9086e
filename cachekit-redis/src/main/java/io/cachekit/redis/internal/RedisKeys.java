package io.cachekit.redis.internal;

import java.nio.charset.StandardCharsets;

/**
 * The stored form of keys: {@code <namespace>:<key>} as a Redis binary string, and the SCAN pattern that
 * matches one namespace. Not API.
 *
 * <p>Keys are encoded as UTF-8. A key holding a lone surrogate (valid in a Java string, not in Unicode)
 * encodes that surrogate as its own three-byte sequence (as WTF-8 does), so that distinct keys always give
 * distinct bytes; {@link String#getBytes} would replace it with {@code ?} and make keys collide.
 */
public final class RedisKeys {
    private RedisKeys() {}

    /** The stored key of {@code key} in {@code namespace}. */
    public static byte[] key(String namespace, String key) {
        String full = namespace + ':' + key;
        return hasSurrogate(key) ? encodeWtf8(full) : full.getBytes(StandardCharsets.UTF_8);
    }

    /** The SCAN MATCH pattern of every stored key of {@code namespace}: the escaped namespace, then {@code :*}. */
    public static byte[] pattern(String namespace) {
        StringBuilder sb = new StringBuilder(namespace.length() + 4);
        for (int i = 0; i < namespace.length(); i++) {
            char c = namespace.charAt(i);
            // Redis glob specials; escaped even though Cachekit's namespace alphabet excludes them today.
            if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
                sb.append('\\');
            }
            sb.append(c);
        }
        sb.append(":*");
        return encodeWtf8(sb.toString());
    }

    private static boolean hasSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isSurrogate(s.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    /** UTF-8, except that a lone surrogate becomes the three bytes of its code unit. */
    static byte[] encodeWtf8(String s) {
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
        return java.util.Arrays.copyOf(out, n);
    }
}
