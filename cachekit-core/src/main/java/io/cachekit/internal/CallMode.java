package io.cachekit.internal;

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

    /** The mode of the current thread. */
    public static CallMode current() {
        return CURRENT.get();
    }

    /** Runs {@code body} with {@code mode}, restoring the previous mode afterwards. */
    public static <T> T with(CallMode mode, Supplier<T> body) {
        CallMode previous = CURRENT.get();
        CURRENT.set(mode);
        try {
            return body.get();
        } finally {
            CURRENT.set(previous);
        }
    }
}
