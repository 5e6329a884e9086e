package io.cachekit.spi;

import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * The one place where backends check and convert the TTL they are given: {@code null} means the entry
 * never expires, anything else must be positive. Conversions round up, so an entry never expires before
 * its TTL, and a positive TTL never becomes zero (which several stores read as "never").
 *
 * <p>Stateless and thread-safe.
 */
public final class Ttls {
    private Ttls() {}

    /**
     * Checks a TTL handed to a backend.
     *
     * @param ttl positive, or {@code null} for no expiry
     * @return {@code ttl}
     * @throws IllegalArgumentException if {@code ttl} is zero or negative
     */
    public static @Nullable Duration check(@Nullable Duration ttl) {
        if (ttl != null && (ttl.isZero() || ttl.isNegative())) {
            throw new IllegalArgumentException("ttl must be positive, or null for no expiry; got " + ttl);
        }
        return ttl;
    }

    /**
     * Whether a checked TTL is so long that a store should keep the entry without expiry: {@code null}, or
     * at least {@code longest} (beyond what the store's TTL arithmetic can hold).
     */
    public static boolean isNever(@Nullable Duration ttl, Duration longest) {
        return check(ttl) == null || ttl.compareTo(longest) >= 0;
    }

    /** Whole milliseconds, rounded up: at least 1 for a positive TTL. */
    public static long millisRoundedUp(Duration ttl) {
        return roundUp(check(ttl), 1_000_000L);
    }

    /** Whole microseconds, rounded up: at least 1 for a positive TTL. */
    public static long microsRoundedUp(Duration ttl) {
        return roundUp(check(ttl), 1_000L);
    }

    /** Whole seconds, rounded up: at least 1 for a positive TTL. */
    public static long secondsRoundedUp(Duration ttl) {
        return roundUp(check(ttl), 1_000_000_000L);
    }

    /** {@code now + ttl}, saturating at {@link Instant#MAX} instead of overflowing. */
    public static Instant deadline(Instant now, Duration ttl) {
        check(ttl);
        try {
            return now.plus(ttl);
        } catch (ArithmeticException | java.time.DateTimeException e) {
            return Instant.MAX;
        }
    }

    private static long roundUp(Duration ttl, long nanosPerUnit) {
        long unitsPerSecond = 1_000_000_000L / nanosPerUnit;
        long seconds = ttl.getSeconds();
        if (seconds >= Long.MAX_VALUE / unitsPerSecond - 1) {
            return Long.MAX_VALUE;
        }
        long units = seconds * unitsPerSecond + ttl.getNano() / nanosPerUnit;
        return ttl.getNano() % nanosPerUnit == 0 ? units : units + 1;
    }
}
