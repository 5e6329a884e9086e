package io.cachekit.redis.internal;

import io.cachekit.spi.StoredKeys;

/**
 * The stored form of keys: {@code <namespace>:<key>} as a Redis binary string, and the SCAN pattern that
 * matches one namespace. Not API.
 *
 * <p>Keys are encoded by {@link StoredKeys#wtf8}: UTF-8, with lone surrogates kept, so distinct keys
 * always give distinct bytes.
 */
public final class RedisKeys {
    private RedisKeys() {}

    /** The stored key of {@code key} in {@code namespace}: {@code namespace:key}, losslessly encoded. */
    public static byte[] key(String namespace, String key) {
        return StoredKeys.namespacedBytes(namespace, key);
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
        return StoredKeys.wtf8(sb.toString());
    }
}
