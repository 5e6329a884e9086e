package io.cachekit.redis.internal;

import io.cachekit.CacheBackendException;
import io.cachekit.CacheTimeoutException;
import io.cachekit.StoreUnreachableException;
import io.cachekit.spi.Redaction;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/**
 * The one place where Lettuce's errors become Cachekit's: a command timeout becomes a {@link
 * CacheTimeoutException}, anything else a {@link CacheBackendException}. Messages name the backend, the
 * operation and the target ({@code host:port} only), and never carry a password. Not API; thread-safe.
 */
public final class RedisErrors {
    private final String target;
    private final Duration timeout;
    private final String secret;

    /**
     * @param target where the backend connects, for messages; must hold no credentials
     * @param timeout the command timeout, for messages
     * @param secret the password to scrub from driver messages, or {@code null}
     */
    public RedisErrors(String target, Duration timeout, String secret) {
        this.target = target;
        this.timeout = timeout;
        this.secret = secret == null || secret.isEmpty() ? null : secret;
    }

    /** Maps {@code error}, met by {@code operation}, to a Cachekit exception; Cachekit's own pass unchanged. */
    public CacheBackendException map(String operation, Throwable error) {
        Throwable cause = unwrap(error);
        if (cause instanceof CacheBackendException mapped) {
            return mapped;
        }
        if (cause instanceof RedisCommandTimeoutException || cause instanceof TimeoutException) {
            return new CacheTimeoutException(
                    "redis " + operation + " on " + target + " did not answer within " + timeout, cause);
        }
        if (cause instanceof CancellationException) {
            return new CacheBackendException("redis " + operation + " on " + target + " was cancelled", cause);
        }
        return new CacheBackendException(
                "redis " + operation + " on " + target + " failed: " + scrub(describe(cause)), cause);
    }

    /**
     * Maps a failure to connect: a {@link StoreUnreachableException} when no server answered (refused, timed
     * out, unknown host, a paused server, a Cluster none of whose nodes answered), so the cache can start
     * without Redis; a server that answered and refused (bad credentials, a missing database, a failed TLS
     * handshake, a TLS server spoken to in plain text) stays a plain {@link CacheBackendException}.
     */
    public CacheBackendException connectFailure(Throwable error) {
        CacheBackendException mapped = map("connect", error);
        if (mapped instanceof StoreUnreachableException || !noAnswer(error, 0) || refusedByServer(error, 0)) {
            return mapped;
        }
        return new StoreUnreachableException(mapped.getMessage(), mapped.getCause());
    }

    /** Whether the chain (causes and suppressed errors) shows a server that could not be reached at all. */
    private static boolean noAnswer(Throwable error, int depth) {
        if (error == null || depth > 20) {
            return false;
        }
        if (error instanceof ConnectException
                || error instanceof UnknownHostException
                || error instanceof NoRouteToHostException
                || error instanceof RedisCommandTimeoutException
                || error instanceof TimeoutException
                || error.getClass().getName().equals("io.netty.channel.ConnectTimeoutException")) {
            return true;
        }
        for (Throwable suppressed : error.getSuppressed()) {
            if (noAnswer(suppressed, depth + 1)) {
                return true;
            }
        }
        return noAnswer(error.getCause(), depth + 1);
    }

    /** Whether Redis itself, or a TLS handshake, refused the connection anywhere in the chain. */
    private static boolean refusedByServer(Throwable error, int depth) {
        if (error == null || depth > 20) {
            return false;
        }
        if (error instanceof RedisCommandExecutionException || error instanceof SSLException) {
            return true;
        }
        for (Throwable suppressed : error.getSuppressed()) {
            if (refusedByServer(suppressed, depth + 1)) {
                return true;
            }
        }
        return refusedByServer(error.getCause(), depth + 1);
    }

    /** A timeout met while waiting for {@code operation}'s future. */
    public CacheTimeoutException timeout(String operation) {
        return new CacheTimeoutException("redis " + operation + " on " + target + " did not answer within " + timeout);
    }

    /** The failure of an operation on a closed backend. */
    public CacheBackendException closed(String operation) {
        return new CacheBackendException("redis " + operation + " on " + target + ": the backend is closed");
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
        return secret == null ? redacted : redacted.replace(secret, "***");
    }
}
