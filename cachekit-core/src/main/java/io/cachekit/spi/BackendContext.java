package io.cachekit.spi;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * What Cachekit hands a backend when it creates one: the timeout every operation must respect, the
 * clock, and the bounded executor for blocking work.
 *
 * <p>Immutable and thread-safe.
 *
 * @param operationTimeout the longest any single backend operation may take; positive
 * @param clock the clock used for expiry; tests pass a controllable one
 * @param executor bounded executor for blocking work and async dispatch; never the caller's event loop
 */
public record BackendContext(Duration operationTimeout, Clock clock, Executor executor) {

    /** Checks that no part is null. */
    public BackendContext {
        Durations.requirePositive("operationTimeout", operationTimeout);
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(executor, "executor");
    }
}
