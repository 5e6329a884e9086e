package io.cachekit.http.internal;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * Logs a warning at most once per interval and counts what it held back, so that a store that is down does
 * not flood the log with one line per request. Thread-safe; not API.
 */
public final class WarningLimiter {
    private final Logger log;
    private final long intervalNanos;
    private final AtomicLong nextAllowed = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong suppressed = new AtomicLong();

    public WarningLimiter(Logger log, java.time.Duration interval) {
        this.log = log;
        this.intervalNanos = interval.toNanos();
    }

    public void warn(String message, Throwable cause) {
        long now = System.nanoTime();
        long next = nextAllowed.get();
        if ((next == Long.MIN_VALUE || now - next >= 0) && nextAllowed.compareAndSet(next, now + intervalNanos)) {
            long held = suppressed.getAndSet(0);
            log.warn(
                    "{}{}: {}",
                    message,
                    held > 0 ? " (" + held + " similar warnings suppressed)" : "",
                    cause.toString());
        } else {
            suppressed.incrementAndGet();
        }
    }
}
