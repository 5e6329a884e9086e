package io.cachekit.memcached.internal;

import io.cachekit.CacheBackendException;
import io.cachekit.CacheTimeoutException;
import io.cachekit.spi.Redaction;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import net.rubyeye.xmemcached.exception.MemcachedServerException;

/**
 * The one place where xmemcached's errors become Cachekit's: a timeout becomes a {@link CacheTimeoutException},
 * anything else (a closed or refused connection, a server error, an interrupt) a {@link CacheBackendException}.
 * Messages name the backend, the operation and the servers ({@code host:port} only), and never carry the
 * password. Not API; thread-safe.
 */
public final class MemcachedErrors {
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
        String kind = cause instanceof MemcachedServerException ? "the server answered: " : "";
        return new CacheBackendException(
                "memcached " + operation + " on " + target + " failed: " + kind + scrub(describe(cause)), cause);
    }

    /** A timeout met by {@code operation}. */
    public CacheTimeoutException timeout(String operation, Throwable cause) {
        return new CacheTimeoutException(
                "memcached " + operation + " on " + target + " did not answer within " + timeout, cause);
    }

    /** A failure that is not the driver's, such as a value over the limit or a closed backend. */
    public CacheBackendException failure(String operation, String what) {
        return new CacheBackendException("memcached " + operation + " on " + target + ": " + what);
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
