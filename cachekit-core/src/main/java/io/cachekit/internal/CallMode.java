package io.cachekit.internal;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * How method caching treats calls made on the current thread: normally, bypassing the cache (no read, no
 * write), or refreshing (no read, the result is written). Set for the duration of a block by {@code
 * Cachekit.bypass} and {@code Cachekit.refresh}.
 */
public enum CallMode {
    NORMAL,
    BYPASS,
    REFRESH;

    private static final ThreadLocal<CallMode> CURRENT = ThreadLocal.withInitial(() -> NORMAL);
    /**
     * Blocks running {@link #with} on any thread: while there are none, every thread's mode is NORMAL, which a
     * cached call then learns from one read of this field instead of a thread-local lookup. A thread inside a
     * block has counted itself before setting its mode, so it never misses its own.
     */
    private static final AtomicInteger ACTIVE = new AtomicInteger();

    /** The mode of the current thread. */
    public static CallMode current() {
        return ACTIVE.get() == 0 ? NORMAL : CURRENT.get();
    }

    /** Runs {@code body} with {@code mode}, restoring the previous mode afterwards. */
    public static <T> T with(CallMode mode, Supplier<T> body) {
        ACTIVE.incrementAndGet();
        CallMode previous = CURRENT.get();
        CURRENT.set(mode);
        try {
            return body.get();
        } finally {
            CURRENT.set(previous);
            ACTIVE.decrementAndGet();
        }
    }
}
