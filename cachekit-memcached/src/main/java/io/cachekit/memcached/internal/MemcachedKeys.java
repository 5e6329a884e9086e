package io.cachekit.memcached.internal;

import io.cachekit.spi.StoredKeys;
import io.cachekit.spi.Ttls;
import java.time.Duration;

/**
 * The memcached keys and expiry times this backend sends. Not API; stateless and thread-safe.
 *
 * <ul>
 *   <li>An entry is stored at {@link StoredKeys#readableOrDigest} of its namespace and key with memcached's
 *       limits: {@code namespace:key} when the key is printable ASCII without spaces and the whole fits in 250
 *       bytes, otherwise {@code namespace#} and the key's 43-character SHA-256 (Base64url). Deterministic, so
 *       every process finds the same item.
 *   <li>A namespace's generation on one server is stored at {@code namespace#gen.<n>} ({@link
 *       #generationKey}): never an entry key, since it has no {@code :} and {@code .} is not in Base64url.
 * </ul>
 */
public final class MemcachedKeys {
    /** memcached's key limit in bytes. */
    public static final int MAX_KEY_BYTES = 250;

    /** Relative expiry times up to this many seconds (30 days); memcached reads larger ones as Unix times. */
    public static final long MAX_RELATIVE_EXPIRY_SECONDS = 60L * 60 * 24 * 30;

    private MemcachedKeys() {}

    /** The memcached key of an entry. */
    public static String entry(String namespace, String key) {
        return StoredKeys.readableOrDigest(namespace, key, MAX_KEY_BYTES, StoredKeys::isPrintableAsciiExceptSpace);
    }

    /** The {@code n}-th candidate key for the generation of {@code namespace}; see {@link Generations}. */
    public static String generationKey(String namespace, int n) {
        return namespace + StoredKeys.DIGEST_SEPARATOR + "gen." + n;
    }

    /**
     * memcached's expiry time for {@code ttl} written at {@code nowMillis} (Unix time): {@code 0} (never) for a
     * {@code null} TTL; whole seconds rounded up (at least 1, so a short TTL never becomes "never") up to 30
     * days; beyond that, the absolute Unix time in seconds, rounded up. An absolute time past what memcached's
     * 32-bit field holds (2038) is written as never: Cachekit's envelope still carries the real expiry.
     *
     * @throws IllegalArgumentException for a zero or negative TTL
     */
    public static int expiry(Duration ttl, long nowMillis) {
        if (Ttls.check(ttl) == null) {
            return 0;
        }
        long seconds = Ttls.secondsRoundedUp(ttl);
        if (seconds <= MAX_RELATIVE_EXPIRY_SECONDS) {
            return (int) seconds;
        }
        long nowSeconds = Math.floorDiv(nowMillis, 1000L) + (Math.floorMod(nowMillis, 1000L) == 0 ? 0 : 1);
        if (seconds > Integer.MAX_VALUE - nowSeconds) {
            return 0;
        }
        return (int) (nowSeconds + seconds);
    }
}
