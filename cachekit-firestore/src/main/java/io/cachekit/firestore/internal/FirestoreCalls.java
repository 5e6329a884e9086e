package io.cachekit.firestore.internal;

import com.google.api.core.ApiFuture;
import com.google.api.core.ApiFutureCallback;
import com.google.api.core.ApiFutures;
import io.cachekit.CacheBackendException;
import io.cachekit.CacheTimeoutException;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Starts the client's calls for one backend and waits for them, or adapts their {@code ApiFuture}s to {@link
 * CompletableFuture}s without blocking; each call is bounded by the operation timeout and cancelled when it
 * passes, and every failure becomes Cachekit's exception through {@link FirestoreErrors}.
 *
 * <p>Futures complete on the client's gRPC threads, or, on a timeout, on one daemon timer thread shared by
 * every backend. Not API; thread-safe.
 */
public final class FirestoreCalls {
    /** Runs a callback on the thread that completes the client's future. */
    private static final Executor DIRECT = Runnable::run;

    /** Fires the operation timeouts of async calls, for every backend; one daemon thread. */
    private static final ScheduledThreadPoolExecutor TIMER = newTimer();

    private final FirestoreErrors errors;
    private final long timeoutNanos;
    private final BooleanSupplier closed;

    /**
     * @param errors maps the client's failures
     * @param timeout the operation timeout; positive
     * @param closed whether the backend is closed: new calls then fail, and so do failures of calls in flight
     */
    public FirestoreCalls(FirestoreErrors errors, Duration timeout, BooleanSupplier closed) {
        this.errors = errors;
        this.timeoutNanos = timeout.toNanos();
        this.closed = closed;
    }

    /** The operation timeout, in nanoseconds. */
    public long timeoutNanos() {
        return timeoutNanos;
    }

    /**
     * Fails when the backend is closed.
     *
     * @throws CacheBackendException saying that the backend is closed
     */
    public void checkOpen(String operation) {
        if (closed.getAsBoolean()) {
            throw errors.closed(operation);
        }
    }

    /**
     * Starts a call and waits for it on the calling thread within the operation timeout; on the timeout, or an
     * interrupt (the flag is restored), the call is cancelled.
     *
     * @throws CacheTimeoutException when the timeout passes
     * @throws CacheBackendException when the backend is closed or the call fails
     */
    public <T> T await(String operation, Supplier<ApiFuture<T>> call) {
        checkOpen(operation);
        ApiFuture<T> future;
        try {
            future = call.get();
        } catch (RuntimeException e) {
            throw failure(operation, e);
        }
        return waitFor(operation, future, timeoutNanos);
    }

    /**
     * Waits for an operation of several calls, which bounds itself by the operation timeout (a second more is
     * only a safety margin); on a timeout, or an interrupt (the flag is restored), it is cancelled.
     *
     * @throws CacheTimeoutException when the timeout passes
     * @throws CacheBackendException when the operation fails
     */
    public <T> T awaitAll(String operation, CompletableFuture<T> future) {
        return waitFor(operation, future, timeoutNanos + TimeUnit.SECONDS.toNanos(1));
    }

    /** Waits for {@code future} up to {@code nanos}, cancelling it on a timeout or an interrupt. */
    private <T> T waitFor(String operation, Future<T> future, long nanos) {
        try {
            return future.get(nanos, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw errors.timeout(operation);
        } catch (ExecutionException e) {
            throw failure(operation, e.getCause() == null ? e : e.getCause());
        } catch (CancellationException e) {
            throw failure(operation, e);
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw errors.interrupted(operation, e);
        }
    }

    /**
     * Starts a call and adapts its {@code ApiFuture} without blocking: a callback on the completing thread
     * completes the returned future with {@code then} of the result, and a timer fails it with {@link
     * CacheTimeoutException} and cancels the call once the operation timeout has passed. Cancelling the returned
     * future cancels the call. Never throws: every failure completes the returned future.
     */
    public <T, R> CompletableFuture<R> async(String operation, Supplier<ApiFuture<T>> call, Function<T, R> then) {
        return async(operation, timeoutNanos, call, then);
    }

    /** {@link #async(String, Supplier, Function)} with what is left of an operation's timeout. */
    public <T, R> CompletableFuture<R> async(
            String operation, long budgetNanos, Supplier<ApiFuture<T>> call, Function<T, R> then) {
        if (closed.getAsBoolean()) {
            return CompletableFuture.failedFuture(errors.closed(operation));
        }
        if (budgetNanos <= 0) {
            return CompletableFuture.failedFuture(errors.timeout(operation));
        }
        ApiFuture<T> future;
        try {
            future = call.get();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(failure(operation, e));
        }
        CompletableFuture<R> result = new CompletableFuture<>();
        ScheduledFuture<?> timer = TIMER.schedule(
                () -> {
                    if (result.completeExceptionally(errors.timeout(operation))) {
                        future.cancel(true);
                    }
                },
                budgetNanos,
                TimeUnit.NANOSECONDS);
        result.whenComplete((value, error) -> {
            timer.cancel(false);
            if (result.isCancelled()) {
                future.cancel(true);
            }
        });
        ApiFutures.addCallback(
                future,
                new ApiFutureCallback<T>() {
                    @Override
                    public void onSuccess(T value) {
                        try {
                            result.complete(then.apply(value));
                        } catch (RuntimeException e) {
                            result.completeExceptionally(failure(operation, e));
                        }
                    }

                    @Override
                    public void onFailure(Throwable error) {
                        result.completeExceptionally(failure(operation, error));
                    }
                },
                DIRECT);
        return result;
    }

    /** Maps a failure of {@code operation}; once the backend is closed, the message says so. */
    public CacheBackendException failure(String operation, Throwable error) {
        if (closed.getAsBoolean() && !(error instanceof CacheBackendException)) {
            return new CacheBackendException(errors.closed(operation).getMessage(), error);
        }
        return errors.map(operation, error);
    }

    private static ScheduledThreadPoolExecutor newTimer() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "cachekit-firestore-timeout");
            thread.setDaemon(true);
            return thread;
        });
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }
}
