package io.cachekit.firestore.internal;

import com.google.api.gax.rpc.ApiException;
import com.google.cloud.firestore.FirestoreException;
import io.cachekit.CacheBackendException;
import io.cachekit.CacheTimeoutException;
import io.cachekit.CacheValueTooLargeException;
import io.cachekit.StoreUnreachableException;
import io.grpc.Status;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * The one place where the Firestore client's errors become Cachekit's.
 *
 * <ul>
 *   <li>gRPC {@code DEADLINE_EXCEEDED}, and the operation timeout passing while the backend waits, become
 *       {@link CacheTimeoutException};
 *   <li>{@code UNAVAILABLE} (the server cannot be reached or went away) becomes {@link CacheBackendException}
 *       saying so; at creation ({@link #atCreation}), it and a timeout become {@link StoreUnreachableException};
 *   <li>every other status ({@code PERMISSION_DENIED}, {@code UNAUTHENTICATED}, {@code NOT_FOUND} for a
 *       missing database, {@code INVALID_ARGUMENT}, {@code RESOURCE_EXHAUSTED}, ...) and any other failure of
 *       the client become {@link CacheBackendException} with the status in the message.
 * </ul>
 *
 * Messages name the backend, the operation and the target (project, database, collection, emulator), never
 * credentials: the client does not put tokens in its messages. Not API; thread-safe.
 */
public final class FirestoreErrors {
    private final String target;
    private final Duration timeout;

    /**
     * @param target where the backend works, for messages; holds no credentials
     * @param timeout the operation timeout, for messages
     */
    public FirestoreErrors(String target, Duration timeout) {
        this.target = target;
        this.timeout = timeout;
    }

    /** Maps {@code error}, met by {@code operation}; Cachekit's own exceptions pass unchanged. */
    public CacheBackendException map(String operation, Throwable error) {
        Throwable cause = unwrap(error);
        if (cause instanceof CacheBackendException mapped) {
            return mapped;
        }
        if (cause instanceof TimeoutException) {
            return timeout(operation, cause);
        }
        if (cause instanceof CancellationException) {
            return new CacheBackendException(prefix(operation) + " was cancelled", cause);
        }
        Status.Code code = statusCode(cause);
        if (code == Status.Code.DEADLINE_EXCEEDED) {
            return timeout(operation, cause);
        }
        if (code == Status.Code.UNAVAILABLE) {
            return new CacheBackendException(
                    prefix(operation) + " failed: cannot reach Firestore (UNAVAILABLE: " + describe(cause) + ")",
                    cause);
        }
        String status = code == null ? "" : code + ": ";
        return new CacheBackendException(prefix(operation) + " failed: " + status + describe(cause), cause);
    }

    /**
     * A failure of the call that checks, when the backend is created, that Firestore answers: a server that
     * cannot be reached ({@code UNAVAILABLE}: refused, reset, a host that does not resolve) or does not answer
     * in time becomes {@link StoreUnreachableException}, so that Cachekit starts without it and connects in the
     * background; anything else (credentials, a missing database) stays as {@link #map} makes it, an error.
     */
    public CacheBackendException atCreation(String operation, Throwable error) {
        CacheBackendException mapped = map(operation, error);
        if (mapped instanceof StoreUnreachableException) {
            return mapped;
        }
        if (mapped instanceof CacheTimeoutException
                || hasStatus(mapped, Status.Code.UNAVAILABLE)
                || hasStatus(mapped, Status.Code.DEADLINE_EXCEEDED)) {
            return new StoreUnreachableException(mapped.getMessage(), mapped);
        }
        return mapped;
    }

    /** The operation timeout passed while waiting for {@code operation}. */
    public CacheTimeoutException timeout(String operation) {
        return timeout(operation, null);
    }

    private CacheTimeoutException timeout(String operation, Throwable cause) {
        return new CacheTimeoutException(prefix(operation) + " did not answer within " + timeout, cause);
    }

    /** An operation on a closed backend. */
    public CacheBackendException closed(String operation) {
        return new CacheBackendException(prefix(operation) + ": the backend is closed");
    }

    /** The thread waiting for {@code operation} was interrupted; the caller restores the interrupt flag. */
    public CacheBackendException interrupted(String operation, InterruptedException e) {
        return new CacheBackendException(prefix(operation) + " was interrupted", e);
    }

    /**
     * A conditional write that lost to other writers (the document appeared, changed or vanished between two
     * calls) in each of its {@code attempts}; nothing was written.
     */
    public CacheBackendException keptChanging(String operation, int attempts) {
        return new CacheBackendException(prefix(operation) + ": the document kept changing under " + attempts
                + " attempts (other writers); nothing was written");
    }

    /**
     * A document over Firestore's 1 MiB limit: refused before anything is sent. A {@link
     * CacheValueTooLargeException}, which says nothing of the store's health (it never opens the circuit
     * breaker).
     */
    public CacheValueTooLargeException tooLarge(String operation, long documentBytes, int valueBytes) {
        return new CacheValueTooLargeException(
                prefix(operation) + ": a document of " + documentBytes + " bytes (value of "
                        + valueBytes + " bytes) is over Firestore's limit of " + DocumentLayout.MAX_DOCUMENT_BYTES
                        + " bytes per document; nothing was written");
    }

    private String prefix(String operation) {
        return "firestore " + operation + " (" + target + ")";
    }

    private static Throwable unwrap(Throwable error) {
        Throwable t = error;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /**
     * Whether {@code error}, or an error in its chain of causes (a mapped exception keeps the client's error as
     * its cause), carries the gRPC status {@code code}: how a conditional write tells a lost race ({@code
     * ALREADY_EXISTS}, {@code FAILED_PRECONDITION}) from a failure.
     */
    public static boolean hasStatus(Throwable error, Status.Code code) {
        return error != null && statusCode(error) == code;
    }

    /** The gRPC status of the first error in the chain that carries one, or {@code null}. */
    static Status.Code statusCode(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ApiException api && api.getStatusCode() != null) {
                Object code = api.getStatusCode().getCode();
                try {
                    return Status.Code.valueOf(code.toString());
                } catch (IllegalArgumentException e) {
                    return Status.Code.UNKNOWN;
                }
            }
            if (t instanceof FirestoreException firestore && firestore.getStatus() != null) {
                return firestore.getStatus().getCode();
            }
        }
        Status status = Status.fromThrowable(error);
        return status.getCode() == Status.Code.UNKNOWN && status.getCause() == error ? null : status.getCode();
    }

    private static String describe(Throwable t) {
        String message = t.getMessage();
        return message == null || message.isBlank() ? t.getClass().getSimpleName() : message;
    }
}
