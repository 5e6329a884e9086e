package io.cachekit.dynamodb.internal;

import io.cachekit.CacheBackendException;
import io.cachekit.CacheTimeoutException;
import io.cachekit.CacheValueTooLargeException;
import io.cachekit.StoreUnreachableException;
import io.cachekit.spi.Redaction;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;

/**
 * The one place where the AWS SDK's errors become Cachekit's.
 *
 * <ul>
 *   <li>the SDK's call or attempt timeout (the operation timeout, applied as {@code apiCallTimeout}) becomes
 *       {@link CacheTimeoutException};
 *   <li>an endpoint that cannot be reached (refused, reset, unknown host, no route) becomes {@link
 *       CacheBackendException} saying so, or, while the backend is being created, {@link
 *       StoreUnreachableException} (as does a timeout then);
 *   <li>an item over DynamoDB's size limit, found before sending ({@link #tooLarge}) or refused by DynamoDB,
 *       becomes {@link CacheValueTooLargeException}: it says nothing of the store's health, so it never
 *       opens the circuit breaker;
 *   <li>any other service error (throttling after the SDK's retries, a missing table, refused credentials)
 *       becomes {@link CacheBackendException} with DynamoDB's error code;
 *   <li>Cachekit's own exceptions pass unchanged.
 * </ul>
 *
 * Messages name the backend, the operation, the table and the endpoint (without user information); they
 * never contain credentials: the SDK does not put secret keys in its messages, and any URI in a message is
 * written through {@link Redaction#redactUri}. Not API; thread-safe.
 */
public final class DynamoDbErrors {
    private static final Set<String> THROTTLING = Set.of(
            "ProvisionedThroughputExceededException",
            "ThrottlingException",
            "RequestLimitExceeded",
            "TooManyRequestsException");

    private final String target;
    private final Duration timeout;

    /**
     * @param target the table and endpoint, for messages; must hold no credentials
     * @param timeout the operation timeout, for messages
     */
    public DynamoDbErrors(String target, Duration timeout) {
        this.target = target;
        this.timeout = timeout;
    }

    /** Maps {@code error}, met by {@code operation} (such as {@code get}), to a Cachekit exception. */
    public CacheBackendException map(String operation, Throwable error) {
        Throwable cause = unwrap(error);
        if (cause instanceof CacheBackendException mapped) {
            return mapped;
        }
        String what = "dynamodb " + operation + " on " + target;
        if (isTimeout(cause)) {
            return new CacheTimeoutException(what + " did not finish within " + timeout + lastAttempt(cause), cause);
        }
        if (cause instanceof CancellationException) {
            return new CacheBackendException(what + " was cancelled", cause);
        }
        if (cause instanceof AwsServiceException service) {
            String code = service.awsErrorDetails() == null
                    ? null
                    : service.awsErrorDetails().errorCode();
            String message = service.awsErrorDetails() == null
                    ? describe(service)
                    : service.awsErrorDetails().errorMessage();
            String detail = scrub(message) + " [" + code + ", HTTP " + service.statusCode() + "]";
            if (code != null && THROTTLING.contains(code)) {
                return new CacheBackendException(what + " was throttled after the SDK's retries: " + detail, cause);
            }
            if ("ResourceNotFoundException".equals(code)) {
                return new CacheBackendException(what + " failed: the table does not exist: " + detail, cause);
            }
            if (message != null && message.contains("Item size has exceeded")) {
                CacheValueTooLargeException tooLarge = new CacheValueTooLargeException(
                        what + " failed: the item is over DynamoDB's 400 KB item limit: " + detail);
                tooLarge.initCause(cause);
                return tooLarge;
            }
            return new CacheBackendException(what + " failed: " + detail, cause);
        }
        if (isConnectionFailure(cause)) {
            return new CacheBackendException(
                    what + " failed: cannot reach DynamoDB (" + scrub(describe(deepest(cause))) + ")", cause);
        }
        if (cause instanceof IllegalStateException
                && String.valueOf(cause.getMessage()).contains("shut down")) {
            return closed(operation);
        }
        return new CacheBackendException(what + " failed: " + scrub(describe(cause)), cause);
    }

    /**
     * Maps an error met while the backend is created: a store that cannot be reached or does not answer in
     * time becomes {@link StoreUnreachableException}, anything else as {@link #map}.
     */
    public CacheBackendException atCreation(String operation, Throwable error) {
        Throwable cause = unwrap(error);
        if (cause instanceof CacheBackendException mapped) {
            return mapped;
        }
        if (isTimeout(cause) || isConnectionFailure(cause)) {
            return new StoreUnreachableException(
                    "dynamodb " + operation + " on " + target + ": DynamoDB does not answer ("
                            + scrub(describe(deepest(cause))) + ")",
                    cause);
        }
        return map(operation, cause);
    }

    /** A multi-request operation that ran out of time between requests. */
    public CacheTimeoutException timeout(String operation, String detail) {
        return new CacheTimeoutException(
                "dynamodb " + operation + " on " + target + " did not finish within " + timeout + ": " + detail);
    }

    /** The failure of an operation on a closed backend. */
    public CacheBackendException closed(String operation) {
        return new CacheBackendException("dynamodb " + operation + " on " + target + ": the backend is closed");
    }

    /** A value whose item would exceed DynamoDB's item limit; nothing was written. */
    public CacheValueTooLargeException tooLarge(String operation, int valueBytes, long itemBytes) {
        return new CacheValueTooLargeException("dynamodb " + operation + " on " + target + ": a value of " + valueBytes
                + " bytes makes an item of up to " + itemBytes + " bytes, over DynamoDB's item limit of "
                + ItemLayout.MAX_ITEM_BYTES + " bytes (400 KB); nothing was written");
    }

    /** Whether {@code t} (unwrapped) is a timeout of the SDK or of a future. */
    static boolean isTimeout(Throwable t) {
        return t instanceof ApiCallTimeoutException
                || t instanceof ApiCallAttemptTimeoutException
                || t instanceof TimeoutException;
    }

    /** Whether {@code t} or one of its causes says the endpoint could not be reached or the connection broke. */
    static boolean isConnectionFailure(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof ConnectException
                    || c instanceof NoRouteToHostException
                    || c instanceof UnknownHostException
                    || (c instanceof SocketException && !(c instanceof SocketTimeoutException))
                    || c instanceof java.nio.channels.ClosedChannelException
                    || c.getClass().getName().endsWith("ConnectTimeoutException")
                    || c.getClass().getName().endsWith("HttpHostConnectException")) {
                return true;
            }
        }
        return false;
    }

    /** The failure of the last attempt before a call timed out, when the SDK kept it. */
    private String lastAttempt(Throwable timeoutError) {
        for (Throwable suppressed : timeoutError.getSuppressed()) {
            Throwable last = deepest(suppressed);
            return " (last attempt: " + scrub(describe(last)) + ")";
        }
        return "";
    }

    private static Throwable unwrap(Throwable error) {
        Throwable t = error;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static Throwable deepest(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c;
    }

    private static String describe(Throwable t) {
        String message = t.getMessage();
        return message == null || message.isBlank() ? t.getClass().getSimpleName() : message;
    }

    /** Drivers may echo a URI with user information in a message; it never reaches an exception of ours. */
    private static String scrub(String message) {
        if (message == null) {
            return null;
        }
        StringBuilder out = new StringBuilder(message.length());
        for (String word : message.split(" ", -1)) {
            if (out.length() > 0) {
                out.append(' ');
            }
            out.append(word.contains("://") ? Redaction.redactUri(word) : word);
        }
        return out.toString();
    }
}
