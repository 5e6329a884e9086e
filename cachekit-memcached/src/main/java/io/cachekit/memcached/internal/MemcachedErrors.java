package io.cachekit.memcached.internal;

import io.cachekit.CacheBackendException;
import io.cachekit.CacheTimeoutException;
import io.cachekit.CacheValueTooLargeException;
import io.cachekit.spi.Redaction;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import net.rubyeye.xmemcached.exception.MemcachedServerException;

/**
 * The one place where xmemcached's errors become Cachekit's: a timeout becomes a {@link CacheTimeoutException}, a
 * value the server refuses as too large ({@code E2BIG}) a {@link CacheValueTooLargeException} (it says nothing of
 * the store's health, so it does not count for the circuit breaker), anything else (a closed or refused
 * connection, another server error, an interrupt) a {@link CacheBackendException}. Messages name the backend, the
 * operation and the servers ({@code host:port} only), and never carry the password. Not API; thread-safe.
 */
public final class MemcachedErrors {
    /** xmemcached's message for the binary status {@code E2BIG}, the value is over the server's item size. */
    static final String VALUE_TOO_BIG_MESSAGE = "Value is too big.";

    private final String target;
    private final Duration timeout;
    private final String secret;

    /**
     * @param target where the backend connects, for messages; must hold no credentials
     * @param timeout the operation timeout, for messages
     * @param secret the SASL password to scrub from driver messages, or {@code null}
     */
    public MemcachedErrors(String target, Duration timeout, String secret) {
        this.target = target;
        this.timeout = timeout;
        this.secret = secret == null || secret.isEmpty() ? null : secret;
    }

    /**
     * Maps {@code error}, met by {@code operation}, to a Cachekit exception; Cachekit's own pass unchanged. An
     * {@link InterruptedException} sets the thread's interrupt flag again.
     */
    public CacheBackendException map(String operation, Throwable error) {
        Throwable cause = unwrap(error);
        if (cause instanceof CacheBackendException mapped) {
            return mapped;
        }
        if (cause instanceof TimeoutException) {
            return timeout(operation, cause);
        }
        if (cause instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            return new CacheBackendException("memcached " + operation + " on " + target + " was interrupted", cause);
        }
        if (isValueTooBig(cause)) {
            return tooLarge(
                    operation,
                    "the server refused the value as too large (its item size limit, -I, is smaller than"
                            + " maxValueBytes allows)");
        }
        String kind = cause instanceof MemcachedServerException ? "the server answered: " : "";
        return new CacheBackendException(
                "memcached " + operation + " on " + target + " failed: " + kind + scrub(describe(cause)), cause);
    }

    /** A timeout met by {@code operation}. */
    public CacheTimeoutException timeout(String operation, Throwable cause) {
        return new CacheTimeoutException(
                "memcached " + operation + " on " + target + " did not answer within " + timeout, cause);
    }

    /** A value over the store's limit ({@code what} says which): nothing was written. */
    public CacheValueTooLargeException tooLarge(String operation, String what) {
        return new CacheValueTooLargeException("memcached " + operation + " on " + target + ": " + what);
    }

    /** A failure that is not the driver's, such as a closed backend. */
    public CacheBackendException failure(String operation, String what) {
        return new CacheBackendException("memcached " + operation + " on " + target + ": " + what);
    }

    /**
     * xmemcached reports the binary protocol's {@code E2BIG} status (0x03) as a {@link MemcachedServerException}
     * whose message is that status's text ({@code ResponseStatus.VALUE_TOO_BIG}, whose accessor is not public): its
     * only trace of the status. The failure test sends a value over a real server's limit to check it.
     */
    private static boolean isValueTooBig(Throwable cause) {
        return cause instanceof MemcachedServerException && VALUE_TOO_BIG_MESSAGE.equals(cause.getMessage());
    }

    private static Throwable unwrap(Throwable error) {
        Throwable t = error;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static String describe(Throwable t) {
        String message = t.getMessage();
        return message == null || message.isBlank() ? t.getClass().getSimpleName() : message;
    }

    /** Drivers may echo a URI or a password in a message; neither may reach an exception of ours. */
    private String scrub(String message) {
        String redacted = Redaction.redactUri(message);
        return secret == null || redacted == null ? redacted : redacted.replace(secret, "***");
    }
}
