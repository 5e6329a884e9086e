package io.cachekit.spi;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * Logs a warning at most once per interval and counts what it held back, so that a store that is down does
 * not flood the log with one line per request. For backends and integrations (the HTTP filter, the Spring
 * bridge) that fail open. Thread-safe.
 */
public final class WarningLimiter {
    private final Logger log;
    private final long intervalNanos;
    private final AtomicLong nextAllowed = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong suppressed = new AtomicLong();

    /** Logs to {@code log} at most once per {@code interval}. */
    public WarningLimiter(Logger log, java.time.Duration interval) {
        this.log = log;
        this.intervalNanos = interval.toNanos();
    }

    /** Logs {@code message} with {@code cause}'s text, or counts it when a warning was logged too recently. */
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
