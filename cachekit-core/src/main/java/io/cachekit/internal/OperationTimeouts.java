package io.cachekit.internal;

import io.cachekit.spi.Durations;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Fails the futures it watches that are still pending once one fixed timeout has passed: the operation timeout of
 * a blocking backend's async calls. A future fails no sooner than the timeout after {@link #watch}; when calls
 * are watched from many threads at once, one may fail later by as long as an older call's thread was held up
 * inside {@link #watch} (sweeps go in the order calls were numbered, which can differ slightly from deadline order).
 *
 * <p>Why not {@link CompletableFuture#orTimeout}: it schedules and then cancels one task per call on the JDK's
 * single delay thread, whose queue is guarded by one lock; with a backend's blocking threads outnumbering the
 * cores, calls queued on that lock. Here every call has the same timeout, so deadlines arrive in the order of
 * watching: pending calls sit in a lock-free ordered map (keyed by a sequence number) that a completed call
 * leaves at once, and one timer task per timeout period, armed only while calls are pending, fails the overdue
 * ones from the oldest. Timed-out futures complete on the JDK's delay thread, as with {@code orTimeout}.
 *
 * <p>Thread-safe; holds no thread of its own.
 */
public final class OperationTimeouts {
    private final long timeoutNanos;
    private final ConcurrentSkipListMap<Long, Pending> pending = new ConcurrentSkipListMap<>();
    private final AtomicLong sequence = new AtomicLong();
    /** Whether a sweep is scheduled; set by the call that finds none, cleared by a sweep that leaves none pending. */
    private final AtomicBoolean armed = new AtomicBoolean();

    private record Pending(long deadline, CompletableFuture<?> future, Supplier<? extends Throwable> timeout) {}

    /**
     * Watches with {@code timeout}.
     *
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalArgumentException if {@code timeout} is not positive
     */
    public OperationTimeouts(Duration timeout) {
        this.timeoutNanos = Durations.requirePositive("timeout", timeout).toNanos();
    }

    /**
     * Fails {@code future} with the exception {@code timeout} makes (called once, on the delay thread) unless it
     * completes within the timeout. Returns {@code future}.
     *
     * @throws NullPointerException if an argument is null
     */
    public <T> CompletableFuture<T> watch(CompletableFuture<T> future, Supplier<? extends Throwable> timeout) {
        Objects.requireNonNull(future, "future");
        Objects.requireNonNull(timeout, "timeout");
        Long id = sequence.getAndIncrement();
        pending.put(id, new Pending(System.nanoTime() + timeoutNanos, future, timeout));
        future.whenComplete((value, error) -> pending.remove(id));
        if (!armed.get() && armed.compareAndSet(false, true)) {
            schedule(timeoutNanos);
        }
        return future;
    }

    /** How many watched futures are still pending: for tests and diagnostics. */
    int pendingCount() {
        return pending.size();
    }

    private void schedule(long delayNanos) {
        // Runnable::run: the sweep runs on the delay thread itself, so a saturated executor cannot hold it up.
        CompletableFuture.delayedExecutor(Math.max(delayNanos, 1), TimeUnit.NANOSECONDS, Runnable::run)
                .execute(this::sweep);
    }

    /** The call's timeout exception; a supplier that throws must not stop the sweeps, so its throw is the error. */
    private static Throwable timeoutError(Pending call) {
        try {
            return Objects.requireNonNull(call.timeout.get(), "the timeout supplier returned null");
        } catch (RuntimeException e) {
            return e;
        }
    }

    private void sweep() {
        long now = System.nanoTime();
        for (Map.Entry<Long, Pending> oldest; (oldest = pending.firstEntry()) != null; ) {
            Pending call = oldest.getValue();
            long left = call.deadline - now;
            if (left > 0) {
                schedule(left);
                return;
            }
            pending.remove(oldest.getKey());
            if (!call.future.isDone()) {
                call.future.completeExceptionally(timeoutError(call));
            }
        }
        armed.set(false);
        // A call watched after the map looked empty may have seen the flag still set: sweep again for it.
        if (!pending.isEmpty() && armed.compareAndSet(false, true)) {
            schedule(0);
        }
    }
}
