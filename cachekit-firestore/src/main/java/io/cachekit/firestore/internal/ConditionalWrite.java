package io.cachekit.firestore.internal;

import com.google.api.core.ApiFuture;
import com.google.cloud.Timestamp;
import com.google.cloud.firestore.Precondition;
import io.grpc.Status;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One {@code setIfAbsent} of the backend: its calls one after another, each started from the completion of the
 * one before, all within one operation timeout from the start, so that no thread waits.
 *
 * <ol>
 *   <li>{@code create} the document, which Firestore writes only if no document of that id exists;
 *   <li>on {@code ALREADY_EXISTS}, read it: a live entry is the result; a document deleted in between starts
 *       over;
 *   <li>an expired document is replaced by an {@code update} with the precondition that it is still the
 *       version read; a lost race starts over.
 * </ol>
 *
 * The future completes with {@code null} when the entry was written, or with the live entry in the way; it
 * fails once {@code maxAttempts} attempts have lost to other writers. Cancelling it cancels the call in flight.
 * Not API; thread-safe, started once.
 */
public final class ConditionalWrite {
    private static final String OPERATION = "setIfAbsent";

    private final FirestoreCalls calls;
    private final FirestoreErrors errors;
    private final EntryDocuments.Write write;
    private final Clock clock;
    private final int maxAttempts;
    private final long deadline;
    private final CompletableFuture<byte[]> done = new CompletableFuture<>();
    private volatile CompletableFuture<?> inFlight;
    /** Only touched by one call's completion at a time, each after the one before. */
    private volatile int attempts;

    /**
     * The operation timeout starts here.
     *
     * @param calls starts the calls, within what is left of the timeout
     * @param errors makes the error of too many lost attempts
     * @param write the document to write, already checked against the size limit
     * @param clock tells whether an existing entry has expired
     * @param maxAttempts the attempts allowed before giving up to other writers
     */
    public ConditionalWrite(
            FirestoreCalls calls, FirestoreErrors errors, EntryDocuments.Write write, Clock clock, int maxAttempts) {
        this.calls = calls;
        this.errors = errors;
        this.write = write;
        this.clock = clock;
        this.maxAttempts = maxAttempts;
        this.deadline = System.nanoTime() + calls.timeoutNanos();
        done.whenComplete((result, error) -> {
            CompletableFuture<?> call = inFlight;
            if (done.isCancelled() && call != null) {
                call.cancel(true);
            }
        });
    }

    /** Starts the first call; never throws, every failure completes the returned future. */
    public CompletableFuture<byte[]> start() {
        create();
        return done;
    }

    /** Writes the document only if none exists; when one does, reads it. */
    private void create() {
        if (attempts++ == maxAttempts) {
            done.completeExceptionally(errors.keptChanging(OPERATION, maxAttempts));
            return;
        }
        then(call(() -> write.document().create(write.fields())), (written, error) -> {
            if (error == null) {
                done.complete(null);
            } else if (FirestoreErrors.hasStatus(error, Status.Code.ALREADY_EXISTS)) {
                read();
            } else if (FirestoreErrors.hasStatus(error, Status.Code.ABORTED)) {
                create(); // met a concurrent write; nothing was written
            } else {
                done.completeExceptionally(error);
            }
        });
    }

    /** Returns a live entry; replaces an expired one; starts over when the document has gone. */
    private void read() {
        then(call(write.document()::get), (snapshot, error) -> {
            if (error != null) {
                done.completeExceptionally(error);
                return;
            }
            if (!snapshot.exists()) {
                create();
                return;
            }
            byte[] existing;
            try {
                existing = DocumentLayout.read(snapshot, clock.instant());
            } catch (RuntimeException e) {
                done.completeExceptionally(calls.failure(OPERATION, e));
                return;
            }
            if (existing != null) {
                done.complete(existing);
            } else {
                replace(snapshot.getUpdateTime());
            }
        });
    }

    /** Overwrites the expired document only if it is still the version that was read. */
    private void replace(Timestamp readVersion) {
        then(call(() -> write.document().update(write.fields(), Precondition.updatedAt(readVersion))), (ok, error) -> {
            if (error == null) {
                done.complete(null);
            } else if (lostRace(error)) {
                create();
            } else {
                done.completeExceptionally(error);
            }
        });
    }

    /**
     * Another writer came first: the document read changed since ({@code FAILED_PRECONDITION}), was deleted
     * ({@code NOT_FOUND}), or the write met a concurrent one ({@code ABORTED}); nothing was written.
     */
    private static boolean lostRace(Throwable error) {
        return FirestoreErrors.hasStatus(error, Status.Code.FAILED_PRECONDITION)
                || FirestoreErrors.hasStatus(error, Status.Code.NOT_FOUND)
                || FirestoreErrors.hasStatus(error, Status.Code.ABORTED);
    }

    private <T> CompletableFuture<T> call(Supplier<ApiFuture<T>> call) {
        return calls.async(OPERATION, deadline - System.nanoTime(), call, Function.identity());
    }

    private <T> void then(CompletableFuture<T> call, BiConsumer<T, Throwable> next) {
        inFlight = call;
        if (done.isDone()) {
            call.cancel(true);
            return;
        }
        call.whenComplete((value, error) -> {
            if (!done.isDone()) {
                try {
                    next.accept(value, error);
                } catch (RuntimeException e) {
                    done.completeExceptionally(calls.failure(OPERATION, e));
                }
            }
        });
    }
}
