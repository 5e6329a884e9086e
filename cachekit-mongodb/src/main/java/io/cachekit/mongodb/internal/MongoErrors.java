package io.cachekit.mongodb.internal;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoCommandException;
import com.mongodb.MongoExecutionTimeoutException;
import com.mongodb.MongoSecurityException;
import com.mongodb.MongoServerException;
import com.mongodb.MongoSocketException;
import com.mongodb.MongoSocketReadTimeoutException;
import com.mongodb.MongoTimeoutException;
import com.mongodb.ReadPreference;
import com.mongodb.connection.ClusterDescription;
import com.mongodb.connection.ServerDescription;
import io.cachekit.CacheBackendException;
import io.cachekit.CacheTimeoutException;
import io.cachekit.CacheValueTooLargeException;
import io.cachekit.StoreUnreachableException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.function.Supplier;
import org.bson.BsonMaximumSizeExceededException;

/**
 * The one place where the MongoDB driver's exceptions become Cachekit's.
 *
 * <ul>
 *   <li>An operation that ran out of time (the driver's client-side operation timeout, {@code timeoutMS}; the
 *       server's {@code maxTimeMS}, error 50; a socket read timeout) becomes {@link CacheTimeoutException};
 *   <li>unless the store could not be reached at all while it waited: a connection refused or lost, or no
 *       server the driver could connect to (the client's view of the cluster names the error). That becomes
 *       a {@link CacheBackendException} saying MongoDB cannot be reached; at creation a {@link
 *       StoreUnreachableException}, so Cachekit can start without the store;
 *   <li>a document over the size limit (the driver's check before sending, or the server's {@code
 *       BSONObjectTooLarge}) becomes a {@link CacheValueTooLargeException}, which does not count against the
 *       store's health;
 *   <li>everything else (a server error with its code, refused credentials, a closed client) becomes a
 *       {@link CacheBackendException}.
 * </ul>
 *
 * <p>Messages name the backend, the operation and the target without credentials. The driver does not put
 * passwords in its messages ({@code MongoCredential} prints {@code <hidden>}); connection strings are only
 * ever shown redacted.
 */
public final class MongoErrors {
    /** MongoDB's error code for an operation that exceeded its {@code maxTimeMS}. */
    static final int MAX_TIME_MS_EXPIRED = 50;
    /** MongoDB's error code for a document over its size limit ({@code BSONObjectTooLarge}). */
    static final int BSON_OBJECT_TOO_LARGE = 10334;

    private MongoErrors() {}

    /**
     * Translates {@code e}, met while running {@code operation}.
     *
     * @param operation for example {@code "mongodb get"}
     * @param target where the backend connects, without credentials
     * @param timeout the timeout the operation ran under, for the message
     * @param cluster the client's current view of the cluster, read only when needed (may return null)
     */
    public static CacheBackendException translate(
            String operation,
            String target,
            RuntimeException e,
            Duration timeout,
            Supplier<ClusterDescription> cluster) {
        if (e instanceof CacheBackendException cacheException) {
            return cacheException;
        }
        String unreachable = unreachable(e, cluster);
        if (unreachable != null) {
            return new CacheBackendException(
                    operation + " failed: cannot reach MongoDB at " + target + " (" + unreachable + ")", e);
        }
        if (isTimeout(e)) {
            return new CacheTimeoutException(
                    operation + " did not finish within " + timeout + " (" + describe(e) + ")", e);
        }
        if (e instanceof MongoSecurityException) {
            return new CacheBackendException(
                    operation + " failed: MongoDB at " + target + " refused the credentials (" + describe(e) + ")", e);
        }
        if (isTooLarge(e)) {
            // The document is over a limit of the driver's or the server's: a fact about the value, not the store.
            CacheValueTooLargeException tooLarge =
                    new CacheValueTooLargeException(operation + " failed: " + describe(e) + "; nothing was written");
            tooLarge.initCause(e);
            return tooLarge;
        }
        if (e instanceof IllegalStateException && String.valueOf(e.getMessage()).contains("open")) {
            return new CacheBackendException(operation + " failed: the MongoDB client is closed", e);
        }
        return new CacheBackendException(operation + " failed: " + describe(e), e);
    }

