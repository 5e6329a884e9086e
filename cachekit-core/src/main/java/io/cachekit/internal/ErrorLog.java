package io.cachekit.internal;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs backend failures at most once per {@link #INTERVAL_MILLIS} per (namespace, operation), with the
 * number suppressed since the last line, so a store that is down cannot flood the log. Thread-safe.
 */
final class ErrorLog {
    private static final Logger LOG = LoggerFactory.getLogger("io.cachekit");
    static final long INTERVAL_MILLIS = 10_000;

    private final ConcurrentMap<String, Window> windows = new ConcurrentHashMap<>();

    void warn(String namespace, String operation, String backend, Throwable error) {
        log(
                namespace + '\0' + operation,
                suppressed -> LOG.warn(
                        "Cache {} on {} failed in namespace '{}'{}; answering without the cache: {}",
                        operation,
                        backend,
                        namespace,
                        suppressedNote(suppressed),
                        error.toString(),
                        error));
    }

    /** A failed refresh of a stale entry, logged at most once per interval per namespace. */
    void warnRefresh(String namespace, Throwable error) {
        log(
                namespace + "\0refresh",
                suppressed -> LOG.warn(
                        "Refreshing a stale entry in namespace '{}' failed{}; the stale value is served until it expires: {}",
                        namespace,
                        suppressedNote(suppressed),
                        error.toString(),
                        error));
    }

    /** Runs {@code emit} with the number of lines held back, at most once per interval per window. */
    private void log(String window, java.util.function.LongConsumer emit) {
        Window w = windows.computeIfAbsent(window, k -> new Window());
        long now = System.currentTimeMillis();
        long last = w.lastLogged.get();
        if (now - last >= INTERVAL_MILLIS && w.lastLogged.compareAndSet(last, now)) {
            emit.accept(w.suppressed.getAndSet(0));
        } else {
            w.suppressed.incrementAndGet();
        }
    }

    private static String suppressedNote(long suppressed) {
        return suppressed > 0 ? " (" + suppressed + " similar failures not logged)" : "";
    }

    private static final class Window {
        final AtomicLong lastLogged = new AtomicLong(Long.MIN_VALUE / 2);
        final AtomicLong suppressed = new AtomicLong();
    }
}