    /**
     * Translates a failure while the backend is being created: an unreachable store is a {@link
     * StoreUnreachableException}, so the cache can start without it; anything else stays an error.
     */
    public static CacheBackendException translateAtCreation(
            String operation,
            String target,
            RuntimeException e,
            Duration timeout,
            Supplier<ClusterDescription> cluster) {
        CacheBackendException translated = translate(operation, target, e, timeout, cluster);
        if (unreachable(e, cluster) != null || translated instanceof CacheTimeoutException) {
            return new StoreUnreachableException(translated.getMessage(), e);
        }
        return translated;
    }

    /**
     * Whether {@code e} is a duplicate key error (11000, or the legacy 11001 and 12582): a write met a document
     * of the same {@code _id}. A conditional upsert reads it as "a live entry is there".
     */
    public static boolean isDuplicateKey(Throwable e) {
        for (Throwable c = e; c != null; c = next(c)) {
            // A write error (MongoWriteException, from the write's writeErrors) or a command error alike.
            if (c instanceof MongoServerException server
                    && ErrorCategory.fromErrorCode(server.getCode()) == ErrorCategory.DUPLICATE_KEY) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether {@code e} refuses a document for its size: the driver's check before sending ({@link
     * BsonMaximumSizeExceededException}), or the server's {@code BSONObjectTooLarge} (10334).
     */
    static boolean isTooLarge(Throwable e) {
        for (Throwable c = e; c != null; c = next(c)) {
            if (c instanceof BsonMaximumSizeExceededException
                    || c instanceof MongoServerException server && server.getCode() == BSON_OBJECT_TOO_LARGE) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code e} says the operation ran out of time. */
    static boolean isTimeout(Throwable e) {
        for (Throwable c = e; c != null; c = next(c)) {
            if (c instanceof MongoTimeoutException
                    || c instanceof MongoExecutionTimeoutException
                    || c instanceof MongoSocketReadTimeoutException) {
                return true;
            }
            if (c instanceof MongoCommandException command && command.getErrorCode() == MAX_TIME_MS_EXPIRED) {
                return true;
            }
        }
        return false;
    }

    /**
     * Why the store could not be reached, or {@code null} when it could: a connection error in {@code e}'s
     * causes, or (for a timeout) a server the client failed to connect to. A read that timed out is not a
     * connection error: the server is there, only slow or paused.
     */
    static String unreachable(Throwable e, Supplier<ClusterDescription> cluster) {
        String direct = connectionError(e);
        if (direct != null || !(e instanceof MongoTimeoutException) || cluster == null) {
            return direct;
        }
        ClusterDescription description;
        try {
            description = cluster.get();
        } catch (RuntimeException ignored) {
            return null;
        }
        if (description == null || description.hasReadableServer(ReadPreference.nearest())) {
            return null;
        }
        for (ServerDescription server : description.getServerDescriptions()) {
            String error = server.getException() == null ? null : connectionError(server.getException());
            if (error != null) {
                return server.getAddress() + ": " + error;
            }
        }
        return null;
    }

    private static String connectionError(Throwable e) {
        for (Throwable c = e; c != null; c = next(c)) {
            if (c instanceof MongoSocketReadTimeoutException || c instanceof MongoServerException) {
                // Slow or paused, or the server answered: not unreachable.
                return null;
            }
            if (c instanceof MongoSocketException
                    || c instanceof ConnectException
                    || c instanceof NoRouteToHostException
                    || c instanceof UnknownHostException) {
                return describe(deepest(c));
            }
        }
        return null;
    }

    private static Throwable next(Throwable c) {
        return c.getCause() == c ? null : c.getCause();
    }

    private static Throwable deepest(Throwable t) {
        Throwable c = t;
        while (next(c) != null) {
            c = next(c);
        }
        return c;
    }

    static String describe(Throwable t) {
        String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        if (t instanceof MongoServerException server && server.getCode() != -1) {
            return message + " [code " + server.getCode() + "]";
        }
        return message;
    }
}
